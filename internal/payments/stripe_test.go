package payments_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/testutil"
)

const (
	testSecretKey     = "sk_test_certportal"
	testWebhookSecret = "whsec_certportal_test"
)

// stripeRequest is one request as it left the client.
type stripeRequest struct {
	Method string
	Path   string
	Header http.Header
	Form   url.Values
}

// recorder sits between the client and stripe-mock and keeps every
// request, so tests see exactly what went over the wire; stripe-mock
// validates it against Stripe's OpenAPI spec and answers.
type recorder struct {
	mu   sync.Mutex
	reqs []stripeRequest
}

func (rec *recorder) requests() []stripeRequest {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]stripeRequest(nil), rec.reqs...)
}

// newStripe starts stripe-mock behind a recording proxy and returns a
// provider that talks to it.
func newStripe(t *testing.T) (*payments.Stripe, *recorder) {
	t.Helper()
	mock, err := url.Parse(testutil.StripeMock(t))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	proxy := httputil.NewSingleHostReverseProxy(mock)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			t.Errorf("%s %s: body is not form-encoded: %v", r.Method, r.URL.Path, err)
		}
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, stripeRequest{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Form: form})
		rec.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s, err := payments.NewStripe(payments.StripeConfig{SecretKey: testSecretKey, WebhookSecret: testWebhookSecret, APIURL: srv.URL})
	if err != nil {
		t.Fatalf("NewStripe: %v", err)
	}
	return s, rec
}

// lastRequest returns the only request recorded, failing otherwise.
func lastRequest(t *testing.T, rec *recorder) stripeRequest {
	t.Helper()
	reqs := rec.requests()
	if len(reqs) != 1 {
		t.Fatalf("stripe-mock got %d requests, want 1: %+v", len(reqs), reqs)
	}
	return reqs[0]
}

func checkHeaders(t *testing.T, req stripeRequest, idempotencyKey string) {
	t.Helper()
	if got, want := req.Header.Get("Authorization"), "Bearer "+testSecretKey; got != want {
		t.Errorf("Authorization = %q, want %q", got, want)
	}
	if got := req.Header.Get("Stripe-Version"); got != stripe.APIVersion {
		t.Errorf("Stripe-Version = %q, want %q", got, stripe.APIVersion)
	}
	if idempotencyKey != "" {
		if got := req.Header.Get("Idempotency-Key"); got != idempotencyKey {
			t.Errorf("Idempotency-Key = %q, want %q", got, idempotencyKey)
		}
	}
}

func TestNewStripeConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     payments.StripeConfig
		wantErr string // a substring; "" means valid
	}{
		{"test key", payments.StripeConfig{SecretKey: "sk_test_x", WebhookSecret: "whsec_x"}, ""},
		{"live key", payments.StripeConfig{SecretKey: "sk_live_x", WebhookSecret: "whsec_x"}, ""},
		{"restricted key", payments.StripeConfig{SecretKey: "rk_live_x", WebhookSecret: "whsec_x", APIURL: "http://127.0.0.1:12111"}, ""},
		{"no key", payments.StripeConfig{WebhookSecret: "whsec_x"}, "SecretKey"},
		{"publishable key", payments.StripeConfig{SecretKey: "pk_test_x", WebhookSecret: "whsec_x"}, "SecretKey"},
		{"no webhook secret", payments.StripeConfig{SecretKey: "sk_test_x"}, "WebhookSecret"},
		{"webhook secret without whsec_", payments.StripeConfig{SecretKey: "sk_test_x", WebhookSecret: "sk_test_x"}, "WebhookSecret"},
		{"API URL without scheme", payments.StripeConfig{SecretKey: "sk_test_x", WebhookSecret: "whsec_x", APIURL: "127.0.0.1:12111"}, "APIURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := payments.NewStripe(tt.cfg)
			if tt.wantErr == "" {
				if err != nil || s == nil {
					t.Fatalf("NewStripe = %v, %v; want a provider", s, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("NewStripe succeeded, want an error naming %s", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewStripe error %q does not name %s", err, tt.wantErr)
			}
		})
	}
}

func validCheckout(expires time.Time) payments.CheckoutRequest {
	return payments.CheckoutRequest{
		Reference:      "pay_42",
		AmountMinor:    15000,
		Currency:       "USD",
		Description:    "SAA-C03 AWS Certified Solutions Architect – Associate",
		Email:          "ada@example.org",
		SuccessURL:     "https://portal.example.org/bookings/7/paid",
		CancelURL:      "https://portal.example.org/bookings/7",
		ExpiresAt:      expires,
		IdempotencyKey: "checkout-pay_42",
	}
}

// TestStripeCheckoutExpiryInStripesWindow: Stripe refuses a session whose
// expires_at is under 30 minutes or over 24 hours away (stripe-mock does
// not check it), so a shorter or longer wish is moved inside the window.
func TestStripeCheckoutExpiryInStripesWindow(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in       time.Duration
		min, max time.Duration
	}{
		{"the portal's 30-minute window, already started", 29 * time.Minute, 30*time.Minute + 30*time.Second, 32 * time.Minute},
		{"an hour", time.Hour, 59 * time.Minute, 61 * time.Minute},
		{"two days", 48 * time.Hour, 23*time.Hour + 59*time.Minute, 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, rec := newStripe(t)
			start := time.Now()
			if _, err := s.CreateCheckout(context.Background(), validCheckout(start.Add(tc.in))); err != nil {
				t.Fatal(err)
			}
			at, err := strconv.ParseInt(lastRequest(t, rec).Form.Get("expires_at"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Unix(at, 0).Sub(start); d < tc.min || d > tc.max {
				t.Fatalf("expires_at is %s ahead, want %s to %s", d, tc.min, tc.max)
			}
		})
	}
}

func TestStripeCreateCheckout(t *testing.T) {
	s, rec := newStripe(t)
	expires := time.Now().Add(45 * time.Minute).Truncate(time.Second)
	r := validCheckout(expires)

	got, err := s.CreateCheckout(context.Background(), r)
	if err != nil {
		t.Fatalf("CreateCheckout: %v", err)
	}
	if !strings.HasPrefix(got.ID, "cs_") {
		t.Errorf("ID = %q, want a cs_ id", got.ID)
	}
	if u, err := url.Parse(got.URL); err != nil || u.Scheme != "https" || u.Host == "" {
		t.Errorf("URL = %q, want an https URL", got.URL)
	}

	req := lastRequest(t, rec)
	if req.Method != http.MethodPost || req.Path != "/v1/checkout/sessions" {
		t.Errorf("request = %s %s, want POST /v1/checkout/sessions", req.Method, req.Path)
	}
	checkHeaders(t, req, r.IdempotencyKey)
	want := map[string]string{
		"mode":                                   "payment",
		"client_reference_id":                    "pay_42",
		"metadata[payment]":                      "pay_42",
		"customer_email":                         "ada@example.org",
		"success_url":                            r.SuccessURL,
		"cancel_url":                             r.CancelURL,
		"expires_at":                             strconv.FormatInt(expires.Unix(), 10),
		"line_items[0][price_data][currency]":    "usd",
		"line_items[0][price_data][unit_amount]": "15000",
		"line_items[0][price_data][product_data][name]": r.Description,
		"line_items[0][quantity]":                       "1",
		"payment_intent_data[metadata][payment]":        "pay_42",
	}
	for k, v := range want {
		if got := req.Form.Get(k); got != v {
			t.Errorf("form %s = %q, want %q", k, got, v)
		}
	}
	for k := range req.Form {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected form field %s = %q", k, req.Form[k])
		}
	}
}

func TestStripeCreateCheckoutInvalid(t *testing.T) {
	s, rec := newStripe(t)
	expires := time.Now().Add(time.Hour)
	tests := []struct {
		name   string
		change func(*payments.CheckoutRequest)
	}{
		{"no reference", func(r *payments.CheckoutRequest) { r.Reference = "" }},
		{"zero amount", func(r *payments.CheckoutRequest) { r.AmountMinor = 0 }},
		{"negative amount", func(r *payments.CheckoutRequest) { r.AmountMinor = -100 }},
		{"bad currency", func(r *payments.CheckoutRequest) { r.Currency = "US" }},
		{"no description", func(r *payments.CheckoutRequest) { r.Description = " " }},
		{"no success URL", func(r *payments.CheckoutRequest) { r.SuccessURL = "" }},
		{"no cancel URL", func(r *payments.CheckoutRequest) { r.CancelURL = "" }},
		{"no idempotency key", func(r *payments.CheckoutRequest) { r.IdempotencyKey = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validCheckout(expires)
			tt.change(&r)
			if got, err := s.CreateCheckout(context.Background(), r); err == nil {
				t.Errorf("CreateCheckout = %+v, want an error", got)
			}
		})
	}
	if n := len(rec.requests()); n != 0 {
		t.Errorf("invalid requests reached Stripe %d times", n)
	}
}

