package booking_test

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// The tests in this file force one interleaving of two transactions on
// PostgreSQL, where writers run concurrently under READ COMMITTED: a raw
// transaction locks a booking row, the service call under test blocks on
// it after reading its snapshot, the raw transaction changes the booking
// the way a concurrent request would and commits, and the call goes on.
// On SQLite writers are serial, so these interleavings cannot happen.

// rowLock is a raw transaction holding a booking's row lock.
type rowLock struct {
	f   *fixture
	tx  *sql.Tx
	pid int
}

func (f *fixture) lockBookingRow(id int64) *rowLock {
	f.t.Helper()
	return f.lockRow("bookings", id)
}

// lockRow locks one row of a table in a raw transaction.
func (f *fixture) lockRow(table string, id int64) *rowLock {
	f.t.Helper()
	tx, err := f.st.DB().BeginTx(f.ctx, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	l := &rowLock{f: f, tx: tx}
	f.t.Cleanup(func() { _ = tx.Rollback() })
	if err := tx.QueryRowContext(f.ctx, `SELECT pg_backend_pid()`).Scan(&l.pid); err != nil {
		f.t.Fatal(err)
	}
	var got int64
	if err := tx.QueryRowContext(f.ctx, fmt.Sprintf(`SELECT id FROM %s WHERE id = %d FOR UPDATE`, table, id)).Scan(&got); err != nil {
		f.t.Fatal(err)
	}
	return l
}

// waitBlocked waits until another session waits for this lock.
func (l *rowLock) waitBlocked() {
	l.f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		err := l.f.st.DB().QueryRowContext(l.f.ctx, fmt.Sprintf(
			`SELECT COUNT(*) FROM pg_stat_activity WHERE %d = ANY(pg_blocking_pids(pid))`, l.pid)).Scan(&n)
		if err != nil {
			l.f.t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			l.f.t.Fatal("the call under test never blocked on the row lock")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// commit runs the statements in the locking transaction and commits.
func (l *rowLock) commit(stmts ...string) {
	l.f.t.Helper()
	for _, q := range stmts {
		if _, err := l.tx.ExecContext(l.f.ctx, q); err != nil {
			l.f.t.Fatalf("%s: %v", q, err)
		}
	}
	if err := l.tx.Commit(); err != nil {
		l.f.t.Fatal(err)
	}
}

// expireSQL is what ExpireHolds does to one voucherless booking.
func expireSQL(b *portal.BookingDetail) []string {
	return []string{
		fmt.Sprintf(`UPDATE bookings SET state = 'expired' WHERE id = %d`, b.ID),
		fmt.Sprintf(`UPDATE slots SET taken = taken - 1 WHERE id = %d`, b.SlotID),
	}
}

func postgresOnly(t *testing.T, engine string) {
	t.Helper()
	if engine != store.Postgres {
		t.Skip("SQLite runs one writer at a time: this interleaving cannot happen there")
	}
}

// TestPaymentConfirmRacingExpiry: a payment confirmed while the sweep
// expires its booking must take the seat again (revive) instead of
// confirming a booking whose seat was given back (BL-01, CONC-01).
func TestPaymentConfirmRacingExpiry(t *testing.T) {
	t.Parallel()
	mock := testutil.StripeMock(t)
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		postgresOnly(t, engine)
		f := newFixture(t, engine, withStripe(mock))
		sl := f.centerSlot("2026-12-08", "09:00")
		b, p := f.stripeCheckout(f.candidate, sl)
		payload, sig := f.completed(p, "")

		lock := f.lockBookingRow(b.ID)
		done := make(chan error, 1)
		go func() { done <- f.svc.HandleStripeWebhook(f.ctx, payload, sig) }()
		lock.waitBlocked()
		lock.commit(expireSQL(b)...)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got := f.booking(b.ID); got.State != portal.BookingConfirmed || f.slot(sl.ID).Taken != 1 {
			t.Fatalf("booking %s, taken %d; want confirmed holding its seat", got.State, f.slot(sl.ID).Taken)
		}
		f.checkInvariants()
	})
}

// TestExpiryRacingVoucherRemoval: a hold expiring while its candidate
// removes the voucher gives the voucher use back once, not twice (the
// other holder keeps theirs).
func TestExpiryRacingVoucherRemoval(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		postgresOnly(t, engine)
		f := newFixture(t, engine)
		v := f.createVoucher(booking.VoucherRequest{Code: "TWOUSES", Percent: 50, MaxUses: 2})
		sl := f.centerSlot("2026-12-08", "09:00")
		a := f.hold(f.candidate, f.saa, sl)
		if err := f.svc.ApplyVoucher(f.ctx, f.candidate, a.ID, "TWOUSES"); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(10 * time.Minute)
		other := f.newCandidate()
		b := f.hold(other, f.saa, sl)
		if err := f.svc.ApplyVoucher(f.ctx, other, b.ID, "TWOUSES"); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(6 * time.Minute) // a has run out, b has not

		lock := f.lockBookingRow(a.ID)
		type result struct {
			n   int
			err error
		}
		done := make(chan result, 1)
		go func() { n, err := f.svc.ExpireHolds(f.ctx); done <- result{n, err} }()
		lock.waitBlocked()
		lock.commit( // what RemoveVoucher does
			fmt.Sprintf(`UPDATE vouchers SET uses = uses - 1 WHERE id = %d`, v.ID),
			fmt.Sprintf(`UPDATE bookings SET voucher_id = NULL, discount_minor = 0 WHERE id = %d`, a.ID))
		if r := <-done; r.err != nil || r.n != 1 {
			t.Fatalf("ExpireHolds = %d, %v; want 1", r.n, r.err)
		}
		if got := f.voucher(v.ID).Uses; got != 1 {
			t.Fatalf("voucher uses = %d, want 1 (the other hold's)", got)
		}
		f.checkInvariants()
	})
}

