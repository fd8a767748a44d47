package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"
)

// Stripe talks to Stripe: hosted Checkout Sessions for payments, refunds of
// their PaymentIntents, and signed webhooks that report the outcome.
//
// Money only moves on Stripe's side; we learn that a payment succeeded from
// a webhook (checkout.session.completed), never from the browser coming
// back to the success URL.
type Stripe struct {
	sc            *stripe.Client
	webhookSecret string
}

// StripeConfig configures the Stripe provider.
type StripeConfig struct {
	SecretKey     string // sk_test_… or sk_live_… (a restricted rk_… key works too)
	WebhookSecret string // whsec_…; webhooks are refused without it
	APIURL        string // empty: Stripe's API; tests: stripe-mock's URL (http://127.0.0.1:PORT)
	// Logger receives stripe-go's own messages (retries, failed requests);
	// nil discards them. Every failure is also returned as an error.
	Logger *slog.Logger
}

const (
	// stripeTimeout bounds one HTTP request to Stripe, retries excluded.
	stripeTimeout = 30 * time.Second
	// stripeRetries is how often stripe-go retries a request that failed
	// on the network or with a retryable status. Every POST carries an
	// idempotency key, so a retry never moves money twice.
	stripeRetries = 2
	// webhookTolerance is how old a webhook signature may be.
	webhookTolerance = 5 * time.Minute
)

// ErrBadSignature is a webhook that must not be trusted: its
// Stripe-Signature header is missing, malformed or wrong, its timestamp is
// older than five minutes, or the event was rendered for another API
// release train than the one stripe-go decodes.
var ErrBadSignature = errors.New("payments: stripe webhook: bad signature")

