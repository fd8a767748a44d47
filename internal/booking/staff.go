package booking

import (
	"context"
	"errors"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Roster is a center's day: its slots and their bookings.
type Roster struct {
	Center   *portal.TestCenter
	Day      time.Time // local midnight
	Slots    []*portal.Slot
	Bookings map[int64][]*portal.BookingDetail // by slot id
}

// Roster returns a center's slots and bookings on a local date
// (YYYY-MM-DD). Needs PermRostersRead.
func (s *Service) Roster(ctx context.Context, actor portal.Actor, centerID int64, date string) (*Roster, error) {
	if err := actor.Authorize(portal.PermRostersRead); err != nil {
		return nil, err
	}
	c, err := s.st.GetCenter(ctx, centerID)
	if err != nil {
		return nil, err
	}
	loc := c.Location()
	day, err := time.ParseInLocation(time.DateOnly, date, loc)
	if err != nil {
		return nil, &portal.Error{Code: portal.EInvalid, Message: "schedule.staff.date_invalid", Fields: []portal.FieldError{{Field: "date", Message: "schedule.staff.date_invalid"}}}
	}
	next := day.AddDate(0, 0, 1)
	r := &Roster{Center: c, Day: day, Bookings: map[int64][]*portal.BookingDetail{}}
	if r.Slots, err = s.st.ListSlots(ctx, store.SlotFilter{CenterID: &c.ID, From: day, To: next}); err != nil {
		return nil, err
	}
	list, err := s.st.ListBookings(ctx, store.BookingFilter{CenterID: c.ID, From: day, To: next,
		States: []string{portal.BookingConfirmed, portal.BookingNoShow, portal.BookingDelivered, portal.BookingHeld, portal.BookingPending}})
	if err != nil {
		return nil, err
	}
	for _, b := range list {
		r.Bookings[b.SlotID] = append(r.Bookings[b.SlotID], b)
	}
	return r, nil
}

// SearchBookings finds bookings by reference, login ID, email or name.
// Needs PermRostersRead.
func (s *Service) SearchBookings(ctx context.Context, actor portal.Actor, query string) ([]*portal.BookingDetail, error) {
	if err := actor.Authorize(portal.PermRostersRead); err != nil {
		return nil, err
	}
	return s.st.ListBookings(ctx, store.BookingFilter{Query: query, Limit: 100})
}

// MarkNoShow records that the candidate did not come ("absent") or came
// more than 15 minutes late ("late"); the fee is forfeited. Needs
// PermBookingsManage; only after the start.
func (s *Service) MarkNoShow(ctx context.Context, actor portal.Actor, bookingID int64, kind string) error {
	if err := actor.Authorize(portal.PermBookingsManage); err != nil {
		return err
	}
	if kind != "absent" && kind != "late" {
		return portal.ErrInvalid
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		b, err := tx.LockBooking(ctx, bookingID)
		if err != nil {
			return err
		}
		if tx.Now().Before(b.StartsAt) {
			return refused(portal.EConflict, "schedule.staff.not_started", nil)
		}
		return s.noShow(ctx, tx, actor, b, kind)
	})
}

// CloseSlot stops selling a slot and tells its confirmed candidates, who
// may then move for free (whatever the deadline and limit) or cancel
// for a full refund. Unpaid holds in it end. Needs PermSessionsManage.
func (s *Service) CloseSlot(ctx context.Context, actor portal.Actor, slotID int64) (int, error) {
	if err := actor.Authorize(portal.PermSessionsManage); err != nil {
		return 0, err
	}
	n := 0
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.GetSlot(ctx, slotID); err != nil {
			return err
		}
		if err := tx.CloseSlot(ctx, slotID); errors.Is(err, portal.ErrNotFound) {
			return refused(portal.EConflict, "schedule.staff.slot_closed_already", nil)
		} else if err != nil {
			return err
		}
		var err error
		n, err = s.afterClose(ctx, tx, actor, slotID)
		return err
	})
	if err == nil {
		s.cfg.Kick()
	}
	return n, err
}

// CloseCenterDay closes a center on a local date: the day is recorded (no
// new slots), its slots close and their candidates are told. Needs
// PermSessionsManage.
func (s *Service) CloseCenterDay(ctx context.Context, actor portal.Actor, centerID int64, date, reason string) (int, error) {
	if err := actor.Authorize(portal.PermSessionsManage); err != nil {
		return 0, err
	}
	c, err := s.st.GetCenter(ctx, centerID)
	if err != nil {
		return 0, err
	}
	day, err := time.ParseInLocation(time.DateOnly, date, c.Location())
	if err != nil || day.Before(s.clock.Now().AddDate(0, 0, -1)) {
		return 0, &portal.Error{Code: portal.EInvalid, Message: "schedule.staff.date_invalid", Fields: []portal.FieldError{{Field: "date", Message: "schedule.staff.date_invalid"}}}
	}
	if latest := s.clock.Now().AddDate(PlanningYears, 0, 0); day.After(latest) {
		data := map[string]any{"Latest": latest}
		return 0, &portal.Error{Code: portal.EInvalid, Message: "schedule.staff.date_too_far", Data: data,
			Fields: []portal.FieldError{{Field: "date", Message: "schedule.staff.date_too_far", Data: data}}}
	}
	n := 0
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.AddClosure(ctx, store.Closure{CenterID: c.ID, Day: date, Reason: reason}); err != nil {
			return err
		}
		ids, err := tx.CloseSlots(ctx, &c.ID, day, day.AddDate(0, 0, 1))
		if err != nil {
			return err
		}
		for _, id := range ids {
			k, err := s.afterClose(ctx, tx, actor, id)
			if err != nil {
				return err
			}
			n += k
		}
		return audit(ctx, tx, actor, "scheduling.center_closed", "center:"+c.Code, date+" "+reason)
	})
	if err == nil {
		s.cfg.Kick()
	}
	return n, err
}

// afterClose handles the bookings of a slot that just closed and returns
// how many candidates were told.
func (s *Service) afterClose(ctx context.Context, tx *store.Tx, actor portal.Actor, slotID int64) (int, error) {
	list, err := tx.ListBookings(ctx, store.BookingFilter{SlotID: slotID, States: portal.LiveBookingStates})
	if err != nil {
		return 0, err
	}
	n := 0
	yes := true
	for _, listed := range list {
		// Decide on the locked row: a payment may have confirmed the
		// booking since the list was read.
		b, err := tx.LockBooking(ctx, listed.ID)
		if err != nil {
			return n, err
		}
		switch b.State {
		case portal.BookingHeld, portal.BookingPending:
			if err := s.expire(ctx, tx, actor, &b.Booking); err != nil {
				return n, err
			}
			continue
		case portal.BookingConfirmed:
		default:
			continue
		}
		if _, err := tx.UpdateBooking(ctx, b.ID, []string{portal.BookingConfirmed}, store.BookingUpdate{FreeReschedule: &yes}); err != nil {
			return n, err
		}
		if err := s.mailBooking(ctx, tx, b.ID, mailSlotClosed, nil); err != nil {
			return n, err
		}
		if err := audit(ctx, tx, actor, "scheduling.slot_closed_notice", "booking:"+b.Reference, ""); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
