// Package web is certportal's server-rendered HTML interface: the candidate
// pages, the staff and admin console, health endpoints and static assets.
// Handlers are thin: they parse input, call a service with the acting user,
// and render a typed page or redirect. Rules live in the services.
package web

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/centers"
	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/exams"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/idempotency"
	"example.org/certportal/internal/ops"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/program"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/uploads"
)

// Config is what the web layer needs from the configuration.
type Config struct {
	BaseURL        string
	ProgramName    string
	Dev            bool // reparse templates on every request
	DevMailbox     bool // show the development mailbox in the console
	TrustedProxies []netip.Prefix
	MetricsOnMain  bool   // serve /metrics on this handler
	ExamRulesURL   string // the program's exam rules and privacy policy,
	PrivacyURL     string // linked where candidates agree to them
}

// Deps are the services and infrastructure the handlers call.
type Deps struct {
	Log      *slog.Logger
	Clock    portal.Clock
	Catalog  *i18n.Catalog
	Accounts *accounts.Service
	Exams    *exams.Service
	Ops      *ops.Service
	// Calendar is the program calendar: time zone, business days, holidays.
	Calendar *calendar.Service
	// Program holds the shared program settings: support contact, logo,
	// paper size. Nil leaves them empty (tests of single pages).
	Program *program.Service
	// Centers is the test-center catalogue: centers, slots, search.
	Centers *centers.Service
	// Booking sells seats: holds, cart, checkout, bookings, refunds.
	Booking *booking.Service
	// Idempotency runs a form's action once per key.
	Idempotency *idempotency.Service
	// Results is exam results and the certifications they earn.
	Results *results.Service
	// Credentials is the program's signing identity and status lists.
	// Nil answers its public documents with not found (tests of single
	// pages).
	Credentials *credentials.Service
	// Credits is continuing education; Uploads the file pipeline its
	// evidence goes through. Nil answers the continuing-education pages
	// with not found (tests of single pages).
	Credits  *credits.Service
	Uploads  *uploads.Service
	Ready    func(ctx context.Context) error
	Registry *prometheus.Registry
}

// Server serves the HTML interface.
type Server struct {
	cfg      Config
	log      *slog.Logger
	clock    portal.Clock
	catalog  *i18n.Catalog
	acc      *accounts.Service
	exams    *exams.Service
	ops      *ops.Service
	calendar *calendar.Service
	program  *program.Service
	centers  *centers.Service
	booking  *booking.Service
	idem     *idempotency.Service
	results  *results.Service
	creds    *credentials.Service
	credits  *credits.Service
	uploads  *uploads.Service
	ready    func(ctx context.Context) error
	tmpl     *templates
	static   *staticFiles
	metrics  *httpMetrics
	reg      *prometheus.Registry
	secure   bool // served over TLS (BaseURL is https)
	// access is the route table's access by pattern (allows).
	access map[string]access
	// What pages say, kept per language (views.go).
	localizers sync.Map // language → *i18n.Localizer
	texts      textMemo
	layoutText langCache[layoutText]
	pageTexts  pageTexts
}

// New parses the templates and returns the server. A template error stops
// start-up.
func New(cfg Config, d Deps) (*Server, error) {
	static, err := newStaticFiles()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, log: d.Log, clock: d.Clock, catalog: d.Catalog, acc: d.Accounts, exams: d.Exams,
		ops: d.Ops, calendar: d.Calendar, program: d.Program, centers: d.Centers, booking: d.Booking, idem: d.Idempotency, results: d.Results, creds: d.Credentials, credits: d.Credits, uploads: d.Uploads, ready: d.Ready, static: static, reg: d.Registry,
		secure: len(cfg.BaseURL) > 8 && cfg.BaseURL[:8] == "https://",
	}
	if s.tmpl, err = parseTemplates(s.funcs(), cfg.Dev); err != nil {
		return nil, err
	}
	if d.Registry != nil {
		s.metrics = newHTTPMetrics(d.Registry)
	}
	s.access = map[string]access{}
	for _, rt := range s.routes() {
		s.access[rt.pattern] = rt.access
	}
	return s, nil
}
