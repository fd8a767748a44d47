package store

import (
	"context"
	"errors"
	"fmt"

	"example.org/certportal/internal/portal"
)

const paymentColumns = `id, reference, user_id, provider, purpose, state, amount_minor, currency, provider_ref, failure,
	created_at, updated_at, succeeded_at`

// CreatePayment inserts a payment.
func (tx *Tx) CreatePayment(ctx context.Context, p portal.Payment) (*portal.Payment, error) {
	var out portal.Payment
	if p.Purpose == "" {
		p.Purpose = portal.PurposeBooking
	}
	err := tx.get(ctx, &out, `INSERT INTO payments (reference, user_id, provider, purpose, state, amount_minor, currency,
		provider_ref, failure, created_at, updated_at, succeeded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING `+paymentColumns,
		p.Reference, p.UserID, p.Provider, p.Purpose, p.State, p.AmountMinor, p.Currency, p.ProviderRef, p.Failure, tx.now, tx.now, p.SucceededAt)
	if err != nil {
		return nil, fmt.Errorf("store: create payment: %w", err)
	}
	return &out, nil
}

// PaymentUpdate changes a payment; empty fields stay.
type PaymentUpdate struct {
	State       string
	ProviderRef string
	Failure     string
}

// UpdatePayment moves a payment from state from (any state when empty);
// a payment in another state is portal.ErrNotFound.
func (tx *Tx) UpdatePayment(ctx context.Context, id int64, from string, u PaymentUpdate) (*portal.Payment, error) {
	set, args := "updated_at = ?", []any{tx.now}
	if u.State != "" {
		set, args = set+", state = ?", append(args, u.State)
		if u.State == portal.PaymentSucceeded {
			set, args = set+", succeeded_at = ?", append(args, tx.now)
		}
	}
	if u.ProviderRef != "" {
		set, args = set+", provider_ref = ?", append(args, u.ProviderRef)
	}
	if u.Failure != "" {
		set, args = set+", failure = ?", append(args, u.Failure)
	}
	where := "id = ?"
	args = append(args, id)
	if from != "" {
		where, args = where+" AND state = ?", append(args, from)
	}
	var out portal.Payment
	if err := tx.get(ctx, &out, `UPDATE payments SET `+set+` WHERE `+where+` RETURNING `+paymentColumns, args...); err != nil {
		return nil, fmt.Errorf("store: update payment %d: %w", id, err)
	}
	return &out, nil
}

// LockPayment returns one payment, locked on PostgreSQL until the
// transaction ends.
func (tx *Tx) LockPayment(ctx context.Context, id int64) (*portal.Payment, error) {
	var out portal.Payment
	if err := tx.get(ctx, &out, `SELECT `+paymentColumns+` FROM payments WHERE id = ?`+tx.forUpdate(""), id); err != nil {
		return nil, fmt.Errorf("store: find payment %d: %w", id, err)
	}
	return &out, nil
}

// LockPaymentByReference returns the payment with our public reference,
// locked on PostgreSQL until the transaction ends.
func (tx *Tx) LockPaymentByReference(ctx context.Context, ref string) (*portal.Payment, error) {
	var out portal.Payment
	if err := tx.get(ctx, &out, `SELECT `+paymentColumns+` FROM payments WHERE reference = ?`+tx.forUpdate(""), ref); err != nil {
		return nil, fmt.Errorf("store: find payment %s: %w", ref, err)
	}
	return &out, nil
}

