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
)

// feeExam is an exam whose reschedules cost USD 25.00.
func (f *fixture) feeExam() *portal.Exam {
	f.t.Helper()
	return f.createExam(portal.Exam{
		Code: "DVA-C02", Name: "Developer Associate", DurationMinutes: 130, Languages: "en",
		Delivery: portal.DeliveryTestCenter + "," + portal.DeliveryOnline, PriceMinor: 15000, Currency: "USD",
		RetakeWaitDays: 14, MaxReschedules: 2, RescheduleFeeMinor: 2500, Active: true,
	})
}

// moves returns a booking's moves.
func (f *fixture) moves(b *portal.BookingDetail) []*portal.MoveDetail {
	f.t.Helper()
	list, err := f.st.ListMovesByBooking(f.ctx, b.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

// wantUnmoved fails unless the booking is still confirmed at from with
// no reschedule counted, and from holds its seat while to holds none of
// the candidate's.
func (f *fixture) wantUnmoved(b *portal.BookingDetail, from, to *portal.Slot, toTaken int) {
	f.t.Helper()
	got := f.booking(b.ID)
	if got.State != portal.BookingConfirmed || got.SlotID != from.ID || got.Reschedules != 0 {
		f.t.Fatalf("booking %s at slot %d with %d reschedules; want confirmed at %d with 0", got.State, got.SlotID, got.Reschedules, from.ID)
	}
	if f.slot(from.ID).Taken != 1 || f.slot(to.ID).Taken != toTaken {
		f.t.Fatalf("taken: from %d, to %d; want 1 and %d", f.slot(from.ID).Taken, f.slot(to.ID).Taken, toTaken)
	}
}

// TestRescheduleFeeWithTestCard: a move of an exam with a fee needs a way
// to pay it; a declined card moves nothing and charges nothing; a good
// card moves the booking in the transaction that records the fee. A
// later cancellation refunds the booking under its policy and keeps the
// fee of the move that happened. Money adds up at every step.
func TestRescheduleFeeWithTestCard(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		exam := f.feeExam()
		from := f.centerSlot("2026-12-10", "09:00")
		to := f.centerSlot("2026-12-12", "13:00")
		b := f.buy(f.candidate, exam, from)
		if fee, err := f.svc.RescheduleFee(b); err != nil || fee != 2500 {
			t.Fatalf("RescheduleFee = %d, %v; want 2500", fee, err)
		}

		_, err := f.svc.Reschedule(f.ctx, f.candidate, b.ID, booking.RescheduleRequest{SlotID: to.ID})
		wantField(t, err, "provider", "schedule.reschedule.fee_due")
		if pe := refusal(t, err); pe.Data["AmountMinor"] != int64(2500) || pe.Data["Currency"] != "USD" {
			t.Fatalf("fee_due data = %v", pe.Data)
		}
		if n := f.count(`SELECT COUNT(*) FROM payments WHERE purpose = 'reschedule_fee'`); n != 0 {
			t.Fatalf("%d fee payments after a refusal, want 0", n)
		}

		_, err = f.svc.Reschedule(f.ctx, f.candidate, b.ID, booking.RescheduleRequest{SlotID: to.ID,
			Provider: portal.ProviderTest, Card: payments.TestCardDeclined})
		wantField(t, err, "card", "schedule.reschedule.declined")
		f.wantUnmoved(b, from, to, 0)
		if m := f.moves(b); len(m) != 1 || m[0].State != portal.MoveFailed || m[0].PaymentState != portal.PaymentFailed || m[0].Refunded() {
			t.Fatalf("moves after a declined card = %+v", m)
		}
		f.checkInvariants()

		res, err := f.svc.Reschedule(f.ctx, f.candidate, b.ID, booking.RescheduleRequest{SlotID: to.ID,
			Provider: portal.ProviderTest, Card: payments.TestCardSuccess})
		if err != nil {
			t.Fatalf("paid reschedule: %v", err)
		}
		if res.Booking.SlotID != to.ID || res.Booking.Reschedules != 1 || res.RedirectURL != "" {
			t.Fatalf("moved = %+v", res.Booking.Booking)
		}
		if p := res.Payment; p.State != portal.PaymentSucceeded || p.Purpose != portal.PurposeRescheduleFee || p.AmountMinor != 2500 || p.ProviderRef == "" {
			t.Fatalf("fee payment = %+v", p)
		}
		if res.Move.State != portal.MoveDone || res.Move.FeeMinor != 2500 || res.Move.FromSlotID != from.ID || res.Move.ToSlotID != to.ID {
			t.Fatalf("move = %+v", res.Move)
		}
		if f.slot(from.ID).Taken != 0 || f.slot(to.ID).Taken != 1 {
			t.Fatalf("taken: from %d, to %d; want 0 and 1", f.slot(from.ID).Taken, f.slot(to.ID).Taken)
		}
		if *f.booking(b.ID).PaymentID != *b.PaymentID {
			t.Fatal("the fee replaced the booking's own payment")
		}
		mails := f.mails(b.Reference)
		if m := mails[len(mails)-1]; m.Data["Change"] != "rescheduled" {
			t.Fatalf("last mail = %v, want the reschedule notice", m.Data["Change"])
		}
		f.checkInvariants()

		// Cancelled 48 h or more ahead: the booking's price comes back in
		// full; the fee paid for the move that happened does not.
		if _, err := f.svc.Cancel(f.ctx, f.candidate, b.ID, ""); err != nil {
			t.Fatal(err)
		}
		if r := f.refunds(f.candidate, b.ID); r == nil || r.AmountMinor != 15000 || r.PaymentID != *b.PaymentID {
			t.Fatalf("refund = %+v, want 15000 of the booking's payment", r)
		}
		if n := f.count(`SELECT COUNT(*) FROM refunds WHERE payment_id = %d`, res.Payment.ID); n != 0 {
			t.Fatalf("%d refunds of the fee, want 0", n)
		}
		f.runRefundJobs(1)
		f.checkInvariants()
	})
}

