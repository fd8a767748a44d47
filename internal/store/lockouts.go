package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
)

const lockoutColumns = `identifier, failures, locked_until, last_locked_at, updated_at`

// FindLockoutByIdentifier returns the state of identifier; one that never
// failed has a zero state, not an error.
func (s *Store) FindLockoutByIdentifier(ctx context.Context, identifier string) (*portal.Lockout, error) {
	var l portal.Lockout
	err := s.get(ctx, &l, `SELECT `+lockoutColumns+` FROM signin_lockouts WHERE identifier = ?`, identifier)
	if errors.Is(err, portal.ErrNotFound) {
		return &portal.Lockout{Identifier: identifier}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: find lockout: %w", err)
	}
	return &l, nil
}

// RecordSigninFailure adds one consecutive failure and returns the new
// state. The increment is one statement, so concurrent failures all count.
func (tx *Tx) RecordSigninFailure(ctx context.Context, identifier string) (*portal.Lockout, error) {
	var l portal.Lockout
	err := tx.get(ctx, &l, `INSERT INTO signin_lockouts (identifier, failures, updated_at) VALUES (?, 1, ?)
		ON CONFLICT (identifier) DO UPDATE SET failures = signin_lockouts.failures + 1, updated_at = excluded.updated_at
		RETURNING `+lockoutColumns, identifier, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: record sign-in failure: %w", err)
	}
	return &l, nil
}

// LockIdentifier locks identifier until until when it has at least
// threshold failures and is not locked already, and starts a new count. It
// reports whether this call set the lock: of concurrent callers exactly one
// does, so the owner is told once.
func (tx *Tx) LockIdentifier(ctx context.Context, identifier string, threshold int, until time.Time) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE signin_lockouts SET locked_until = ?, last_locked_at = ?, failures = 0, updated_at = ?
		WHERE identifier = ? AND failures >= ? AND (locked_until IS NULL OR locked_until <= ?)`,
		until, tx.now, tx.now, identifier, threshold, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: lock: %w", err)
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

// ClearLockout forgets the failures and any lock of identifier.
func (tx *Tx) ClearLockout(ctx context.Context, identifier string) error {
	_, err := tx.exec(ctx, `DELETE FROM signin_lockouts WHERE identifier = ?`, identifier)
	return err
}

// ResetSigninFailures ends a run of failures after a success, keeping the
// time of the last lock (it decides how long the next one lasts).
func (tx *Tx) ResetSigninFailures(ctx context.Context, identifier string) error {
	_, err := tx.exec(ctx, `UPDATE signin_lockouts SET failures = 0, updated_at = ? WHERE identifier = ? AND failures > 0`, tx.now, identifier)
	return err
}
