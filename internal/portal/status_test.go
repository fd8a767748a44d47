package portal_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"example.org/certportal/internal/portal"
)

// TestErrorKinds pins the one error-to-status table: every kind of error
// gets its status, JSON code, page title and Retry-After, wrapped or not.
func TestErrorKinds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		err        error
		status     int
		code       string
		title      string
		retryAfter int
	}{
		{"body too large", &http.MaxBytesError{Limit: 10}, 413, portal.EInvalid, "too_large", 0},
		{"wrapped body too large", fmt.Errorf("read form: %w", &http.MaxBytesError{Limit: 10}), 413, portal.EInvalid, "too_large", 0},
		{"too large", portal.Refuse(portal.ErrTooLarge, "error.too_large"), 413, portal.EInvalid, "too_large", 0},
		{"method not allowed", portal.Refuse(portal.ErrMethodNotAllowed, "api.method_not_allowed"), 405, portal.EInvalid, "method", 0},
		{"unsupported media", portal.Refuse(portal.ErrUnsupportedMedia, "api.unsupported_media_type"), 415, portal.EInvalid, "invalid", 0},
		{"bad request", portal.Refuse(portal.ErrBadRequest, "api.malformed_json"), 400, portal.EInvalid, "invalid", 0},
		{"wrapped bad request", fmt.Errorf("decode: %w", portal.Refuse(portal.ErrBadRequest, "idempotency.key_invalid")), 400, portal.EInvalid, "invalid", 0},
		{"invalid", portal.ErrInvalid, 422, portal.EInvalid, "invalid", 0},
		{"invalid with the message of a bad request", portal.Errorf(portal.EInvalid, "idempotency.key_invalid", nil), 422, portal.EInvalid, "invalid", 0},
		{"validation", func() error { var v portal.Validation; v.Add("email", "field.required", nil); return v.Err() }(), 422, portal.EInvalid, "invalid", 0},
		{"not found", portal.ErrNotFound, 404, portal.ENotFound, "not_found", 0},
		{"wrapped not found", fmt.Errorf("load booking: %w", portal.ErrNotFound), 404, portal.ENotFound, "not_found", 0},
		{"conflict", portal.Errorf(portal.EConflict, "schedule.slot_full", nil), 409, portal.EConflict, "conflict", 0},
		{"gone", portal.Errorf(portal.EGone, "certificate.refused.revoked", nil), 410, portal.EGone, "gone", 0},
		{"unauthorized", portal.ErrUnauthorized, 401, portal.EUnauthorized, "unauthorized", 0},
		{"forbidden", portal.ErrForbidden, 403, portal.EForbidden, "forbidden", 0},
		{"forbidden with a message", portal.Errorf(portal.EForbidden, "mfa.reauth_required", nil), 403, portal.EForbidden, "forbidden", 0},
		{"rate limited", portal.ErrRateLimited, 429, portal.ERateLimited, "rate_limited", 60},
		{"rate limited, retry given", portal.Errorf(portal.ERateLimited, "error.rate_limited", map[string]any{"RetryAfter": 7}), 429, portal.ERateLimited, "rate_limited", 7},
		{"unavailable", fmt.Errorf("stripe: %w", portal.ErrUnavailable), 503, portal.EUnavailable, "unavailable", 30},
		{"unknown code", portal.Errorf("teapot", "x", nil), 500, portal.EInternal, "internal", 0},
		{"plain error", errors.New("disk full"), 500, portal.EInternal, "internal", 0},
		{"nil", nil, 500, portal.EInternal, "internal", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := portal.KindOf(tc.err)
			if got := portal.HTTPStatus(tc.err); got != tc.status || k.Status != tc.status {
				t.Errorf("HTTPStatus = %d (kind %d), want %d", got, k.Status, tc.status)
			}
			if k.Code != tc.code {
				t.Errorf("code = %q, want %q", k.Code, tc.code)
			}
			if k.Title != tc.title {
				t.Errorf("title = %q, want %q", k.Title, tc.title)
			}
			if got := portal.RetryAfter(tc.err); got != tc.retryAfter {
				t.Errorf("RetryAfter = %d, want %d", got, tc.retryAfter)
			}
		})
	}
}

// TestEveryErrorKindIsReachable: each row of the table answers its own
// sentinel (no row hides behind an earlier one) and names a status, a
// code, a title and a message.
func TestEveryErrorKindIsReachable(t *testing.T) {
	t.Parallel()
	kinds := portal.ErrorKinds()
	seen := map[int]bool{}
	for i, k := range kinds {
		if k.Status == 0 || k.Code == "" || k.Title == "" || k.Message == "" {
			t.Errorf("row %d is incomplete: %+v", i, k)
		}
		if seen[k.Status] {
			t.Errorf("status %d has two rows", k.Status)
		}
		seen[k.Status] = true
		if k.Kind == nil {
			if i != len(kinds)-1 {
				t.Errorf("row %d has no kind and is not the last (internal) row", i)
			}
			continue
		}
		err := k.Kind
		var pe *portal.Error
		if !errors.As(err, &pe) {
			err = portal.Refuse(k.Kind, k.Message)
		}
		if got := portal.KindOf(err); got.Status != k.Status {
			t.Errorf("%v answers %d, want its row's %d", err, got.Status, k.Status)
		}
	}
}
