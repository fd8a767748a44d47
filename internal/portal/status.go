package portal

import (
	"errors"
	"net/http"
)

// Kinds of refusal that a request meets before any service decides: it
// cannot be read, it is too large, or its method or media type is not
// served. They match by identity (errors.Is); Refuse pairs one with the
// *Error that carries the message.
var (
	ErrBadRequest       = errors.New("bad request")
	ErrTooLarge         = errors.New("request too large")
	ErrMethodNotAllowed = errors.New("method not allowed")
	ErrUnsupportedMedia = errors.New("unsupported media type")
)

// Sentinels of the codes that have none in error.go.
var (
	ErrRateLimited = &Error{Code: ERateLimited}
	ErrUnavailable = &Error{Code: EUnavailable}
	ErrGone        = &Error{Code: EGone}
)

// kindError is an invalid request of a request kind.
type kindError struct {
	kind error
	err  *Error
}

func (e *kindError) Error() string   { return e.kind.Error() + ": " + e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

// Refuse returns an invalid-request error of kind (ErrBadRequest,
// ErrTooLarge, ErrMethodNotAllowed, ErrUnsupportedMedia) with a catalog
// message.
func Refuse(kind error, message string) error {
	return &kindError{kind: kind, err: &Error{Code: EInvalid, Message: message}}
}

// ErrorKind is how both surfaces answer one kind of error: the HTTP
// status, the code of the JSON API's error body, the error page's title
// (catalog ID error.title.<Title>), the catalog message when the error
// names none, and for a retry later the Retry-After default in seconds.
type ErrorKind struct {
	Kind       error
	Status     int
	Code       string
	Title      string
	Message    string
	RetryAfter int
}

// errorKinds is the one error-to-status table, first match wins: the
// request kinds come before the code sentinels, which match every *Error
// of their code (accounts.ErrReauthRequired is a forbidden one).
var errorKinds = []ErrorKind{
	{Kind: ErrTooLarge, Status: http.StatusRequestEntityTooLarge, Code: EInvalid, Title: "too_large", Message: "error.too_large"},
	{Kind: ErrMethodNotAllowed, Status: http.StatusMethodNotAllowed, Code: EInvalid, Title: "method", Message: "error.method"},
	{Kind: ErrUnsupportedMedia, Status: http.StatusUnsupportedMediaType, Code: EInvalid, Title: "invalid", Message: "error.bad_request"},
	{Kind: ErrBadRequest, Status: http.StatusBadRequest, Code: EInvalid, Title: "invalid", Message: "error.bad_request"},
	{Kind: ErrInvalid, Status: http.StatusUnprocessableEntity, Code: EInvalid, Title: "invalid", Message: "error.form_invalid"},
	{Kind: ErrNotFound, Status: http.StatusNotFound, Code: ENotFound, Title: "not_found", Message: "error.not_found"},
	{Kind: ErrGone, Status: http.StatusGone, Code: EGone, Title: "gone", Message: "error.gone"},
	{Kind: ErrConflict, Status: http.StatusConflict, Code: EConflict, Title: "conflict", Message: "error.conflict"},
	{Kind: ErrUnauthorized, Status: http.StatusUnauthorized, Code: EUnauthorized, Title: "unauthorized", Message: "error.unauthorized"},
	{Kind: ErrForbidden, Status: http.StatusForbidden, Code: EForbidden, Title: "forbidden", Message: "error.forbidden"},
	{Kind: ErrRateLimited, Status: http.StatusTooManyRequests, Code: ERateLimited, Title: "rate_limited", Message: "error.rate_limited", RetryAfter: 60},
	{Kind: ErrUnavailable, Status: http.StatusServiceUnavailable, Code: EUnavailable, Title: "unavailable", Message: "error.unavailable", RetryAfter: 30},
}

// internalKind answers every other error, without detail.
var internalKind = ErrorKind{Status: http.StatusInternalServerError, Code: EInternal, Title: "internal", Message: "error.internal"}

// ErrorKinds returns the table's rows, the internal error last.
func ErrorKinds() []ErrorKind {
	return append(append([]ErrorKind(nil), errorKinds...), internalKind)
}

// KindOf returns the row of the table that answers err. A body over its
// limit (*http.MaxBytesError) is too large; an error of no known kind
// (nil included) is internal.
func KindOf(err error) ErrorKind {
	if err == nil {
		return internalKind
	}
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return errorKinds[0]
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.Kind) {
			return k
		}
	}
	return internalKind
}

// HTTPStatus is the HTTP status of err on the HTML interface and the
// JSON API alike.
func HTTPStatus(err error) int { return KindOf(err).Status }

// RetryAfter is the Retry-After of err in seconds: the RetryAfter the
// refusal carries (rate limits), else its kind's default; 0 when a retry
// later does not help.
func RetryAfter(err error) int {
	k := KindOf(err)
	if k.RetryAfter == 0 {
		return 0
	}
	var pe *Error
	if errors.As(err, &pe) {
		if n, ok := pe.Data["RetryAfter"].(int); ok && n > 0 {
			return n
		}
	}
	return k.RetryAfter
}
