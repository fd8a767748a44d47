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
	// SecondFactor is whether the account has a second factor enabled;
	// Sets are a staff account's permission sets.
	SecondFactor bool
	Sets         []portal.PermissionSet
}

// Active reports whether the session is fully signed in (not waiting for a
// second factor).
func (s *Session) Active() bool { return s.State == portal.SessionActive }

// ReauthWindow is how recent a session's last proof must be for a
// sensitive change (portal.ReauthWindow).
const ReauthWindow = portal.ReauthWindow

// ErrReauthRequired refuses a sensitive change from a session that proved
// its password and second factor more than ReauthWindow ago.
var ErrReauthRequired = portal.ErrReauthRequired

// Actor returns the session's user as the acting principal: its
// permissions and when it last proved its password and second factor. A
// session still waiting for its second factor proves nothing yet.
func (s *Session) Actor(ip, requestID string) portal.Actor {
	a := portal.Actor{UserID: s.User.ID, Role: s.User.Role, IP: ip, RequestID: requestID, SecondFactor: s.SecondFactor}
	if s.User.Role.IsStaff() {
		a.Permissions = portal.Grants(s.Sets)
	}
	if s.Active() {
		a.PasswordAt = s.AuthenticatedAt
		if s.SecondFactor {
			a.SecondFactorAt = s.AuthenticatedAt
		}
	}
	return a
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
	su, err := s.st.FindSessionByHash(ctx, hashToken(token), s.cfg.SessionIdle)
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
	return &Session{ID: su.Session.ID, User: su.User, State: su.Session.State, AuthenticatedAt: su.Session.AuthenticatedAt,
		ExpiresAt: su.Session.ExpiresAt, SecondFactor: su.SecondFactor, Sets: su.Sets}, nil
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
