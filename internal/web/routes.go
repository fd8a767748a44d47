package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Body limits. Forms are small; anything larger is refused with 413 before
// it is read.
const (
	formBodyLimit = 64 << 10
)

// Handler returns the whole HTML interface with its middleware. Every route
// is registered here, on one of three muxes by who may use it: public,
// signed-in users, and the console (staff and admins).
func (s *Server) Handler() http.Handler {
	public := http.NewServeMux()
	s.route(public, "GET /healthz", s.handleHealthz)
	s.route(public, "GET /readyz", s.handleReadyz)
	if s.cfg.MetricsOnMain && s.reg != nil {
		public.Handle("GET /metrics", s.pattern(promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})))
	}
	public.Handle("GET /static/", s.pattern(s.static))
	s.route(public, "GET /{$}", s.handleHome)
	s.route(public, "GET /help", s.handleHelp)
	s.route(public, "GET /exams", s.handleExamList)
	s.route(public, "GET /signin", s.handleSignInForm)
	s.route(public, "POST /signin", s.handleSignIn)
	s.route(public, "GET /setup/{token}", s.handleSetupForm)
	s.route(public, "POST /setup/{token}", s.handleSetup)
	s.route(public, "POST /language", s.handleLanguage)

	private := http.NewServeMux()
	s.route(private, "GET /dashboard", s.handleDashboard)
	s.route(private, "POST /signout", s.handleSignOut)
	for _, p := range []string{"/dashboard", "/signout"} {
		public.Handle(p, s.requireUser(private))
	}

	console := http.NewServeMux()
	s.route(console, "GET /console", s.handleConsoleHome)
	s.route(console, "GET /console/audit", s.handleConsoleAudit)
	s.route(console, "GET /console/mail", s.handleConsoleMail)
	s.route(console, "GET /console/mail/{id}", s.handleConsoleMailShow)
	s.route(console, "POST /console/mail/test", s.handleConsoleMailTest)
	s.route(console, "GET /console/jobs", s.handleConsoleJobs)
	public.Handle("/console", s.requireStaff(console))
	public.Handle("/console/", s.requireStaff(console))

	public.Handle("/", s.pattern(s.handle(s.handleNotFound)))

	return s.observe(s.securityHeaders(s.crossOrigin(s.loadSession(public))))
}

// route registers an error-returning handler with the default body limit.
func (s *Server) route(mux *http.ServeMux, pattern string, h func(http.ResponseWriter, *http.Request) error) {
	mux.Handle(pattern, s.pattern(s.limitBody(formBodyLimit, s.handle(h))))
}

// pattern records the matched route for logs and metrics.
func (s *Server) pattern(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info(r).Pattern = r.Pattern
		next.ServeHTTP(w, r)
	})
}

func (s *Server) limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}

// handle adapts a handler that returns an error; the error goes to the one
// mapper, serveError.
func (s *Server) handle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.serveError(w, r, err)
		}
	})
}
