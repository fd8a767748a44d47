package app_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/failpoint"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestCrashAtEachFailpoint pins SECURITY.md CRASH-01: the portal is built
// with the failpoints tag and, for each failpoint of the booking, payment,
// cancellation, refund, move, expiry, results import and publication
// operations and of the upload pipeline (crash_uploads_test.go) in turn, started with that point armed; the test drives the
// operation over the JSON API (or lets the portal's due sweep start it)
// until the process dies there (exit 137, as after kill -9: no deferred
// call, no rollback). Then, from the database alone:
//   - store.CheckInvariants finds nothing (seats, money, vouchers add up);
//   - the operation either happened whole or not at all (a transaction
//     never shows half), as the point's check states;
//   - what a crash between transactions leaves (a charged but unrecorded
//     test payment, a refund made at the provider but not recorded) is
//     resolved by the recovery the portal runs anyway (the hold sweep, the
//     refund job running again with the same idempotency key, the import
//     sweep taking up an import left half done, the publication job
//     running again), after which the invariants still hold;
//   - an import is in the database wholly or not at all, and every
//     publication that fell due happens exactly once once the portal runs
//     again on the same database: one official result, one certification
//     and one voucher per pass that earns them, one result.published
//     event per result.
//
// Finally the portal starts and serves on the same database. Both engines.
func TestCrashAtEachFailpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the portal with failpoints")
	}
	bin := buildWithFailpoints(t)
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		w := newCrashWorld(t, bin, engine)
		covered := map[string]bool{}
		for _, sc := range crashScenarios {
			covered[sc.point] = true
			t.Run(sc.point+sc.variant, func(t *testing.T) { w.crash(t, sc) })
		}
		for _, p := range append(slices.Clone(failpoint.Points), failpoint.UploadPoints...) {
			if !covered[p] {
				t.Errorf("failpoint %s has no crash scenario", p)
			}
		}
		srv := startLoadServer(t, bin, w.dir, w.env, "serve", "--test-payments")
		if resp, err := http.Get(srv.url + "/readyz"); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("after the crashes: /readyz %v %v", resp, err)
		} else {
			resp.Body.Close()
		}
		srv.stop(t)
	})
}

// buildWithFailpoints builds cmd/certportal with the failpoints tag.
func buildWithFailpoints(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "certportal-failpoints")
	cmd := exec.Command("go", "build", "-tags", "failpoints", "-o", bin, "example.org/certportal/cmd/certportal")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags failpoints: %v\n%s", err, out)
	}
	return bin
}

// crashWorld is a database the crashing portal and the test share: an
// exam moved for free, one with a reschedule fee, one that earns a
// certification, a test center with four afternoon sessions a week ahead,
// and the scheduling and results services the test uses to set up
// bookings and results and to recover, over the same store.
type crashWorld struct {
	ctx        context.Context
	bin, dir   string
	env        []string
	st         *store.Store
	clock      *testutil.Clock
	sched      *booking.Service
	accts      *accounts.Service
	results    *results.Service
	free, paid *portal.Exam
	certExam   *portal.Exam // earns the certification CRASH
	slots      []*portal.Slot
	hash       string
	users      atomic.Int64
}

const crashPassword = "correct horse battery staple"

