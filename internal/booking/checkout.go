package booking

import (
	"context"
	"errors"
	"fmt"

	"example.org/certportal/internal/failpoint"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// CheckoutRequest pays for everything in the cart.
type CheckoutRequest struct {
	// Provider is portal.ProviderTest or portal.ProviderStripe; it is
	// ignored when vouchers cover the whole cart.
	Provider string
	// Card is the card number in test mode.
	Card string
	// For online exams: the candidate ran the system check and agrees to
	// the exam rules and the privacy policy in force (Config versions).
	SystemChecked bool
	AgreeRules    bool
	AgreePrivacy  bool
}

// CheckoutResult is a finished or started checkout.
type CheckoutResult struct {
	Payment  *portal.Payment
	Bookings []*portal.BookingDetail
	// RedirectURL is set when the candidate pays on the provider's page
	// (Stripe Checkout); the bookings are confirmed by its webhook.
	RedirectURL string
}

// Checkout pays for the cart. The bookings are confirmed only after the
// payment succeeded, in the transaction that records the success
// (confirmPaid). A declined card leaves the holds in the cart.
func (s *Service) Checkout(ctx context.Context, actor portal.Actor, req CheckoutRequest) (*CheckoutResult, error) {
	if actor.UserID == 0 {
		return nil, portal.ErrUnauthorized
	}
	var p *portal.Payment
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		p, err = s.beginCheckout(ctx, tx, actor, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	res := &CheckoutResult{Payment: p}
	switch p.Provider {
	case portal.ProviderVoucher:
		s.cfg.Kick()
	case portal.ProviderTest:
		if err := s.chargeTest(ctx, actor, p, req.Card); err != nil {
			return nil, err
		}
		s.cfg.Kick()
	case portal.ProviderStripe:
		url, err := s.startStripe(ctx, actor, p)
		if err != nil {
			return nil, err
		}
		res.RedirectURL = url
	}
	if res.Payment, err = s.st.GetPayment(ctx, p.ID); err != nil {
		return nil, err
	}
	res.Bookings, err = s.st.ListBookings(ctx, store.BookingFilter{PaymentID: p.ID})
	return res, err
}

// beginCheckout checks the cart again (rules at payment as at hold) and
// records the payment. Nothing due: the bookings are confirmed at once.
func (s *Service) beginCheckout(ctx context.Context, tx *store.Tx, actor portal.Actor, req CheckoutRequest) (*portal.Payment, error) {
	if err := tx.LockUser(ctx, actor.UserID); err != nil {
		return nil, err
	}
	u, err := tx.GetUser(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	if err := checkCandidate(u); err != nil {
		return nil, err
	}
	held, err := tx.ListBookings(ctx, store.BookingFilter{UserID: u.ID, States: []string{portal.BookingHeld}})
	if err != nil {
		return nil, err
	}
	cart := &Cart{}
	for _, b := range held {
		if b.HoldExpiresAt != nil && b.HoldExpiresAt.After(tx.Now()) {
			cart.add(b)
		}
	}
	if len(cart.Items) == 0 {
		return nil, refused(portal.EConflict, "schedule.checkout.empty", nil)
	}
	if cart.Currency == "" {
		return nil, refused(portal.EConflict, "schedule.checkout.mixed_currency", nil)
	}
	if cart.Online {
		agreed := OnlineAgreement{SystemChecked: req.SystemChecked, AgreeRules: req.AgreeRules, AgreePrivacy: req.AgreePrivacy}
		if err := agreed.check(""); err != nil {
			return nil, err
		}
	}
	for _, b := range cart.Items {
		e, err := tx.GetExam(ctx, b.ExamID)
		if err != nil {
			return nil, err
		}
		sl, err := tx.GetSlot(ctx, b.SlotID)
		if err != nil {
			return nil, err
		}
		if err := onSale(e); err != nil {
			return nil, err
		}
		if err := offers(e, sl, b.Language); err != nil {
			return nil, err
		}
		if err := s.checkWindow(tx.Now(), sl.StartsAt); err != nil {
			return nil, err
		}
		if err := s.checkEligible(ctx, tx, u.ID, e, sl, b.ID); err != nil {
			return nil, err
		}
	}
	provider := req.Provider
	state := portal.PaymentPending
	if cart.Total == 0 {
		provider, state = portal.ProviderVoucher, portal.PaymentSucceeded
	} else if err := s.providerReady(provider); err != nil {
		return nil, err
	}
	p, err := tx.CreatePayment(ctx, portal.Payment{Reference: newReference("P"), UserID: u.ID, Provider: provider,
		State: state, AmountMinor: cart.Total, Currency: cart.Currency})
	if err != nil {
		return nil, err
	}
	failpoint.Inject(failpoint.CheckoutPaymentCreated)
	now := tx.Now()
	for _, b := range cart.Items {
		// Charge exactly what was priced: the move to pending is
		// conditional on the price, discount and voucher read above, and
		// records the amount as the booking's charge.
		charged, priced := b.AmountMinor(), store.PricingOf(&b.Booking)
		upd := store.BookingUpdate{PaymentID: &p.ID, ChargedMinor: &charged, Priced: &priced}
		if b.Online() {
			s.recordAgreement(&upd, now)
		}
		next := portal.BookingPending
		upd.State = &next
		if provider == portal.ProviderStripe {
			until := now.Add(s.cfg.PaymentWindow)
			upd.HoldExpiresAt = &until
		}
		if _, err := tx.UpdateBooking(ctx, b.ID, []string{portal.BookingHeld}, upd); errors.Is(err, portal.ErrNotFound) {
			// The hold ran out (the sweep does not take the candidate's
			// lock) or its pricing changed since the cart was read.
			cur, ferr := tx.LockBooking(ctx, b.ID)
			if ferr != nil {
				return nil, ferr
			}
			if cur.State != portal.BookingHeld {
				return nil, refused(portal.EConflict, "schedule.cart.not_in_cart", nil)
			}
			return nil, refused(portal.EConflict, "schedule.checkout.cart_changed", nil)
		} else if err != nil {
			return nil, err
		}
		if err := bookingEvent(tx, portal.EventBookingPending, actor, &b.Booking,
			map[string]any{"payment_id": p.ID, "provider": provider, "charged_minor": charged, "currency": b.Currency}); err != nil {
			return nil, err
		}
	}
	failpoint.Inject(failpoint.CheckoutBookingsPending)
	if err := audit(ctx, tx, actor, "scheduling.checkout", "payment:"+p.Reference,
		fmt.Sprintf("%s %d %s, %d bookings", provider, p.AmountMinor, p.Currency, len(cart.Items))); err != nil {
		return nil, err
	}
	if provider == portal.ProviderVoucher {
		// Vouchers cover everything: nothing to charge, confirm now.
		if err := s.confirmPaid(ctx, tx, actor, p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Service) providerReady(name string) error {
	switch {
	case name == portal.ProviderTest && s.pay.Test != nil,
		name == portal.ProviderStripe && s.pay.Stripe != nil:
		return nil
	}
	return &portal.Error{Code: portal.EInvalid, Message: "schedule.checkout.provider_invalid",
		Fields: []portal.FieldError{{Field: "provider", Message: "schedule.checkout.provider_invalid"}}}
}

// chargeTest charges the test-mode card and settles the payment.
func (s *Service) chargeTest(ctx context.Context, actor portal.Actor, p *portal.Payment, card string) error {
	ref, err := s.pay.Test.Charge(ctx, payments.ChargeRequest{Card: card, AmountMinor: p.AmountMinor, Currency: p.Currency, IdempotencyKey: "payment-" + p.Reference})
	if err != nil {
		failure := "declined"
		if !errors.Is(err, payments.ErrDeclined) {
			failure = "provider error"
			s.log.WarnContext(ctx, "test-mode charge failed", "payment", p.Reference, "err", err)
		}
		if ferr := s.failPayment(ctx, actor, p, failure, true); ferr != nil {
			return ferr
		}
		if errors.Is(err, payments.ErrDeclined) {
			msg := "schedule.checkout.declined"
			if p.Purpose == portal.PurposeRescheduleFee {
				msg = "schedule.reschedule.declined"
			}
			return &portal.Error{Code: portal.EInvalid, Message: msg, Fields: []portal.FieldError{{Field: "card", Message: msg}}}
		}
		return &portal.Error{Code: portal.EUnavailable, Message: "error.unavailable"}
	}
	failpoint.Inject(failpoint.PaymentCharged)
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.LockPayment(ctx, p.ID)
		if err != nil {
			return err
		}
		cur.ProviderRef = ref
		return s.confirmPaid(ctx, tx, actor, cur)
	})
}

// failPayment records a payment that did not happen. With backToCart the
// bookings return to the cart (their holds keep their expiry); otherwise
// they end as expired and free their seats. A fee's move fails.
func (s *Service) failPayment(ctx context.Context, actor portal.Actor, p *portal.Payment, failure string, backToCart bool) error {
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		return s.paymentFailed(ctx, tx, actor, p, failure, backToCart)
	})
}

// paymentFailed is failPayment in the caller's transaction. A payment no
// longer pending (settled or failed already) is left alone.
func (s *Service) paymentFailed(ctx context.Context, tx *store.Tx, actor portal.Actor, p *portal.Payment, failure string, backToCart bool) error {
	if _, err := tx.UpdatePayment(ctx, p.ID, portal.PaymentPending, store.PaymentUpdate{State: portal.PaymentFailed, Failure: failure}); err != nil {
		if errors.Is(err, portal.ErrNotFound) {
			return nil
		}
		return err
	}
	if err := paymentEvent(tx, portal.EventPaymentFailed, actor, p); err != nil {
		return err
	}
	if p.Purpose == portal.PurposeRescheduleFee {
		if err := s.failMove(ctx, tx, p, failure); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "scheduling.payment_failed", "payment:"+p.Reference, failure)
	}
	list, err := tx.ListBookings(ctx, store.BookingFilter{PaymentID: p.ID, States: []string{portal.BookingPending}})
	if err != nil {
		return err
	}
	for _, b := range list {
		if backToCart && b.HoldExpiresAt != nil && b.HoldExpiresAt.After(tx.Now()) {
			held := portal.BookingHeld
			if _, err := tx.UpdateBooking(ctx, b.ID, []string{portal.BookingPending}, store.BookingUpdate{State: &held}); err != nil &&
				!errors.Is(err, portal.ErrNotFound) { // not found: expired meanwhile; still record the failure
				return err
			}
			continue
		}
		if err := s.expire(ctx, tx, actor, &b.Booking); err != nil {
			return err
		}
	}
	return audit(ctx, tx, actor, "scheduling.payment_failed", "payment:"+p.Reference, failure)
}

