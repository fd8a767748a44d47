package consoletest

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

const holidaysICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nSUMMARY:Navidad\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270102\r\nSUMMARY:Year end\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// TestConsoleCalendar: an admin sets the program's time zone and business
// days, adds, imports and removes holidays; bad input shows next to its
// field with nothing saved; staff cannot open or change the calendar.
func TestConsoleCalendar(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, cand := centerAdmin(t, engine)
		calendarPage := func() *testutil.HTMLNode {
			t.Helper()
			resp := a.Get(t, ac, "/console/calendar")
			page := testutil.ParseHTML(t, apptest.Body(t, resp))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("calendar page: %d", resp.StatusCode)
			}
			return page
		}

		page := calendarPage()
		if got := page.AttrOf(`nav a[href="/console/calendar"]`, "aria-current"); got != "page" {
			t.Errorf("the console navigation does not mark the calendar as current (%q)", got)
		}
		if got := page.AttrOf(`#time_zone option[selected]`, "value"); got != "UTC" {
			t.Errorf("default time zone = %q, want UTC", got)
		}
		if got := strings.Join(page.Values(`#calendar-settings input[type="checkbox"][checked]`, "name"), " "); got != "day_1 day_2 day_3 day_4 day_5" {
			t.Errorf("default business days = %q", got)
		}

		// Invalid: a zone outside the tz database and no business day.
		resp := a.PostForm(t, ac, "/console/calendar", url.Values{"time_zone": {"Mars/Olympus"}})
		bad := testutil.ParseHTML(t, apptest.Body(t, resp))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid settings: %d, want 422", resp.StatusCode)
		}
		for sel, want := range map[string]string{
			"#time_zone-error":     "Choose a time zone from the list.",
			"#business_days-error": "Choose at least one business day.",
		} {
			if got := bad.TextOf(sel); got != want {
				t.Errorf("%s = %q, want %q", sel, got, want)
			}
		}
		if got := calendarPage().AttrOf(`#time_zone option[selected]`, "value"); got != "UTC" {
			t.Fatalf("an invalid zone was saved: %q", got)
		}

		// Valid: Madrid, Monday to Thursday.
		resp = a.PostForm(t, ac, "/console/calendar", url.Values{"time_zone": {"Europe/Madrid"},
			"day_1": {"on"}, "day_2": {"on"}, "day_3": {"on"}, "day_4": {"on"}})
		_ = apptest.Body(t, resp)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/console/calendar?notice=calendar_saved" {
			t.Fatalf("save: %d to %q", resp.StatusCode, loc)
		}
		page = calendarPage()
		if got := page.AttrOf(`#time_zone option[selected]`, "value"); got != "Europe/Madrid" {
			t.Errorf("saved zone = %q", got)
		}
		if got := strings.Join(page.Values(`#calendar-settings input[type="checkbox"][checked]`, "name"), " "); got != "day_1 day_2 day_3 day_4" {
			t.Errorf("saved business days = %q", got)
		}

		// A holiday by hand; a bad date is refused on the date field.
		resp = a.PostForm(t, ac, "/console/calendar/holidays", url.Values{"date": {"2026-02-30"}, "name": {"Nope"}})
		bad = testutil.ParseHTML(t, apptest.Body(t, resp))
		if resp.StatusCode != http.StatusUnprocessableEntity || bad.TextOf("#date-error") != "Enter a date as YYYY-MM-DD." ||
			bad.AttrOf("#name", "value") != "Nope" {
			t.Fatalf("bad holiday: %d, error %q", resp.StatusCode, bad.TextOf("#date-error"))
		}
		resp = a.PostForm(t, ac, "/console/calendar/holidays", url.Values{"date": {"2026-12-08"}, "name": {"Inmaculada"}})
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add holiday: %d", resp.StatusCode)
		}

		// Import: a timed event is refused next to the file field, then a
		// good file adds its all-day events.
		resp = postFile(t, a, ac, "/console/calendar/import", "bad.ics",
			"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261224T180000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
		bad = testutil.ParseHTML(t, apptest.Body(t, resp))
		if want := "The event starting on line 2 is not an all-day event; only whole days can be holidays."; resp.StatusCode != http.StatusUnprocessableEntity || bad.TextOf("#file-error") != want {
			t.Fatalf("bad import: %d, error %q", resp.StatusCode, bad.TextOf("#file-error"))
		}
		resp = postFile(t, a, ac, "/console/calendar/import", "holidays.ics", holidaysICS)
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("import: %d", resp.StatusCode)
		}
		page = calendarPage()
		if got := strings.Join(page.Values(`#holidays tbody tr`, "data-date"), " "); got != "2026-12-08 2026-12-25 2026-12-31 2027-01-01" {
			t.Errorf("holidays = %q", got)
		}
		if got := page.TextOf(`#holidays tr[data-date="2026-12-25"] td:nth-child(2)`); got != "Navidad" {
			t.Errorf("imported name = %q", got)
		}

		resp = a.PostForm(t, ac, "/console/calendar/holidays/2026-12-08/remove", nil)
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d", resp.StatusCode)
		}
		if page := calendarPage(); page.Has(`#holidays tr[data-date="2026-12-08"]`) {
			t.Error("the removed holiday is still listed")
		}

		audit := testutil.ParseHTML(t, apptest.Body(t, a.Get(t, ac, "/console/audit")))
		text := audit.TextOf("main")
		for _, action := range []string{"calendar.settings_changed", "calendar.holiday_added", "calendar.holidays_imported", "calendar.holiday_removed"} {
			if !regexp.MustCompile(`\b` + regexp.QuoteMeta(action) + `\b`).MatchString(text) {
				t.Errorf("the audit log lacks %s", action)
			}
		}

		// Staff: no link, no page, no change.
		makeStaff(t, a, cand[1], portal.SetScheduler, portal.SetSupport)
		sc, _ := a.SignIn(t, cand[1], cand[2])
		a.EnrolTOTP(t, sc, true)
		if home := testutil.ParseHTML(t, apptest.Body(t, a.Get(t, sc, "/console"))); home.Has(`a[href="/console/calendar"]`) {
			t.Error("staff see the calendar link")
		}
		for _, req := range []struct{ method, path string }{
			{"GET", "/console/calendar"}, {"POST", "/console/calendar"}, {"POST", "/console/calendar/holidays"},
			{"POST", "/console/calendar/holidays/2026-12-25/remove"},
		} {
			var resp *http.Response
			if req.method == "GET" {
				resp = a.Get(t, sc, req.path)
			} else {
				resp = a.PostForm(t, sc, req.path, url.Values{"time_zone": {"UTC"}, "day_0": {"on"}, "date": {"2027-05-01"}})
			}
			if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusForbidden {
				t.Errorf("staff %s %s: %d, want 403", req.method, req.path, resp.StatusCode)
			}
		}
		if resp := postFile(t, a, sc, "/console/calendar/import", "h.ics", holidaysICS); resp.StatusCode != http.StatusForbidden {
			t.Errorf("staff import: %d, want 403", resp.StatusCode)
		}
		if got := calendarPage().AttrOf(`#time_zone option[selected]`, "value"); got != "Europe/Madrid" {
			t.Errorf("staff changed the zone to %q", got)
		}
	})
}
