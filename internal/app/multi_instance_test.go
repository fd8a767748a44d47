package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestMultiInstanceHoldsNeverOversell pins SECURITY.md CONC-02: three app
// instances share one PostgreSQL database (the first one's
// CERTPORTAL_DATABASE_URL and CERTPORTAL_SECRET_KEY) behind a round-robin
// reverse proxy on loopback (roundRobinProxy); the client knows only the
// proxy's URL, and the proxy sends each request to the next instance, so
// a candidate's requests land on different instances. 200 verified
// candidates are signed in (accounts.Service.SignIn in the test process,
// with a cheap password hash: 200 production hashes would take 15 s or
// more on two cores) and then released at once on one slot with 10 seats
// through the JSON API (POST /api/v1/holds). Exactly 10 holds succeed
// (201) and 190 are refused as full (409 schedule.hold.full), no answer
// is a 5xx or a lock error, and the slot's taken count is 10 and equals
// its live bookings.
//
// Then each of the 10 winners sends 3 checkouts at once (POST
// /api/v1/checkout with the test-mode card, which --dev offers), each
// with its own Idempotency-Key, so the idempotency store cannot merge
// them: the instances must serialize them on the database. Per winner
// exactly one is paid (200) and the other two are refused with a 409 and
// a message ID, never a 5xx. In the database every winner's booking is
// confirmed and paid by the one payment the winner has, which succeeded
// (at most one payment intent per booking: no second payment in any
// state, no payment of a loser, no refund), and store.CheckInvariants
// finds nothing. Every instance must have been sent some requests.
//
// SQLite serves one instance only (CONC-03;
// TestSecondInstanceOnSameDataDirRefused), so this runs on PostgreSQL
// only. It logs the requests per instance and the timings and asserts no
// time.
func TestMultiInstanceHoldsNeverOversell(t *testing.T) {
	testutil.RequirePostgres(t, "several instances")
	const candidates, seats, tries = 200, 10, 3
	apps := startHoldApps(t, store.Postgres, 3)
	proxy := startRoundRobinProxy(t, apps)
	w := prepareHolds(t, apps[0], candidates, seats, candidates, fastHash)
	w.signInDirect(t, apps[0], fastHash)

	race := w.burst(t, []string{proxy.URL}, w.race, "race")
	race.check(t, w, seats, candidates-seats)
	winners := race.created()
	if len(winners) != seats {
		t.Fatalf("%d winners of the race; want %d", len(winners), seats)
	}
	pay := w.checkoutAll(t, proxy.URL, winners, tries)
	pay.check(t)
	w.checkPaidOnce(t, winners)
	w.checkInvariants(t)
	checkAppLogs(t, apps)

	served := proxy.served()
	var total int64
	for i, n := range served {
		if n == 0 {
			t.Errorf("instance %d was sent no request through the proxy", i)
		}
		total += n
	}
	if want := int64(candidates + seats*tries); total != want {
		t.Errorf("the proxy forwarded %d requests; want %d", total, want)
	}
	race.log(t, "3 instances, 10 seats", 0)
	pay.log(t)
	t.Logf("  requests per instance through the proxy: %v", served)
	t.Logf("  %d sign-ins in %.1f s", candidates, w.signInTime.Seconds())
}

// fastHash is a deliberately cheap argon2id for test accounts that must
// sign in by the hundred: never for real passwords.
var fastHash = accounts.HashParams{Time: 1, Memory: 64, Threads: 1, KeyLen: 32}

// roundRobinProxy is a reverse proxy on 127.0.0.1 in front of app
// instances: each request goes to the next instance in turn, picked with
// an atomic counter, as a load balancer without session affinity does.
type roundRobinProxy struct {
	URL    string
	next   atomic.Uint64
	counts []atomic.Int64 // requests sent to each instance
}

