package credits

import (
	"context"
	"fmt"
	"strings"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Continuing-education mail, one per cause.
const (
	mailReceived = "received" // the submission is in the queue
	mailInfo     = "info"     // the reviewer asks for more information
	mailDecided  = "decided"  // a decision: credits and reason
	mailAppeal   = "appeal"   // the appeal was decided
	mailReversed = "reversed" // an admin reversed a decision
)

// pathHistory is the candidate's page of submissions.
const pathHistory = "/continuing-education/history"

// mail queues the candidate's mail about sub for cause, in the
// transaction that caused it, in the candidate's language. Each cause is
// sent once per submission and decision.
func (s *Service) mail(ctx context.Context, tx *store.Tx, loc *time.Location, sub *portal.CESubmission, typ *portal.CEActivityType, cause string, extra map[string]any) error {
	u, err := tx.GetUser(ctx, sub.UserID)
	if err != nil {
		return err
	}
	data := map[string]any{
		"Name": u.FirstName, "CECause": cause, "Activity": sub.Title, "ActivityType": typ.Name(u.Language),
		"Credits": FormatCreditsIn(sub.Granted, u.Language), "Claimed": FormatCreditsIn(sub.Claimed, u.Language), "State": sub.State,
		"Reason": sub.ReasonText, "ReasonCode": sub.ReasonCode, "TimeZone": loc.String(),
		"Link": strings.TrimRight(s.cfg.BaseURL, "/") + pathHistory,
	}
	if sub.TargetOn != nil {
		data["TargetOn"] = *sub.TargetOn
	}
	for k, v := range extra {
		data[k] = v
	}
	msg := mail.Message{To: u.Email, ToName: u.FullName(), Lang: u.Language, Template: "credits", Data: data}
	key := fmt.Sprintf("mail.credits:%s:%d:%d", cause, sub.ID, sub.Decisions)
	if err := jobs.Enqueue(ctx, tx, mail.KindSend, msg, jobs.UniqueKey(key)); err != nil {
		return fmt.Errorf("credits: queue %s mail: %w", cause, err)
	}
	return nil
}
