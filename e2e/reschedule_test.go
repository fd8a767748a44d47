package e2e_test

import (
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestRescheduleMovesJourney: the demo candidate books
// SAA-C03 at the first Seattle center, then moves it twice. First to
// another center found by place: the choice of center or online shows
// the current appointment, the search marks the current center, and the
// review step shows both appointments before the move. Then online: the
// review step asks for the system check and the agreements, refuses the
// move without them next to each box, and moves the booking with them.
// Every page passes the accessibility check at desktop and phone sizes.
func TestRescheduleMovesJourney(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		b := testutil.NewBrowser(t)
		bookAsDemoCandidate(t, a, b, "SAA-C03")
		booking := b.URL()

		// To another center, found by place.
		follow(b, `ul.actions a[href*="reschedule="]`)
		if got := b.Text("main .current-appointment"); !strings.Contains(got, "Pioneer Square Testing Center") {
			t.Errorf("current appointment %q", got)
		}
		checkPage(t, b, "reschedule-choice")
		follow(b, `.grid a.button[href*="/centers?reschedule="]`)
		b.Fill("#country", "US")
		b.Fill("#near", "Seattle")
		b.Submit(`form.search-form button[type=submit]`)
		if got := b.Text("ol.results .current-center"); got != "Your current test center" {
			t.Errorf("current center mark %q", got)
		}
		checkPage(t, b, "reschedule-search")
		follow(b, `ol.results a[href*="/centers/2?reschedule="]`)
		if got := b.Text("h1"); got != "Bellevue Learning Hub" {
			t.Fatalf("center 2 is %q, want Bellevue Learning Hub", got)
		}
		follow(b, "ul.date-list li:first-child a")
		b.Submit("ul.slot-list li:first-child button")
		if got := b.Text("h1"); got != "Review the move" {
			t.Fatalf("after choosing the new time: h1 %q at %s", got, b.URL())
		}
		if from, to := b.Text("#move .move-from"), b.Text("#move .move-to"); !strings.Contains(from, "Pioneer Square") || !strings.Contains(to, "Bellevue Learning Hub") {
			t.Errorf("review: from %q, to %q", from, to)
		}
		if b.HasElement("#online") {
			t.Error("a move between centers asks for the online agreement")
		}
		checkPage(t, b, "reschedule-review")
		b.Submit("form.move-form button[type=submit]")
		if got := noticeText(b); !strings.Contains(got, "moved") {
			t.Fatalf("after the move: notice %q at %s", got, b.URL())
		}
		if got := b.Text(".confirmation"); !strings.Contains(got, "Bellevue Learning Hub") || !strings.Contains(got, "1 of 2 used") {
			t.Errorf("booking after the move: %q", got)
		}

		// Online: the agreement is asked for and required.
		follow(b, `ul.actions a[href*="reschedule="]`)
		follow(b, `.grid a.button[href*="/online?reschedule="]`)
		follow(b, "ul.date-list li:first-child a")
		b.Submit("ul.slot-list li:first-child button")
		if got := b.Text("h1"); got != "Review the move" {
			t.Fatalf("after choosing an online time: h1 %q at %s", got, b.URL())
		}
		if got := b.Text("#move .move-to"); !strings.Contains(got, "Online proctored") {
			t.Errorf("review: to %q", got)
		}
		checkPage(t, b, "reschedule-review-online")
		b.Submit("form.move-form button[type=submit]")
		checkFieldErrors(t, b, "system_checked", "agree_rules", "agree_privacy")
		if got := b.Text(`.error-summary a[href="#online"]`); !strings.Contains(got, "An online exam needs the system check") {
			t.Errorf("summary: %q", got)
		}
		checkPage(t, b, "reschedule-review-online-refused")
		b.Click("#system_checked")
		b.Click("#agree_rules")
		b.Click("#agree_privacy")
		b.Submit("form.move-form button[type=submit]")
		if got := noticeText(b); !strings.Contains(got, "moved") {
			t.Fatalf("after the move online: notice %q at %s", got, b.URL())
		}
		if got := b.Text(".confirmation"); !strings.Contains(got, "Online proctored") || !strings.Contains(got, "2 of 2 used") {
			t.Errorf("booking after the move online: %q", got)
		}
		if !strings.HasPrefix(b.URL(), booking) {
			t.Errorf("ended at %s, want the booking %s", b.URL(), booking)
		}
		checkPage(t, b, "booking-online")
	})
}
