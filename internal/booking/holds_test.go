package booking_test

import (
	"fmt"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestHoldLimits pins BL-04 (at most MaxHolds unpaid holds per account,
// one live booking per exam) and the bookable window (MinLead, Horizon),
// to the second.
func TestHoldLimits(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)

		t.Run("max holds", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			if max := f.svc.Config().MaxHolds; max != 5 {
				t.Fatalf("MaxHolds = %d, want the default 5", max)
			}
			// One exam per hold (one live booking per exam), one day each
			// (no overlap).
			for i := range 6 {
				e := f.createExam(portal.Exam{Code: fmt.Sprintf("LIM-%d", i), Name: "Limit", Level: portal.LevelAssociate,
					Kind: portal.KindExam, DurationMinutes: 60, Languages: "en", Delivery: portal.DeliveryTestCenter,
					PriceMinor: 1000, Currency: "USD", RetakeWaitDays: 14, MaxReschedules: 2, ValidityMonths: 12, Active: true})
				sl := f.centerSlot(fmt.Sprintf("2026-12-%02d", 4+i), "13:00")
				_, err := f.svc.Hold(f.ctx, c, booking.HoldRequest{ExamID: e.ID, SlotID: sl.ID})
				if i < 5 {
					if err != nil {
						t.Fatalf("hold %d: %v", i+1, err)
					}
					continue
				}
				pe := wantRefused(t, err, "schedule.hold.too_many")
				if pe.Data["Count"] != 5 {
					t.Errorf("Data = %v, want Count 5", pe.Data)
				}
				if got := f.slot(sl.ID).Taken; got != 0 {
					t.Errorf("refused hold took a seat: taken = %d", got)
				}
			}
			cart, err := f.svc.Cart(f.ctx, c)
			if err != nil || len(cart.Items) != 5 || cart.Total != 5000 {
				t.Fatalf("cart = %+v, %v; want 5 items for 5000", cart, err)
			}
		})

		t.Run("max holds per address", func(t *testing.T) {
			f := f.in(t)
			svc := f.newService(booking.Config{MaxHoldsPerIP: 3, Horizon: fixtureHorizon})
			sl := f.centerSlot("2026-12-15", "09:00")
			shared := func(a portal.Actor) portal.Actor { a.IP = "203.0.113.7"; return a }
			for i := range 4 {
				_, err := svc.Hold(f.ctx, shared(f.newCandidate()), holdReq(f.saa, sl))
				if i < 3 {
					if err != nil {
						t.Fatalf("hold %d from the shared address: %v", i+1, err)
					}
					continue
				}
				pe := wantRefused(t, err, "schedule.hold.too_many_from_address")
				if pe.Data["Count"] != 3 {
					t.Errorf("Data = %v, want Count 3", pe.Data)
				}
			}
			if got := f.slot(sl.ID).Taken; got != 3 {
				t.Fatalf("taken = %d, want the 3 allowed holds", got)
			}
			// Another address is not affected; when the holds run out, the
			// shared address may hold again.
			if _, err := svc.Hold(f.ctx, f.newCandidate(), holdReq(f.saa, sl)); err != nil {
				t.Fatalf("hold from another address: %v", err)
			}
			f.clock.Advance(svc.Config().HoldTTL + time.Second)
			if _, err := svc.Hold(f.ctx, shared(f.newCandidate()), holdReq(f.saa, sl)); err != nil {
				t.Fatalf("hold after the others ran out: %v", err)
			}
			if d := booking.DefaultConfig.MaxHoldsPerIP; d != 50 {
				t.Errorf("default per-address limit = %d, want 50", d)
			}
		})

		t.Run("one live booking per exam", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			first := f.hold(c, f.saa, f.centerSlot("2026-12-09", "09:00"))
			_, err := f.svc.Hold(f.ctx, c, booking.HoldRequest{ExamID: f.saa.ID, SlotID: f.centerSlot("2026-12-10", "09:00").ID})
			// The first is only in the cart: the refusal says so, not
			// "reschedule it".
			wantRefused(t, err, "schedule.rule.already_in_cart")
			// Still refused once the first is paid for.
			f.paidCheckout(c)
			_, err = f.svc.Hold(f.ctx, c, booking.HoldRequest{ExamID: f.saa.ID, SlotID: f.centerSlot("2026-12-11", "09:00").ID})
			wantRefused(t, err, "schedule.rule.already_booked")
			if b := f.booking(first.ID); b.State != portal.BookingConfirmed {
				t.Fatalf("first booking %s, want confirmed", b.State)
			}
		})

		t.Run("email not verified", func(t *testing.T) {
			f := f.in(t)
			u := f.newUser(portal.RoleCandidate, false)
			sl := f.centerSlot("2026-12-09", "13:00")
			_, err := f.svc.Hold(f.ctx, u, booking.HoldRequest{ExamID: f.saa.ID, SlotID: sl.ID})
			wantRefused(t, err, "schedule.rule.email_unverified")
			if got := f.slot(sl.ID).Taken; got != 0 {
				t.Fatalf("taken = %d after a refused hold", got)
			}
		})

		t.Run("signed out", func(t *testing.T) {
			f := f.in(t)
			_, err := f.svc.Hold(f.ctx, portal.Actor{}, booking.HoldRequest{ExamID: f.saa.ID, SlotID: f.centerSlot("2026-12-09", "13:00").ID})
			if portal.ErrorCode(err) != portal.EUnauthorized {
				t.Fatalf("err = %v, want unauthorized", err)
			}
		})
		f.checkInvariants()
	})
}

