package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// apiResponse is one API response with its body decoded.
type apiResponse struct {
	Status int
	Header http.Header
	Raw    string
	JSON   map[string]any
}

func (r apiResponse) errorField(key string) string {
	e, _ := r.JSON["error"].(map[string]any)
	s, _ := e[key].(string)
	return s
}

// apiCall sends a request to the API and decodes the JSON answer; payload,
// when not empty, is sent as JSON. Headers are pairs of name and value.
func apiCall(t *testing.T, a *apptest.App, c *http.Client, method, path, payload string, headers ...string) apiResponse {
	t.Helper()
	var rd io.Reader
	if payload != "" {
		rd = strings.NewReader(payload)
	}
	req, err := http.NewRequest(method, a.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if payload != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out := apiResponse{Status: resp.StatusCode, Header: resp.Header, Raw: body(t, resp)}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: %d with Content-Type %q:\n%.500s", method, path, resp.StatusCode, ct, out.Raw)
	}
	if err := json.Unmarshal([]byte(out.Raw), &out.JSON); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v\n%.500s", method, path, err, out.Raw)
	}
	return out
}

func wantStatus(t *testing.T, r apiResponse, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d:\n%.1000s", r.Status, status, r.Raw)
	}
}

// apiSignIn signs in through the sign-in form and returns the client with
// its session cookie.
func apiSignIn(t *testing.T, a *apptest.App, email, password string) *http.Client {
	t.Helper()
	c := a.Client()
	resp := a.PostForm(t, c, "/signin", url.Values{"email": {email}, "password": {password}})
	_ = body(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
		t.Fatalf("sign-in of %s: %d to %q", email, resp.StatusCode, resp.Header.Get("Location"))
	}
	return c
}

// onlineSlotAfter waits for the slot job started with the app to create
// online starts, and returns the first free one at least d after the
// app's clock.
func onlineSlotAfter(t *testing.T, a *apptest.App, c *http.Client, d time.Duration) map[string]any {
	t.Helper()
	day := a.Clock.Now().Add(d).Add(24 * time.Hour).Format(time.DateOnly)
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := apiCall(t, a, c, http.MethodGet, "/api/v1/online/slots?from="+day+"&to="+day, "")
		wantStatus(t, r, http.StatusOK)
		if days := r.JSON["days"].([]any); len(days) > 0 {
			return days[0].(map[string]any)["slots"].([]any)[0].(map[string]any)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no online slots on %s within 30 s", day)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAPIPublicEndpoints: the catalog, place search and the document are
// public JSON behind the site's middleware; unknown paths are JSON 404s.
func TestAPIPublicEndpoints(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		c := a.Client()

		r := apiCall(t, a, c, http.MethodGet, "/api/v1/exams", "")
		wantStatus(t, r, http.StatusOK)
		list := r.JSON["exams"].([]any)
		if len(list) < 5 {
			t.Fatalf("exams = %.300s", r.Raw)
		}
		h := r.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Request-ID") == "" {
			t.Errorf("API response lacks the site's security headers: %v", h)
		}

		r = apiCall(t, a, c, http.MethodGet, "/api/v1/openapi.json", "")
		wantStatus(t, r, http.StatusOK)
		if v, _ := r.JSON["openapi"].(string); !strings.HasPrefix(v, "3.1") {
			t.Errorf("openapi = %q", v)
		}

		r = apiCall(t, a, c, http.MethodGet, "/api/v1/centers?country=US&near=Seattle&radius=100", "")
		wantStatus(t, r, http.StatusOK)
		if r.JSON["attribution"] == "" || r.JSON["centers"] == nil || r.JSON["place"].(map[string]any)["name"] != "Seattle" {
			t.Errorf("search = %.500s", r.Raw)
		}
		r = apiCall(t, a, c, http.MethodGet, "/api/v1/centers?country=US&near=Seatle", "", "Accept-Language", "es")
		wantStatus(t, r, http.StatusNotFound)
		sugg, _ := r.JSON["error"].(map[string]any)["suggestions"].([]any)
		if r.errorField("code") != "not_found" || len(sugg) == 0 || sugg[0].(map[string]any)["name"] != "Seattle" {
			t.Errorf("unknown place = %.800s", r.Raw)
		}

		r = apiCall(t, a, c, http.MethodGet, "/api/v1/nope", "")
		wantStatus(t, r, http.StatusNotFound)
		r = apiCall(t, a, c, http.MethodGet, "/api/v1/online/slots?time_zone=Nowhere/Special", "")
		wantStatus(t, r, http.StatusUnprocessableEntity)

		// Signed out: 401 in JSON, not the site's redirect to /signin.
		for _, path := range []string{"/api/v1/bookings", "/api/v1/cart"} {
			r = apiCall(t, a, c, http.MethodGet, path, "")
			wantStatus(t, r, http.StatusUnauthorized)
			if r.errorField("code") != "unauthorized" {
				t.Errorf("%s: %s", path, r.Raw)
			}
		}
		r = apiCall(t, a, c, http.MethodPost, "/api/v1/holds", `{}`, "Idempotency-Key", "k")
		wantStatus(t, r, http.StatusUnauthorized)
	})
}

