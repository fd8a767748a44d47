package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/scheduling"
)

// errorBody is every error response: {"error": {...}}. A search for an
// unknown place also carries the place data's attribution.
type errorBody struct {
	Error       errorDetail `json:"error"`
	Attribution string      `json:"attribution,omitempty"`
}

type errorDetail struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	MessageID string       `json:"message_id"`
	Fields    []fieldError `json:"fields,omitempty"`
	// Suggestions: places with similar names, for an unknown place.
	Suggestions []placeView `json:"suggestions,omitzero"`
	// Link is the API resource that resolves a refusal (the cart for an
	// exam already held there).
	Link string `json:"link,omitempty"`
	// RequestID names the log line of an internal error.
	RequestID string `json:"request_id,omitempty"`
}

type fieldError struct {
	Field     string `json:"field"`
	Message   string `json:"message"`
	MessageID string `json:"message_id"`
}

// statusError is a refusal of the API itself whose HTTP status is not the
// default of its code (400, 405, 413, 415).
type statusError struct {
	status int
	err    *portal.Error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

func withStatus(status int, code, message string) *statusError {
	return &statusError{status: status, err: &portal.Error{Code: code, Message: message}}
}

// Refusals of the API layer.
var (
	errSignInRequired   = &portal.Error{Code: portal.EUnauthorized, Message: "error.unauthorized"}
	errRouteUnknown     = &portal.Error{Code: portal.ENotFound, Message: "api.route_unknown"}
	errMethodNotAllowed = withStatus(http.StatusMethodNotAllowed, portal.EInvalid, "api.method_not_allowed")
	errUnsupportedMedia = withStatus(http.StatusUnsupportedMediaType, portal.EInvalid, "api.unsupported_media_type")
	errMalformedJSON    = withStatus(http.StatusBadRequest, portal.EInvalid, "api.malformed_json")
	errTooLarge         = withStatus(http.StatusRequestEntityTooLarge, portal.EInvalid, "error.too_large")
	errKeyRequired      = withStatus(http.StatusBadRequest, portal.EInvalid, "idempotency.key_required")
	errKeyInvalid       = withStatus(http.StatusBadRequest, portal.EInvalid, "idempotency.key_invalid")
)

// errPanic is a recovered panic: an internal error.
type errPanic struct{ v any }

func (e errPanic) Error() string { return fmt.Sprintf("panic: %v", e.v) }

// defaultMessages name the message of an *portal.Error without one.
var defaultMessages = map[string]string{
	portal.EInvalid:      "error.form_invalid",
	portal.ENotFound:     "api.not_found",
	portal.EConflict:     "error.conflict",
	portal.EUnauthorized: "error.unauthorized",
	portal.EForbidden:    "api.forbidden",
	portal.ERateLimited:  "error.rate_limited",
	portal.EUnavailable:  "error.unavailable",
}

// statusOf is the HTTP status of a service error.
func statusOf(pe *portal.Error) int {
	switch pe.Code {
	case portal.EInvalid:
		if pe.Message == "idempotency.key_invalid" {
			return http.StatusBadRequest
		}
		return http.StatusUnprocessableEntity
	case portal.ENotFound:
		return http.StatusNotFound
	case portal.EConflict:
		return http.StatusConflict
	case portal.EUnauthorized:
		return http.StatusUnauthorized
	case portal.EForbidden:
		return http.StatusForbidden
	case portal.ERateLimited:
		return http.StatusTooManyRequests
	case portal.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// storable reports whether a refusal is a final answer to the request,
// kept under its idempotency key: the same request would be refused the
// same way. A dependency that is down, a rate limit and internal errors
// are not: the key is released so that a retry runs again.
func storable(err error) bool {
	var pe *portal.Error
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case portal.EInvalid, portal.ENotFound, portal.EConflict, portal.EForbidden, portal.EUnauthorized:
		return true
	}
	return false
}

// errorResponse maps err to its status and body in the request's language.
// Internal errors are logged in full and answered without detail.
func (s *server) errorResponse(r *http.Request, err error) (int, errorBody) {
	t := s.localizer(r)
	var (
		status int
		pe     *portal.Error
		se     *statusError
		maxErr *http.MaxBytesError
	)
	switch {
	case errors.As(err, &maxErr):
		status, pe = errTooLarge.status, errTooLarge.err
	case errors.As(err, &se):
		status, pe = se.status, se.err
	case errors.As(err, &pe):
		status = statusOf(pe)
	default:
		status = http.StatusInternalServerError
	}
	if status == http.StatusInternalServerError {
		id := portal.RequestID(r.Context())
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "route", r.Pattern, "request_id", id, "err", err.Error())
		return status, errorBody{Error: errorDetail{Code: portal.EInternal, Message: s.text(t, "error.internal", nil),
			MessageID: "error.internal", RequestID: id}}
	}
	if status == http.StatusServiceUnavailable {
		s.log.WarnContext(r.Context(), "dependency unavailable", "route", r.Pattern, "err", err.Error())
	}
	id := pe.Message
	if id == "" {
		id = defaultMessages[pe.Code]
	}
	out := errorBody{Error: errorDetail{Code: pe.Code, Message: s.text(t, id, pe.Data), MessageID: id, Link: refusalLinks[id]}}
	for _, f := range pe.Fields {
		out.Error.Fields = append(out.Error.Fields, fieldError{Field: f.Field, Message: s.text(t, f.Message, f.Data), MessageID: f.Message})
	}
	var nf *scheduling.PlaceNotFound
	if errors.As(err, &nf) {
		out.Error.Suggestions = []placeView{}
		for _, p := range nf.Suggestions {
			out.Error.Suggestions = append(out.Error.Suggestions, newPlaceView(p))
		}
		out.Attribution = geo.PlacesNotice
	}
	return status, out
}

// fail writes err as the JSON error response, after reading what the
// client sent (drainBody) so that the answer reaches it.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	drainBody(r)
	status, body := s.errorResponse(r, err)
	switch status {
	case http.StatusTooManyRequests:
		retry := 60
		var pe *portal.Error
		if errors.As(err, &pe) {
			if n, ok := pe.Data["RetryAfter"].(int); ok && n > 0 {
				retry = n
			}
		}
		w.Header().Set("Retry-After", strconv.Itoa(retry))
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "30")
	}
	s.writeJSON(w, r, status, body)
}

// localizer is the translator for the request: the best match of its
// Accept-Language header, English by default.
func (s *server) localizer(r *http.Request) *i18n.Localizer {
	return s.catalog.Localizer(s.catalog.Match("", r.Header.Get("Accept-Language")))
}

// text renders a catalog message.
func (s *server) text(t *i18n.Localizer, id string, data map[string]any) string {
	return localize(t, id, data)
}

// localize renders a catalog message, showing times in its data as dates
// (i18n.Localizer.Message).
func localize(t *i18n.Localizer, id string, data map[string]any) string {
	return t.Message(id, data)
}

// WriteError answers err in the API's JSON error envelope. The HTML
// interface calls it for refusals of its own middleware (cross-origin
// requests, a session that cannot be loaded) on paths under Prefix.
func (s *server) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	s.fail(w, r, err)
}
