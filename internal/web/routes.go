package web

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"example.org/certportal/internal/portal"
)

// Body limits. Forms are small; anything larger is refused with 413 before
// it is read.
const (
	formBodyLimit = 64 << 10
)

// Handler returns the whole HTML interface with its middleware, built from
// the assembled route table.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		h := rt.Raw
		if h == nil {
			limit := rt.Limit
			if limit == 0 {
				limit = formBodyLimit
			}
			h = s.limitBody(limit, s.handle(rt.Handle))
		}
		mux.Handle(rt.Pattern, s.pattern(s.guard(rt.Access, h)))
	}
	return s.middleware(nil, mux)
}

// Wrap puts the site's middleware in front of another surface that the
// app serves beside the site (the JSON API): request IDs and logs, security
// headers, cross-origin protection and the session, with the middleware's
// own refusals answered by errs in that surface's format.
func (s *Server) Wrap(h http.Handler, errs ErrorWriter) http.Handler {
	return s.middleware(errs, s.pattern(h))
}

// middleware is the chain every request passes, outermost first.
func (s *Server) middleware(errs ErrorWriter, next http.Handler) http.Handler {
	inner := s.securityHeaders(s.crossOrigin(s.loadSession(next)))
	if errs != nil {
		inner = s.answerErrorsWith(errs, inner)
	}
	return s.observe(inner)
}

// answerErrorsWith makes errs the error mapper of the request.
func (s *Server) answerErrorsWith(errs ErrorWriter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info(r).errors = errs
		next.ServeHTTP(w, r)
	})
}

// Route is one route of the HTML interface, a row of the route table:
// who may reach it, its pattern, and its handler: Handle, which returns an
// error to the one error mapper, read under a body limit (Limit; 0 is the
// limit of a form), or Raw, a handler served as it is. Exactly one of
// Handle and Raw is set.
type Route struct {
	Access  Access
	Pattern string
	Limit   int64
	Handle  func(http.ResponseWriter, *http.Request) error
	Raw     http.Handler
}

// kitRoutes are the kit's own routes: health, static files, the logo, the
// language switch. Deny by default: each route of a section names the
// access it needs, and the access tests walk the assembled table.
func (s *Server) kitRoutes() []Route {
	rs := []Route{
		{Access: Anyone, Pattern: "GET /healthz", Handle: s.handleHealthz},
		{Access: Anyone, Pattern: "GET /readyz", Handle: s.handleReadyz},
		{Access: Anyone, Pattern: "GET /static/", Raw: s.static},
		{Access: Anyone, Pattern: "GET /favicon.ico", Raw: http.HandlerFunc(s.static.serveFavicon)},
		{Access: Anyone, Pattern: "GET /logo.png", Handle: s.handleLogo},
		{Access: Anyone, Pattern: "POST /language", Handle: s.handleLanguage},
	}
	return rs
}

// lastRoutes are the routes that follow the sections': the page for every
// unmatched path, and the metrics when the main listener serves them.
func (s *Server) lastRoutes() []Route {
	rs := []Route{{Access: Anyone, Pattern: "/", Handle: s.handleNotFound}}
	if s.cfg.MetricsOnMain && s.Registry != nil {
		rs = append(rs, Route{Access: Anyone, Pattern: "GET /metrics", Raw: s.loopbackOnly(promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))})
	}
	return rs
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

// PathID reads the {id} wildcard of the request's path, a positive
// number; anything else is not found.
func PathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, portal.ErrNotFound
	}
	return id, nil
}