// NewStripe returns the Stripe provider. The secret key must be a secret
// (sk_) or restricted (rk_) key and the webhook secret a signing secret
// (whsec_).
func NewStripe(cfg StripeConfig) (*Stripe, error) {
	key := strings.TrimSpace(cfg.SecretKey)
	switch {
	case key == "":
		return nil, errors.New("payments: stripe: the secret key (StripeConfig.SecretKey) is not set")
	case !strings.HasPrefix(key, "sk_") && !strings.HasPrefix(key, "rk_"):
		return nil, errors.New("payments: stripe: the secret key (StripeConfig.SecretKey) must start with sk_ or rk_; a publishable pk_ key does not work on the server")
	}
	whsec := strings.TrimSpace(cfg.WebhookSecret)
	switch {
	case whsec == "":
		return nil, errors.New("payments: stripe: the webhook signing secret (StripeConfig.WebhookSecret) is not set; without it no payment is ever confirmed")
	case !strings.HasPrefix(whsec, "whsec_"):
		return nil, errors.New("payments: stripe: the webhook signing secret (StripeConfig.WebhookSecret) must start with whsec_")
	}
	bc := &stripe.BackendConfig{
		HTTPClient:        &http.Client{Timeout: stripeTimeout},
		MaxNetworkRetries: stripe.Int64(stripeRetries),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	if cfg.Logger != nil {
		bc.LeveledLogger = stripeLogger{cfg.Logger}
	}
	if cfg.APIURL != "" {
		if !strings.HasPrefix(cfg.APIURL, "https://") && !strings.HasPrefix(cfg.APIURL, "http://") {
			return nil, fmt.Errorf("payments: stripe: the API URL (StripeConfig.APIURL) %q is not an http(s) URL", cfg.APIURL)
		}
		bc.URL = stripe.String(strings.TrimRight(cfg.APIURL, "/"))
	}
	sc := stripe.NewClient(key, stripe.WithBackends(stripe.NewBackendsWithConfig(bc)))
	return &Stripe{sc: sc, webhookSecret: whsec}, nil
}

// CheckoutRequest is one payment through a hosted Checkout page.
type CheckoutRequest struct {
	Reference   string    // our payment reference: sent as client_reference_id AND metadata["payment"]
	AmountMinor int64     // in the currency's minor unit (cents)
	Currency    string    // ISO 4217 upper-case ("USD"); Stripe wants lower-case
	Description string    // the line item's name, e.g. "SAA-C03 AWS Certified Solutions Architect – Associate"
	Email       string    // customer_email; optional
	SuccessURL  string    // where Checkout sends the candidate after paying
	CancelURL   string    // where the back button goes
	ExpiresAt   time.Time // zero: Stripe's default (24 h); see checkoutExpiry

	IdempotencyKey string // passed as the request's idempotency key
}

// Stripe accepts a session's expires_at from 30 minutes to 24 hours after
// it receives the request.
const (
	minCheckoutLife = 31 * time.Minute // 30 and a margin for the request's time in flight
	maxCheckoutLife = 24 * time.Hour
)

// checkoutExpiry is at, kept inside the window Stripe accepts when the
// request is sent at now. A session may so outlive the seats it pays for
// (the portal's payment window is 30 minutes from the checkout's start):
// the portal expires it when the seats go, and settles a late payment.
func checkoutExpiry(at, now time.Time) time.Time {
	if at.Before(now.Add(minCheckoutLife)) {
		return now.Add(minCheckoutLife)
	}
	if at.After(now.Add(maxCheckoutLife)) {
		return now.Add(maxCheckoutLife)
	}
	return at
}

// Checkout is a created Checkout Session: send the candidate to URL.
type Checkout struct {
	ID  string // cs_…
	URL string
}

// CreateCheckout creates a Checkout Session in payment mode with one line
// item (price_data, quantity 1). The payment reference travels as the
// session's client_reference_id and as metadata["payment"] on both the
// session and its PaymentIntent, so webhooks and the dashboard lead back to
// our record.
func (s *Stripe) CreateCheckout(ctx context.Context, r CheckoutRequest) (*Checkout, error) {
	switch {
	case r.Reference == "":
		return nil, errors.New("payments: stripe checkout: no payment reference")
	case r.AmountMinor <= 0:
		return nil, fmt.Errorf("payments: stripe checkout %s: amount %d is not positive", r.Reference, r.AmountMinor)
	case len(r.Currency) != 3:
		return nil, fmt.Errorf("payments: stripe checkout %s: currency %q is not an ISO 4217 code", r.Reference, r.Currency)
	case strings.TrimSpace(r.Description) == "":
		return nil, fmt.Errorf("payments: stripe checkout %s: no description", r.Reference)
	case r.SuccessURL == "" || r.CancelURL == "":
		return nil, fmt.Errorf("payments: stripe checkout %s: success and cancel URLs are required", r.Reference)
	case r.IdempotencyKey == "":
		return nil, fmt.Errorf("payments: stripe checkout %s: no idempotency key", r.Reference)
	}
	meta := map[string]string{"payment": r.Reference}
	p := &stripe.CheckoutSessionCreateParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(r.Reference),
		Metadata:          meta,
		LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{
			PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:   stripe.String(strings.ToLower(r.Currency)),
				UnitAmount: stripe.Int64(r.AmountMinor),
				ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{
					Name: stripe.String(r.Description),
				},
			},
			Quantity: stripe.Int64(1),
		}},
		PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{
			Metadata: meta,
		},
		SuccessURL: stripe.String(r.SuccessURL),
		CancelURL:  stripe.String(r.CancelURL),
	}
	if r.Email != "" {
		p.CustomerEmail = stripe.String(r.Email)
	}
	if !r.ExpiresAt.IsZero() {
		p.ExpiresAt = stripe.Int64(checkoutExpiry(r.ExpiresAt, time.Now()).Unix())
	}
	p.SetIdempotencyKey(r.IdempotencyKey)
	cs, err := s.sc.V1CheckoutSessions.Create(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("payments: stripe checkout %s: %w", r.Reference, err)
	}
	if cs.ID == "" || cs.URL == "" {
		return nil, fmt.Errorf("payments: stripe checkout %s: Stripe returned no session id or URL", r.Reference)
	}
	return &Checkout{ID: cs.ID, URL: cs.URL}, nil
}

