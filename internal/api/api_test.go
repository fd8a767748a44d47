package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/centers"
	"example.org/certportal/internal/exams"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/idempotency"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// apiFixture is the API over a real store on one engine, with two
// verified candidates, one exam sold at centers and online, and a
// one-seat test center in Seattle whose slots are generated.
type apiFixture struct {
	t      testing.TB
	clock  *testutil.Clock
	st     *store.Store
	sched  *booking.Service
	cat    *centers.Service
	h      http.Handler
	users  map[string]int64
	center *portal.TestCenter
}

// testUserHeader names the test's stand-in for the session: the user
// whose actor the request carries.
const testUserHeader = "X-Test-User"

func newAPIFixture(t testing.TB, engine string) *apiFixture {
	t.Helper()
	ctx := context.Background()
	clock := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)) // a Monday
	st := testutil.MustOpenStore(t, engine, clock)
	log := slog.New(slog.DiscardHandler)
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	f := &apiFixture{t: t, clock: clock, st: st, users: map[string]int64{}}
	f.sched = booking.New(st, clock, log, &payments.Providers{Test: &payments.TestMode{}}, booking.Config{})
	f.cat = centers.New(st, clock, log, centers.Config{})
	ex := exams.New(st, clock, log)
	system := portal.SystemActor("test")
	if _, err := ex.CreateExam(ctx, system, portal.Exam{
		Code: "SAA-C03", Name: "Solutions Architect", Level: portal.LevelAssociate, Kind: portal.KindExam,
		DurationMinutes: 130, Languages: "en,es", Delivery: portal.DeliveryTestCenter + "," + portal.DeliveryOnline,
		PriceMinor: 15000, Currency: "USD", PassingScore: 720, RetakeWaitDays: 14, MaxReschedules: 2, ValidityMonths: 36,
		Active: true, Domains: []portal.ExamDomain{{Name: "Design", WeightPercent: 60}, {Name: "Cost", WeightPercent: 40}},
	}); err != nil {
		t.Fatal(err)
	}
	f.center, err = f.cat.CreateCenter(ctx, system, portal.TestCenter{
		Code: "SEA-01", Name: "Seattle Downtown", AddressLine1: "1200 5th Ave", City: "Seattle", Region: "US-WA",
		PostalCode: "98101", Country: "US", Latitude: 47.6085, Longitude: -122.3331, TimeZone: "America/Los_Angeles",
		Seats: 1, Hours: "mon-sun 08:00-21:00", Active: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.cat.GenerateSlots(ctx); err != nil {
		t.Fatal(err)
	}
	verified := clock.Now()
	err = st.Transact(ctx, func(tx *store.Tx) error {
		for i, name := range []string{"alice", "bob"} {
			u, err := tx.CreateUser(ctx, store.UserCreate{LoginID: "CP1000000" + strconv.Itoa(i), Email: name + "@example.test",
				FirstName: strings.ToUpper(name[:1]) + name[1:], LastName: "Tester", Role: portal.RoleCandidate, Language: "en",
				EmailVerifiedAt: &verified, Country: "US"})
			if err != nil {
				return err
			}
			f.users[name] = u.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.h = New(Deps{Log: log, Clock: clock, Catalog: cat, Exams: ex, Centers: f.cat, Booking: f.sched,
		Idempotency: idempotency.New(st, log),
		Actor: func(r *http.Request) (portal.Actor, bool) {
			id, ok := f.users[r.Header.Get(testUserHeader)]
			return portal.Actor{UserID: id, Role: portal.RoleCandidate, RequestID: "test"}, ok
		}})
	return f
}

// response is a recorded response with its body decoded.
type response struct {
	*httptest.ResponseRecorder
	JSON map[string]any
}

func (r response) errorField(key string) string {
	e, _ := r.JSON["error"].(map[string]any)
	s, _ := e[key].(string)
	return s
}

func (r response) fields() map[string]string {
	out := map[string]string{}
	e, _ := r.JSON["error"].(map[string]any)
	list, _ := e["fields"].([]any)
	for _, x := range list {
		m := x.(map[string]any)
		out[m["field"].(string)] = m["message_id"].(string)
	}
	return out
}

// request sends one request as user ("" for anonymous). A body string is
// sent as JSON; headers are pairs of name and value.
func (f *apiFixture) request(method, path, user, body string, headers ...string) response {
	f.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set(testUserHeader, user)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != contentTypeJSON {
		f.t.Fatalf("%s %s: Content-Type %q, want %q; body %s", method, path, ct, contentTypeJSON, rec.Body)
	}
	out := response{ResponseRecorder: rec}
	if err := json.Unmarshal(rec.Body.Bytes(), &out.JSON); err != nil {
		f.t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, path, err, rec.Body)
	}
	return out
}

// post sends a POST with an idempotency key.
func (f *apiFixture) post(path, user, key, body string) response {
	f.t.Helper()
	return f.request(http.MethodPost, path, user, body, "Idempotency-Key", key)
}

func (f *apiFixture) want(r response, status int) {
	f.t.Helper()
	if r.Code != status {
		f.t.Fatalf("status %d, want %d; body %s", r.Code, status, r.Body)
	}
}

// centerSlots returns the Seattle center's free slots, earliest first.
func (f *apiFixture) centerSlots() []map[string]any {
	f.t.Helper()
	r := f.request(http.MethodGet, "/api/v1/centers/"+strconv.FormatInt(f.center.ID, 10)+"/slots", "", "")
	f.want(r, http.StatusOK)
	var out []map[string]any
	for _, d := range r.JSON["days"].([]any) {
		for _, s := range d.(map[string]any)["slots"].([]any) {
			out = append(out, s.(map[string]any))
		}
	}
	if len(out) < 4 {
		f.t.Fatalf("only %d center slots", len(out))
	}
	return out
}

func slotID(s map[string]any) int64 { return int64(s["id"].(float64)) }

func holdBody(slot int64) string {
	return `{"exam_code":"SAA-C03","slot_id":` + strconv.FormatInt(slot, 10) + `,"language":"en"}`
}

func TestAPIExamList(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAPIFixture(t, engine)
		r := f.request(http.MethodGet, "/api/v1/exams", "", "")
		f.want(r, http.StatusOK)
		list := r.JSON["exams"].([]any)
		if len(list) != 1 {
			t.Fatalf("exams = %v", list)
		}
		e := list[0].(map[string]any)
		price := e["price"].(map[string]any)
		if e["code"] != "SAA-C03" || price["amount_minor"] != 15000.0 || price["currency"] != "USD" ||
			len(e["languages"].([]any)) != 2 || len(e["delivery"].([]any)) != 2 || len(e["domains"].([]any)) != 2 ||
			e["duration_minutes"] != 130.0 || e["max_reschedules"] != 2.0 {
			t.Errorf("exam = %v", e)
		}
		// Security and caching are the web middleware's; the API sends
		// JSON only.
		if r.Header().Get("Content-Type") != contentTypeJSON {
			t.Errorf("Content-Type = %q", r.Header().Get("Content-Type"))
		}
	})
}

func TestAPICenterSearch(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAPIFixture(t, engine)
		r := f.request(http.MethodGet, "/api/v1/centers?country=US&near=Seattle&radius=25&unit=km", "", "")
		f.want(r, http.StatusOK)
		centers := r.JSON["centers"].([]any)
		if len(centers) != 1 || r.JSON["attribution"] == "" || r.JSON["unit"] != "km" {
			t.Fatalf("search = %s", r.Body)
		}
		c := centers[0].(map[string]any)
		d := c["distance"].(map[string]any)
		if c["code"] != "SEA-01" || c["time_zone"] != "America/Los_Angeles" || d["unit"] != "km" || d["value"].(float64) > 25 {
			t.Errorf("center = %v", c)
		}
		if p := r.JSON["place"].(map[string]any); p["name"] != "Seattle" || p["country"] != "US" {
			t.Errorf("place = %v", p)
		}

		r = f.request(http.MethodGet, "/api/v1/centers?country=US&near=Seatle", "", "")
		f.want(r, http.StatusNotFound)
		if r.errorField("code") != portal.ENotFound || r.errorField("message_id") != "schedule.search.place_unknown" || r.errorField("message") == "" {
			t.Errorf("unknown place: %s", r.Body)
		}
		sugg, _ := r.JSON["error"].(map[string]any)["suggestions"].([]any)
		found := false
		for _, s := range sugg {
			m := s.(map[string]any)
			found = found || (m["name"] == "Seattle" && m["country"] == "US" && m["region"] != nil)
		}
		if !found || r.JSON["attribution"] == nil {
			t.Errorf("no Seattle among the suggestions or no attribution: %s", r.Body)
		}

		r = f.request(http.MethodGet, "/api/v1/centers?country=XX&near=&radius=ten&unit=ft", "", "")
		f.want(r, http.StatusUnprocessableEntity)
		if got := r.fields(); got["radius"] == "" || got["unit"] == "" {
			t.Errorf("fields = %v", got)
		}
		r = f.request(http.MethodGet, "/api/v1/centers?country=XX&near=&radius=7", "", "")
		f.want(r, http.StatusUnprocessableEntity)
		if got := r.fields(); got["country"] != "schedule.search.country_required" || got["near"] == "" || got["radius"] == "" {
			t.Errorf("fields = %v", got)
		}
	})
}

