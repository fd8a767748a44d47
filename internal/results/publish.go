package results

import (
	"context"
	"strconv"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// KindPublish is the due work that publishes a result at its official
// instant, keyed by attempt.
const KindPublish = "results.publish"

// publishArgs are the arguments of a publication.
type publishArgs struct {
	AttemptID int64 `json:"attempt_id"`
}

// publicationKey names the publication of an attempt.
func publicationKey(attemptID int64) string { return "attempt:" + strconv.FormatInt(attemptID, 10) }

// schedulePublication writes the publication of a counting result as due
// work at its official instant, in the transaction that made it count.
func schedulePublication(ctx context.Context, tx *store.Tx, a *portal.Attempt) error {
	return jobs.Schedule(ctx, tx, KindPublish, publicationKey(a.ID), a.OfficialAt, publishArgs{AttemptID: a.ID})
}