func TestStripeExpireCheckout(t *testing.T) {
	s, rec := newStripe(t)
	if err := s.ExpireCheckout(context.Background(), "cs_test_hold_ended"); err != nil {
		t.Fatalf("ExpireCheckout: %v", err)
	}
	req := lastRequest(t, rec)
	if req.Method != http.MethodPost || req.Path != "/v1/checkout/sessions/cs_test_hold_ended/expire" {
		t.Errorf("request = %s %s, want POST /v1/checkout/sessions/cs_test_hold_ended/expire", req.Method, req.Path)
	}
	checkHeaders(t, req, "")

	if err := s.ExpireCheckout(context.Background(), "pi_123"); err == nil {
		t.Error("ExpireCheckout(pi_123) succeeded, want an error")
	}
}

func TestStripeRefund(t *testing.T) {
	s, rec := newStripe(t)
	var refunder payments.Refunder = s
	r := payments.RefundRequest{PaymentRef: "pi_3Pabc", AmountMinor: 7500, Currency: "USD", IdempotencyKey: "refund-9"}

	id, err := refunder.Refund(context.Background(), r)
	if err != nil {
		t.Fatalf("Refund: %v", err)
	}
	if !strings.HasPrefix(id, "re_") {
		t.Errorf("refund id = %q, want a re_ id", id)
	}
	req := lastRequest(t, rec)
	if req.Method != http.MethodPost || req.Path != "/v1/refunds" {
		t.Errorf("request = %s %s, want POST /v1/refunds", req.Method, req.Path)
	}
	checkHeaders(t, req, "refund-9")
	if got := req.Form.Get("payment_intent"); got != "pi_3Pabc" {
		t.Errorf("payment_intent = %q, want pi_3Pabc", got)
	}
	if got := req.Form.Get("amount"); got != "7500" {
		t.Errorf("amount = %q, want 7500", got)
	}

	for name, bad := range map[string]payments.RefundRequest{
		"test-mode charge":   {PaymentRef: "test_ch_1", AmountMinor: 1, IdempotencyKey: "k"},
		"zero amount":        {PaymentRef: "pi_1", AmountMinor: 0, IdempotencyKey: "k"},
		"no idempotency key": {PaymentRef: "pi_1", AmountMinor: 1},
	} {
		if id, err := s.Refund(context.Background(), bad); err == nil {
			t.Errorf("%s: Refund = %q, want an error", name, id)
		}
	}
	if n := len(rec.requests()); n != 1 {
		t.Errorf("stripe-mock got %d requests, want only the valid refund", n)
	}
}

// resign changes a signed payload's JSON and signs it again at at.
func resign(t *testing.T, payload []byte, at time.Time, change func(ev map[string]any)) ([]byte, string) {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	change(ev)
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: b, Secret: testWebhookSecret, Timestamp: at})
	return sp.Payload, sp.Header
}

