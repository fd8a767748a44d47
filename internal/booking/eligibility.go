package booking

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// checkCandidate refuses accounts that may not book at all yet.
func checkCandidate(u *portal.User) error {
	switch {
	case u.DisabledAt != nil:
		return portal.ErrForbidden
	case u.EmailVerifiedAt == nil:
		return refused(portal.EConflict, "schedule.rule.email_unverified", nil)
	case strings.TrimSpace(u.FirstName) == "" || strings.TrimSpace(u.LastName) == "":
		return refused(portal.EConflict, "schedule.rule.legal_name_missing", nil)
	}
	return nil
}

// onSale reports whether new seats of the exam are sold: a retired exam
// sells none, while bookings already made stay valid and may still move.
func onSale(e *portal.Exam) error {
	if !e.Active {
		return refused(portal.EConflict, "schedule.rule.exam_retired", map[string]any{"Exam": e.Code})
	}
	return nil
}

// offers reports whether the exam is given for the slot's delivery method
// and in the language.
func offers(e *portal.Exam, sl *portal.Slot, lang string) error {
	delivery := portal.DeliveryTestCenter
	if sl.Online() {
		delivery = portal.DeliveryOnline
	}
	if !slices.Contains(strings.Split(e.Delivery, ","), delivery) {
		return refused(portal.EConflict, "schedule.rule.delivery_not_offered", map[string]any{"Exam": e.Code, "Delivery": delivery})
	}
	if !slices.Contains(strings.Split(e.Languages, ","), lang) {
		data := map[string]any{"Exam": e.Code, "Language": lang}
		return &portal.Error{Code: portal.EInvalid, Message: "schedule.rule.language_not_offered", Data: data,
			Fields: []portal.FieldError{{Field: "language", Message: "schedule.rule.language_not_offered", Data: data}}}
	}
	return nil
}

// examLanguage is the language a candidate asked for, spelt as the exam
// lists it (tags match whatever their case). None asked for: the exam's
// first language, so a single-language exam needs no choice. A language
// the exam does not list is returned as asked, for offers to refuse.
func examLanguage(e *portal.Exam, asked string) string {
	asked = strings.TrimSpace(asked)
	langs := strings.Split(e.Languages, ",")
	if asked == "" {
		return langs[0]
	}
	for _, l := range langs {
		if strings.EqualFold(l, asked) {
			return l
		}
	}
	return asked
}

// checkEligible applies the booking rules for the candidate taking exam at
// the slot, reading the candidate's live bookings and attempt history in
// tx. except is a booking to leave out (the one being moved). Each refusal
// names its rule and, where there is one, the date from which it allows.
func (s *Service) checkEligible(ctx context.Context, tx *store.Tx, userID int64, e *portal.Exam, sl *portal.Slot, except int64) error {
	live, err := tx.ListBookings(ctx, store.BookingFilter{UserID: userID, States: portal.LiveBookingStates})
	if err != nil {
		return err
	}
	return s.checkEligibleAmong(ctx, tx, live, userID, e, sl, except)
}

// checkEligibleAmong is checkEligible with the candidate's live bookings
// read already in tx.
func (s *Service) checkEligibleAmong(ctx context.Context, tx *store.Tx, live []*portal.BookingDetail, userID int64, e *portal.Exam, sl *portal.Slot, except int64) error {
	start := sl.StartsAt
	end := start.Add(time.Duration(e.DurationMinutes) * time.Minute)
	for _, b := range live {
		if b.ID == except {
			continue
		}
		if b.ExamID == e.ID {
			return alreadyBooked(b, e)
		}
		gap := time.Duration(0)
		if sl.Online() && b.Online() {
			gap = s.cfg.OnlineGap
		}
		if start.Before(b.EndsAt().Add(gap)) && b.StartsAt.Before(end.Add(gap)) {
			if gap > 0 {
				return refused(portal.EConflict, "schedule.rule.online_gap", map[string]any{
					"Exam": b.ExamCode, "Count": int(gap.Hours()), "Date": b.EndsAt().Add(gap)})
			}
			return refused(portal.EConflict, "schedule.rule.overlap", map[string]any{"Exam": b.ExamCode, "Date": b.StartsAt})
		}
	}
	if err := checkRetake(ctx, tx, userID, e, start); err != nil {
		return err
	}
	return s.checkRenewalRetake(ctx, tx, userID, e)
}

// checkRenewalRetake refuses to book, before its renewal retake opens, an
// exam that earns or renews a microcredential the candidate holds in force
// (portal.UserCertification.RenewalRetakeFrom: 9 months after passing),
// naming the day it opens. Once the microcredential has expired only the
// usual wait after a failure applies (checkRetake).
func (s *Service) checkRenewalRetake(ctx context.Context, tx *store.Tx, userID int64, e *portal.Exam) error {
	held, err := tx.FindRenewalRetakeBlockByExam(ctx, userID, e.ID)
	if errors.Is(err, portal.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	loc := time.UTC
	if s.cfg.TimeZone != nil {
		if loc, err = s.cfg.TimeZone(ctx); err != nil {
			return err
		}
	}
	from, ok := held.RenewalRetakeFrom(loc)
	if ok && tx.Now().Before(from) {
		return refused(portal.EConflict, MsgRenewalRetake, map[string]any{"Exam": e.Code, "Date": from, "TimeZone": loc.String()})
	}
	return nil
}

// checkRetake refuses a start before the retake wait after a failure ends:
// the wait and its end are those the failed attempt recorded on its day
// (any exam earning the same certification counts).
func checkRetake(ctx context.Context, tx *store.Tx, userID int64, e *portal.Exam, start time.Time) error {
	failed, err := tx.FindRetakeBlockByExam(ctx, userID, e.ID)
	if errors.Is(err, portal.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if start.Before(*failed.RetakeFrom) {
		return refused(portal.EConflict, "schedule.rule.retake_wait", map[string]any{"Exam": e.Code, "Count": failed.RetakeWaitDays, "Date": *failed.RetakeFrom})
	}
	return nil
}

// alreadyBooked is the refusal of a second booking for an exam, naming
// where the first one is: unpaid in the cart, being paid, or booked (to
// be rescheduled instead).
func alreadyBooked(b *portal.BookingDetail, e *portal.Exam) error {
	data := map[string]any{"Exam": e.Code, "Date": b.StartsAt}
	switch b.State {
	case portal.BookingHeld:
		return refused(portal.EConflict, MsgAlreadyInCart, data)
	case portal.BookingPending:
		return refused(portal.EConflict, MsgPaymentInProgress, data)
	}
	return refused(portal.EConflict, MsgAlreadyBooked, data)
}

// Refusals of a second booking for the same exam, which the surfaces
// point to the place that resolves them (the cart, the bookings).
const (
	MsgAlreadyInCart     = "schedule.rule.already_in_cart"
	MsgPaymentInProgress = "schedule.rule.payment_in_progress"
	MsgAlreadyBooked     = "schedule.rule.already_booked"
	// MsgRenewalRetake refuses a microcredential's renewal retake booked
	// before it opens.
	MsgRenewalRetake = "reminders.rule.renewal_retake"
)
