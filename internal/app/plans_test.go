package app

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/config"
	"example.org/certportal/internal/loadgen"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// largeTables are the tables that grow with the number of candidates: a
// page or API route that reads one of them in full gets slower as the
// program grows.
var largeTables = []string{"users", "sessions", "user_mfa", "bookings", "payments", "refunds", "vouchers", "exam_attempts",
	"user_certifications", "certification_vouchers", "credentials", "status_list_entries", "events", "audit_log",
	"rate_limits", "idempotency_keys", "slots", "job_outbox", "due_work", "user_tokens", "backup_codes", "sms_codes"}

// TestPagesPlanNoScanOfLargeTables serves the public pages, a
// candidate's pages and the matching JSON API routes on a generated
// program (internal/loadgen; 5,000 candidates, CERTPORTAL_PLAN_CANDIDATES
// to change it), records every statement they send to the store, and
// explains each one (EXPLAIN QUERY PLAN on SQLite; EXPLAIN on PostgreSQL
// with sequential scans disabled, so that a Seq Scan is left only where no
// index can serve). It fails on any plan that reads a large table in full:
// a missing index shows here before it shows in production.
func TestPagesPlanNoScanOfLargeTables(t *testing.T) {
	n := 5_000
	if v := os.Getenv("CERTPORTAL_PLAN_CANDIDATES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			t.Fatalf("CERTPORTAL_PLAN_CANDIDATES=%q: want a number of at least 100", v)
		}
	}
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		clock := testutil.NewClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
		st := testutil.MustOpenStore(t, engine, clock)
		sys := planSystem(t, st, clock)
		const password = "plan-Test-passw0rd"
		hash, err := accounts.NewHasher(accounts.DefaultHashParams, 1).Hash(ctx, password)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := loadgen.Generate(ctx, st, loadgen.Config{Candidates: n, Seed: 11, PasswordHash: hash, Credentials: sys.creds})
		if err != nil {
			t.Fatal(err)
		}
		res, err := sys.accounts.SignIn(ctx, accounts.RequestMeta{IP: "192.0.2.10", UserAgent: "plan", RequestID: "plan"},
			accounts.SignInRequest{Email: rep.Candidate, Password: password})
		if err != nil {
			t.Fatalf("sign in %s: %v", rep.Candidate, err)
		}
		cookie := &http.Cookie{Name: "certportal_session", Value: res.Token}
		ids := candidateIDs(t, st, rep)

		type recorded struct {
			route string
			stmt  store.Statement
		}
		var (
			mu    sync.Mutex
			seen  = map[string]bool{}
			stmts []recorded
			route string
		)
		stop := st.RecordStatements(func(s store.Statement) {
			mu.Lock()
			defer mu.Unlock()
			if !seen[s.Query] {
				seen[s.Query] = true
				stmts = append(stmts, recorded{route, s})
			}
		})
		defer stop()
		anonymous := []string{"/", "/exams", "/help", "/credentials", "/credentials/" + ids["credential"],
			"/credentials/" + ids["credential"] + "/credential.json", "/credentials/status/revocation/1", "/.well-known/did.json",
			"/api/v1/exams", "/api/v1/credentials/" + ids["credential"], "/api/v1/online/slots?exam=" + ids["exam"]}
		candidate := []string{"/dashboard", "/bookings", "/bookings/" + ids["booking"], "/history", "/history/" + ids["attempt"],
			"/certifications", "/certifications/" + ids["certification"] + "/credential.json", "/benefits", "/profile",
			"/profile/security", "/schedule/" + ids["exam"], "/schedule/" + ids["exam"] + "/online",
			"/api/v1/bookings", "/api/v1/bookings/" + ids["booking"], "/api/v1/me/attempts", "/api/v1/me/attempts/" + ids["attempt"],
			"/api/v1/me/certifications", "/api/v1/cart"}
		for i, path := range slices.Concat(anonymous, candidate) {
			mu.Lock()
			route = "GET " + path
			mu.Unlock()
			r := httptest.NewRequest(http.MethodGet, path, nil)
			r.RemoteAddr = fmt.Sprintf("192.0.2.%d:40000", 20+i)
			if i >= len(anonymous) {
				r.AddCookie(cookie)
			}
			w := httptest.NewRecorder()
			sys.handler.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Errorf("GET %s: status %d: %.300s", path, w.Code, w.Body.String())
			}
		}
		stop()
		for _, rec := range stmts {
			plan, err := st.Explain(ctx, rec.stmt)
			if err != nil {
				t.Errorf("%s: %v", rec.route, err)
				continue
			}
			for _, table := range plan.Scans {
				if slices.Contains(largeTables, table) {
					t.Errorf("%s reads all of %s:\n%s\nplan:\n  %s", rec.route, table, rec.stmt.Query, strings.Join(plan.Lines, "\n  "))
				}
			}
		}
		if len(stmts) < 20 {
			t.Errorf("recorded %d distinct statements; the walk did not reach the store", len(stmts))
		}
	})
}

// planSystem wires the application on st as serve does.
func planSystem(t *testing.T, st *store.Store, clock *testutil.Clock) *system {
	t.Helper()
	cfg := configFromEnv(t, map[string]string{"CERTPORTAL_BASE_URL": "http://127.0.0.1:18181",
		"CERTPORTAL_SMTP_URL":   "smtp://127.0.0.1:1",
		"CERTPORTAL_SECRET_KEY": base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")),
		"CERTPORTAL_DATA_DIR":   t.TempDir()})
	sys, err := newSystem(cfg, st, clock, slog.New(slog.NewJSONHandler(io.Discard, nil)), accounts.DefaultHashParams)
	if err != nil {
		t.Fatal(err)
	}
	return sys
}

// configFromEnv loads the configuration from env alone, with every flag
// at its default.
func configFromEnv(tb testing.TB, env map[string]string) *config.Config {
	tb.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	loader := config.Register(fs)
	if err := fs.Parse(nil); err != nil {
		tb.Fatal(err)
	}
	cfg, err := loader.Load(func(k string) string { return env[k] })
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// candidateIDs reads the sample candidate's booking reference, attempt,
// earned certification and a credential, and an exam code.
func candidateIDs(t *testing.T, st *store.Store, rep *loadgen.Report) map[string]string {
	t.Helper()
	out := map[string]string{"credential": string(rep.Credential)}
	for name, q := range map[string]string{
		"booking":       `SELECT b.reference FROM bookings b JOIN users u ON u.id = b.user_id WHERE u.email = ? ORDER BY b.id LIMIT 1`,
		"attempt":       `SELECT CAST(a.id AS TEXT) FROM exam_attempts a JOIN users u ON u.id = a.user_id WHERE u.email = ? ORDER BY a.id LIMIT 1`,
		"certification": `SELECT CAST(c.id AS TEXT) FROM user_certifications c JOIN users u ON u.id = c.user_id WHERE u.email = ? LIMIT 1`,
		"exam":          `SELECT e.code FROM exams e WHERE ? <> '' ORDER BY e.id LIMIT 1`,
	} {
		var v string
		if err := st.DB().QueryRow(testutil.Rebind(st.Engine(), q), rep.Candidate).Scan(&v); err != nil {
			t.Fatalf("%s of %s: %v", name, rep.Candidate, err)
		}
		out[name] = v
	}
	return out
}
