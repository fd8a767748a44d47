package candidate

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// The cart and checkout.

type cartPage struct {
	web.BasePage
	Cart     *booking.Cart
	Form     *web.Form
	Voucher  map[int64]*web.Form // per item: the voucher form after a refusal
	Test     bool                // the test-mode provider is offered
	Stripe   bool
	TestCard string
	Declined string
	Key      string
	Rules    string // versions agreed to
	Privacy  string
	// The documents, when the program links them.
	RulesURL, PrivacyURL string
}

// Countdown is the time left on a hold as the page shows it: whole
// minutes left, rounded down, so it never promises more than there is.
// The page's script (countdown.js) counts down from Seconds with Labels,
// the text for each whole minute (0: under a minute), and shows Expired
// at the end; without script the text is right when the page is served.
type Countdown struct {
	Seconds int
	Text    string
	Labels  string // JSON array: Labels[m] is the text for m whole minutes left
	Expired string
}

// countdown builds a Countdown to until: msg takes the minutes as its
// Count, under is the text for less than a minute.
func (p *cartPage) countdown(until *time.Time, msg, under, expired string) Countdown {
	c := Countdown{Expired: p.T.T(expired, nil)}
	if until != nil {
		c.Seconds = max(int(until.Sub(p.Now)/time.Second), 0)
	}
	labels := []string{p.T.T(under, nil)}
	for m := 1; m <= c.Seconds/60; m++ {
		labels = append(labels, p.T.T(msg, map[string]any{"Count": m}))
	}
	b, _ := json.Marshal(labels)
	c.Labels = string(b)
	switch {
	case c.Seconds <= 0:
		c.Text = c.Expired
	default:
		c.Text = labels[c.Seconds/60]
	}
	return c
}

// HoldNotice is the time left until the first hold in the cart runs out.
func (p *cartPage) HoldNotice() Countdown {
	return p.countdown(&p.Cart.ExpiresAt, "cart.hold_notice", "cart.hold_notice_under_one", "cart.hold_notice_expired")
}

// HeldFor is the time left on one hold.
func (p *cartPage) HeldFor(t *time.Time) Countdown {
	return p.countdown(t, "cart.minutes_left", "cart.minutes_left_under_one", "cart.hold_expired")
}

// Place is where a booking is: the center, or online.
func (p *cartPage) Place(b *portal.BookingDetail) string { return web.BookingPlace(p.T, b) }

// Loc is the zone a booking's time is shown in.
func (p *cartPage) Loc(b *portal.BookingDetail) *time.Location { return b.Location() }

// VoucherChoices are the candidate's own vouchers that can be applied to
// an item with one button, without typing the code.
func (p *cartPage) VoucherChoices(b *portal.BookingDetail) []*portal.OwnedVoucher {
	return p.Cart.VoucherChoices(b)
}

// VoucherLabel says what one of the candidate's vouchers is: a pass
// voucher names its certification and is valid through the
// certification's last day; another voucher through its expiry date.
func (p *cartPage) VoucherLabel(v *portal.OwnedVoucher) string {
	if v.CertificationName != "" {
		return p.T.T("cart.voucher_pass", map[string]any{"Percent": v.Percent, "Certification": v.CertificationName,
			"Date": web.Day(p.T, v.CertificationExpiresOn)})
	}
	return p.T.T("cart.voucher_owned", map[string]any{"Percent": v.Percent, "Date": p.T.Date(v.ExpiresAt, time.UTC)})
}

// VoucherError is the voucher refusal of an item, if any.
func (p *cartPage) VoucherError(id int64) string {
	if f := p.Voucher[id]; f != nil {
		return f.Error("code")
	}
	return ""
}

func (s *Pages) newCartPage(r *http.Request, f *web.Form) (*cartPage, error) {
	cart, err := s.Booking.Cart(r.Context(), web.Actor(r))
	if err != nil {
		return nil, err
	}
	cfg := s.Booking.Config()
	pay := s.Booking.Payments()
	p := &cartPage{Cart: cart, Form: f, Voucher: map[int64]*web.Form{}, Test: pay.Test != nil, Stripe: pay.Stripe != nil,
		TestCard: payments.TestCardSuccess, Declined: payments.TestCardDeclined, Key: newIdempotencyKey(),
		Rules: cfg.RulesVersion, Privacy: cfg.PrivacyVersion, RulesURL: s.Config().ExamRulesURL, PrivacyURL: s.Config().PrivacyURL}
	s.FillBase(r, &p.BasePage, "cart.title")
	if f.Value("provider") == "" {
		if p.Test {
			f.Values["provider"] = portal.ProviderTest
		} else if p.Stripe {
			f.Values["provider"] = portal.ProviderStripe
		}
	}
	return p, nil
}

func (s *Pages) handleCart(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newCartPage(r, web.NewForm())
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "cart", p)
}

// bookingIDParam reads the {id} of a cart item.
func bookingIDParam(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, portal.ErrNotFound
	}
	return id, nil
}

