package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestHoldsLoad is the seat-hold load test of docs/benchmarks.md ("Seat
// holds"). It runs only with CERTPORTAL_LOADTEST=1, so `go test ./...`
// skips it:
//
//	CERTPORTAL_LOADTEST=1 CERTPORTAL_TEST_POSTGRES_URL='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' \
//	  go test -count 1 -run '^TestHoldsLoad$' -v -timeout 20m ./internal/app/
//
// For each setup — one instance on SQLite, one on PostgreSQL and three
// instances sharing one PostgreSQL database — it starts the real app
// (apptest) on 127.0.0.1, creates CERTPORTAL_LOADTEST_N (default 300)
// verified candidates through the store, signs each one in with the
// sign-in form (the instance i mod instances; at most 25 per source
// address, 127.0.0.2 upwards, under the sign-in limit of 30 per address),
// then times, through the JSON API (POST /api/v1/holds, one new
// Idempotency-Key each, on instance (i+1) mod instances, so a session
// opened on one instance is used on another):
//
//   - the race: all N candidates released at once on one slot with 10
//     seats: exactly 10 must get 201 and the others 409
//     schedule.hold.full;
//   - the bulk: all N released at once on another slot (another exam, so
//     the race's winners may hold again) with N seats: all must get 201.
//
// Any 5xx, any other answer, "database is locked" or SQLITE_BUSY in an
// answer or in the app's log, a slot whose taken count differs from the
// successes or its live bookings, or any store.CheckInvariants finding
// fails the test. It also measures, in the same database right before the
// bursts, the floor of a hold: 1,000 transactions holding only the
// conditional UPDATE (Tx.TakeSeat) from 8 goroutines of the test's own
// store, whose seats it gives back afterwards. It logs holds/s and
// latencies; it never asserts a time.
func TestHoldsLoad(t *testing.T) {
	if os.Getenv("CERTPORTAL_LOADTEST") != "1" {
		t.Skip("set CERTPORTAL_LOADTEST=1 to run the seat-hold load test")
	}
	n := loadEnvInt(t, "CERTPORTAL_LOADTEST_N", 300)
	if n < 11 || n > 25*250 {
		t.Fatalf("CERTPORTAL_LOADTEST_N=%d: want 11 to %d", n, 25*250)
	}
	type setup struct {
		name      string
		engine    string
		instances int
	}
	setups := []setup{{"sqlite", store.SQLite, 1}}
	if os.Getenv(testutil.PostgresURLEnv) != "" {
		setups = append(setups, setup{"postgres", store.Postgres, 1}, setup{"postgres-3-instances", store.Postgres, 3})
	} else {
		t.Logf("%s is not set: SQLite only", testutil.PostgresURLEnv)
	}
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			apps := startHoldApps(t, s.engine, s.instances)
			w := prepareHolds(t, apps[0], n, 10, n, accounts.DefaultHashParams)
			raw := w.rawTakeSeatRate(t, 8, 1000)
			w.signInWithForm(t, apps)
			race := w.burst(t, appURLs(apps), w.race, "race")
			race.check(t, w, 10, n-10)
			bulk := w.burst(t, appURLs(apps), w.bulk, "bulk")
			bulk.check(t, w, n, 0)
			w.checkInvariants(t)
			checkAppLogs(t, apps)

			t.Logf("%s, %d instance(s), %d signed-in candidates:", s.name, s.instances, n)
			t.Logf("  raw TakeSeat tx    %.0f tx/s (1,000 transactions, 8 goroutines, test's store, same database)", raw)
			t.Logf("  sign-ins           %d in %.1f s (%.1f/s)", n, w.signInTime.Seconds(), float64(n)/w.signInTime.Seconds())
			race.log(t, "race, 10 seats", raw)
			bulk.log(t, fmt.Sprintf("bulk, %d seats", n), raw)
		})
	}
}

