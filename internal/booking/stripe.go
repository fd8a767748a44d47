package booking

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// startStripe opens a Stripe Checkout Session for a pending payment and
// returns the page the candidate pays on. The session ends with the
// payment window, when the seats are released if it was not paid.
func (s *Service) startStripe(ctx context.Context, actor portal.Actor, p *portal.Payment) (string, error) {
	base := strings.TrimRight(s.cfg.BaseURL, "/")
	req := payments.CheckoutRequest{Reference: p.Reference, AmountMinor: p.AmountMinor, Currency: p.Currency,
		SuccessURL: base + "/checkout/return?payment=" + p.Reference, CancelURL: base + "/checkout/cancel?payment=" + p.Reference,
		ExpiresAt: p.CreatedAt.Add(s.cfg.PaymentWindow), IdempotencyKey: "checkout-" + p.Reference}
	if p.Purpose == portal.PurposeRescheduleFee {
		b, err := s.bookingOfFee(ctx, p)
		if err != nil {
			return "", err
		}
		req.Description, req.Email = s.cfg.ProgramName+" reschedule fee: "+b.ExamCode+" "+b.Reference, b.UserEmail
		req.SuccessURL = base + "/bookings/" + b.Reference + "?notice=move_paid"
	} else {
		list, err := s.st.ListBookings(ctx, store.BookingFilter{PaymentID: p.ID})
		if err != nil {
			return "", err
		}
		var names []string
		for _, b := range list {
			names = append(names, b.ExamCode)
			req.Email = b.UserEmail
		}
		req.Description = s.cfg.ProgramName + " exam: " + strings.Join(names, ", ")
	}
	co, err := s.pay.Stripe.CreateCheckout(ctx, req)
	if err != nil {
		s.log.WarnContext(ctx, "stripe checkout failed", "payment", p.Reference, "err", err)
		if ferr := s.failPayment(ctx, actor, p, "provider error", true); ferr != nil {
			return "", ferr
		}
		return "", &portal.Error{Code: portal.EUnavailable, Message: "error.unavailable"}
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		_, err := tx.UpdatePayment(ctx, p.ID, portal.PaymentPending, store.PaymentUpdate{ProviderRef: co.ID})
		return err
	})
	if err != nil {
		return "", err
	}
	return co.URL, nil
}

// bookingOfFee returns the booking a fee payment would move.
func (s *Service) bookingOfFee(ctx context.Context, p *portal.Payment) (*portal.BookingDetail, error) {
	m, err := s.st.FindMoveByPayment(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return s.st.GetBooking(ctx, m.BookingID)
}

// HandleStripeWebhook verifies and applies one Stripe event. Each event is
// applied at most once (its id is recorded in the transaction that
// applies it) and in any order: a payment that already succeeded ignores
// later events about it, so a stale "completed" after a refund changes
// nothing. A bad signature or stale timestamp is payments.ErrBadSignature.
func (s *Service) HandleStripeWebhook(ctx context.Context, payload []byte, signature string) error {
	if s.pay.Stripe == nil {
		return portal.ErrNotFound
	}
	ev, err := s.pay.Stripe.ParseWebhook(payload, signature)
	if err != nil {
		return err
	}
	actor := portal.SystemActor("stripe:" + ev.ID)
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		fresh, err := tx.RecordWebhookEvent(ctx, portal.ProviderStripe, ev.ID, ev.Type)
		if err != nil || !fresh || ev.Reference == "" || (!ev.Paid && !ev.Failed) {
			return err
		}
		p, err := tx.LockPaymentByReference(ctx, ev.Reference)
		if errors.Is(err, portal.ErrNotFound) {
			s.log.WarnContext(ctx, "stripe event for an unknown payment", "event", ev.ID, "reference", ev.Reference)
			return nil
		}
		if err != nil {
			return err
		}
		if p.Provider != portal.ProviderStripe {
			return nil
		}
		if ev.Paid {
			if ev.AmountMinor != p.AmountMinor || !strings.EqualFold(ev.Currency, p.Currency) {
				return fmt.Errorf("booking: stripe event %s pays %d %s for payment %s of %d %s", ev.ID, ev.AmountMinor, ev.Currency, p.Reference, p.AmountMinor, p.Currency)
			}
			p.ProviderRef = ev.PaymentIntent
			return s.confirmPaid(ctx, tx, actor, p)
		}
		return s.paymentFailed(ctx, tx, actor, p, ev.Type, false)
	})
	if err == nil {
		s.cfg.Kick()
	}
	return err
}

// AbandonCheckout ends the acting candidate's Stripe payment that was
// left on Stripe's page (its cancel link): the session is expired at
// Stripe first, so it can no longer be paid, and then the seats return to
// the cart (their holds keep their expiry) or the move waiting for the fee
// is dropped. A session Stripe will not expire (paid meanwhile) is left to
// its webhook. For a reschedule fee it also returns the booking's
// reference, to go back to.
func (s *Service) AbandonCheckout(ctx context.Context, actor portal.Actor, reference string) (*portal.Payment, string, error) {
	p, err := s.st.FindPaymentByReference(ctx, reference)
	if err != nil {
		return nil, "", err
	}
	if !actor.Owns(p.UserID) {
		return nil, "", portal.ErrNotFound
	}
	booking := ""
	if p.Purpose == portal.PurposeRescheduleFee {
		b, err := s.bookingOfFee(ctx, p)
		if err != nil {
			return nil, "", err
		}
		booking = b.Reference
	}
	if p.Provider != portal.ProviderStripe || p.State != portal.PaymentPending || s.pay.Stripe == nil || p.ProviderRef == "" {
		return p, booking, nil
	}
	if err := s.pay.Stripe.ExpireCheckout(ctx, p.ProviderRef); err != nil {
		s.log.InfoContext(ctx, "stripe session not expired on cancel", "payment", p.Reference, "err", err)
		return p, booking, nil
	}
	if err := s.failPayment(ctx, actor, p, "abandoned", true); err != nil {
		return nil, "", err
	}
	p, err = s.st.GetPayment(ctx, p.ID)
	return p, booking, err
}

// PaymentStatus returns the acting candidate's payment by reference, for
// the page Stripe returns to.
func (s *Service) PaymentStatus(ctx context.Context, actor portal.Actor, reference string) (*portal.Payment, []*portal.BookingDetail, error) {
	p, err := s.st.FindPaymentByReference(ctx, reference)
	if err != nil {
		return nil, nil, err
	}
	if !actor.Owns(p.UserID) {
		return nil, nil, portal.ErrNotFound
	}
	list, err := s.st.ListBookings(ctx, store.BookingFilter{PaymentID: p.ID})
	return p, list, err
}
