package candidate

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/exams"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/ops"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/web"
)

// These benchmarks serve requests in-process through the whole middleware
// chain (s.Handler()) into an httptest.ResponseRecorder. BenchmarkBareHandler
// is the ceiling they are compared with: a bare http.HandlerFunc writing a
// fixed 4,096-byte HTML page, like the baseline's "http GET /". State the
// results as ratios against it from the same run (docs/benchmarks.md).
//
//	go test -run '^$' -bench . -benchmem -count 5 ./internal/web/

// benchExams is a small demonstration catalog, like the one --demo loads.
func benchExams() []portal.Exam {
	d := func(name string, w int) portal.ExamDomain { return portal.ExamDomain{Name: name, WeightPercent: w} }
	exam := func(code, name, level string, minutes int, price int64, desc string) portal.Exam {
		return portal.Exam{
			Code: code, Name: name, Description: desc, Level: level, Kind: portal.KindExam, DurationMinutes: minutes,
			Languages: "en,es,de,ja", Delivery: portal.DeliveryTestCenter + "," + portal.DeliveryOnline,
			PriceMinor: price, Currency: "USD", PassingScore: 720, RetakeWaitDays: 14, MaxReschedules: 2, ValidityMonths: 36,
			Active: true, Domains: []portal.ExamDomain{d("Design", 30), d("Implementation", 26), d("Operations", 24), d("Security", 20)},
		}
	}
	list := []portal.Exam{
		exam("CLP-F01", "Certified Cloud Practitioner", portal.LevelFoundational, 90, 10000, "Cloud concepts, security, technology and billing for any role."),
		exam("AIP-F01", "Certified AI Practitioner", portal.LevelFoundational, 90, 10000, "Fundamentals of machine learning and generative AI."),
		exam("ARC-A01", "Certified Solutions Architect, Associate", portal.LevelAssociate, 130, 15000, "Design secure, resilient and cost-optimised architectures."),
		exam("DEV-A01", "Certified Developer, Associate", portal.LevelAssociate, 130, 15000, "Develop, deploy and debug cloud applications."),
		exam("OPS-A01", "Certified SysOps Administrator, Associate", portal.LevelAssociate, 180, 15000, "Deploy, manage and operate workloads."),
		exam("ARC-P01", "Certified Solutions Architect, Professional", portal.LevelProfessional, 180, 30000, "Design complex solutions for organisations."),
		exam("DOP-P01", "Certified DevOps Engineer, Professional", portal.LevelProfessional, 180, 30000, "Provision, operate and manage distributed systems."),
		exam("SEC-S01", "Certified Security, Specialty", portal.LevelSpecialty, 170, 30000, "Secure workloads and data."),
		exam("NET-S01", "Certified Advanced Networking, Specialty", portal.LevelSpecialty, 170, 30000, "Design and maintain network architectures."),
	}
	mc := exam("MC-SLS01", "Serverless Applications Microcredential", portal.LevelAssociate, 120, 7500, "Build and troubleshoot a serverless application.")
	mc.Kind, mc.Delivery, mc.RetakeWaitDays, mc.ValidityMonths = portal.KindMicrocredential, portal.DeliveryOnline, 25, 12
	return append(list, mc)
}

// newBenchServer wires a Server the way the application does, on a fresh
// SQLite store, with a JSON logger writing to io.Discard (the access log is
// formatted, as in production, but not stored) and the request metrics on.
// The job runner is built but not started. With catalog set it loads
// benchExams.
func newBenchServer(b *testing.B, catalog bool) http.Handler {
	b.Helper()
	h, _ := newBenchApp(b, catalog)
	return h
}

// newBenchApp is newBenchServer that also returns the accounts service, to
// create and sign in users. The hasher is the production one
// (DefaultHashParams, 2 at a time), as in internal/app.
func newBenchApp(b *testing.B, catalog bool) (http.Handler, *accounts.Service) {
	b.Helper()
	clock := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	st := testutil.MustOpenStore(b, "sqlite", clock) // web never names the store package
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	runner, err := jobs.New(st, jobs.Config{Logger: log, Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = runner.Stop(context.Background()) })
	cat, err := i18n.New()
	if err != nil {
		b.Fatal(err)
	}
	acc := accounts.New(st, clock, log, accounts.NewHasher(accounts.DefaultHashParams, 2), accounts.Config{
		BaseURL: "http://127.0.0.1:8080", ProgramName: "Certportal", SessionIdle: time.Hour, SessionLifetime: 12 * time.Hour,
	})
	ex := exams.New(st, clock, log)
	if catalog {
		for _, e := range benchExams() {
			if _, err := ex.CreateExam(context.Background(), portal.SystemActor("bench"), e); err != nil {
				b.Fatalf("create exam %s: %v", e.Code, err)
			}
		}
	}
	cal := calendar.NewService(st)
	sched := booking.New(st, clock, log, &payments.Providers{Test: &payments.TestMode{}}, booking.Config{})
	res := results.New(st, clock, log, results.Config{Calendar: func(ctx context.Context) (results.Calendar, error) {
		return cal.Calendar(ctx)
	}})
	creds := credentials.New(st, clock, log, credentials.Config{BaseURL: "http://127.0.0.1:8080",
		SecretKey: []byte("0123456789abcdef0123456789abcdef"), ProgramName: "Certportal"})
	s, err := web.New(web.Config{BaseURL: "http://127.0.0.1:8080", ProgramName: "Certportal", MetricsOnMain: true}, web.Deps{
		Log: log, Clock: clock, Catalog: cat, Accounts: acc, Exams: ex, Ops: ops.New(st, runner), Calendar: cal,
		Booking: sched, Results: res, Credentials: creds,
		Ready: func(ctx context.Context) error { return st.Ping(ctx) }, Registry: prometheus.NewRegistry(),
	}, Section())
	if err != nil {
		b.Fatal(err)
	}
	return s.Handler(), acc
}

