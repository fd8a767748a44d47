package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.org/certportal/internal/failpoint"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// HoldRequest asks for a seat: an exam at a slot, in a language.
type HoldRequest struct {
	ExamID   int64
	SlotID   int64
	Language string
}

// Hold takes one seat of the slot for the acting candidate and puts it in
// the cart for HoldTTL. The seat is taken with one conditional UPDATE in
// the same transaction as the booking (store.TakeSeat), so a slot is never
// oversold. Refusals: the slot is full or no longer bookable, the account
// already has MaxHolds unpaid holds, or a booking rule (checkEligible).
func (s *Service) Hold(ctx context.Context, actor portal.Actor, req HoldRequest) (*portal.BookingDetail, error) {
	if actor.UserID == 0 {
		return nil, portal.ErrUnauthorized
	}
	// The exam and the slot are read from the read pool, before the write
	// transaction: nothing in it locks them, the seat is taken by the
	// conditional UPDATE whatever they said, and a refusal they give costs
	// no write.
	sl, full, err := s.plainlyFull(ctx, req.SlotID)
	if err != nil || full {
		if err == nil {
			err = refused(portal.EConflict, "schedule.hold.full", nil)
		}
		return nil, err
	}
	e, err := s.st.GetExam(ctx, req.ExamID)
	if err != nil {
		return nil, err
	}
	req.Language = examLanguage(e, req.Language)
	if err := onSale(e); err != nil {
		return nil, err
	}
	if err := offers(e, sl, req.Language); err != nil {
		return nil, err
	}
	var id int64
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.LockUserAccount(ctx, actor.UserID)
		if err != nil {
			return err
		}
		if err := checkCandidate(u); err != nil {
			return err
		}
		if err := s.checkWindow(tx.Now(), sl.StartsAt); err != nil {
			return err
		}
		// One read of the candidate's live bookings serves the hold limit
		// and the booking rules.
		all, err := tx.ListBookings(ctx, store.BookingFilter{UserID: u.ID, States: portal.LiveBookingStates})
		if err != nil {
			return err
		}
		// The candidate's own holds that ran out but were not swept yet
		// end now: they count neither against the limit nor as a booking
		// of their exam.
		held := 0
		live := all[:0:0]
		for _, b := range all {
			if b.State != portal.BookingHeld && b.State != portal.BookingPending {
				live = append(live, b)
				continue
			}
			if b.HoldExpiresAt != nil && !b.HoldExpiresAt.After(tx.Now()) {
				if err := s.expire(ctx, tx, portal.SystemActor(""), &b.Booking); err != nil {
					return err
				}
				continue
			}
			live = append(live, b)
			held++
		}
		if held >= s.cfg.MaxHolds {
			return refused(portal.EConflict, "schedule.hold.too_many", map[string]any{"Count": s.cfg.MaxHolds})
		}
		if actor.IP != "" {
			// Count under the address's lock: concurrent holds from one
			// address (many accounts) are counted one after the other.
			if err := tx.LockHoldAddress(ctx, actor.IP); err != nil {
				return err
			}
			fromIP, err := tx.CountUnpaidHoldsByIP(ctx, actor.IP, tx.Now())
			if err != nil {
				return err
			}
			if fromIP >= s.cfg.MaxHoldsPerIP {
				return refused(portal.EConflict, "schedule.hold.too_many_from_address", map[string]any{"Count": s.cfg.MaxHoldsPerIP})
			}
		}
		if err := s.checkEligibleAmong(ctx, tx, live, u.ID, e, sl, 0); err != nil {
			return err
		}
		if err := s.takeSeat(ctx, tx, sl.ID); err != nil {
			return err
		}
		failpoint.Inject(failpoint.HoldSeatTaken)
		expires := tx.Now().Add(s.cfg.HoldTTL)
		pol := s.cfg.Policy
		pol.RescheduleFeeMinor = e.RescheduleFeeMinor
		b, err := tx.CreateBooking(ctx, portal.Booking{
			Reference: newReference("B"), UserID: u.ID, ExamID: e.ID, SlotID: sl.ID, State: portal.BookingHeld,
			Language: req.Language, HoldExpiresAt: &expires, PriceMinor: e.PriceMinor, Currency: e.Currency,
			Policy: pol.Encode(), HoldIP: actor.IP,
		})
		if errors.Is(err, portal.ErrConflict) {
			return refused(portal.EConflict, "schedule.rule.already_booked", map[string]any{"Exam": e.Code})
		}
		if err != nil {
			return err
		}
		id = b.ID
		failpoint.Inject(failpoint.HoldBookingCreated)
		if err := bookingEvent(tx, portal.EventBookingHeld, actor, b, map[string]any{"exam_id": e.ID, "slot_id": sl.ID}); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "scheduling.hold", "booking:"+b.Reference, fmt.Sprintf("exam %s slot %d", e.Code, sl.ID))
	})
	if err != nil {
		return nil, err
	}
	return s.st.GetBooking(ctx, id)
}

