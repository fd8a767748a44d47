package scheduling

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// RescheduleDeadline is the last instant a booking may be moved.
func (s *Service) RescheduleDeadline(b *portal.BookingDetail) time.Time {
	return b.StartsAt.Add(-s.cfg.RescheduleCutoff)
}

// CanReschedule reports whether the candidate may move the booking now,
// and the refusal when not.
func (s *Service) CanReschedule(b *portal.BookingDetail) error {
	return s.canRescheduleAt(b, s.clock.Now())
}

// Reschedule moves the acting candidate's confirmed booking to another
// slot in one transaction: the new seat is taken and the old one freed
// together, so the candidate never holds both seats nor neither.
// Rescheduling is free; a move the center caused (free_reschedule) does
// not count against the exam's limit.
func (s *Service) Reschedule(ctx context.Context, actor portal.Actor, bookingID, slotID int64) (*portal.BookingDetail, error) {
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.LockUser(ctx, actor.UserID); err != nil {
			return err
		}
		b, err := ownBooking(ctx, tx, actor, bookingID)
		if err != nil {
			return err
		}
		now := tx.Now()
		if err := s.canRescheduleAt(b, now); err != nil {
			return err
		}
		if slotID == b.SlotID {
			return refused(portal.EConflict, "schedule.reschedule.same_slot", nil)
		}
		e, err := tx.FindExam(ctx, b.ExamID)
		if err != nil {
			return err
		}
		sl, err := tx.FindSlot(ctx, slotID)
		if err != nil {
			return err
		}
		if err := offers(e, sl, b.Language); err != nil {
			return err
		}
		if err := s.checkWindow(now, sl.StartsAt); err != nil {
			return err
		}
		if err := s.checkEligible(ctx, tx, b.UserID, e, sl, b.ID); err != nil {
			return err
		}
		// Both slot rows change; lock them in id order so that two moves in
		// opposite directions cannot deadlock. The transaction is all or
		// nothing, so releasing first is safe when the new seat is gone.
		if b.SlotID < sl.ID {
			if err := tx.ReleaseSeat(ctx, b.SlotID); err != nil {
				return err
			}
		}
		if err := s.takeSeat(ctx, tx, sl.ID); err != nil {
			return err
		}
		if b.SlotID > sl.ID {
			if err := tx.ReleaseSeat(ctx, b.SlotID); err != nil {
				return err
			}
		}
		count := b.Reschedules
		if !b.FreeReschedule {
			count++
		}
		no := false
		if _, err := tx.UpdateBooking(ctx, b.ID, []string{portal.BookingConfirmed}, store.BookingUpdate{
			SlotID: &sl.ID, Reschedules: &count, FreeReschedule: &no,
		}); err != nil {
			if errors.Is(err, portal.ErrNotFound) {
				return refused(portal.EConflict, "schedule.reschedule.not_confirmed", nil)
			}
			return err
		}
		if err := s.mailBooking(ctx, tx, b.ID, mailRescheduled); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "scheduling.rescheduled", "booking:"+b.Reference, fmt.Sprintf("slot %d -> %d", b.SlotID, sl.ID))
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Kick()
	return s.st.FindBooking(ctx, bookingID)
}

func (s *Service) canRescheduleAt(b *portal.BookingDetail, now time.Time) error {
	if b.State != portal.BookingConfirmed {
		return refused(portal.EConflict, "schedule.reschedule.not_confirmed", nil)
	}
	if b.FreeReschedule {
		return nil
	}
	if deadline := s.RescheduleDeadline(b); now.After(deadline) {
		return refused(portal.EConflict, "schedule.reschedule.too_late", map[string]any{"Date": deadline, "Hours": int(s.cfg.RescheduleCutoff.Hours())})
	}
	if b.Reschedules >= b.MaxReschedules {
		return refused(portal.EConflict, "schedule.reschedule.limit", map[string]any{"Max": b.MaxReschedules})
	}
	return nil
}