// benchGET measures GET target on h, serially and under b.RunParallel. It
// first checks the response once: status 200 and a body containing want.
// Besides ns/op and allocs/op it reports req/s (all goroutines together)
// and resp-B, the size of the response body.
func benchGET(b *testing.B, h http.Handler, target, want string) {
	b.Helper()
	benchRequest(b, h, func() *http.Request { return httptest.NewRequest(http.MethodGet, target, nil) }, want)
}

// benchRequest is benchGET for requests made by newReq (for example with a
// session cookie). Each goroutine makes one request and serves it b.N times.
func benchRequest(b *testing.B, h http.Handler, newReq func() *http.Request, want string) {
	b.Helper()
	w := httptest.NewRecorder()
	first := newReq()
	target := first.URL.Path
	h.ServeHTTP(w, first)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), want) {
		b.Fatalf("GET %s: status %d, body %.200q; want 200 and %q", target, w.Code, w.Body.String(), want)
	}
	size := float64(w.Body.Len())

	report := func(b *testing.B) {
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		b.ReportMetric(size, "resp-B")
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		r := newReq()
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), r)
		}
		report(b)
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			r := newReq()
			for pb.Next() {
				h.ServeHTTP(httptest.NewRecorder(), r)
			}
		})
		report(b)
	})
}

// BenchmarkBareHandler is the in-run ceiling: a bare handler writing a fixed
// 4,096-byte HTML page.
func BenchmarkBareHandler(b *testing.B) {
	benchGET(b, testutil.BareHandler(), "/", "<h1>Upcoming exam dates</h1>")
}

// BenchmarkHealthz is GET /healthz through the whole middleware chain.
func BenchmarkHealthz(b *testing.B) {
	benchGET(b, newBenchServer(b, false), "/healthz", "ok")
}

// BenchmarkHomePage is the landing page rendered for an anonymous visitor.
func BenchmarkHomePage(b *testing.B) {
	benchGET(b, newBenchServer(b, false), "/", "<html")
}

// BenchmarkExamList is the public catalog with ten active exams: one
// SQLite query and a rendered page per request.
func BenchmarkExamList(b *testing.B) {
	benchGET(b, newBenchServer(b, true), "/exams", "MC-SLS01")
}

// benchSignedIn serves the site (with the demonstration catalog) to a
// signed-in, verified candidate without MFA, and returns the handler, a
// function making a GET of a path with the candidate's session cookie, and
// the candidate's login ID. The user is created and signed in once, before
// timing; no password is hashed while timing.
func benchSignedIn(b *testing.B) (http.Handler, func(path string) *http.Request, string) {
	b.Helper()
	h, acc := newBenchApp(b, true)
	ctx := context.Background()
	const (
		email    = "dashboard.bench@bench.certportal.localhost"
		password = "Harbour-Lantern-Quartz-92"
	)
	u, err := acc.CreateUser(ctx, portal.SystemActor("bench"), accounts.UserCreate{
		Email: email, FirstName: "Robin", LastName: "Okafor", Role: portal.RoleCandidate, Language: "en", Password: password, Verified: true,
	})
	if err != nil {
		b.Fatalf("create user: %v", err)
	}
	res, err := acc.SignIn(ctx, accounts.RequestMeta{IP: "127.0.0.1", UserAgent: "bench", RequestID: "bench"}, accounts.SignInRequest{Email: email, Password: password})
	if err != nil {
		b.Fatalf("sign in: %v", err)
	}
	if res.MFARequired || res.Token == "" {
		b.Fatalf("sign in: MFA required %v, token %q; want a full session", res.MFARequired, res.Token)
	}
	return h, func(path string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.AddCookie(&http.Cookie{Name: "certportal_session", Value: res.Token})
		return r
	}, u.LoginID
}

// BenchmarkDashboard is GET /dashboard for a signed-in, verified candidate
// without MFA (so the page shows the MFA prompt): the session lookup (one
// SQLite query for the session and its user; the last-seen write happens
// at most once a minute and the bench clock stands still), the MFA status
// query, the upcoming bookings, the certification summary and the rendered
// page.
func BenchmarkDashboard(b *testing.B) {
	h, get, loginID := benchSignedIn(b)
	benchRequest(b, h, func() *http.Request { return get("/dashboard") }, loginID)
}

// BenchmarkCertificationsPage is GET /certifications for the signed-in
// candidate of BenchmarkDashboard, who holds none yet.
func BenchmarkCertificationsPage(b *testing.B) {
	h, get, _ := benchSignedIn(b)
	benchRequest(b, h, func() *http.Request { return get("/certifications") }, "<h1")
}

// BenchmarkHistoryPage is GET /history (Exam history) for the signed-in
// candidate of BenchmarkDashboard, who has taken no exam yet.
func BenchmarkHistoryPage(b *testing.B) {
	h, get, _ := benchSignedIn(b)
	benchRequest(b, h, func() *http.Request { return get("/history") }, "<h1")
}
