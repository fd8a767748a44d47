package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
)

const renewalColumns = `id, user_certification_id, cycle, user_id, cause, submission_id, attempt_id, old_issued_on, old_expires_on,
	old_issued_at, old_expires_at, new_issued_on, new_expires_on, new_expires_at, credits_consumed, credits_carried, created_at`

// LockUserCertification reads an earned certification and locks its row
// (FOR UPDATE on PostgreSQL; SQLite has one writer), or
// portal.ErrNotFound.
func (tx *Tx) LockUserCertification(ctx context.Context, id int64) (*portal.UserCertification, error) {
	var out portal.UserCertification
	if err := tx.get(ctx, &out, `SELECT `+userCertificationColumns+` FROM user_certifications WHERE id = ?`+tx.forUpdate(""), id); err != nil {
		return nil, fmt.Errorf("store: lock user certification %d: %w", id, err)
	}
	return &out, nil
}

// InsertRenewal records a renewed cycle. A second renewal of the same
// certification and cycle is portal.ErrConflict.
func (tx *Tx) InsertRenewal(ctx context.Context, r portal.Renewal) (*portal.Renewal, error) {
	var out portal.Renewal
	err := tx.get(ctx, &out, `INSERT INTO renewals (user_certification_id, cycle, user_id, cause, submission_id, attempt_id,
		old_issued_on, old_expires_on, old_issued_at, old_expires_at, new_issued_on, new_expires_on, new_expires_at,
		credits_consumed, credits_carried, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+renewalColumns,
		r.UserCertificationID, r.Cycle, r.UserID, r.Cause, r.SubmissionID, r.AttemptID, r.OldIssuedOn, r.OldExpiresOn,
		r.OldIssuedAt.UTC(), r.OldExpiresAt.UTC(), r.NewIssuedOn, r.NewExpiresOn, r.NewExpiresAt.UTC(), r.CreditsConsumed,
		r.CreditsCarried, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: insert renewal of certification %d cycle %d: %w", r.UserCertificationID, r.Cycle, err)
	}
	return &out, nil
}

// SetRenewalCredits records what a renewal consumed and carried over.
func (tx *Tx) SetRenewalCredits(ctx context.Context, id int64, consumed, carried int) error {
	if err := affected(tx.exec(ctx, `UPDATE renewals SET credits_consumed = ?, credits_carried = ? WHERE id = ?`, consumed, carried, id)); err != nil {
		return fmt.Errorf("store: renewal %d credits: %w", id, err)
	}
	return nil
}

// ExtendUserCertification moves an earned certification from cycle
// fromCycle to the next one, with its new period, and returns it; a
// certification no longer in fromCycle (renewed meanwhile) is
// portal.ErrNotFound.
func (tx *Tx) ExtendUserCertification(ctx context.Context, id int64, fromCycle int, issuedOn, expiresOn string,
	issuedAt, expiresAt time.Time) (*portal.UserCertification, error) {
	var out portal.UserCertification
	err := tx.get(ctx, &out, `UPDATE user_certifications SET cycle = cycle + 1, issued_on = ?, expires_on = ?, issued_at = ?,
		expires_at = ?, updated_at = ? WHERE id = ? AND cycle = ? AND withdrawn_at IS NULL RETURNING `+userCertificationColumns,
		issuedOn, expiresOn, issuedAt.UTC(), expiresAt.UTC(), tx.now, id, fromCycle)
	if err != nil {
		return nil, fmt.Errorf("store: extend user certification %d: %w", id, err)
	}
	return &out, nil
}

// FindRenewalByCycle returns the renewal of a certification's cycle, or
// portal.ErrNotFound.
func (s *Store) FindRenewalByCycle(ctx context.Context, userCertificationID int64, cycle int) (*portal.Renewal, error) {
	return findRenewal(ctx, s, userCertificationID, cycle)
}

// FindRenewalByCycle is Store.FindRenewalByCycle inside the transaction.
func (tx *Tx) FindRenewalByCycle(ctx context.Context, userCertificationID int64, cycle int) (*portal.Renewal, error) {
	return findRenewal(ctx, tx, userCertificationID, cycle)
}

func findRenewal(ctx context.Context, r reader, userCertificationID int64, cycle int) (*portal.Renewal, error) {
	var out portal.Renewal
	if err := r.get(ctx, &out, `SELECT `+renewalColumns+` FROM renewals WHERE user_certification_id = ? AND cycle = ?`,
		userCertificationID, cycle); err != nil {
		return nil, fmt.Errorf("store: renewal of certification %d cycle %d: %w", userCertificationID, cycle, err)
	}
	return &out, nil
}

// RenewalFilter selects renewals. Zero fields do not filter.
type RenewalFilter struct {
	UserID              int64
	UserCertificationID int64
}

// ListRenewals returns renewals, oldest first.
func (s *Store) ListRenewals(ctx context.Context, f RenewalFilter) ([]*portal.Renewal, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.UserID != 0 {
		where, args = append(where, "user_id = ?"), append(args, f.UserID)
	}
	if f.UserCertificationID != 0 {
		where, args = append(where, "user_certification_id = ?"), append(args, f.UserCertificationID)
	}
	var out []*portal.Renewal
	if err := s.sel(ctx, &out, `SELECT `+renewalColumns+` FROM renewals WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, args...); err != nil {
		return nil, fmt.Errorf("store: list renewals: %w", err)
	}
	return out, nil
}
