package candidate

import (
	"strings"
	"testing"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web/webtest"
)

// TestDashboardRenewalBanner: the banner names each certification whose
// reminders have come with its last day and the days left (in the plural
// form of the count), then the credits still needed and pending, that the
// requirement is met, or the day a microcredential's renewal retake opens
// (a link to the exams once it has), in every language.
func TestDashboardRenewalBanner(t *testing.T) {
	s := newTestServer(t)
	reminders := []credits.Reminder{
		{Name: "Solutions Architect", ExpiresOn: "2028-06-01", DaysLeft: 1, MonthsBefore: 1, Needed: 10000, Missing: 9200, Pending: 150},
		{Name: "Serverless", ExpiresOn: "2027-06-12", DaysLeft: 182, MonthsBefore: 6, Micro: true, RetakeOn: "2027-03-12"},
		{Name: "Containers", ExpiresOn: "2027-05-02", DaysLeft: 30, MonthsBefore: 1, Micro: true, RetakeOn: "2027-02-02", RetakeOpen: true},
		{Name: "Developer", ExpiresOn: "2027-09-30", DaysLeft: 120, MonthsBefore: 6, Needed: 10000, Met: true},
	}
	for lang, want := range map[string][]string{
		"en": {"Renewal reminders", "Solutions Architect expires on Jun 1, 2028, in 1 day.", "Credits still needed: 92 of 100.",
			"not counted yet: 1.5.", "Serverless expires on Jun 12, 2027, in 182 days.", "You can book a renewal retake from Mar 12, 2027.",
			"You can book a renewal retake now.", "meets what its renewal needs"},
		"es": {"Recordatorios de renovación", "Solutions Architect vence el 1 jun 2028, dentro de 1 día.", "Créditos que aún faltan: 92 de 100.",
			"aún no contados: 1,5.", "dentro de 182 días", "a partir del 12 mar 2027", "Ya puede reservar"},
	} {
		p := &dashboardPage{Reminders: reminders}
		p.User = &portal.User{FirstName: "Ana"}
		doc := webtest.RenderAs(t, s.Server, "/dashboard", lang, "dashboard", "dashboard.title", p, webtest.MayNone)
		banner := doc.First("section.reminders")
		if banner == nil {
			t.Fatalf("%s: no banner", lang)
		}
		text := banner.Text()
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: banner lacks %q: %s", lang, w, text)
			}
		}
		if got := strings.Join(banner.Values("a", "href"), " "); got != "/ce /exams /ce" {
			t.Errorf("%s: links %q", lang, got)
		}
	}
	p := &dashboardPage{}
	p.User = &portal.User{FirstName: "Ana"}
	if doc := webtest.RenderAs(t, s.Server, "/dashboard", "en", "dashboard", "dashboard.title", p, webtest.MayNone); doc.Has("section.reminders") {
		t.Error("a banner without reminders")
	}
}
