package results

import (
	"time"

	"example.org/certportal/internal/portal"
)

// Exam history states, as a candidate sees them.
const (
	HistoryAwaiting    = "awaiting"     // delivered, no result yet
	HistoryProvisional = "provisional"  // counts, not yet official: outcome only, no score
	HistoryReview      = "under_review" // held by staff
	HistoryFailed      = "failed"       // official fail
	HistoryPassed      = "passed"       // official pass
)

// HistoryEntry is one line of a candidate's exam history: an attempt with a
// result that counts, or a delivered booking still waiting for one.
type HistoryEntry struct {
	State           string
	AttemptID       int64 // zero while awaiting a result
	BookingRef      string
	ExamCode        string
	ExamName        string
	Microcredential bool
	TakenAt         time.Time
	// OfficialOn is the day the result becomes (or became) official, in
	// the program's time zone; while awaiting, the usual day.
	OfficialOn time.Time
	// Passed is the outcome; provisional while State is provisional.
	Passed bool
	// Score is shown only once official.
	Score        int
	PassingScore int
	// RetakeFrom is the first start of a retake after a failure.
	RetakeFrom *time.Time
	// AskSupport is true when a result is overdue: 10 business days after
	// delivery without one.
	AskSupport bool
}

// ScoreReport is the page of an official result.
type ScoreReport struct {
	AttemptID       int64
	FirstName       string
	LastName        string
	ExamCode        string
	ExamName        string
	Microcredential bool
	TakenAt         time.Time
	Score           int
	PassingScore    int
	Passed          bool
	Domains         []portal.DomainResult
	// RetakeFrom is, after a failure, the first start of a retake.
	RetakeFrom *time.Time
	TimeZone   *time.Location // the program's, for the dates shown
}

// CertificationView is an earned certification as its holder sees it.
type CertificationView struct {
	portal.UserCertificationDetail
	Status          string // a portal.Cert* status at the time of reading
	Microcredential bool
	// MonthsLeft is the number of whole months to expiry (0 when expired).
	MonthsLeft int
	// RenewedFrom is, for a renewed certification, the last day of the
	// cycle its latest renewal closed (YYYY-MM-DD); empty otherwise.
	RenewedFrom string
}

// Benefit is what an active certification gives its holder.
type Benefit struct {
	CertificationCode string
	CertificationName string
	ExpiresOn         string
	// VoucherCode is the pass voucher, empty once used or void.
	VoucherCode    string
	VoucherPercent int
	// VoucherUntil falls on the voucher's last valid day.
	VoucherUntil time.Time
	// Program lists the benefits the program configures, one per line.
	Program []string
}

// Summary is the dashboard's line about certifications.
type Summary struct {
	Active   int
	Expiring int
	// Next is the certification that expires first among those held.
	Next *CertificationView
	// Provisional counts results not yet official.
	Provisional int
}

// Entry is a result as an officer types it in the console.
type Entry struct {
	// Candidate is the login ID (preferred) or email of the candidate.
	Candidate  string
	ExamCode   string
	BookingRef string
	TakenAt    time.Time
	Score      int
	Domains    []DomainBand
}

// Correction is a change of a published result: a new score and domain
// bands, with the reason recorded in the audit log.
type Correction struct {
	Score   int
	Domains []DomainBand
	Reason  string
}
