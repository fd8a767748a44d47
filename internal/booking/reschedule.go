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

// RescheduleRequest moves a booking to another slot.
type RescheduleRequest struct {
	SlotID int64
	// Provider and Card pay the reschedule fee when one is due
	// (RescheduleFee); a free move ignores them.
	Provider string
	Card     string
	// Agreement is what a move into online delivery needs
	// (MoveNeedsAgreement), as checkout does; other moves ignore it.
	Agreement OnlineAgreement
}

// RescheduleResult is a finished or started move.
type RescheduleResult struct {
	Booking *portal.BookingDetail
	Move    *portal.Move
	// Payment is the fee's payment; nil for a free move.
	Payment *portal.Payment
	// RedirectURL is set when the candidate pays the fee on the provider's
	// page (Stripe Checkout); the move happens when its webhook arrives.
	RedirectURL string
}

// RescheduleDeadline is the last instant a booking may be moved.
func (s *Service) RescheduleDeadline(b *portal.BookingDetail) time.Time {
	return b.StartsAt.Add(-s.cfg.RescheduleCutoff)
}

// CanReschedule reports whether the candidate may move the booking now,
// and the refusal when not.
func (s *Service) CanReschedule(b *portal.BookingDetail) error {
	return s.canRescheduleAt(b, s.clock.Now())
}

// RescheduleFee is what moving the booking costs, in its currency: the
// exam's fee kept in the booking's policy at purchase, and nothing when
// the center caused the move (a closed session).
func (s *Service) RescheduleFee(b *portal.BookingDetail) (int64, error) {
	if b.FreeReschedule {
		return 0, nil
	}
	pol, err := DecodePolicy(b.Policy)
	if err != nil {
		return 0, err
	}
	return pol.RescheduleFeeMinor, nil
}

