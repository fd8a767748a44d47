package booking_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestVoucherDiscount pins the discount arithmetic: a percent of the price
// in integer minor units, rounded down, charged exactly; a full-value
// voucher needs no payment provider and confirms with a zero payment.
func TestVoucherDiscount(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		odd := f.createExam(portal.Exam{Code: "ODD-01", Name: "Odd price", DurationMinutes: 60, Languages: "en",
			Delivery: portal.DeliveryTestCenter, PriceMinor: 15001, Currency: "USD", RetakeWaitDays: 14, MaxReschedules: 2, Active: true})

		t.Run("percent", func(t *testing.T) {
			f := f.in(t)
			v := f.createVoucher(booking.VoucherRequest{Code: "SAVE33", Percent: 33, MaxUses: 10})
			c := f.newCandidate()
			b := f.hold(c, odd, f.centerSlot("2026-12-08", "13:00"))
			if err := f.svc.ApplyVoucher(f.ctx, c, b.ID, " save-33 "); err != nil {
				t.Fatal(err)
			}
			got := f.booking(b.ID)
			// 33 % of 15001 is 4950.33: the discount is 4950, the price 10051.
			if got.DiscountMinor != 4950 || got.AmountMinor() != 10051 || got.VoucherID == nil || *got.VoucherID != v.ID {
				t.Fatalf("discount %d, amount %d, voucher %v; want 4950, 10051, %d", got.DiscountMinor, got.AmountMinor(), got.VoucherID, v.ID)
			}
			cart, err := f.svc.Cart(f.ctx, c)
			if err != nil || cart.Total != 10051 {
				t.Fatalf("cart total = %v, %v; want 10051", cart, err)
			}
			err = f.svc.ApplyVoucher(f.ctx, c, b.ID, "SAVE33")
			wantRefused(t, err, "schedule.voucher.one_per_booking")
			res := f.paidCheckout(c)
			if res.Payment.AmountMinor != 10051 || res.Payment.State != portal.PaymentSucceeded || res.Payment.Provider != portal.ProviderTest {
				t.Fatalf("payment = %+v; want 10051 succeeded through test mode", res.Payment)
			}
			if got := f.voucher(v.ID).Uses; got != 1 {
				t.Fatalf("uses = %d, want 1", got)
			}
		})

		t.Run("full value", func(t *testing.T) {
			f := f.in(t)
			v := f.createVoucher(booking.VoucherRequest{Code: "FREEEXAM", Percent: 100, ExamCodes: []string{"saa-c03"}, MaxUses: 1})
			c := f.newCandidate()
			b := f.hold(c, f.saa, f.centerSlot("2026-12-08", "13:00"))
			if err := f.svc.ApplyVoucher(f.ctx, c, b.ID, "FREEEXAM"); err != nil {
				t.Fatal(err)
			}
			res, err := f.svc.Checkout(f.ctx, c, booking.CheckoutRequest{}) // no provider, no card
			if err != nil {
				t.Fatal(err)
			}
			p := res.Payment
			if p.Provider != portal.ProviderVoucher || p.AmountMinor != 0 || p.State != portal.PaymentSucceeded {
				t.Fatalf("payment = %+v; want a succeeded voucher payment of 0", p)
			}
			got := f.booking(b.ID)
			if got.State != portal.BookingConfirmed || got.AmountMinor() != 0 || got.PaymentID == nil || *got.PaymentID != p.ID {
				t.Fatalf("booking %s amount %d payment %v; want confirmed for 0 by payment %d", got.State, got.AmountMinor(), got.PaymentID, p.ID)
			}
			if got := f.voucher(v.ID).Uses; got != 1 {
				t.Fatalf("uses = %d, want 1", got)
			}
			if len(f.mails(got.Reference)) != 1 {
				t.Fatalf("want one confirmation mail")
			}
		})
		f.checkInvariants()
	})
}

