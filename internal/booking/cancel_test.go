package booking_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestCancelTiers pins BL-02 and BL-03: the refund tier is chosen from
// the slot's UTC instant and the server clock, at each boundary to the
// second (≥ 48 h: 100 %; 24–48 h: 50 %; < 24 h: refused), and the amount
// is exact in minor units, rounded down (15001 at 50 % is 7500).
func TestCancelTiers(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		odd := f.createExam(portal.Exam{Code: "ODD-01", Name: "Odd price", DurationMinutes: 60, Languages: "en",
			Delivery: portal.DeliveryTestCenter, PriceMinor: 15001, Currency: "USD", RetakeWaitDays: 14, MaxReschedules: 2, Active: true})
		sl := f.centerSlot("2026-12-10", "09:00")
		start := sl.StartsAt
		if want := time.Date(2026, 12, 10, 14, 0, 0, 0, time.UTC); !start.Equal(want) {
			t.Fatalf("slot starts %s, want %s", start, want)
		}
		cases := []struct {
			name    string
			at      time.Time
			percent int
			refund  int64
			want    string
		}{
			{"exactly 48h before", start.Add(-48 * time.Hour), 100, 15001, ""},
			{"48h before plus 1s", start.Add(-48*time.Hour + time.Second), 50, 7500, ""},
			{"exactly 24h before", start.Add(-24 * time.Hour), 50, 7500, ""},
			{"24h before plus 1s", start.Add(-24*time.Hour + time.Second), 0, 0, "schedule.cancel.too_late"},
		}
		bookings := make([]*portal.BookingDetail, len(cases))
		buyers := make([]portal.Actor, len(cases))
		for i := range cases {
			buyers[i] = f.newCandidate()
			bookings[i] = f.buy(buyers[i], odd, sl)
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				f := f.in(t)
				f.clock.Set(tc.at)
				b := f.booking(bookings[i].ID)
				q, err := f.svc.QuoteCancel(b)
				if err != nil {
					t.Fatal(err)
				}
				if !q.Deadline.Equal(start.Add(-24*time.Hour)) || q.Allowed != (tc.want == "") || q.Percent != tc.percent || q.Refund != tc.refund {
					t.Fatalf("quote = %+v; want allowed %v, %d%%, %d, deadline %s", q, tc.want == "", tc.percent, tc.refund, start.Add(-24*time.Hour))
				}
				got, err := f.svc.Cancel(f.ctx, buyers[i], b.ID, "changed plans")
				if tc.want != "" {
					pe := wantRefused(t, err, tc.want)
					if d := dataTime(t, pe, "Date"); !d.Equal(start.Add(-24 * time.Hour)) {
						t.Errorf("Date = %s, want the deadline", d)
					}
					if b := f.booking(b.ID); b.State != portal.BookingConfirmed {
						t.Fatalf("refused cancel left %s", b.State)
					}
					if r := f.refunds(buyers[i], b.ID); r != nil {
						t.Fatalf("refused cancel made refund %+v", r)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got.State != portal.BookingCancelled || got.CancelledAt == nil || !got.CancelledAt.Equal(tc.at) || got.CancelReason != "changed plans" {
					t.Fatalf("cancelled booking = %+v", got.Booking)
				}
				r := f.refunds(buyers[i], b.ID)
				if r == nil || r.AmountMinor != tc.refund || r.State != portal.RefundRequested || r.Currency != "USD" || r.PaymentID != *b.PaymentID {
					t.Fatalf("refund = %+v; want %d requested", r, tc.refund)
				}
				mails := f.mails(b.Reference)
				last := mails[len(mails)-1]
				if last.Data["Change"] != "cancelled" || last.Data["RefundMinor"] != float64(tc.refund) ||
					!strings.Contains(string(last.Attachments[0].Content), "METHOD:CANCEL\r\n") {
					t.Fatalf("cancellation mail = %+v", last.Data)
				}
			})
		}
		if got := f.slot(sl.ID).Taken; got != 1 {
			t.Fatalf("taken = %d, want 1 (the booking that could not cancel)", got)
		}
		f.checkInvariants()
	})
}