func newCrashWorld(t *testing.T, bin, engine string) *crashWorld {
	t.Helper()
	w := &crashWorld{ctx: context.Background(), bin: bin, dir: t.TempDir(), clock: testutil.NewClock(time.Now().UTC()),
		// Mail goes nowhere: its jobs retry, and no mail matters here.
		env: []string{"CERTPORTAL_SMTP_URL=smtp://127.0.0.1:1"}}
	o := store.Options{Engine: engine, Clock: w.clock}
	if engine == store.Postgres {
		url := testutil.DatabaseURL(t, engine)
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		w.env = append(w.env, "CERTPORTAL_DATABASE_URL="+url, "CERTPORTAL_SECRET_KEY="+base64.StdEncoding.EncodeToString(key))
		o.PostgresURL = url
	} else {
		o.SQLitePath, o.Shared = filepath.Join(w.dir, "certportal.db"), true
	}
	// The portal migrates the database at its first start.
	startLoadServer(t, bin, w.dir, w.env, "serve", "--test-payments").stop(t)
	st, err := store.Open(w.ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	w.st = st
	log := slog.New(slog.DiscardHandler)
	w.sched = booking.New(st, w.clock, log, &payments.Providers{Test: &payments.TestMode{}}, booking.Config{})
	w.accts = accounts.New(st, w.clock, log, accounts.NewHasher(fastHash, 1),
		accounts.Config{SessionIdle: time.Hour, SessionLifetime: 24 * time.Hour})
	cal := calendar.NewService(st)
	w.results = results.New(st, w.clock, log, results.Config{Calendar: func(ctx context.Context) (results.Calendar, error) {
		return cal.Calendar(ctx)
	}})
	if w.hash, err = accounts.NewHasher(fastHash, 1).Hash(w.ctx, crashPassword); err != nil {
		t.Fatal(err)
	}
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 7).Add(15 * time.Hour)
	err = st.Transact(w.ctx, func(tx *store.Tx) error {
		exam := func(code string, fee int64) (*portal.Exam, error) {
			return tx.CreateExam(w.ctx, portal.Exam{Code: code, Name: "Crash " + code, Level: portal.LevelAssociate,
				Kind: portal.KindExam, DurationMinutes: 60, Languages: "en", Delivery: portal.DeliveryTestCenter,
				PriceMinor: 10000, Currency: "USD", PassingScore: 720, RetakeWaitDays: 14, MaxReschedules: 2,
				RescheduleFeeMinor: fee, ValidityMonths: 36, Active: true})
		}
		var err error
		if w.free, err = exam("CRA-C01", 0); err != nil {
			return err
		}
		if w.paid, err = exam("CRF-C01", 2500); err != nil {
			return err
		}
		if w.certExam, err = exam("CRP-C01", 0); err != nil {
			return err
		}
		if _, err := tx.CreateCertification(w.ctx, portal.Certification{Code: "CRASH", Name: "Crash Certified", Level: portal.LevelAssociate,
			Kind: portal.CertKindCertification, ValidityMonths: 36, Active: true, EarnedBy: []string{w.certExam.Code}}); err != nil {
			return err
		}
		c, err := tx.CreateCenter(w.ctx, portal.TestCenter{Code: "CRASH-01", Name: "Crash Test Center", AddressLine1: "1 Main St",
			City: "Seattle", Region: "US-WA", PostalCode: "98101", Country: "US", Latitude: 47.6085, Longitude: -122.3331,
			TimeZone: "UTC", Seats: 50, Hours: "mon-sun 08:00-21:00", Active: true})
		if err != nil {
			return err
		}
		for i := range 4 {
			if _, err := tx.EnsureSlot(w.ctx, &c.ID, day.AddDate(0, 0, i), portal.SessionAfternoon, 50); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("prepare the crash world: %v", err)
	}
	for i := range 4 {
		at := day.AddDate(0, 0, i)
		list, err := st.ListSlots(w.ctx, store.SlotFilter{From: at, To: at.Add(time.Second)})
		if err != nil || len(list) == 0 {
			t.Fatalf("slot at %s: %v", at, err)
		}
		for _, sl := range list {
			if sl.Session == portal.SessionAfternoon && sl.CenterID != nil {
				w.slots = append(w.slots, sl)
			}
		}
	}
	if len(w.slots) != 4 {
		t.Fatalf("%d crash slots, want 4", len(w.slots))
	}
	return w
}

// crashCandidate is a verified candidate signed in (the session cookie's
// token) for one scenario.
type crashCandidate struct {
	actor   portal.Actor
	token   string
	login   string
	booking *portal.BookingDetail // the booking the setup made, if any
	other   *portal.BookingDetail // a second booking the setup made (expiry)
	officer *crashCandidate       // the results officer who imports the candidate's results
	attempt int64                 // the result the setup recorded (publication)
}

func (w *crashWorld) candidate(t *testing.T) *crashCandidate {
	t.Helper()
	return w.account(t, portal.RoleCandidate)
}

// officer is a results officer with a second factor, signed in.
func (w *crashWorld) officer(t *testing.T) *crashCandidate {
	t.Helper()
	return w.account(t, portal.RoleStaff, portal.SetResultsOfficer)
}

func (w *crashWorld) account(t *testing.T, role portal.Role, sets ...portal.PermissionSet) *crashCandidate {
	t.Helper()
	n := w.users.Add(1)
	email := fmt.Sprintf("crash%d-%d@example.org", n, time.Now().UnixNano())
	login := fmt.Sprintf("CPX%07d", n)
	var id int64
	err := w.st.Transact(w.ctx, func(tx *store.Tx) error {
		verified := tx.Now().Add(-time.Hour)
		u, err := tx.CreateUser(w.ctx, store.UserCreate{LoginID: login, Email: email,
			FirstName: "Casey", LastName: "Crash", Role: role, Language: "en", PasswordHash: w.hash,
			EmailVerifiedAt: &verified, Country: "US"})
		if err != nil {
			return err
		}
		id = u.ID
		if len(sets) == 0 {
			return nil
		}
		return tx.ReplaceStaffSets(w.ctx, id, sets, 0)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Each account signs in from an address of its own, so that the many
	// scenarios stay within the sign-in limit per address.
	ip := fmt.Sprintf("198.51.100.%d", 1+id%250)
	res, err := w.accts.SignIn(w.ctx, accounts.RequestMeta{IP: ip, UserAgent: "crash-test", RequestID: "crash-test"},
		accounts.SignInRequest{Email: email, Password: crashPassword})
	if err != nil || res.Token == "" {
		t.Fatalf("sign-in: %v", err)
	}
	if role == portal.RoleStaff {
		// Staff act only with a second factor enrolled; the session is
		// signed in already, so the factor is never asked for here.
		if _, err := w.st.DB().ExecContext(w.ctx, w.sql(`INSERT INTO user_mfa (user_id, totp_secret, totp_enabled_at, updated_at)
			VALUES (?, ?, ?, ?)`), id, []byte("crash-test"), time.Now().UTC(), time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
	}
	return &crashCandidate{actor: portal.Actor{UserID: id, Role: role, IP: "192.0.2.9", RequestID: "crash-test"}, token: res.Token, login: login}
}

// hold and buy set up bookings in the test process, as the portal would.
func (w *crashWorld) hold(t *testing.T, c *crashCandidate, e *portal.Exam, sl *portal.Slot) *portal.BookingDetail {
	t.Helper()
	b, err := w.sched.Hold(w.ctx, c.actor, booking.HoldRequest{ExamID: e.ID, SlotID: sl.ID, Language: "en"})
	if err != nil {
		t.Fatalf("hold: %v", err)
	}
	return b
}

func (w *crashWorld) buy(t *testing.T, c *crashCandidate, e *portal.Exam, sl *portal.Slot) *portal.BookingDetail {
	t.Helper()
	b := w.hold(t, c, e, sl)
	if _, err := w.sched.Checkout(w.ctx, c.actor, booking.CheckoutRequest{Provider: portal.ProviderTest, Card: payments.TestCardSuccess}); err != nil {
		t.Fatalf("checkout: %v", err)
	}
	return w.booking(t, b.ID)
}

func (w *crashWorld) booking(t *testing.T, id int64) *portal.BookingDetail {
	t.Helper()
	b, err := w.st.GetBooking(w.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bookingsOf lists a candidate's bookings in any state.
func (w *crashWorld) bookingsOf(t *testing.T, c *crashCandidate) []*portal.BookingDetail {
	t.Helper()
	list, err := w.st.ListBookings(w.ctx, store.BookingFilter{UserID: c.actor.UserID})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// count runs a COUNT query with arguments on the shared database.
func (w *crashWorld) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.st.DB().QueryRowContext(w.ctx, w.sql(query), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// sql writes query's ? placeholders as the engine wants them.
func (w *crashWorld) sql(query string) string { return testutil.Rebind(w.st.Engine(), query) }

// post sends one JSON API request as c; the answer may be cut by the
// crash, which the caller expects.
func (w *crashWorld) post(base string, c *crashCandidate, path string, body any) holdResult {
	raw, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(w.ctx, 30*time.Second)
	defer cancel()
	return postJSON(ctx, &http.Client{}, base+"/api/v1"+path, c.token, fmt.Sprintf("crash-%d", time.Now().UnixNano()), raw)
}

func (w *crashWorld) checkInvariants(t *testing.T, when string) {
	t.Helper()
	v, err := w.st.CheckInvariants(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) > 0 {
		t.Fatalf("%s: invariants violated:\n  %v", when, v)
	}
}

// recover runs what the portal runs on its own after a crash, without
// waiting for it: the publication jobs whose due work fired (a crashed
// job runs again later: River rescues it; publishing an official result
// again does nothing), then the hold sweep once every hold has run out,
// the import sweep once an import half done counts as stalled, and the
// refund jobs still requested.
func (w *crashWorld) recover(t *testing.T) {
	t.Helper()
	rows, err := w.st.DB().QueryContext(w.ctx, w.sql(`SELECT args FROM due_work WHERE kind = ? AND state = 'fired' ORDER BY id`),
		results.KindPublish)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []string
	for rows.Next() {
		var args string
		if err := rows.Scan(&args); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, args)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for _, args := range jobs {
		if err := w.results.HandlePublishJob(w.ctx, json.RawMessage(args)); err != nil {
			t.Fatalf("publication job %s: %v", args, err)
		}
	}
	w.clock.Set(time.Now().UTC().Add(2 * time.Hour))
	defer w.clock.Set(time.Now().UTC())
	if _, err := w.sched.ExpireHolds(w.ctx); err != nil {
		t.Fatalf("hold sweep: %v", err)
	}
	if _, err := w.results.ResumeImports(w.ctx); err != nil {
		t.Fatalf("import sweep: %v", err)
	}
	rows, err = w.st.DB().QueryContext(w.ctx, `SELECT id FROM refunds WHERE state = 'requested' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if err := w.sched.HandleRefundJob(w.ctx, json.RawMessage(`{"refund_id":`+strconv.FormatInt(id, 10)+`}`)); err != nil {
			t.Fatalf("refund job %d: %v", id, err)
		}
	}
}

// importRows is a results file of three results of c's for the exam that
// earns the certification, delivered three weeks ago, so that each is due
// for publication once recorded: two passes (the first one published
// earns the certification, the other finds it standing) and a failure.
func importRows(w *crashWorld, c *crashCandidate) []map[string]any {
	at := time.Now().UTC().Truncate(time.Hour).AddDate(0, 0, -21)
	var rows []map[string]any
	for i, score := range []int{800, 500, 810} {
		rows = append(rows, map[string]any{"login_id": c.login, "exam_code": w.certExam.Code,
			"delivered_at": at.Add(time.Duration(i) * time.Hour).Format(time.RFC3339), "score": score})
	}
	return rows
}

// resultImport is the one import c's officer made: its state, its row
// count, and how many results and parked rows it recorded.
type resultImport struct {
	id, rows, attempts, parked int
	state                      string
}

func (w *crashWorld) resultImport(t *testing.T, c *crashCandidate) resultImport {
	t.Helper()
	var r resultImport
	if n := w.count(t, `SELECT COUNT(*) FROM result_imports WHERE created_by = ?`, c.officer.actor.UserID); n != 1 {
		t.Fatalf("%d imports by the officer, want 1", n)
	}
	if err := w.st.DB().QueryRowContext(w.ctx, w.sql(`SELECT id, state, rows_total FROM result_imports WHERE created_by = ?`),
		c.officer.actor.UserID).Scan(&r.id, &r.state, &r.rows); err != nil {
		t.Fatal(err)
	}
	r.attempts = w.count(t, `SELECT COUNT(*) FROM exam_attempts WHERE import_id = ?`, r.id)
	r.parked = w.count(t, `SELECT COUNT(*) FROM parked_results WHERE import_id = ?`, r.id)
	return r
}

// restart runs the portal, unarmed, on the same database until its due
// sweep has published every result of c's whose official instant passed,
// then stops it.
func (w *crashWorld) restart(t *testing.T, c *crashCandidate) {
	t.Helper()
	srv := startLoadServer(t, w.bin, w.dir, w.env, "serve", "--test-payments")
	deadline := time.Now().Add(2 * time.Minute)
	for w.count(t, `SELECT COUNT(*) FROM exam_attempts WHERE user_id = ? AND state = 'preliminary' AND official_at <= ?`,
		c.actor.UserID, time.Now().UTC()) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the restarted portal did not publish the due results within 2 minutes:\n%s", srv.stop(t))
		}
		time.Sleep(200 * time.Millisecond)
	}
	srv.stop(t)
}

// publishedOnce checks that each of c's results was published exactly
// once: official, its due work fired, one result.published event; and
// that the passes issued certs certifications, each with one voucher and
// one certification.issued event.
func (w *crashWorld) publishedOnce(t *testing.T, c *crashCandidate, attempts, certs int) {
	t.Helper()
	u := c.actor.UserID
	for _, q := range []struct {
		what, query string
		want        int
	}{
		{"results", `SELECT COUNT(*) FROM exam_attempts WHERE user_id = ?`, attempts},
		{"official results", `SELECT COUNT(*) FROM exam_attempts WHERE user_id = ? AND state = 'official' AND published_at IS NOT NULL`, attempts},
		{"fired publications", `SELECT COUNT(*) FROM due_work d JOIN exam_attempts a ON d.key = 'attempt:' || a.id
			WHERE d.kind = 'results.publish' AND d.state = 'fired' AND a.user_id = ?`, attempts},
		{"result.published events", `SELECT COUNT(*) FROM events e JOIN exam_attempts a ON a.id = e.subject_id
			WHERE e.type = 'result.published' AND e.subject_kind = 'attempt' AND a.user_id = ?`, attempts},
		{"certifications", `SELECT COUNT(*) FROM user_certifications WHERE user_id = ? AND withdrawn_at IS NULL`, certs},
		{"pass vouchers", `SELECT COUNT(*) FROM certification_vouchers cv JOIN user_certifications uc ON uc.id = cv.user_certification_id
			JOIN vouchers v ON v.id = cv.voucher_id WHERE uc.user_id = ? AND v.owner_user_id = uc.user_id`, certs},
		{"vouchers owned", `SELECT COUNT(*) FROM vouchers WHERE owner_user_id = ?`, certs},
		{"certification.issued events", `SELECT COUNT(*) FROM events e JOIN user_certifications uc ON uc.id = e.subject_id
			WHERE e.type = 'certification.issued' AND e.subject_kind = 'certification' AND uc.user_id = ?`, certs},
	} {
		if got := w.count(t, q.query, u); got != q.want {
			t.Errorf("%d %s of user %d, want %d", got, q.what, u, q.want)
		}
	}
}

// crash runs one scenario: set up, start the portal armed, drive it to
// the point, see it die there, check, recover, check again.
func (w *crashWorld) crash(t *testing.T, sc crashScenario) {
	c := w.candidate(t)
	if sc.setup != nil {
		sc.setup(t, w, c)
	}
	srv := startLoadServer(t, w.bin, w.dir, append(slices.Clone(w.env), failpoint.EnvVar+"="+sc.point), "serve", "--test-payments")
	res := sc.step(w, srv.url, c)
	select {
	case <-srv.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("the portal did not reach %s: last answer %d %s %v\n%s", sc.point, res.status, res.raw, res.err, srv.stop(t))
	}
	if code := srv.cmd.ProcessState.ExitCode(); code != failpoint.ExitCode {
		t.Fatalf("the portal exited with %d, want %d at %s:\n%s", code, failpoint.ExitCode, sc.point, srv.stderr.String())
	}
	srv.once.Do(func() {})
	w.checkInvariants(t, "after the crash")
	sc.check(t, w, c)
	w.recover(t)
	w.checkInvariants(t, "after recovery")
	if sc.recovered != nil {
		sc.recovered(t, w, c)
	}
}

// crashScenario reaches one failpoint. step drives the armed portal;
// check says what the crash must have left; recovered what recovery must
// have made of it.
type crashScenario struct {
	point, variant string
	setup          func(t *testing.T, w *crashWorld, c *crashCandidate)
	step           func(w *crashWorld, base string, c *crashCandidate) holdResult
	check          func(t *testing.T, w *crashWorld, c *crashCandidate)
	recovered      func(t *testing.T, w *crashWorld, c *crashCandidate)
}

// Steps and states shared by the scenarios.
var (
	stepHold = func(w *crashWorld, base string, c *crashCandidate) holdResult {
		return w.post(base, c, "/holds", map[string]any{"exam_code": w.free.Code, "slot_id": w.slots[0].ID, "language": "en"})
	}
	stepCheckout = func(w *crashWorld, base string, c *crashCandidate) holdResult {
		return w.post(base, c, "/checkout", map[string]any{"provider": "test", "card": payments.TestCardSuccess})
	}
	stepCancel = func(w *crashWorld, base string, c *crashCandidate) holdResult {
		return w.post(base, c, "/bookings/"+c.booking.Reference+"/cancel", map[string]any{})
	}
	stepMove = func(w *crashWorld, base string, c *crashCandidate) holdResult {
		return w.post(base, c, "/bookings/"+c.booking.Reference+"/reschedule",
			map[string]any{"slot_id": w.slots[1].ID, "provider": "test", "card": payments.TestCardSuccess})
	}
	setupHeld = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		c.booking = w.hold(t, c, w.free, w.slots[0])
	}
	setupBought = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		c.booking = w.buy(t, c, w.free, w.slots[0])
	}
	setupBoughtWithFee = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		c.booking = w.buy(t, c, w.paid, w.slots[0])
	}
	noBooking = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		if list := w.bookingsOf(t, c); len(list) != 0 {
			t.Fatalf("a hold cut short left %d bookings (%s)", len(list), list[0].State)
		}
	}
	stillHeld = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		if b := w.booking(t, c.booking.ID); b.State != portal.BookingHeld || b.PaymentID != nil {
			t.Fatalf("a checkout cut short left the booking %s with payment %v", b.State, b.PaymentID)
		}
		if n := w.count(t, `SELECT COUNT(*) FROM payments WHERE user_id = ?`, c.actor.UserID); n != 0 {
			t.Fatalf("a checkout cut short left %d payments", n)
		}
	}
	// chargedUnrecorded: the test card was charged (test mode moves no
	// money) and the confirmation never committed: the booking waits.
	chargedUnrecorded = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		b := w.booking(t, c.booking.ID)
		if b.State != portal.BookingPending || b.ConfirmedAt != nil {
			t.Fatalf("booking %s after a crash between charge and confirmation, want pending", b.State)
		}
	}
	// chargedExpired: the sweep ends the booking and its payment.
	chargedExpired = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		b := w.booking(t, c.booking.ID)
		if b.State != portal.BookingExpired {
			t.Fatalf("booking %s after recovery, want expired", b.State)
		}
		if n := w.count(t, `SELECT COUNT(*) FROM payments WHERE user_id = ? AND state = 'cancelled'`, c.actor.UserID); n != 1 {
			t.Fatalf("%d cancelled payments after recovery, want 1", n)
		}
	}
	stillConfirmed = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		b := w.booking(t, c.booking.ID)
		if b.State != portal.BookingConfirmed || b.SlotID != w.slots[0].ID || b.Reschedules != 0 {
			t.Fatalf("booking %s at slot %d with %d moves after the crash; want it untouched", b.State, b.SlotID, b.Reschedules)
		}
		if n := w.count(t, `SELECT COUNT(*) FROM refunds WHERE booking_id = ?`, b.ID); n != 0 {
			t.Fatalf("%d refunds of a booking whose cancellation did not commit", n)
		}
	}

	// An officer imports a file of the candidate's results and has it
	// applied once it checks clean (no dry run).
	setupOfficer = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		c.officer = w.officer(t)
	}
	stepImport = func(w *crashWorld, base string, c *crashCandidate) holdResult {
		return w.post(base, c.officer, "/results/imports?dry_run=false&file_name=crash.json", importRows(w, c))
	}
	// importNotApplied: the apply transaction never committed: the
	// import waits, applying, with its three rows and no result.
	importNotApplied = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		if r := w.resultImport(t, c); r.state != portal.ImportApplying || r.rows != 3 || r.attempts != 0 || r.parked != 0 {
			t.Fatalf("an apply cut short left import %+v; want applying, 3 rows, nothing recorded", r)
		}
	}
	// importApplied: the import sweep applied it whole; the restarted
	// portal published each result once.
	importApplied = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		if r := w.resultImport(t, c); r.state != portal.ImportApplied || r.rows != 3 || r.attempts != 3 {
			t.Fatalf("import %+v after recovery; want applied, 3 rows, 3 results", r)
		}
		w.restart(t, c)
		w.publishedOnce(t, c, 3, 1)
		w.checkInvariants(t, "after the restart")
	}

	// A passed result, entered and confirmed (by the system, as the demo
	// does) three weeks after its delivery: its publication is due at
	// once, and the portal's due sweep starts it as soon as it runs.
	setupDuePass = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		system := portal.SystemActor("crash-test")
		a, err := w.results.Enter(w.ctx, system, results.Entry{Candidate: c.login, ExamCode: w.certExam.Code,
			TakenAt: time.Now().UTC().Truncate(time.Hour).AddDate(0, 0, -21), Score: 800})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.results.Confirm(w.ctx, system, a.ID); err != nil {
			t.Fatal(err)
		}
		c.attempt = a.ID
	}
	stepDueSweep = func(w *crashWorld, base string, c *crashCandidate) holdResult { return holdResult{} }
	// notPublished: the publication's transaction never committed: the
	// result is still provisional, nothing was issued, and its due work
	// fired (the sweep committed before the job ran).
	notPublished = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		a, err := w.st.GetAttempt(w.ctx, c.attempt)
		if err != nil {
			t.Fatal(err)
		}
		if a.State != portal.AttemptPreliminary || a.PublishedAt != nil {
			t.Fatalf("a publication cut short left the result %s, published at %v", a.State, a.PublishedAt)
		}
		u := c.actor.UserID
		if n := w.count(t, `SELECT COUNT(*) FROM user_certifications WHERE user_id = ?`, u) +
			w.count(t, `SELECT COUNT(*) FROM vouchers WHERE owner_user_id = ?`, u) +
			w.count(t, `SELECT COUNT(*) FROM events WHERE type = 'result.published' AND subject_kind = 'attempt' AND subject_id = ?`, c.attempt); n != 0 {
			t.Fatalf("a publication cut short left %d certifications, vouchers and events", n)
		}
		if n := w.count(t, `SELECT COUNT(*) FROM due_work WHERE kind = ? AND key = ? AND state = 'fired'`, results.KindPublish,
			"attempt:"+strconv.FormatInt(c.attempt, 10)); n != 1 {
			t.Fatalf("%d fired publications of the result, want 1", n)
		}
	}
	// publishedOnRecovery: the job ran again and published; the restarted
	// portal and a further run (River may run a rescued job twice) change
	// nothing.
	publishedOnRecovery = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		w.publishedOnce(t, c, 1, 1)
		w.restart(t, c)
		if err := w.results.Publish(w.ctx, c.attempt); err != nil {
			t.Fatal(err)
		}
		w.publishedOnce(t, c, 1, 1)
		w.checkInvariants(t, "after the restart")
	}
)

// Renewal by exam: the candidate holds the certification (a pass a month
// ago, published) and passes again three weeks ago, within the cycle; the
// portal's due sweep publishes the second pass, which renews the
// certification, and the credentials reaction then issues the new cycle's
// credential and supersedes the old one.
var (
	setupDueRenewal = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		system := portal.SystemActor("crash-test")
		now := time.Now().UTC().Truncate(time.Hour)
		first, err := w.results.Enter(w.ctx, system, results.Entry{Candidate: c.login, ExamCode: w.certExam.Code,
			TakenAt: now.AddDate(0, 0, -30), Score: 800})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.results.Confirm(w.ctx, system, first.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.results.Publish(w.ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		setupDuePass(t, w, c)
		if n := w.count(t, `SELECT COUNT(*) FROM user_certifications WHERE user_id = ? AND cycle = 1`, c.actor.UserID); n != 1 {
			t.Fatalf("%d certifications before the renewing pass, want 1", n)
		}
	}
	// notRenewed: the publication that renews never committed: the pass
	// is provisional, the certification in its first cycle, nothing
	// consumed.
	notRenewed = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		u := c.actor.UserID
		if n := w.count(t, `SELECT COUNT(*) FROM renewals WHERE user_id = ?`, u) +
			w.count(t, `SELECT COUNT(*) FROM user_certifications WHERE user_id = ? AND cycle <> 1`, u) +
			w.count(t, `SELECT COUNT(*) FROM events e JOIN user_certifications uc ON uc.id = e.subject_id
				WHERE e.type = 'certification.renewed' AND uc.user_id = ?`, u); n != 0 {
			t.Fatalf("a renewal cut short left %d renewals, extended certifications and events", n)
		}
		if a, err := w.st.GetAttempt(w.ctx, c.attempt); err != nil || a.State != portal.AttemptPreliminary {
			t.Fatalf("the renewing pass is %v after the crash (%v), want preliminary", a, err)
		}
	}
	// renewedNoCredential: the renewal committed; the credential of the
	// new cycle did not.
	renewedNoCredential = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		u := c.actor.UserID
		if n := w.count(t, `SELECT COUNT(*) FROM renewals WHERE user_id = ?`, u); n != 1 {
			t.Fatalf("%d renewals after the crash, want 1", n)
		}
		if n := w.count(t, `SELECT COUNT(*) FROM credentials cr JOIN user_certifications uc ON uc.id = cr.user_certification_id
			WHERE uc.user_id = ? AND cr.cycle = 2`, u); n != 0 {
			t.Fatalf("%d credentials of the new cycle after a crash before their commit", n)
		}
	}
	// renewedOnce: after recovery and a restart, one renewal, the
	// certification in cycle 2, one credential of cycle 2, and no current
	// credential of cycle 1 (superseded, pointing to the new one).
	renewedOnce = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		u := c.actor.UserID
		newCredentials := func() int {
			return w.count(t, `SELECT COUNT(*) FROM credentials cr JOIN user_certifications uc ON uc.id = cr.user_certification_id
				WHERE uc.user_id = ? AND cr.cycle = 2`, u)
		}
		srv := startLoadServer(t, w.bin, w.dir, w.env, "serve", "--test-payments")
		deadline := time.Now().Add(2 * time.Minute)
		for newCredentials() == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the restarted portal issued no credential of the renewed cycle within 2 minutes:\n%s", srv.stop(t))
			}
			time.Sleep(200 * time.Millisecond)
		}
		srv.stop(t)
		for _, q := range []struct {
			what, query string
			want        int
		}{
			{"renewals", `SELECT COUNT(*) FROM renewals WHERE user_id = ?`, 1},
			{"certifications in cycle 2", `SELECT COUNT(*) FROM user_certifications WHERE user_id = ? AND cycle = 2`, 1},
			{"certifications", `SELECT COUNT(*) FROM user_certifications WHERE user_id = ?`, 1},
			{"credentials of cycle 2", `SELECT COUNT(*) FROM credentials cr JOIN user_certifications uc ON uc.id = cr.user_certification_id
				WHERE uc.user_id = ? AND cr.cycle = 2`, 1},
			{"current credentials of cycle 1", `SELECT COUNT(*) FROM credentials cr JOIN user_certifications uc ON uc.id = cr.user_certification_id
				WHERE uc.user_id = ? AND cr.cycle = 1 AND cr.superseded_at IS NULL`, 0},
			{"revoked credentials", `SELECT COUNT(*) FROM credentials cr JOIN user_certifications uc ON uc.id = cr.user_certification_id
				WHERE uc.user_id = ? AND cr.revoked_at IS NOT NULL`, 0},
		} {
			if got := w.count(t, q.query, u); got != q.want {
				t.Errorf("%d %s of user %d, want %d", got, q.what, u, q.want)
			}
		}
		w.checkInvariants(t, "after the restart")
	}
)

var crashScenarios = []crashScenario{
	{point: failpoint.HoldSeatTaken, step: stepHold, check: noBooking},
	{point: failpoint.HoldBookingCreated, step: stepHold, check: noBooking},
	{point: failpoint.CheckoutPaymentCreated, setup: setupHeld, step: stepCheckout, check: stillHeld},
	{point: failpoint.CheckoutBookingsPending, setup: setupHeld, step: stepCheckout, check: stillHeld},
	{point: failpoint.PaymentCharged, setup: setupHeld, step: stepCheckout, check: chargedUnrecorded, recovered: chargedExpired},
	{point: failpoint.ConfirmPaymentSucceeded, setup: setupHeld, step: stepCheckout, check: chargedUnrecorded, recovered: chargedExpired},
	{point: failpoint.ConfirmBookingConfirmed, setup: setupHeld, step: stepCheckout, check: chargedUnrecorded, recovered: chargedExpired},
	{point: failpoint.CancelBookingCancelled, setup: setupBought, step: stepCancel, check: stillConfirmed},
	{point: failpoint.CancelSeatReleased, setup: setupBought, step: stepCancel, check: stillConfirmed},
	{point: failpoint.CancelRefundQueued, setup: setupBought, step: stepCancel, check: stillConfirmed},
	{
		// The provider refunded, the portal died before recording it: the
		// job runs again with the same idempotency key, and the provider
		// answers with the refund it made; the money moves once.
		point: failpoint.RefundProviderDone, setup: setupBought, step: stepCancel,
		check: func(t *testing.T, w *crashWorld, c *crashCandidate) {
			if b := w.booking(t, c.booking.ID); b.State != portal.BookingCancelled {
				t.Fatalf("booking %s, want cancelled (the cancellation committed before the job ran)", b.State)
			}
			if n := w.count(t, `SELECT COUNT(*) FROM refunds WHERE booking_id = ? AND state = 'requested'`, c.booking.ID); n != 1 {
				t.Fatalf("%d requested refunds, want 1", n)
			}
		},
		recovered: func(t *testing.T, w *crashWorld, c *crashCandidate) {
			var r struct {
				ID          int64
				State       string
				ProviderRef string
				AmountMinor int64
			}
			if err := w.st.DB().QueryRowContext(w.ctx, w.sql(`SELECT id, state, provider_ref, amount_minor FROM refunds WHERE booking_id = ?`),
				c.booking.ID).Scan(&r.ID, &r.State, &r.ProviderRef, &r.AmountMinor); err != nil {
				t.Fatal(err)
			}
			p, err := w.st.GetPayment(w.ctx, *c.booking.PaymentID)
			if err != nil {
				t.Fatal(err)
			}
			again, err := (&payments.TestMode{}).Refund(w.ctx, payments.RefundRequest{PaymentRef: p.ProviderRef, AmountMinor: r.AmountMinor,
				Currency: "USD", IdempotencyKey: "refund-" + strconv.FormatInt(r.ID, 10)})
			if err != nil {
				t.Fatal(err)
			}
			if r.State != portal.RefundSucceeded || r.ProviderRef != again || r.AmountMinor != 10000 {
				t.Fatalf("refund %+v after the job ran again; want succeeded as %s for 10000", r, again)
			}
		},
	},
	{point: failpoint.MoveSeatTaken, setup: setupBought, step: stepMove, check: stillConfirmed},
	{point: failpoint.MoveSeatReleased, setup: setupBought, step: stepMove, check: stillConfirmed},
	{
		point: failpoint.MoveFeeCreated, setup: setupBoughtWithFee, step: stepMove,
		check: func(t *testing.T, w *crashWorld, c *crashCandidate) {
			stillConfirmed(t, w, c)
			if n := w.count(t, `SELECT COUNT(*) FROM booking_moves WHERE booking_id = ?`, c.booking.ID) +
				w.count(t, `SELECT COUNT(*) FROM payments WHERE user_id = ? AND purpose = 'reschedule_fee'`, c.actor.UserID); n != 0 {
				t.Fatalf("a move cut short left %d moves and fee payments", n)
			}
		},
	},
	{
		// The fee was charged and the move never recorded: it waits, and
		// ends unpaid (test mode moved no money) when its window passes.
		point: failpoint.PaymentCharged, variant: " (reschedule fee)", setup: setupBoughtWithFee, step: stepMove,
		check: func(t *testing.T, w *crashWorld, c *crashCandidate) {
			stillConfirmed(t, w, c)
			if n := w.count(t, `SELECT COUNT(*) FROM booking_moves WHERE booking_id = ? AND state = 'pending'`, c.booking.ID); n != 1 {
				t.Fatalf("%d pending moves, want 1", n)
			}
		},
		recovered: func(t *testing.T, w *crashWorld, c *crashCandidate) {
			stillConfirmed(t, w, c)
			if n := w.count(t, `SELECT COUNT(*) FROM booking_moves WHERE booking_id = ? AND state = 'failed' AND failure = 'expired'`, c.booking.ID); n != 1 {
				t.Fatalf("%d expired moves after recovery, want 1", n)
			}
		},
	},
	{
		point: failpoint.ConfirmPaymentSucceeded, variant: " (reschedule fee)", setup: setupBoughtWithFee, step: stepMove,
		check: func(t *testing.T, w *crashWorld, c *crashCandidate) {
			stillConfirmed(t, w, c)
			if n := w.count(t, `SELECT COUNT(*) FROM payments WHERE user_id = ? AND purpose = 'reschedule_fee' AND state = 'pending'`, c.actor.UserID); n != 1 {
				t.Fatalf("%d pending fee payments, want 1", n)
			}
		},
	},
	{
		// A hold that ran out is swept by the next hold for its full slot;
		// the crash undoes the sweep and the new hold together.
		point: failpoint.ExpireSeatReleased,
		setup: func(t *testing.T, w *crashWorld, c *crashCandidate) {
			owner := w.candidate(t)
			c.other = w.hold(t, owner, w.free, w.slots[3])
			if _, err := w.st.DB().ExecContext(w.ctx, w.sql(`UPDATE bookings SET hold_expires_at = ? WHERE id = ?`),
				time.Now().UTC().Add(-time.Minute), c.other.ID); err != nil {
				t.Fatal(err)
			}
			if err := w.st.Transact(w.ctx, func(tx *store.Tx) error { return tx.SetSlotCapacity(w.ctx, w.slots[3].ID, 1) }); err != nil {
				t.Fatal(err)
			}
		},
		step: func(w *crashWorld, base string, c *crashCandidate) holdResult {
			return w.post(base, c, "/holds", map[string]any{"exam_code": w.free.Code, "slot_id": w.slots[3].ID, "language": "en"})
		},
		check: func(t *testing.T, w *crashWorld, c *crashCandidate) {
			noBooking(t, w, c)
			if b := w.booking(t, c.other.ID); b.State != portal.BookingHeld {
				t.Fatalf("the run-out hold is %s after the crash, want still held (the sweep did not commit)", b.State)
			}
		},
		recovered: func(t *testing.T, w *crashWorld, c *crashCandidate) {
			if b := w.booking(t, c.other.ID); b.State != portal.BookingExpired {
				t.Fatalf("the run-out hold is %s after the sweep, want expired", b.State)
			}
		},
	},
	{
		// The upload died while staging its rows: the import never got
		// its content hash, so the sweep discards it; nothing counts.
		point: failpoint.ImportRowsStaged, setup: setupOfficer, step: stepImport,
		check: func(t *testing.T, w *crashWorld, c *crashCandidate) {
			r := w.resultImport(t, c)
			if r.state != portal.ImportStaging || r.rows != 0 || r.attempts != 0 {
				t.Fatalf("an upload cut short left import %+v; want staging, no rows, nothing recorded", r)
			}
			if n := w.count(t, `SELECT COUNT(*) FROM result_import_rows WHERE import_id = ?`, r.id); n != 0 {
				t.Fatalf("an upload cut short left %d staged rows", n)
			}
		},
		recovered: func(t *testing.T, w *crashWorld, c *crashCandidate) {
			if r := w.resultImport(t, c); r.state != portal.ImportDiscarded || r.attempts != 0 {
				t.Fatalf("import %+v after the sweep; want discarded, nothing recorded", r)
			}
			w.publishedOnce(t, c, 0, 0)
		},
	},
	{point: failpoint.ImportFirstRowApplied, setup: setupOfficer, step: stepImport, check: importNotApplied, recovered: importApplied},
	{point: failpoint.ImportRowsApplied, setup: setupOfficer, step: stepImport, check: importNotApplied, recovered: importApplied},
	{point: failpoint.PublishAttemptOfficial, setup: setupDuePass, step: stepDueSweep, check: notPublished, recovered: publishedOnRecovery},
	{point: failpoint.PublishCertIssued, setup: setupDuePass, step: stepDueSweep, check: notPublished, recovered: publishedOnRecovery},
	{point: failpoint.PublishVoucherIssued, setup: setupDuePass, step: stepDueSweep, check: notPublished, recovered: publishedOnRecovery},
	{point: failpoint.RenewalRecorded, setup: setupDueRenewal, step: stepDueSweep, check: notRenewed, recovered: renewedOnce},
	{point: failpoint.RenewalExtended, setup: setupDueRenewal, step: stepDueSweep, check: notRenewed, recovered: renewedOnce},
	{point: failpoint.RenewalCredentialIssued, setup: setupDueRenewal, step: stepDueSweep, check: renewedNoCredential, recovered: renewedOnce},
}
