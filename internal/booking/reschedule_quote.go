package booking

import (
	"context"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// MoveQuote is what moving a booking to a slot means now, shown before
// the candidate confirms the move.
type MoveQuote struct {
	Booking *portal.BookingDetail
	To      *portal.Slot
	// Center is the test center of To; nil for an online start.
	Center *portal.TestCenter
	// Fee is what the move costs, in the booking's currency.
	Fee int64
	// Agreement is set when the move takes the booking into online
	// delivery: it needs the online agreement (MoveNeedsAgreement).
	Agreement bool
}

// QuoteMove applies the rules of moving the acting candidate's booking to
// the slot now, without moving anything: the refusal is the one
// Reschedule would give, and the quote says what the move costs and
// needs. Another candidate's booking is not found.
func (s *Service) QuoteMove(ctx context.Context, actor portal.Actor, bookingID, slotID int64) (*MoveQuote, error) {
	if actor.UserID == 0 {
		return nil, portal.ErrUnauthorized
	}
	q := &MoveQuote{}
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		b, err := ownBooking(ctx, tx, actor, bookingID)
		if err != nil {
			return err
		}
		sl, err := s.checkMove(ctx, tx, b, slotID)
		if err != nil {
			return err
		}
		if err := plainlyFull(ctx, tx, sl); err != nil {
			return err
		}
		fee, err := s.RescheduleFee(b)
		if err != nil {
			return err
		}
		*q = MoveQuote{Booking: b, To: sl, Fee: fee, Agreement: MoveNeedsAgreement(b, sl)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if q.To.CenterID != nil {
		if q.Center, err = s.st.GetCenter(ctx, *q.To.CenterID); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// ExamOfBooking returns the exam of one of the acting candidate's
// bookings, active or retired: a retired exam sells no new seats, but
// its bookings may still move. Another candidate's booking is not found.
func (s *Service) ExamOfBooking(ctx context.Context, actor portal.Actor, b *portal.BookingDetail) (*portal.Exam, error) {
	if actor.UserID == 0 || !actor.Owns(b.UserID) {
		return nil, portal.ErrNotFound
	}
	return s.st.GetExam(ctx, b.ExamID)
}

// plainlyFull refuses a slot with no seat for sale and no lapsed hold
// whose seat the sweep would give back: a move there cannot happen.
func plainlyFull(ctx context.Context, tx *store.Tx, sl *portal.Slot) error {
	if sl.Free() > 0 {
		return nil
	}
	stale, err := tx.ListExpiredHoldsInSlot(ctx, sl.ID)
	if err != nil {
		return err
	}
	if sl.ClosedAt != nil || len(stale) == 0 {
		return refused(portal.EConflict, "schedule.hold.full", nil)
	}
	return nil
}
