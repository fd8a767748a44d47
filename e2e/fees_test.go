package e2e_test

import (
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestRescheduleFeeJourney: the demo candidate books SAP-C02, whose moves
// cost $50.00, and moves it to another time of the same day. The booking
// page states the fee; rescheduling offers the current center, any
// center or online; choosing a new time at the current center leads to
// the review step with both times and the fee; a declined card comes
// back with the error next to the card field; the test card moves the
// booking, whose page then lists the move.
// Each page passes the accessibility check at desktop and phone sizes.
func TestRescheduleFeeJourney(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		b := testutil.NewBrowser(t)
		bookAsDemoCandidate(t, a, b, "SAP-C02")
		if got := b.Text(".confirmation dl"); !strings.Contains(got, "fee $50.00 per move") {
			t.Fatalf("booking facts do not state the fee: %q", got)
		}
		checkPage(t, b, "booking")

		follow(b, `a[href*="reschedule="]`)
		checkPage(t, b, "reschedule-choice")
		follow(b, `.grid a.button[href*="/centers/"]`)
		follow(b, "ul.date-list li:first-child a")
		b.Submit("ul.slot-list li:nth-child(2) button")
		if got := b.Text("h1"); got != "Review the move" {
			t.Fatalf("after choosing the new time: h1 %q at %s", got, b.URL())
		}
		if got := b.Text("main dl"); !strings.Contains(got, "Current time") || !strings.Contains(got, "New time") || !strings.Contains(got, "$50.00") {
			t.Errorf("review step facts: %q", got)
		}
		checkPage(t, b, "fee")

		b.Fill("#card", "4000 0000 0000 0002")
		b.Submit(`main form button[type=submit]`)
		if got := b.Text("#card-error"); !strings.Contains(got, "declined") {
			t.Fatalf("declined card: error %q", got)
		}
		checkFieldErrors(t, b, "card")
		checkPage(t, b, "fee-declined")

		b.Fill("#card", "4242 4242 4242 4242")
		b.Submit(`main form button[type=submit]`)
		if got := noticeText(b); !strings.Contains(got, "Your appointment was moved") {
			t.Fatalf("after paying the fee: notice %q at %s", got, b.URL())
		}
		if got := b.Text(".confirmation"); !strings.Contains(got, "1 of 2 used") || !strings.Contains(got, "Moved from") {
			t.Errorf("booking after the move: %q", got)
		}
		checkPage(t, b, "booking-moved")
	})
}
