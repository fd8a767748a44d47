package candidate

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// Moving a booking: the candidate chooses a test center (the booking
// search) or online delivery, then a time on the usual slots pages, which
// mark the current appointment; the chosen time leads to the review step
// (current and new appointment, the fee, and for a move into online
// delivery the system check and the agreements), which makes the move.

// rescheduleStart is where moving a booking begins: the choice between a
// test center and online delivery, carrying the booking.
func rescheduleStart(b *portal.BookingDetail) string {
	return "/schedule/" + b.ExamCode + "?reschedule=" + url.QueryEscape(b.Reference)
}

// scheduleExam is the exam of the {code} scheduling pages and, when the
// reschedule parameter names the signed-in candidate's booking that may
// still move, that booking (nil otherwise). While a booking is being moved
// the exam is the booking's, even when retired since (a retired exam sells
// no new seats, but its bookings may still move); otherwise it is one of
// the active catalog.
func (s *Pages) scheduleExam(r *http.Request, ref string) (*portal.Exam, *portal.BookingDetail, error) {
	if ref == "" {
		e, err := s.Exams.ActiveExam(r.Context(), r.PathValue("code"))
		return e, nil, err
	}
	b, err := s.myBooking(r, ref)
	if err != nil {
		return nil, nil, err
	}
	if err := s.Booking.CanReschedule(b); err != nil {
		return nil, nil, err
	}
	e, err := s.Booking.ExamOfBooking(r.Context(), web.Actor(r), b)
	if err != nil {
		return nil, nil, err
	}
	if !strings.EqualFold(e.Code, r.PathValue("code")) {
		return nil, nil, portal.ErrNotFound
	}
	return e, b, nil
}

// moveReviewPage is the review step of a move: the current and the new
// appointment, the fee and how to pay it, and the online agreement when
// the move needs it.
type moveReviewPage struct {
	web.BasePage
	Q        *booking.MoveQuote
	B        *portal.BookingDetail
	Loc      *time.Location
	ToLoc    *time.Location
	ToPlace  string
	Back     string // choose another time
	Form     *web.Form
	Key      string
	Test     bool
	Stripe   bool
	TestCard string
	Declined string
	Rules    string // versions agreed to
	Privacy  string
	// The documents, when the program links them.
	RulesURL, PrivacyURL string
}

// Place is where the booking is now.
func (p *moveReviewPage) Place() string { return web.BookingPlace(p.T, p.B) }

// FromZone and ToZone name the zones the two times are in.
func (p *moveReviewPage) FromZone() string { return zoneLabel(p.T, p.B.StartsAt, p.Loc) }
func (p *moveReviewPage) ToZone() string   { return zoneLabel(p.T, p.Q.To.StartsAt, p.ToLoc) }

