package consoletest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestConsoleCheckInAndNoShowCorrection: staff check a test-center
// candidate in from the console (refused days before the start, with the
// time it opens; accepted once the session is under way), mark a no-show
// and correct it; the candidate's pages then say the exam was taken and
// offer no cancel or reschedule.
func TestConsoleCheckInAndNoShowCorrection(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, _ := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		cc, _ := a.SignIn(t, cand[1], cand[2])
		ref, _ := a.BookDemoSeat(t, cc)
		ac, _ := a.SignIn(t, admin[1], admin[2])
		adminKey, _, _ := a.EnrolTOTP(t, ac, true)

		found := a.GetPage(t, ac, "/console/bookings?q="+ref, http.StatusOK)
		checkIn := found.AttrOf(`form[action$="/check-in"]`, "action")
		if checkIn == "" {
			t.Fatal("booking search offers no check-in for a confirmed center booking")
		}
		status, _, refusal := a.PostPage(t, ac, checkIn, url.Values{"q": {ref}})
		if status != http.StatusConflict || !strings.Contains(refusal.Text(), "Check-in opens 30 minutes before the start") {
			t.Fatalf("check-in days early: %d\n%s", status, refusal.Text())
		}

		// The session's day, late in the evening at the center: the
		// session has started (check-in and no-shows allowed) and the
		// settling sweep is a day away.
		rosterPath, _ := found.First(`a[href^="/console/roster?"]`).Attr("href")
		q, _ := url.ParseQuery(strings.SplitN(rosterPath, "?", 2)[1])
		roster := a.GetPage(t, ac, rosterPath, http.StatusOK)
		zone := strings.Trim(roster.TextOf("h2 .meta"), "()")
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatalf("roster zone %q: %v", zone, err)
		}
		day, err := time.ParseInLocation(time.DateOnly, q.Get("date"), loc)
		if err != nil {
			t.Fatal(err)
		}
		a.Clock.Set(day.Add(23 * time.Hour))
		// Both sessions ran out meanwhile: sign in again.
		cc, _ = a.SignIn(t, cand[1], cand[2])
		ac, _ = a.SignIn(t, admin[1], admin[2])
		if resp, _ := a.SecondStep(t, ac, "totp", a.TOTPNow(t, adminKey)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("second factor after the clock moved: %d", resp.StatusCode)
		}
		back := url.Values{"center": {q.Get("center")}, "date": {q.Get("date")}}

		status, loc2, _ := a.PostPage(t, ac, checkIn, back)
		if status != http.StatusSeeOther || !strings.Contains(loc2, "notice=checked_in") {
			t.Fatalf("check-in during the session: %d %s", status, loc2)
		}
		roster = a.GetPage(t, ac, rosterPath, http.StatusOK)
		if !strings.Contains(roster.TextOf("tbody"), "checked in") || roster.Has(`form[action$="/check-in"]`) {
			t.Fatalf("roster after the check-in:\n%s", roster.TextOf("tbody"))
		}
		absent := roster.AttrOf(`form[action$="/absent"]`, "action")
		if status, _, _ := a.PostPage(t, ac, absent, back); status != http.StatusSeeOther {
			t.Fatalf("mark absent: %d", status)
		}
		roster = a.GetPage(t, ac, rosterPath, http.StatusOK)
		correct := roster.AttrOf(`form[action$="/delivered"]`, "action")
		if correct == "" {
			t.Fatalf("roster offers no correction of a no-show:\n%s", roster.TextOf("tbody"))
		}
		if status, loc2, _ := a.PostPage(t, ac, correct, back); status != http.StatusSeeOther || !strings.Contains(loc2, "notice=no_show_corrected") {
			t.Fatalf("correct the no-show: %d %s", status, loc2)
		}
		roster = a.GetPage(t, ac, rosterPath, http.StatusOK)
		if !strings.Contains(roster.TextOf("tbody"), "Exam taken") || roster.Has(`form[action$="/delivered"]`) {
			t.Fatalf("roster after the correction:\n%s", roster.TextOf("tbody"))
		}

		mine := a.GetPage(t, cc, "/bookings/"+ref, http.StatusOK)
		if got := mine.TextOf(".facts"); !strings.Contains(got, "Exam taken") {
			t.Errorf("booking page status: %q", got)
		}
		if !strings.Contains(mine.TextOf(".confirmation"), "You sat this exam on") {
			t.Errorf("booking page lacks the delivered note:\n%s", mine.TextOf(".confirmation"))
		}
		if mine.Has(`a[href$="/cancel"]`) || mine.Has(`a[href*="/reschedule"]`) {
			t.Errorf("a delivered booking offers cancel or reschedule")
		}
		list := a.GetPage(t, cc, "/bookings", http.StatusOK)
		if got := list.TextOf(".booking-status"); got != "Exam taken" {
			t.Errorf("bookings list status = %q, want Exam taken", got)
		}
	})
}
