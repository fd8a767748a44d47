package apptest

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	// DemoAdminRe finds the demo admin's email and password in what
	// `serve --demo` prints.
	DemoAdminRe = regexp.MustCompile(`admin\s+email (\S+)\s+password (\S+)`)
	// DemoCandidateRe finds the demo candidate's email and password in
	// what `serve --demo` prints.
	DemoCandidateRe = regexp.MustCompile(`candidate\s+email (\S+)\s+password (\S+)`)
	// FirstDateRe finds the first date a slots page links to.
	FirstDateRe = regexp.MustCompile(`\?date=(\d{4}-\d{2}-\d{2})`)
	// SlotFormRe finds each time button of a slots page: its form key and
	// its slot id.
	SlotFormRe = regexp.MustCompile(`name="idempotency_key" value="([^"]+)">\s*<input type="hidden" name="slot" value="(\d+)">`)

	bookingRef = regexp.MustCompile(`/bookings/(B[0-9A-Z]{4}-[0-9A-Z]{4})`)
)

// SlotButton is a time button of a slots page: its form key and slot id.
type SlotButton struct{ Key, ID string }

// CenterSlots opens a demo center's first free date for exam and returns
// the date and its time buttons; fewer than two fail the test.
func (a *App) CenterSlots(tb testing.TB, c *http.Client, exam, center string) (string, []SlotButton) {
	tb.Helper()
	page := Body(tb, a.Get(tb, c, "/schedule/"+exam+"/centers/"+center))
	m := FirstDateRe.FindStringSubmatch(page)
	if m == nil {
		tb.Fatalf("center %s lists no date:\n%s", center, page)
	}
	page = Body(tb, a.Get(tb, c, "/schedule/"+exam+"/centers/"+center+"?date="+m[1]))
	var out []SlotButton
	for _, s := range SlotFormRe.FindAllStringSubmatch(page, -1) {
		out = append(out, SlotButton{s[1], s[2]})
	}
	if len(out) < 2 {
		tb.Fatalf("fewer than two times on %s:\n%s", m[1], page)
	}
	return m[1], out
}

// BookDemoSeat holds the first time at center 1 for the signed-in
// candidate of c (on an app started with --demo) and pays with the test
// card after a declined one; it returns the booking reference and the
// times of that day.
func (a *App) BookDemoSeat(tb testing.TB, c *http.Client) (string, []SlotButton) {
	tb.Helper()
	return a.BookDemoExam(tb, c, "SAA-C03")
}

// BookDemoExam is BookDemoSeat for another exam of the demo catalog.
func (a *App) BookDemoExam(tb testing.TB, c *http.Client, exam string) (string, []SlotButton) {
	tb.Helper()
	date, slots := a.CenterSlots(tb, c, exam, "1")
	hold := url.Values{"idempotency_key": {slots[0].Key}, "slot": {slots[0].ID}, "date": {date}, "language": {"en"}, "center": {"1"}}
	resp := a.PostForm(tb, c, "/schedule/"+exam+"/hold", hold)
	_ = Body(tb, resp)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/cart") {
		tb.Fatalf("hold: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The same form sent again (a double click) gets the same answer and
	// holds nothing more.
	resp = a.PostForm(tb, c, "/schedule/"+exam+"/hold", hold)
	_ = Body(tb, resp)
	if resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("repeated hold: %d", resp.StatusCode)
	}
	resp = a.PostForm(tb, c, "/checkout", url.Values{"idempotency_key": {"pay-1"}, "provider": {"test"}, "card": {"4000 0000 0000 0002"}})
	if page := Body(tb, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "The card was declined") {
		tb.Fatalf("declined card: %d\n%s", resp.StatusCode, page)
	}
	resp = a.PostForm(tb, c, "/checkout", url.Values{"idempotency_key": {"pay-2"}, "provider": {"test"}, "card": {"4242 4242 4242 4242"}})
	_ = Body(tb, resp)
	if resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("checkout: %d", resp.StatusCode)
	}
	page := Body(tb, a.Get(tb, c, resp.Header.Get("Location")))
	m := bookingRef.FindStringSubmatch(page)
	if !strings.Contains(page, "Your exam is booked") || m == nil {
		tb.Fatalf("checkout result:\n%s", page)
	}
	return m[1], slots
}