// ExpireCheckout expires an open Checkout Session (used when the seats'
// hold ends first), so the candidate can no longer pay for seats we gave
// away. Stripe refuses when the session is no longer open; if it was
// completed meanwhile, its checkout.session.completed webhook still comes.
func (s *Stripe) ExpireCheckout(ctx context.Context, sessionID string) error {
	if !strings.HasPrefix(sessionID, "cs_") {
		return fmt.Errorf("payments: stripe expire checkout: %q is not a Checkout Session id", sessionID)
	}
	if _, err := s.sc.V1CheckoutSessions.Expire(ctx, sessionID, &stripe.CheckoutSessionExpireParams{}); err != nil {
		return fmt.Errorf("payments: stripe expire checkout %s: %w", sessionID, err)
	}
	return nil
}

// Refund refunds r.AmountMinor of PaymentIntent r.PaymentRef with the
// idempotency key r.IdempotencyKey and returns the refund id (re_…). A
// repeated call with the same key returns the first refund.
func (s *Stripe) Refund(ctx context.Context, r RefundRequest) (string, error) {
	switch {
	case !strings.HasPrefix(r.PaymentRef, "pi_"):
		return "", fmt.Errorf("%w: stripe refund: %q is not a PaymentIntent id", ErrRefundRefused, r.PaymentRef)
	case r.AmountMinor <= 0:
		return "", fmt.Errorf("payments: stripe refund of %s: amount %d is not positive", r.PaymentRef, r.AmountMinor)
	case r.IdempotencyKey == "":
		return "", fmt.Errorf("payments: stripe refund of %s: no idempotency key", r.PaymentRef)
	}
	p := &stripe.RefundCreateParams{
		PaymentIntent: stripe.String(r.PaymentRef),
		Amount:        stripe.Int64(r.AmountMinor),
	}
	p.SetIdempotencyKey(r.IdempotencyKey)
	re, err := s.sc.V1Refunds.Create(ctx, p)
	var se *stripe.Error
	if errors.As(err, &se) && se.HTTPStatusCode >= 400 && se.HTTPStatusCode < 500 &&
		se.HTTPStatusCode != http.StatusConflict && se.HTTPStatusCode != http.StatusTooManyRequests {
		// Stripe refused the request itself (a 409 idempotency clash or a
		// 429 may pass on a retry).
		return "", fmt.Errorf("%w: stripe refund of %s: %w", ErrRefundRefused, r.PaymentRef, err)
	}
	if err != nil {
		return "", fmt.Errorf("payments: stripe refund of %s: %w", r.PaymentRef, err)
	}
	if re.ID == "" {
		return "", fmt.Errorf("payments: stripe refund of %s: Stripe returned no refund id", r.PaymentRef)
	}
	return re.ID, nil
}

// Event is a verified Stripe webhook event. For types other than
// checkout.session.* only ID, Type and Created are set: acknowledge and
// ignore them.
type Event struct {
	ID            string // evt_…; store it to handle each event once
	Type          string // Stripe's event type
	Created       time.Time
	Reference     string // our payment reference (client_reference_id, else metadata["payment"])
	SessionID     string // cs_…
	PaymentIntent string // pi_… (may be empty for expired sessions)
	AmountMinor   int64  // amount_total
	Currency      string // upper-case
	// Paid: checkout.session.completed with payment_status "paid", or
	// checkout.session.async_payment_succeeded.
	Paid bool
	// Failed: checkout.session.expired or checkout.session.async_payment_failed.
	Failed bool
}

