package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// These benchmarks run on a database filled by `certportal generate`
// (internal/loadgen), the whole application wired as `certportal serve`
// wires it, and are skipped unless an environment variable names such a
// database:
//
//	CERTPORTAL_BENCH_SQLITE_DIR    the data directory of a generated SQLite database (its secret key file is in it)
//	CERTPORTAL_BENCH_POSTGRES_URL  a generated PostgreSQL database; CERTPORTAL_BENCH_SECRET_KEY is the key it was generated with
//
// They add rows (new certifications and their credentials, per-address
// counters), so point them at a scratch database. docs/benchmarks.md has
// the commands and the figures, as ratios against BenchmarkGeneratedBare
// from the same run.

// generatedSystem is the application on one generated database.
type generatedSystem struct {
	engine string
	sys    *system
}

// generatedSystems opens each generated database the environment names.
func generatedSystems(b *testing.B) []generatedSystem {
	b.Helper()
	var out []generatedSystem
	if dir := os.Getenv("CERTPORTAL_BENCH_SQLITE_DIR"); dir != "" {
		out = append(out, generatedSystem{store.SQLite, openGenerated(b, map[string]string{"CERTPORTAL_DATA_DIR": dir})})
	}
	if url := os.Getenv("CERTPORTAL_BENCH_POSTGRES_URL"); url != "" {
		out = append(out, generatedSystem{store.Postgres, openGenerated(b, map[string]string{"CERTPORTAL_DATABASE_URL": url,
			"CERTPORTAL_SECRET_KEY": os.Getenv("CERTPORTAL_BENCH_SECRET_KEY")})})
	}
	if len(out) == 0 {
		b.Skip("set CERTPORTAL_BENCH_SQLITE_DIR or CERTPORTAL_BENCH_POSTGRES_URL to a database made by certportal generate")
	}
	return out
}

// openGenerated wires the application on the database env configures, as
// serve does (not in development mode; the job runner is not started).
func openGenerated(b *testing.B, env map[string]string) *system {
	b.Helper()
	env["CERTPORTAL_BASE_URL"] = "http://127.0.0.1:18181"
	env["CERTPORTAL_SMTP_URL"] = "smtp://127.0.0.1:1" // required outside development; never reached
	cfg := configFromEnv(b, env)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	clock := portal.SystemClock{}
	st, err := openStore(context.Background(), cfg, clock, log, true)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Migrated(context.Background()); err != nil {
		b.Fatalf("the database is not a migrated certportal database: %v", err)
	}
	if n, err := st.CountUsers(context.Background()); err != nil || n < 1000 {
		b.Fatalf("the database has %d accounts (%v): generate one with certportal generate", n, err)
	}
	sys, err := newSystem(cfg, st, clock, log, accounts.DefaultHashParams)
	if err != nil {
		b.Fatal(err)
	}
	return sys
}

// BenchmarkGeneratedBare is the in-run ceiling of the page benchmarks
// below: a bare handler writing a fixed 4,096-byte page.
func BenchmarkGeneratedBare(b *testing.B) {
	h := testutil.BareHandler()
	benchPage(b, func(int64) *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) }, h, "<h1>")
}

// BenchmarkGeneratedVerificationPage is the public verification page
// /credentials/{id} through the whole handler, for credentials drawn from
// across the generated database, each request from another address (the
// page allows 60 lookups a minute per address, so each visitor is counted
// as in production: one counter row per address).
func BenchmarkGeneratedVerificationPage(b *testing.B) {
	for _, g := range generatedSystems(b) {
		b.Run(g.engine, func(b *testing.B) {
			ids := sampleCredentialIDs(b, g.sys.store, 10_000)
			var visitor atomic.Int64
			visitor.Store(time.Now().UnixNano() % (1 << 20) << 4)
			benchPage(b, func(i int64) *http.Request {
				r := httptest.NewRequest(http.MethodGet, "/credentials/"+ids[i%int64(len(ids))], nil)
				v := visitor.Add(1)
				r.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:40000", v>>16&255, v>>8&255, v&255)
				return r
			}, g.sys.handler, "<h1")
		})
	}
}