// startHoldApps starts instances of the app on engine; on PostgreSQL they
// share the first one's database and secret key. Every candidate comes
// from loopback, so the per-address hold limit is lifted.
func startHoldApps(t *testing.T, engine string, instances int) []*apptest.App {
	t.Helper()
	perIP := apptest.WithEnv("CERTPORTAL_MAX_HOLDS_PER_IP", "1000000")
	apps := []*apptest.App{apptest.Start(t, engine, perIP)}
	for range instances - 1 {
		apps = append(apps, apptest.Start(t, engine, perIP,
			apptest.WithEnv("CERTPORTAL_DATABASE_URL", apps[0].Env["CERTPORTAL_DATABASE_URL"]),
			apptest.WithEnv("CERTPORTAL_SECRET_KEY", apps[0].Env["CERTPORTAL_SECRET_KEY"])))
	}
	return apps
}

// appURLs returns the base URLs of apps, in order.
func appURLs(apps []*apptest.App) []string {
	urls := make([]string, len(apps))
	for i, a := range apps {
		urls[i] = a.URL
	}
	return urls
}

// holdWorld is what the hold tests put in a running app's database: two
// exams, a test center with a race slot and a bulk slot, and verified
// candidates with one password.
type holdWorld struct {
	ctx        context.Context
	st         *store.Store
	raceExam   *portal.Exam
	bulkExam   *portal.Exam
	race, bulk *portal.Slot
	scratch    *portal.Slot
	emails     []string
	password   string
	cookies    []string
	signInTime time.Duration
}