// confirmPaid records that p succeeded (p.ProviderRef set by the caller)
// and confirms its bookings, or makes the move a fee paid for
// (settleMove). Called once per payment: a payment that already succeeded
// is left alone, so duplicate or late provider events do nothing. A
// booking whose hold ran out meanwhile gets its seat back when one is
// free; otherwise its money is refunded in full.
func (s *Service) confirmPaid(ctx context.Context, tx *store.Tx, actor portal.Actor, p *portal.Payment) error {
	if p.State == portal.PaymentSucceeded && p.Provider != portal.ProviderVoucher {
		return nil
	}
	if err := tx.LockUser(ctx, p.UserID); err != nil {
		return err
	}
	if p.Provider != portal.ProviderVoucher {
		if _, err := tx.UpdatePayment(ctx, p.ID, "", store.PaymentUpdate{State: portal.PaymentSucceeded, ProviderRef: p.ProviderRef}); err != nil {
			return err
		}
		failpoint.Inject(failpoint.ConfirmPaymentSucceeded)
		if err := paymentEvent(tx, portal.EventPaymentCaptured, actor, p); err != nil {
			return err
		}
	}
	if p.Purpose == portal.PurposeRescheduleFee {
		return s.settleMove(ctx, tx, actor, p)
	}
	list, err := tx.ListBookings(ctx, store.BookingFilter{PaymentID: p.ID})
	if err != nil {
		return err
	}
	now := tx.Now()
	confirmed := portal.BookingConfirmed
	for _, listed := range list {
		// Lock and re-read: the list is a snapshot, and an expiry that
		// commits after it must not be confirmed as if it still held its
		// seat (it goes through revive instead).
		b, err := tx.LockBooking(ctx, listed.ID)
		if err != nil {
			return err
		}
		switch b.State {
		case portal.BookingHeld, portal.BookingPending:
		case portal.BookingExpired:
			ok, err := s.revive(ctx, tx, b)
			if err != nil {
				return err
			}
			if !ok {
				if err := s.requestRefund(ctx, tx, &b.Booking, b.ChargedMinor); err != nil {
					return err
				}
				if err := audit(ctx, tx, actor, "scheduling.late_payment_refunded", "booking:"+b.Reference, ""); err != nil {
					return err
				}
				continue
			}
		default:
			continue
		}
		if _, err := tx.UpdateBooking(ctx, b.ID, []string{b.State},
			store.BookingUpdate{State: &confirmed, ConfirmedAt: &now, ClearHoldExpiry: true}); err != nil {
			return err
		}
		failpoint.Inject(failpoint.ConfirmBookingConfirmed)
		if err := bookingEvent(tx, portal.EventBookingConfirmed, actor, &b.Booking,
			map[string]any{"payment_id": p.ID, "charged_minor": b.ChargedMinor, "currency": b.Currency}); err != nil {
			return err
		}
		if err := tx.LockLegalName(ctx, b.UserID); err != nil {
			return err
		}
		if err := s.mailBooking(ctx, tx, b.ID, mailConfirmed, nil); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "scheduling.confirmed", "booking:"+b.Reference, "payment "+p.Reference); err != nil {
			return err
		}
	}
	return nil
}