// startRoundRobinProxy starts a proxy in front of apps on 127.0.0.1:0; it
// stops when the test ends, before the apps do. A request it cannot
// forward gets a 502 that says so.
func startRoundRobinProxy(t *testing.T, apps []*apptest.App) *roundRobinProxy {
	t.Helper()
	targets := make([]*url.URL, len(apps))
	for i, a := range apps {
		u, err := url.Parse(a.URL)
		if err != nil {
			t.Fatalf("instance %d URL %q: %v", i, a.URL, err)
		}
		targets[i] = u
	}
	p := &roundRobinProxy{counts: make([]atomic.Int64, len(targets))}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			i := (p.next.Add(1) - 1) % uint64(len(targets))
			p.counts[i].Add(1)
			pr.SetURL(targets[i])
			pr.SetXForwarded()
		},
		Transport: transport,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
		},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	srv := &http.Server{Handler: rp, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		transport.CloseIdleConnections()
	})
	p.URL = "http://" + ln.Addr().String()
	return p
}

// served returns how many requests each instance was sent so far.
func (p *roundRobinProxy) served() []int64 {
	out := make([]int64, len(p.counts))
	for i := range p.counts {
		out[i] = p.counts[i].Load()
	}
	return out
}

// created returns the candidates (indexes into holdWorld.emails and
// cookies) whose hold was created.
func (b *burstResult) created() []int {
	var out []int
	for i, r := range b.results {
		if r.err == nil && r.status == http.StatusCreated {
			out = append(out, i)
		}
	}
	return out
}

// checkoutResult is the checkouts of candidates, tries each at once.
type checkoutResult struct {
	answers map[int][]holdResult // by candidate
	t0      time.Time
}

// checkoutAll sends, for each of candidates, tries checkouts of the cart
// with the test-mode card to base, all released at once, each on a new
// connection with its own Idempotency-Key.
func (w *holdWorld) checkoutAll(t *testing.T, base string, candidates []int, tries int) *checkoutResult {
	t.Helper()
	body, err := json.Marshal(map[string]any{"provider": portal.ProviderTest, "card": payments.TestCardSuccess})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(w.ctx, 5*time.Minute)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 3 * time.Minute}
	c := &checkoutResult{answers: map[int][]holdResult{}}
	for _, i := range candidates {
		c.answers[i] = make([]holdResult, tries)
	}
	release := make(chan struct{})
	var wg sync.WaitGroup
	for _, i := range candidates {
		answers := c.answers[i]
		for k := range tries {
			key := fmt.Sprintf("checkout-%d-%d", i, k)
			wg.Go(func() {
				<-release
				answers[k] = postJSON(ctx, client, base+"/api/v1/checkout", w.cookies[i], key, body)
			})
		}
	}
	time.Sleep(100 * time.Millisecond) // let the goroutines reach the release
	c.t0 = time.Now()
	close(release)
	wg.Wait()
	return c
}

// check fails the test unless each candidate's checkouts got exactly one
// 200, paid with the test card and confirming one booking, and otherwise
// 409 with a message ID: no 5xx, no lock error, no other answer.
func (c *checkoutResult) check(t *testing.T) {
	t.Helper()
	for i, answers := range c.answers {
		paid := 0
		for _, r := range answers {
			switch {
			case r.err != nil:
				t.Errorf("checkout of candidate %d: %v", i, r.err)
			case lockError(r.raw):
				t.Errorf("checkout of candidate %d: a lock error reached the user: %d %.300s", i, r.status, r.raw)
			case r.status == http.StatusOK:
				paid++
				var v struct {
					Payment struct {
						Provider string `json:"provider"`
						State    string `json:"state"`
					} `json:"payment"`
					Bookings []struct {
						State string `json:"state"`
					} `json:"bookings"`
				}
				if err := json.Unmarshal([]byte(r.raw), &v); err != nil {
					t.Errorf("checkout of candidate %d: %v: %.300s", i, err, r.raw)
					continue
				}
				if v.Payment.Provider != portal.ProviderTest || v.Payment.State != portal.PaymentSucceeded ||
					len(v.Bookings) != 1 || v.Bookings[0].State != portal.BookingConfirmed {
					t.Errorf("checkout of candidate %d: want a succeeded test payment for one confirmed booking: %.300s", i, r.raw)
				}
			case r.status == http.StatusConflict && r.messageID != "":
			default:
				t.Errorf("checkout of candidate %d: want 200, or 409 with a message ID: %d %.300s", i, r.status, r.raw)
			}
		}
		if paid != 1 {
			t.Errorf("candidate %d: %d of %d concurrent checkouts paid; want 1", i, paid, len(answers))
		}
	}
}

