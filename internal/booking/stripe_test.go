package booking_test

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// stripeCheckout holds a seat and starts a Stripe checkout for it.
func (f *fixture) stripeCheckout(c portal.Actor, sl *portal.Slot) (*portal.BookingDetail, *portal.Payment) {
	f.t.Helper()
	b := f.hold(c, f.saa, sl)
	res, err := f.svc.Checkout(f.ctx, c, booking.CheckoutRequest{Provider: portal.ProviderStripe})
	if err != nil {
		f.t.Fatalf("stripe checkout: %v", err)
	}
	if res.RedirectURL == "" || res.Payment.State != portal.PaymentPending || !strings.HasPrefix(res.Payment.ProviderRef, "cs_") {
		f.t.Fatalf("stripe checkout = %+v, payment %+v", res, res.Payment)
	}
	got := f.booking(b.ID)
	until := f.clock.Now().Add(f.svc.Config().PaymentWindow)
	if got.State != portal.BookingPending || got.HoldExpiresAt == nil || !got.HoldExpiresAt.Equal(until) {
		f.t.Fatalf("booking %s until %v; want pending until %s", got.State, got.HoldExpiresAt, until)
	}
	return got, res.Payment
}

// completed returns a signed checkout.session.completed event paying p.
func (f *fixture) completed(p *portal.Payment, id string) ([]byte, string) {
	f.t.Helper()
	return testutil.StripeEvent(f.t, stripeTestSecret, testutil.StripeEventData{ID: id, Type: "checkout.session.completed",
		Reference: p.Reference, SessionID: p.ProviderRef, PaymentIntent: "pi_test_" + p.Reference, PaymentStatus: "paid",
		Currency: p.Currency, AmountMinor: p.AmountMinor}, time.Now())
}

// expireUnpaid moves the clock past the payment window and sweeps.
func (f *fixture) expireUnpaid(b *portal.BookingDetail) {
	f.t.Helper()
	f.clock.Set(*b.HoldExpiresAt)
	if n, err := f.svc.ExpireHolds(f.ctx); err != nil || n != 1 {
		f.t.Fatalf("ExpireHolds = %d, %v; want 1", n, err)
	}
	if got := f.booking(b.ID); got.State != portal.BookingExpired {
		f.t.Fatalf("booking %s after the payment window, want expired", got.State)
	}
	if got := f.slot(b.SlotID).Taken; got != 0 {
		f.t.Fatalf("taken = %d after expiry", got)
	}
	// The payment page closes with the seats: Stripe is asked to expire
	// the session and the payment is recorded as cancelled.
	if n := f.stripe.calls("POST /v1/checkout/sessions/" + f.payment(*f.booking(b.ID).PaymentID).ProviderRef + "/expire"); n != 1 {
		f.t.Fatalf("%d session expiries, want 1", n)
	}
	p := f.payment(*f.booking(b.ID).PaymentID)
	if p.State != portal.PaymentCancelled {
		f.t.Fatalf("payment %s after expiry, want cancelled", p.State)
	}
	// ... and says so in the events, by the system.
	if n := f.count(`SELECT COUNT(*) FROM events WHERE type = '%s' AND subject_kind = '%s' AND subject_id = %d AND actor_id IS NULL`,
		portal.EventPaymentCancelled, portal.SubjectPayment, p.ID); n != 1 {
		f.t.Fatalf("%d payment.cancelled events, want 1", n)
	}
}

