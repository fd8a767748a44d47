package apptest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// APIResponse is one answer of the JSON API with its body decoded.
type APIResponse struct {
	Status int
	Header http.Header
	Raw    string
	JSON   map[string]any
}

// ErrorField is a field of the answer's error envelope ("code",
// "message_id", "message"), empty when there is none.
func (r APIResponse) ErrorField(key string) string {
	e, _ := r.JSON["error"].(map[string]any)
	s, _ := e[key].(string)
	return s
}

// API sends a request to the API and decodes the JSON answer; payload,
// when not empty, is sent as JSON. Headers are pairs of name and value.
// An answer that is not a JSON object fails the test.
func (a *App) API(tb testing.TB, c *http.Client, method, path, payload string, headers ...string) APIResponse {
	tb.Helper()
	var rd io.Reader
	if payload != "" {
		rd = strings.NewReader(payload)
	}
	req, err := http.NewRequest(method, a.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if payload != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	out := APIResponse{Status: resp.StatusCode, Header: resp.Header, Raw: Body(tb, resp)}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Fatalf("%s %s: %d with Content-Type %q:\n%.500s", method, path, resp.StatusCode, ct, out.Raw)
	}
	if err := json.Unmarshal([]byte(out.Raw), &out.JSON); err != nil {
		tb.Fatalf("%s %s: body is not a JSON object: %v\n%.500s", method, path, err, out.Raw)
	}
	return out
}

// WantStatus fails the test unless r has status.
func WantStatus(tb testing.TB, r APIResponse, status int) {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("status %d, want %d:\n%.1000s", r.Status, status, r.Raw)
	}
}

// SignInToDashboard signs in through the sign-in form and returns the
// client with its session cookie; landing anywhere but the dashboard fails
// the test.
func (a *App) SignInToDashboard(tb testing.TB, email, password string) *http.Client {
	tb.Helper()
	c := a.Client()
	resp := a.PostForm(tb, c, "/signin", url.Values{"email": {email}, "password": {password}})
	_ = Body(tb, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
		tb.Fatalf("sign-in of %s: %d to %q", email, resp.StatusCode, resp.Header.Get("Location"))
	}
	return c
}
