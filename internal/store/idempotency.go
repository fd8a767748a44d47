package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
)

// IdempotencyRecord is a stored request: while Status is 0 the first
// request is still in flight.
type IdempotencyRecord struct {
	UserID      int64
	Key         string
	RequestHash string
	Status      int
	Response    string
	CreatedAt   time.Time
}

// ClaimIdempotencyKey records the key for the user unless it exists. It
// reports claimed true when this request now owns the key; otherwise it
// returns the existing record. A claim older than staleAfter that never
// got a response (its request died) is taken over.
func (tx *Tx) ClaimIdempotencyKey(ctx context.Context, userID int64, key, hash string, staleAfter time.Duration) (prior *IdempotencyRecord, claimed bool, err error) {
	r, err := tx.exec(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, userID, key, hash, tx.now)
	if err != nil {
		return nil, false, fmt.Errorf("store: claim idempotency key: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 1 {
		return nil, true, nil
	}
	var rec IdempotencyRecord
	if err := tx.get(ctx, &rec, `SELECT user_id, key, request_hash, status, response, created_at FROM idempotency_keys
		WHERE user_id = ? AND key = ?`, userID, key); err != nil {
		return nil, false, fmt.Errorf("store: read idempotency key: %w", err)
	}
	if rec.Status == 0 && rec.RequestHash == hash && rec.CreatedAt.Before(tx.now.Add(-staleAfter)) {
		r, err := tx.exec(ctx, `UPDATE idempotency_keys SET created_at = ? WHERE user_id = ? AND key = ? AND status = 0 AND created_at = ?`,
			tx.now, userID, key, rec.CreatedAt)
		switch err := affected(r, err); {
		case err == nil:
			return nil, true, nil
		case !errors.Is(err, portal.ErrNotFound):
			return nil, false, err
		}
	}
	return &rec, false, nil
}

// SaveIdempotentResponse stores the response of a claimed key.
func (tx *Tx) SaveIdempotentResponse(ctx context.Context, userID int64, key string, status int, response string) error {
	r, err := tx.exec(ctx, `UPDATE idempotency_keys SET status = ?, response = ? WHERE user_id = ? AND key = ?`,
		status, response, userID, key)
	if err := affected(r, err); err != nil {
		return fmt.Errorf("store: save idempotent response: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a claim whose request failed in a way
// worth retrying.
func (tx *Tx) ReleaseIdempotencyKey(ctx context.Context, userID int64, key string) error {
	_, err := tx.exec(ctx, `DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND status = 0`, userID, key)
	return err
}

// DeleteIdempotencyKeysBefore removes keys created before cutoff.
func (tx *Tx) DeleteIdempotencyKeysBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	r, err := tx.exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, cutoff)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}