func TestStripeParseWebhook(t *testing.T) {
	s, err := payments.NewStripe(payments.StripeConfig{SecretKey: testSecretKey, WebhookSecret: testWebhookSecret})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	paid := testutil.StripeEventData{
		ID:            "evt_paid",
		Type:          "checkout.session.completed",
		Reference:     "pay_42",
		SessionID:     "cs_test_42",
		PaymentIntent: "pi_42",
		PaymentStatus: "paid",
		Currency:      "USD",
		AmountMinor:   15000,
	}
	with := func(change func(*testutil.StripeEventData)) testutil.StripeEventData {
		e := paid
		change(&e)
		return e
	}
	event := func(e testutil.StripeEventData) func() ([]byte, string) {
		return func() ([]byte, string) { return testutil.StripeEvent(t, testWebhookSecret, e, now) }
	}

	tests := []struct {
		name string
		make func() ([]byte, string)
		want payments.Event
	}{
		{
			name: "completed and paid",
			make: event(paid),
			want: payments.Event{ID: "evt_paid", Type: "checkout.session.completed", Created: now.UTC(),
				Reference: "pay_42", SessionID: "cs_test_42", PaymentIntent: "pi_42", AmountMinor: 15000, Currency: "USD", Paid: true},
		},
		{
			name: "completed, bank payment still pending",
			make: event(with(func(e *testutil.StripeEventData) { e.PaymentStatus = "unpaid" })),
			want: payments.Event{ID: "evt_paid", Type: "checkout.session.completed", Created: now.UTC(),
				Reference: "pay_42", SessionID: "cs_test_42", PaymentIntent: "pi_42", AmountMinor: 15000, Currency: "USD"},
		},
		{
			name: "async payment succeeded",
			make: event(with(func(e *testutil.StripeEventData) { e.Type = "checkout.session.async_payment_succeeded" })),
			want: payments.Event{ID: "evt_paid", Type: "checkout.session.async_payment_succeeded", Created: now.UTC(),
				Reference: "pay_42", SessionID: "cs_test_42", PaymentIntent: "pi_42", AmountMinor: 15000, Currency: "USD", Paid: true},
		},
		{
			name: "async payment failed",
			make: event(with(func(e *testutil.StripeEventData) {
				e.Type, e.PaymentStatus = "checkout.session.async_payment_failed", "unpaid"
			})),
			want: payments.Event{ID: "evt_paid", Type: "checkout.session.async_payment_failed", Created: now.UTC(),
				Reference: "pay_42", SessionID: "cs_test_42", PaymentIntent: "pi_42", AmountMinor: 15000, Currency: "USD", Failed: true},
		},
		{
			name: "expired",
			make: event(with(func(e *testutil.StripeEventData) {
				e.ID, e.Type, e.PaymentIntent, e.PaymentStatus = "evt_exp", "checkout.session.expired", "", "unpaid"
			})),
			want: payments.Event{ID: "evt_exp", Type: "checkout.session.expired", Created: now.UTC(),
				Reference: "pay_42", SessionID: "cs_test_42", AmountMinor: 15000, Currency: "USD", Failed: true},
		},
		{
			name: "reference from metadata when client_reference_id is null",
			make: func() ([]byte, string) {
				p, _ := testutil.StripeEvent(t, testWebhookSecret, paid, now)
				return resign(t, p, now, func(ev map[string]any) {
					ev["data"].(map[string]any)["object"].(map[string]any)["client_reference_id"] = nil
				})
			},
			want: payments.Event{ID: "evt_paid", Type: "checkout.session.completed", Created: now.UTC(),
				Reference: "pay_42", SessionID: "cs_test_42", PaymentIntent: "pi_42", AmountMinor: 15000, Currency: "USD", Paid: true},
		},
		{
			name: "unrelated event type",
			make: event(with(func(e *testutil.StripeEventData) { e.ID, e.Type = "evt_other", "customer.created" })),
			want: payments.Event{ID: "evt_other", Type: "customer.created", Created: now.UTC()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload, header := tt.make()
			got, err := s.ParseWebhook(payload, header)
			if err != nil {
				t.Fatalf("ParseWebhook: %v", err)
			}
			if *got != tt.want {
				t.Errorf("ParseWebhook =\n%+v\nwant\n%+v", *got, tt.want)
			}
		})
	}
}