// TestAPIBookingJourney: the demo candidate signs in on the site and books,
// pays and cancels an online exam through the API with idempotency keys.
func TestAPIBookingJourney(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		cand := regexp.MustCompile(`candidate\s+email (\S+)\s+password (\S+)`).FindStringSubmatch(a.Stdout())
		if cand == nil {
			t.Fatalf("no demo candidate in:\n%s", a.Stdout())
		}
		c := apiSignIn(t, a, cand[1], cand[2])

		r := apiCall(t, a, c, http.MethodGet, "/api/v1/bookings", "")
		wantStatus(t, r, http.StatusOK)
		if l := r.JSON["bookings"].([]any); len(l) != 0 {
			t.Fatalf("new candidate has bookings: %s", r.Raw)
		}

		slot := onlineSlotAfter(t, a, c, 72*time.Hour)
		hold := `{"exam_code":"SAA-C03","slot_id":` + strconv.FormatInt(int64(slot["id"].(float64)), 10) + `,"language":"en"}`

		r = apiCall(t, a, c, http.MethodPost, "/api/v1/holds", hold)
		wantStatus(t, r, http.StatusBadRequest)
		if r.errorField("message_id") != "idempotency.key_required" {
			t.Errorf("no key: %s", r.Raw)
		}
		r = apiCall(t, a, c, http.MethodPost, "/api/v1/holds", hold, "Idempotency-Key", "h1", "Content-Type", "text/plain")
		wantStatus(t, r, http.StatusUnsupportedMediaType)

		first := apiCall(t, a, c, http.MethodPost, "/api/v1/holds", hold, "Idempotency-Key", "h1")
		wantStatus(t, first, http.StatusCreated)
		again := apiCall(t, a, c, http.MethodPost, "/api/v1/holds", hold, "Idempotency-Key", "h1")
		wantStatus(t, again, http.StatusCreated)
		if again.Raw != first.Raw || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs:\n%s\n%s", first.Raw, again.Raw)
		}
		ref := first.JSON["reference"].(string)
		if first.JSON["online"] != true || first.JSON["starts_at"] != slot["starts_at"] {
			t.Errorf("hold = %s", first.Raw)
		}

		cart := apiCall(t, a, c, http.MethodGet, "/api/v1/cart", "")
		wantStatus(t, cart, http.StatusOK)
		if cart.JSON["online"] != true || len(cart.JSON["items"].([]any)) != 1 {
			t.Fatalf("cart = %s", cart.Raw)
		}

		r = apiCall(t, a, c, http.MethodPost, "/api/v1/checkout", `{"provider":"test","card":"4242424242424242"}`, "Idempotency-Key", "pay-0")
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.Raw, `"field":"agree_rules"`) {
			t.Errorf("online checkout without agreements: %s", r.Raw)
		}
		paid := apiCall(t, a, c, http.MethodPost, "/api/v1/checkout",
			`{"provider":"test","card":"4242424242424242","system_checked":true,"agree_rules":true,"agree_privacy":true}`, "Idempotency-Key", "pay-1")
		wantStatus(t, paid, http.StatusOK)
		bookings := paid.JSON["bookings"].([]any)
		if len(bookings) != 1 || bookings[0].(map[string]any)["state"] != "confirmed" || paid.JSON["payment"].(map[string]any)["state"] != "succeeded" {
			t.Fatalf("checkout = %s", paid.Raw)
		}

		show := apiCall(t, a, c, http.MethodGet, "/api/v1/bookings/"+ref, "")
		wantStatus(t, show, http.StatusOK)
		if q := show.JSON["cancel"].(map[string]any); q["percent"] != 100.0 || q["allowed"] != true {
			t.Errorf("cancel quote = %v", q)
		}

		cancel := apiCall(t, a, c, http.MethodPost, "/api/v1/bookings/"+ref+"/cancel", `{"reason":"changed plans"}`, "Idempotency-Key", "cancel-1")
		wantStatus(t, cancel, http.StatusOK)
		refund := cancel.JSON["refund"].(map[string]any)["amount"].(map[string]any)
		if refund["amount_minor"] != 15000.0 || refund["currency"] != "USD" || cancel.JSON["booking"].(map[string]any)["state"] != "cancelled" {
			t.Fatalf("cancel = %s", cancel.Raw)
		}
		replay := apiCall(t, a, c, http.MethodPost, "/api/v1/bookings/"+ref+"/cancel", `{"reason":"changed plans"}`, "Idempotency-Key", "cancel-1")
		if replay.Status != http.StatusOK || replay.Raw != cancel.Raw || replay.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("cancel replay = %d %s", replay.Status, replay.Raw)
		}

		// A browser on another site cannot post to the API with the
		// candidate's cookie.
		req, _ := http.NewRequest(http.MethodPost, a.URL+"/api/v1/holds", strings.NewReader(hold))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "evil")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = body(t, resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST = %d, want 403", resp.StatusCode)
		}
	})
}
