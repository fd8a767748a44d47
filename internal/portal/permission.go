package portal

import (
	"sort"
	"time"
)

// Permission is one thing a staff member may do. Routes of the console and
// the API each declare the one they need, and services check it again from
// the acting principal (Actor.Authorize); nobody checks a set's name.
type Permission uint8

// The permissions. Add new ones at the end of the list (their values are
// never stored: only permission sets are) and give each a name below.
const (
	permNone Permission = iota
	// PermConsole opens the console home; every permission set has it.
	PermConsole
	// PermUsersRead reads accounts: the user list and an account's page.
	PermUsersRead
	// PermUsersManage disables, enables and signs out accounts and resets
	// their second factor.
	PermUsersManage
	// PermStaffManage invites staff and grants or removes permission sets.
	PermStaffManage
	// PermSettingsManage changes the program's settings and calendar.
	PermSettingsManage
	// PermAuditRead reads the whole audit log.
	PermAuditRead
	// PermOpsRead reads the outgoing mail, the development mailbox and the
	// job queue, and sends a test message.
	PermOpsRead
	// PermExamsRead lists the exam catalogue with retired exams.
	PermExamsRead
	// PermExamsManage creates, edits, retires and reactivates exams.
	PermExamsManage
	// PermCentersManage creates, edits and imports test centers.
	PermCentersManage
	// PermSessionsManage opens and closes sessions (slots and center days).
	PermSessionsManage
	// PermRostersRead reads bookings and the roster of a session.
	PermRostersRead
	// PermBookingsManage acts on candidates' bookings from the console.
	PermBookingsManage
	// PermVouchersManage creates and lists vouchers.
	PermVouchersManage
	// PermResultsEnter enters a result for a delivered booking.
	PermResultsEnter
	// PermResultsConfirm confirms a result another officer entered.
	PermResultsConfirm
	// PermResultsImport imports results in bulk.
	PermResultsImport
	// PermResultsCorrect corrects a result after its publication.
	PermResultsCorrect
	// PermCredentialsManage suspends, revokes and reissues credentials.
	PermCredentialsManage
	// PermCEReview decides continuing-education submissions.
	PermCEReview
	// PermCasesManage works support cases and candidates' requests.
	PermCasesManage
	// PermCandidateRead reads a candidate's whole record and trail.
	PermCandidateRead

	permEnd
)

var permissionNames = [permEnd]string{
	permNone:              "",
	PermConsole:           "console.open",
	PermUsersRead:         "users.read",
	PermUsersManage:       "users.manage",
	PermStaffManage:       "staff.manage",
	PermSettingsManage:    "settings.manage",
	PermAuditRead:         "audit.read",
	PermOpsRead:           "ops.read",
	PermExamsRead:         "exams.read",
	PermExamsManage:       "exams.manage",
	PermCentersManage:     "centers.manage",
	PermSessionsManage:    "sessions.manage",
	PermRostersRead:       "rosters.read",
	PermBookingsManage:    "bookings.manage",
	PermVouchersManage:    "vouchers.manage",
	PermResultsEnter:      "results.enter",
	PermResultsConfirm:    "results.confirm",
	PermResultsImport:     "results.import",
	PermResultsCorrect:    "results.correct",
	PermCredentialsManage: "credentials.manage",
	PermCEReview:          "ce.review",
	PermCasesManage:       "cases.manage",
	PermCandidateRead:     "candidates.read",
}

// String is the permission's stable name, e.g. "users.manage".
func (p Permission) String() string {
	if p >= permEnd {
		return "unknown"
	}
	return permissionNames[p]
}

// AllPermissions lists every permission, in declaration order.
func AllPermissions() []Permission {
	out := make([]Permission, 0, permEnd-1)
	for p := permNone + 1; p < permEnd; p++ {
		out = append(out, p)
	}
	return out
}

// Permissions is a set of permissions.
type Permissions uint64

// Has reports whether p is in the set.
func (ps Permissions) Has(p Permission) bool { return p != permNone && ps&(1<<p) != 0 }

// With returns the set with p added.
func (ps Permissions) With(p ...Permission) Permissions {
	for _, q := range p {
		ps |= 1 << q
	}
	return ps
}

// PermissionSet is a named bundle of permissions that an admin grants to a
// staff account. A staff account holds one or more; its permissions are
// their union. Set names are stored.
type PermissionSet string

const (
	SetResultsOfficer    PermissionSet = "results_officer"
	SetCredentialOfficer PermissionSet = "credential_officer"
	SetCEReviewer        PermissionSet = "ce_reviewer"
	SetSupport           PermissionSet = "support"
	SetScheduler         PermissionSet = "scheduler"
	SetAdmin             PermissionSet = "admin"
)

