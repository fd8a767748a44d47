package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/api"
	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// surfaceErrors are errors of every kind in the table (portal.ErrorKinds),
// as the services and the surfaces return them.
func surfaceErrors() map[string]error {
	errs := map[string]error{
		"form too large":        ErrTooLarge,
		"form not decodable":    ErrBadRequest,
		"body over its limit":   fmt.Errorf("read body: %w", &http.MaxBytesError{Limit: 1}),
		"method not allowed":    portal.Refuse(portal.ErrMethodNotAllowed, "api.method_not_allowed"),
		"unsupported media":     portal.Refuse(portal.ErrUnsupportedMedia, "api.unsupported_media_type"),
		"validation":            func() error { var v portal.Validation; v.Add("email", "field.required", nil); return v.Err() }(),
		"key of the service":    portal.Errorf(portal.EInvalid, "idempotency.key_invalid", nil),
		"wrapped not found":     fmt.Errorf("load booking: %w", portal.ErrNotFound),
		"signed out":            portal.ErrUnauthorized,
		"re-authentication":     accounts.ErrReauthRequired,
		"second factor needed":  accounts.ErrMFAProofRequired,
		"mfa locked":            accounts.ErrMFALocked,
		"password hasher busy":  accounts.ErrBusy,
		"already booked":        portal.Errorf(portal.EConflict, booking.MsgAlreadyBooked, nil),
		"payment provider down": fmt.Errorf("stripe: %w", portal.ErrUnavailable),
		"internal":              errors.New("disk full"),
	}
	for _, k := range portal.ErrorKinds() {
		switch pe := k.Kind.(type) {
		case nil:
		case *portal.Error:
			errs["sentinel "+k.Title+" "+pe.Code] = pe
		default:
			errs["kind "+k.Kind.Error()] = portal.Refuse(k.Kind, k.Message)
		}
	}
	return errs
}

// TestWebAndAPIMapErrorsAlike: the HTML interface and the JSON API answer
// every kind of error with the same status, the one of portal.HTTPStatus;
// the page's title and the JSON code are the kind's.
func TestWebAndAPIMapErrorsAlike(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	s, err := New(Config{BaseURL: "http://portal.test"}, Deps{
		Log: log, Clock: testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)), Catalog: cat,
	})
	apiH := api.New(api.Deps{Log: log, Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	en := cat.Localizer("en")
	for name, e := range surfaceErrors() {
		t.Run(name, func(t *testing.T) {
			kind := portal.KindOf(e)
			want := portal.HTTPStatus(e)

			page := httptest.NewRecorder()
			s.serveError(page, httptest.NewRequest(http.MethodPost, "/bookings/B1", nil), e)
			if page.Code != want {
				t.Errorf("web status = %d, want %d", page.Code, want)
			}
			doc := testutil.ParseHTML(t, page.Body.String())
			if got, wantTitle := doc.TextOf(".narrow h1"), en.T("error.title."+kind.Title, nil); got != wantTitle {
				t.Errorf("web heading = %q, want %q", got, wantTitle)
			}

			// The same refusal from the middleware in front of the API.
			res := httptest.NewRecorder()
			refuse := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serveError(w, r, e) })
			s.Wrap(refuse, apiH).ServeHTTP(res, httptest.NewRequest(http.MethodPost, "/api/v1/bookings/B1", nil))
			if res.Code != want {
				t.Errorf("API status = %d, want %d", res.Code, want)
			}
			var body struct {
				Error struct{ Code string } `json:"error"`
			}
			if err := json.Unmarshal(res.Body.Bytes(), &body); err != nil {
				t.Fatalf("API body %q: %v", res.Body.String(), err)
			}
			if body.Error.Code != kind.Code {
				t.Errorf("API code = %q, want %q", body.Error.Code, kind.Code)
			}
			if page.Header().Get("Retry-After") != res.Header().Get("Retry-After") {
				t.Errorf("Retry-After: web %q, API %q", page.Header().Get("Retry-After"), res.Header().Get("Retry-After"))
			}
			switch kind.Code {
			case portal.EInvalid, portal.EUnauthorized, portal.ENotFound, portal.EConflict:
				if FormStatus(e) != want {
					t.Errorf("re-rendered form status = %d, want %d", FormStatus(e), want)
				}
			}
			if want < 500 && !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") {
				t.Errorf("web Content-Type = %q", page.Header().Get("Content-Type"))
			}
		})
	}
}