// Reschedule moves the acting candidate's confirmed booking to another
// slot. A free move happens at once, in one transaction: the new seat is
// taken and the old one freed together, so the candidate never holds both
// seats nor neither. When a fee is due, the move waits for its payment
// and happens in the transaction that records it (settleMove); if it is
// no longer possible then, the fee is refunded. A move the center caused
// (free_reschedule) does not count against the exam's limit. A move into
// online delivery is refused without the online agreement, which is
// recorded on the booking when the move is made or started.
func (s *Service) Reschedule(ctx context.Context, actor portal.Actor, bookingID int64, req RescheduleRequest) (*RescheduleResult, error) {
	if actor.UserID == 0 {
		return nil, portal.ErrUnauthorized
	}
	var res *RescheduleResult
	var superseded int64
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		res, superseded = &RescheduleResult{}, 0
		if err := tx.LockUser(ctx, actor.UserID); err != nil {
			return err
		}
		b, err := ownBooking(ctx, tx, actor, bookingID)
		if err != nil {
			return err
		}
		sl, err := s.checkMove(ctx, tx, b, req.SlotID)
		if err != nil {
			return err
		}
		if MoveNeedsAgreement(b, sl) {
			if err := req.Agreement.check("schedule.reschedule.online_requirements"); err != nil {
				return err
			}
			var upd store.BookingUpdate
			s.recordAgreement(&upd, tx.Now())
			if _, err := tx.UpdateBooking(ctx, b.ID, []string{portal.BookingConfirmed}, upd); err != nil {
				return fmt.Errorf("booking: record the online agreement of booking %s: %w", b.Reference, err)
			}
			if err := audit(ctx, tx, actor, "scheduling.online_agreed", "booking:"+b.Reference,
				fmt.Sprintf("slot %d, rules %s, privacy %s", sl.ID, s.cfg.RulesVersion, s.cfg.PrivacyVersion)); err != nil {
				return err
			}
		}
		fee, err := s.RescheduleFee(b)
		if err != nil {
			return err
		}
		if fee == 0 {
			res.Move, err = s.moveSeat(ctx, tx, actor, b, sl, nil)
			return err
		}
		if req.Provider == "" {
			data := map[string]any{"AmountMinor": fee, "Currency": b.Currency}
			return &portal.Error{Code: portal.EInvalid, Message: "schedule.reschedule.fee_due", Data: data,
				Fields: []portal.FieldError{{Field: "provider", Message: "schedule.reschedule.fee_due", Data: data}}}
		}
		if err := s.providerReady(req.Provider); err != nil {
			return err
		}
		// Refuse now rather than charge for a time that is plainly gone.
		if err := plainlyFull(ctx, tx, sl); err != nil {
			return err
		}
		// A new choice replaces a move still waiting for its fee; a payment
		// for the old one that still arrives is refunded.
		if old, err := tx.FindPendingMoveByBooking(ctx, b.ID); err == nil {
			if _, err := tx.FinishMove(ctx, old.ID, portal.MoveFailed, "superseded"); err != nil {
				return err
			}
			superseded = *old.PaymentID
		} else if !errors.Is(err, portal.ErrNotFound) {
			return err
		}
		p, err := tx.CreatePayment(ctx, portal.Payment{Reference: newReference("P"), UserID: b.UserID, Provider: req.Provider,
			Purpose: portal.PurposeRescheduleFee, State: portal.PaymentPending, AmountMinor: fee, Currency: b.Currency})
		if err != nil {
			return err
		}
		m, err := tx.CreateMove(ctx, portal.Move{BookingID: b.ID, FromSlotID: b.SlotID, ToSlotID: sl.ID, State: portal.MovePending,
			FeeMinor: fee, Currency: b.Currency, PaymentID: &p.ID, ActorID: nonZero(actor.UserID)})
		if err != nil {
			return err
		}
		res.Move, res.Payment = m, p
		failpoint.Inject(failpoint.MoveFeeCreated)
		return audit(ctx, tx, actor, "scheduling.reschedule_started", "booking:"+b.Reference,
			fmt.Sprintf("slot %d -> %d, fee %d %s, payment %s", b.SlotID, sl.ID, fee, b.Currency, p.Reference))
	})
	if err != nil {
		return nil, err
	}
	if superseded != 0 {
		s.expireCheckout(ctx, superseded)
	}
	if p := res.Payment; p != nil {
		switch p.Provider {
		case portal.ProviderTest:
			if err := s.chargeTest(ctx, actor, p, req.Card); err != nil {
				return nil, err
			}
		case portal.ProviderStripe:
			if res.RedirectURL, err = s.startStripe(ctx, actor, p); err != nil {
				return nil, err
			}
		}
		if res.Payment, err = s.st.GetPayment(ctx, p.ID); err != nil {
			return nil, err
		}
		if res.Move, err = s.st.GetMove(ctx, res.Move.ID); err != nil {
			return nil, err
		}
	}
	s.cfg.Kick()
	if res.Move.State == portal.MoveFailed {
		// Paid, but the time was taken while the card was charged.
		return nil, refused(portal.EConflict, "schedule.reschedule.failed_refunded", map[string]any{"AmountMinor": res.Move.FeeMinor, "Currency": res.Move.Currency})
	}
	if res.Booking, err = s.st.GetBooking(ctx, bookingID); err != nil {
		return nil, err
	}
	return res, nil
}

// checkMove applies every rule of moving b to the slot now, in tx, and
// returns the slot: the booking may still be moved, the slot is another
// bookable one that offers the exam, and the candidate is eligible there.
func (s *Service) checkMove(ctx context.Context, tx *store.Tx, b *portal.BookingDetail, slotID int64) (*portal.Slot, error) {
	now := tx.Now()
	if err := s.canRescheduleAt(b, now); err != nil {
		return nil, err
	}
	if slotID == b.SlotID {
		return nil, refused(portal.EConflict, "schedule.reschedule.same_slot", nil)
	}
	e, err := tx.GetExam(ctx, b.ExamID)
	if err != nil {
		return nil, err
	}
	sl, err := tx.GetSlot(ctx, slotID)
	if err != nil {
		return nil, err
	}
	if err := offers(e, sl, b.Language); err != nil {
		return nil, err
	}
	if err := s.checkWindow(now, sl.StartsAt); err != nil {
		return nil, err
	}
	if err := s.checkEligible(ctx, tx, b.UserID, e, sl, b.ID); err != nil {
		return nil, err
	}
	return sl, nil
}

