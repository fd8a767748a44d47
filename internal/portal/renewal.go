package portal

import "time"

// EventCertificationRenewed is written when a certification's cycle
// renews: by approved continuing-education credits or by an exam pass.
// The credentials service issues the new cycle's credential from it.
const EventCertificationRenewed EventType = "certification.renewed"

// Renewal causes.
const (
	RenewalByCredits = "credits" // approved credits reached the requirement
	RenewalByExam    = "exam"    // a pass of the certification's exam or a renewal path
)

// Renewal is one renewed cycle of an earned certification: cycle Cycle
// (from OldIssuedOn to OldExpiresOn) closed and the next one opened, from
// the old expiry for one validity. At most one per certification and
// cycle.
type Renewal struct {
	ID                  int64
	UserCertificationID int64
	Cycle               int // the cycle renewed; the certification is now in Cycle+1
	UserID              int64
	Cause               string
	SubmissionID        *int64
	AttemptID           *int64
	OldIssuedOn         string
	OldExpiresOn        string
	OldIssuedAt         time.Time
	OldExpiresAt        time.Time
	NewIssuedOn         string
	NewExpiresOn        string
	NewExpiresAt        time.Time
	CreditsConsumed     int
	CreditsCarried      int
	CreatedAt           time.Time
}
