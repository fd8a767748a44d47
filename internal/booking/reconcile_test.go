package booking_test

import (
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestUnconfirmedTestPaymentEndsWithItsHold: a test-mode payment left
// pending (the request died between the charge and its confirmation)
// ends as cancelled when the sweep releases its seats, and every
// invariant holds afterwards.
func TestUnconfirmedTestPaymentEndsWithItsHold(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.hold(f.candidate, f.saa, f.centerSlot("2026-12-08", "09:00"))
		// The state a crash after the charge leaves: the payment pending,
		// the booking pending under it.
		now := f.clock.Now().UTC().Format("2006-01-02 15:04:05")
		f.exec(`INSERT INTO payments (reference, user_id, provider, state, amount_minor, currency, created_at, updated_at)
			VALUES ('PCRASH-0001', %d, 'test', 'pending', %d, '%s', '%s', '%s')`, f.candidate.UserID, b.PriceMinor, b.Currency, now, now)
		pid := f.count(`SELECT id FROM payments WHERE reference = 'PCRASH-0001'`)
		f.exec(`UPDATE bookings SET state = 'pending', payment_id = %d WHERE id = %d`, pid, b.ID)

		f.clock.Set(b.HoldExpiresAt.Add(time.Second))
		if n, err := f.svc.ExpireHolds(f.ctx); err != nil || n != 1 {
			t.Fatalf("ExpireHolds = %d, %v; want 1", n, err)
		}
		if got := f.payment(int64(pid)).State; got != portal.PaymentCancelled {
			t.Fatalf("payment %s, want cancelled", got)
		}
		if got := f.booking(b.ID); got.State != portal.BookingExpired || f.slot(b.SlotID).Taken != 0 {
			t.Fatalf("booking %s, slot taken %d", got.State, f.slot(b.SlotID).Taken)
		}
		f.checkInvariants()
	})
}
