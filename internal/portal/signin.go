package portal

import "time"

// The stored state of signing in: sessions, second factors and lockouts.
// The accounts service decides with them; the store reads and writes them.

// Session states.
const (
	SessionActive     = "active"
	SessionMFAPending = "mfa_pending"
)

// SessionRecord is a signed-in browser as stored. Only a hash of the
// cookie value is stored.
type SessionRecord struct {
	ID              int64
	TokenHash       []byte
	UserID          int64
	State           string
	IP              string
	UserAgent       string
	CreatedAt       time.Time
	AuthenticatedAt time.Time
	LastSeenAt      time.Time
	ExpiresAt       time.Time // absolute end of life
}

// MFAState is the second-factor state of one account. TOTPSecret and
// TOTPPending are sealed (accounts seals them); Phone is E.164.
type MFAState struct {
	UserID               int64
	TOTPSecret           []byte
	TOTPEnabledAt        *time.Time
	TOTPPending          []byte
	TOTPPendingExpiresAt *time.Time
	TOTPLastStep         int64
	Phone                string
	PhoneVerifiedAt      *time.Time
	SMSEnabledAt         *time.Time
	FailedAttempts       int
	LockedUntil          *time.Time
	UpdatedAt            time.Time
}

// BackupCode is one stored backup code: a salt and the HMAC of the code.
type BackupCode struct {
	ID        int64
	UserID    int64
	Salt      []byte
	CodeHash  []byte
	UsedAt    *time.Time
	CreatedAt time.Time
}

// SMSCode is a code sent by SMS. Only its HMAC is stored.
type SMSCode struct {
	ID        int64
	UserID    int64
	Purpose   string
	SessionID *int64
	Phone     string
	CodeHash  []byte
	ExpiresAt time.Time
	UsedAt    *time.Time
	Attempts  int
	CreatedAt time.Time
}

// Lockout is the sign-in failure state of one normalised identifier.
type Lockout struct {
	Identifier   string
	Failures     int
	LockedUntil  *time.Time
	LastLockedAt *time.Time
	UpdatedAt    time.Time
}

// Locked reports whether the identifier is locked at now.
func (l *Lockout) Locked(now time.Time) bool {
	return l.LockedUntil != nil && now.Before(*l.LockedUntil)
}