func TestAPISlots(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAPIFixture(t, engine)
		slots := f.centerSlots()
		start, err := time.Parse(time.RFC3339, slots[0]["starts_at"].(string))
		if err != nil || start.Before(f.clock.Now().Add(24*time.Hour)) || !strings.HasSuffix(slots[0]["starts_at"].(string), "Z") {
			t.Errorf("first slot %v starts inside the minimum lead time or not in UTC", slots[0])
		}
		if l := slots[0]["local"].(string); !strings.HasSuffix(l, "-08:00") || slots[0]["free"] != 1.0 {
			t.Errorf("first slot = %v, want a Pacific local time and one free seat", slots[0])
		}
		f.want(f.request(http.MethodGet, "/api/v1/centers/999999/slots", "", ""), http.StatusNotFound)
		f.want(f.request(http.MethodGet, "/api/v1/centers/abc/slots", "", ""), http.StatusNotFound)

		r := f.request(http.MethodGet, "/api/v1/online/slots?time_zone=Europe/Berlin&from=2026-11-26&to=2026-11-26", "", "")
		f.want(r, http.StatusOK)
		days := r.JSON["days"].([]any)
		if r.JSON["time_zone"] != "Europe/Berlin" || len(days) != 1 || days[0].(map[string]any)["date"] != "2026-11-26" {
			t.Fatalf("online slots = %.300s", r.Body)
		}
		first := days[0].(map[string]any)["slots"].([]any)[0].(map[string]any)
		if first["local"] != "2026-11-26T00:00:00+01:00" || first["starts_at"] != "2026-11-25T23:00:00Z" || first["session"] != "online" {
			t.Errorf("first online slot of the day = %v", first)
		}
		r = f.request(http.MethodGet, "/api/v1/online/slots?time_zone=Mars/Olympus&from=26.11.2026", "", "")
		f.want(r, http.StatusUnprocessableEntity)
		if got := r.fields(); got["time_zone"] != "api.time_zone_invalid" || got["from"] != "api.date_invalid" {
			t.Errorf("fields = %v", got)
		}
		f.want(f.request(http.MethodGet, "/api/v1/online/slots?time_zone=Local", "", ""), http.StatusUnprocessableEntity)
		r = f.request(http.MethodGet, "/api/v1/online/slots", "", "")
		f.want(r, http.StatusOK)
		if r.JSON["time_zone"] != "UTC" {
			t.Errorf("default zone = %v", r.JSON["time_zone"])
		}
	})
}

