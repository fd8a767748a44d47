// Package web is the page kit of certportal's server-rendered site: the
// server and its middleware, sessions, the access guard, the route type and
// the assembled route table, rendering and templates (the layout and the
// partials), forms and fields, notices, the error pages, static files,
// health, the language switch and metrics. The page packages,
// web/candidate and web/console, hand it their sections (routes, page
// templates, notices), and the app hands the sections to New. Handlers are
// thin: they parse input, call a service with the acting user, and render a
// typed page or redirect. Rules live in the services.
package web

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
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

// Server is the page kit: the site's middleware, sessions, access guard,
// rendering, forms, notices and error pages. The page packages (candidate,
// console) hold it and write their handlers with it; their routes, page
// templates and notices reach it as Sections. The services of Deps are
// promoted: a handler calls s.Accounts, s.Booking and so on.
type Server struct {
	Deps
	cfg     Config
	tmpl    *templates
	static  *staticFiles
	metrics *httpMetrics
	secure  bool // served over TLS (BaseURL is https)
	// routes is the assembled route table: the kit's own routes and those
	// of every section, in order.
	routes []Route
	// access is the route table's access by pattern (allows).
	access map[string]Access
	// notices maps every notice of every section to its catalog message.
	notices map[Notice]string
	// navs is each section's navigation.
	navs []sectionNav
	// What pages say, kept per language (views.go).
	localizers sync.Map // language → *i18n.Localizer
	texts      textMemo
	layoutText LangCache[layoutText]
}

// Secure reports whether the site is served over TLS (its base URL is
// https), for the cookies pages set.
func (s *Server) Secure() bool { return s.secure }

// Config returns the configuration the server was built with.
func (s *Server) Config() Config { return s.cfg }

// New builds the server from the sections of the site (the candidate
// pages, the console), parses the templates of the kit and of every
// section into one set and assembles the route table. A template error
// stops start-up.
func New(cfg Config, d Deps, sections ...Section) (*Server, error) {
	static, err := newStaticFiles()
	if err != nil {
		return nil, err
	}
	s := &Server{
		Deps: d, cfg: cfg, static: static,
		secure: len(cfg.BaseURL) > 8 && cfg.BaseURL[:8] == "https://",
	}
	s.notices = map[Notice]string{}
	var pageFS []templateSource
	for _, sec := range sections {
		for n, id := range sec.Notices {
			if _, dup := s.notices[n]; dup {
				return nil, fmt.Errorf("web: notice %q declared twice", n)
			}
			s.notices[n] = id
		}
		if sec.Templates != nil {
			pageFS = append(pageFS, templateSource{fsys: sec.Templates, dir: sec.Source})
		}
	}
	if s.tmpl, err = parseTemplates(s.funcs(), cfg.Dev, pageFS); err != nil {
		return nil, err
	}
	if d.Registry != nil {
		s.metrics = newHTTPMetrics(d.Registry)
	}
	s.routes = s.kitRoutes()
	for _, sec := range sections {
		if sec.Routes != nil {
			s.routes = append(s.routes, sec.Routes(s)...)
		}
	}
	s.routes = append(s.routes, s.lastRoutes()...)
	s.access = map[string]Access{}
	for _, rt := range s.routes {
		s.access[rt.Pattern] = rt.Access
	}
	for _, sec := range sections {
		if sec.Nav == nil {
			continue
		}
		n := sectionNav{prefix: sec.Prefix, links: sec.Nav(s)}
		for _, l := range n.links {
			if _, ok := s.access["GET "+l.Href]; !ok {
				return nil, fmt.Errorf("web: navigation links %s, which is no GET route", l.Href)
			}
		}
		s.navs = append(s.navs, n)
	}
	return s, nil
}

// Section is one part of the site that a page package hands the kit: its
// routes, its page templates and the notices its redirects name.
type Section struct {
	// Routes returns the section's routes, its handlers bound to the kit.
	Routes func(*Server) []Route
	// Templates holds the section's page templates, templates/*.html (a
	// page's name is its file's name, unique across the site).
	Templates fs.FS
	// Source is the section's source directory (SourceDir), where
	// development mode reads the templates again on every request; empty
	// when unknown.
	Source string
	// Notices maps each notice the section redirects with to its catalog
	// message.
	Notices map[Notice]string
	// Prefix is the path the section's pages lie under ("/console"); a
	// page shows the navigation of the section with the longest prefix of
	// its path. Empty: every page no other section claims.
	Prefix string
	// Nav returns the section's navigation, in order.
	Nav func(*Server) []NavLink
}

// NavLink is one link of a section's navigation. It is shown to those who
// may open its page: GET Href must be a route, and its access decides.
type NavLink struct {
	Href  string
	Label string // catalog message ID
	// Count, when set, counts what waits on the page for the viewer;
	// above zero the link reads CountLabel (a message with a Count
	// plural) instead of Label.
	Count      func(*http.Request) (int, error)
	CountLabel string
}

// sectionNav is a section's navigation, by its prefix.
type sectionNav struct {
	prefix string
	links  []NavLink
}