// plainlyFull reads the slot from the read pool and reports, without a
// write transaction, that it has no seat and no run-out hold to reclaim:
// the answer to most requests for a sold-out time, which then cost no
// write. A seat freed a moment later is missed, as a refresh would show.
func (s *Service) plainlyFull(ctx context.Context, slotID int64) (*portal.Slot, bool, error) {
	sl, err := s.st.GetSlot(ctx, slotID)
	if err != nil || sl.Free() > 0 {
		return sl, false, err
	}
	stale, err := s.st.CountExpiredHolds(ctx, slotID, s.clock.Now())
	return sl, stale == 0, err
}

// checkWindow refuses starts outside the bookable window: closer than the
// minimum lead time, or beyond the horizon.
func (s *Service) checkWindow(now, start time.Time) error {
	if start.Before(now.Add(s.cfg.MinLead)) {
		return refused(portal.EConflict, "schedule.hold.too_soon", map[string]any{"Count": int(s.cfg.MinLead.Hours())})
	}
	if start.After(now.Add(s.cfg.Horizon)) {
		return refused(portal.EConflict, "schedule.hold.too_far", map[string]any{"Count": int(s.cfg.Horizon.Hours() / 24)})
	}
	return nil
}

// takeSeat takes a seat of the slot; when the slot looks full it first
// releases the slot's holds that have run out but not been swept yet,
// then tries once more.
func (s *Service) takeSeat(ctx context.Context, tx *store.Tx, slotID int64) error {
	err := tx.TakeSeat(ctx, slotID, tx.Now())
	if !errors.Is(err, store.ErrSlotFull) {
		return err
	}
	stale, err := tx.ListExpiredHoldsInSlot(ctx, slotID)
	if err != nil {
		return err
	}
	if len(stale) == 0 {
		return refused(portal.EConflict, "schedule.hold.full", nil)
	}
	for _, b := range stale {
		if err := s.expire(ctx, tx, portal.SystemActor(""), b); err != nil {
			return err
		}
	}
	err = tx.TakeSeat(ctx, slotID, tx.Now())
	if errors.Is(err, store.ErrSlotFull) {
		return refused(portal.EConflict, "schedule.hold.full", nil)
	}
	return err
}

// expire ends an unpaid booking whose hold ran out: the seat and any
// voucher go back. A payment that succeeds later is settled by
// confirmPaid, which takes a seat again or refunds.
func (s *Service) expire(ctx context.Context, tx *store.Tx, actor portal.Actor, b *portal.Booking) error {
	st := portal.BookingExpired
	// cur is the row as updated: b may be a snapshot from before a
	// concurrent voucher change, whose use must not be given back twice.
	cur, err := tx.UpdateBooking(ctx, b.ID, []string{portal.BookingHeld, portal.BookingPending}, store.BookingUpdate{State: &st})
	if errors.Is(err, portal.ErrNotFound) {
		return nil // someone else moved it first
	}
	if err != nil {
		return err
	}
	if err := tx.ReleaseSeat(ctx, cur.SlotID); err != nil {
		return err
	}
	failpoint.Inject(failpoint.ExpireSeatReleased)
	if err := bookingEvent(tx, portal.EventBookingExpired, actor, cur, map[string]any{"slot_id": cur.SlotID, "from": b.State}); err != nil {
		return err
	}
	return s.releaseVoucher(ctx, tx, cur)
}