// handleBookingRescheduleReview shows the review step of moving the
// booking to the chosen slot (GET, nothing changes). A time the rules
// refuse shows its slots page again with the reason.
func (s *Pages) handleBookingRescheduleReview(w http.ResponseWriter, r *http.Request) error {
	b, err := s.myBooking(r, r.PathValue("ref"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	slotID, err := strconv.ParseInt(q.Get("slot"), 10, 64)
	if err != nil || slotID <= 0 {
		http.Redirect(w, r, rescheduleStart(b), http.StatusSeeOther)
		return nil
	}
	f := web.NewForm()
	f.Values["date"], f.Values["tz"] = q.Get("date"), q.Get("tz")
	return s.renderMoveReview(w, r, b, slotID, f, nil)
}

// handleBookingReschedule makes the move confirmed on the review step.
// A refusal shows the review step again with the reason next to its
// field (a declined card, a missing agreement), or the slots page when
// the time itself is no longer possible.
func (s *Pages) handleBookingReschedule(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	b, err := s.myBooking(r, r.PathValue("ref"))
	if err != nil {
		return err
	}
	f := web.FormFrom(r, "slot", "provider", "card", "system_checked", "agree_rules", "agree_privacy", "date", "tz")
	slotID, _ := strconv.ParseInt(f.Value("slot"), 10, 64)
	req := booking.RescheduleRequest{SlotID: slotID, Provider: f.Value("provider"), Card: f.Value("card"),
		Agreement: booking.OnlineAgreement{SystemChecked: f.Value("system_checked") == "on",
			AgreeRules: f.Value("agree_rules") == "on", AgreePrivacy: f.Value("agree_privacy") == "on"}}
	fingerprint := struct {
		Booking   string
		Slot      int64
		Provider  string
		Agreement booking.OnlineAgreement
	}{b.Reference, slotID, req.Provider, req.Agreement}
	next, err := s.idempotentForm(r, fingerprint, func() (string, error) {
		res, err := s.Booking.Reschedule(r.Context(), web.Actor(r), b.ID, req)
		if err != nil {
			return "", err
		}
		if res.RedirectURL != "" {
			return res.RedirectURL, nil
		}
		return web.WithNotice("/bookings/"+b.Reference, noticeRescheduled), nil
	})
	if err != nil {
		delete(f.Values, "card") // a card number is never sent back
		return s.renderMoveReview(w, r, b, slotID, f, err)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// renderMoveReview shows the review step of moving b to the slot, with
// the refusal of an attempt to confirm it (failed) next to its field.
func (s *Pages) renderMoveReview(w http.ResponseWriter, r *http.Request, b *portal.BookingDetail, slotID int64, f *web.Form, failed error) error {
	if failed != nil && !hasFields(failed) {
		// Nothing on this page can change the outcome: choose again.
		return s.renderMoveRefused(w, r, b, slotID, f, failed)
	}
	q, err := s.Booking.QuoteMove(r.Context(), web.Actor(r), b.ID, slotID)
	if err != nil {
		return s.renderMoveRefused(w, r, b, slotID, f, err)
	}
	cfg, pay := s.Booking.Config(), s.Booking.Payments()
	p := &moveReviewPage{Q: q, B: q.Booking, Loc: q.Booking.Location(), ToLoc: time.UTC, Form: f, Key: newIdempotencyKey(),
		Test: pay.Test != nil, Stripe: pay.Stripe != nil, TestCard: payments.TestCardSuccess, Declined: payments.TestCardDeclined,
		Rules: cfg.RulesVersion, Privacy: cfg.PrivacyVersion, RulesURL: s.Config().ExamRulesURL, PrivacyURL: s.Config().PrivacyURL}
	s.FillBase(r, &p.BasePage, "booking.move_heading")
	if q.Center != nil {
		p.ToLoc, p.ToPlace = q.Center.Location(), strings.Join([]string{q.Center.Name, q.Center.AddressLine1, q.Center.City}, ", ")
	} else {
		p.ToPlace = p.T.T("schedule.online_proctored", nil)
		if loc, err := time.LoadLocation(web.RequestSession(r).User.TimeZone); err == nil && web.RequestSession(r).User.TimeZone != "" {
			p.ToLoc = loc
		}
	}
	p.Back = slotsLink(b, q.To, f)
	if q.Fee > 0 && f.Value("provider") == "" {
		if p.Test {
			f.Values["provider"] = portal.ProviderTest
		} else if p.Stripe {
			f.Values["provider"] = portal.ProviderStripe
		}
	}
	status := http.StatusOK
	if failed != nil {
		if !s.ApplyError(&p.BasePage, f, failed, "move") {
			return failed
		}
		if head, ok := ruleHeadline(failed); ok {
			// The rule that refused, above the fields it names.
			at := head.Fields[0].Field
			if q.Agreement {
				at = "online"
			}
			p.Errors = append([]web.SummaryItem{{Field: at, Message: web.Localize(p.T, head.Message, head.Data)}}, p.Errors...)
		}
		status = web.FormStatus(failed)
	}
	return s.Render(w, r, status, "booking_reschedule", p)
}

// renderMoveRefused shows the slots page of the refused time again, with
// the booking still being moved and the reason; a refusal without a rule
// to name is the error page.
func (s *Pages) renderMoveRefused(w http.ResponseWriter, r *http.Request, b *portal.BookingDetail, slotID int64, f *web.Form, refusal error) error {
	var pe *portal.Error
	if !errors.As(refusal, &pe) || pe.Code == portal.EUnavailable || pe.Message == "" {
		return refusal
	}
	_, center, err := s.Centers.SlotAt(r.Context(), slotID)
	if err != nil {
		return err
	}
	if s.Booking.CanReschedule(b) != nil {
		return refusal // the booking itself can no longer move: its refusal
	}
	back := url.Values{"reschedule": {b.Reference}, "date": {f.Value("date")}, "tz": {f.Value("tz")}}
	r.SetPathValue("code", b.ExamCode)
	var p *slotsPage
	if center != nil {
		r.SetPathValue("id", strconv.FormatInt(center.ID, 10))
		p, err = s.centerSlotsPage(r, back)
	} else {
		p, err = s.onlineSlotsPage(r, back)
	}
	if err != nil {
		return err
	}
	p.Errors = append(p.Errors, web.SummaryItem{Field: "times", Message: web.Localize(p.T, pe.Message, pe.Data)})
	return s.Render(w, r, web.FormStatus(pe), "schedule_slots", p)
}

// slotsLink leads back to the times of the slot's date, still moving b.
func slotsLink(b *portal.BookingDetail, to *portal.Slot, f *web.Form) string {
	q := url.Values{"reschedule": {b.Reference}}
	if d := f.Value("date"); d != "" {
		q.Set("date", d)
	}
	path := "/schedule/" + b.ExamCode + "/online"
	if to.CenterID != nil {
		path = "/schedule/" + b.ExamCode + "/centers/" + strconv.FormatInt(*to.CenterID, 10)
	} else if tz := f.Value("tz"); tz != "" {
		q.Set("tz", tz)
	}
	return path + "?" + q.Encode() + "#times-h"
}

// ruleHeadline is a refusal naming fields whose own message says more
// than the fields' (the rule that asks for them all).
func ruleHeadline(err error) (*portal.Error, bool) {
	var pe *portal.Error
	if !errors.As(err, &pe) || len(pe.Fields) == 0 || pe.Message == "" || pe.Message == "error.form_invalid" {
		return nil, false
	}
	for _, fe := range pe.Fields {
		if fe.Message == pe.Message {
			return nil, false
		}
	}
	return pe, true
}

// hasFields reports whether err is a refusal naming form fields.
func hasFields(err error) bool {
	var pe *portal.Error
	return errors.As(err, &pe) && len(pe.Fields) > 0
}