// moveSeat moves b to sl in the caller's transaction, after checkMove.
// Both slot rows are locked in id order first, so two moves in opposite
// directions wait for each other instead of deadlocking; then the new
// seat is taken before the old one is freed. m is the pending move whose
// fee was paid, or nil for a free move, recorded here.
func (s *Service) moveSeat(ctx context.Context, tx *store.Tx, actor portal.Actor, b *portal.BookingDetail, sl *portal.Slot, m *portal.Move) (*portal.Move, error) {
	if err := s.takeSeatForMove(ctx, tx, b, sl); err != nil {
		return nil, err
	}
	return s.completeMove(ctx, tx, actor, b, sl, m)
}

// takeSeatForMove locks both slots in id order and takes a seat of sl:
// the only step of a move that a full slot refuses, before anything of
// the booking changed.
func (s *Service) takeSeatForMove(ctx context.Context, tx *store.Tx, b *portal.BookingDetail, sl *portal.Slot) error {
	if err := tx.LockSlots(ctx, b.SlotID, sl.ID); err != nil {
		return err
	}
	if err := s.takeSeat(ctx, tx, sl.ID); err != nil {
		return err
	}
	failpoint.Inject(failpoint.MoveSeatTaken)
	return nil
}

// completeMove frees the old seat and records the move, once the new
// seat is taken. Its errors are internal: the transaction rolls back.
func (s *Service) completeMove(ctx context.Context, tx *store.Tx, actor portal.Actor, b *portal.BookingDetail, sl *portal.Slot, m *portal.Move) (*portal.Move, error) {
	if err := tx.ReleaseSeat(ctx, b.SlotID); err != nil {
		return nil, err
	}
	failpoint.Inject(failpoint.MoveSeatReleased)
	count := b.Reschedules
	if !b.FreeReschedule {
		count++
	}
	no := false
	if _, err := tx.UpdateBooking(ctx, b.ID, []string{portal.BookingConfirmed}, store.BookingUpdate{
		SlotID: &sl.ID, Reschedules: &count, FreeReschedule: &no,
	}); err != nil {
		// b is locked and was confirmed: this is no rule refusal.
		return nil, fmt.Errorf("booking: move booking %s: %w", b.Reference, err)
	}
	var err error
	if m == nil {
		m, err = tx.CreateMove(ctx, portal.Move{BookingID: b.ID, FromSlotID: b.SlotID, ToSlotID: sl.ID, State: portal.MoveDone,
			Free: b.FreeReschedule, Currency: b.Currency, ActorID: nonZero(actor.UserID)})
	} else {
		m, err = tx.FinishMove(ctx, m.ID, portal.MoveDone, "")
	}
	if err != nil {
		return nil, fmt.Errorf("booking: record move of booking %s: %w", b.Reference, err)
	}
	if err := bookingEvent(tx, portal.EventBookingMoved, actor, &b.Booking,
		map[string]any{"move_id": m.ID, "from_slot_id": b.SlotID, "to_slot_id": sl.ID, "fee_minor": m.FeeMinor}); err != nil {
		return nil, err
	}
	if err := s.mailBooking(ctx, tx, b.ID, mailRescheduled, nil); err != nil {
		return nil, err
	}
	return m, audit(ctx, tx, actor, "scheduling.rescheduled", "booking:"+b.Reference,
		fmt.Sprintf("slot %d -> %d, fee %d %s", b.SlotID, sl.ID, m.FeeMinor, m.Currency))
}

