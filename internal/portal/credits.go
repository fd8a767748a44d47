package portal

import "time"

// Continuing-education activity groups.
const (
	CEGroupOfficial   = "official"   // official training
	CEGroupRecognised = "recognised" // recognised learning
	CEGroupOther      = "other"      // other professional development
)

// CEGroups lists the groups in the order pages show them.
func CEGroups() []string { return []string{CEGroupOfficial, CEGroupRecognised, CEGroupOther} }

// Credit rules of an activity type.
const (
	CERulePerUnit = "per_unit" // credits per whole unit of the stated duration
	CERuleRange   = "range"    // the candidate claims, the reviewer decides, within min..max
	CERuleFixed   = "fixed"    // always the same credits
)

// Which certifications an activity type counts for.
const (
	CECountsAll    = "all"    // every certification
	CECountsLevels = "levels" // certifications of the listed levels
	CECountsList   = "list"   // the listed certification codes
)

// Optional submission fields an activity type can make required.
const (
	CEFieldProvider = "provider"
	CEFieldURL      = "url"
	CEFieldDuration = "duration"
	CEFieldNotes    = "notes"
)

// Submission states.
const (
	CEDraft     = "draft"
	CEPending   = "pending"
	CEInfo      = "info" // more information asked; the target clock is paused
	CEApproved  = "approved"
	CEPartial   = "partial"
	CEDenied    = "denied"
	CEAppealed  = "appealed" // a denial under appeal, back in the queue
	CEWithdrawn = "withdrawn"
)

// Ledger row kinds.
const (
	CELedgerCredit      = "credit"
	CELedgerReversal    = "reversal"
	CELedgerConsumption = "consumption"
)

// Continuing-education events.
const (
	EventCESubmitted EventType = "ce.submitted"
	EventCEDecided   EventType = "ce.decided"
	SubjectCE                  = "ce_submission"
)

// CEText is the name and description of an activity type in one language.
type CEText struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// CEActivityType is one version of an activity type of the catalogue: what
// a submission made under it keeps. Credits are hundredths of a credit.
type CEActivityType struct {
	TypeID         int64             `db:"type_id"`
	VersionID      int64             `db:"id"`
	Code           string            `audit:"code"`
	Version        int               `audit:"version"`
	Group          string            `db:"grp" audit:"group"`
	Texts          map[string]CEText `db:"-"`
	TextsJSON      string            `db:"texts" audit:"texts"`
	Rule           string            `audit:"rule"`
	UnitMinutes    int               `audit:"unit_minutes"`
	PerUnit        int               `audit:"per_unit"`
	MinCredits     int               `audit:"min_credits"`
	MaxCredits     int               `audit:"max_credits"`
	CapActivity    int               `audit:"cap_activity"` // 0: none
	CapCycle       int               `audit:"cap_cycle"`    // 0: none
	RequiredFields string            `audit:"required_fields"`
	MinEvidence    int               `audit:"min_evidence"`
	Attestation    bool              `audit:"attestation"`
	CountsFor      string            `audit:"counts_for"`
	CountsList     string            `audit:"counts_list"`
	ActiveFrom     *string           `audit:"active_from"`  // YYYY-MM-DD, nil: always
	ActiveUntil    *string           `audit:"active_until"` // YYYY-MM-DD inclusive, nil: always
	DeadlineDays   int               `audit:"deadline_days"`
	CreatedBy      *int64
	CreatedAt      time.Time
}

// Name is the type's name in lang, falling back to English.
func (t *CEActivityType) Name(lang string) string { return t.text(lang).Name }

// Description is the type's description in lang, falling back to English.
func (t *CEActivityType) Description(lang string) string { return t.text(lang).Description }

func (t *CEActivityType) text(lang string) CEText {
	if x, ok := t.Texts[lang]; ok && x.Name != "" {
		return x
	}
	return t.Texts["en"]
}