// TestStripeLatePayment pins BL-01 and CONC-05 for a payment that arrives
// after its hold ran out: the booking is confirmed if its seat is still
// free, else the whole amount is refunded (exactly once, through the
// provider) and the slot is never oversold.
func TestStripeLatePayment(t *testing.T) {
	t.Parallel()
	mock := testutil.StripeMock(t)
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Run("seat still free", func(t *testing.T) {
			f := newFixture(t, engine, withStripe(mock))
			sl := f.centerSlot("2026-12-08", "09:00")
			b, p := f.stripeCheckout(f.candidate, sl)
			if f.stripe.calls("POST /v1/checkout/sessions") != 1 {
				t.Fatal("no checkout session created")
			}
			f.expireUnpaid(b)

			payload, sig := f.completed(p, "")
			if err := f.svc.HandleStripeWebhook(f.ctx, payload, sig); err != nil {
				t.Fatal(err)
			}
			got := f.booking(b.ID)
			if got.State != portal.BookingConfirmed || f.slot(sl.ID).Taken != 1 {
				t.Fatalf("booking %s, taken %d; want confirmed in its seat", got.State, f.slot(sl.ID).Taken)
			}
			if pay := f.payment(p.ID); pay.State != portal.PaymentSucceeded || pay.ProviderRef != "pi_test_"+p.Reference {
				t.Fatalf("payment = %+v", pay)
			}
			if len(f.mails(got.Reference)) != 1 || f.refunds(f.candidate, b.ID) != nil {
				t.Fatal("want one confirmation mail and no refund")
			}
			f.checkInvariants()
		})

		t.Run("slot filled meanwhile", func(t *testing.T) {
			f := newFixture(t, engine, withStripe(mock))
			sl := f.centerSlot("2026-12-08", "09:00")
			f.setCapacity(sl, 1)
			b, p := f.stripeCheckout(f.candidate, sl)
			f.expireUnpaid(b)
			f.buy(f.newCandidate(), f.saa, sl) // takes the only seat

			payload, sig := f.completed(p, "")
			if err := f.svc.HandleStripeWebhook(f.ctx, payload, sig); err != nil {
				t.Fatal(err)
			}
			got := f.booking(b.ID)
			if got.State != portal.BookingExpired || f.slot(sl.ID).Taken != 1 {
				t.Fatalf("booking %s, taken %d; want expired and no oversell", got.State, f.slot(sl.ID).Taken)
			}
			r := f.refunds(f.candidate, b.ID)
			if r == nil || r.AmountMinor != 15000 || r.State != portal.RefundRequested {
				t.Fatalf("refund = %+v; want the full 15000 requested", r)
			}
			if f.audits("scheduling.late_payment_refunded", "booking:"+got.Reference) != 1 || f.audits("scheduling.confirmed", "booking:"+got.Reference) != 0 {
				t.Fatal("want one late-payment refund audit and no confirmation")
			}
			f.checkInvariants()

			// The refund job pays out once through Stripe, however often it runs.
			f.runRefundJobs(3)
			if n := f.stripe.calls("POST /v1/refunds"); n != 1 {
				t.Fatalf("%d Stripe refunds, want 1", n)
			}
			if r := f.refunds(f.candidate, b.ID); r.State != portal.RefundSucceeded || !strings.HasPrefix(r.ProviderRef, "re_") {
				t.Fatalf("refund = %+v; want succeeded with a re_ id", r)
			}
			f.checkInvariants()
		})

		t.Run("same event five times at once", func(t *testing.T) {
			f := newFixture(t, engine, withStripe(mock))
			sl := f.centerSlot("2026-12-08", "09:00")
			b, p := f.stripeCheckout(f.candidate, sl)
			f.expireUnpaid(b)
			payload, sig := f.completed(p, "evt_test_dup")
			f.deliverConcurrently(t, 5, func(int) ([]byte, string) { return payload, sig })
			got := f.booking(b.ID)
			if got.State != portal.BookingConfirmed || f.slot(sl.ID).Taken != 1 {
				t.Fatalf("booking %s, taken %d", got.State, f.slot(sl.ID).Taken)
			}
			if n := len(f.mails(got.Reference)); n != 1 {
				t.Fatalf("%d confirmation mails, want 1", n)
			}
			if n := f.audits("scheduling.confirmed", "booking:"+got.Reference); n != 1 {
				t.Fatalf("%d confirmed audits, want 1", n)
			}
			if n := f.count(`SELECT COUNT(*) FROM webhook_events`); n != 1 {
				t.Fatalf("%d recorded events, want 1", n)
			}
			f.checkInvariants()
		})

		t.Run("different events for one payment at once", func(t *testing.T) {
			f := newFixture(t, engine, withStripe(mock))
			sl := f.centerSlot("2026-12-08", "09:00")
			b, p := f.stripeCheckout(f.candidate, sl)
			f.deliverConcurrently(t, 5, func(int) ([]byte, string) { return f.completed(p, "") })
			got := f.booking(b.ID)
			if got.State != portal.BookingConfirmed || f.slot(sl.ID).Taken != 1 || len(f.mails(got.Reference)) != 1 {
				t.Fatalf("booking %s, taken %d, %d mails", got.State, f.slot(sl.ID).Taken, len(f.mails(got.Reference)))
			}
			f.checkInvariants()
		})

		t.Run("bad signatures", func(t *testing.T) {
			f := newFixture(t, engine, withStripe(mock))
			sl := f.centerSlot("2026-12-08", "09:00")
			b, p := f.stripeCheckout(f.candidate, sl)
			payload, sig := f.completed(p, "")
			tampered := bytes.Replace(payload, []byte(`"amount_total":15000`), []byte(`"amount_total":1`), 1)
			if bytes.Equal(tampered, payload) {
				t.Fatal("payload has no amount_total to tamper with")
			}
			foreign, foreignSig := testutil.StripeEvent(t, "whsec_someone_else", testutil.StripeEventData{Type: "checkout.session.completed",
				Reference: p.Reference, PaymentIntent: "pi_x", PaymentStatus: "paid", Currency: "USD", AmountMinor: 15000}, time.Now())
			stale, staleSig := testutil.StripeEvent(t, stripeTestSecret, testutil.StripeEventData{Type: "checkout.session.completed",
				Reference: p.Reference, PaymentIntent: "pi_x", PaymentStatus: "paid", Currency: "USD", AmountMinor: 15000}, time.Now().Add(-10*time.Minute))
			for _, tc := range []struct {
				name    string
				payload []byte
				sig     string
			}{
				{"tampered body", tampered, sig},
				{"other secret", foreign, foreignSig},
				{"ten minutes old", stale, staleSig},
				{"no signature", payload, ""},
			} {
				err := f.svc.HandleStripeWebhook(f.ctx, tc.payload, tc.sig)
				if !errors.Is(err, payments.ErrBadSignature) {
					t.Errorf("%s: err = %v, want ErrBadSignature", tc.name, err)
				}
			}
			if got := f.booking(b.ID); got.State != portal.BookingPending {
				t.Fatalf("booking %s after bad webhooks, want pending", got.State)
			}
			if pay := f.payment(p.ID); pay.State != portal.PaymentPending {
				t.Fatalf("payment %s after bad webhooks", pay.State)
			}
			if n := f.count(`SELECT COUNT(*) FROM webhook_events`); n != 0 {
				t.Fatalf("%d events recorded from bad webhooks", n)
			}

			// Authentic but for another amount: refused, nothing applied.
			wrong, wrongSig := testutil.StripeEvent(t, stripeTestSecret, testutil.StripeEventData{Type: "checkout.session.completed",
				Reference: p.Reference, PaymentIntent: "pi_x", PaymentStatus: "paid", Currency: "USD", AmountMinor: 1}, time.Now())
			if err := f.svc.HandleStripeWebhook(f.ctx, wrong, wrongSig); err == nil {
				t.Fatal("event paying another amount was accepted")
			}
			if got := f.booking(b.ID); got.State != portal.BookingPending || f.count(`SELECT COUNT(*) FROM webhook_events`) != 0 {
				t.Fatalf("wrong-amount event changed the booking to %s", got.State)
			}
			// The genuine event still works afterwards.
			if err := f.svc.HandleStripeWebhook(f.ctx, payload, sig); err != nil {
				t.Fatal(err)
			}
			if got := f.booking(b.ID); got.State != portal.BookingConfirmed {
				t.Fatalf("booking %s after the genuine event", got.State)
			}
			f.checkInvariants()
		})

		t.Run("stale completed after cancel and refund", func(t *testing.T) {
			f := newFixture(t, engine, withStripe(mock))
			sl := f.centerSlot("2026-12-08", "09:00")
			b, p := f.stripeCheckout(f.candidate, sl)
			first, firstSig := f.completed(p, "evt_test_first")
			if err := f.svc.HandleStripeWebhook(f.ctx, first, firstSig); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Cancel(f.ctx, f.candidate, b.ID, ""); err != nil {
				t.Fatal(err)
			}
			f.runRefundJobs(1)
			if r := f.refunds(f.candidate, b.ID); r == nil || r.State != portal.RefundSucceeded || r.AmountMinor != 15000 {
				t.Fatalf("refund = %+v", r)
			}
			stale, staleSig := f.completed(p, "evt_test_retry")
			for _, ev := range [][2][]byte{{stale, []byte(staleSig)}, {first, []byte(firstSig)}} {
				if err := f.svc.HandleStripeWebhook(f.ctx, ev[0], string(ev[1])); err != nil {
					t.Fatal(err)
				}
			}
			got := f.booking(b.ID)
			if got.State != portal.BookingCancelled || f.slot(sl.ID).Taken != 0 {
				t.Fatalf("booking %s, taken %d; want it to stay cancelled", got.State, f.slot(sl.ID).Taken)
			}
			if n := f.audits("scheduling.confirmed", "booking:"+got.Reference); n != 1 {
				t.Fatalf("%d confirmations, want 1", n)
			}
			if n := f.count(`SELECT COUNT(*) FROM refunds`); n != 1 {
				t.Fatalf("%d refunds, want 1", n)
			}
			f.checkInvariants()
		})

		t.Run("session expired", func(t *testing.T) {
			f := newFixture(t, engine, withStripe(mock))
			sl := f.centerSlot("2026-12-08", "09:00")
			b, p := f.stripeCheckout(f.candidate, sl)
			payload, sig := testutil.StripeEvent(t, stripeTestSecret, testutil.StripeEventData{Type: "checkout.session.expired",
				Reference: p.Reference, SessionID: p.ProviderRef, Currency: "USD", AmountMinor: 15000}, time.Now())
			if err := f.svc.HandleStripeWebhook(f.ctx, payload, sig); err != nil {
				t.Fatal(err)
			}
			if got := f.booking(b.ID); got.State != portal.BookingExpired || f.slot(sl.ID).Taken != 0 {
				t.Fatalf("booking %s, taken %d; want expired, seat back", got.State, f.slot(sl.ID).Taken)
			}
			if pay := f.payment(p.ID); pay.State != portal.PaymentFailed {
				t.Fatalf("payment %s, want failed", pay.State)
			}
			f.checkInvariants()
		})
	})
}

