package booking_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestCheckoutRacingVoucherChange pins BL-03 and CONC-06: a voucher
// applied to or removed from a hold while its cart is checked out either
// happens before the checkout (which then charges the new amount) or is
// refused after it; the checkout never charges a price the booking no
// longer has. Many tries with both calls started together; on PostgreSQL
// the calls run concurrently (without the candidate's lock, about one try
// in three confirmed the booking at the discounted price with the
// voucher's use given back).
func TestCheckoutRacingVoucherChange(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		tries := 40
		if engine == store.SQLite {
			tries = 8 // one writer at a time: the outcome is one of the two orders
		}
		sl := f.centerSlot("2026-12-08", "09:00")
		f.setCapacity(sl, tries)
		for try := range tries {
			remove := try%2 == 0
			code := fmt.Sprintf("RACE%03d", try)
			v := f.createVoucher(booking.VoucherRequest{Code: code, Percent: 50, MaxUses: 1})
			c := f.newCandidate()
			b := f.hold(c, f.saa, sl)
			if remove {
				if err := f.svc.ApplyVoucher(f.ctx, c, b.ID, code); err != nil {
					t.Fatal(err)
				}
			}
			start := make(chan struct{})
			var wg sync.WaitGroup
			var checkoutErr, voucherErr error
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				_, checkoutErr = f.svc.Checkout(f.ctx, c, booking.CheckoutRequest{Provider: portal.ProviderTest, Card: payments.TestCardSuccess})
			}()
			go func() {
				defer wg.Done()
				<-start
				if remove {
					voucherErr = f.svc.RemoveVoucher(f.ctx, c, b.ID)
				} else {
					voucherErr = f.svc.ApplyVoucher(f.ctx, c, b.ID, code)
				}
			}()
			close(start)
			wg.Wait()
			if checkoutErr != nil {
				t.Fatalf("try %d: checkout: %v", try, checkoutErr)
			}
			if voucherErr != nil { // only ever after the checkout: the seat left the cart
				wantRefused(t, voucherErr, "schedule.cart.not_in_cart")
			}
			got := f.booking(b.ID)
			if got.State != portal.BookingConfirmed || got.PaymentID == nil {
				t.Fatalf("try %d: booking %s, payment %v; want confirmed", try, got.State, got.PaymentID)
			}
			p := f.payment(*got.PaymentID)
			withVoucher := got.VoucherID != nil
			if wantVoucher := (remove && voucherErr != nil) || (!remove && voucherErr == nil); withVoucher != wantVoucher {
				t.Fatalf("try %d (remove %v, voucher call %v): booking has a voucher %v", try, remove, voucherErr, withVoucher)
			}
			want, wantUses := int64(15000), 0
			if withVoucher {
				want, wantUses = 7500, 1
			}
			if p.AmountMinor != want || got.ChargedMinor != want || got.AmountMinor() != want {
				t.Fatalf("try %d (remove %v, voucher call %v): paid %d, charged %d, booking amount %d; want %d each",
					try, remove, voucherErr, p.AmountMinor, got.ChargedMinor, got.AmountMinor(), want)
			}
			if uses := f.voucher(v.ID).Uses; uses != wantUses {
				t.Fatalf("try %d: voucher uses %d, want %d", try, uses, wantUses)
			}
		}
		f.checkInvariants()
	})
}

// TestCheckoutChargesWhatItPriced forces the interleaving on PostgreSQL:
// the voucher is removed after checkout read the cart and before it moved
// the booking to pending (here behind the candidate's lock's back). The
// move is conditional on the pricing read, so the checkout is refused and
// records nothing, instead of charging the discounted price for a booking
// without its voucher.
func TestCheckoutChargesWhatItPriced(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		postgresOnly(t, engine)
		f := newFixture(t, engine)
		v := f.createVoucher(booking.VoucherRequest{Code: "HALFOFF", Percent: 50, MaxUses: 1})
		b := f.hold(f.candidate, f.saa, f.centerSlot("2026-12-08", "09:00"))
		if err := f.svc.ApplyVoucher(f.ctx, f.candidate, b.ID, "HALFOFF"); err != nil {
			t.Fatal(err)
		}
		lock := f.lockBookingRow(b.ID)
		done := make(chan error, 1)
		go func() {
			_, err := f.svc.Checkout(f.ctx, f.candidate, booking.CheckoutRequest{Provider: portal.ProviderTest, Card: payments.TestCardSuccess})
			done <- err
		}()
		lock.waitBlocked()
		lock.commit( // what RemoveVoucher does
			fmt.Sprintf(`UPDATE vouchers SET uses = uses - 1 WHERE id = %d`, v.ID),
			fmt.Sprintf(`UPDATE bookings SET voucher_id = NULL, discount_minor = 0 WHERE id = %d`, b.ID))
		wantRefused(t, <-done, "schedule.checkout.cart_changed")
		if n := f.count(`SELECT COUNT(*) FROM payments`); n != 0 {
			t.Fatalf("%d payments recorded by the refused checkout", n)
		}
		if got := f.booking(b.ID); got.State != portal.BookingHeld || got.ChargedMinor != 0 {
			t.Fatalf("booking %s charged %d, want held and uncharged", got.State, got.ChargedMinor)
		}
		// Paying again charges the cart as it is now.
		res := f.paidCheckout(f.candidate)
		if res.Payment.AmountMinor != 15000 {
			t.Fatalf("paid %d, want the full 15000", res.Payment.AmountMinor)
		}
		f.checkInvariants()
	})
}

