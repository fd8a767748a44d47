package bookingtest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestBookingRoutesAreTheOwnersOnly: the candidate booking routes serve
// the booking's own candidate only. A staff session (here an admin who
// has not set up MFA, so the console would refuse them) gets a 404 from
// the page, the cancel and the launch of another user's booking, and the
// booking stays confirmed.
func TestBookingRoutesAreTheOwnersOnly(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, _ := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		cc, _ := a.SignIn(t, cand[1], cand[2])
		ref, _ := a.BookDemoSeat(t, cc)

		ac, _ := a.SignIn(t, admin[1], admin[2])
		for _, tc := range []struct {
			method, path string
			form         url.Values
		}{
			{http.MethodGet, "/bookings/" + ref, nil},
			{http.MethodGet, "/bookings/" + ref + "/cancel", nil},
			{http.MethodGet, "/bookings/" + ref + "/calendar.ics", nil},
			{http.MethodGet, "/schedule/SAA-C03/centers/1?reschedule=" + ref, nil},
			{http.MethodGet, "/schedule/SAA-C03?reschedule=" + ref, nil},
			{http.MethodGet, "/schedule/SAA-C03/centers?reschedule=" + ref, nil},
			{http.MethodGet, "/schedule/SAA-C03/online?reschedule=" + ref, nil},
			{http.MethodGet, "/bookings/" + ref + "/reschedule?slot=1", nil},
			{http.MethodPost, "/bookings/" + ref + "/cancel", url.Values{"idempotency_key": {"admin-cancel"}}},
			{http.MethodPost, "/bookings/" + ref + "/launch", url.Values{}},
			{http.MethodPost, "/bookings/" + ref + "/reschedule", url.Values{"idempotency_key": {"admin-move"}, "slot": {"1"}}},
		} {
			var resp *http.Response
			if tc.method == http.MethodGet {
				resp = a.Get(t, ac, tc.path)
			} else {
				resp = a.PostForm(t, ac, tc.path, tc.form)
			}
			page := apptest.Body(t, resp)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("admin %s %s: %d, want 404\n%s", tc.method, tc.path, resp.StatusCode, page)
			}
		}

		booking := apptest.Body(t, a.Get(t, cc, "/bookings/"+ref))
		if !strings.Contains(booking, "Confirmed") || !strings.Contains(booking, `href="/bookings/`+ref+`/cancel"`) {
			t.Fatalf("the candidate's booking after the admin's attempts:\n%s", booking)
		}
	})
}

// TestBareNotFoundIsTheErrorPage: a form refusal without a message of its
// own (a voucher for a cart item that does not exist, or is another
// user's) is the plain 404 page, not the form with an empty message ("[]")
// in its error summary; so is a hold of a time that does not exist.
func TestBareNotFoundIsTheErrorPage(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		c, _ := a.SignIn(t, cand[1], cand[2])
		resp := a.PostForm(t, c, "/cart/99999999/voucher", url.Values{"code": {"SPRING25"}})
		page := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(page, "[]") || strings.Contains(page, `action="/cart/`) {
			t.Fatalf("voucher for an unknown cart item: %d\n%s", resp.StatusCode, page)
		}
		// A hold of a time that does not exist.
		resp = a.PostForm(t, c, "/schedule/SAA-C03/hold", url.Values{"idempotency_key": {"hold-unknown"}, "slot": {"99999999"},
			"language": {"en"}, "center": {"1"}})
		page = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(page, "[]") {
			t.Fatalf("hold of an unknown slot: %d\n%s", resp.StatusCode, page)
		}
	})
}

// TestOnlineZoneOptions: the zone menu of the online times lists each zone
// with its offset now, the chosen one selected; a chosen zone that is not
// listed comes first for that page only.
func TestOnlineZoneOptions(t *testing.T) {
	a := apptest.Start(t, store.SQLite, apptest.WithArgs("--demo"))
	cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
	c, _ := a.SignIn(t, cand[1], cand[2])
	option := func(zone string, selected bool) string {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		sel := ""
		if selected {
			sel = " selected"
		}
		offset := strings.Replace(a.Clock.Now().In(loc).Format("-07:00"), "+", "&#43;", 1) // as html/template writes it
		return `<option value="` + zone + `"` + sel + `>` + zone + ` (UTC` + offset + `)</option>`
	}

	page := apptest.Body(t, a.Get(t, c, "/schedule/SAA-C03/online?tz=Europe/Vienna"))
	for _, want := range []string{`<select id="tz" name="tz">` + option("Europe/Vienna", true), option("Asia/Kathmandu", false), option("America/St_Johns", false), option("UTC", false)} {
		if !strings.Contains(page, want) {
			t.Errorf("zone menu for Europe/Vienna lacks %s", want)
		}
	}
	page = apptest.Body(t, a.Get(t, c, "/schedule/SAA-C03/online?tz=Asia/Kathmandu"))
	if !strings.Contains(page, option("Asia/Kathmandu", true)) || strings.Contains(page, "Europe/Vienna") {
		t.Errorf("zone menu for Asia/Kathmandu:\n%s", page)
	}
	page = apptest.Body(t, a.Get(t, c, "/schedule/SAA-C03/online?tz=Nowhere/Atlantis"))
	if !strings.Contains(page, option("UTC", true)) || strings.Contains(page, "Atlantis") {
		t.Errorf("zone menu for an unknown zone:\n%s", page)
	}
}