// deliverConcurrently delivers n events at once; each must be accepted.
func (f *fixture) deliverConcurrently(t *testing.T, n int, event func(i int) ([]byte, string)) {
	t.Helper()
	type delivery struct {
		payload []byte
		sig     string
	}
	ds := make([]delivery, n)
	for i := range ds {
		ds[i].payload, ds[i].sig = event(i)
	}
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = f.svc.HandleStripeWebhook(f.ctx, ds[i].payload, ds[i].sig)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("delivery %d: %v", i, err)
		}
	}
}

// TestOnePaymentPerBooking pins CONC-02's "at most one payment intent per
// booking": ten checkouts of the same cart at once (two tabs, a double
// click, several instances) create one payment and one Checkout Session;
// the others find nothing left in the cart.
func TestOnePaymentPerBooking(t *testing.T) {
	t.Parallel()
	mock := testutil.StripeMock(t)
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, withStripe(mock))
		b := f.hold(f.candidate, f.saa, f.centerSlot("2026-12-08", "09:00"))
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.svc.Checkout(f.ctx, f.candidate, booking.CheckoutRequest{Provider: portal.ProviderStripe})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			var pe *portal.Error
			switch {
			case err == nil:
				ok++
			case errors.As(err, &pe) && pe.Message == "schedule.checkout.empty":
			default:
				t.Errorf("checkout: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d checkouts went through, want 1", ok)
		}
		if n := f.count(`SELECT COUNT(*) FROM payments`); n != 1 {
			t.Fatalf("%d payments, want 1", n)
		}
		if n := f.stripe.calls("POST /v1/checkout/sessions"); n != 1 {
			t.Fatalf("%d Checkout Sessions, want 1", n)
		}
		if got := f.booking(b.ID); got.State != portal.BookingPending || got.PaymentID == nil {
			t.Fatalf("booking %s with payment %v", got.State, got.PaymentID)
		}
	})
}

