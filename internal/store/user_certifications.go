package store

import (
	"context"
	"fmt"
	"strings"

	"example.org/certportal/internal/portal"
)

const userCertificationColumns = `id, user_id, certification_id, attempt_id, cycle, kind, validity_months, issued_on, expires_on,
	issued_at, expires_at, suspended_at, revoked_at, status_reason, withdrawn_at, superseded_by, created_at, updated_at`

const userCertificationDetailSelect = `SELECT ` + "%s" + `, c.code, c.name, c.level, a.exam_code
	FROM user_certifications uc JOIN certifications c ON c.id = uc.certification_id
	JOIN exam_attempts a ON a.id = uc.attempt_id`

// InsertUserCertification records a certification a candidate earned and
// returns it as stored. A second one for the same attempt is
// portal.ErrConflict.
func (tx *Tx) InsertUserCertification(ctx context.Context, c portal.UserCertification) (*portal.UserCertification, error) {
	var out portal.UserCertification
	err := tx.get(ctx, &out, `INSERT INTO user_certifications (user_id, certification_id, attempt_id, cycle, kind, validity_months,
		issued_on, expires_on, issued_at, expires_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+userCertificationColumns,
		c.UserID, c.CertificationID, c.AttemptID, c.Cycle, c.Kind, c.ValidityMonths, c.IssuedOn, c.ExpiresOn,
		c.IssuedAt.UTC(), c.ExpiresAt.UTC(), tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: insert user certification: %w", err)
	}
	return &out, nil
}

// FindUserCertificationByAttempt returns the certification the attempt's
// pass earned, or portal.ErrNotFound.
func (tx *Tx) FindUserCertificationByAttempt(ctx context.Context, attemptID int64) (*portal.UserCertification, error) {
	var out portal.UserCertification
	if err := tx.get(ctx, &out, `SELECT `+userCertificationColumns+` FROM user_certifications WHERE attempt_id = ?`, attemptID); err != nil {
		return nil, fmt.Errorf("store: find user certification by attempt %d: %w", attemptID, err)
	}
	return &out, nil
}

// UserCertificationFilter selects earned certifications. Zero fields do
// not filter.
type UserCertificationFilter struct {
	UserID          int64
	CertificationID int64
}

// ListUserCertifications returns earned certifications with their
// catalogue names, latest expiry first.
func (s *Store) ListUserCertifications(ctx context.Context, f UserCertificationFilter) ([]*portal.UserCertificationDetail, error) {
	return listUserCertifications(ctx, s, f)
}

// ListUserCertifications is Store.ListUserCertifications inside the
// transaction.
func (tx *Tx) ListUserCertifications(ctx context.Context, f UserCertificationFilter) ([]*portal.UserCertificationDetail, error) {
	return listUserCertifications(ctx, tx, f)
}

func listUserCertifications(ctx context.Context, r reader, f UserCertificationFilter) ([]*portal.UserCertificationDetail, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.UserID != 0 {
		where, args = append(where, "uc.user_id = ?"), append(args, f.UserID)
	}
	if f.CertificationID != 0 {
		where, args = append(where, "uc.certification_id = ?"), append(args, f.CertificationID)
	}
	var out []*portal.UserCertificationDetail
	q := fmt.Sprintf(userCertificationDetailSelect, qualify("uc", userCertificationColumns)) +
		` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY uc.expires_at DESC, uc.id DESC`
	if err := r.sel(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("store: list user certifications: %w", err)
	}
	return out, nil
}

// WithdrawUserCertification marks an earned certification withdrawn (a
// correction undid the pass that earned it) and returns it, or
// portal.ErrNotFound when it is unknown or already withdrawn.
func (tx *Tx) WithdrawUserCertification(ctx context.Context, id int64, reason string) (*portal.UserCertification, error) {
	var out portal.UserCertification
	err := tx.get(ctx, &out, `UPDATE user_certifications SET withdrawn_at = ?, status_reason = ?, updated_at = ?
		WHERE id = ? AND withdrawn_at IS NULL RETURNING `+userCertificationColumns, tx.now, reason, tx.now, id)
	if err != nil {
		return nil, fmt.Errorf("store: withdraw user certification %d: %w", id, err)
	}
	return &out, nil
}

// InsertCertificationVoucher links the pass voucher of an earned
// certification's cycle. A second voucher for the same certification and
// cycle is portal.ErrConflict.
func (tx *Tx) InsertCertificationVoucher(ctx context.Context, userCertificationID int64, cycle int, voucherID int64) error {
	_, err := tx.exec(ctx, `INSERT INTO certification_vouchers (user_certification_id, cycle, voucher_id, created_at)
		VALUES (?, ?, ?, ?)`, userCertificationID, cycle, voucherID, tx.now)
	if err != nil {
		return fmt.Errorf("store: insert certification voucher: %w", err)
	}
	return nil
}

// FindVoucherByUserCertification returns the pass voucher of an earned
// certification (its latest cycle), or portal.ErrNotFound.
func (s *Store) FindVoucherByUserCertification(ctx context.Context, userCertificationID int64) (*portal.Voucher, error) {
	return findVoucherByUserCertification(ctx, s, userCertificationID)
}

// FindVoucherByUserCertification is Store.FindVoucherByUserCertification
// inside the transaction.
func (tx *Tx) FindVoucherByUserCertification(ctx context.Context, userCertificationID int64) (*portal.Voucher, error) {
	return findVoucherByUserCertification(ctx, tx, userCertificationID)
}

func findVoucherByUserCertification(ctx context.Context, r reader, userCertificationID int64) (*portal.Voucher, error) {
	var out portal.Voucher
	err := r.get(ctx, &out, `SELECT `+qualify("v", voucherColumns)+` FROM vouchers v
		JOIN certification_vouchers cv ON cv.voucher_id = v.id WHERE cv.user_certification_id = ?
		ORDER BY cv.cycle DESC LIMIT 1`, userCertificationID)
	if err != nil {
		return nil, fmt.Errorf("store: find voucher by user certification %d: %w", userCertificationID, err)
	}
	return &out, nil
}

// VoidUnusedVoucher disables a voucher that was never used and reports
// whether it did; a used or already disabled voucher is left alone.
func (tx *Tx) VoidUnusedVoucher(ctx context.Context, id int64) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE vouchers SET disabled_at = ? WHERE id = ? AND uses = 0 AND disabled_at IS NULL`, tx.now, id)
	if err != nil {
		return false, fmt.Errorf("store: void voucher %d: %w", id, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: void voucher %d: %w", id, err)
	}
	return n > 0, nil
}

// ReinstateUserCertification clears the withdrawal of an earned
// certification (a later correction restored the pass) and returns it, or
// portal.ErrNotFound when it is not withdrawn.
func (tx *Tx) ReinstateUserCertification(ctx context.Context, id int64) (*portal.UserCertification, error) {
	var out portal.UserCertification
	err := tx.get(ctx, &out, `UPDATE user_certifications SET withdrawn_at = NULL, status_reason = '', updated_at = ?
		WHERE id = ? AND withdrawn_at IS NOT NULL RETURNING `+userCertificationColumns, tx.now, id)
	if err != nil {
		return nil, fmt.Errorf("store: reinstate user certification %d: %w", id, err)
	}
	return &out, nil
}

// EnableVoucher clears a voucher's disabled_at and returns it, or
// portal.ErrNotFound.
func (tx *Tx) EnableVoucher(ctx context.Context, id int64) (*portal.Voucher, error) {
	var out portal.Voucher
	if err := tx.get(ctx, &out, `UPDATE vouchers SET disabled_at = NULL WHERE id = ? RETURNING `+voucherColumns, id); err != nil {
		return nil, fmt.Errorf("store: enable voucher %d: %w", id, err)
	}
	return &out, nil
}
