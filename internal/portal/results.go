package portal

import (
	"time"
)

// Certification kinds.
const (
	CertKindCertification   = "certification"
	CertKindMicrocredential = "microcredential"
)

// Default validity of a certification, in months, by kind.
const (
	DefaultValidityMonths                = 36
	DefaultMicrocredentialValidityMonths = 12
)

// Certification is an entry of the certification catalogue: what a
// candidate holds after passing one of the exams that earn it. The exams
// change over versions (SAA-C03, later SAA-C04); the certification stays.
type Certification struct {
	ID             int64
	Code           string `audit:"code"` // short and stable, e.g. SAA
	Name           string `audit:"name"` // e.g. Solutions Architect – Associate
	Description    string `audit:"description"`
	Level          string `audit:"level"` // the exam levels: foundational … specialty
	Kind           string `audit:"kind"`  // CertKindCertification or CertKindMicrocredential
	ValidityMonths int    `audit:"validity_months"`
	// Benefits lists what holding it gives beyond the voucher and the
	// badge, one per line, for the Benefits page.
	Benefits  string `audit:"benefits"`
	Active    bool   `audit:"active"`
	CreatedAt time.Time
	UpdatedAt time.Time
	// EarnedBy are the codes of the exams whose pass earns it; an exam
	// earns at most one certification. RenewedBy are the codes of exams
	// whose pass renews it (renewal paths).
	EarnedBy  []string `db:"-" audit:"earned_by"`
	RenewedBy []string `db:"-" audit:"renewed_by"`
}

// Microcredential reports whether the certification is a microcredential.
func (c *Certification) Microcredential() bool { return c.Kind == CertKindMicrocredential }

// Attempt states. A result entered in the console waits for a second
// officer (entered); once it counts it is preliminary until its official
// instant, unless staff hold it under review; publication makes it
// official, exactly once.
const (
	AttemptEntered     = "entered"
	AttemptPreliminary = "preliminary"
	AttemptHeld        = "held"
	AttemptOfficial    = "official"
)

// Attempt sources.
const (
	SourceConsole = "console"
	SourceImport  = "import"
)

// Domain bands of a score report.
const (
	BandMeets            = "meets"
	BandNeedsImprovement = "needs_improvement"
)

// Score range and defaults of results.
const (
	MinScore = 100
	MaxScore = 1000
	// DefaultResultsDelayDays is the usual processing delay of a result,
	// in business days of the program's calendar.
	DefaultResultsDelayDays = 5
	// DefaultRetakeWaitDays and DefaultMicrocredentialRetakeWaitDays are
	// the waits after a failure before a retake may start.
	DefaultRetakeWaitDays                = 14
	DefaultMicrocredentialRetakeWaitDays = 25
)

// DomainResult is one line of a score report: a content domain as it was
// weighted on the day of the exam, and how the candidate did in it.
type DomainResult struct {
	Name          string `json:"name"`
	WeightPercent int    `json:"weight"`
	Band          string `json:"band"` // BandMeets or BandNeedsImprovement
}