// TestRescheduleFeeRules: the fee is the exam's fee at purchase, kept in
// the booking's policy (a later change of the exam's fee applies to later
// purchases only); an exam without a fee moves for free without payment
// details; a move the center caused (closed session) costs nothing.
func TestRescheduleFeeRules(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		exam := f.feeExam()
		early := f.buy(f.candidate, exam, f.centerSlot("2026-12-10", "09:00"))
		f.exec(`UPDATE exams SET reschedule_fee_minor = 4000 WHERE id = %d`, exam.ID)
		late := f.newCandidate()
		later := f.buy(late, exam, f.centerSlot("2026-12-10", "13:00"))
		for _, tc := range []struct {
			b    *portal.BookingDetail
			want int64
		}{{early, 2500}, {later, 4000}} {
			if fee, err := f.svc.RescheduleFee(tc.b); err != nil || fee != tc.want {
				t.Fatalf("booking %s: fee %d, %v; want %d", tc.b.Reference, fee, err, tc.want)
			}
		}

		free := f.buy(f.newCandidate(), f.saa, f.centerSlot("2026-12-11", "09:00"))
		if fee, _ := f.svc.RescheduleFee(free); fee != 0 {
			t.Fatalf("fee of an exam without one = %d", fee)
		}
		moved, err := f.reschedule(actorOf(free), free.ID, f.centerSlot("2026-12-14", "09:00").ID)
		if err != nil || moved.Reschedules != 1 {
			t.Fatalf("free move: %v, %+v", err, moved)
		}
		if m := f.moves(free); len(m) != 1 || m[0].State != portal.MoveDone || m[0].PaymentID != nil || m[0].Free {
			t.Fatalf("free move recorded as %+v", m)
		}

		// The center closes the session: the move is free and not counted.
		if _, err := f.svc.CloseSlot(f.ctx, f.staff, early.SlotID); err != nil {
			t.Fatal(err)
		}
		closed := f.booking(early.ID)
		if fee, _ := f.svc.RescheduleFee(closed); fee != 0 {
			t.Fatalf("fee after the center closed the session = %d, want 0", fee)
		}
		moved, err = f.reschedule(f.candidate, early.ID, f.centerSlot("2026-12-15", "09:00").ID)
		if err != nil || moved.Reschedules != 0 {
			t.Fatalf("move after a closure: %v, %+v", err, moved)
		}
		if m := f.moves(early); len(m) != 1 || !m[0].Free || m[0].FeeMinor != 0 {
			t.Fatalf("closure move recorded as %+v", m)
		}
		if n := f.count(`SELECT COUNT(*) FROM payments WHERE purpose = 'reschedule_fee'`); n != 0 {
			t.Fatalf("%d fee payments, want 0", n)
		}
		f.checkInvariants()
	})
}

