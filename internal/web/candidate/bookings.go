package candidate

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// The candidate's bookings: list, confirmation, calendar file, reschedule,
// cancel and the online launch.

type bookingsPage struct {
	web.BasePage
	Bookings []*portal.BookingDetail
	Refunds  map[int64]*portal.Refund
}

// Place is where a booking is.
func (p *bookingsPage) Place(b *portal.BookingDetail) string { return web.BookingPlace(p.T, b) }

func (s *Pages) handleBookings(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Booking.MyBookings(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	refunds, err := s.Booking.Refunds(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	p := &bookingsPage{Bookings: list, Refunds: refunds}
	s.FillBase(r, &p.BasePage, "bookings.title")
	return s.Render(w, r, http.StatusOK, "bookings", p)
}

type bookingPage struct {
	web.BasePage
	B             *portal.BookingDetail
	Loc           *time.Location
	Refund        *portal.Refund
	Quote         booking.CancelQuote
	CanReschedule bool
	Deadline      time.Time // last instant to reschedule
	Fee           int64     // what a move costs now
	Moves         []*portal.MoveDetail
	Launch        booking.LaunchState
	Key           string
	Confirm       bool // the cancel confirmation step
}

// Place is where the booking is.
func (p *bookingPage) Place() string { return web.BookingPlace(p.T, p.B) }

// PendingMove is the move waiting for its fee, if any.
func (p *bookingPage) PendingMove() *portal.MoveDetail {
	for _, m := range p.Moves {
		if m.State == portal.MovePending {
			return m
		}
	}
	return nil
}

// ZoneLabel names the zone the times are in.
func (p *bookingPage) ZoneLabel() string { return zoneLabel(p.T, p.B.StartsAt, p.Loc) }

// RescheduleLink starts moving the booking: choose a test center or
// online delivery, then a new time.
func (p *bookingPage) RescheduleLink() string { return rescheduleStart(p.B) }

// myBooking loads the signed-in user's booking of the request's {ref}
// path value (booking.Service.MyBooking: another user's is not found).
func (s *Pages) myBooking(r *http.Request, ref string) (*portal.BookingDetail, error) {
	return s.Booking.MyBooking(r.Context(), web.Actor(r), ref)
}

func (s *Pages) newBookingPage(r *http.Request) (*bookingPage, error) {
	b, err := s.myBooking(r, r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	p := &bookingPage{B: b, Loc: b.Location(), Key: newIdempotencyKey()}
	if p.Quote, err = s.Booking.QuoteCancel(b); err != nil {
		return nil, err
	}
	p.CanReschedule = s.Booking.CanReschedule(b) == nil
	p.Deadline = s.Booking.RescheduleDeadline(b)
	if p.Fee, err = s.Booking.RescheduleFee(b); err != nil {
		return nil, err
	}
	if p.Moves, err = s.Booking.Moves(r.Context(), web.Actor(r), b); err != nil {
		return nil, err
	}
	p.Launch = s.Booking.Launch(b)
	refunds, err := s.Booking.Refunds(r.Context(), web.Actor(r))
	if err != nil {
		return nil, err
	}
	p.Refund = refunds[b.ID]
	s.FillBase(r, &p.BasePage, "booking.title")
	return p, nil
}

func (s *Pages) handleBooking(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newBookingPage(r)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "booking", p)
}

// handleBookingCalendar downloads the booking's .ics file.
func (s *Pages) handleBookingCalendar(w http.ResponseWriter, r *http.Request) error {
	b, err := s.myBooking(r, r.PathValue("ref"))
	if err != nil {
		return err
	}
	if b.State != portal.BookingConfirmed && b.State != portal.BookingCancelled {
		return portal.ErrNotFound
	}
	body := s.Booking.Calendar(b)
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="exam-`+b.Reference+`.ics"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, err = w.Write(body)
	return err
}

// handleBookingCancelForm shows what cancelling means now and asks to
// confirm.
func (s *Pages) handleBookingCancelForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newBookingPage(r)
	if err != nil {
		return err
	}
	p.Confirm = true
	p.Title = p.T.T("booking.cancel_title", nil)
	return s.Render(w, r, http.StatusOK, "booking", p)
}

func (s *Pages) handleBookingCancel(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	b, err := s.myBooking(r, r.PathValue("ref"))
	if err != nil {
		return err
	}
	next, err := s.idempotentForm(r, "cancel "+b.Reference, func() (string, error) {
		_, err := s.Booking.Cancel(r.Context(), web.Actor(r), b.ID, "candidate")
		return web.WithNotice("/bookings/"+b.Reference, noticeCancelled), err
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// handleBookingLaunch checks in to an online exam inside its window.
func (s *Pages) handleBookingLaunch(w http.ResponseWriter, r *http.Request) error {
	b, err := s.myBooking(r, r.PathValue("ref"))
	if err != nil {
		return err
	}
	if _, err := s.Booking.CheckIn(r.Context(), web.Actor(r), b.ID); err != nil {
		return err
	}
	http.Redirect(w, r, web.WithNotice("/bookings/"+b.Reference, noticeLaunched), http.StatusSeeOther)
	return nil
}

// stripeWebhookLimit bounds a Stripe event body (routes.go applies it).
const stripeWebhookLimit = 256 << 10

// handleStripeWebhook receives Stripe's events. Its signature
// authenticates it (no session, no cross-origin check applies: Stripe's
// servers send no browser headers). 400 for a bad signature, 200 once
// applied or already applied; other failures 500 so Stripe retries.
func (s *Pages) handleStripeWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return web.ErrTooLarge
	}
	err = s.Booking.HandleStripeWebhook(r.Context(), body, r.Header.Get("Stripe-Signature"))
	if errors.Is(err, payments.ErrBadSignature) {
		s.Log.WarnContext(r.Context(), "stripe webhook refused", "err", err)
		http.Error(w, "bad signature", http.StatusBadRequest)
		return nil
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