func TestAPIRequiresASession(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAPIFixture(t, engine)
		for _, tc := range []struct{ method, path string }{
			{"GET", "/api/v1/bookings"}, {"GET", "/api/v1/bookings/B2345-6789"}, {"GET", "/api/v1/cart"},
			{"POST", "/api/v1/holds"}, {"POST", "/api/v1/checkout"}, {"POST", "/api/v1/bookings/B2345-6789/cancel"},
			{"POST", "/api/v1/bookings/B2345-6789/reschedule"},
		} {
			t.Run(tc.method+" "+tc.path, func(t *testing.T) {
				r := f.request(tc.method, tc.path, "", "{}", "Idempotency-Key", "k1")
				f.want(r, http.StatusUnauthorized)
				if r.errorField("code") != portal.EUnauthorized || r.errorField("message") == "" {
					t.Errorf("body = %s", r.Body)
				}
			})
		}
	})
}

func TestAPIUnknownRoutes(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAPIFixture(t, engine)
		r := f.request(http.MethodGet, "/api/v1/nope", "", "")
		f.want(r, http.StatusNotFound)
		if r.errorField("message_id") != "api.route_unknown" {
			t.Errorf("body = %s", r.Body)
		}
		r = f.request(http.MethodDelete, "/api/v1/exams", "", "")
		f.want(r, http.StatusMethodNotAllowed)
		if r.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("Allow = %q", r.Header().Get("Allow"))
		}
		r = f.request(http.MethodGet, "/api/v1/openapi.json", "", "")
		f.want(r, http.StatusOK)
		if r.JSON["openapi"] != "3.1.0" {
			t.Errorf("openapi = %v", r.JSON["openapi"])
		}
	})
}