// TestHoldWindow pins the bookable window: a start closer than MinLead
// (24 h) is too soon, one beyond the horizon too far, both to the second.
func TestHoldWindow(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		soon := f.onlineSlot(fixtureNow.Add(24 * time.Hour)) // exactly MinLead ahead at fixtureNow
		far := f.onlineSlot(fixtureNow.Add(fixtureHorizon))  // exactly the horizon ahead
		beyond := f.onlineSlot(fixtureNow.Add(fixtureHorizon + 30*time.Minute))
		today := f.centerSlot("2026-12-01", "09:00") // two hours ahead
		for _, tc := range []struct {
			name string
			now  time.Time
			slot *portal.Slot
			want string
		}{
			{"today", fixtureNow, today, "schedule.hold.too_soon"},
			{"24h minus 1s", fixtureNow.Add(time.Second), soon, "schedule.hold.too_soon"},
			{"exactly 24h", fixtureNow, soon, ""},
			{"beyond horizon", fixtureNow, beyond, "schedule.hold.too_far"},
			{"horizon plus 1s", fixtureNow.Add(-time.Second), far, "schedule.hold.too_far"},
			{"exactly horizon", fixtureNow, far, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.in(t)
				f.clock.Set(tc.now)
				c := f.newCandidate()
				_, err := f.svc.Hold(f.ctx, c, booking.HoldRequest{ExamID: f.saa.ID, SlotID: tc.slot.ID})
				if tc.want == "" {
					if err != nil {
						t.Fatalf("err = %v, want a hold", err)
					}
					return
				}
				wantRefused(t, err, tc.want)
			})
		}
		f.checkInvariants()
	})
}