// revive takes a seat again for a booking whose hold ran out before its
// payment arrived, when the slot still has one and the candidate is still
// eligible there (checkEligible: no other live booking of the exam, no
// overlap, the online gap, the retake wait). It reports whether it could.
func (s *Service) revive(ctx context.Context, tx *store.Tx, b *portal.BookingDetail) (bool, error) {
	e, err := tx.GetExam(ctx, b.ExamID)
	if err != nil {
		return false, err
	}
	sl, err := tx.GetSlot(ctx, b.SlotID)
	if err != nil {
		return false, err
	}
	var refusal *portal.Error
	if err := s.checkEligible(ctx, tx, b.UserID, e, sl, b.ID); errors.As(err, &refusal) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if err := tx.TakeSeat(ctx, b.SlotID, tx.Now()); errors.Is(err, store.ErrSlotFull) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if b.VoucherID != nil && b.VoucherReleasedAt != nil {
		if err := tx.UseVoucher(ctx, *b.VoucherID); errors.Is(err, store.ErrVoucherUsedUp) {
			return false, tx.ReleaseSeat(ctx, b.SlotID)
		} else if err != nil {
			return false, err
		}
		if err := voucherEvent(tx, portal.EventVoucherRedeemed, portal.Actor{}, *b.VoucherID, &b.Booking); err != nil {
			return false, err
		}
		if _, err := tx.UpdateBooking(ctx, b.ID, nil, store.BookingUpdate{ClearVoucherRelease: true}); err != nil {
			return false, err
		}
	}
	return true, nil
}
