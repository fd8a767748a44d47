package store

import (
	"context"
	"errors"
	"fmt"

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