// benchPage serves requests made by newReq(i) serially and under
// b.RunParallel, after checking the first answers 200 with want in its
// body. It reports req/s (all goroutines together) and resp-B.
func benchPage(b *testing.B, newReq func(i int64) *http.Request, h http.Handler, want string) {
	b.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, newReq(0))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), want) {
		b.Fatalf("first request: status %d, body %.300q", w.Code, w.Body.String())
	}
	size := float64(w.Body.Len())
	var n atomic.Int64
	serve := func(b *testing.B) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, newReq(n.Add(1)))
		if w.Code != http.StatusOK {
			b.Errorf("status %d: %.300q", w.Code, w.Body.String())
		}
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		b.ReportMetric(size, "resp-B")
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			serve(b)
		}
		report(b)
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				serve(b)
			}
		})
		report(b)
	})
}

// sampleCredentialIDs reads up to n credential IDs spread over the whole
// table.
func sampleCredentialIDs(b *testing.B, st *store.Store, n int) []string {
	b.Helper()
	var total int64
	if err := st.DB().QueryRow(`SELECT COUNT(*) FROM credentials`).Scan(&total); err != nil {
		b.Fatal(err)
	}
	every := max(1, total/int64(n))
	rows, err := st.DB().Query(fmt.Sprintf(`SELECT credential_id FROM credentials WHERE id %% %d = 0 ORDER BY id`, every))
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil || len(ids) == 0 {
		b.Fatalf("credential IDs: %d (%v)", len(ids), err)
	}
	return ids
}

// BenchmarkGeneratedIssue issues one credential and signs both its
// proofs (Data Integrity eddsa-rdfc-2022 and VC-JWT) through the
// credentials service, as the reaction to a certification does: Issue in
// a transaction (a random free place on the newest status lists, the
// credential row, its event), then Sign. Each iteration first makes,
// untimed, a new candidate with an official pass and the certification it
// earned.
func BenchmarkGeneratedIssue(b *testing.B) {
	for _, g := range generatedSystems(b) {
		b.Run(g.engine, func(b *testing.B) {
			ctx := context.Background()
			st := g.sys.store
			certs, err := st.ListCertifications(ctx)
			if err != nil || len(certs) == 0 {
				b.Fatalf("certifications: %d (%v)", len(certs), err)
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				ucID := newEarnedCertification(b, st, certs[i%len(certs)])
				b.StartTimer()
				var c *portal.Credential
				if err := st.Transact(ctx, func(tx *store.Tx) error {
					var err error
					c, err = g.sys.creds.Issue(ctx, tx, ucID)
					return err
				}); err != nil {
					b.Fatal(err)
				}
				if err := g.sys.creds.Sign(ctx, c.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// newEarnedCertification makes a candidate who passed cert's exam ten
// days ago, with its result published, and returns the certification it
// earned.
func newEarnedCertification(b *testing.B, st *store.Store, cert *portal.Certification) int64 {
	b.Helper()
	ctx := context.Background()
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		b.Fatal(err)
	}
	var id int64
	err = st.Transact(ctx, func(tx *store.Tx) error {
		e, err := tx.FindExamByCode(ctx, cert.EarnedBy[0])
		if err != nil {
			return err
		}
		u, err := tx.CreateUser(ctx, store.UserCreate{LoginID: fmt.Sprintf("BN%08d", n.Int64()),
			Email: fmt.Sprintf("bench-%d-%d@example.org", time.Now().UnixNano(), n.Int64()), FirstName: "Bench",
			LastName: "Candidate", Role: portal.RoleCandidate, Language: "en", Country: "US"})
		if err != nil {
			return err
		}
		taken := tx.Now().Add(-10 * 24 * time.Hour).Truncate(time.Second)
		published := tx.Now()
		a, err := tx.InsertAttempt(ctx, portal.Attempt{UserID: u.ID, ExamID: e.ID, ExamCode: e.Code, CertificationID: &cert.ID,
			TakenAt: taken, Score: 800, Passed: true, PassingScore: e.PassingScore, RetakeWaitDays: e.RetakeWaitDays,
			State: portal.AttemptOfficial, Source: portal.SourceConsole, OfficialAt: published, PublishedAt: &published})
		if err != nil {
			return err
		}
		expires := taken.AddDate(0, cert.ValidityMonths, 0)
		uc, err := tx.InsertUserCertification(ctx, portal.UserCertification{UserID: u.ID, CertificationID: cert.ID, AttemptID: a.ID,
			Cycle: 1, Kind: cert.Kind, ValidityMonths: cert.ValidityMonths, IssuedOn: taken.Format(time.DateOnly),
			ExpiresOn: expires.Format(time.DateOnly), IssuedAt: taken, ExpiresAt: expires})
		if err != nil {
			return err
		}
		id = uc.ID
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return id
}