// TestCancelOnce pins BL-01 and CONC-07: cancelling twice is a conflict
// with no second refund; the refund job pays out once, however often it
// runs, and records the provider's refund.
func TestCancelOnce(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.candidate
		b := f.buy(c, f.saa, f.centerSlot("2026-12-10", "09:00"))
		if _, err := f.svc.Cancel(f.ctx, c, b.ID, ""); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Cancel(f.ctx, c, b.ID, "")
		pe := wantRefused(t, err, "schedule.cancel.not_cancellable")
		if pe.Code != portal.EConflict {
			t.Fatalf("code = %s, want conflict", pe.Code)
		}
		if n := f.count(`SELECT COUNT(*) FROM refunds WHERE booking_id = %d`, b.ID); n != 1 {
			t.Fatalf("%d refunds, want 1", n)
		}
		if n := len(f.outbox(booking.KindRefund)); n != 1 {
			t.Fatalf("%d refund jobs, want 1", n)
		}
		if n := f.audits("scheduling.cancelled", "booking:"+b.Reference); n != 1 {
			t.Fatalf("%d cancel audits, want 1", n)
		}

		f.runRefundJobs(2)
		r := f.refunds(c, b.ID)
		if r.State != portal.RefundSucceeded || !strings.HasPrefix(r.ProviderRef, "test_re_") || r.AmountMinor != 15000 {
			t.Fatalf("refund = %+v; want succeeded with a test refund", r)
		}
		if n := f.audits("scheduling.refunded", ""); n != 1 {
			t.Fatalf("%d refunded audits after two runs, want 1", n)
		}
		// A malformed job fails for good instead of retrying forever.
		if err := f.svc.HandleRefundJob(f.ctx, json.RawMessage(`{"refund_id":0}`)); err == nil {
			t.Fatal("bad refund job accepted")
		}
		// Another candidate cannot cancel it, or see it exist.
		other := f.buy(f.newCandidate(), f.saa, f.centerSlot("2026-12-10", "09:00"))
		if _, err := f.svc.Cancel(f.ctx, c, other.ID, ""); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("cancel of another's booking: err = %v, want not_found", err)
		}
		f.checkInvariants()
	})
}

// TestCancelUnderPurchasePolicy pins BL-03: the refund policy is the one
// stored with the booking at purchase, whatever the program's policy is
// when the candidate cancels; new purchases get the new policy.
func TestCancelUnderPurchasePolicy(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sl := f.centerSlot("2026-12-12", "09:00")
		old := f.buy(f.candidate, f.saa, sl)

		strict := f.cfg
		strict.Policy = booking.Policy{Version: "2027-01", Tiers: []booking.Tier{{MinHours: 96, Percent: 100}, {MinHours: 72, Percent: 25}}}
		svc2 := f.newService(strict)
		f.clock.Set(sl.StartsAt.Add(-50 * time.Hour))

		// A purchase under the new policy, for comparison.
		late := f.newCandidate()
		if _, err := svc2.Hold(f.ctx, late, booking.HoldRequest{ExamID: f.saa.ID, SlotID: sl.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc2.Checkout(f.ctx, late, booking.CheckoutRequest{Provider: portal.ProviderTest, Card: payments.TestCardSuccess}); err != nil {
			t.Fatal(err)
		}
		list, err := svc2.MyBookings(f.ctx, late)
		if err != nil || len(list) != 1 {
			t.Fatalf("bookings = %v, %v", list, err)
		}
		if pol, err := booking.DecodePolicy(list[0].Policy); err != nil || pol.Version != "2027-01" {
			t.Fatalf("new booking's policy = %+v, %v; want 2027-01", pol, err)
		}
		if q, _ := svc2.QuoteCancel(list[0]); q.Allowed {
			t.Fatalf("new policy quote at 50h = %+v; want refused", q)
		}
		_, err = svc2.Cancel(f.ctx, late, list[0].ID, "")
		wantRefused(t, err, "schedule.cancel.too_late")

		// The earlier purchase keeps its 48-hour full refund.
		q, err := svc2.QuoteCancel(f.booking(old.ID))
		if err != nil || !q.Allowed || q.Percent != 100 || q.Refund != 15000 {
			t.Fatalf("old booking quote = %+v, %v; want 100%% of 15000", q, err)
		}
		if _, err := svc2.Cancel(f.ctx, f.candidate, old.ID, ""); err != nil {
			t.Fatal(err)
		}
		if r := f.refunds(f.candidate, old.ID); r == nil || r.AmountMinor != 15000 {
			t.Fatalf("refund = %+v, want 15000", r)
		}
		f.checkInvariants()
	})
}

