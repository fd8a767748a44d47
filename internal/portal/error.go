package portal

import (
	"errors"
	"fmt"
)

// Error codes. They are stable: the JSON API returns them and templates
// choose pages by them.
const (
	EInvalid      = "invalid"
	ENotFound     = "not_found"
	EConflict     = "conflict"
	EUnauthorized = "unauthorized"
	EForbidden    = "forbidden"
	ERateLimited  = "rate_limited"
	EUnavailable  = "unavailable" // a dependency (payment provider) is down; retry later
	EGone         = "gone"        // it existed and is withdrawn for good (a revoked certificate)
	EInternal     = "internal"
)

// Error is an error a user may see. Message is a translation-catalog message
// ID (see internal/i18n); Data fills its placeholders. Fields carries
// per-field problems for forms and the API.
type Error struct {
	Code    string
	Message string
	Data    map[string]any
	Fields  []FieldError
}

// FieldError is one problem with one input field. Message is a catalog
// message ID, Data its placeholders.
type FieldError struct {
	Field   string
	Message string
	Data    map[string]any
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s (%d field errors, first %s: %s)", e.Code, e.Message, len(e.Fields), e.Fields[0].Field, e.Fields[0].Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Is makes errors.Is(err, ErrNotFound) true for every *Error with the same
// code, so callers test categories rather than identities.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
}

// Sentinels for errors.Is. Their Message is empty so they match any *Error of
// their code.
var (
	ErrNotFound     = &Error{Code: ENotFound}
	ErrConflict     = &Error{Code: EConflict}
	ErrInvalid      = &Error{Code: EInvalid}
	ErrUnauthorized = &Error{Code: EUnauthorized}
	ErrForbidden    = &Error{Code: EForbidden}
)

// Errorf returns an *Error with a code and a catalog message ID.
func Errorf(code, message string, data map[string]any) *Error {
	return &Error{Code: code, Message: message, Data: data}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// Validation collects field errors and turns them into one *Error.
type Validation struct {
	Fields []FieldError
}

// Add records a problem with a field.
func (v *Validation) Add(field, message string, data map[string]any) {
	v.Fields = append(v.Fields, FieldError{Field: field, Message: message, Data: data})
}

// Has reports whether field already has a problem.
func (v *Validation) Has(field string) bool {
	for _, f := range v.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns nil when nothing was added, else an invalid *Error.
func (v *Validation) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Message: "error.form_invalid", Fields: v.Fields}
}
