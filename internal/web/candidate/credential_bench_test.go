package candidate

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/web"
)

// newCredentialBench serves the site with the credentials service on a
// fresh SQLite store holding one signed credential, and returns that
// credential's public ID.
func newCredentialBench(b *testing.B) (http.Handler, portal.CredentialID) {
	b.Helper()
	ctx := context.Background()
	clock := testutil.NewClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	st := testutil.MustOpenStore(b, "sqlite", clock)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	creds := credentials.New(st, clock, log, credentials.Config{BaseURL: "http://127.0.0.1:8080",
		SecretKey: []byte("0123456789abcdef0123456789abcdef"), ProgramName: "Certportal"})
	var ucID int64
	err := st.Transact(ctx, func(tx *store.Tx) error {
		exam, err := tx.CreateExam(ctx, portal.Exam{Code: "ARC-A01", Name: "Certified Solutions Architect, Associate",
			Level: portal.LevelAssociate, Kind: portal.KindExam, PassingScore: 720, RetakeWaitDays: 14, ResultsDelayDays: 5,
			DurationMinutes: 130, Languages: "en", Delivery: portal.DeliveryOnline, Currency: "USD", PriceMinor: 15000,
			ValidityMonths: 36, Active: true})
		if err != nil {
			return err
		}
		cert, err := tx.CreateCertification(ctx, portal.Certification{Code: "ARC", Name: "Solutions Architect, Associate",
			Level: portal.LevelAssociate, Kind: portal.CertKindCertification, ValidityMonths: 36, Active: true, EarnedBy: []string{exam.Code}})
		if err != nil {
			return err
		}
		u, err := tx.CreateUser(ctx, store.UserCreate{LoginID: "CP00000001", Email: "robin.okafor@bench.certportal.localhost",
			FirstName: "Robin", LastName: "Okafor", Role: portal.RoleCandidate, Language: "en", Country: "US"})
		if err != nil {
			return err
		}
		taken, published := clock.Now().AddDate(0, 0, -10), clock.Now()
		a, err := tx.InsertAttempt(ctx, portal.Attempt{UserID: u.ID, ExamID: exam.ID, ExamCode: exam.Code, CertificationID: &cert.ID,
			TakenAt: taken, Score: 800, Passed: true, PassingScore: 720, RetakeWaitDays: 14, State: portal.AttemptOfficial,
			Source: portal.SourceConsole, OfficialAt: published, PublishedAt: &published})
		if err != nil {
			return err
		}
		uc, err := tx.InsertUserCertification(ctx, portal.UserCertification{UserID: u.ID, CertificationID: cert.ID, AttemptID: a.ID,
			Cycle: 1, Kind: portal.CertKindCertification, ValidityMonths: 36, IssuedOn: "2026-11-21", ExpiresOn: "2029-11-21",
			IssuedAt: taken, ExpiresAt: taken.AddDate(3, 0, 1)})
		ucID = uc.ID
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	var c *portal.Credential
	if err := st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		c, err = creds.Issue(ctx, tx, ucID)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	if err := creds.Sign(ctx, c.ID); err != nil {
		b.Fatal(err)
	}
	cat, err := i18n.New()
	if err != nil {
		b.Fatal(err)
	}
	s, err := web.New(web.Config{BaseURL: "http://127.0.0.1:8080", ProgramName: "Certportal", MetricsOnMain: true}, web.Deps{
		Log: log, Clock: clock, Catalog: cat, Credentials: creds,
		Ready: func(ctx context.Context) error { return st.Ping(ctx) }, Registry: prometheus.NewRegistry(),
	}, Section())
	if err != nil {
		b.Fatal(err)
	}
	return s.Handler(), c.CredentialID
}

// benchLookups measures GET path with want as its status, each request
// from a client address not seen before (next counts them across the runs
// that share a handler), so that the per-address limit never answers
// instead and every lookup inserts its counter row, as a first visit does.
func benchLookups(b *testing.B, h http.Handler, next *atomic.Uint32, path string, want int) {
	b.Helper()
	newReq := func() *http.Request {
		n := next.Add(1)
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:4000", n>>16&0xff, n>>8&0xff, n&0xff)
		return r
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, newReq())
	if w.Code != want {
		b.Fatalf("GET %s: %d, want %d\n%.300s", path, w.Code, want, w.Body.String())
	}
	b.ReportMetric(float64(w.Body.Len()), "resp-B")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.ServeHTTP(httptest.NewRecorder(), newReq())
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkCredentialPage compares the verification page of a known
// credential with that of an unknown ID, which reads a stand-in credential
// with the same queries (docs/credentials.md): their times should be
// alike, and both are compared with BenchmarkBareHandler.
func BenchmarkCredentialPage(b *testing.B) {
	h, id := newCredentialBench(b)
	unknown, err := portal.NewCredentialID()
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Uint32
	b.Run("known", func(b *testing.B) { benchLookups(b, h, &next, "/credentials/"+string(id), http.StatusOK) })
	b.Run("unknown", func(b *testing.B) { benchLookups(b, h, &next, "/credentials/"+string(unknown), http.StatusNotFound) })
}

// BenchmarkCredentialBadge is the PNG badge of a known credential and of
// an unknown ID, whose stand-in badge is drawn and thrown away.
func BenchmarkCredentialBadge(b *testing.B) {
	h, id := newCredentialBench(b)
	unknown, err := portal.NewCredentialID()
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Uint32
	b.Run("known", func(b *testing.B) { benchLookups(b, h, &next, "/credentials/"+string(id)+"/badge.png", http.StatusOK) })
	b.Run("unknown", func(b *testing.B) {
		benchLookups(b, h, &next, "/credentials/"+string(unknown)+"/badge.png", http.StatusNotFound)
	})
}