// TestVoucherRefusals pins who may redeem what: the voucher's exams, its
// owner, before its expiry, while uses remain.
func TestVoucherRefusals(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		owner := f.newCandidate()
		f.createVoucher(booking.VoucherRequest{Code: "MICROONLY", Percent: 100, ExamCodes: []string{"MCR-101"}})
		f.createVoucher(booking.VoucherRequest{Code: "SHORTLIVED", Percent: 50, MaxUses: 5, ExpiresAt: fixtureNow.Add(time.Hour)})
		f.createVoucher(booking.VoucherRequest{Code: "PERSONAL1", Percent: 100, OwnerUserID: &owner.UserID})
		used := f.createVoucher(booking.VoucherRequest{Code: "ONCEONLY", Percent: 20, MaxUses: 1})

		// Used up by someone else first.
		first := f.newCandidate()
		fb := f.hold(first, f.saa, f.centerSlot("2026-12-09", "09:00"))
		if err := f.svc.ApplyVoucher(f.ctx, first, fb.ID, "ONCEONLY"); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour) // SHORTLIVED ends now: expiry is exclusive

		for _, tc := range []struct {
			name, code, want string
			actor            portal.Actor
		}{
			{"unknown", "NOSUCHCODE", "schedule.voucher.unknown", f.candidate},
			{"empty", "  ", "schedule.voucher.unknown", f.candidate},
			{"wrong exam", "MICROONLY", "schedule.voucher.wrong_exam", f.candidate},
			{"expired", "SHORTLIVED", "schedule.voucher.expired", f.candidate},
			{"another user's", "PERSONAL1", "schedule.voucher.not_yours", f.candidate},
			{"used up", "ONCEONLY", "schedule.voucher.used_up", f.candidate},
			{"owner's own", "PERSONAL1", "", owner},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.in(t)
				b := f.hold(tc.actor, f.saa, f.centerSlot("2026-12-10", "09:00"))
				defer func() {
					if err := f.svc.Release(f.ctx, tc.actor, b.ID); err != nil {
						t.Fatal(err)
					}
				}()
				err := f.svc.ApplyVoucher(f.ctx, tc.actor, b.ID, tc.code)
				if tc.want == "" {
					if err != nil {
						t.Fatalf("err = %v, want the voucher applied", err)
					}
					return
				}
				wantField(t, err, "code", tc.want)
				if got := f.booking(b.ID); got.VoucherID != nil || got.DiscountMinor != 0 {
					t.Fatalf("refused voucher left voucher %v discount %d", got.VoucherID, got.DiscountMinor)
				}
			})
		}
		if got := f.voucher(used.ID).Uses; got != 1 {
			t.Fatalf("ONCEONLY uses = %d, want 1", got)
		}
		t.Run("another user's booking", func(t *testing.T) {
			f := f.in(t)
			err := f.svc.ApplyVoucher(f.ctx, f.candidate, fb.ID, "SHORTLIVED")
			if !errors.Is(err, portal.ErrNotFound) {
				t.Fatalf("err = %v, want not_found", err)
			}
		})
		t.Run("candidates may not create vouchers", func(t *testing.T) {
			f := f.in(t)
			for _, a := range []portal.Actor{f.candidate, f.newStaff(portal.SetSupport)} {
				_, err := f.svc.CreateVoucher(f.ctx, a, booking.VoucherRequest{Code: "SELFSERVE", Percent: 100, MaxUses: 1, ExpiresAt: f.clock.Now().Add(time.Hour)})
				if !errors.Is(err, portal.ErrForbidden) {
					t.Fatalf("%s: err = %v, want forbidden", a.Role, err)
				}
			}
		})
		f.checkInvariants()
	})
}

// TestVoucherUses pins the use count: a single-use voucher raced by 20
// candidates is redeemed exactly once; removing it or releasing the hold
// gives the use back, exactly once.
func TestVoucherUses(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		v := f.createVoucher(booking.VoucherRequest{Code: "RACEME", Percent: 100, MaxUses: 1})
		const n = 20
		racers := f.newUsers(portal.RoleCandidate, true, n)
		holds := make([]*portal.BookingDetail, n)
		for i, a := range racers {
			holds[i] = f.hold(a, f.saa, f.onlineSlot(time.Date(2026, 12, 8, 14, 0, 0, 0, time.UTC).Add(time.Duration(i/10)*5*time.Hour)))
		}
		start := make(chan struct{})
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i, a := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = f.svc.ApplyVoucher(f.ctx, a, holds[i].ID, "RACEME")
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			var pe *portal.Error
			switch {
			case err == nil:
				if winner >= 0 {
					t.Fatalf("candidates %d and %d both redeemed a single-use voucher", winner, i)
				}
				winner = i
			case errors.As(err, &pe) && pe.Message == "schedule.voucher.used_up":
			default:
				t.Errorf("racer %d: err = %v, want nil or used_up", i, err)
			}
		}
		if winner < 0 {
			t.Fatal("nobody redeemed the voucher")
		}
		if got := f.voucher(v.ID).Uses; got != 1 {
			t.Fatalf("uses = %d, want 1", got)
		}
		f.checkInvariants()

		// Remove it: the use comes back once, and another may take it.
		w := racers[winner]
		if err := f.svc.RemoveVoucher(f.ctx, w, holds[winner].ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RemoveVoucher(f.ctx, w, holds[winner].ID); err == nil {
			t.Fatal("second RemoveVoucher succeeded")
		}
		if got := f.voucher(v.ID).Uses; got != 0 {
			t.Fatalf("uses after removal = %d, want 0", got)
		}
		if b := f.booking(holds[winner].ID); b.VoucherID != nil || b.DiscountMinor != 0 {
			t.Fatalf("removed voucher left voucher %v discount %d", b.VoucherID, b.DiscountMinor)
		}
		other := (winner + 1) % n
		if err := f.svc.ApplyVoucher(f.ctx, racers[other], holds[other].ID, "RACEME"); err != nil {
			t.Fatal(err)
		}
		// Releasing the hold gives it back too.
		if err := f.svc.Release(f.ctx, racers[other], holds[other].ID); err != nil {
			t.Fatal(err)
		}
		if got := f.voucher(v.ID).Uses; got != 0 {
			t.Fatalf("uses after release = %d, want 0", got)
		}
		f.checkInvariants()
	})
}
