package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
)

const voucherColumns = `id, code, percent, exam_codes, max_uses, uses, expires_at, owner_user_id, note, disabled_at,
	created_by, created_at`

// CreateVoucher inserts a voucher. A duplicate code is portal.ErrConflict.
func (tx *Tx) CreateVoucher(ctx context.Context, v portal.Voucher) (*portal.Voucher, error) {
	var out portal.Voucher
	err := tx.get(ctx, &out, `INSERT INTO vouchers (code, percent, exam_codes, max_uses, uses, expires_at, owner_user_id,
		note, created_by, created_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?) RETURNING `+voucherColumns,
		v.Code, v.Percent, v.ExamCodes, v.MaxUses, v.ExpiresAt.UTC(), v.OwnerUserID, v.Note, v.CreatedBy, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: create voucher: %w", err)
	}
	return &out, nil
}

// FindVoucherByCode returns the voucher with code inside the transaction.
func (tx *Tx) FindVoucherByCode(ctx context.Context, code string) (*portal.Voucher, error) {
	var out portal.Voucher
	if err := tx.get(ctx, &out, `SELECT `+voucherColumns+` FROM vouchers WHERE code = ?`, code); err != nil {
		return nil, fmt.Errorf("store: find voucher: %w", err)
	}
	return &out, nil
}

// GetVoucher returns one voucher by id.
func (s *Store) GetVoucher(ctx context.Context, id int64) (*portal.Voucher, error) {
	var out portal.Voucher
	if err := s.get(ctx, &out, `SELECT `+voucherColumns+` FROM vouchers WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: find voucher %d: %w", id, err)
	}
	return &out, nil
}

// ListVouchers returns the newest vouchers first.
func (s *Store) ListVouchers(ctx context.Context, limit int) ([]*portal.Voucher, error) {
	var out []*portal.Voucher
	if err := s.sel(ctx, &out, `SELECT `+voucherColumns+` FROM vouchers ORDER BY id DESC LIMIT ?`, limit); err != nil {
		return nil, fmt.Errorf("store: list vouchers: %w", err)
	}
	return out, nil
}

// ListUsableVouchersByOwner returns the vouchers issued to the user that
// can still be applied at the instant (enabled, unexpired, with a use
// left), each with the certification whose pass issued it, the one
// expiring first first.
func (s *Store) ListUsableVouchersByOwner(ctx context.Context, ownerUserID int64, at time.Time) ([]*portal.OwnedVoucher, error) {
	var out []*portal.OwnedVoucher
	err := s.sel(ctx, &out, `SELECT `+qualify("v", voucherColumns)+`,
			COALESCE(c.code, '') AS certification_code, COALESCE(c.name, '') AS certification_name,
			COALESCE(uc.expires_on, '') AS certification_expires_on
		FROM vouchers v
		LEFT JOIN certification_vouchers cv ON cv.voucher_id = v.id
		LEFT JOIN user_certifications uc ON uc.id = cv.user_certification_id
		LEFT JOIN certifications c ON c.id = uc.certification_id
		WHERE v.owner_user_id = ? AND v.disabled_at IS NULL AND v.uses < v.max_uses AND v.expires_at > ?
		ORDER BY v.expires_at, v.id`, ownerUserID, at.UTC())
	if err != nil {
		return nil, fmt.Errorf("store: list vouchers of user %d: %w", ownerUserID, err)
	}
	return out, nil
}

// ErrVoucherUsedUp is returned by UseVoucher when the voucher has no use
// left, has expired or is disabled.
var ErrVoucherUsedUp = errors.New("store: voucher used up, expired or disabled")

// UseVoucher counts one use of the voucher with a conditional UPDATE, so
// concurrent redemptions can never exceed max_uses.
func (tx *Tx) UseVoucher(ctx context.Context, id int64) error {
	r, err := tx.exec(ctx, `UPDATE vouchers SET uses = uses + 1
		WHERE id = ? AND uses < max_uses AND disabled_at IS NULL AND expires_at > ?`, id, tx.now)
	if err := affected(r, err); err != nil {
		if errors.Is(err, portal.ErrNotFound) {
			return ErrVoucherUsedUp
		}
		return fmt.Errorf("store: use voucher %d: %w", id, err)
	}
	return nil
}

// ReleaseVoucher gives one use of the voucher back.
func (tx *Tx) ReleaseVoucher(ctx context.Context, id int64) error {
	r, err := tx.exec(ctx, `UPDATE vouchers SET uses = uses - 1 WHERE id = ? AND uses > 0`, id)
	if err := affected(r, err); err != nil {
		return fmt.Errorf("store: release voucher %d: %w", id, err)
	}
	return nil
}