// TestCheckoutRacingExpiry: a checkout whose hold is swept while it runs
// is refused as a rule (the seat is no longer in the cart), not an
// internal "not found", and records nothing.
func TestCheckoutRacingExpiry(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		postgresOnly(t, engine)
		f := newFixture(t, engine)
		sl := f.centerSlot("2026-12-08", "09:00")
		b := f.hold(f.candidate, f.saa, sl)

		lock := f.lockBookingRow(b.ID)
		done := make(chan error, 1)
		go func() {
			_, err := f.svc.Checkout(f.ctx, f.candidate, booking.CheckoutRequest{Provider: portal.ProviderTest, Card: payments.TestCardSuccess})
			done <- err
		}()
		lock.waitBlocked()
		lock.commit(expireSQL(b)...)
		wantRefused(t, <-done, "schedule.cart.not_in_cart")
		if n := f.count(`SELECT COUNT(*) FROM payments`); n != 0 {
			t.Fatalf("%d payments recorded by the refused checkout", n)
		}
		if got := f.booking(b.ID); got.State != portal.BookingExpired {
			t.Fatalf("booking %s, want expired", got.State)
		}
		f.checkInvariants()
	})
}

// TestFailedPaymentRacingExpiry: a payment that fails while the sweep
// expires its booking is still recorded failed (it must not stay pending
// for ever because its booking moved), and the candidate is told the
// provider is unavailable.
func TestFailedPaymentRacingExpiry(t *testing.T) {
	t.Parallel()
	mock := testutil.StripeMock(t)
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		postgresOnly(t, engine)
		f := newFixture(t, engine, withStripe(mock))
		sl := f.centerSlot("2026-12-08", "09:00")
		b := f.hold(f.candidate, f.saa, sl)

		arrived, answer := make(chan struct{}), make(chan struct{})
		f.stripe.setIntercept(func(methodPath string) (int, string) {
			if methodPath != "POST /v1/checkout/sessions" {
				return 0, ""
			}
			close(arrived)
			<-answer
			return 400, `{"error":{"type":"invalid_request_error","message":"forced failure"}}`
		})
		done := make(chan error, 1)
		go func() {
			_, err := f.svc.Checkout(f.ctx, f.candidate, booking.CheckoutRequest{Provider: portal.ProviderStripe})
			done <- err
		}()
		select { // the booking is pending now, its payment started
		case <-arrived:
		case err := <-done:
			t.Fatalf("checkout returned before calling Stripe: %v", err)
		}
		lock := f.lockBookingRow(b.ID)
		close(answer)
		lock.waitBlocked()
		lock.commit(expireSQL(b)...)
		err := <-done
		if pe := refusal(t, err); pe.Code != portal.EUnavailable {
			t.Fatalf("err = %v, want unavailable", err)
		}
		got := f.booking(b.ID)
		if got.State != portal.BookingExpired || got.PaymentID == nil {
			t.Fatalf("booking %s, payment %v", got.State, got.PaymentID)
		}
		if p := f.payment(*got.PaymentID); p.State != portal.PaymentFailed {
			t.Fatalf("payment %s, want failed", p.State)
		}
		f.checkInvariants()
	})
}
