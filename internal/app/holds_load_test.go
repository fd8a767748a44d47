package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
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
			w := prepareHolds(t, apps[0], n, 10, n)
			raw := w.rawTakeSeatRate(t, 8, 1000)
			w.signIn(t, apps)
			race := w.burst(t, apps, w.race, "race")
			race.check(t, w, 10, n-10)
			bulk := w.burst(t, apps, w.bulk, "bulk")
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
// share the first one's database and secret key.
func startHoldApps(t *testing.T, engine string, instances int) []*apptest.App {
	t.Helper()
	apps := []*apptest.App{apptest.Start(t, engine)}
	for range instances - 1 {
		apps = append(apps, apptest.Start(t, engine,
			apptest.WithEnv("CERTPORTAL_DATABASE_URL", apps[0].Env["CERTPORTAL_DATABASE_URL"]),
			apptest.WithEnv("CERTPORTAL_SECRET_KEY", apps[0].Env["CERTPORTAL_SECRET_KEY"])))
	}
	return apps
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

// openAppStore opens the app's database beside the running app: on
// SQLite without the instance lock (store.Options.Shared), with the app's
// clock. It does not migrate.
func openAppStore(t *testing.T, a *apptest.App) *store.Store {
	t.Helper()
	o := store.Options{Engine: a.Engine, Clock: a.Clock}
	if a.Engine == store.SQLite {
		o.SQLitePath, o.Shared = filepath.Join(a.DataDir, "certportal.db"), true
	} else {
		o.PostgresURL = a.Env["CERTPORTAL_DATABASE_URL"]
	}
	st, err := store.Open(context.Background(), o)
	if err != nil {
		t.Fatalf("open the app's database: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// prepareHolds creates, through the store, candidates verified
// candidates, a race slot with raceSeats seats and a bulk slot with
// bulkSeats seats a week ahead of the app's clock, for two exams.
func prepareHolds(t *testing.T, a *apptest.App, candidates, raceSeats, bulkSeats int) *holdWorld {
	t.Helper()
	w := &holdWorld{ctx: context.Background(), st: openAppStore(t, a), password: "correct horse battery staple"}
	// One hash with the production parameters serves every account, so
	// each sign-in costs the server exactly one verification.
	hash, err := accounts.NewHasher(accounts.DefaultHashParams, 1).Hash(w.ctx, w.password)
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
		sl, err := w.st.FindSlot(w.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return sl
	}
	w.race, w.bulk, w.scratch = slot(race, raceSeats), slot(bulk, bulkSeats), slot(scratch, 1000)
	return w
}
