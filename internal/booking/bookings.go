package booking

import (
	"context"
	"errors"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Online check-in window: the launch button works from LaunchOpens before
// the start until LaunchCloses after it. Later, the appointment is missed.
const (
	LaunchOpens  = 30 * time.Minute
	LaunchCloses = 15 * time.Minute
)

// MyBookings lists the acting candidate's bookings that have passed
// checkout (pending, confirmed, cancelled, no-show, delivered), earliest
// start first.
func (s *Service) MyBookings(ctx context.Context, actor portal.Actor) ([]*portal.BookingDetail, error) {
	if actor.UserID == 0 {
		return nil, portal.ErrUnauthorized
	}
	return s.st.ListBookings(ctx, store.BookingFilter{UserID: actor.UserID,
		States: []string{portal.BookingConfirmed, portal.BookingCancelled, portal.BookingNoShow, portal.BookingPending, portal.BookingDelivered}})
}

// Upcoming lists the acting candidate's confirmed bookings that have not
// started yet, for the dashboard.
func (s *Service) Upcoming(ctx context.Context, actor portal.Actor) ([]*portal.BookingDetail, error) {
	if actor.UserID == 0 {
		return nil, portal.ErrUnauthorized
	}
	return s.st.ListBookings(ctx, store.BookingFilter{UserID: actor.UserID, States: []string{portal.BookingConfirmed},
		From: s.clock.Now().Add(-LaunchCloses)})
}

// MyBooking returns the acting candidate's booking by its reference.
// Only the owner sees a booking: anyone else's, or a reference that does
// not exist, is not found, for staff too (they reach bookings through the
// console's own methods: Roster, SearchBookings).
func (s *Service) MyBooking(ctx context.Context, actor portal.Actor, reference string) (*portal.BookingDetail, error) {
	if actor.UserID == 0 {
		return nil, portal.ErrUnauthorized
	}
	if reference == "" {
		return nil, portal.ErrNotFound
	}
	list, err := s.st.ListBookings(ctx, store.BookingFilter{Reference: reference, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 || !actor.Owns(list[0].UserID) {
		return nil, portal.ErrNotFound
	}
	return list[0], nil
}

// LaunchState says what the online launch button does now.
type LaunchState struct {
	Opens, Closes time.Time
	Open          bool // the button works now
	Missed        bool // the window has passed without a launch
}

// Launch returns the launch window of an online booking at now.
func (s *Service) Launch(b *portal.BookingDetail) LaunchState {
	now := s.clock.Now()
	st := LaunchState{Opens: b.StartsAt.Add(-LaunchOpens), Closes: b.StartsAt.Add(LaunchCloses)}
	st.Open = b.Online() && b.State == portal.BookingConfirmed && !now.Before(st.Opens) && !now.After(st.Closes)
	st.Missed = b.Online() && (b.State == portal.BookingNoShow || b.State == portal.BookingConfirmed && b.CheckedInAt == nil && now.After(st.Closes))
	return st
}

// CheckIn launches an online exam: allowed from 30 minutes before the
// start to 15 minutes after. The check-in time is recorded; the proctoring
// session itself is the proctoring vendor's.
func (s *Service) CheckIn(ctx context.Context, actor portal.Actor, bookingID int64) (*portal.BookingDetail, error) {
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		b, err := ownBooking(ctx, tx, actor, bookingID)
		if err != nil {
			return err
		}
		if !b.Online() || b.State != portal.BookingConfirmed {
			return refused(portal.EConflict, "schedule.launch.not_online", nil)
		}
		now := tx.Now()
		if opens := b.StartsAt.Add(-LaunchOpens); now.Before(opens) {
			return refused(portal.EConflict, "schedule.launch.too_early", map[string]any{"Date": opens})
		}
		if now.After(b.StartsAt.Add(LaunchCloses)) {
			return refused(portal.EConflict, "schedule.launch.missed", nil)
		}
		if b.CheckedInAt != nil {
			return nil
		}
		if _, err := tx.UpdateBooking(ctx, b.ID, []string{portal.BookingConfirmed}, store.BookingUpdate{CheckedInAt: &now}); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "scheduling.checked_in", "booking:"+b.Reference, "")
	})
	if err != nil {
		return nil, err
	}
	return s.st.GetBooking(ctx, bookingID)
}

// MarkMissedOnline records as no-shows the online bookings whose launch
// window closed without a check-in; the fee is forfeited. It runs every
// few minutes.
func (s *Service) MarkMissedOnline(ctx context.Context) (int, error) {
	now := s.clock.Now()
	list, err := s.st.ListBookings(ctx, store.BookingFilter{Online: true, States: []string{portal.BookingConfirmed},
		NotCheckedIn: true, From: now.Add(-7 * 24 * time.Hour), To: now.Add(-LaunchCloses)})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range list {
		err := s.st.Transact(ctx, func(tx *store.Tx) error {
			cur, err := tx.LockBooking(ctx, b.ID)
			if err != nil {
				return err
			}
			if cur.CheckedInAt != nil || cur.State != portal.BookingConfirmed {
				return portal.ErrConflict // launched at the last moment, or changed meanwhile
			}
			return s.noShow(ctx, tx, portal.SystemActor(""), cur, "absent")
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

// noShow ends a confirmed booking whose candidate did not come (or came
// more than 15 minutes late): the fee is forfeited, the seat counts no
// more.
func (s *Service) noShow(ctx context.Context, tx *store.Tx, actor portal.Actor, b *portal.BookingDetail, kind string) error {
	st, now := portal.BookingNoShow, tx.Now()
	if _, err := tx.UpdateBooking(ctx, b.ID, []string{portal.BookingConfirmed}, store.BookingUpdate{State: &st, NoShowAt: &now, NoShowKind: &kind}); err != nil {
		if errors.Is(err, portal.ErrNotFound) {
			return refused(portal.EConflict, "schedule.staff.not_confirmed", nil)
		}
		return err
	}
	if err := tx.ReleaseSeat(ctx, b.SlotID); err != nil {
		return err
	}
	if err := bookingEvent(tx, portal.EventBookingNoShow, actor, &b.Booking, map[string]any{"kind": kind}); err != nil {
		return err
	}
	return audit(ctx, tx, actor, "scheduling.no_show", "booking:"+b.Reference, kind)
}