// TestCancelVoucherBooking pins that a voucher-paid booking cancelled in
// time gets its voucher use back and no money refund (nothing was paid);
// staff may cancel any booking at any time with a full refund.
func TestCancelVoucherBooking(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		v := f.createVoucher(booking.VoucherRequest{Code: "RETAKEFREE", Percent: 100, MaxUses: 1})
		sl := f.centerSlot("2026-12-10", "09:00")
		b := f.hold(f.candidate, f.saa, sl)
		if err := f.svc.ApplyVoucher(f.ctx, f.candidate, b.ID, "RETAKEFREE"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Checkout(f.ctx, f.candidate, booking.CheckoutRequest{}); err != nil {
			t.Fatal(err)
		}
		if got := f.voucher(v.ID).Uses; got != 1 {
			t.Fatalf("uses = %d", got)
		}
		got, err := f.svc.Cancel(f.ctx, f.candidate, b.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if got.VoucherReleasedAt == nil || f.voucher(v.ID).Uses != 0 {
			t.Fatalf("voucher released at %v, uses %d; want the use back", got.VoucherReleasedAt, f.voucher(v.ID).Uses)
		}
		if r := f.refunds(f.candidate, b.ID); r != nil {
			t.Fatalf("refund %+v for a voucher booking", r)
		}
		// The use is available again.
		c2 := f.newCandidate()
		b2 := f.hold(c2, f.saa, sl)
		if err := f.svc.ApplyVoucher(f.ctx, c2, b2.ID, "RETAKEFREE"); err != nil {
			t.Fatal(err)
		}
		f.checkInvariants()

		t.Run("staff after the deadline", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			paid := f.buy(c, f.micro, sl)
			f.clock.Set(sl.StartsAt.Add(-time.Hour))
			_, err := f.svc.Cancel(f.ctx, c, paid.ID, "")
			wantRefused(t, err, "schedule.cancel.too_late")
			// Staff who may read bookings but not act on them do not see it.
			reader := f.newStaff(portal.SetSupport)
			if _, err := f.svc.Cancel(f.ctx, reader, paid.ID, "center request"); !errors.Is(err, portal.ErrNotFound) {
				t.Fatalf("support staff cancelling: err = %v, want not found", err)
			}
			if _, err := f.svc.Cancel(f.ctx, f.staff, paid.ID, "center request"); err != nil {
				t.Fatal(err)
			}
			if r := f.refunds(c, paid.ID); r == nil || r.AmountMinor != 5000 {
				t.Fatalf("staff cancel refund = %+v, want the full 5000", r)
			}
			f.checkInvariants()
		})
	})
}

// TestCancelReasonLength: a cancellation reason of up to 500 characters
// is kept (trimmed); a longer one is refused next to its field and the
// booking stays confirmed.
func TestCancelReasonLength(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.buy(f.candidate, f.saa, f.centerSlot("2026-12-20", "09:00"))
		_, err := f.svc.Cancel(f.ctx, f.candidate, b.ID, strings.Repeat("é", booking.MaxCancelReason+1))
		wantField(t, err, "reason", "schedule.cancel.reason_too_long")
		if st := f.booking(b.ID).State; st != portal.BookingConfirmed {
			t.Fatalf("booking %s after a refused cancellation", st)
		}
		got, err := f.svc.Cancel(f.ctx, f.candidate, b.ID, "  "+strings.Repeat("é", booking.MaxCancelReason)+"  ")
		if err != nil {
			t.Fatalf("cancel with 500 characters: %v", err)
		}
		if got.CancelReason != strings.Repeat("é", booking.MaxCancelReason) {
			t.Fatalf("reason kept as %d runes, want 500", len([]rune(got.CancelReason)))
		}
	})
}

// TestRefundRefusedByTheProvider: a refund the provider refuses for good
// (here: the payment it names is not one the provider knows) is recorded
// as failed at once, with an audit row for staff, instead of being
// retried until the job gives up and left "requested" for ever.
func TestRefundRefusedByTheProvider(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.buy(f.candidate, f.saa, f.centerSlot("2026-12-20", "09:00"))
		f.exec(`UPDATE payments SET provider_ref = 'unknown_charge' WHERE id = %d`, *b.PaymentID)
		if _, err := f.svc.Cancel(f.ctx, f.candidate, b.ID, ""); err != nil {
			t.Fatal(err)
		}
		jobs := f.outbox(booking.KindRefund)
		if len(jobs) != 1 {
			t.Fatalf("%d refund jobs, want 1", len(jobs))
		}
		err := f.svc.HandleRefundJob(f.ctx, json.RawMessage(jobs[0].Args))
		if !errors.Is(err, payments.ErrRefundRefused) {
			t.Fatalf("refund job: %v, want the provider's refusal", err)
		}
		r := f.refunds(f.candidate, b.ID)
		if r == nil || r.State != portal.RefundFailed || r.Failure == "" {
			t.Fatalf("refund = %+v, want failed with the reason", r)
		}
		if n := f.audits("scheduling.refund_failed", fmt.Sprintf("refund:%d", r.ID)); n != 1 {
			t.Fatalf("%d refund_failed audits, want 1", n)
		}
		f.checkInvariants()
	})
}