func (s *Pages) handleCartVoucher(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	id, err := bookingIDParam(r)
	if err != nil {
		return err
	}
	if err := s.Booking.ApplyVoucher(r.Context(), web.Actor(r), id, r.PostForm.Get("code")); err != nil {
		p, perr := s.newCartPage(r, web.NewForm())
		if perr != nil {
			return perr
		}
		vf := web.FormFrom(r, "code")
		if !s.ApplyError(&p.BasePage, vf, err, "code") {
			return err
		}
		p.Voucher[id] = vf
		for i := range p.Errors {
			p.Errors[i].Field = "code-" + strconv.FormatInt(id, 10)
		}
		return s.Render(w, r, web.FormStatus(err), "cart", p)
	}
	http.Redirect(w, r, web.WithNotice("/cart", noticeVoucherApplied), http.StatusSeeOther)
	return nil
}

func (s *Pages) handleCartVoucherRemove(w http.ResponseWriter, r *http.Request) error {
	id, err := bookingIDParam(r)
	if err != nil {
		return err
	}
	if err := s.Booking.RemoveVoucher(r.Context(), web.Actor(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/cart", http.StatusSeeOther)
	return nil
}

func (s *Pages) handleCartRelease(w http.ResponseWriter, r *http.Request) error {
	id, err := bookingIDParam(r)
	if err != nil {
		return err
	}
	if err := s.Booking.Release(r.Context(), web.Actor(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, web.WithNotice("/cart", noticeHoldReleased), http.StatusSeeOther)
	return nil
}

// checkoutRequest is the idempotency fingerprint of the checkout form:
// the choices, never the card number.
type checkoutRequest struct {
	Provider                      string
	SystemChecked, Rules, Privacy bool
}

// handleCheckout pays for the cart. Test mode charges at once; Stripe
// sends the candidate to its payment page.
func (s *Pages) handleCheckout(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, "provider", "card", "system_checked", "agree_rules", "agree_privacy")
	req := booking.CheckoutRequest{
		Provider: f.Value("provider"), Card: f.Value("card"), SystemChecked: f.Value("system_checked") == "on",
		AgreeRules: f.Value("agree_rules") == "on", AgreePrivacy: f.Value("agree_privacy") == "on",
	}
	fingerprint := checkoutRequest{Provider: req.Provider, SystemChecked: req.SystemChecked, Rules: req.AgreeRules, Privacy: req.AgreePrivacy}
	next, err := s.idempotentForm(r, fingerprint, func() (string, error) {
		res, err := s.Booking.Checkout(r.Context(), web.Actor(r), req)
		if err != nil {
			return "", err
		}
		if res.RedirectURL != "" {
			return res.RedirectURL, nil
		}
		return "/checkout/return?payment=" + res.Payment.Reference, nil
	})
	if err != nil {
		delete(f.Values, "card") // a card number is never sent back
		p, perr := s.newCartPage(r, f)
		if perr != nil {
			return perr
		}
		if !s.ApplyError(&p.BasePage, f, err, "card") {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "cart", p)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

type checkoutReturnPage struct {
	web.BasePage
	Payment  *portal.Payment
	Bookings []*portal.BookingDetail
}

// Free reports a checkout that charged nothing: vouchers covered the
// whole price, so no payment was needed.
func (p *checkoutReturnPage) Free() bool { return p.Payment.AmountMinor == 0 }

// Place is where a booking is.
func (p *checkoutReturnPage) Place(b *portal.BookingDetail) string { return web.BookingPlace(p.T, b) }

// handleCheckoutCancel is where Stripe's page sends a candidate who goes
// back without paying: the payment ends and the seats are in the cart
// again (or, for a reschedule fee, the booking is unchanged). It is a GET
// because Stripe links to it; it only ends the candidate's own unpaid
// payment.
func (s *Pages) handleCheckoutCancel(w http.ResponseWriter, r *http.Request) error {
	_, booking, err := s.Booking.AbandonCheckout(r.Context(), web.Actor(r), r.URL.Query().Get("payment"))
	if err != nil {
		return err
	}
	next := web.WithNotice("/cart", noticePaymentCancelled)
	if booking != "" {
		next = "/bookings/" + booking
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// handleCheckoutReturn shows the outcome of a payment: confirmed, or
// still waiting for the provider's confirmation (the page refreshes).
func (s *Pages) handleCheckoutReturn(w http.ResponseWriter, r *http.Request) error {
	pay, list, err := s.Booking.PaymentStatus(r.Context(), web.Actor(r), r.URL.Query().Get("payment"))
	if err != nil {
		return err
	}
	p := &checkoutReturnPage{Payment: pay, Bookings: list}
	s.FillBase(r, &p.BasePage, "checkout.title")
	return s.Render(w, r, http.StatusOK, "checkout_return", p)
}

type systemCheckPage struct {
	web.BasePage
	Bytes int
}

// systemCheckBytes is the size of the download the system check times.
const systemCheckBytes = 2 << 20

// handleSystemCheck is the online exam's system check: the page's script
// checks the browser and screen and times a download from the portal.
func (s *Pages) handleSystemCheck(w http.ResponseWriter, r *http.Request) error {
	p := &systemCheckPage{Bytes: systemCheckBytes}
	s.FillBase(r, &p.BasePage, "systemcheck.title")
	return s.Render(w, r, http.StatusOK, "system_check", p)
}

// handleSystemCheckPayload serves the bytes the bandwidth measurement
// downloads.
func (s *Pages) handleSystemCheckPayload(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(systemCheckBytes))
	buf := make([]byte, 64<<10)
	for i := range buf {
		buf[i] = byte(i*7919 + i>>8)
	}
	for n := 0; n < systemCheckBytes; n += len(buf) {
		if _, err := w.Write(buf); err != nil {
			return nil
		}
	}
	return nil
}