// Attempt is one sitting of an exam with its result. What was in force on
// the day (passing score, domains and weights, retake wait) is a snapshot:
// catalogue edits never rewrite it. TakenAt is the delivery instant (UTC).
type Attempt struct {
	ID              int64
	UserID          int64
	ExamID          int64
	ExamCode        string `audit:"exam_code"`
	CertificationID *int64
	BookingID       *int64
	TakenAt         time.Time `audit:"taken_at"`
	Score           int       `audit:"score"`
	Passed          bool      `audit:"passed"`
	PassingScore    int       `audit:"passing_score"`
	RetakeWaitDays  int       `audit:"retake_wait_days"`
	// RetakeFrom is, after a failure, the earliest start of a new booking
	// of the exam or another of its certification's exams.
	RetakeFrom  *time.Time     `audit:"retake_from"`
	Domains     []DomainResult `db:"-" audit:"domains"`
	DomainsJSON string         `db:"domains"`
	State       string         `audit:"state"`
	Source      string
	ImportID    *int64
	// OfficialAt is when the result becomes official: the delivery day
	// plus the exam's processing delay in business days.
	OfficialAt  time.Time `audit:"official_at"`
	PublishedAt *time.Time
	EnteredBy   *int64
	ConfirmedBy *int64
	ConfirmedAt *time.Time
	HeldAt      *time.Time
	HeldBy      *int64
	HoldReason  string `audit:"hold_reason"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Counts reports whether the result counts: confirmed, or imported.
func (a *Attempt) Counts() bool { return a.State != AttemptEntered }

// Official reports whether the result has been published.
func (a *Attempt) Official() bool { return a.State == AttemptOfficial }

// AttemptDetail is an attempt with what pages show about it.
type AttemptDetail struct {
	Attempt
	ExamName          string
	ExamKind          string
	CertificationName string
	BookingReference  string
	UserEmail         string
	UserLoginID       string
	FirstName         string
	LastName          string
}

// Certification statuses, derived at read time from stored dates and the
// clock (UserCertification.Status).
const (
	CertActive     = "active"
	CertExpiring   = "expiring"
	CertExpired    = "expired"
	CertSuspended  = "suspended"
	CertRevoked    = "revoked"
	CertSuperseded = "superseded"
	CertWithdrawn  = "withdrawn" // a correction undid the pass that earned it
)

// DefaultExpiringMonths is how long before expiry a certification shows
// as expiring.
const DefaultExpiringMonths = 6

// UserCertification is a certification a candidate earned: issued on the
// delivery day of the pass that earned it, in the program's time zone, and
// valid to the end of its expiry day there. Kind and validity are
// snapshots of the catalogue on the day. Credentials and certificates
// hang off it by ID.
type UserCertification struct {
	ID              int64
	UserID          int64
	CertificationID int64
	AttemptID       int64
	Cycle           int
	Kind            string
	ValidityMonths  int
	IssuedOn        string // YYYY-MM-DD in the program's time zone
	ExpiresOn       string // YYYY-MM-DD, the last valid day
	IssuedAt        time.Time
	ExpiresAt       time.Time // end of ExpiresOn in the program's time zone
	SuspendedAt     *time.Time
	RevokedAt       *time.Time
	StatusReason    string
	WithdrawnAt     *time.Time
	SupersededBy    *int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Status is the certification's status at now: withdrawn, revoked,
// suspended and superseded come from stored facts; otherwise expired after
// ExpiresAt, expiring within expiringMonths of it, else active.
func (c *UserCertification) Status(now time.Time, expiringMonths int) string {
	switch {
	case c.WithdrawnAt != nil:
		return CertWithdrawn
	case c.RevokedAt != nil:
		return CertRevoked
	case c.SupersededBy != nil:
		return CertSuperseded
	case c.SuspendedAt != nil:
		return CertSuspended
	case !now.Before(c.ExpiresAt):
		return CertExpired
	case !now.Before(c.ExpiresAt.AddDate(0, -expiringMonths, 0)):
		return CertExpiring
	}
	return CertActive
}

// Standing reports whether the certification is held at now: active or
// expiring.
func (c *UserCertification) Standing(now time.Time) bool {
	s := c.Status(now, 0)
	return s == CertActive || s == CertExpiring
}

// UserCertificationDetail is an earned certification with its catalogue
// entry's names.
type UserCertificationDetail struct {
	UserCertification
	Code     string
	Name     string
	Level    string
	ExamCode string // the exam whose pass earned it
}

// Event types and subjects of results.
const (
	EventResultRecorded         EventType = "result.recorded"  // a result counts (preliminary)
	EventResultHeld             EventType = "result.held"      // under review
	EventResultPublished        EventType = "result.published" // official
	EventResultCorrected        EventType = "result.corrected" // changed after publication
	EventCertificationIssued    EventType = "certification.issued"
	EventCertificationWithdrawn EventType = "certification.withdrawn"

	SubjectAttempt       = "attempt"
	SubjectCertification = "certification"
)