// TestAPIHoldIsIdempotent: SECURITY.md CONC-04 through the API.
func TestAPIHoldIsIdempotent(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAPIFixture(t, engine)
		slots := f.centerSlots()
		first := f.post("/api/v1/holds", "alice", "hold-1", holdBody(slotID(slots[0])))
		f.want(first, http.StatusCreated)
		if first.JSON["state"] != portal.BookingHeld || first.JSON["hold_expires_at"] == nil ||
			first.JSON["exam"].(map[string]any)["code"] != "SAA-C03" || first.Header().Get("Idempotent-Replayed") != "" {
			t.Fatalf("hold = %s", first.Body)
		}
		// The same request again: the stored answer, not a second hold.
		again := f.post("/api/v1/holds", "alice", "hold-1", ` {"language":"en", "slot_id":`+strconv.FormatInt(slotID(slots[0]), 10)+`,"exam_code":"SAA-C03"}`)
		f.want(again, http.StatusCreated)
		if again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay = %s (replayed %q), want %s", again.Body, again.Header().Get("Idempotent-Replayed"), first.Body)
		}
		// The same key for another slot is refused.
		r := f.post("/api/v1/holds", "alice", "hold-1", holdBody(slotID(slots[1])))
		f.want(r, http.StatusUnprocessableEntity)
		if r.errorField("code") != portal.EInvalid || r.errorField("message_id") != "idempotency.key_reused" {
			t.Errorf("reused key: %s", r.Body)
		}
		// Keys are per user: bob's "hold-1" is his own request.
		r = f.post("/api/v1/holds", "bob", "hold-1", holdBody(slotID(slots[2])))
		f.want(r, http.StatusCreated)

		cart := f.request(http.MethodGet, "/api/v1/cart", "alice", "")
		f.want(cart, http.StatusOK)
		if items := cart.JSON["items"].([]any); len(items) != 1 || cart.JSON["total"].(map[string]any)["amount_minor"] != 15000.0 {
			t.Errorf("cart = %s", cart.Body)
		}
	})
}