// actorOf is the candidate actor owning a booking.
func actorOf(b *portal.BookingDetail) portal.Actor {
	return portal.Actor{UserID: b.UserID, Role: portal.RoleCandidate, IP: "192.0.2.1", RequestID: "test"}
}

// stripeMove starts a move of b to sl paid with Stripe.
func (f *fixture) stripeMove(b *portal.BookingDetail, sl *portal.Slot) *booking.RescheduleResult {
	f.t.Helper()
	res, err := f.svc.Reschedule(f.ctx, actorOf(b), b.ID, booking.RescheduleRequest{SlotID: sl.ID, Provider: portal.ProviderStripe})
	if err != nil {
		f.t.Fatalf("stripe move: %v", err)
	}
	if res.RedirectURL == "" || res.Move.State != portal.MovePending || res.Payment.State != portal.PaymentPending ||
		!strings.HasPrefix(res.Payment.ProviderRef, "cs_") {
		f.t.Fatalf("stripe move = %+v, move %+v, payment %+v", res, res.Move, res.Payment)
	}
	return res
}

// TestRescheduleFeeWithStripe: a move paid on Stripe's page waits for its
// webhook, which makes the move once however often it is delivered. When
// the new time is taken before the payment arrives, the booking stays, the
// fee is refunded once through the provider and the candidate is told. An
// unpaid move ends with the payment window, and a newer choice replaces
// an older one; a payment for either that still arrives is refunded.
func TestRescheduleFeeWithStripe(t *testing.T) {
	t.Parallel()
	mock := testutil.StripeMock(t)
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Run("paid", func(t *testing.T) {
			f := newFixture(t, engine, withStripe(mock))
			exam := f.feeExam()
			from, to := f.centerSlot("2026-12-10", "09:00"), f.centerSlot("2026-12-12", "13:00")
			b := f.buy(f.candidate, exam, from)
			res := f.stripeMove(b, to)
			f.wantUnmoved(b, from, to, 0)
			f.deliverConcurrently(t, 3, func(int) ([]byte, string) { return f.completed(res.Payment, "evt_fee_paid") })
			payload, sig := f.completed(res.Payment, "evt_fee_paid_again")
			if err := f.svc.HandleStripeWebhook(f.ctx, payload, sig); err != nil {
				t.Fatal(err)
			}
			got := f.booking(b.ID)
			if got.SlotID != to.ID || got.Reschedules != 1 || f.slot(from.ID).Taken != 0 || f.slot(to.ID).Taken != 1 {
				t.Fatalf("after the webhook: slot %d, %d reschedules, taken %d/%d", got.SlotID, got.Reschedules, f.slot(from.ID).Taken, f.slot(to.ID).Taken)
			}
			if m := f.moves(b); len(m) != 1 || m[0].State != portal.MoveDone || m[0].PaymentState != portal.PaymentSucceeded {
				t.Fatalf("moves = %+v", m)
			}
			if n := f.audits("scheduling.rescheduled", "booking:"+b.Reference); n != 1 {
				t.Fatalf("%d moves audited, want 1", n)
			}
			f.checkInvariants()
		})

		t.Run("time taken meanwhile", func(t *testing.T) {
			f := newFixture(t, engine, withStripe(mock))
			exam := f.feeExam()
			from, to := f.centerSlot("2026-12-10", "09:00"), f.centerSlot("2026-12-12", "13:00")
			b := f.buy(f.candidate, exam, from)
			f.setCapacity(to, 1)
			res := f.stripeMove(b, to)
			f.buy(f.newCandidate(), f.saa, to) // the last seat goes while the candidate pays
			payload, sig := f.completed(res.Payment, "evt_fee_late")
			if err := f.svc.HandleStripeWebhook(f.ctx, payload, sig); err != nil {
				t.Fatal(err)
			}
			f.wantUnmoved(b, from, to, 1)
			m := f.moves(b)
			if len(m) != 1 || m[0].State != portal.MoveFailed || m[0].Failure != "schedule.hold.full" || !m[0].Refunded() {
				t.Fatalf("moves = %+v", m)
			}
			mails := f.mails(b.Reference)
			if last := mails[len(mails)-1]; last.Data["Change"] != "move_failed" || fmt.Sprint(last.Data["RefundMinor"]) != "2500" || len(last.Attachments) != 0 {
				t.Fatalf("last mail = %v (refund %v, %d attachments), want move_failed with the fee", last.Data["Change"], last.Data["RefundMinor"], len(last.Attachments))
			}
			f.checkInvariants()
			if n := f.runRefundJobs(2); n != 1 {
				t.Fatalf("%d refund jobs, want 1", n)
			}
			if n := f.stripe.calls("POST /v1/refunds"); n != 1 { // the job ran twice; the second finds it done
				t.Fatalf("%d refund calls, want 1", n)
			}
			if n := f.count(`SELECT COUNT(*) FROM refunds WHERE payment_id = %d AND state = 'succeeded' AND amount_minor = 2500`, res.Payment.ID); n != 1 {
				t.Fatalf("%d succeeded fee refunds, want 1", n)
			}
			f.checkInvariants()
		})

		t.Run("window passes, then a late payment", func(t *testing.T) {
			f := newFixture(t, engine, withStripe(mock))
			exam := f.feeExam()
			from, to := f.centerSlot("2026-12-10", "09:00"), f.centerSlot("2026-12-12", "13:00")
			b := f.buy(f.candidate, exam, from)
			res := f.stripeMove(b, to)
			f.clock.Advance(f.svc.Config().PaymentWindow + time.Second)
			if _, err := f.svc.ExpireHolds(f.ctx); err != nil {
				t.Fatal(err)
			}
			if m := f.moves(b); m[0].State != portal.MoveFailed || m[0].Failure != "expired" {
				t.Fatalf("move after the window = %+v", m[0])
			}
			if n := f.stripe.calls("POST /v1/checkout/sessions/" + res.Payment.ProviderRef + "/expire"); n != 1 {
				t.Fatalf("%d session expiries, want 1", n)
			}
			if p := f.payment(res.Payment.ID); p.State != portal.PaymentCancelled {
				t.Fatalf("fee payment %s, want cancelled", p.State)
			}
			f.checkInvariants()
			payload, sig := f.completed(res.Payment, "evt_fee_after_window")
			if err := f.svc.HandleStripeWebhook(f.ctx, payload, sig); err != nil {
				t.Fatal(err)
			}
			f.wantUnmoved(b, from, to, 0)
			if m := f.moves(b); !m[0].Refunded() {
				t.Fatalf("late fee not refunded: %+v", m[0])
			}
			f.checkInvariants()
		})

		t.Run("newer choice replaces", func(t *testing.T) {
			f := newFixture(t, engine, withStripe(mock))
			exam := f.feeExam()
			from := f.centerSlot("2026-12-10", "09:00")
			first, second := f.centerSlot("2026-12-12", "13:00"), f.centerSlot("2026-12-14", "09:00")
			b := f.buy(f.candidate, exam, from)
			old := f.stripeMove(b, first)
			res, err := f.svc.Reschedule(f.ctx, f.candidate, b.ID, booking.RescheduleRequest{SlotID: second.ID,
				Provider: portal.ProviderTest, Card: payments.TestCardSuccess})
			if err != nil || res.Booking.SlotID != second.ID {
				t.Fatalf("second choice: %v", err)
			}
			if n := f.stripe.calls("POST /v1/checkout/sessions/" + old.Payment.ProviderRef + "/expire"); n != 1 {
				t.Fatalf("%d expiries of the replaced session, want 1", n)
			}
			payload, sig := f.completed(old.Payment, "evt_fee_replaced")
			if err := f.svc.HandleStripeWebhook(f.ctx, payload, sig); err != nil {
				t.Fatal(err)
			}
			got := f.booking(b.ID)
			if got.SlotID != second.ID || got.Reschedules != 1 || f.slot(first.ID).Taken != 0 {
				t.Fatalf("the replaced move's payment moved the booking: slot %d, %d reschedules", got.SlotID, got.Reschedules)
			}
			m := f.moves(b)
			if len(m) != 2 || m[0].Failure != "superseded" || !m[0].Refunded() || m[1].State != portal.MoveDone {
				t.Fatalf("moves = %+v %+v", m[0], m[1])
			}
			f.checkInvariants()
		})
	})
}