// TestStripeLatePaymentStillChecksEligibility: a payment that arrives
// after its hold ran out takes the seat back only if every booking rule
// still allows it; here the candidate booked another exam at the same time
// meanwhile, so the late payment is refunded instead.
func TestStripeLatePaymentStillChecksEligibility(t *testing.T) {
	t.Parallel()
	mock := testutil.StripeMock(t)
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, withStripe(mock))
		sl := f.centerSlot("2026-12-08", "09:00")
		b, p := f.stripeCheckout(f.candidate, sl)
		f.expireUnpaid(b)
		f.buy(f.candidate, f.micro, sl) // the same session: overlaps the first
		payload, sig := f.completed(p, "")
		if err := f.svc.HandleStripeWebhook(f.ctx, payload, sig); err != nil {
			t.Fatal(err)
		}
		if got := f.booking(b.ID); got.State != portal.BookingExpired {
			t.Fatalf("late payment revived an overlapping booking: %s", got.State)
		}
		if r := f.refunds(f.candidate, b.ID); r == nil || r.AmountMinor != 15000 {
			t.Fatalf("refund = %+v, want the full 15000", r)
		}
		f.checkInvariants()
	})
}

// TestAbandonStripeCheckout: a candidate who leaves Stripe's page through
// its cancel link finds the seat back in the cart (and can pay another
// way); the session is expired at Stripe so it cannot be paid any more.
// Another candidate cannot end someone else's payment. A move's fee left
// unpaid drops the move and leaves the booking as it was.
func TestAbandonStripeCheckout(t *testing.T) {
	t.Parallel()
	mock := testutil.StripeMock(t)
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, withStripe(mock))
		sl := f.centerSlot("2026-12-08", "09:00")
		b, p := f.stripeCheckout(f.candidate, sl)
		if _, _, err := f.svc.AbandonCheckout(f.ctx, f.newCandidate(), p.Reference); portal.ErrorCode(err) != portal.ENotFound {
			t.Fatalf("another candidate's abandon: %v, want not found", err)
		}
		got, booking, err := f.svc.AbandonCheckout(f.ctx, f.candidate, p.Reference)
		if err != nil || got.State != portal.PaymentFailed || booking != "" {
			t.Fatalf("AbandonCheckout = %+v, %q, %v; want the payment failed", got, booking, err)
		}
		if n := f.stripe.calls("POST /v1/checkout/sessions/" + p.ProviderRef + "/expire"); n != 1 {
			t.Fatalf("%d session expiries, want 1", n)
		}
		if st := f.booking(b.ID).State; st != portal.BookingHeld || f.slot(sl.ID).Taken != 1 {
			t.Fatalf("booking %s after abandoning, want held with its seat", st)
		}
		cart, err := f.svc.Cart(f.ctx, f.candidate)
		if err != nil || len(cart.Items) != 1 {
			t.Fatalf("cart after abandoning: %+v, %v", cart, err)
		}
		f.paidCheckout(f.candidate)
		if st := f.booking(b.ID).State; st != portal.BookingConfirmed {
			t.Fatalf("booking %s after paying with the test card, want confirmed", st)
		}
		f.checkInvariants()

		exam := f.feeExam()
		fb := f.buy(f.candidate, exam, f.centerSlot("2026-12-10", "09:00"))
		res := f.stripeMove(fb, f.centerSlot("2026-12-12", "13:00"))
		if _, booking, err := f.svc.AbandonCheckout(f.ctx, f.candidate, res.Payment.Reference); err != nil || booking != fb.Reference {
			t.Fatalf("abandoning the fee: booking %q, %v", booking, err)
		}
		if m := f.moves(fb); len(m) != 1 || m[0].State != portal.MoveFailed || m[0].Failure != "abandoned" {
			t.Fatalf("moves after abandoning the fee = %+v", m)
		}
		if got := f.booking(fb.ID); got.SlotID != fb.SlotID || got.Reschedules != 0 {
			t.Fatalf("abandoning the fee moved the booking")
		}
		f.checkInvariants()
	})
}