// TestAPIRefusesBadRequests: bad input is a 4xx with a JSON error, never
// a 500, and stores nothing under the key.
func TestAPIRefusesBadRequests(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAPIFixture(t, engine)
		slot := slotID(f.centerSlots()[0])
		// A retired exam is not in the active catalog.
		if _, err := exams.New(f.st, f.clock, slog.New(slog.DiscardHandler)).CreateExam(context.Background(), portal.SystemActor("test"), portal.Exam{
			Code: "OLD-C01", Name: "Retired", Level: portal.LevelAssociate, Kind: portal.KindExam,
			DurationMinutes: 60, Languages: "en", Delivery: portal.DeliveryTestCenter, PriceMinor: 10000, Currency: "USD",
			PassingScore: 700, RetakeWaitDays: 14, MaxReschedules: 2, ValidityMonths: 36,
			Domains: []portal.ExamDomain{{Name: "All", WeightPercent: 100}},
		}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name    string
			headers []string
			body    string
			status  int
			message string
			field   string
		}{
			{"no key", []string{"Idempotency-Key", ""}, holdBody(slot), 400, "idempotency.key_required", ""},
			{"key too long", []string{"Idempotency-Key", strings.Repeat("k", 256)}, holdBody(slot), 400, "idempotency.key_invalid", ""},
			{"form body", []string{"Content-Type", "application/x-www-form-urlencoded"}, "exam_code=SAA-C03", 415, "api.unsupported_media_type", ""},
			{"no content type", []string{"Content-Type", ""}, holdBody(slot), 415, "api.unsupported_media_type", ""},
			{"latin-1", []string{"Content-Type", "application/json; charset=latin1"}, holdBody(slot), 415, "api.unsupported_media_type", ""},
			{"malformed", nil, `{"exam_code":`, 400, "api.malformed_json", ""},
			{"trailing data", nil, holdBody(slot) + `{}`, 400, "api.malformed_json", ""},
			{"array", nil, `[1]`, 400, "api.malformed_json", ""},
			{"empty", nil, ` `, 400, "api.malformed_json", ""},
			{"unknown field", nil, `{"exam_code":"SAA-C03","slot_id":1,"price":0}`, 422, "error.form_invalid", "price"},
			{"field in other case", nil, `{"exam_code":"SAA-C03","SLOT_ID":1}`, 422, "error.form_invalid", "SLOT_ID"},
			{"wrong type", nil, `{"exam_code":"SAA-C03","slot_id":"12"}`, 422, "error.form_invalid", "slot_id"},
			{"number too big", nil, `{"exam_code":"SAA-C03","slot_id":1e40}`, 422, "error.form_invalid", "slot_id"},
			{"too large", nil, `{"exam_code":"` + strings.Repeat("x", 17<<10) + `"}`, 413, "error.too_large", ""},
			{"missing fields", nil, `{}`, 422, "error.form_invalid", "exam_code"},
			{"unknown exam", nil, `{"exam_code":"NOPE-1","slot_id":1}`, 422, "error.form_invalid", "exam_code"},
			{"retired exam", nil, `{"exam_code":"old-c01","slot_id":` + strconv.FormatInt(slot, 10) + `}`, 422, "error.form_invalid", "exam_code"},
			{"unknown slot", nil, `{"exam_code":"saa-c03","slot_id":99999999}`, 422, "error.form_invalid", "slot_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				headers := append([]string{"Idempotency-Key", "bad-" + tc.name}, tc.headers...)
				r := f.request(http.MethodPost, "/api/v1/holds", "alice", tc.body, headers...)
				f.want(r, tc.status)
				if r.errorField("message_id") != tc.message || r.errorField("message") == "" || strings.HasPrefix(r.errorField("message"), "[") {
					t.Errorf("error = %s, want message %s", r.Body, tc.message)
				}
				if tc.field != "" && r.fields()[tc.field] == "" {
					t.Errorf("fields = %v, want %s", r.fields(), tc.field)
				}
			})
		}
		// None of them took a seat.
		cart := f.request(http.MethodGet, "/api/v1/cart", "alice", "")
		if items := cart.JSON["items"].([]any); len(items) != 0 {
			t.Errorf("cart after bad requests = %s", cart.Body)
		}
	})
}

func TestAPIHoldOnAFullSlot(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAPIFixture(t, engine)
		slot := slotID(f.centerSlots()[0])
		f.want(f.post("/api/v1/holds", "alice", "a", holdBody(slot)), http.StatusCreated)
		r := f.post("/api/v1/holds", "bob", "b", holdBody(slot))
		f.want(r, http.StatusConflict)
		if r.errorField("code") != portal.EConflict || r.errorField("message_id") != "schedule.hold.full" {
			t.Fatalf("full slot: %s", r.Body)
		}
		// A refusal is the request's answer too: replayed as it was.
		again := f.post("/api/v1/holds", "bob", "b", holdBody(slot))
		if again.Code != http.StatusConflict || again.Body.String() != r.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
			t.Errorf("replayed refusal = %d %s", again.Code, again.Body)
		}
		// Spanish, when asked for.
		es := f.request(http.MethodPost, "/api/v1/holds", "bob", holdBody(slot), "Idempotency-Key", "c", "Accept-Language", "es-ES,es;q=0.9")
		f.want(es, http.StatusConflict)
		if es.errorField("message_id") != "schedule.hold.full" {
			t.Errorf("es: %s", es.Body)
		}
	})
}

