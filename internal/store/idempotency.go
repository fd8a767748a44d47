package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
)

// IdempotencyRecord is a stored request: while Status is 0 the first
// request is still in flight. Scope names the principal that sent it
// ("user:42").
type IdempotencyRecord struct {
	Scope       string
	Key         string
	RequestHash string
	Status      int
	Response    string
	CreatedAt   time.Time
}

// ClaimIdempotencyKey records the key for the scope unless it exists. It
// reports claimed true when this request now owns the key; otherwise it
// returns the existing record. A claim older than staleAfter that never
// got a response (its request died) is taken over.
func (tx *Tx) ClaimIdempotencyKey(ctx context.Context, scope, key, hash string, staleAfter time.Duration) (prior *IdempotencyRecord, claimed bool, err error) {
	r, err := tx.exec(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, scope, key, hash, tx.now)
	if err != nil {
		return nil, false, fmt.Errorf("store: claim idempotency key: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 1 {
		return nil, true, nil
	}
	var rec IdempotencyRecord
	if err := tx.get(ctx, &rec, `SELECT scope, key, request_hash, status, response, created_at FROM idempotency_keys
		WHERE scope = ? AND key = ?`, scope, key); err != nil {
		return nil, false, fmt.Errorf("store: read idempotency key: %w", err)
	}
	if rec.Status == 0 && rec.RequestHash == hash && rec.CreatedAt.Before(tx.now.Add(-staleAfter)) {
		r, err := tx.exec(ctx, `UPDATE idempotency_keys SET created_at = ? WHERE scope = ? AND key = ? AND status = 0 AND created_at = ?`,
			tx.now, scope, key, rec.CreatedAt)
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
func (tx *Tx) SaveIdempotentResponse(ctx context.Context, scope, key string, status int, response string) error {
	r, err := tx.exec(ctx, `UPDATE idempotency_keys SET status = ?, response = ? WHERE scope = ? AND key = ?`,
		status, response, scope, key)
	if err := affected(r, err); err != nil {
		return fmt.Errorf("store: save idempotent response: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a claim whose request failed in a way
// worth retrying.
func (tx *Tx) ReleaseIdempotencyKey(ctx context.Context, scope, key string) error {
	_, err := tx.exec(ctx, `DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND status = 0`, scope, key)
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