// TestSweptStripeHoldClosesItsPayment: a pending Stripe booking whose
// hold ran out is swept by another candidate's hold on the full slot, not
// by the hold sweep; the next sweep still closes its Checkout Session and
// records the payment as cancelled, so nothing stays pending.
func TestSweptStripeHoldClosesItsPayment(t *testing.T) {
	t.Parallel()
	mock := testutil.StripeMock(t)
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, withStripe(mock))
		sl := f.centerSlot("2026-12-08", "09:00")
		f.setCapacity(sl, 1)
		b, p := f.stripeCheckout(f.candidate, sl)
		f.clock.Set(b.HoldExpiresAt.Add(time.Second))
		f.hold(f.newCandidate(), f.saa, sl) // sweeps the run-out hold
		if st := f.booking(b.ID).State; st != portal.BookingExpired {
			t.Fatalf("swept booking is %s, want expired", st)
		}
		if _, err := f.svc.ExpireHolds(f.ctx); err != nil {
			t.Fatal(err)
		}
		if n := f.stripe.calls("POST /v1/checkout/sessions/" + p.ProviderRef + "/expire"); n != 1 {
			t.Fatalf("%d session expiries, want 1", n)
		}
		if st := f.payment(p.ID).State; st != portal.PaymentCancelled {
			t.Fatalf("payment %s, want cancelled", st)
		}
		f.checkInvariants()
	})
}

// TestStripeLatePaymentRespectsTheRetakeWait: a payment that arrives after
// its hold ran out takes the seat again only under the booking rules; a
// failure recorded meanwhile, whose retake wait covers the seat, leaves
// the booking expired and the payment refunded in full.
func TestStripeLatePaymentRespectsTheRetakeWait(t *testing.T) {
	t.Parallel()
	mock := testutil.StripeMock(t)
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, withStripe(mock))
		sl := f.centerSlot("2026-12-08", "09:00")
		b, p := f.stripeCheckout(f.candidate, sl)
		f.expireUnpaid(b)
		f.recordAttempt(f.candidate, f.saa, f.clock.Now().Add(-time.Hour), false)
		payload, sig := f.completed(p, "")
		if err := f.svc.HandleStripeWebhook(f.ctx, payload, sig); err != nil {
			t.Fatal(err)
		}
		if got := f.booking(b.ID); got.State != portal.BookingExpired {
			t.Fatalf("late payment revived a booking inside the retake wait: %s", got.State)
		}
		if r := f.refunds(f.candidate, b.ID); r == nil || r.AmountMinor != 15000 {
			t.Fatalf("refund = %+v, want the full 15000", r)
		}
		f.checkInvariants()
	})
}
