package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"example.org/certportal/internal/failpoint"
	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// MaxCancelReason is the longest cancellation reason, in characters.
const MaxCancelReason = 500

// KindRefund is the job that executes a refund through its provider.
const KindRefund = "scheduling.refund"

// CancelQuote is what cancelling a booking now would do.
type CancelQuote struct {
	Allowed  bool
	Deadline time.Time // last instant to cancel online
	Percent  int
	Refund   int64 // minor units
	Currency string
	Voucher  bool // a voucher use comes back
}

// QuoteCancel tells the candidate what cancelling now means, from the
// policy stored with the booking.
func (s *Service) QuoteCancel(b *portal.BookingDetail) (CancelQuote, error) {
	return quoteCancelAt(b, s.clock.Now())
}

// quoteCancelAt is the quote at now. A voucher comes back only with a
// full refund: cancelled in the full-refund window, or after the center
// closed the session.
func quoteCancelAt(b *portal.BookingDetail, now time.Time) (CancelQuote, error) {
	pol, err := DecodePolicy(b.Policy)
	if err != nil {
		return CancelQuote{}, err
	}
	q := CancelQuote{Deadline: pol.CancelDeadline(b.StartsAt), Currency: b.Currency}
	if b.State != portal.BookingConfirmed {
		return q, nil
	}
	q.Percent, q.Allowed = pol.Refund(b.StartsAt, now)
	if b.FreeReschedule { // the center closed the slot: full refund
		q.Percent, q.Allowed = 100, true
	}
	q.Refund = refundAmount(b.ChargedMinor, q.Percent) // what was charged, never the list price
	q.Voucher = q.Allowed && q.Percent == 100 && b.VoucherID != nil && b.VoucherReleasedAt == nil
	return q, nil
}

// Cancel cancels a confirmed booking of the acting candidate under the
// policy stored with it: the seat is freed, the refund (if any) is queued
// to run exactly once, and a voucher comes back when cancelled in time.
// Staff with PermBookingsManage may cancel any booking at any time with a
// full refund.
func (s *Service) Cancel(ctx context.Context, actor portal.Actor, bookingID int64, reason string) (*portal.BookingDetail, error) {
	if actor.UserID == 0 && !actor.IsSystem() {
		return nil, portal.ErrUnauthorized
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxCancelReason {
		return nil, &portal.Error{Code: portal.EInvalid, Message: "schedule.cancel.reason_too_long", Data: map[string]any{"Count": MaxCancelReason},
			Fields: []portal.FieldError{{Field: "reason", Message: "schedule.cancel.reason_too_long", Data: map[string]any{"Count": MaxCancelReason}}}}
	}
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		b, err := tx.LockBooking(ctx, bookingID)
		if err != nil {
			return err
		}
		staff := !actor.Owns(b.UserID) && actor.Can(portal.PermBookingsManage)
		if !actor.Owns(b.UserID) && !staff {
			return portal.ErrNotFound
		}
		if b.State != portal.BookingConfirmed {
			return refused(portal.EConflict, "schedule.cancel.not_cancellable", nil)
		}
		q, err := quoteCancelAt(b, tx.Now())
		if err != nil {
			return err
		}
		if staff {
			q.Percent, q.Allowed = 100, true
			q.Refund = b.ChargedMinor
			q.Voucher = b.VoucherID != nil && b.VoucherReleasedAt == nil
		}
		if !q.Allowed {
			return refused(portal.EConflict, "schedule.cancel.too_late", map[string]any{"Date": q.Deadline})
		}
		cancelled := portal.BookingCancelled
		now := tx.Now()
		if _, err := tx.UpdateBooking(ctx, b.ID, []string{portal.BookingConfirmed}, store.BookingUpdate{
			State: &cancelled, CancelledAt: &now, CancelledBy: nonZero(actor.UserID), CancelReason: &reason,
		}); err != nil {
			if errors.Is(err, portal.ErrNotFound) {
				return refused(portal.EConflict, "schedule.cancel.not_cancellable", nil)
			}
			return err
		}
		failpoint.Inject(failpoint.CancelBookingCancelled)
		if err := bookingEvent(tx, portal.EventBookingCancelled, actor, &b.Booking,
			map[string]any{"by_staff": staff, "refund_percent": q.Percent, "voucher_returned": q.Voucher}); err != nil {
			return err
		}
		if err := tx.ReleaseSeat(ctx, b.SlotID); err != nil {
			return err
		}
		failpoint.Inject(failpoint.CancelSeatReleased)
		if q.Voucher {
			if err := s.releaseVoucher(ctx, tx, &b.Booking); err != nil {
				return err
			}
		}
		if q.Refund > 0 {
			if err := s.requestRefund(ctx, tx, &b.Booking, q.Refund); err != nil {
				return err
			}
			failpoint.Inject(failpoint.CancelRefundQueued)
		}
		if err := s.mailBooking(ctx, tx, b.ID, mailCancelled, nil); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "scheduling.cancelled", "booking:"+b.Reference,
			fmt.Sprintf("refund %d %s (%d%%)", q.Refund, b.Currency, q.Percent))
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Kick()
	return s.st.GetBooking(ctx, bookingID)
}