// ExpireHolds ends every hold that has run out, and every move still
// waiting for its fee after the payment window; it runs every minute.
// Checkout Sessions of Stripe payments whose seats were released are
// expired too, so the candidate cannot pay for seats no longer held (a
// payment that still arrives is settled by confirmPaid: seat back or
// refund).
func (s *Service) ExpireHolds(ctx context.Context) (int, error) {
	n := 0
	stale := map[int64]bool{}
	for {
		var batch int
		err := s.st.Transact(ctx, func(tx *store.Tx) error {
			list, err := tx.ListExpiredHolds(ctx, 100)
			if err != nil {
				return err
			}
			batch = len(list)
			for _, b := range list {
				if b.State == portal.BookingPending && b.PaymentID != nil {
					stale[*b.PaymentID] = true
				}
				if err := s.expire(ctx, tx, portal.SystemActor(""), b); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += batch
		if batch < 100 {
			break
		}
	}
	// Moves whose fee was not paid within the payment window fail, and
	// payments whose seats went another way (a hold swept for a newer
	// one, a closed session, a crash) are closed too.
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		orphans, err := tx.ListOrphanedPayments(ctx, 100)
		if err != nil {
			return err
		}
		for _, id := range orphans {
			stale[id] = true
		}
		list, err := tx.ListStalePendingMoves(ctx, tx.Now().Add(-s.cfg.PaymentWindow), 100)
		if err != nil {
			return err
		}
		for _, m := range list {
			if _, err := tx.LockBooking(ctx, m.BookingID); err != nil {
				return err
			}
			if _, err := tx.FinishMove(ctx, m.ID, portal.MoveFailed, "expired"); errors.Is(err, portal.ErrNotFound) {
				continue // paid or replaced meanwhile
			} else if err != nil {
				return err
			}
			stale[*m.PaymentID] = true
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	for id := range stale {
		s.expireCheckout(ctx, id)
	}
	// Addresses without a hold for a day need no lock row any more (in a
	// transaction of its own: it takes no other lock).
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		_, err := tx.DeleteHoldAddressesBefore(ctx, tx.Now().Add(-24*time.Hour))
		return err
	})
	return n, err
}

// expireCheckout closes the provider's payment page of a payment whose
// seats are gone (Stripe), or ends a test-mode payment whose confirmation
// never ran, and records the payment as cancelled. Failures are
// logged: the session also ends by itself, and a late payment is settled
// anyway.
func (s *Service) expireCheckout(ctx context.Context, paymentID int64) {
	p, err := s.st.GetPayment(ctx, paymentID)
	if err != nil || p.State != portal.PaymentPending {
		return
	}
	switch {
	case p.Provider == portal.ProviderStripe && s.pay.Stripe != nil && p.ProviderRef != "":
		if err := s.pay.Stripe.ExpireCheckout(ctx, p.ProviderRef); err != nil {
			s.log.InfoContext(ctx, "stripe session not expired", "payment", p.Reference, "err", err)
			return
		}
	case p.Provider == portal.ProviderTest:
		// A test charge is synchronous: still pending means the request
		// died between the charge and its confirmation. No money moved.
	default:
		return
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		cancelled, err := tx.UpdatePayment(ctx, p.ID, portal.PaymentPending, store.PaymentUpdate{State: portal.PaymentCancelled, Failure: "seats released"})
		if errors.Is(err, portal.ErrNotFound) {
			return nil // settled meanwhile
		}
		if err != nil {
			return err
		}
		return paymentEvent(tx, portal.EventPaymentCancelled, portal.Actor{}, cancelled)
	})
	if err != nil {
		s.log.WarnContext(ctx, "record expired stripe session", "payment", p.Reference, "err", err)
	}
}
