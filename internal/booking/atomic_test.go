package booking_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
)

// snapshot describes, as text, everything a booking operation may
// change: bookings and payments by state, seats taken, voucher uses,
// locked legal names, and the rows of every table the operations write.
func (f *fixture) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, s := range []string{portal.BookingHeld, portal.BookingPending, portal.BookingConfirmed, portal.BookingCancelled, portal.BookingExpired} {
		fmt.Fprintf(&b, "%s=%d ", s, f.db.Count(t, `SELECT COUNT(*) FROM bookings WHERE state = ?`, s))
	}
	for _, s := range []string{portal.PaymentPending, portal.PaymentSucceeded, portal.PaymentFailed} {
		fmt.Fprintf(&b, "payment %s=%d ", s, f.db.Count(t, `SELECT COUNT(*) FROM payments WHERE state = ?`, s))
	}
	fmt.Fprintf(&b, "taken=%d uses=%d locked=%d voucher-bookings=%d;",
		f.db.Count(t, `SELECT COALESCE(SUM(taken), 0) FROM slots`),
		f.db.Count(t, `SELECT COALESCE(SUM(uses), 0) FROM vouchers`),
		f.db.Count(t, `SELECT COUNT(*) FROM users WHERE legal_name_locked_at IS NOT NULL`),
		f.db.Count(t, `SELECT COUNT(*) FROM bookings WHERE voucher_id IS NOT NULL`))
	b.WriteString(f.db.RowCounts(t, "booking_moves", "refunds", "audit_log", "events", "job_outbox"))
	return b.String()
}

// TestBookingOperationsAreAllOrNothing: a hold, a release, a checkout a
// voucher pays in full, the first step of a paid checkout (before any
// charge), a cancellation with its refund, a move and the expiry of a
// hold each write in one transaction. Whichever of their writes fails, the
// operation returns the failure and no seat, booking, payment, voucher
// use, refund, mail, event or audit row is left of it; with the failure
// gone, it succeeds.
func TestBookingOperationsAreAllOrNothing(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sl := f.centerSlot("2026-12-15", "09:00")
		other := f.centerSlot("2026-12-16", "13:00")
		f.createVoucher(booking.VoucherRequest{Code: "ALLFREE", Percent: 100, MaxUses: 10})
		state := func() string { return f.snapshot(t) }
		hold := func(c portal.Actor) *portal.BookingDetail { return f.in(t).hold(c, f.saa, sl) }
		checkout := func(c portal.Actor) error {
			_, err := f.svc.Checkout(f.ctx, c, booking.CheckoutRequest{Provider: portal.ProviderTest, Card: payments.TestCardSuccess})
			return err
		}
		w := func(table, op string) testdb.Write { return testdb.Write{Table: table, Op: op} }

		t.Run("hold", func(t *testing.T) {
			c := f.newCandidate()
			f.db.AllOrNothing(t, []testdb.Write{w("slots", "UPDATE"), w("bookings", "INSERT"), w("audit_log", "INSERT"), w("events", "INSERT")},
				state, func() error {
					_, err := f.svc.Hold(f.ctx, c, booking.HoldRequest{ExamID: f.saa.ID, SlotID: sl.ID})
					return err
				})
		})
		t.Run("release", func(t *testing.T) {
			c := f.newCandidate()
			b := hold(c)
			f.db.AllOrNothing(t, []testdb.Write{w("bookings", "UPDATE"), w("slots", "UPDATE"), w("events", "INSERT")},
				state, func() error { return f.svc.Release(f.ctx, c, b.ID) })
		})
		t.Run("apply a voucher", func(t *testing.T) {
			c := f.newCandidate()
			b := hold(c)
			f.db.AllOrNothing(t, []testdb.Write{w("bookings", "UPDATE"), w("vouchers", "UPDATE"), w("events", "INSERT")},
				state, func() error { return f.svc.ApplyVoucher(f.ctx, c, b.ID, "ALLFREE") })
		})
		t.Run("checkout paid by a voucher", func(t *testing.T) {
			c := f.newCandidate()
			b := hold(c)
			if err := f.svc.ApplyVoucher(f.ctx, c, b.ID, "ALLFREE"); err != nil {
				t.Fatal(err)
			}
			f.db.AllOrNothing(t, []testdb.Write{w("payments", "INSERT"), w("bookings", "UPDATE"), w("events", "INSERT"),
				w("audit_log", "INSERT"), w("users", "UPDATE"), w("job_outbox", "INSERT")},
				state, func() error { return checkout(c) })
		})
		t.Run("paid checkout before the charge", func(t *testing.T) {
			c := f.newCandidate()
			hold(c)
			f.db.AllOrNothing(t, []testdb.Write{w("payments", "INSERT"), w("bookings", "UPDATE"), w("events", "INSERT"), w("audit_log", "INSERT")},
				state, func() error { return checkout(c) })
		})
		t.Run("cancel with a refund", func(t *testing.T) {
			c := f.newCandidate()
			b := f.in(t).buy(c, f.saa, sl)
			f.db.AllOrNothing(t, []testdb.Write{w("bookings", "UPDATE"), w("events", "INSERT"), w("slots", "UPDATE"), w("refunds", "INSERT"),
				w("job_outbox", "INSERT"), testdb.QueuedMail, w("audit_log", "INSERT")},
				state, func() error { _, err := f.svc.Cancel(f.ctx, c, b.ID, "Plans changed"); return err })
			if r := f.in(t).refunds(c, b.ID); r == nil || r.AmountMinor != b.ChargedMinor {
				t.Fatalf("refund = %+v, want %d", r, b.ChargedMinor)
			}
		})
		t.Run("move", func(t *testing.T) {
			c := f.newCandidate()
			b := f.in(t).buy(c, f.saa, sl)
			f.db.AllOrNothing(t, []testdb.Write{w("slots", "UPDATE"), w("bookings", "UPDATE"), w("booking_moves", "INSERT"),
				w("events", "INSERT"), w("audit_log", "INSERT"), w("job_outbox", "INSERT")},
				state, func() error { _, err := f.reschedule(c, b.ID, other.ID); return err })
		})
		t.Run("a hold runs out", func(t *testing.T) {
			hold(f.newCandidate())
			f.clock.Advance(booking.DefaultConfig.HoldTTL + time.Second)
			f.db.AllOrNothing(t, []testdb.Write{w("bookings", "UPDATE"), w("slots", "UPDATE"), w("events", "INSERT")},
				state, func() error { _, err := f.svc.ExpireHolds(f.ctx); return err })
		})
		f.checkInvariants()
	})
}
