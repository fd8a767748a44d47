package scheduling_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/scheduling"
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
				_, errs[i] = f.svc.Hold(f.ctx, a, scheduling.HoldRequest{ExamID: f.saa.ID, SlotID: sl.ID})
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