// TestAPIConcurrentSameKey: ten requests with one key run the hold once.
func TestAPIConcurrentSameKey(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAPIFixture(t, engine)
		body := holdBody(slotID(f.centerSlots()[0]))
		var wg sync.WaitGroup
		codes := make([]int, 10)
		replayed := make([]bool, 10)
		for i := range codes {
			wg.Go(func() {
				req := httptest.NewRequest(http.MethodPost, "/api/v1/holds", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", "same")
				req.Header.Set(testUserHeader, "alice")
				rec := httptest.NewRecorder()
				f.h.ServeHTTP(rec, req)
				codes[i], replayed[i] = rec.Code, rec.Header().Get("Idempotent-Replayed") == "true"
			})
		}
		wg.Wait()
		ran := 0
		for i, c := range codes {
			switch {
			case c == http.StatusCreated && !replayed[i]:
				ran++
			case c == http.StatusCreated || c == http.StatusConflict:
			default:
				t.Errorf("request %d: status %d", i, c)
			}
		}
		if ran != 1 {
			t.Errorf("the hold ran %d times (codes %v)", ran, codes)
		}
		cart := f.request(http.MethodGet, "/api/v1/cart", "alice", "")
		if items := cart.JSON["items"].([]any); len(items) != 1 {
			t.Errorf("cart = %s", cart.Body)
		}
	})
}

// TestAPICheckoutCancelAndReschedule: a hold paid with the test card is
// confirmed; moved to another slot; cancelled 30 hours before its start
// it gets half its price back (DefaultPolicy).
func TestAPICheckoutCancelAndReschedule(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAPIFixture(t, engine)
		slots := f.centerSlots()
		var pick, other map[string]any
		for _, s := range slots {
			at, _ := time.Parse(time.RFC3339, s["starts_at"].(string))
			if pick == nil && at.After(f.clock.Now().Add(72*time.Hour)) {
				pick = s
			} else if pick != nil {
				other = s
				break
			}
		}
		hold := f.post("/api/v1/holds", "alice", "h", holdBody(slotID(pick)))
		f.want(hold, http.StatusCreated)
		ref := hold.JSON["reference"].(string)

		declined := f.post("/api/v1/checkout", "alice", "pay-1", `{"provider":"test","card":"4000000000000002"}`)
		f.want(declined, http.StatusUnprocessableEntity)
		if declined.fields()["card"] != "schedule.checkout.declined" {
			t.Fatalf("declined card: %s", declined.Body)
		}
		paid := f.post("/api/v1/checkout", "alice", "pay-2", `{"provider":"test","card":"4242 4242 4242 4242"}`)
		f.want(paid, http.StatusOK)
		p := paid.JSON["payment"].(map[string]any)
		bookings := paid.JSON["bookings"].([]any)
		if p["state"] != portal.PaymentSucceeded || p["amount"].(map[string]any)["amount_minor"] != 15000.0 || len(bookings) != 1 ||
			bookings[0].(map[string]any)["state"] != portal.BookingConfirmed || bookings[0].(map[string]any)["reference"] != ref {
			t.Fatalf("checkout = %s", paid.Body)
		}

		list := f.request(http.MethodGet, "/api/v1/bookings", "alice", "")
		f.want(list, http.StatusOK)
		if l := list.JSON["bookings"].([]any); len(l) != 1 || l[0].(map[string]any)["reference"] != ref {
			t.Fatalf("bookings = %s", list.Body)
		}
		// Bob cannot see or change it.
		f.want(f.request(http.MethodGet, "/api/v1/bookings/"+ref, "bob", ""), http.StatusNotFound)
		f.want(f.post("/api/v1/bookings/"+ref+"/cancel", "bob", "x", `{}`), http.StatusNotFound)

		moved := f.post("/api/v1/bookings/"+ref+"/reschedule", "alice", "move", `{"slot_id":`+strconv.FormatInt(slotID(other), 10)+`}`)
		f.want(moved, http.StatusOK)
		if moved.JSON["slot_id"] != other["id"] || moved.JSON["reschedules"] != 1.0 || moved.JSON["starts_at"] != other["starts_at"] {
			t.Fatalf("rescheduled = %s", moved.Body)
		}

		start, _ := time.Parse(time.RFC3339, other["starts_at"].(string))
		f.clock.Set(start.Add(-30 * time.Hour))
		show := f.request(http.MethodGet, "/api/v1/bookings/"+strings.ToLower(ref), "alice", "")
		f.want(show, http.StatusOK)
		quote := show.JSON["cancel"].(map[string]any)
		if quote["allowed"] != true || quote["percent"] != 50.0 || quote["refund"].(map[string]any)["amount_minor"] != 7500.0 {
			t.Fatalf("cancel quote = %v", quote)
		}
		if show.JSON["local"] == show.JSON["starts_at"] || show.JSON["time_zone"] != "America/Los_Angeles" {
			t.Errorf("booking times = %v %v %v", show.JSON["starts_at"], show.JSON["local"], show.JSON["time_zone"])
		}

		cancel := f.post("/api/v1/bookings/"+ref+"/cancel", "alice", "cancel", `{"reason":"schedule conflict"}`)
		f.want(cancel, http.StatusOK)
		refund := cancel.JSON["refund"].(map[string]any)
		if cancel.JSON["booking"].(map[string]any)["state"] != portal.BookingCancelled ||
			refund["amount"].(map[string]any)["amount_minor"] != 7500.0 || refund["state"] != portal.RefundRequested {
			t.Fatalf("cancel = %s", cancel.Body)
		}
		// A second cancel is a refusal, not a second refund.
		r := f.post("/api/v1/bookings/"+ref+"/cancel", "alice", "cancel-again", `{"reason":"schedule conflict"}`)
		f.want(r, http.StatusConflict)
		if r.errorField("message_id") != "schedule.cancel.not_cancellable" {
			t.Errorf("second cancel = %s", r.Body)
		}
	})
}

