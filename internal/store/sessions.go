package store

import (
	"context"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
)

const sessionColumns = `id, token_hash, user_id, state, ip, user_agent, created_at, authenticated_at, last_seen_at, expires_at`

// SessionCreate is a new session.
type SessionCreate struct {
	TokenHash []byte
	UserID    int64
	State     string
	IP        string
	UserAgent string
	Lifetime  time.Duration
}

// CreateSession stores a new session.
func (tx *Tx) CreateSession(ctx context.Context, c SessionCreate) (*portal.SessionRecord, error) {
	var s portal.SessionRecord
	err := tx.get(ctx, &s, `INSERT INTO sessions (token_hash, user_id, state, ip, user_agent, created_at, authenticated_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+sessionColumns,
		c.TokenHash, c.UserID, c.State, c.IP, c.UserAgent, tx.now, tx.now, tx.now, tx.now.Add(c.Lifetime))
	if err != nil {
		return nil, fmt.Errorf("store: create session: %w", err)
	}
	return &s, nil
}

// SessionUser is a live session with its user, as middleware needs them.
type SessionUser struct {
	Session *portal.SessionRecord
	User    *portal.User
	// SecondFactor is whether the user has a second factor enabled; Sets
	// are a staff account's permission sets.
	SecondFactor bool
	Sets         []portal.PermissionSet
}

// FindSessionByHash returns the session with this token hash that is neither
// idle longer than idle nor past its absolute expiry at now, with its
// user. A disabled user's sessions are not found.
func (s *Store) FindSessionByHash(ctx context.Context, hash []byte, idle time.Duration) (*SessionUser, error) {
	now := s.clock.Now().UTC()
	var sess portal.SessionRecord
	err := s.get(ctx, &sess, `SELECT `+sessionColumns+` FROM sessions
		WHERE token_hash = ? AND expires_at > ? AND last_seen_at > ?`, hash, now, now.Add(-idle))
	if err != nil {
		return nil, fmt.Errorf("store: find session: %w", err)
	}
	u, err := s.GetUser(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	if u.DisabledAt != nil {
		return nil, fmt.Errorf("store: find session: user disabled: %w", portal.ErrNotFound)
	}
	su := &SessionUser{Session: &sess, User: u}
	if err := s.get(ctx, &su.SecondFactor, `SELECT COUNT(*) > 0 FROM user_mfa
		WHERE user_id = ? AND (totp_enabled_at IS NOT NULL OR sms_enabled_at IS NOT NULL)`, u.ID); err != nil {
		return nil, fmt.Errorf("store: find session: second factor: %w", err)
	}
	if u.Role.IsStaff() {
		if su.Sets, err = s.ListStaffSets(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return su, nil
}

// TouchSession records activity on a session.
func (tx *Tx) TouchSession(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, tx.now, id)
	return err
}

// DeleteSession signs one session out.
func (tx *Tx) DeleteSession(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	return err
}

// DeleteUserSessions signs out every session of a user except keepID (0
// for none) and returns how many ended.
func (tx *Tx) DeleteUserSessions(ctx context.Context, userID, keepID int64) (int64, error) {
	r, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keepID)
	if err != nil {
		return 0, fmt.Errorf("store: delete sessions: %w", err)
	}
	return r.RowsAffected()
}

// DeleteExpiredSessions removes sessions past their lifetime or idle limit.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context, idle time.Duration) (int64, error) {
	r, err := tx.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`, tx.now, tx.now.Add(-idle))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return r.RowsAffected()
}

// ListUserSessions returns a user's live sessions, newest activity first.
func (s *Store) ListUserSessions(ctx context.Context, userID int64, idle time.Duration) ([]*portal.SessionRecord, error) {
	now := s.clock.Now().UTC()
	var out []*portal.SessionRecord
	err := s.sel(ctx, &out, `SELECT `+sessionColumns+` FROM sessions
		WHERE user_id = ? AND expires_at > ? AND last_seen_at > ? ORDER BY last_seen_at DESC, id DESC`, userID, now, now.Add(-idle))
	if err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	return out, nil
}

// DeleteUserSession ends one session of a user; another user's session is
// portal.ErrNotFound.
func (tx *Tx) DeleteUserSession(ctx context.Context, userID, id int64) error {
	return affected(tx.exec(ctx, `DELETE FROM sessions WHERE id = ? AND user_id = ?`, id, userID))
}

// ActivateSession turns a session waiting for its second factor into a
// full one, under a new token, and records the authentication time. It
// fails with portal.ErrNotFound when the session is not pending.
func (tx *Tx) ActivateSession(ctx context.Context, id int64, newHash []byte) error {
	return affected(tx.exec(ctx, `UPDATE sessions SET state = ?, token_hash = ?, authenticated_at = ?, last_seen_at = ?
		WHERE id = ? AND state = ?`, portal.SessionActive, newHash, tx.now, tx.now, id, portal.SessionMFAPending))
}

// Reauthenticate records a fresh authentication on a session and gives it
// a new token.
func (tx *Tx) Reauthenticate(ctx context.Context, id int64, newHash []byte) error {
	return affected(tx.exec(ctx, `UPDATE sessions SET token_hash = ?, authenticated_at = ?, last_seen_at = ? WHERE id = ?`,
		newHash, tx.now, tx.now, id))
}

// LockUserSession returns the fully signed-in session id of userID if it
// is neither idle longer than idle nor past its lifetime, holding its row
// until the transaction ends (so it cannot be signed out or
// re-authenticated meanwhile), or portal.ErrNotFound.
func (tx *Tx) LockUserSession(ctx context.Context, userID, id int64, idle time.Duration) (*portal.SessionRecord, error) {
	var sess portal.SessionRecord
	err := tx.get(ctx, &sess, `SELECT `+sessionColumns+` FROM sessions
		WHERE id = ? AND user_id = ? AND state = ? AND expires_at > ? AND last_seen_at > ?`+tx.forUpdate(""),
		id, userID, portal.SessionActive, tx.now, tx.now.Add(-idle))
	if err != nil {
		return nil, fmt.Errorf("store: lock session %d: %w", id, err)
	}
	return &sess, nil
}
