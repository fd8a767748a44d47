package console

import (
	"strings"
	"testing"

	"example.org/certportal/internal/web/webtest"
)

// TestNavigation: staff who may open every console page see them all, in
// order, with the most specific link marked current, and no link to a
// development mailbox where there is none.
func TestNavigation(t *testing.T) {
	s := webtest.NewServer(t, Section())
	doc := webtest.RenderAs(t, s, "/console/ce/flags/3", "en", "console_staff", "console.staff.title", &consoleStaffPage{}, webtest.MayAll)
	var hrefs []string
	for _, a := range doc.Find("nav.main-nav a") {
		href, _ := a.Attr("href")
		hrefs = append(hrefs, href)
	}
	want := "/console /console/users /console/staff /console/bookings /console/roster /console/vouchers /console/exams " +
		"/console/certifications /console/results /console/ce /console/ce/flags /console/ce/catalogue /console/credentials " +
		"/console/centers /console/results/imports /console/calendar /console/settings /console/audit /console/jobs"
	if got := strings.Join(hrefs, " "); got != want {
		t.Errorf("navigation without a development mailbox:\n got %s\nwant %s", got, want)
	}
	if cur := doc.AttrOf(`nav.main-nav a[aria-current="page"]`, "href"); cur != "/console/ce/flags" {
		t.Errorf("current link = %q, want /console/ce/flags", cur)
	}
}
