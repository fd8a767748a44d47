package consoletest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestConsoleRefusesOutOfRangeValues: the console refuses a voucher that
// expires in year 9999, a center closure in year 9999, an exam language
// that is not a known language and a currency that is not an ISO 4217
// currency in circulation, each with its message next to its field and
// the form's values kept.
func TestConsoleRefusesOutOfRangeValues(t *testing.T) {
	a, ac, _ := centerAdmin(t, store.SQLite)
	exam := func(field, value string) url.Values {
		f := examForm("KOP-C01")
		f.Set(field, value)
		return f
	}
	for _, tc := range []struct {
		name, path string
		form       url.Values
		field      string // the input whose error is shown
		want       string // in the field's error
	}{
		{"voucher expiry", "/console/vouchers", url.Values{"code": {"FAR-AWAY"}, "percent": {"10"}, "max_uses": {"1"}, "expires_on": {"9999-12-31"}},
			"expires_on", "no later than"},
		{"center closure", "/console/centers/1/close-day", url.Values{"close_date": {"9999-12-31"}, "reason": {"storm"}, "center": {"1"}, "date": {"2026-11-30"}},
			"close_date", "no later than"},
		{"exam language", "/console/exams", exam("languages", "en, xx"), "languages", "“xx” is not a language tag"},
		{"exam currency", "/console/exams", exam("currency", "XXX"), "currency", "XXX is not an ISO 4217 currency code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := a.PostForm(t, ac, tc.path, tc.form)
			page := testutil.ParseHTML(t, apptest.Body(t, resp))
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.StatusCode)
			}
			if got := page.First("#" + tc.field + "-error").Text(); !strings.Contains(got, tc.want) {
				t.Errorf("error of %s = %q, want it to say %q", tc.field, got, tc.want)
			}
			input := page.First("#" + tc.field)
			if input == nil {
				t.Fatalf("no input #%s", tc.field)
			}
			if got, _ := input.Attr("value"); got != tc.form.Get(tc.field) {
				t.Errorf("input %s keeps %q, want %q", tc.field, got, tc.form.Get(tc.field))
			}
		})
	}
}