// CESubmission is a candidate's continuing-education activity.
type CESubmission struct {
	ID              int64
	UserID          int64
	TypeID          int64
	VersionID       int64
	State           string  `audit:"state"`
	Title           string  `audit:"title"`
	Provider        string  `audit:"provider"`
	CompletedOn     string  `audit:"completed_on"` // YYYY-MM-DD
	DurationMinutes int     `audit:"duration_minutes"`
	URL             string  `audit:"url"`
	Notes           string  `audit:"notes"`
	Attested        bool    `audit:"attested"`
	Claimed         int     `audit:"claimed"`
	Granted         int     `audit:"granted"`
	CertificationID *int64  `audit:"certification_id"`
	Flagged         bool    `audit:"flagged"`
	AssigneeID      *int64  `audit:"assignee_id"`
	ReasonCode      string  `audit:"reason_code"`
	ReasonText      string  `audit:"reason_text"`
	TargetOn        *string `audit:"target_on"`
	PausedAt        *time.Time
	SubmittedAt     *time.Time
	DecidedAt       *time.Time
	DecidedBy       *int64
	DecidedRole     string `audit:"decided_role"` // reviewer, admin or system
	Decisions       int
	DeniedBy        *int64
	AppealComment   string `audit:"appeal_comment"`
	AppealedAt      *time.Time
	ReversedAt      *time.Time `audit:"reversed_at"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Evidence        []int64 `db:"-" audit:"evidence"`
}

// Decided reports whether the submission has a decision in force.
func (s *CESubmission) Decided() bool {
	return s.State == CEApproved || s.State == CEPartial || s.State == CEDenied
}

// Open reports whether the submission waits for a reviewer.
func (s *CESubmission) Open() bool {
	return s.State == CEPending || s.State == CEInfo || s.State == CEAppealed
}

// CELedgerEntry is one row of the credit ledger.
type CELedgerEntry struct {
	ID                  int64
	UserID              int64
	UserCertificationID int64
	SubmissionID        int64
	TypeID              int64
	Kind                string
	Decision            int
	Credits             int
	CompletedOn         string
	ReversesID          *int64
	ConsumesID          *int64
	RenewalID           *int64
	CreatedAt           time.Time
}

// Outcomes of a renewal flag's resolution (docs/renewal.md, "Reversal").
const (
	// FlagKept keeps the renewal as it is: the credits left were enough
	// or the program accepts it.
	FlagKept = "kept"
	// FlagCreditsRequested keeps the renewal and tells the candidate how
	// many credits are now short.
	FlagCreditsRequested = "credits_requested"
)

// EventRenewalFlagResolved is written when an administrator resolves a
// renewal flag (subject: the certification).
const EventRenewalFlagResolved EventType = "renewal.flag_resolved"

// CERenewalFlag is a renewal whose credits a reversal took back, for an
// administrator to review: open until resolved, never undone by itself.
// Credits are hundredths.
type CERenewalFlag struct {
	ID             int64
	RenewalID      int64
	SubmissionID   int64
	Reason         string
	CreatedAt      time.Time
	ResolvedAt     *time.Time `audit:"resolved_at"`
	Resolution     string     `audit:"resolution"`
	ResolutionNote string     `audit:"resolution_note"`
	ResolvedBy     *int64     `audit:"resolved_by"`
	CreditsShort   int        `audit:"credits_short"`
}

// Open reports whether the flag waits for an administrator.
func (f *CERenewalFlag) Open() bool { return f.ResolvedAt == nil }

// CERenewalFlagDetail is a flag with what its review shows: the holder,
// the certification, the renewal's cycle and periods, and the reversed
// submission with the credits of it the renewal had consumed.
type CERenewalFlagDetail struct {
	CERenewalFlag
	UserID              int64
	FirstName           string
	LastName            string
	Email               string
	UserCertificationID int64
	CertificationID     int64
	CertificationCode   string
	CertificationName   string
	Cycle               int // the cycle renewed
	Cause               string
	OldExpiresOn        string
	NewExpiresOn        string
	CreditsConsumed     int
	SubmissionTitle     string
	CreditsTakenBack    int // credits of the reversed submission the renewal had consumed
}
