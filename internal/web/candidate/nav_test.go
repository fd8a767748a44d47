package candidate

import (
	"strings"
	"testing"

	"example.org/certportal/internal/web/webtest"
)

// TestNavigation: a viewer who may open every candidate page sees them
// all, in order, with the page's own link marked current; one who may
// open none sees no link.
func TestNavigation(t *testing.T) {
	s := newTestServer(t)
	doc := webtest.RenderAs(t, s.Server, "/profile/security", "en", "help", "help.title", &helpPage{}, webtest.MayAll)
	var hrefs []string
	for _, a := range doc.Find("nav.main-nav a") {
		href, _ := a.Attr("href")
		hrefs = append(hrefs, href)
	}
	if got := strings.Join(hrefs, " "); got != "/dashboard /exams /bookings /history /certifications /ce /benefits /cart /profile /help" {
		t.Errorf("navigation = %s", got)
	}
	if cur := doc.AttrOf(`nav.main-nav a[aria-current="page"]`, "href"); cur != "/profile" {
		t.Errorf("current link = %q, want /profile on /profile/security", cur)
	}
	if doc := webtest.RenderAs(t, s.Server, "/help", "en", "help", "help.title", &helpPage{}, webtest.MayNone); doc.Has("nav.main-nav a") {
		t.Error("a viewer who may open nothing sees navigation links")
	}
}