// ParseWebhook checks the Stripe-Signature header (HMAC-SHA256 compared in
// constant time, timestamp at most five minutes old) and decodes the
// event. It returns an error wrapping ErrBadSignature for a missing or
// invalid signature, a stale timestamp, or an event of another API
// release train than stripe.APIVersion.
func (s *Stripe) ParseWebhook(payload []byte, signatureHeader string) (*Event, error) {
	if s.webhookSecret == "" {
		return nil, fmt.Errorf("%w: no webhook signing secret is configured", ErrBadSignature)
	}
	ev, err := webhook.ConstructEventWithOptions(payload, signatureHeader, s.webhookSecret,
		webhook.ConstructEventOptions{Tolerance: webhookTolerance})
	if err != nil {
		return nil, classifyWebhookError(payload, err)
	}
	out := &Event{
		ID:      ev.ID,
		Type:    string(ev.Type),
		Created: time.Unix(ev.Created, 0).UTC(),
	}
	if !strings.HasPrefix(out.Type, "checkout.session.") {
		return out, nil
	}
	if ev.Data == nil || len(ev.Data.Raw) == 0 {
		return nil, fmt.Errorf("payments: stripe webhook %s: %s without a session", ev.ID, ev.Type)
	}
	var cs stripe.CheckoutSession
	if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil {
		return nil, fmt.Errorf("payments: stripe webhook %s: decode session: %w", ev.ID, err)
	}
	out.SessionID = cs.ID
	out.Reference = cs.ClientReferenceID
	if out.Reference == "" {
		out.Reference = cs.Metadata["payment"]
	}
	if cs.PaymentIntent != nil {
		out.PaymentIntent = cs.PaymentIntent.ID
	}
	out.AmountMinor = cs.AmountTotal
	out.Currency = strings.ToUpper(string(cs.Currency))
	switch ev.Type {
	case stripe.EventTypeCheckoutSessionCompleted:
		out.Paid = cs.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid
	case stripe.EventTypeCheckoutSessionAsyncPaymentSucceeded:
		out.Paid = true
	case stripe.EventTypeCheckoutSessionExpired, stripe.EventTypeCheckoutSessionAsyncPaymentFailed:
		out.Failed = true
	}
	return out, nil
}

// classifyWebhookError turns an error of webhook.ConstructEvent into ours.
// The signature is checked first, so an error that is none of the
// webhook package's signature errors belongs to an authentic payload that
// is either of another API release train (stripe-go reports that without a
// sentinel) or does not decode.
func classifyWebhookError(payload []byte, err error) error {
	for _, sigErr := range []error{webhook.ErrNotSigned, webhook.ErrInvalidHeader, webhook.ErrNoValidSignature, webhook.ErrTooOld} {
		if errors.Is(err, sigErr) {
			return fmt.Errorf("%w: %w", ErrBadSignature, err)
		}
	}
	var head struct {
		Object     string `json:"object"`
		APIVersion string `json:"api_version"`
	}
	if json.Unmarshal(payload, &head) == nil && head.Object == "event" &&
		releaseTrain(head.APIVersion) != releaseTrain(stripe.APIVersion) {
		return fmt.Errorf("%w: event has API version %q, stripe-go %s decodes the release train of %s",
			ErrBadSignature, head.APIVersion, stripe.ClientVersion, stripe.APIVersion)
	}
	return fmt.Errorf("payments: stripe webhook: %w", err)
}

// releaseTrain returns the release train of an API version
// ("2026-03-25.dahlia" -> "dahlia"); versions before release trains
// ("2024-06-20") have none.
func releaseTrain(v string) string {
	_, train, ok := strings.Cut(v, ".")
	if !ok {
		return ""
	}
	return train
}

// stripeLogger sends stripe-go's messages to slog. stripe-go logs every
// request at info level, which is debug detail for us.
type stripeLogger struct{ l *slog.Logger }

func (s stripeLogger) Debugf(ctx context.Context, format string, v ...any) {
	s.l.DebugContext(ctx, "stripe: "+fmt.Sprintf(format, v...))
}

func (s stripeLogger) Infof(ctx context.Context, format string, v ...any) {
	s.l.DebugContext(ctx, "stripe: "+fmt.Sprintf(format, v...))
}

func (s stripeLogger) Warnf(ctx context.Context, format string, v ...any) {
	s.l.WarnContext(ctx, "stripe: "+fmt.Sprintf(format, v...))
}

func (s stripeLogger) Errorf(ctx context.Context, format string, v ...any) {
	s.l.ErrorContext(ctx, "stripe: "+fmt.Sprintf(format, v...))
}

var _ Refunder = (*Stripe)(nil)
