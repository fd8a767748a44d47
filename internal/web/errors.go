package web

import (
	"errors"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
)

// ErrTooLarge is returned when a form exceeds its body limit.
var ErrTooLarge = portal.Refuse(portal.ErrTooLarge, "error.too_large")

// ErrorWriter is another surface's own error mapper (the JSON API's): a
// refusal of this server's middleware in front of that surface is answered
// in its format, not as a page.
type ErrorWriter interface {
	WriteError(w http.ResponseWriter, r *http.Request, err error)
}

// errorPage is the page for every error.
type errorPage struct {
	BasePage
	Status  int
	Heading string
	Message string
}

// serveError is the one error mapper. It takes the status, the page title
// and the default message from the error's kind (portal.KindOf, the table
// the JSON API uses too), logs internal errors in full with the request
// ID, and renders a page that never shows internal detail.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, err error) {
	if ew := info(r).errors; ew != nil {
		ew.WriteError(w, r, err)
		return
	}
	kind := portal.KindOf(err)
	status, message := kind.Status, kind.Message
	var pe *portal.Error
	if errors.As(err, &pe) && pe.Message != "" && status != http.StatusInternalServerError {
		message = pe.Message
	}
	switch kind.Code {
	case portal.EUnauthorized:
		if r.Method == http.MethodGet && pe != nil && pe.Message == "" {
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
	case portal.ERateLimited:
		// The page says "too many requests" whatever limit was hit.
		message = kind.Message
	case portal.EUnavailable:
		s.Log.WarnContext(r.Context(), "dependency unavailable", "route", info(r).Pattern, "err", err.Error())
	case portal.ENotFound, portal.EForbidden:
		s.Log.InfoContext(r.Context(), "request refused", "status", status, "route", info(r).Pattern)
	case portal.EInternal:
		s.Log.ErrorContext(r.Context(), "internal error", "method", r.Method, "route", info(r).Pattern, "err", errText(err))
	}
	if secs := portal.RetryAfter(err); secs > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	p := &errorPage{Status: status}
	s.FillBase(r, &p.BasePage, "error.title."+kind.Title)
	// An error page is none of the navigation's pages, not even the
	// section's home that its address falls under.
	p.Nav = s.nav(r, &p.BasePage)
	for i := range p.Nav {
		p.Nav[i].Current = false
	}
	p.Heading = p.T.T("error.title."+kind.Title, nil)
	p.Message = p.T.T(message, nil)
	if pe != nil && pe.Message == message {
		p.Message = Localize(p.T, pe.Message, pe.Data)
	}
	if rerr := s.Render(w, r, status, "error", p); rerr != nil {
		s.Log.ErrorContext(r.Context(), "render error page", "err", rerr.Error())
		http.Error(w, http.StatusText(status)+" (request "+info(r).ID+")", status)
	}
}

// errText is err's text for the log ("<nil>" for none).
func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// handleNotFound answers every unmatched path.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) error {
	return portal.ErrNotFound
}

// LocalPath returns next when it is a path on this site, else fallback; it
// keeps redirects after sign-in from leaving the portal. The answer is the
// cleaned path (dot-segments resolved the way http.Redirect and browsers
// resolve them) with its query. Backslashes, control characters and their
// percent-encoded forms are refused anywhere, because browsers read a
// backslash as a slash and drop tabs and line breaks, which turns
// "/\evil.example" or "/\t/evil.example" into another host.
func LocalPath(next, fallback string) string {
	if next == "" || next[0] != '/' || unsafeInPath(next) {
		return fallback
	}
	decoded, err := url.PathUnescape(next)
	if err != nil || unsafeInPath(decoded) {
		return fallback
	}
	if p, _, _ := strings.Cut(decoded, "?"); strings.Contains(p, "//") {
		// Empty segments, plain or encoded, serve no page and after
		// dot-segment removal can read as a host.
		return fallback
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return fallback
	}
	p, _, _ := strings.Cut(next, "#")
	p, query, _ := strings.Cut(p, "?")
	cleaned := path.Clean(p)
	if strings.HasSuffix(p, "/") && cleaned != "/" {
		cleaned += "/"
	}
	if !strings.HasPrefix(cleaned, "/") || strings.HasPrefix(cleaned, "//") {
		return fallback
	}
	if query != "" {
		cleaned += "?" + query
	}
	return cleaned
}

// unsafeInPath reports a backslash or a control character (including
// DEL and the C1 range) in s.
func unsafeInPath(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return r == '\\' || r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == utf8.RuneError
	})
}

// ErrBadRequest is a request body that cannot be decoded as a form.
var ErrBadRequest = portal.Refuse(portal.ErrBadRequest, "error.bad_request")

// ParseForm parses a form body; a body that is not a form (bad escapes,
// invalid encoding) is a 400 with a message rather than an internal error,
// and one over the route's limit stays a 413.
func ParseForm(r *http.Request) error {
	err := r.ParseForm()
	if err == nil {
		return nil
	}
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return err
	}
	return ErrBadRequest
}

// Localize renders a catalog message, showing times in its data as dates
// (i18n.Localizer.Message).
func Localize(t *i18n.Localizer, id string, data map[string]any) string {
	return t.Message(id, data)
}