// settleMove makes the move a fee payment paid for, in the transaction
// that records the payment as succeeded. When the move can no longer be
// made (the seat went meanwhile, the booking was cancelled, the deadline
// passed, or a newer choice replaced it), the move fails, the whole fee
// is refunded and the candidate is told by mail.
func (s *Service) settleMove(ctx context.Context, tx *store.Tx, actor portal.Actor, p *portal.Payment) error {
	m, err := tx.FindMoveByPayment(ctx, p.ID)
	if err != nil {
		return err
	}
	b, err := tx.LockBooking(ctx, m.BookingID)
	if err != nil {
		return err
	}
	// Moves change under their booking's lock: read it again under it.
	if m, err = tx.FindMoveByPayment(ctx, p.ID); err != nil {
		return err
	}
	if m.State == portal.MovePending {
		refusal, err := s.moveIfStill(ctx, tx, actor, b, m)
		if err != nil || refusal == nil {
			return err // moved, or an internal error: roll back, retried
		}
		failure := refusal.Message
		if failure == "" {
			failure = refusal.Code
		}
		if _, err := tx.FinishMove(ctx, m.ID, portal.MoveFailed, failure); err != nil {
			return err
		}
	}
	if err := s.queueRefund(ctx, tx, &b.Booking, portal.Refund{BookingID: b.ID, PaymentID: p.ID, AmountMinor: p.AmountMinor, Currency: p.Currency}); err != nil {
		return err
	}
	if err := s.mailBooking(ctx, tx, b.ID, mailMoveFailed, map[string]any{"RefundMinor": p.AmountMinor, "Currency": p.Currency}); err != nil {
		return err
	}
	return audit(ctx, tx, actor, "scheduling.reschedule_refunded", "booking:"+b.Reference, "payment "+p.Reference)
}

// moveIfStill makes a paid move when every rule still allows it, and
// otherwise returns the rule that refuses it; checkMove and taking the
// seat are the only steps that refuse, before anything changed.
func (s *Service) moveIfStill(ctx context.Context, tx *store.Tx, actor portal.Actor, b *portal.BookingDetail, m *portal.Move) (*portal.Error, error) {
	if b.SlotID != m.FromSlotID {
		return &portal.Error{Code: portal.EConflict, Message: "schedule.reschedule.moved_meanwhile"}, nil
	}
	sl, err := s.checkMove(ctx, tx, b, m.ToSlotID)
	if err == nil {
		err = s.takeSeatForMove(ctx, tx, b, sl)
	}
	var pe *portal.Error
	if errors.As(err, &pe) {
		return pe, nil
	}
	if err != nil {
		return nil, err
	}
	_, err = s.completeMove(ctx, tx, actor, b, sl, m)
	return nil, err
}

// failMove ends the move of a fee payment that did not happen.
func (s *Service) failMove(ctx context.Context, tx *store.Tx, p *portal.Payment, failure string) error {
	m, err := tx.FindMoveByPayment(ctx, p.ID)
	if err != nil {
		return err
	}
	if _, err := tx.FinishMove(ctx, m.ID, portal.MoveFailed, failure); err != nil && !errors.Is(err, portal.ErrNotFound) {
		return err // not found: ended already (replaced or expired)
	}
	return nil
}

// Moves returns the moves of one of the acting candidate's bookings
// (staff with PermRostersRead: any booking's), oldest first.
func (s *Service) Moves(ctx context.Context, actor portal.Actor, b *portal.BookingDetail) ([]*portal.MoveDetail, error) {
	if !actor.Owns(b.UserID) && !actor.Can(portal.PermRostersRead) {
		return nil, portal.ErrNotFound
	}
	return s.st.ListMovesByBooking(ctx, b.ID)
}

func (s *Service) canRescheduleAt(b *portal.BookingDetail, now time.Time) error {
	if b.State != portal.BookingConfirmed {
		return refused(portal.EConflict, "schedule.reschedule.not_confirmed", nil)
	}
	if b.FreeReschedule {
		return nil
	}
	if deadline := s.RescheduleDeadline(b); now.After(deadline) {
		return refused(portal.EConflict, "schedule.reschedule.too_late", map[string]any{"Date": deadline, "Count": int(s.cfg.RescheduleCutoff.Hours())})
	}
	if b.Reschedules >= b.MaxReschedules {
		return refused(portal.EConflict, "schedule.reschedule.limit", map[string]any{"Count": b.MaxReschedules})
	}
	return nil
}
