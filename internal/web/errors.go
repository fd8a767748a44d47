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

// errTooLarge is returned when a form exceeds its body limit.
var errTooLarge = &portal.Error{Code: portal.EInvalid, Message: "error.too_large"}

// apiErrorWriter is the JSON API's own error mapper: a refusal of this
// server's middleware on an API path is answered in the API's JSON error
// envelope, not as a page.
type apiErrorWriter interface {
	WriteError(w http.ResponseWriter, r *http.Request, err error)
}

// apiPrefix is where the app mounts the JSON API (Deps.API).
const apiPrefix = "/api/v1/"

func isAPIPath(p string) bool {
	return strings.HasPrefix(p, apiPrefix) || p == strings.TrimSuffix(apiPrefix, "/")
}

// errorPage is the page for every error.
type errorPage struct {
	BasePage
	Status  int
	Heading string
	Message string
}

// serveError is the one error mapper. It picks the status from the error's
// code, logs internal errors in full with the request ID, and renders a page
// that never shows internal detail.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, err error) {
	if ew, ok := s.api.(apiErrorWriter); ok && isAPIPath(r.URL.Path) {
		ew.WriteError(w, r, err)
		return
	}
	var pe *portal.Error
	code := portal.ErrorCode(err)
	status := http.StatusInternalServerError
	message := "error.internal"
	if errors.As(err, &pe) && pe.Message != "" {
		message = pe.Message
	}
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr) || errors.Is(err, errTooLarge):
		status, message = http.StatusRequestEntityTooLarge, "error.too_large"
	case errors.Is(err, errBadRequest):
		status, message = http.StatusBadRequest, "error.bad_request"
	case code == portal.EInvalid:
		status = http.StatusUnprocessableEntity
		if message == "error.internal" {
			message = "error.form_invalid"
		}
	case code == portal.ENotFound:
		status = http.StatusNotFound
		if message == "error.internal" {
			message = "error.not_found"
		}
	case code == portal.EUnauthorized:
		if r.Method == http.MethodGet && pe != nil && pe.Message == "" {
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		status = http.StatusUnauthorized
		if message == "error.internal" {
			message = "error.unauthorized"
		}
	case code == portal.EForbidden:
		status = http.StatusForbidden
		if message == "error.internal" {
			message = "error.forbidden"
		}
	case code == portal.EConflict:
		status = http.StatusConflict
		if message == "error.internal" {
			message = "error.conflict"
		}
	case code == portal.ERateLimited:
		status = http.StatusTooManyRequests
		message = "error.rate_limited"
		retry := 60
		if pe != nil {
			if n, ok := pe.Data["RetryAfter"].(int); ok {
				retry = n
			}
		}
		w.Header().Set("Retry-After", strconv.Itoa(retry))
	case code == portal.EUnavailable:
		status = http.StatusServiceUnavailable
		if message == "error.internal" {
			message = "error.unavailable"
		}
		w.Header().Set("Retry-After", "30")
		s.log.WarnContext(r.Context(), "dependency unavailable", "route", info(r).Pattern, "err", err.Error())
	default:
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "route", info(r).Pattern, "err", err.Error())
		message = "error.internal"
	}
	if code == portal.ENotFound || code == portal.EForbidden {
		s.log.InfoContext(r.Context(), "request refused", "status", status, "route", info(r).Pattern)
	}
	p := &errorPage{Status: status}
	s.fillBase(r, &p.BasePage, "error.title."+statusKey(status))
	p.Heading = p.T.T("error.title."+statusKey(status), nil)
	p.Message = p.T.T(message, nil)
	if pe != nil && pe.Message == message {
		p.Message = localize(p.T, pe.Message, pe.Data)
	}
	if rerr := s.render(w, r, status, "error", p); rerr != nil {
		s.log.ErrorContext(r.Context(), "render error page", "err", rerr.Error())
		http.Error(w, http.StatusText(status)+" (request "+info(r).ID+")", status)
	}
}

func statusKey(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not_found"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		return "invalid"
	case http.StatusConflict:
		return "conflict"
	case http.StatusTooManyRequests:
		return "rate_limited"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusMethodNotAllowed:
		return "method"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	return "internal"
}

// handleNotFound answers every unmatched path.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) error {
	return portal.ErrNotFound
}

// localPath returns next when it is a path on this site, else fallback; it
// keeps redirects after sign-in from leaving the portal. The answer is the
// cleaned path (dot-segments resolved the way http.Redirect and browsers
// resolve them) with its query. Backslashes, control characters and their
// percent-encoded forms are refused anywhere, because browsers read a
// backslash as a slash and drop tabs and line breaks, which turns
// "/\evil.example" or "/\t/evil.example" into another host.
func localPath(next, fallback string) string {
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

// errBadRequest is a request body that cannot be decoded as a form.
var errBadRequest = &portal.Error{Code: portal.EInvalid, Message: "error.bad_request"}

// parseForm parses a form body; a body that is not a form (bad escapes,
// invalid encoding) is a 400 with a message rather than an internal error,
// and one over the route's limit stays a 413.
func parseForm(r *http.Request) error {
	err := r.ParseForm()
	if err == nil {
		return nil
	}
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return err
	}
	return errBadRequest
}

// localize renders a catalog message, showing times in its data as dates
// (i18n.Localizer.Message).
func localize(t *i18n.Localizer, id string, data map[string]any) string {
	return t.Message(id, data)
}
