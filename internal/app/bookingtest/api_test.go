package bookingtest

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// onlineSlotAfter waits for the slot job started with the app to create
// online starts, and returns the first free one at least d after the
// app's clock.
func onlineSlotAfter(t *testing.T, a *apptest.App, c *http.Client, d time.Duration) map[string]any {
	t.Helper()
	day := a.Clock.Now().Add(d).Add(24 * time.Hour).Format(time.DateOnly)
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := a.API(t, c, http.MethodGet, "/api/v1/online/slots?from="+day+"&to="+day, "")
		apptest.WantStatus(t, r, http.StatusOK)
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

		r := a.API(t, c, http.MethodGet, "/api/v1/exams", "")
		apptest.WantStatus(t, r, http.StatusOK)
		list := r.JSON["exams"].([]any)
		if len(list) < 5 {
			t.Fatalf("exams = %.300s", r.Raw)
		}
		h := r.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Request-ID") == "" {
			t.Errorf("API response lacks the site's security headers: %v", h)
		}

		r = a.API(t, c, http.MethodGet, "/api/v1/openapi.json", "")
		apptest.WantStatus(t, r, http.StatusOK)
		if v, _ := r.JSON["openapi"].(string); !strings.HasPrefix(v, "3.1") {
			t.Errorf("openapi = %q", v)
		}

		r = a.API(t, c, http.MethodGet, "/api/v1/centers?country=US&near=Seattle&radius=100", "")
		apptest.WantStatus(t, r, http.StatusOK)
		if r.JSON["attribution"] == "" || r.JSON["centers"] == nil || r.JSON["place"].(map[string]any)["name"] != "Seattle" {
			t.Errorf("search = %.500s", r.Raw)
		}
		r = a.API(t, c, http.MethodGet, "/api/v1/centers?country=US&near=Seatle", "", "Accept-Language", "es")
		apptest.WantStatus(t, r, http.StatusNotFound)
		sugg, _ := r.JSON["error"].(map[string]any)["suggestions"].([]any)
		if r.ErrorField("code") != "not_found" || len(sugg) == 0 || sugg[0].(map[string]any)["name"] != "Seattle" {
			t.Errorf("unknown place = %.800s", r.Raw)
		}

		r = a.API(t, c, http.MethodGet, "/api/v1/nope", "")
		apptest.WantStatus(t, r, http.StatusNotFound)
		r = a.API(t, c, http.MethodGet, "/api/v1/online/slots?time_zone=Nowhere/Special", "")
		apptest.WantStatus(t, r, http.StatusUnprocessableEntity)

		// Signed out: 401 in JSON, not the site's redirect to /signin.
		for _, path := range []string{"/api/v1/bookings", "/api/v1/cart"} {
			r = a.API(t, c, http.MethodGet, path, "")
			apptest.WantStatus(t, r, http.StatusUnauthorized)
			if r.ErrorField("code") != "unauthorized" {
				t.Errorf("%s: %s", path, r.Raw)
			}
		}
		r = a.API(t, c, http.MethodPost, "/api/v1/holds", `{}`, "Idempotency-Key", "k")
		apptest.WantStatus(t, r, http.StatusUnauthorized)
	})
}

// TestAPIBookingJourney: the demo candidate signs in on the site and books,
// pays and cancels an online exam through the API with idempotency keys.
func TestAPIBookingJourney(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		if cand == nil {
			t.Fatalf("no demo candidate in:\n%s", a.Stdout())
		}
		c := a.SignInToDashboard(t, cand[1], cand[2])

		r := a.API(t, c, http.MethodGet, "/api/v1/bookings", "")
		apptest.WantStatus(t, r, http.StatusOK)
		if l := r.JSON["bookings"].([]any); len(l) != 0 {
			t.Fatalf("new candidate has bookings: %s", r.Raw)
		}

		slot := onlineSlotAfter(t, a, c, 72*time.Hour)
		hold := `{"exam_code":"SAA-C03","slot_id":` + strconv.FormatInt(int64(slot["id"].(float64)), 10) + `,"language":"en"}`

		r = a.API(t, c, http.MethodPost, "/api/v1/holds", hold)
		apptest.WantStatus(t, r, http.StatusBadRequest)
		if r.ErrorField("message_id") != "idempotency.key_required" {
			t.Errorf("no key: %s", r.Raw)
		}
		r = a.API(t, c, http.MethodPost, "/api/v1/holds", hold, "Idempotency-Key", "h1", "Content-Type", "text/plain")
		apptest.WantStatus(t, r, http.StatusUnsupportedMediaType)

		first := a.API(t, c, http.MethodPost, "/api/v1/holds", hold, "Idempotency-Key", "h1")
		apptest.WantStatus(t, first, http.StatusCreated)
		again := a.API(t, c, http.MethodPost, "/api/v1/holds", hold, "Idempotency-Key", "h1")
		apptest.WantStatus(t, again, http.StatusCreated)
		if again.Raw != first.Raw || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs:\n%s\n%s", first.Raw, again.Raw)
		}
		ref := first.JSON["reference"].(string)
		if first.JSON["online"] != true || first.JSON["starts_at"] != slot["starts_at"] {
			t.Errorf("hold = %s", first.Raw)
		}

		cart := a.API(t, c, http.MethodGet, "/api/v1/cart", "")
		apptest.WantStatus(t, cart, http.StatusOK)
		if cart.JSON["online"] != true || len(cart.JSON["items"].([]any)) != 1 {
			t.Fatalf("cart = %s", cart.Raw)
		}

		r = a.API(t, c, http.MethodPost, "/api/v1/checkout", `{"provider":"test","card":"4242424242424242"}`, "Idempotency-Key", "pay-0")
		apptest.WantStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.Raw, `"field":"agree_rules"`) {
			t.Errorf("online checkout without agreements: %s", r.Raw)
		}
		paid := a.API(t, c, http.MethodPost, "/api/v1/checkout",
			`{"provider":"test","card":"4242424242424242","system_checked":true,"agree_rules":true,"agree_privacy":true}`, "Idempotency-Key", "pay-1")
		apptest.WantStatus(t, paid, http.StatusOK)
		bookings := paid.JSON["bookings"].([]any)
		if len(bookings) != 1 || bookings[0].(map[string]any)["state"] != "confirmed" || paid.JSON["payment"].(map[string]any)["state"] != "succeeded" {
			t.Fatalf("checkout = %s", paid.Raw)
		}

		show := a.API(t, c, http.MethodGet, "/api/v1/bookings/"+ref, "")
		apptest.WantStatus(t, show, http.StatusOK)
		if q := show.JSON["cancel"].(map[string]any); q["percent"] != 100.0 || q["allowed"] != true {
			t.Errorf("cancel quote = %v", q)
		}

		cancel := a.API(t, c, http.MethodPost, "/api/v1/bookings/"+ref+"/cancel", `{"reason":"changed plans"}`, "Idempotency-Key", "cancel-1")
		apptest.WantStatus(t, cancel, http.StatusOK)
		refund := cancel.JSON["refund"].(map[string]any)["amount"].(map[string]any)
		if refund["amount_minor"] != 15000.0 || refund["currency"] != "USD" || cancel.JSON["booking"].(map[string]any)["state"] != "cancelled" {
			t.Fatalf("cancel = %s", cancel.Raw)
		}
		replay := a.API(t, c, http.MethodPost, "/api/v1/bookings/"+ref+"/cancel", `{"reason":"changed plans"}`, "Idempotency-Key", "cancel-1")
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
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST = %d, want 403", resp.StatusCode)
		}
	})
}
