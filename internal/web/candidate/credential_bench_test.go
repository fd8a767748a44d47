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

// credentialBench is the site with the credentials service on a fresh
// SQLite store holding one signed credential.
type credentialBench struct {
	h     http.Handler
	id    portal.CredentialID // the signed credential's public ID
	clock *testutil.Clock
	next  atomic.Uint32 // client addresses handed out so far
}

// newCredentialBench serves the site with the credentials service on a
// fresh SQLite store holding one signed credential.
func newCredentialBench(b *testing.B) *credentialBench {
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
	return &credentialBench{h: s.Handler(), id: c.CredentialID, clock: clock}
}

// lookups measures GET path with want as its status, each request from a
// client address not seen before, so that the per-address limit never
// answers instead and every lookup is counted, as a first visit is. Each
// run starts a new window of the limit, as each minute does: the test
// clock stands still, and one window holding the addresses of every run
// would overflow the count kept in memory (100,000 addresses), past which
// each lookup writes its own count, a commit per request.
func (cb *credentialBench) lookups(b *testing.B, path string, want int) {
	b.Helper()
	cb.clock.Advance(credentials.VerifyLimit.Window)
	h := cb.h
	newReq := func() *http.Request {
		n := cb.next.Add(1)
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
	cb := newCredentialBench(b)
	unknown, err := portal.NewCredentialID()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("known", func(b *testing.B) { cb.lookups(b, "/credentials/"+string(cb.id), http.StatusOK) })
	b.Run("unknown", func(b *testing.B) { cb.lookups(b, "/credentials/"+string(unknown), http.StatusNotFound) })
}

// BenchmarkCredentialBadge is the PNG badge of a known credential and of
// an unknown ID, whose stand-in badge is drawn and thrown away.
func BenchmarkCredentialBadge(b *testing.B) {
	cb := newCredentialBench(b)
	unknown, err := portal.NewCredentialID()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("known", func(b *testing.B) { cb.lookups(b, "/credentials/"+string(cb.id)+"/badge.png", http.StatusOK) })
	b.Run("unknown", func(b *testing.B) { cb.lookups(b, "/credentials/"+string(unknown)+"/badge.png", http.StatusNotFound) })
}