// requestRefund records a refund of amount for the booking's payment and
// queues its execution, in the caller's transaction. The refunds table
// allows one refund per booking, so a second request fails the
// transaction instead of paying twice; and a refund that would take more
// than the payment still holds fails it too (store.CreateRefund).
func (s *Service) requestRefund(ctx context.Context, tx *store.Tx, b *portal.Booking, amount int64) error {
	if amount <= 0 || b.PaymentID == nil {
		return nil
	}
	p, err := tx.LockPayment(ctx, *b.PaymentID)
	if err != nil {
		return err
	}
	if p.Provider == portal.ProviderVoucher || p.State != portal.PaymentSucceeded {
		return nil
	}
	return s.queueRefund(ctx, tx, b, portal.Refund{BookingID: b.ID, PaymentID: p.ID, AmountMinor: amount, Currency: b.Currency})
}

// queueRefund records a refund and queues its execution through the
// provider, in the caller's transaction. One refund per booking and
// payment: a second fails the transaction instead of paying twice.
func (s *Service) queueRefund(ctx context.Context, tx *store.Tx, b *portal.Booking, r portal.Refund) error {
	out, err := tx.CreateRefund(ctx, r)
	if err != nil {
		return err
	}
	if err := bookingEvent(tx, portal.EventRefundRecorded, portal.SystemActor(""), b,
		map[string]any{"refund_id": out.ID, "payment_id": r.PaymentID, "amount_minor": r.AmountMinor, "currency": r.Currency}); err != nil {
		return err
	}
	return jobs.Enqueue(ctx, tx, KindRefund, refundJob{RefundID: out.ID}, jobs.UniqueKey(fmt.Sprintf("refund-%d", out.ID)))
}

type refundJob struct {
	RefundID int64 `json:"refund_id"`
}

// HandleRefundJob executes one refund through the payment's provider with
// an idempotency key derived from the refund id, then records the outcome.
// If the process dies between the two, the job runs again and the
// provider returns the refund it already made.
func (s *Service) HandleRefundJob(ctx context.Context, args json.RawMessage) error {
	var j refundJob
	if err := json.Unmarshal(args, &j); err != nil || j.RefundID == 0 {
		return jobs.Permanent(fmt.Errorf("booking: bad refund job %s", args))
	}
	r, err := s.st.GetRefund(ctx, j.RefundID)
	if err != nil {
		return err
	}
	if r.State != portal.RefundRequested {
		return nil
	}
	p, err := s.st.GetPayment(ctx, r.PaymentID)
	if err != nil {
		return err
	}
	prov, err := s.pay.Refunder(p.Provider)
	if err != nil {
		return err // retried: the operator may configure the provider again
	}
	ref, err := prov.Refund(ctx, payments.RefundRequest{PaymentRef: p.ProviderRef, AmountMinor: r.AmountMinor,
		Currency: r.Currency, IdempotencyKey: fmt.Sprintf("refund-%d", r.ID)})
	if errors.Is(err, payments.ErrRefundRefused) {
		// Retrying cannot help: record the refund as failed, for staff to
		// settle by hand; the candidate's booking says so.
		s.log.ErrorContext(ctx, "refund refused by the provider", "refund", r.ID, "err", err)
		ferr := s.st.Transact(ctx, func(tx *store.Tx) error {
			if _, err := tx.FinishRefund(ctx, r.ID, portal.RefundFailed, "", err.Error()); err != nil {
				return err
			}
			return audit(ctx, tx, portal.SystemActor(""), "scheduling.refund_failed", fmt.Sprintf("refund:%d", r.ID), err.Error())
		})
		if ferr != nil {
			return ferr
		}
		return jobs.Permanent(fmt.Errorf("booking: refund %d: %w", r.ID, err))
	}
	if err != nil {
		return fmt.Errorf("booking: refund %d: %w", r.ID, err)
	}
	failpoint.Inject(failpoint.RefundProviderDone)
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.FinishRefund(ctx, r.ID, portal.RefundSucceeded, ref, ""); err != nil {
			if errors.Is(err, portal.ErrNotFound) {
				return nil
			}
			return err
		}
		return audit(ctx, tx, portal.SystemActor(""), "scheduling.refunded", fmt.Sprintf("refund:%d", r.ID), ref)
	})
}

// Refunds returns the refunds of the acting candidate's bookings by
// booking id.
func (s *Service) Refunds(ctx context.Context, actor portal.Actor) (map[int64]*portal.Refund, error) {
	if actor.UserID == 0 {
		return nil, portal.ErrUnauthorized
	}
	return s.st.ListRefundsByUser(ctx, actor.UserID)
}
