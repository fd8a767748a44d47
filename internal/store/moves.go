package store

import (
	"context"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
)

const moveColumns = `id, booking_id, from_slot_id, to_slot_id, state, free, fee_minor, currency, payment_id, failure,
	actor_id, created_at, updated_at, done_at`

// CreateMove records a move of a booking. A booking has at most one
// pending move: a second is portal.ErrConflict.
func (tx *Tx) CreateMove(ctx context.Context, m portal.Move) (*portal.Move, error) {
	var out portal.Move
	var done *time.Time
	if m.State == portal.MoveDone {
		done = &tx.now
	}
	err := tx.get(ctx, &out, `INSERT INTO booking_moves (booking_id, from_slot_id, to_slot_id, state, free, fee_minor, currency,
		payment_id, failure, actor_id, created_at, updated_at, done_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING `+moveColumns,
		m.BookingID, m.FromSlotID, m.ToSlotID, m.State, m.Free, m.FeeMinor, m.Currency, m.PaymentID, m.Failure,
		m.ActorID, tx.now, tx.now, done)
	if err != nil {
		return nil, fmt.Errorf("store: create move of booking %d: %w", m.BookingID, err)
	}
	return &out, nil
}

// FinishMove ends a pending move as done or failed (with the failure's
// message id); a move no longer pending is portal.ErrNotFound, so a move
// ends once however many events race for it.
func (tx *Tx) FinishMove(ctx context.Context, id int64, state, failure string) (*portal.Move, error) {
	var done *time.Time
	if state == portal.MoveDone {
		done = &tx.now
	}
	var out portal.Move
	err := tx.get(ctx, &out, `UPDATE booking_moves SET state = ?, failure = ?, done_at = ?, updated_at = ?
		WHERE id = ? AND state = ? RETURNING `+moveColumns, state, failure, done, tx.now, id, portal.MovePending)
	if err != nil {
		return nil, fmt.Errorf("store: finish move %d: %w", id, err)
	}
	return &out, nil
}

// FindMoveByPayment returns the move a fee payment pays for, or
// portal.ErrNotFound.
func (tx *Tx) FindMoveByPayment(ctx context.Context, paymentID int64) (*portal.Move, error) {
	return findMoveByPayment(ctx, tx, paymentID)
}

// FindPendingMoveByBooking returns the booking's move waiting for its fee, or
// portal.ErrNotFound.
func (tx *Tx) FindPendingMoveByBooking(ctx context.Context, bookingID int64) (*portal.Move, error) {
	var out portal.Move
	if err := tx.get(ctx, &out, `SELECT `+moveColumns+` FROM booking_moves WHERE booking_id = ? AND state = ?`,
		bookingID, portal.MovePending); err != nil {
		return nil, fmt.Errorf("store: pending move of booking %d: %w", bookingID, err)
	}
	return &out, nil
}

// ListStalePendingMoves returns up to limit moves still waiting for their fee
// that were started before cutoff, oldest first.
func (tx *Tx) ListStalePendingMoves(ctx context.Context, cutoff time.Time, limit int) ([]*portal.Move, error) {
	var out []*portal.Move
	if err := tx.sel(ctx, &out, `SELECT `+moveColumns+` FROM booking_moves WHERE state = ? AND created_at < ?
		ORDER BY created_at LIMIT ?`, portal.MovePending, cutoff, limit); err != nil {
		return nil, fmt.Errorf("store: stale pending moves: %w", err)
	}
	return out, nil
}

// ListMovesByBooking returns a booking's moves with their start times and
// fee payment states, oldest first.
func (s *Store) ListMovesByBooking(ctx context.Context, bookingID int64) ([]*portal.MoveDetail, error) {
	var out []*portal.MoveDetail
	if err := s.sel(ctx, &out, `SELECT m.id, m.booking_id, m.from_slot_id, m.to_slot_id, m.state, m.free, m.fee_minor, m.currency,
		m.payment_id, m.failure, m.actor_id, m.created_at, m.updated_at, m.done_at,
		f.starts_at AS from_starts_at, t.starts_at AS to_starts_at, COALESCE(p.state, '') AS payment_state
		FROM booking_moves m JOIN slots f ON f.id = m.from_slot_id JOIN slots t ON t.id = m.to_slot_id
		LEFT JOIN payments p ON p.id = m.payment_id
		WHERE m.booking_id = ? ORDER BY m.id`, bookingID); err != nil {
		return nil, fmt.Errorf("store: moves of booking %d: %w", bookingID, err)
	}
	return out, nil
}

// GetMove returns one move.
func (s *Store) GetMove(ctx context.Context, id int64) (*portal.Move, error) {
	var out portal.Move
	if err := s.get(ctx, &out, `SELECT `+moveColumns+` FROM booking_moves WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: find move %d: %w", id, err)
	}
	return &out, nil
}

// FindMoveByPayment returns the move a fee payment pays for.
func (s *Store) FindMoveByPayment(ctx context.Context, paymentID int64) (*portal.Move, error) {
	return findMoveByPayment(ctx, s, paymentID)
}

func findMoveByPayment(ctx context.Context, r reader, paymentID int64) (*portal.Move, error) {
	var out portal.Move
	if err := r.get(ctx, &out, `SELECT `+moveColumns+` FROM booking_moves WHERE payment_id = ?`, paymentID); err != nil {
		return nil, fmt.Errorf("store: move of payment %d: %w", paymentID, err)
	}
	return &out, nil
}
