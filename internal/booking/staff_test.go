package booking_test

import (
	"errors"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestMarkNoShow pins the staff no-show: only from the start on; the seat
// is freed, the fee kept (payment untouched, no refund), once.
func TestMarkNoShow(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f, sl, _, seats := seatedFixture(t, engine, 1)
		b := seats[0]
		other := f.buy(f.newCandidate(), f.micro, sl)

		f.clock.Set(sl.StartsAt.Add(-time.Second))
		err := f.svc.MarkNoShow(f.ctx, f.staff, b.ID, "absent")
		wantRefused(t, err, "schedule.staff.not_started")
		if err := f.svc.MarkNoShow(f.ctx, f.staff, b.ID, "sick"); !errors.Is(err, portal.ErrInvalid) {
			t.Fatalf("unknown kind: err = %v, want invalid", err)
		}

		f.clock.Set(sl.StartsAt)
		if err := f.svc.MarkNoShow(f.ctx, f.staff, b.ID, "late"); err != nil {
			t.Fatal(err)
		}
		got := f.booking(b.ID)
		if got.State != portal.BookingNoShow || got.NoShowKind != "late" || got.NoShowAt == nil || !got.NoShowAt.Equal(sl.StartsAt) {
			t.Fatalf("booking = %+v; want a late no-show", got.Booking)
		}
		if taken := f.slot(sl.ID).Taken; taken != 1 {
			t.Fatalf("taken = %d, want 1 (seat freed)", taken)
		}
		if p := f.payment(*got.PaymentID); p.State != portal.PaymentSucceeded || p.AmountMinor != 15000 {
			t.Fatalf("payment = %+v; want kept", p)
		}
		if n := f.count(`SELECT COUNT(*) FROM refunds`); n != 0 {
			t.Fatalf("%d refunds for a no-show", n)
		}
		err = f.svc.MarkNoShow(f.ctx, f.staff, b.ID, "absent")
		wantRefused(t, err, "schedule.staff.not_confirmed")
		_, err = f.svc.Cancel(f.ctx, f.candidate, b.ID, "")
		wantRefused(t, err, "schedule.cancel.not_cancellable")

		if err := f.svc.MarkNoShow(f.ctx, f.admin, other.ID, "absent"); err != nil {
			t.Fatalf("admin marking a no-show: %v", err)
		}
		f.checkInvariants()
	})
}

// TestSetCapacity pins that staff never set a slot's seats below those
// taken, and that a full slot sells nothing.
func TestSetCapacity(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sl := f.centerSlot("2026-12-08", "09:00")
		f.hold(f.newCandidate(), f.saa, sl)
		f.buy(f.newCandidate(), f.saa, sl)

		err := f.centers.SetCapacity(f.ctx, f.staff, sl.ID, 1)
		pe := wantRefused(t, err, "schedule.staff.capacity_below_taken")
		if pe.Data["Count"] != 2 {
			t.Errorf("Count = %v, want 2", pe.Data["Count"])
		}
		if got := f.slot(sl.ID).Capacity; got != 10 {
			t.Fatalf("capacity = %d after a refused change", got)
		}
		if err := f.centers.SetCapacity(f.ctx, f.staff, sl.ID, 501); portal.ErrorCode(err) != portal.EInvalid {
			t.Fatalf("capacity 501: err = %v, want invalid", err)
		}
		f.setCapacity(sl, 2)
		_, err = f.svc.Hold(f.ctx, f.newCandidate(), holdReq(f.saa, sl))
		wantRefused(t, err, "schedule.hold.full")
		if got := f.slot(sl.ID); got.Capacity != 2 || got.Taken != 2 || got.Free() != 0 {
			t.Fatalf("slot = %+v", got)
		}
		f.checkInvariants()
	})
}

