package booking_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestConcurrentHoldsNeverOversell pins CONC-01 and CONC-03: 200
// candidates race for the 10 seats of one slot; exactly 10 win, the others
// are told the slot is full (never "database is locked" or any other
// error), and the seat count agrees with the bookings.
func TestConcurrentHoldsNeverOversell(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sl := f.centerSlot("2026-12-08", "09:00")
		if sl.Capacity != 10 {
			t.Fatalf("capacity = %d, want the center's 10 seats", sl.Capacity)
		}
		const n = 200
		bookers := f.newUsers(portal.RoleCandidate, true, n)

		start := make(chan struct{})
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i, a := range bookers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = f.svc.Hold(f.ctx, a, booking.HoldRequest{ExamID: f.saa.ID, SlotID: sl.ID})
			}()
		}
		close(start)
		wg.Wait()

		ok, full := 0, 0
		for i, err := range errs {
			var pe *portal.Error
			switch {
			case err == nil:
				ok++
			case errors.As(err, &pe) && pe.Message == "schedule.hold.full":
				full++
			default:
				if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
					t.Errorf("booker %d: a lock error reached the user: %v", i, err)
				} else {
					t.Errorf("booker %d: err = %v, want nil or schedule.hold.full", i, err)
				}
			}
		}
		if ok != 10 || full != n-10 {
			t.Fatalf("%d holds, %d full; want 10 and %d", ok, full, n-10)
		}
		if got := f.slot(sl.ID).Taken; got != 10 {
			t.Fatalf("slot taken = %d, want 10", got)
		}
		held, err := f.st.ListBookings(f.ctx, store.BookingFilter{SlotID: sl.ID, States: portal.LiveBookingStates})
		if err != nil || len(held) != 10 {
			t.Fatalf("live bookings in the slot = %d, %v; want 10", len(held), err)
		}
		f.checkInvariants()
	})
}

// TestConcurrentHoldsFromOneAddress pins BL-04: 40 accounts behind one
// address hold at the same instant with a limit of 3 holds per address;
// exactly 3 get a seat and the others are told the address's limit (the
// count and the insert are serialised per address).
func TestConcurrentHoldsFromOneAddress(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		const n, limit = 40, 3
		svc := f.newService(booking.Config{MaxHoldsPerIP: limit, Horizon: fixtureHorizon})
		// Several slots, so that the holds do not queue on one slot's row.
		var slots []*portal.Slot
		for _, day := range []string{"2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11"} {
			for _, clock := range []string{"09:00", "13:00"} {
				slots = append(slots, f.centerSlot(day, clock))
			}
		}
		// Several rounds, each from its own address, make a lost count
		// likely to show in one of them.
		for round := range 3 {
			ip := fmt.Sprintf("203.0.113.%d", round+1)
			bookers := f.newUsers(portal.RoleCandidate, true, n)
			start := make(chan struct{})
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i, a := range bookers {
				a.IP = ip
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = svc.Hold(f.ctx, a, holdReq(f.saa, slots[(i+round)%len(slots)]))
				}()
			}
			close(start)
			wg.Wait()
			ok, refused := 0, 0
			for i, err := range errs {
				var pe *portal.Error
				switch {
				case err == nil:
					ok++
				case errors.As(err, &pe) && pe.Message == "schedule.hold.too_many_from_address":
					refused++
				default:
					t.Errorf("round %d, booker %d: err = %v, want nil or schedule.hold.too_many_from_address", round, i, err)
				}
			}
			if ok != limit || refused != n-limit {
				t.Fatalf("round %d: %d holds, %d refused; want %d and %d", round, ok, refused, limit, n-limit)
			}
			if got := f.count(`SELECT COUNT(*) FROM bookings WHERE hold_ip = '%s' AND state = 'held'`, ip); got != limit {
				t.Fatalf("round %d: %d holds from the address, want %d", round, got, limit)
			}
		}
		f.checkInvariants()
		// The sweep forgets an address's lock row a day after its last hold.
		for _, tc := range []struct {
			after time.Duration
			want  int
		}{{23 * time.Hour, 3}, {25 * time.Hour, 0}} {
			f.clock.Set(fixtureNow.Add(tc.after))
			if _, err := svc.ExpireHolds(f.ctx); err != nil {
				t.Fatal(err)
			}
			if got := f.count(`SELECT COUNT(*) FROM hold_addresses WHERE address LIKE '203.0.113.%%'`); got != tc.want {
				t.Fatalf("after %s: %d address rows, want %d", tc.after, got, tc.want)
			}
		}
	})
}

// TestOneLiveBookingPerExam pins BL-04: one candidate holding the same
// exam in several slots at once ends with exactly one live booking; and
// under the service, the store itself refuses a second live booking of a
// candidate for an exam (the unique partial index), while an ended one
// does not count.
func TestOneLiveBookingPerExam(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.newCandidate()
		var slots []*portal.Slot
		for _, day := range []string{"2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11"} {
			for _, clock := range []string{"09:00", "13:00"} {
				slots = append(slots, f.centerSlot(day, clock))
			}
		}
		start := make(chan struct{})
		errs := make([]error, len(slots))
		var wg sync.WaitGroup
		for i, sl := range slots {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = f.svc.Hold(f.ctx, c, holdReq(f.saa, sl))
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for i, err := range errs {
			var pe *portal.Error
			switch {
			case err == nil:
				ok++
			case errors.As(err, &pe) && (pe.Message == "schedule.rule.already_in_cart" || pe.Message == "schedule.rule.already_booked"):
			default:
				t.Errorf("hold %d: err = %v, want nil, schedule.rule.already_in_cart or schedule.rule.already_booked", i, err)
			}
		}
		live, err := f.st.ListBookings(f.ctx, store.BookingFilter{UserID: c.UserID, States: portal.LiveBookingStates})
		if ok != 1 || err != nil || len(live) != 1 {
			t.Fatalf("%d holds succeeded, %d live bookings (%v); want 1 and 1", ok, len(live), err)
		}

		// The store, below every rule of the service.
		first := live[0]
		create := func() error {
			return f.st.Transact(f.ctx, func(tx *store.Tx) error {
				b := first.Booking
				b.Reference += "X"
				b.SlotID = slots[len(slots)-1].ID
				_, err := tx.CreateBooking(f.ctx, b)
				return err
			})
		}
		if err := create(); !errors.Is(err, portal.ErrConflict) {
			t.Fatalf("second live booking: err = %v, want portal.ErrConflict", err)
		}
		if err := f.svc.Release(f.ctx, c, first.ID); err != nil {
			t.Fatal(err)
		}
		if err := create(); err != nil {
			t.Fatalf("a booking after the first ended: %v", err)
		}
	})
}
