package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Session is a signed-in browser as the web layer sees it.
type Session struct {
	ID              int64
	User            *portal.User
	State           string
	AuthenticatedAt time.Time
	ExpiresAt       time.Time
	// SecondFactor is whether the account has a second factor enrolled;
	// read for staff accounts only (false for candidates).
	SecondFactor bool
}

// Active reports whether the session is fully signed in (not waiting for a
// second factor).
func (s *Session) Active() bool { return s.State == store.SessionActive }

// ReauthWindow is how recent the sign-in of a session must be for it to
// make a sensitive change: the account's own second factors and backup
// codes (MFA-05, MFA-06), and an admin's reset of another account's second
// factor.
const ReauthWindow = 30 * time.Minute

// ErrReauthRequired refuses a sensitive change from a session that signed
// in more than ReauthWindow ago: sign in again first.
var ErrReauthRequired = &portal.Error{Code: portal.EForbidden, Message: "mfa.reauth_required"}

// RecentlyAuthenticated reports whether the session is fully signed in and
// its last authentication (password, and second factor if any) is at most
// ReauthWindow before now.
func (s *Session) RecentlyAuthenticated(now time.Time) bool {
	return s != nil && s.Active() && recentAuth(s.AuthenticatedAt, now)
}

func recentAuth(at, now time.Time) bool {
	return !at.IsZero() && now.Sub(at) <= ReauthWindow
}

// Actor returns the session's user as an actor, with the permission sets
// of its role (roleSets) and whether it has a second factor.
func (s *Session) Actor(ip, requestID string) portal.Actor {
	sets := roleSets(s.User.Role)
	return portal.Actor{UserID: s.User.ID, Role: s.User.Role, Sets: sets, Permissions: portal.Grants(sets),
		SecondFactor: s.SecondFactor, IP: ip, RequestID: requestID}
}

// roleSets are the permission sets a staff role stands for while
// accounts do not hold sets of their own: an admin holds every
// permission, other staff the scheduler's; candidates none.
func roleSets(r portal.Role) []portal.PermissionSet {
	switch r {
	case portal.RoleAdmin:
		return []portal.PermissionSet{portal.SetAdmin}
	case portal.RoleStaff:
		return []portal.PermissionSet{portal.SetScheduler}
	}
	return nil
}

// touchEvery limits last-seen writes to one per session per minute.
const touchEvery = time.Minute

// Session returns the live session for a cookie value, or
// portal.ErrUnauthorized when it is unknown, idle too long, past its
// lifetime, or its account is disabled.
func (s *Service) Session(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, portal.ErrUnauthorized
	}
	su, err := s.st.FindSession(ctx, hashToken(token), s.cfg.SessionIdle)
	if errors.Is(err, portal.ErrNotFound) {
		return nil, portal.ErrUnauthorized
	}
	if err != nil {
		return nil, err
	}
	if s.clock.Now().Sub(su.Session.LastSeenAt) >= touchEvery {
		if err := s.st.Transact(ctx, func(tx *store.Tx) error { return tx.TouchSession(ctx, su.Session.ID) }); err != nil {
			return nil, err
		}
	}
	out := &Session{ID: su.Session.ID, User: su.User, State: su.Session.State, AuthenticatedAt: su.Session.AuthenticatedAt, ExpiresAt: su.Session.ExpiresAt}
	if su.User.Role.IsStaff() {
		m, err := s.st.FindUserMFA(ctx, su.User.ID)
		switch {
		case err == nil:
			out.SecondFactor = m.TOTPEnabledAt != nil || m.SMSEnabledAt != nil
		case !errors.Is(err, portal.ErrNotFound):
			return nil, err
		}
	}
	return out, nil
}

// startSession creates a session in tx and returns its cookie value.
func (s *Service) startSession(ctx context.Context, tx *store.Tx, userID int64, state string, meta RequestMeta) (string, error) {
	token, hash := newToken()
	_, err := tx.CreateSession(ctx, store.SessionCreate{
		TokenHash: hash, UserID: userID, State: state, IP: meta.IP, UserAgent: truncate(meta.UserAgent, 256), Lifetime: s.cfg.SessionLifetime,
	})
	if err != nil {
		return "", fmt.Errorf("accounts: start session: %w", err)
	}
	return token, nil
}

// SignOut ends the session with this cookie value. Signing out an unknown
// session is not an error.
func (s *Service) SignOut(ctx context.Context, actor portal.Actor, sessionID int64) error {
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(ctx, sessionID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "auth.signed_out", userSubject(actor.UserID), "")
	})
}

// PurgeSessions deletes expired sessions; a periodic job calls it.
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	var n int64
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.DeleteExpiredSessions(ctx, s.cfg.SessionIdle)
		return err
	})
	return n, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