// log reports the checkouts: answers by status and message ID, and the
// time from the release to the last answer with latency percentiles.
func (c *checkoutResult) log(t *testing.T) {
	t.Helper()
	tally := map[string]int{}
	var lat []time.Duration
	var end time.Time
	for _, answers := range c.answers {
		for _, r := range answers {
			answer := fmt.Sprint(r.status)
			if r.messageID != "" {
				answer += " " + r.messageID
			}
			tally[answer]++
			lat = append(lat, r.end.Sub(r.start))
			if r.end.After(end) {
				end = r.end
			}
		}
	}
	slices.Sort(lat)
	t.Logf("  %-18s %d checkouts (%d candidates) in %.0f ms: %v; latency p50 %.0f ms, max %.0f ms",
		"checkouts", len(lat), len(c.answers), ms(end.Sub(c.t0)), tally, ms(pct(lat, 0.50)), ms(lat[len(lat)-1]))
}

// checkPaidOnce fails the test unless, in the database, the race slot's
// bookings are exactly the winners', each confirmed and paid by the one
// payment its candidate has, which succeeded with the test provider for
// the booking's amount and pays for nothing else; no other user has a payment and nothing was refunded.
func (w *holdWorld) checkPaidOnce(t *testing.T, winners []int) {
	t.Helper()
	want := map[string]bool{}
	for _, i := range winners {
		want[w.emails[i]] = true
	}
	bookings, err := w.st.ListBookings(w.ctx, store.BookingFilter{SlotID: w.race.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(bookings) != len(winners) {
		t.Errorf("race slot: %d bookings; want %d", len(bookings), len(winners))
	}
	byUser := map[int64]*portal.BookingDetail{}
	for _, b := range bookings {
		if !want[b.UserEmail] {
			t.Errorf("booking %s of %s, who did not win the race", b.Reference, b.UserEmail)
		}
		if byUser[b.UserID] != nil {
			t.Errorf("%s has two bookings on the race slot: %s and %s", b.UserEmail, byUser[b.UserID].Reference, b.Reference)
		}
		byUser[b.UserID] = b
		if b.State != portal.BookingConfirmed || b.PaymentID == nil {
			t.Errorf("booking %s of %s: state %s, payment %v; want confirmed and paid", b.Reference, b.UserEmail, b.State, b.PaymentID)
		}
	}

	type payment struct {
		id, user, amount int64
		state, provider  string
		bookings         int
	}
	rows, err := w.st.DB().QueryContext(w.ctx, `SELECT p.id, p.user_id, p.state, p.provider, p.amount_minor,
		(SELECT COUNT(*) FROM bookings b WHERE b.payment_id = p.id) FROM payments p ORDER BY p.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	perUser := map[int64][]payment{}
	for rows.Next() {
		var p payment
		if err := rows.Scan(&p.id, &p.user, &p.state, &p.provider, &p.amount, &p.bookings); err != nil {
			t.Fatal(err)
		}
		perUser[p.user] = append(perUser[p.user], p)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for user, list := range perUser {
		if byUser[user] == nil {
			t.Errorf("user %d, who holds no race booking, has %d payment(s): %+v", user, len(list), list)
		}
	}
	for user, b := range byUser {
		list := perUser[user]
		if len(list) != 1 {
			t.Errorf("%s: %d payments; want exactly 1: %+v", b.UserEmail, len(list), list)
			continue
		}
		p := list[0]
		if p.state != portal.PaymentSucceeded || p.provider != portal.ProviderTest || p.amount <= 0 || p.amount != b.AmountMinor() ||
			p.bookings != 1 || b.PaymentID == nil || *b.PaymentID != p.id {
			t.Errorf("%s: payment %+v for booking %s (payment %v); want one succeeded test payment of %d for it alone",
				b.UserEmail, p, b.Reference, b.PaymentID, b.AmountMinor())
		}
	}
	var refunds int
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT COUNT(*) FROM refunds`).Scan(&refunds); err != nil {
		t.Fatal(err)
	}
	if refunds != 0 {
		t.Errorf("%d refunds; want none (a refund here means a booking was paid twice or paid late)", refunds)
	}
}
