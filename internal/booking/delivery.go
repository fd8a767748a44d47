package booking

import (
	"context"
	"errors"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// After its exam a confirmed booking is settled: delivered when the
// candidate sat it (a check-in, or an exam attempt naming the booking),
// otherwise a no-show ("absent", the fee forfeited). Neither holds a seat
// or counts as live, so the candidate may book the exam again.
const (
	// SettleGrace is how long after its slot ends (start plus the exam's
	// duration) a confirmed booking stays confirmed before SettleBookings
	// settles it: a day for a check-in recorded late at a center or a
	// result that names the booking to arrive, so that a candidate who
	// sat the exam is not marked absent first.
	SettleGrace = 24 * time.Hour
	// settleBatch is the most bookings one sweep settles; the rest wait
	// for the next run.
	settleBatch = 1000
	// CenterCheckInOpens: staff check a candidate in at a test center from
	// this long before the start until the booking is settled.
	CenterCheckInOpens = 30 * time.Minute
	// NoShowCorrectionWindow: staff may correct a no-show to delivered
	// until this long after the slot's start.
	NoShowCorrectionWindow = 14 * 24 * time.Hour
)

// SettleBookings settles the confirmed bookings whose slot ended more
// than SettleGrace ago at the injected clock: delivered when the booking
// was checked in or an exam attempt names it (store.Tx.DeliverBooking),
// else a no-show (kind "absent", its event and audit). Each booking is
// settled in its own transaction on the locked row, so two instances
// running the sweep at once settle each booking once, and a result that
// arrives meanwhile delivers it (from no-show, if the sweep came first).
// It runs periodically and returns how many it settled.
func (s *Service) SettleBookings(ctx context.Context) (int, error) {
	now := s.clock.Now()
	list, err := s.st.ListBookings(ctx, store.BookingFilter{States: []string{portal.BookingConfirmed},
		To: now.Add(-SettleGrace), Limit: settleBatch})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range list {
		if !settleDue(b, now) {
			continue
		}
		err := s.st.Transact(ctx, func(tx *store.Tx) error {
			cur, err := tx.LockBooking(ctx, b.ID)
			if err != nil {
				return err
			}
			if cur.State != portal.BookingConfirmed || !settleDue(cur, tx.Now()) {
				return portal.ErrConflict // settled or moved meanwhile
			}
			cause := portal.DeliveryCheckIn
			if cur.CheckedInAt == nil {
				attempts, err := tx.CountAttemptsByBooking(ctx, cur.ID)
				if err != nil {
					return err
				}
				if attempts == 0 {
					return s.noShow(ctx, tx, portal.SystemActor(""), cur, "absent")
				}
				cause = portal.DeliveryResult
			}
			_, err = tx.DeliverBooking(ctx, portal.SystemActor(""), cur.ID, cause)
			return err
		})
		if err != nil && !errors.Is(err, portal.ErrConflict) {
			return n, err
		}
		if err == nil {
			n++
		}
	}
	return n, nil
}

// settleDue reports whether a booking's slot ended SettleGrace or more
// before now.
func settleDue(b *portal.BookingDetail, now time.Time) bool {
	return !now.Before(b.EndsAt().Add(SettleGrace))
}

// CheckInAtCenter records that the candidate of a test-center booking
// came: allowed from CenterCheckInOpens before the start until the booking
// is settled (the sweep then delivers it). Checking in twice changes
// nothing. Needs PermBookingsManage.
func (s *Service) CheckInAtCenter(ctx context.Context, actor portal.Actor, bookingID int64) (*portal.BookingDetail, error) {
	if err := actor.Authorize(portal.PermBookingsManage); err != nil {
		return nil, err
	}
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		b, err := tx.LockBooking(ctx, bookingID)
		if err != nil {
			return err
		}
		if b.Online() {
			return refused(portal.EConflict, "schedule.staff.checkin_online", nil)
		}
		if b.CheckedInAt != nil && (b.State == portal.BookingConfirmed || b.State == portal.BookingDelivered) {
			return nil
		}
		switch b.State {
		case portal.BookingConfirmed:
		case portal.BookingNoShow, portal.BookingDelivered:
			return refused(portal.EConflict, "schedule.staff.checkin_settled", nil)
		default:
			return refused(portal.EConflict, "schedule.staff.not_confirmed", nil)
		}
		now := tx.Now()
		if opens := b.StartsAt.Add(-CenterCheckInOpens); now.Before(opens) {
			return refused(portal.EConflict, "schedule.staff.checkin_too_early", map[string]any{"Date": opens})
		}
		if _, err := tx.UpdateBooking(ctx, b.ID, []string{portal.BookingConfirmed}, store.BookingUpdate{CheckedInAt: &now}); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "scheduling.checked_in", "booking:"+b.Reference, "center")
	})
	if err != nil {
		return nil, err
	}
	return s.st.GetBooking(ctx, bookingID)
}

// CorrectNoShow settles a no-show as delivered after all (the candidate
// was there): allowed until NoShowCorrectionWindow after the slot's
// start, refused later with the date it closed. The forfeited fee stays
// forfeited; the seat was released with the no-show. Audited as
// scheduling.delivered with the state before and after (cause
// "correction"). Correcting a delivered booking changes nothing. Needs
// PermBookingsManage.
func (s *Service) CorrectNoShow(ctx context.Context, actor portal.Actor, bookingID int64) (*portal.BookingDetail, error) {
	if err := actor.Authorize(portal.PermBookingsManage); err != nil {
		return nil, err
	}
	var out *portal.BookingDetail
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		b, err := tx.LockBooking(ctx, bookingID)
		if err != nil {
			return err
		}
		switch b.State {
		case portal.BookingDelivered:
			out = b
			return nil
		case portal.BookingNoShow:
		default:
			return refused(portal.EConflict, "schedule.staff.not_no_show", nil)
		}
		if until := b.StartsAt.Add(NoShowCorrectionWindow); tx.Now().After(until) {
			return refused(portal.EConflict, "schedule.staff.correction_closed", map[string]any{"Date": until})
		}
		out, err = tx.DeliverBooking(ctx, actor, b.ID, portal.DeliveryCorrection)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