// LockPayment returns one payment.
func (s *Store) GetPayment(ctx context.Context, id int64) (*portal.Payment, error) {
	var out portal.Payment
	if err := s.get(ctx, &out, `SELECT `+paymentColumns+` FROM payments WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: find payment %d: %w", id, err)
	}
	return &out, nil
}

// FindPaymentByReference returns the payment with our public reference.
func (s *Store) FindPaymentByReference(ctx context.Context, ref string) (*portal.Payment, error) {
	var out portal.Payment
	if err := s.get(ctx, &out, `SELECT `+paymentColumns+` FROM payments WHERE reference = ?`, ref); err != nil {
		return nil, fmt.Errorf("store: find payment %s: %w", ref, err)
	}
	return &out, nil
}

const refundColumns = `id, booking_id, payment_id, amount_minor, currency, state, provider_ref, failure, created_at, updated_at`

// ErrRefundExceedsPayment is returned by CreateRefund when the refunds of
// the payment would add up to more than the payment's amount.
var ErrRefundExceedsPayment = errors.New("store: refunds would exceed the payment")

// CreateRefund records a refund to execute. A booking has at most one
// per payment (its own, or a fee's): a second is portal.ErrConflict. The
// payment's row is locked first (on PostgreSQL, until the transaction
// ends), so concurrent refunds of one payment are counted one after the
// other: one that would make the payment's refunds (failed ones aside)
// exceed its amount is ErrRefundExceedsPayment and nothing is recorded.
func (tx *Tx) CreateRefund(ctx context.Context, r portal.Refund) (*portal.Refund, error) {
	// Lock first, sum after: on PostgreSQL a statement that waited for the
	// lock still reads from the snapshot it started with, so the sum must
	// be a statement of its own.
	var amount, refunded int64
	if err := tx.get(ctx, &amount, `SELECT amount_minor FROM payments WHERE id = ?`+tx.forUpdate(""), r.PaymentID); err != nil {
		return nil, fmt.Errorf("store: lock payment %d for a refund: %w", r.PaymentID, err)
	}
	if err := tx.get(ctx, &refunded, `SELECT COALESCE(SUM(amount_minor), 0) FROM refunds
		WHERE payment_id = ? AND state <> 'failed'`, r.PaymentID); err != nil {
		return nil, fmt.Errorf("store: refunds of payment %d: %w", r.PaymentID, err)
	}
	if refunded+r.AmountMinor > amount {
		return nil, fmt.Errorf("store: refund %d of payment %d (amount %d, refunded %d): %w",
			r.AmountMinor, r.PaymentID, amount, refunded, ErrRefundExceedsPayment)
	}
	var out portal.Refund
	err := tx.get(ctx, &out, `INSERT INTO refunds (booking_id, payment_id, amount_minor, currency, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING `+refundColumns,
		r.BookingID, r.PaymentID, r.AmountMinor, r.Currency, portal.RefundRequested, tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: create refund for booking %d: %w", r.BookingID, err)
	}
	return &out, nil
}

// FinishRefund moves a requested refund to succeeded or failed; a refund
// already finished is portal.ErrNotFound.
func (tx *Tx) FinishRefund(ctx context.Context, id int64, state, providerRef, failure string) (*portal.Refund, error) {
	var out portal.Refund
	err := tx.get(ctx, &out, `UPDATE refunds SET state = ?, provider_ref = ?, failure = ?, updated_at = ?
		WHERE id = ? AND state = ? RETURNING `+refundColumns, state, providerRef, failure, tx.now, id, portal.RefundRequested)
	if err != nil {
		return nil, fmt.Errorf("store: finish refund %d: %w", id, err)
	}
	return &out, nil
}

// GetRefund returns one refund.
func (s *Store) GetRefund(ctx context.Context, id int64) (*portal.Refund, error) {
	var out portal.Refund
	if err := s.get(ctx, &out, `SELECT `+refundColumns+` FROM refunds WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: find refund %d: %w", id, err)
	}
	return &out, nil
}

// ListRefundsByUser returns the refunds of a candidate's bookings by booking
// id: the refund of what the booking cost, not of reschedule fees.
func (s *Store) ListRefundsByUser(ctx context.Context, userID int64) (map[int64]*portal.Refund, error) {
	var list []*portal.Refund
	if err := s.sel(ctx, &list, `SELECT r.id, r.booking_id, r.payment_id, r.amount_minor, r.currency, r.state, r.provider_ref,
		r.failure, r.created_at, r.updated_at FROM refunds r JOIN bookings b ON b.id = r.booking_id AND b.payment_id = r.payment_id WHERE b.user_id = ?`, userID); err != nil {
		return nil, fmt.Errorf("store: refunds of user %d: %w", userID, err)
	}
	out := make(map[int64]*portal.Refund, len(list))
	for _, r := range list {
		out[r.BookingID] = r
	}
	return out, nil
}

// RecordWebhookEvent marks a provider event processed and reports whether
// it is new. Call it in the transaction that applies the event, so an
// event is applied exactly once however often it is delivered.
func (tx *Tx) RecordWebhookEvent(ctx context.Context, provider, eventID, typ string) (bool, error) {
	r, err := tx.exec(ctx, `INSERT INTO webhook_events (provider, event_id, type, received_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, provider, eventID, typ, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: record webhook event %s: %w", eventID, err)
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

// ListRefundsByBooking returns the refunds of one booking: of its price (at
// most one) and of fees of moves that failed, oldest first.
func (tx *Tx) ListRefundsByBooking(ctx context.Context, bookingID int64) ([]*portal.Refund, error) {
	var out []*portal.Refund
	if err := tx.sel(ctx, &out, `SELECT `+refundColumns+` FROM refunds WHERE booking_id = ? ORDER BY id`, bookingID); err != nil {
		return nil, fmt.Errorf("store: refunds of booking %d: %w", bookingID, err)
	}
	return out, nil
}

// ListOrphanedPayments returns up to limit ids of pending checkout payments
// none of whose bookings waits for them any more (each expired, by the
// sweep, a newer hold or a closed session), oldest first.
func (tx *Tx) ListOrphanedPayments(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	err := tx.sel(ctx, &ids, `SELECT p.id FROM payments p WHERE p.state = 'pending' AND p.purpose = 'booking'
		AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.payment_id = p.id AND b.state IN ('held', 'pending'))
		ORDER BY p.created_at LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: orphaned payments: %w", err)
	}
	return ids, nil
}