// TestHoldExpiry pins BL-04: when HoldTTL passes, ExpireHolds gives the
// seat and the voucher use back and the booking ends expired; a slot
// that is full only because of run-out holds accepts a new hold before
// the sweep (takeSeat sweeps the slot itself).
func TestHoldExpiry(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		ttl := f.svc.Config().HoldTTL

		t.Run("sweep", func(t *testing.T) {
			f := f.in(t)
			sl := f.centerSlot("2026-12-08", "09:00")
			v := f.createVoucher(booking.VoucherRequest{Code: "EXPIRE50", Percent: 50, MaxUses: 3})
			b := f.hold(f.candidate, f.saa, sl)
			if err := f.svc.ApplyVoucher(f.ctx, f.candidate, b.ID, "expire-50"); err != nil {
				t.Fatal(err)
			}
			if got := f.voucher(v.ID).Uses; got != 1 {
				t.Fatalf("uses = %d, want 1", got)
			}
			if got := f.slot(sl.ID).Taken; got != 1 {
				t.Fatalf("taken = %d, want 1", got)
			}

			f.clock.Advance(ttl - time.Second)
			if n, err := f.svc.ExpireHolds(f.ctx); err != nil || n != 0 {
				t.Fatalf("ExpireHolds before the TTL = %d, %v; want 0", n, err)
			}
			f.clock.Advance(time.Second) // exactly at the hold's expiry
			if n, err := f.svc.ExpireHolds(f.ctx); err != nil || n != 1 {
				t.Fatalf("ExpireHolds = %d, %v; want 1", n, err)
			}
			got := f.booking(b.ID)
			if got.State != portal.BookingExpired || got.VoucherReleasedAt == nil {
				t.Fatalf("booking %s, voucher released %v; want expired with the voucher back", got.State, got.VoucherReleasedAt)
			}
			if n := f.slot(sl.ID).Taken; n != 0 {
				t.Fatalf("taken = %d after expiry, want 0", n)
			}
			if n := f.voucher(v.ID).Uses; n != 0 {
				t.Fatalf("voucher uses = %d after expiry, want 0", n)
			}
			cart, err := f.svc.Cart(f.ctx, f.candidate)
			if err != nil || len(cart.Items) != 0 {
				t.Fatalf("cart = %+v, %v; want empty", cart, err)
			}
			if n, err := f.svc.ExpireHolds(f.ctx); err != nil || n != 0 {
				t.Fatalf("second sweep = %d, %v; want 0", n, err)
			}
			// The candidate may hold the exam again.
			f.hold(f.candidate, f.saa, sl)
			f.checkInvariants()
		})

		t.Run("full slot of run-out holds", func(t *testing.T) {
			f := f.in(t)
			sl := f.centerSlot("2026-12-09", "13:00")
			f.setCapacity(sl, 2)
			a, b := f.newCandidate(), f.newCandidate()
			ha, hb := f.hold(a, f.saa, sl), f.hold(b, f.saa, sl)
			late := f.newCandidate()
			_, err := f.svc.Hold(f.ctx, late, booking.HoldRequest{ExamID: f.saa.ID, SlotID: sl.ID})
			wantRefused(t, err, "schedule.hold.full")

			f.clock.Advance(ttl) // both holds run out; no sweep yet
			hl, err := f.svc.Hold(f.ctx, late, booking.HoldRequest{ExamID: f.saa.ID, SlotID: sl.ID})
			if err != nil {
				t.Fatalf("hold in a slot full of run-out holds: %v", err)
			}
			for _, id := range []int64{ha.ID, hb.ID} {
				if st := f.booking(id).State; st != portal.BookingExpired {
					t.Errorf("run-out hold %d is %s, want expired", id, st)
				}
			}
			if got := f.slot(sl.ID).Taken; got != 1 || f.booking(hl.ID).State != portal.BookingHeld {
				t.Fatalf("taken = %d, want 1 (the new hold)", got)
			}
			f.checkInvariants()
		})

		t.Run("release", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			sl := f.centerSlot("2026-12-10", "17:30")
			b := f.hold(c, f.micro, sl)
			other := f.newCandidate()
			if err := f.svc.Release(f.ctx, other, b.ID); portal.ErrorCode(err) != portal.ENotFound {
				t.Fatalf("another candidate releasing: err = %v, want not_found", err)
			}
			if err := f.svc.Release(f.ctx, c, b.ID); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Release(f.ctx, c, b.ID); err == nil {
				t.Fatal("second release succeeded")
			} else {
				wantRefused(t, err, "schedule.cart.not_in_cart")
			}
			if got := f.slot(sl.ID).Taken; got != 0 {
				t.Fatalf("taken = %d after release", got)
			}
			f.checkInvariants()
		})
	})
}