// PermissionSets lists every set in the order the console shows them.
func PermissionSets() []PermissionSet {
	return []PermissionSet{SetAdmin, SetScheduler, SetSupport, SetResultsOfficer, SetCredentialOfficer, SetCEReviewer}
}

var setPermissions = map[PermissionSet]Permissions{
	SetResultsOfficer:    Permissions(0).With(PermConsole, PermResultsEnter, PermResultsConfirm, PermResultsImport, PermExamsRead),
	SetCredentialOfficer: Permissions(0).With(PermConsole, PermCredentialsManage, PermUsersRead),
	SetCEReviewer:        Permissions(0).With(PermConsole, PermCEReview),
	SetSupport:           Permissions(0).With(PermConsole, PermCasesManage, PermCandidateRead, PermUsersRead, PermRostersRead),
	SetScheduler: Permissions(0).With(PermConsole, PermCentersManage, PermSessionsManage, PermRostersRead,
		PermBookingsManage, PermVouchersManage, PermExamsRead),
	SetAdmin: allPermissions(),
}

func allPermissions() Permissions {
	var ps Permissions
	for _, p := range AllPermissions() {
		ps = ps.With(p)
	}
	return ps
}

// Valid reports whether s is a known set.
func (s PermissionSet) Valid() bool {
	_, ok := setPermissions[s]
	return ok
}

// Permissions returns what the set grants.
func (s PermissionSet) Permissions() Permissions { return setPermissions[s] }

// Grants returns the union of the sets' permissions. Unknown names grant
// nothing.
func Grants(sets []PermissionSet) Permissions {
	var ps Permissions
	for _, s := range sets {
		ps |= setPermissions[s]
	}
	return ps
}

// SortSets returns sets without duplicates in PermissionSets order.
func SortSets(sets []PermissionSet) []PermissionSet {
	rank := map[PermissionSet]int{}
	for i, s := range PermissionSets() {
		rank[s] = i
	}
	seen := map[PermissionSet]bool{}
	out := make([]PermissionSet, 0, len(sets))
	for _, s := range sets {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return rank[out[i]] < rank[out[j]] })
	return out
}

// ReauthWindow is how recent an actor's last proof of its password (and
// second factor, when it has one) must be for a sensitive change: its own
// second factors and backup codes (MFA-05, MFA-06), another account's
// second factor or permission sets.
const ReauthWindow = 30 * time.Minute

var (
	// ErrReauthRequired refuses a sensitive change from an actor whose
	// last proof is older than ReauthWindow: sign in again first.
	ErrReauthRequired = &Error{Code: EForbidden, Message: "mfa.reauth_required"}
	// ErrSecondFactorRequired refuses staff work to an account without a
	// second factor (MFA-01): enrol one first.
	ErrSecondFactorRequired = &Error{Code: EForbidden, Message: "mfa.staff_required"}
)

// Authorize decides whether the actor may use p: the system always may; a
// visitor is ErrUnauthorized; an account without p is ErrForbidden; staff
// with p but no second factor is ErrSecondFactorRequired. Every service
// and both surfaces decide staff access here and nowhere else.
func (a Actor) Authorize(p Permission) error {
	switch {
	case a.system:
		return nil
	case a.UserID == 0:
		return ErrUnauthorized
	case !a.Permissions.Has(p):
		return ErrForbidden
	case !a.SecondFactor:
		return ErrSecondFactorRequired
	}
	return nil
}

// Can reports whether Authorize(p) would allow the actor.
func (a Actor) Can(p Permission) bool { return a.Authorize(p) == nil }

// IsStaff reports whether the actor is a staff account (whatever its
// permissions) or the system.
func (a Actor) IsStaff() bool { return a.system || a.Role == RoleStaff }

// RecentlyProved reports whether the actor proved its password (and second
// factor, when it has one) within ReauthWindow before now.
func (a Actor) RecentlyProved(now time.Time) bool {
	if a.system {
		return true
	}
	at := a.PasswordAt
	if a.SecondFactor && a.SecondFactorAt.Before(at) {
		at = a.SecondFactorAt
	}
	return !at.IsZero() && !now.Before(at) && now.Sub(at) <= ReauthWindow
}

// RequireRecentProof is ErrReauthRequired unless RecentlyProved(now).
func (a Actor) RequireRecentProof(now time.Time) error {
	if !a.RecentlyProved(now) {
		return ErrReauthRequired
	}
	return nil
}

// Subject is the account whose records the actor works on: the account it
// acts on behalf of, or its own.
func (a Actor) Subject() int64 {
	if a.OnBehalfOf != 0 {
		return a.OnBehalfOf
	}
	return a.UserID
}

// Owns reports whether userID is the actor's subject, so that the actor
// may see and change that account's own records (bookings, results).
func (a Actor) Owns(userID int64) bool { return userID != 0 && a.Subject() == userID }
