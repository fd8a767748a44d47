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
	"example.org/certportal/internal/failpoint"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestCrashAtEachFailpoint pins SECURITY.md CRASH-01: the portal is built
// with the failpoints tag and, for each failpoint of the booking, payment,
// cancellation, refund, move and expiry operations in turn, started with
// that point armed; the test drives the operation over the JSON API until
// the process dies there (exit 137, as after kill -9: no deferred call,
// no rollback). Then, from the database alone:
//   - store.CheckInvariants finds nothing (seats, money, vouchers add up);
//   - the operation either happened whole or not at all (a transaction
//     never shows half), as the point's check states;
//   - what a crash between transactions leaves (a charged but unrecorded
//     test payment, a refund made at the provider but not recorded) is
//     resolved by the recovery the portal runs anyway (the hold sweep, the
//     refund job running again with the same idempotency key), after which
//     the invariants still hold.
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
		for _, p := range failpoint.Points {
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
// exam moved for free, one with a reschedule fee, a test center with four
// afternoon sessions a week ahead, and a scheduling service the test uses
// to set up bookings and to recover, over the same store.
type crashWorld struct {
	ctx        context.Context
	bin, dir   string
	env        []string
	st         *store.Store
	clock      *testutil.Clock
	sched      *booking.Service
	accts      *accounts.Service
	free, paid *portal.Exam
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
	booking *portal.BookingDetail // the booking the setup made, if any
	other   *portal.BookingDetail // a second booking the setup made (expiry)
}

func (w *crashWorld) candidate(t *testing.T) *crashCandidate {
	t.Helper()
	n := w.users.Add(1)
	email := fmt.Sprintf("crash%d-%d@example.org", n, time.Now().UnixNano())
	var id int64
	err := w.st.Transact(w.ctx, func(tx *store.Tx) error {
		verified := tx.Now().Add(-time.Hour)
		u, err := tx.CreateUser(w.ctx, store.UserCreate{LoginID: fmt.Sprintf("CPX%07d", n), Email: email,
			FirstName: "Casey", LastName: "Crash", Role: portal.RoleCandidate, Language: "en", PasswordHash: w.hash,
			EmailVerifiedAt: &verified, Country: "US"})
		if err != nil {
			return err
		}
		id = u.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.accts.SignIn(w.ctx, accounts.RequestMeta{IP: "192.0.2.9", UserAgent: "crash-test", RequestID: "crash-test"},
		accounts.SignInRequest{Email: email, Password: crashPassword})
	if err != nil || res.Token == "" {
		t.Fatalf("sign-in: %v", err)
	}
	return &crashCandidate{actor: portal.Actor{UserID: id, Role: portal.RoleCandidate, IP: "192.0.2.9", RequestID: "crash-test"}, token: res.Token}
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
// waiting for it: the hold sweep once every hold has run out, and the
// refund jobs still requested (a crashed job runs again later).
func (w *crashWorld) recover(t *testing.T) {
	t.Helper()
	w.clock.Set(time.Now().UTC().Add(2 * time.Hour))
	defer w.clock.Set(time.Now().UTC())
	if _, err := w.sched.ExpireHolds(w.ctx); err != nil {
		t.Fatalf("hold sweep: %v", err)
	}
	rows, err := w.st.DB().QueryContext(w.ctx, `SELECT id FROM refunds WHERE state = 'requested' ORDER BY id`)
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
}