// TestStaffOnly pins AC: every console method needs its permission.
// Candidates, and staff holding every other permission, get
// portal.ErrForbidden; staff with the permission but no second factor get
// portal.ErrSecondFactorRequired; none of them changes anything.
func TestStaffOnly(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f, sl, _, seats := seatedFixture(t, engine, 1)
		b := seats[0]
		f.clock.Set(sl.StartsAt.Add(time.Hour))
		c := f.candidate
		for _, tc := range []struct {
			name string
			perm portal.Permission
			call func(a portal.Actor) error
		}{
			{"MarkNoShow", portal.PermBookingsManage, func(a portal.Actor) error { return f.svc.MarkNoShow(f.ctx, a, b.ID, "absent") }},
			{"SetCapacity", portal.PermSessionsManage, func(a portal.Actor) error { return f.centers.SetCapacity(f.ctx, a, sl.ID, 20) }},
			{"CloseSlot", portal.PermSessionsManage, func(a portal.Actor) error { _, err := f.svc.CloseSlot(f.ctx, a, sl.ID); return err }},
			{"CloseCenterDay", portal.PermSessionsManage, func(a portal.Actor) error {
				_, err := f.svc.CloseCenterDay(f.ctx, a, f.center.ID, "2026-12-20", "storm")
				return err
			}},
			{"Roster", portal.PermRostersRead, func(a portal.Actor) error {
				_, err := f.svc.Roster(f.ctx, a, f.center.ID, "2026-12-04")
				return err
			}},
			{"SearchBookings", portal.PermRostersRead, func(a portal.Actor) error {
				_, err := f.svc.SearchBookings(f.ctx, a, "Candidate")
				return err
			}},
			{"Vouchers", portal.PermVouchersManage, func(a portal.Actor) error { _, err := f.svc.Vouchers(f.ctx, a); return err }},
			{"CreateVoucher", portal.PermVouchersManage, func(a portal.Actor) error {
				_, err := f.svc.CreateVoucher(f.ctx, a, booking.VoucherRequest{Percent: 100, MaxUses: 1, ExpiresAt: f.clock.Now().Add(time.Hour)})
				return err
			}},
			{"CreateCenter", portal.PermCentersManage, func(a portal.Actor) error {
				_, err := f.centers.CreateCenter(f.ctx, a, portal.TestCenter{Code: "BOS-01"})
				return err
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if err := tc.call(c); !errors.Is(err, portal.ErrForbidden) {
					t.Fatalf("candidate: err = %v, want forbidden", err)
				}
				others := f.staff
				others.Permissions = 0
				for _, p := range portal.AllPermissions() {
					if p != tc.perm {
						others.Permissions = others.Permissions.With(p)
					}
				}
				if err := tc.call(others); !errors.Is(err, portal.ErrForbidden) {
					t.Fatalf("staff with every permission but %s: err = %v, want forbidden", tc.perm, err)
				}
				noFactor := f.staff
				noFactor.Permissions, noFactor.SecondFactor = portal.Permissions(0).With(tc.perm), false
				if err := tc.call(noFactor); !errors.Is(err, portal.ErrSecondFactorRequired) {
					t.Fatalf("staff with %s but no second factor: err = %v, want the second factor required", tc.perm, err)
				}
			})
		}
		got := f.booking(b.ID)
		if got.State != portal.BookingConfirmed {
			t.Fatalf("booking is %s after forbidden calls", got.State)
		}
		if s := f.slot(sl.ID); s.Capacity != 10 || s.ClosedAt != nil {
			t.Fatalf("slot changed by forbidden calls: %+v", s)
		}
		if n := f.count(`SELECT COUNT(*) FROM center_closures`); n != 0 {
			t.Fatalf("%d closures after a forbidden call", n)
		}

		r, err := f.svc.Roster(f.ctx, f.staff, f.center.ID, "2026-12-04")
		if err != nil || len(r.Bookings[sl.ID]) != 1 || r.Bookings[sl.ID][0].ID != b.ID {
			t.Fatalf("staff roster = %+v, %v", r, err)
		}
		found, err := f.svc.SearchBookings(f.ctx, f.staff, got.Reference)
		if err != nil || len(found) != 1 {
			t.Fatalf("staff search = %d, %v", len(found), err)
		}
		if _, err := f.svc.MyBooking(f.ctx, f.newCandidate(), got.Reference); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("another candidate reading the booking: err = %v, want not_found", err)
		}
	})
}

// TestCloseCenterDay pins the day closure: the center's slots that day
// close, confirmed candidates get a free move, holds end, and no slots are
// generated for the day again.
func TestCloseCenterDay(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		morning, evening := f.centerSlot("2026-12-15", "09:00"), f.centerSlot("2026-12-15", "17:30")
		b := f.buy(f.candidate, f.saa, morning)
		h := f.hold(f.newCandidate(), f.micro, evening)
		n, err := f.svc.CloseCenterDay(f.ctx, f.staff, f.center.ID, "2026-12-15", "power outage")
		if err != nil || n != 1 {
			t.Fatalf("CloseCenterDay = %d, %v; want 1 candidate told", n, err)
		}
		if !f.booking(b.ID).FreeReschedule || f.booking(h.ID).State != portal.BookingExpired {
			t.Fatal("closure did not give the free move or end the hold")
		}
		for _, clock := range []string{"09:00", "13:00", "17:30"} {
			if f.centerSlot("2026-12-15", clock).ClosedAt == nil {
				t.Errorf("%s session still open", clock)
			}
		}
		_, days, err := f.centers.CenterAvailability(f.ctx, f.center.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range days {
			if d.Key() == "2026-12-15" {
				t.Fatal("closed day still offered")
			}
		}
		f.checkInvariants()
	})
}

// TestCloseSlotTwice: closing a closed session is refused with its
// reason; an unknown session is not found (not "closed already").
func TestCloseSlotTwice(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sl := f.centerSlot("2026-12-04", "09:00")
		if _, err := f.svc.CloseSlot(f.ctx, f.staff, sl.ID); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.CloseSlot(f.ctx, f.staff, sl.ID)
		wantRefused(t, err, "schedule.staff.slot_closed_already")
		if _, err := f.svc.CloseSlot(f.ctx, f.staff, 99999999); portal.ErrorCode(err) != portal.ENotFound {
			t.Fatalf("closing an unknown slot: %v, want not found", err)
		}
	})
}
