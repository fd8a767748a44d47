package store

import (
	"context"
	"fmt"
	"time"
)

// Token purposes.
const (
	TokenAdminSetup    = "admin_setup"
	TokenEmailVerify   = "email_verify"
	TokenPasswordReset = "password_reset"
	TokenEmailChange   = "email_change"
)

// UserToken is a one-time token sent by mail. Only its hash is stored.
type UserToken struct {
	ID        int64
	UserID    int64
	Purpose   string
	TokenHash []byte
	SentTo    string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

const tokenColumns = `id, user_id, purpose, token_hash, sent_to, expires_at, used_at, created_at`

// CreateToken stores a new token for a user. When replace is true every
// earlier unused token of the same purpose for the user is invalidated, so
// only the newest link works.
func (tx *Tx) CreateToken(ctx context.Context, userID int64, purpose string, hash []byte, sentTo string, ttl time.Duration, replace bool) (*UserToken, error) {
	if replace {
		if _, err := tx.exec(ctx, `UPDATE user_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`,
			tx.now, userID, purpose); err != nil {
			return nil, fmt.Errorf("store: invalidate tokens: %w", err)
		}
	}
	var t UserToken
	err := tx.get(ctx, &t, `INSERT INTO user_tokens (user_id, purpose, token_hash, sent_to, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING `+tokenColumns, userID, purpose, hash, sentTo, tx.now.Add(ttl), tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: create token: %w", err)
	}
	return &t, nil
}

// FindTokenByHash returns the token with this hash and purpose, used or not.
func (s *Store) FindTokenByHash(ctx context.Context, purpose string, hash []byte) (*UserToken, error) {
	var t UserToken
	if err := s.get(ctx, &t, `SELECT `+tokenColumns+` FROM user_tokens WHERE token_hash = ? AND purpose = ?`, hash, purpose); err != nil {
		return nil, fmt.Errorf("store: find token: %w", err)
	}
	return &t, nil
}

// UseToken marks an unused, unexpired token as used and returns it. It
// returns portal.ErrNotFound when the token does not exist, was used
// already or has expired: the compare-and-set makes concurrent use succeed
// exactly once.
func (tx *Tx) UseToken(ctx context.Context, purpose string, hash []byte) (*UserToken, error) {
	var t UserToken
	err := tx.get(ctx, &t, `UPDATE user_tokens SET used_at = ?
		WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?
		RETURNING `+tokenColumns, tx.now, hash, purpose, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: use token: %w", err)
	}
	return &t, nil
}

// InvalidateTokens ends every unused token of the given purposes for a
// user, e.g. all reset links once the password changed.
func (tx *Tx) InvalidateTokens(ctx context.Context, userID int64, purposes ...string) error {
	for _, p := range purposes {
		if _, err := tx.exec(ctx, `UPDATE user_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`,
			tx.now, userID, p); err != nil {
			return fmt.Errorf("store: invalidate %s tokens: %w", p, err)
		}
	}
	return nil
}
