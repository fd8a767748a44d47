package portal

import "time"

// Role is the kind of account: a candidate, or staff of the program. What
// a staff account may do comes from its permission sets (permission.go).
type Role string

const (
	RoleCandidate Role = "candidate"
	RoleStaff     Role = "staff"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return r == RoleCandidate || r == RoleStaff }

// IsStaff reports whether r is a staff account.
func (r Role) IsStaff() bool { return r == RoleStaff }

// User is an account. PasswordHash is empty until the owner sets a password
// (an admin created by the command line has none until setup).
type User struct {
	ID              int64
	LoginID         string `audit:"login_id"`   // permanent public login ID, e.g. CP12345678
	Email           string `audit:"email"`      // normalised: trimmed, lower-case
	FirstName       string `audit:"first_name"` // as on the government ID
	LastName        string `audit:"last_name"`
	Role            Role
	Language        string     `audit:"language"` // BCP 47 tag of the preferred language
	PasswordHash    string     `audit:"password,secret"`
	EmailVerifiedAt *time.Time `audit:"email_verified_at"`
	DisabledAt      *time.Time `audit:"disabled_at"`
	CreatedAt       time.Time
	UpdatedAt       time.Time

	// Profile.
	Country        string `audit:"country"` // ISO 3166-1 alpha-2
	Region         string `audit:"region"`  // ISO 3166-2 subdivision code, when the country has them
	Phone          string `audit:"phone"`   // contact phone, E.164
	AddressLine1   string `audit:"address_line1"`
	AddressLine2   string `audit:"address_line2"`
	City           string `audit:"city"`
	PostalCode     string `audit:"postal_code"`
	Company        string `audit:"company"`
	CompanyAddress string `audit:"company_address"`
	JobRole        string `audit:"job_role"`
	Industry       string `audit:"industry"`
	NewsOptIn      bool   `audit:"news_opt_in"`   // program news; transactional mail always goes
	TimeZone       string `audit:"time_zone"`     // IANA zone online exam times are shown in; empty: ask
	DistanceUnit   string `audit:"distance_unit"` // "mi" or "km" for test-center search

	// LegalNameLockedAt is set when the first exam is on record; from then
	// on the legal name changes only through a support request.
	LegalNameLockedAt *time.Time `audit:"legal_name_locked_at"`
	PasswordChangedAt *time.Time `audit:"password_changed_at"`
}

// FullName is the legal name for display.
func (u *User) FullName() string { return u.FirstName + " " + u.LastName }

// Actor is who performs an operation: a signed-in user, an anonymous
// visitor (UserID 0), or the system (a job or a command-line action, made
// only by SystemActor). Services receive it explicitly and decide
// authorization from it; the store never does.
type Actor struct {
	UserID int64
	Role   Role
	// Permissions is the union of a staff account's permission sets;
	// empty for candidates and visitors.
	Permissions Permissions
	// PasswordAt and SecondFactorAt are when the session last proved the
	// password and the second factor; SecondFactor is whether the account
	// has one enrolled.
	PasswordAt     time.Time
	SecondFactorAt time.Time
	SecondFactor   bool
	// OnBehalfOf is the account the actor acts for (a guardian for a
	// minor), or 0 when it acts for itself.
	OnBehalfOf int64
	IP         string
	RequestID  string
	system     bool
}

// SystemActor is the actor for background jobs and command-line actions.
// Only code that runs without a request calls it: an anonymous visitor is
// never the system.
func SystemActor(requestID string) Actor {
	return Actor{RequestID: requestID, system: true}
}

// IsSystem reports whether the actor is the system rather than a user or
// an anonymous visitor.
func (a Actor) IsSystem() bool { return a.system }
