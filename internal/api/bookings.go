package api

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/portal"
)

// The candidate's own bookings. The API serves only the signed-in user's
// bookings, staff included: staff act on others' bookings in the console,
// behind its second-factor requirement.

// handleBookingList lists the candidate's bookings that passed checkout.
func (s *server) handleBookingList(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	list, err := s.booking.MyBookings(r.Context(), a)
	if err != nil {
		return err
	}
	refunds, err := s.booking.Refunds(r.Context(), a)
	if err != nil {
		return err
	}
	out := struct {
		Bookings []bookingView `json:"bookings"`
	}{Bookings: []bookingView{}}
	for _, b := range list {
		out.Bookings = append(out.Bookings, newBookingView(b, refunds[b.ID]))
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// handleBookingShow returns one booking with what cancelling or moving it
// now would do.
func (s *server) handleBookingShow(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	b, err := s.ownBooking(r.Context(), a, r.PathValue("reference"))
	if err != nil {
		return err
	}
	refunds, err := s.booking.Refunds(r.Context(), a)
	if err != nil {
		return err
	}
	v := newBookingView(b, refunds[b.ID])
	q, err := s.booking.QuoteCancel(b)
	if err != nil {
		return err
	}
	v.Cancel = &cancelView{Allowed: q.Allowed, Deadline: utc(q.Deadline), Percent: q.Percent, Refund: money{q.Refund, q.Currency}}
	fee, err := s.booking.RescheduleFee(b)
	if err != nil {
		return err
	}
	v.Reschedule = &rescheduleView{Allowed: s.booking.CanReschedule(b) == nil, Deadline: utc(s.booking.RescheduleDeadline(b)), Fee: money{fee, b.Currency}}
	s.writeJSON(w, r, http.StatusOK, v)
	return nil
}

// handleCartShow returns the unpaid holds.
func (s *server) handleCartShow(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	c, err := s.booking.Cart(r.Context(), a)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, newCartView(c))
	return nil
}

// refusalLinks name the resource that resolves a refusal of a hold: the
// cart holding a seat of the exam, or the bookings.
var refusalLinks = map[string]string{
	booking.MsgAlreadyInCart:     "/api/v1/cart",
	booking.MsgPaymentInProgress: "/api/v1/bookings",
	booking.MsgAlreadyBooked:     "/api/v1/bookings",
}

type holdRequest struct {
	ExamCode string `json:"exam_code"`
	SlotID   int64  `json:"slot_id"`
	Language string `json:"language"`
}

// handleHoldCreate takes a seat and puts it in the cart: 201 with the
// held booking.
func (s *server) handleHoldCreate(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	var req holdRequest
	return s.mutate(w, r, a, &req, func(ctx context.Context) (int, any, error) {
		var v portal.Validation
		code := strings.ToUpper(strings.TrimSpace(req.ExamCode))
		if code == "" {
			v.Add("exam_code", "api.field_required", nil)
		}
		if req.SlotID <= 0 {
			v.Add("slot_id", "api.field_required", nil)
		}
		if err := v.Err(); err != nil {
			return 0, nil, err
		}
		e, err := s.examByCode(ctx, code)
		if err != nil {
			return 0, nil, err
		}
		b, err := s.booking.Hold(ctx, a, booking.HoldRequest{ExamID: e.ID, SlotID: req.SlotID, Language: strings.TrimSpace(req.Language)})
		if bareNotFound(err) {
			return 0, nil, fieldRefusal("slot_id", "api.slot_unknown")
		}
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, newBookingView(b, nil), nil
	})
}

type checkoutRequest struct {
	Provider      string `json:"provider"`
	Card          string `json:"card"`
	SystemChecked bool   `json:"system_checked"`
	AgreeRules    bool   `json:"agree_rules"`
	AgreePrivacy  bool   `json:"agree_privacy"`
}

// handleCheckout pays for the cart: with the test-mode card the bookings
// come back confirmed; with Stripe the answer carries the URL of its
// payment page and the bookings are confirmed by its webhook.
func (s *server) handleCheckout(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	var req checkoutRequest
	return s.mutate(w, r, a, &req, func(ctx context.Context) (int, any, error) {
		res, err := s.booking.Checkout(ctx, a, booking.CheckoutRequest{
			Provider: strings.TrimSpace(req.Provider), Card: req.Card,
			SystemChecked: req.SystemChecked, AgreeRules: req.AgreeRules, AgreePrivacy: req.AgreePrivacy,
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, newCheckoutView(res), nil
	})
}

type voucherRequest struct {
	Code string `json:"code"`
}

// handleVoucherApply applies a voucher or discount code to a hold in the
// cart and returns the cart.
func (s *server) handleVoucherApply(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	var req voucherRequest
	return s.mutate(w, r, a, &req, func(ctx context.Context) (int, any, error) {
		b, err := s.ownBooking(ctx, a, r.PathValue("reference"))
		if err != nil {
			return 0, nil, err
		}
		if strings.TrimSpace(req.Code) == "" {
			return 0, nil, fieldRefusal("code", "api.field_required")
		}
		if err := s.booking.ApplyVoucher(ctx, a, b.ID, req.Code); err != nil {
			return 0, nil, err
		}
		c, err := s.booking.Cart(ctx, a)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, newCartView(c), nil
	})
}

type cancelRequest struct {
	Reason string `json:"reason"`
}

// handleBookingCancel cancels a confirmed booking under the refund policy
// it was bought with, and returns the refund it gets.
func (s *server) handleBookingCancel(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	var req cancelRequest
	return s.mutate(w, r, a, &req, func(ctx context.Context) (int, any, error) {
		b, err := s.ownBooking(ctx, a, r.PathValue("reference"))
		if err != nil {
			return 0, nil, err
		}
		out, err := s.booking.Cancel(ctx, a, b.ID, req.Reason)
		if err != nil {
			return 0, nil, err
		}
		refunds, err := s.booking.Refunds(ctx, a)
		if err != nil {
			return 0, nil, err
		}
		v := cancellationView{Booking: newBookingView(out, refunds[out.ID]), Refund: refundView{Amount: money{0, out.Currency}, State: "none"}}
		if v.Booking.Refund != nil {
			v.Refund = *v.Booking.Refund
		}
		return http.StatusOK, v, nil
	})
}

type rescheduleRequest struct {
	SlotID        int64  `json:"slot_id"`
	Provider      string `json:"provider"`
	Card          string `json:"card"`
	SystemChecked bool   `json:"system_checked"`
	AgreeRules    bool   `json:"agree_rules"`
	AgreePrivacy  bool   `json:"agree_privacy"`
}

// handleBookingReschedule moves a confirmed booking to another slot. A
// move with a fee needs a provider: with the test-mode card the booking
// comes back moved; with Stripe the answer (202) carries the URL of its
// payment page and the move happens on its webhook. A move into online
// delivery carries the online agreement, as checkout does.
func (s *server) handleBookingReschedule(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	var req rescheduleRequest
	return s.mutate(w, r, a, &req, func(ctx context.Context) (int, any, error) {
		if req.SlotID <= 0 {
			return 0, nil, fieldRefusal("slot_id", "api.field_required")
		}
		b, err := s.ownBooking(ctx, a, r.PathValue("reference"))
		if err != nil {
			return 0, nil, err
		}
		res, err := s.booking.Reschedule(ctx, a, b.ID, booking.RescheduleRequest{
			SlotID: req.SlotID, Provider: strings.TrimSpace(req.Provider), Card: req.Card,
			Agreement: booking.OnlineAgreement{SystemChecked: req.SystemChecked, AgreeRules: req.AgreeRules, AgreePrivacy: req.AgreePrivacy}})
		if bareNotFound(err) {
			return 0, nil, fieldRefusal("slot_id", "api.slot_unknown")
		}
		if err != nil {
			return 0, nil, err
		}
		if res.RedirectURL != "" {
			return http.StatusAccepted, moveStartedView{State: res.Move.State, Fee: money{res.Move.FeeMinor, res.Move.Currency},
				Payment: res.Payment.Reference, RedirectURL: res.RedirectURL}, nil
		}
		return http.StatusOK, newBookingView(res.Booking, nil), nil
	})
}

// referencePattern is the shape of a booking reference (B2345-6789);
// anything else is not looked up.
var referencePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{0,31}$`)

// ownBooking finds the signed-in user's booking by reference
// (booking.Service.MyBooking: another user's is not found); a
// reference of the wrong shape is not looked up.
func (s *server) ownBooking(ctx context.Context, a portal.Actor, reference string) (*portal.BookingDetail, error) {
	reference = strings.ToUpper(strings.TrimSpace(reference))
	if !referencePattern.MatchString(reference) {
		return nil, portal.ErrNotFound
	}
	return s.booking.MyBooking(ctx, a, reference)
}

// examByCode finds an exam of the active catalog by its code; an unknown
// or retired code is refused on the exam_code field.
func (s *server) examByCode(ctx context.Context, code string) (*portal.Exam, error) {
	e, err := s.exams.ActiveExam(ctx, code)
	if errors.Is(err, portal.ErrNotFound) {
		return nil, fieldRefusal("exam_code", "api.exam_unknown")
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

// fieldRefusal is an invalid request naming one field.
func fieldRefusal(field, message string) error {
	var v portal.Validation
	v.Add(field, message, nil)
	return v.Err()
}

// bareNotFound reports whether err is a not-found without a message of
// its own: a referenced row that does not exist.
func bareNotFound(err error) bool {
	var pe *portal.Error
	return errors.As(err, &pe) && pe.Code == portal.ENotFound && pe.Message == ""
}
