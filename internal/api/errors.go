package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"example.org/certportal/internal/centers"
	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
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

// Refusals of the API layer.
var (
	errSignInRequired   = &portal.Error{Code: portal.EUnauthorized, Message: "error.unauthorized"}
	errRouteUnknown     = &portal.Error{Code: portal.ENotFound, Message: "api.route_unknown"}
	errMethodNotAllowed = portal.Refuse(portal.ErrMethodNotAllowed, "api.method_not_allowed")
	errUnsupportedMedia = portal.Refuse(portal.ErrUnsupportedMedia, "api.unsupported_media_type")
	errMalformedJSON    = portal.Refuse(portal.ErrBadRequest, "api.malformed_json")
	errBodyIncomplete   = portal.Refuse(portal.ErrBadRequest, "api.body_incomplete")
	errTooLarge         = portal.Refuse(portal.ErrTooLarge, "error.too_large")
	errKeyRequired      = portal.Refuse(portal.ErrBadRequest, "idempotency.key_required")
	errKeyInvalid       = portal.Refuse(portal.ErrBadRequest, "idempotency.key_invalid")
)

// errPanic is a recovered panic: an internal error.
type errPanic struct{ v any }

func (e errPanic) Error() string { return fmt.Sprintf("panic: %v", e.v) }

// apiMessages word the API's answer to an error without a message of its
// own where the default of its kind (portal.ErrorKind.Message) speaks of
// pages.
var apiMessages = map[string]string{
	portal.ENotFound:  "api.not_found",
	portal.EForbidden: "api.forbidden",
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

// errorResponse maps err to its status and body in the request's language,
// both from the error's kind (portal.KindOf, the table the HTML interface
// uses too). Internal errors are logged in full and answered without
// detail.
func (s *server) errorResponse(r *http.Request, err error) (int, errorBody) {
	t := s.localizer(r)
	kind := portal.KindOf(err)
	if kind.Code == portal.EInternal {
		id := portal.RequestID(r.Context())
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "route", r.Pattern, "request_id", id, "err", fmt.Sprint(err))
		return kind.Status, errorBody{Error: errorDetail{Code: kind.Code, Message: s.text(t, kind.Message, nil),
			MessageID: kind.Message, RequestID: id}}
	}
	if kind.Code == portal.EUnavailable {
		s.log.WarnContext(r.Context(), "dependency unavailable", "route", r.Pattern, "err", err.Error())
	}
	pe := &portal.Error{Code: kind.Code}
	errors.As(err, &pe)
	id := pe.Message
	if id == "" {
		id = kind.Message
		if m, ok := apiMessages[kind.Code]; ok {
			id = m
		}
	}
	out := errorBody{Error: errorDetail{Code: kind.Code, Message: s.text(t, id, pe.Data), MessageID: id, Link: refusalLinks[id]}}
	for _, f := range pe.Fields {
		out.Error.Fields = append(out.Error.Fields, fieldError{Field: f.Field, Message: s.text(t, f.Message, f.Data), MessageID: f.Message})
	}
	var nf *centers.PlaceNotFound
	if errors.As(err, &nf) {
		out.Error.Suggestions = []placeView{}
		for _, p := range nf.Suggestions {
			out.Error.Suggestions = append(out.Error.Suggestions, newPlaceView(p))
		}
		out.Attribution = geo.PlacesNotice
	}
	return kind.Status, out
}

// fail writes err as the JSON error response, after reading what the
// client sent (drainBody) so that the answer reaches it.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	drainBody(r)
	status, body := s.errorResponse(r, err)
	if secs := portal.RetryAfter(err); secs > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(secs))
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