// prepareHolds creates, through the store, candidates verified
// candidates whose passwords are hashed with params, a race slot with
// raceSeats seats and a bulk slot with bulkSeats seats a week ahead of the
// app's clock, for two exams.
func prepareHolds(t *testing.T, a *apptest.App, candidates, raceSeats, bulkSeats int, params accounts.HashParams) *holdWorld {
	t.Helper()
	w := &holdWorld{ctx: context.Background(), st: a.OpenStore(t), password: "correct horse battery staple"}
	// One hash serves every account: with the production parameters each
	// sign-in through the form costs the server exactly one verification.
	hash, err := accounts.NewHasher(params, 1).Hash(w.ctx, w.password)
	if err != nil {
		t.Fatal(err)
	}
	now := a.Clock.Now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 15, 0, 0, 0, time.UTC)
	race, bulk, scratch := day.AddDate(0, 0, 7), day.AddDate(0, 0, 8), day.AddDate(0, 0, 9)
	var center *portal.TestCenter
	err = w.st.Transact(w.ctx, func(tx *store.Tx) error {
		exam := func(code string) (*portal.Exam, error) {
			return tx.CreateExam(w.ctx, portal.Exam{
				Code: code, Name: "Load " + code, Level: portal.LevelAssociate, Kind: portal.KindExam, DurationMinutes: 120,
				Languages: "en", Delivery: portal.DeliveryTestCenter, PriceMinor: 15000, Currency: "USD", PassingScore: 720,
				RetakeWaitDays: 14, MaxReschedules: 2, ValidityMonths: 36, Active: true,
			})
		}
		var err error
		if w.raceExam, err = exam("SAA-C03"); err != nil {
			return err
		}
		if w.bulkExam, err = exam("DVA-C02"); err != nil {
			return err
		}
		c, err := tx.CreateCenter(w.ctx, portal.TestCenter{
			Code: "LOAD-01", Name: "Load Test Center", AddressLine1: "1 Main St", City: "Seattle", Region: "US-WA",
			PostalCode: "98101", Country: "US", Latitude: 47.6085, Longitude: -122.3331, TimeZone: "UTC",
			Seats: 10, Hours: "mon-sun 08:00-21:00", Active: true,
		})
		if err != nil {
			return err
		}
		// The app's slot job may create the same sessions: either way
		// the slot exists after this, and its seats are set below.
		for _, at := range []time.Time{race, bulk, scratch} {
			if _, err := tx.EnsureSlot(w.ctx, &c.ID, at, portal.SessionAfternoon, 10); err != nil {
				return err
			}
		}
		center = c
		verified := tx.Now().Add(-time.Hour)
		w.emails = w.emails[:0] // Transact may run this again
		for i := range candidates {
			email := fmt.Sprintf("load%d@example.org", i)
			if _, err := tx.CreateUser(w.ctx, store.UserCreate{LoginID: fmt.Sprintf("CPL%07d", i), Email: email,
				FirstName: "Casey", LastName: fmt.Sprintf("Candidate%d", i), Role: portal.RoleCandidate, Language: "en",
				PasswordHash: hash, EmailVerifiedAt: &verified, Country: "US"}); err != nil {
				return err
			}
			w.emails = append(w.emails, email)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("prepare the hold test: %v", err)
	}
	slot := func(at time.Time, seats int) *portal.Slot {
		t.Helper()
		list, err := w.st.ListSlots(w.ctx, store.SlotFilter{CenterID: &center.ID, From: at, To: at.Add(time.Second)})
		if err != nil || len(list) != 1 {
			t.Fatalf("slot at %s: %d slots, %v", at.Format(time.RFC3339), len(list), err)
		}
		id := list[0].ID
		if err := w.st.Transact(w.ctx, func(tx *store.Tx) error { return tx.SetSlotCapacity(w.ctx, id, seats) }); err != nil {
			t.Fatalf("set the seats of slot %d: %v", id, err)
		}
		sl, err := w.st.GetSlot(w.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return sl
	}
	w.race, w.bulk, w.scratch = slot(race, raceSeats), slot(bulk, bulkSeats), slot(scratch, 1000)
	return w
}

// rawTakeSeatRate is the floor of a hold in this database: count
// transactions holding only Tx.TakeSeat on the scratch slot, from
// goroutines of the test's own store, in tx/s. It gives the seats back
// afterwards, so the invariant checker still applies.
func (w *holdWorld) rawTakeSeatRate(t *testing.T, goroutines, count int) float64 {
	t.Helper()
	id := w.scratch.ID
	jobs := make(chan struct{}, count)
	for range count {
		jobs <- struct{}{}
	}
	close(jobs)
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	t0 := time.Now()
	for range goroutines {
		wg.Go(func() {
			for range jobs {
				err := w.st.Transact(w.ctx, func(tx *store.Tx) error { return tx.TakeSeat(w.ctx, id, tx.Now()) })
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(t0)
	for _, err := range errs[:min(len(errs), 5)] {
		t.Errorf("raw TakeSeat: %v", err)
	}
	if len(errs) > 0 {
		t.Fatalf("%d of %d raw TakeSeat transactions failed", len(errs), count)
	}
	err := w.st.Transact(w.ctx, func(tx *store.Tx) error {
		for range count {
			if err := tx.ReleaseSeat(w.ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("give the scratch seats back: %v", err)
	}
	return float64(count) / elapsed.Seconds()
}

// signInWithForm signs every candidate in with the sign-in form,
// candidate i on instance i mod instances, 4 at a time (each costs the
// server one argon2id hash), at most 25 per source address.
func (w *holdWorld) signInWithForm(t *testing.T, apps []*apptest.App) {
	t.Helper()
	const perIP = 25
	ctx, cancel := context.WithTimeout(w.ctx, 10*time.Minute)
	defer cancel()
	clients := map[int]*http.Client{}
	for i := range w.emails {
		if clients[i/perIP] == nil {
			clients[i/perIP] = loadClient(net.IPv4(127, 0, 0, byte(2+i/perIP)))
		}
	}
	w.cookies = make([]string, len(w.emails))
	results := make([]signInResult, len(w.emails))
	next := make(chan int)
	var wg sync.WaitGroup
	t0 := time.Now()
	for range 4 {
		wg.Go(func() {
			for i := range next {
				results[i] = signInOnce(ctx, clients[i/perIP], apps[i%len(apps)].URL, w.emails[i], w.password)
			}
		})
	}
	for i := range w.emails {
		next <- i
	}
	close(next)
	wg.Wait()
	w.signInTime = time.Since(t0)
	failed := 0
	for i, r := range results {
		if !r.ok() {
			if failed++; failed <= 5 {
				t.Errorf("sign-in of %s: %s", w.emails[i], r.describe())
			}
			continue
		}
		w.cookies[i] = r.cookie
	}
	if failed > 0 {
		t.Fatalf("%d of %d sign-ins failed", failed, len(results))
	}
}

// signInDirect signs every candidate in through accounts.Service.SignIn,
// the code behind the sign-in form, run in the test process over the
// app's database with the app's clock and session lifetimes, and a hasher
// with params (those the candidates' passwords were hashed with, so no
// rehash). The sessions are the form's: the app finds them by cookie.
// It is for tests that need many sessions without paying for a
// production-strength hash each.
func (w *holdWorld) signInDirect(t *testing.T, a *apptest.App, params accounts.HashParams) {
	t.Helper()
	svc := accounts.New(w.st, a.Clock, slog.New(slog.DiscardHandler), accounts.NewHasher(params, 2),
		accounts.Config{SessionIdle: time.Hour, SessionLifetime: 24 * time.Hour})
	w.cookies = make([]string, len(w.emails))
	t0 := time.Now()
	for i, email := range w.emails {
		meta := accounts.RequestMeta{IP: fmt.Sprintf("192.0.2.%d", 1+i/25), UserAgent: "holds-test", RequestID: "holds-test"}
		res, err := svc.SignIn(w.ctx, meta, accounts.SignInRequest{Email: email, Password: w.password})
		if err != nil {
			t.Fatalf("sign-in of %s: %v", email, err)
		}
		if res.MFARequired || res.Token == "" {
			t.Fatalf("sign-in of %s: MFA required %v, token %q", email, res.MFARequired, res.Token)
		}
		w.cookies[i] = res.Token
	}
	w.signInTime = time.Since(t0)
}

// holdResult is one answer to POST /api/v1/holds (or another POST of the
// JSON API, postJSON).
type holdResult struct {
	start, end time.Time
	status     int
	messageID  string
	raw        string
	err        error
}

// burstResult is a burst of holds released at once on one slot.
type burstResult struct {
	label   string
	slot    *portal.Slot
	results []holdResult
	t0      time.Time
}

// burst releases one hold per signed-in candidate at once on slot,
// candidate i to base URL (i+1) mod len(bases), each on a new connection
// with a new Idempotency-Key. bases are the instances themselves
// (appURLs), or a single proxy in front of them.
func (w *holdWorld) burst(t *testing.T, bases []string, slot *portal.Slot, label string) *burstResult {
	t.Helper()
	exam := w.raceExam
	if slot.ID == w.bulk.ID {
		exam = w.bulkExam
	}
	body, err := json.Marshal(map[string]any{"exam_code": exam.Code, "slot_id": slot.ID, "language": "en"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(w.ctx, 5*time.Minute)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 3 * time.Minute}
	b := &burstResult{label: label, slot: slot, results: make([]holdResult, len(w.cookies))}
	release := make(chan struct{})
	var wg sync.WaitGroup
	for i, cookie := range w.cookies {
		base := bases[(i+1)%len(bases)]
		key := fmt.Sprintf("%s-%d-%d", label, slot.ID, i)
		wg.Go(func() {
			<-release
			b.results[i] = postHold(ctx, client, base, cookie, key, body)
		})
	}
	time.Sleep(100 * time.Millisecond) // let the goroutines reach the release
	b.t0 = time.Now()
	close(release)
	wg.Wait()
	return b
}

// postHold sends one hold through the JSON API with the session cookie.
func postHold(ctx context.Context, c *http.Client, base, cookie, key string, body []byte) holdResult {
	return postJSON(ctx, c, base+"/api/v1/holds", cookie, key, body)
}

// postJSON posts body to url, a JSON API operation, with the session
// cookie and Idempotency-Key key.
func postJSON(ctx context.Context, c *http.Client, url, cookie, key string, body []byte) holdResult {
	var r holdResult
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		r.err = err
		return r
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	req.AddCookie(&http.Cookie{Name: "certportal_session", Value: cookie})
	r.start = time.Now()
	resp, err := c.Do(req)
	if err != nil {
		r.err, r.end = err, time.Now()
		return r
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	r.end = time.Now()
	r.status, r.raw, r.err = resp.StatusCode, string(raw), err
	var e struct {
		Error struct {
			MessageID string `json:"message_id"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &e) == nil {
		r.messageID = e.Error.MessageID
	}
	return r
}

// counts returns the holds created (201), the refusals as full (409
// schedule.hold.full), and every other answer described, with its count.
func (b *burstResult) counts() (ok, full int, other map[string]int) {
	other = map[string]int{}
	for _, r := range b.results {
		switch {
		case r.err != nil:
			other["error: "+r.err.Error()]++
		case r.status == http.StatusCreated:
			ok++
		case r.status == http.StatusConflict && r.messageID == "schedule.hold.full":
			full++
		default:
			other[fmt.Sprintf("status %d %s: %.300s", r.status, r.messageID, r.raw)]++
		}
	}
	return ok, full, other
}

// check fails the test unless exactly wantOK holds succeeded and wantFull
// were refused as full, with no 5xx and no lock error in any answer, and
// the slot's seats agree with the successes and its live bookings.
func (b *burstResult) check(t *testing.T, w *holdWorld, wantOK, wantFull int) {
	t.Helper()
	ok, full, other := b.counts()
	for what, n := range other {
		t.Errorf("%s: %d of %d answers: %s", b.label, n, len(b.results), what)
	}
	for _, r := range b.results {
		if r.status >= 500 {
			t.Errorf("%s: a 5xx answer: %d %.300s", b.label, r.status, r.raw)
			break
		}
	}
	for _, r := range b.results {
		if lockError(r.raw) {
			t.Errorf("%s: a lock error reached the user: %d %.300s", b.label, r.status, r.raw)
			break
		}
	}
	if ok != wantOK || full != wantFull {
		t.Errorf("%s: %d created, %d full; want %d and %d", b.label, ok, full, wantOK, wantFull)
	}
	sl, err := w.st.GetSlot(w.ctx, b.slot.ID)
	if err != nil {
		t.Fatal(err)
	}
	var live int
	if err := w.st.DB().QueryRowContext(w.ctx, fmt.Sprintf(`SELECT COUNT(*) FROM bookings
		WHERE slot_id = %d AND state IN ('held', 'pending', 'confirmed')`, sl.ID)).Scan(&live); err != nil {
		t.Fatal(err)
	}
	if sl.Taken != ok || sl.Taken > sl.Capacity || live != sl.Taken {
		t.Errorf("%s: slot %d taken %d, capacity %d, live bookings %d, holds created %d", b.label, sl.ID, sl.Taken, sl.Capacity, live, ok)
	}
}

// log reports the burst: answers and holds per second from the release to
// the last answer, latency percentiles over all answers, and the rate as a
// fraction of raw, the floor measured in the same database (none when raw
// is 0).
func (b *burstResult) log(t *testing.T, label string, raw float64) {
	t.Helper()
	ok, full, _ := b.counts()
	var lat []time.Duration
	var end time.Time
	for _, r := range b.results {
		lat = append(lat, r.end.Sub(r.start))
		if r.end.After(end) {
			end = r.end
		}
	}
	slices.Sort(lat)
	wall := end.Sub(b.t0)
	answers := float64(len(b.results)) / wall.Seconds()
	rate := float64(ok) / wall.Seconds()
	ratio := ""
	if raw > 0 {
		ratio = fmt.Sprintf(" (%.3f × raw)", rate/raw)
	}
	t.Logf("  %-18s %d created, %d full in %.0f ms: %.0f answers/s, %.0f holds/s%s; latency p50 %.0f ms, p99 %.0f ms, max %.0f ms",
		label, ok, full, ms(wall), answers, rate, ratio, ms(pct(lat, 0.50)), ms(pct(lat, 0.99)), ms(lat[len(lat)-1]))
}

// checkInvariants fails the test on any finding of store.CheckInvariants.
func (w *holdWorld) checkInvariants(t *testing.T) {
	t.Helper()
	problems, err := w.st.CheckInvariants(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("invariant: %s", p)
	}
}

// lockError reports whether text shows a database lock error.
func lockError(text string) bool {
	return strings.Contains(text, "database is locked") || strings.Contains(text, "SQLITE_BUSY") ||
		strings.Contains(text, "lock timeout") || strings.Contains(text, "55P03") || strings.Contains(text, "deadlock")
}

// checkAppLogs fails the test when an app logged a lock error, and shows
// its other error lines.
func checkAppLogs(t *testing.T, apps []*apptest.App) {
	t.Helper()
	for i, a := range apps {
		shown := 0
		for line := range strings.SplitSeq(a.Stderr(), "\n") {
			switch {
			case lockError(line):
				t.Errorf("instance %d logged a lock error: %.500s", i, line)
			case strings.Contains(line, `"level":"ERROR"`) && shown < 5:
				shown++
				t.Logf("instance %d logged: %.500s", i, line)
			}
		}
	}
}