// TestAPIInternalErrorsShowNoDetail: SECURITY.md IN-07. A database failure
// is a 500 with a request ID and nothing of the cause, for reads and for
// changes (whose key is not kept).
func TestAPIInternalErrorsShowNoDetail(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAPIFixture(t, engine)
		if err := f.st.Close(); err != nil {
			t.Fatal(err)
		}
		for _, r := range []response{
			f.request(http.MethodGet, "/api/v1/exams", "", ""),
			f.post("/api/v1/holds", "alice", "k", holdBody(1)),
		} {
			f.want(r, http.StatusInternalServerError)
			e := r.JSON["error"].(map[string]any)
			if e["code"] != portal.EInternal || e["request_id"] == "" || e["message_id"] != "error.internal" || len(e) != 4 {
				t.Errorf("internal error = %s", r.Body)
			}
			if b := strings.ToLower(r.Body.String()); strings.Contains(b, "sql") || strings.Contains(b, "closed") || strings.Contains(b, "store") {
				t.Errorf("internal error shows detail: %s", r.Body)
			}
		}
	})
}

// FuzzAPIBodies: no request body, however odd, makes a POST fail with a
// 500 or answer anything but a JSON object.
func FuzzAPIBodies(f *testing.F) {
	for _, seed := range []string{
		`{"exam_code":"SAA-C03","slot_id":1}`, `{"slot_id":-1}`, `{"slot_id":9223372036854775808}`, `{"exam_code":null}`,
		`{"exam_code":"\u0000"}`, `{"language":"` + strings.Repeat("e", 300) + `"}`, `{"provider":"stripe"}`, `{"reason":1}`,
		`{}`, `null`, `"x"`, "{\"exam_code\":\"\xff\"}", `{"a":{"b":[[[[[]]]]]}}`, `{"slot_id":1.5}`,
	} {
		f.Add("/api/v1/holds", seed)
		f.Add("/api/v1/checkout", seed)
		f.Add("/api/v1/bookings/B2345-6789/cancel", seed)
		f.Add("/api/v1/bookings/B2345-6789/reschedule", seed)
	}
	fx := newAPIFixture(f, store.SQLite)
	n := 0
	f.Fuzz(func(t *testing.T, path, body string) {
		fx.t = t
		n++
		if !strings.HasPrefix(path, "/api/v1/") {
			path = "/api/v1/holds"
		}
		r := fx.request(http.MethodPost, path, "alice", body, "Idempotency-Key", "fuzz-"+strconv.Itoa(n))
		if r.Code >= 500 {
			t.Fatalf("POST %s %q: %d %s", path, body, r.Code, r.Body)
		}
	})
}