// TestRefundIsWhatWasCharged pins BL-03: a booking bought at half price
// with a voucher and cancelled in the full-refund window refunds exactly
// what was charged (7,500), never the list price (15,000); in the 50% tier
// it refunds half of what was charged.
func TestRefundIsWhatWasCharged(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.createVoucher(booking.VoucherRequest{Code: "HALFOFF", Percent: 50, MaxUses: 10})
		for _, tc := range []struct {
			name       string
			hoursAhead int
			want       int64
		}{
			{"full refund window", 72, 7500},
			{"half refund tier", 30, 3750},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.in(t)
				c := f.newCandidate()
				sl := f.centerSlot("2026-12-10", "09:00")
				b := f.hold(c, f.saa, sl)
				if err := f.svc.ApplyVoucher(f.ctx, c, b.ID, "HALFOFF"); err != nil {
					t.Fatal(err)
				}
				res := f.paidCheckout(c)
				got := f.booking(b.ID)
				if res.Payment.AmountMinor != 7500 || got.ChargedMinor != 7500 {
					t.Fatalf("paid %d, booking charged %d; want 7500 each", res.Payment.AmountMinor, got.ChargedMinor)
				}
				saved := f.clock.Now()
				defer f.clock.Set(saved)
				f.clock.Set(sl.StartsAt.Add(-time.Duration(tc.hoursAhead) * time.Hour))
				if q, err := f.svc.QuoteCancel(got); err != nil || q.Refund != tc.want {
					t.Fatalf("quote = %+v, %v; want a refund of %d", q, err, tc.want)
				}
				if _, err := f.svc.Cancel(f.ctx, c, b.ID, ""); err != nil {
					t.Fatal(err)
				}
				r := f.refunds(c, b.ID)
				if r == nil || r.AmountMinor != tc.want {
					t.Fatalf("refund = %+v, want %d", r, tc.want)
				}
				f.runRefundJobs(1)
				f.checkInvariants()
			})
		}
	})
}

// TestRefundsNeverExceedThePayment pins BL-03 at the store: the refunds
// of one payment never add up to more than its amount, also when two
// refunds of it are recorded at the same time (the payment's row is
// locked before its refunds are counted).
func TestRefundsNeverExceedThePayment(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		a := f.hold(f.candidate, f.saa, f.centerSlot("2026-12-08", "09:00"))
		b := f.hold(f.candidate, f.micro, f.centerSlot("2026-12-09", "09:00"))
		p := f.paidCheckout(f.candidate).Payment
		if p.AmountMinor != 20000 {
			t.Fatalf("paid %d, want 20000", p.AmountMinor)
		}
		refund := func(booking int64, amount int64) error {
			return f.st.Transact(f.ctx, func(tx *store.Tx) error {
				_, err := tx.CreateRefund(f.ctx, portal.Refund{BookingID: booking, PaymentID: p.ID, AmountMinor: amount, Currency: "USD"})
				return err
			})
		}
		if err := refund(a.ID, 20001); !errors.Is(err, store.ErrRefundExceedsPayment) {
			t.Fatalf("refund above the payment: err = %v, want ErrRefundExceedsPayment", err)
		}
		// Two refunds of 12,000 each at once: one fits, the other would
		// take the refunds to 24,000.
		start := make(chan struct{})
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, id := range []int64{a.ID, b.ID} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = refund(id, 12000)
			}()
		}
		close(start)
		wg.Wait()
		ok, over := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrRefundExceedsPayment):
				over++
			default:
				t.Fatalf("err = %v", err)
			}
		}
		if ok != 1 || over != 1 {
			t.Fatalf("%d refunds recorded, %d refused; want 1 and 1", ok, over)
		}
		if got := f.count(`SELECT COALESCE(SUM(amount_minor), 0) FROM refunds WHERE payment_id = %d`, p.ID); got != 12000 {
			t.Fatalf("refunded %d, want 12000", got)
		}
	})
}

// TestRefundRacingRefund forces the interleaving on PostgreSQL: a refund
// of a payment is recorded while another one, in a transaction still
// open, holds the payment's row and has recorded its own. The second
// waits for the first, then counts it, and is refused: together they
// would exceed the payment.
func TestRefundRacingRefund(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		postgresOnly(t, engine)
		f := newFixture(t, engine)
		a := f.hold(f.candidate, f.saa, f.centerSlot("2026-12-08", "09:00"))
		b := f.hold(f.candidate, f.micro, f.centerSlot("2026-12-09", "09:00"))
		p := f.paidCheckout(f.candidate).Payment

		lock := f.lockRow("payments", p.ID)
		done := make(chan error, 1)
		go func() {
			done <- f.st.Transact(f.ctx, func(tx *store.Tx) error {
				_, err := tx.CreateRefund(f.ctx, portal.Refund{BookingID: b.ID, PaymentID: p.ID, AmountMinor: 12000, Currency: "USD"})
				return err
			})
		}()
		lock.waitBlocked()
		lock.commit(fmt.Sprintf(`INSERT INTO refunds (booking_id, payment_id, amount_minor, currency, state, created_at, updated_at)
			VALUES (%d, %d, 12000, 'USD', 'requested', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`, a.ID, p.ID))
		if err := <-done; !errors.Is(err, store.ErrRefundExceedsPayment) {
			t.Fatalf("second refund: err = %v, want ErrRefundExceedsPayment", err)
		}
		if got := f.count(`SELECT COALESCE(SUM(amount_minor), 0) FROM refunds WHERE payment_id = %d`, p.ID); got != 12000 {
			t.Fatalf("refunded %d, want 12000", got)
		}
	})
}