func TestStripeParseWebhookRejects(t *testing.T) {
	s, err := payments.NewStripe(payments.StripeConfig{SecretKey: testSecretKey, WebhookSecret: testWebhookSecret})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	e := testutil.StripeEventData{ID: "evt_1", Type: "checkout.session.completed", Reference: "pay_1",
		PaymentIntent: "pi_1", PaymentStatus: "paid", Currency: "EUR", AmountMinor: 9900}
	apiVersion := func(v string) func() ([]byte, string) {
		return func() ([]byte, string) {
			p, _ := testutil.StripeEvent(t, testWebhookSecret, e, now)
			return resign(t, p, now, func(ev map[string]any) { ev["api_version"] = v })
		}
	}

	tests := []struct {
		name string
		make func() ([]byte, string)
	}{
		{"tampered payload", func() ([]byte, string) {
			p, h := testutil.StripeEvent(t, testWebhookSecret, e, now)
			return bytes.Replace(p, []byte(`"amount_total":9900`), []byte(`"amount_total":1`), 1), h
		}},
		{"wrong secret", func() ([]byte, string) { return testutil.StripeEvent(t, "whsec_someone_else", e, now) }},
		{"timestamp 10 minutes old", func() ([]byte, string) {
			return testutil.StripeEvent(t, testWebhookSecret, e, now.Add(-10*time.Minute))
		}},
		{"no header", func() ([]byte, string) {
			p, _ := testutil.StripeEvent(t, testWebhookSecret, e, now)
			return p, ""
		}},
		{"garbage header", func() ([]byte, string) {
			p, _ := testutil.StripeEvent(t, testWebhookSecret, e, now)
			return p, "nonsense"
		}},
		{"header without v1 signature", func() ([]byte, string) {
			p, _ := testutil.StripeEvent(t, testWebhookSecret, e, now)
			return p, "t=" + strconv.FormatInt(now.Unix(), 10)
		}},
		{"signature of another timestamp", func() ([]byte, string) {
			p, h := testutil.StripeEvent(t, testWebhookSecret, e, now)
			sig := h[strings.Index(h, ",v1="):]
			return p, "t=" + strconv.FormatInt(now.Unix()-1, 10) + sig
		}},
		{"clover release train", apiVersion("2025-09-30.clover")},
		{"version before release trains", apiVersion("2024-06-20")},
		{"no api_version", func() ([]byte, string) {
			p, _ := testutil.StripeEvent(t, testWebhookSecret, e, now)
			return resign(t, p, now, func(ev map[string]any) { delete(ev, "api_version") })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload, header := tt.make()
			got, err := s.ParseWebhook(payload, header)
			if !errors.Is(err, payments.ErrBadSignature) {
				t.Fatalf("ParseWebhook = %+v, %v; want ErrBadSignature", got, err)
			}
			if got != nil {
				t.Errorf("ParseWebhook returned an event with the error: %+v", got)
			}
		})
	}

	// Sanity: the untouched event passes, so each case above fails for
	// its own reason.
	p, h := testutil.StripeEvent(t, testWebhookSecret, e, now)
	if _, err := s.ParseWebhook(p, h); err != nil {
		t.Fatalf("untouched event: %v", err)
	}
	// Another event of the same release train (a newer dahlia) passes.
	p, h = resign(t, p, now, func(ev map[string]any) { ev["api_version"] = "2099-01-01.dahlia" })
	if _, err := s.ParseWebhook(p, h); err != nil {
		t.Errorf("same release train: %v", err)
	}
}

func TestStripeParseWebhookUndecodable(t *testing.T) {
	s, err := payments.NewStripe(payments.StripeConfig{SecretKey: testSecretKey, WebhookSecret: testWebhookSecret})
	if err != nil {
		t.Fatal(err)
	}
	// Correctly signed but not an event: an error, yet not a bad signature.
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(`{"object":"event",`), Secret: testWebhookSecret})
	got, err := s.ParseWebhook(sp.Payload, sp.Header)
	if err == nil {
		t.Fatalf("ParseWebhook = %+v, want an error", got)
	}
	if errors.Is(err, payments.ErrBadSignature) {
		t.Errorf("ParseWebhook error %v is ErrBadSignature; the signature was good", err)
	}
}

// TestStripeRefundRefusals: requests Stripe would never honour are
// ErrRefundRefused (not retried), unlike a failure to reach Stripe.
func TestStripeRefundRefusals(t *testing.T) {
	s, _ := newStripe(t)
	_, err := s.Refund(context.Background(), payments.RefundRequest{PaymentRef: "ch_not_an_intent", AmountMinor: 100, Currency: "USD", IdempotencyKey: "refund-1"})
	if !errors.Is(err, payments.ErrRefundRefused) {
		t.Fatalf("refund of a non-PaymentIntent: %v, want ErrRefundRefused", err)
	}
	down, err := payments.NewStripe(payments.StripeConfig{SecretKey: testSecretKey, WebhookSecret: testWebhookSecret, APIURL: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = down.Refund(context.Background(), payments.RefundRequest{PaymentRef: "pi_123", AmountMinor: 100, Currency: "USD", IdempotencyKey: "refund-2"})
	if err == nil || errors.Is(err, payments.ErrRefundRefused) {
		t.Fatalf("refund with Stripe unreachable: %v, want a retryable error", err)
	}
	if _, err := (payments.TestMode{}).Refund(context.Background(), payments.RefundRequest{PaymentRef: "x", AmountMinor: 1, IdempotencyKey: "k"}); !errors.Is(err, payments.ErrRefundRefused) {
		t.Fatalf("test-mode refund of no test charge: %v, want ErrRefundRefused", err)
	}
}
