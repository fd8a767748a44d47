package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
)

// deliveryAudit is what settling a booking as delivered changes.
type deliveryAudit struct {
	State       string     `audit:"state"`
	DeliveredAt *time.Time `audit:"delivered_at"`
}

// DeliverBooking settles a booking as delivered: its candidate sat the
// exam, which a check-in or a result proves. It is the one transition to
// delivered, called by the booking service (the settling sweep, a staff
// correction of a no-show) and by any service that learns of attendance
// (a result arriving) inside its own transaction.
//
//   - confirmed → delivered: the seat the booking held is released;
//   - no_show → delivered: a result proves attendance after the booking was
//     settled as a no-show (its seat was released then; no_show_at and
//     no_show_kind stay as history); the forfeited fee stays forfeited;
//   - delivered: nothing changes and nothing is written (idempotent);
//   - held, pending, cancelled, expired, or a slot that has not started:
//     portal.ErrConflict.
//
// It locks the booking (on PostgreSQL until the transaction ends), so two
// callers racing for the same booking settle it once. It writes the
// booking.delivered event (actor none for the system) and the audit entry
// scheduling.delivered with the state before and after, both naming cause
// (portal.DeliveryCheckIn, DeliveryResult, DeliveryCorrection). Who may
// deliver and what proves attendance are the caller's rules.
func (tx *Tx) DeliverBooking(ctx context.Context, actor portal.Actor, bookingID int64, cause string) (*portal.BookingDetail, error) {
	b, err := tx.LockBooking(ctx, bookingID)
	if err != nil {
		return nil, err
	}
	switch b.State {
	case portal.BookingDelivered:
		return b, nil
	case portal.BookingConfirmed, portal.BookingNoShow:
	default:
		return nil, fmt.Errorf("store: deliver booking %d, %s: %w", bookingID, b.State, portal.ErrConflict)
	}
	if tx.now.Before(b.StartsAt) {
		return nil, fmt.Errorf("store: deliver booking %d before its start: %w", bookingID, portal.ErrConflict)
	}
	from, to, now := b.State, portal.BookingDelivered, tx.now
	if _, err := tx.UpdateBooking(ctx, b.ID, []string{from}, BookingUpdate{State: &to, DeliveredAt: &now}); err != nil {
		if errors.Is(err, portal.ErrNotFound) {
			return nil, fmt.Errorf("store: deliver booking %d: changed meanwhile: %w", bookingID, portal.ErrConflict)
		}
		return nil, err
	}
	if from == portal.BookingConfirmed {
		if err := tx.ReleaseSeat(ctx, b.SlotID); err != nil {
			return nil, err
		}
	}
	if err := tx.AppendEvent(portal.EventBookingDelivered, portal.SubjectBooking, b.ID, b.Reference, actor.UserID,
		map[string]any{"from": from, "cause": cause}); err != nil {
		return nil, err
	}
	changes := portal.Diff(deliveryAudit{State: from, DeliveredAt: b.DeliveredAt}, deliveryAudit{State: to, DeliveredAt: &now})
	if err := tx.Audit(ctx, actor, "scheduling.delivered", "booking:"+b.Reference, cause, changes); err != nil {
		return nil, err
	}
	b.State, b.DeliveredAt, b.UpdatedAt = to, &now, now
	return b, nil
}

// CountAttemptsByBooking counts the exam attempts that name the booking:
// one means a result of the sitting exists.
func (tx *Tx) CountAttemptsByBooking(ctx context.Context, bookingID int64) (int, error) {
	var n int
	if err := tx.get(ctx, &n, `SELECT COUNT(*) FROM exam_attempts WHERE booking_id = ?`, bookingID); err != nil {
		return 0, fmt.Errorf("store: count attempts of booking %d: %w", bookingID, err)
	}
	return n, nil
}
