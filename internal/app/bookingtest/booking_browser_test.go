package bookingtest

import (
	"testing"
	"time"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestBookingScriptsInTheBrowser runs the booking pages' scripts in
// Chromium: online times move from the profile country's zone to the
// browser's (and the choice is remembered), and the cart's hold timer
// counts down whole minutes to "run out" as the page's time passes. The
// scripts do not touch the database, so SQLite is enough.
func TestBookingScriptsInTheBrowser(t *testing.T) {
	a, smtp := apptest.StartWithMail(t, store.SQLite, apptest.WithArgs("--demo"))
	const email = "kenji@example.org"
	c := a.RegisterCandidate(t, smtp, email) // registered in Spain
	b := testutil.NewBrowser(t)
	b.EmulateTimeZone("Asia/Tokyo")
	b.Navigate(a.URL + "/signin")
	b.Fill("#email", email)
	b.Fill("#password", apptest.CandidatePassword)
	b.Submit(`main button[type="submit"]`)

	b.Navigate(a.URL + "/schedule/SAA-C03/online")
	b.WaitVisible("form.zone-form:not([data-zone-guessed])")
	if !b.HasElement(`select#tz option[value="Asia/Tokyo"][selected]`) {
		t.Errorf("online times are not in the browser's zone: %s", b.URL())
	}
	// Remembered: the next visit needs no script to know it.
	doc := a.GetPage(t, c, "/schedule/SAA-C03/online", 200)
	if got, _ := doc.First("select#tz option[selected]").Attr("value"); got != "Asia/Tokyo" {
		t.Errorf("remembered zone = %q, want Asia/Tokyo", got)
	}

	if status, refusal := holdCenterSeat(t, a, c, "SAA-C03", "en", 0); refusal != nil {
		t.Fatalf("hold: %d %s", status, refusal.Text())
	}
	b.Navigate(a.URL + "/cart")
	// Held for 15:00 when the page was served (the app's clock stands
	// still): 15 whole minutes left for the page's first second, then 14.
	if got := b.Text(".held-for .countdown"); got != "15 min" && got != "14 min" {
		t.Errorf("time left at first = %q, want 15 or 14 min", got)
	}
	for _, step := range []struct {
		advance        time.Duration
		item, noticeTo string
	}{
		{61 * time.Second, "13 min", "Seats are held for you for 13 more minutes."},
		{13 * time.Minute, "under 1 min", "Seats are held for you for less than a minute more."},
		{time.Minute, "run out", "The time to pay has run out: reload the page to see which seats are still held."},
	} {
		b.AdvanceTime(step.advance)
		if got := b.Text(".held-for .countdown"); got != step.item {
			t.Errorf("after %v more: time left = %q, want %q", step.advance, got, step.item)
		}
		if got := b.Text("#hold-notice"); got != step.noticeTo {
			t.Errorf("after %v more: notice = %q, want %q", step.advance, got, step.noticeTo)
		}
	}

	// On a phone the catalog shows each exam's duration and price, and My
	// exams each booking's status, without scrolling sideways.
	if status, _, _ := a.PostPage(t, c, "/checkout", map[string][]string{"idempotency_key": {"pay"}, "provider": {"test"}, "card": {"4242424242424242"}}); status != 303 {
		t.Fatalf("checkout: %d", status)
	}
	// A new browser: the cart's tab runs on paused virtual time.
	b = testutil.NewBrowser(t)
	b.Phone()
	b.Navigate(a.URL + "/signin")
	b.Fill("#email", email)
	b.Fill("#password", apptest.CandidatePassword)
	b.Submit(`main button[type="submit"]`)
	for _, tc := range []struct{ path, sel string }{
		{"/exams", "td.exam-price"},
		{"/exams", "td.exam-duration"},
		{"/bookings", "td.booking-status"},
	} {
		b.Navigate(a.URL + tc.path)
		if !b.InViewport(tc.sel) {
			t.Errorf("on a phone, %s hides %s beyond the screen's edge", tc.path, tc.sel)
		}
		b.CheckAccessibility()
	}
}
