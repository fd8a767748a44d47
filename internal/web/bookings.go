package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/scheduling"
)

// The candidate's bookings: list, confirmation, calendar file, reschedule,
// cancel and the online launch.

type bookingsPage struct {
	BasePage
	Bookings []*portal.BookingDetail
	Refunds  map[int64]*portal.Refund
}

// Place is where a booking is.
func (p *bookingsPage) Place(b *portal.BookingDetail) string { return bookingPlace(p.T, b) }

func (s *Server) handleBookings(w http.ResponseWriter, r *http.Request) error {
	list, err := s.sched.MyBookings(r.Context(), actor(r))
	if err != nil {
		return err
	}
	refunds, err := s.sched.Refunds(r.Context(), actor(r))
	if err != nil {
		return err
	}
	p := &bookingsPage{Bookings: list, Refunds: refunds}
	s.fillBase(r, &p.BasePage, "bookings.title")
	return s.render(w, r, http.StatusOK, "bookings", p)
}

type bookingPage struct {
	BasePage
	B             *portal.BookingDetail
	Loc           *time.Location
	Refund        *portal.Refund
	Payment       *portal.Payment
	Quote         scheduling.CancelQuote
	CanReschedule bool
	Deadline      time.Time // last instant to reschedule
	Launch        scheduling.LaunchState
	Key           string
	Form          *Form
	Confirm       bool // the cancel confirmation step
}

// Place is where the booking is.
func (p *bookingPage) Place() string { return bookingPlace(p.T, p.B) }

// ZoneLabel names the zone the times are in.
func (p *bookingPage) ZoneLabel() string { return zoneLabel(p.T, p.B.StartsAt, p.Loc) }

// RescheduleLink starts picking a new time for the booking.
func (p *bookingPage) RescheduleLink() string {
	if p.B.Online() {
		return "/schedule/" + p.B.ExamCode + "/online?reschedule=" + p.B.Reference
	}
	return "/schedule/" + p.B.ExamCode + "/centers/" + strconv.FormatInt(*p.B.CenterID, 10) + "?reschedule=" + p.B.Reference
}

func (s *Server) newBookingPage(r *http.Request) (*bookingPage, error) {
	b, err := s.sched.Booking(r.Context(), actor(r), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	if b.UserID != actor(r).UserID {
		return nil, portal.ErrNotFound // staff see bookings in the console
	}
	p := &bookingPage{B: b, Loc: b.Location(), Key: newIdempotencyKey(), Form: newForm()}
	if p.Quote, err = s.sched.QuoteCancel(b); err != nil {
		return nil, err
	}
	p.CanReschedule = s.sched.CanReschedule(b) == nil
	p.Deadline = s.sched.RescheduleDeadline(b)
	p.Launch = s.sched.Launch(b)
	refunds, err := s.sched.Refunds(r.Context(), actor(r))
	if err != nil {
		return nil, err
	}
	p.Refund = refunds[b.ID]
	s.fillBase(r, &p.BasePage, "booking.title")
	return p, nil
}

func (s *Server) handleBooking(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newBookingPage(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "booking", p)
}

// handleBookingCalendar downloads the booking's .ics file.
func (s *Server) handleBookingCalendar(w http.ResponseWriter, r *http.Request) error {
	b, err := s.sched.Booking(r.Context(), actor(r), r.PathValue("ref"))
	if err != nil {
		return err
	}
	if b.UserID != actor(r).UserID || (b.State != portal.BookingConfirmed && b.State != portal.BookingCancelled) {
		return portal.ErrNotFound
	}
	body := s.sched.Calendar(b)
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="exam-`+b.Reference+`.ics"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, err = w.Write(body)
	return err
}

// handleBookingReschedule moves the booking to the chosen slot.
func (s *Server) handleBookingReschedule(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	b, err := s.sched.Booking(r.Context(), actor(r), r.PathValue("ref"))
	if err != nil {
		return err
	}
	slotID, _ := strconv.ParseInt(r.PostForm.Get("slot"), 10, 64)
	req := struct {
		Booking string
		Slot    int64
	}{b.Reference, slotID}
	next, err := s.idempotentForm(r, req, func() (string, error) {
		_, err := s.sched.Reschedule(r.Context(), actor(r), b.ID, slotID)
		return "/bookings/" + b.Reference + "?notice=rescheduled", err
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// handleBookingCancelForm shows what cancelling means now and asks to
// confirm.
func (s *Server) handleBookingCancelForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newBookingPage(r)
	if err != nil {
		return err
	}
	p.Confirm = true
	p.Title = p.T.T("booking.cancel_title", nil)
	return s.render(w, r, http.StatusOK, "booking", p)
}

func (s *Server) handleBookingCancel(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	b, err := s.sched.Booking(r.Context(), actor(r), r.PathValue("ref"))
	if err != nil {
		return err
	}
	next, err := s.idempotentForm(r, "cancel "+b.Reference, func() (string, error) {
		_, err := s.sched.Cancel(r.Context(), actor(r), b.ID, "candidate")
		return "/bookings/" + b.Reference + "?notice=cancelled", err
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// handleBookingLaunch checks in to an online exam inside its window.
func (s *Server) handleBookingLaunch(w http.ResponseWriter, r *http.Request) error {
	b, err := s.sched.Booking(r.Context(), actor(r), r.PathValue("ref"))
	if err != nil {
		return err
	}
	if _, err := s.sched.CheckIn(r.Context(), actor(r), b.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/bookings/"+b.Reference+"?notice=launched", http.StatusSeeOther)
	return nil
}

// stripeWebhookLimit bounds a Stripe event body (routes.go applies it).
const stripeWebhookLimit = 256 << 10

// handleStripeWebhook receives Stripe's events. Its signature
// authenticates it (no session, no cross-origin check applies: Stripe's
// servers send no browser headers). 400 for a bad signature, 200 once
// applied or already applied; other failures 500 so Stripe retries.
func (s *Server) handleStripeWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return errTooLarge
	}
	err = s.sched.HandleStripeWebhook(r.Context(), body, r.Header.Get("Stripe-Signature"))
	if errors.Is(err, payments.ErrBadSignature) {
		s.log.WarnContext(r.Context(), "stripe webhook refused", "err", err)
		http.Error(w, "bad signature", http.StatusBadRequest)
		return nil
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
