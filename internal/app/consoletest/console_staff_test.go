package consoletest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// An admin invites a staff member from the console; the invitation link
// sets the password once; the console opens only after a second factor
// and shows only what the member's sets allow; the admin changes the sets
// (after signing in again when the sign-in is old), the member is told,
// and the last admin cannot demote themselves.
func TestAdminInvitesStaffAndChangesTheirPermissions(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		ac, _ := a.SignIn(t, admin[1], admin[2])
		a.EnrolTOTP(t, ac, true)

		staff := a.GetPage(t, ac, "/console/staff", http.StatusOK)
		if got := staff.TextOf("tbody"); !strings.Contains(got, "scheduler@demo.certportal.localhost") || !strings.Contains(got, "Results officer") {
			t.Fatalf("staff list: %s", got)
		}

		// Refused without a set, with the message next to the field.
		resp := a.PostForm(t, ac, "/console/staff/invite", url.Values{"email": {"noa@example.org"}, "first_name": {"Noa"}, "last_name": {"Levi"}})
		doc := testutil.ParseHTML(t, apptest.Body(t, resp))
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.TextOf("#sets-error") != "Choose at least one permission set." {
			t.Fatalf("invite without sets: %d %q", resp.StatusCode, doc.TextOf("#sets-error"))
		}
		// The summary's link leads to the group's first checkbox.
		if !doc.Has(`.error-summary a[href="#sets"]`) || !doc.Has(`fieldset[aria-describedby="sets-error"] input[type=checkbox]#sets`) {
			t.Errorf("the error summary's link to #sets leads to no checkbox of the sets")
		}
		resp = a.PostForm(t, ac, "/console/staff/invite", url.Values{"email": {"noa@example.org"}, "first_name": {"Noa"}, "last_name": {"Levi"}, "sets": {"scheduler"}})
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/staff?notice=staff_invited" {
			t.Fatalf("invite: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if facts := a.GetPage(t, ac, staffPage(t, a, ac, "Noa Levi"), http.StatusOK).Texts(".facts dd"); !slices.Contains(facts, "Invited") {
			t.Errorf("the invited member's status: %v", facts)
		}
		link := apptest.MailTo(t, smtp, "noa@example.org", "invited").Link("http://portal.example.test/setup/")
		if link == "" {
			t.Fatal("no invitation link")
		}
		newcomer := a.Browser(t)
		if p := newcomer.Submit(apptest.LocalLink(t, link), url.Values{"password": {"Cobol-Compiler-1959"}, "confirm": {"Cobol-Compiler-1959"}}); p.Status != http.StatusOK {
			t.Fatalf("setup: %d at %s", p.Status, p.Path)
		}
		if p := newcomer.Get(apptest.LocalLink(t, link)); p.Status != http.StatusNotFound {
			t.Fatalf("second use of the invitation: %d", p.Status)
		}
		// Signed in, the console first asks for a second factor.
		if p := newcomer.SignIn("noa@example.org", "Cobol-Compiler-1959"); p.Status != http.StatusOK || p.Path != "/profile/security/totp?required=1" {
			t.Fatalf("first sign-in landed on %s (%d)", p.Path, p.Status)
		}
		nc, _ := a.SignIn(t, "noa@example.org", "Cobol-Compiler-1959")
		a.EnrolTOTP(t, nc, true)
		centers := a.GetPage(t, nc, "/console/centers", http.StatusOK)
		nav := centers.Texts(".main-nav a")
		if strings.Contains(strings.Join(nav, "|"), "Accounts") || strings.Contains(strings.Join(nav, "|"), "Audit") || !strings.Contains(strings.Join(nav, "|"), "Test centers") {
			t.Errorf("a scheduler's navigation: %v", nav)
		}
		// Refused, on a page that marks no navigation item as the current one.
		if denied := a.GetPage(t, nc, "/console/users", http.StatusForbidden); denied.Has(".main-nav a[aria-current]") {
			t.Errorf("the access-denied page marks %q current", denied.TextOf(".main-nav a[aria-current]"))
		}

		// The admin adds the support set on the member's page.
		member := staffPage(t, a, ac, "Noa Levi")
		resp = a.PostForm(t, ac, member+"/permissions", url.Values{"sets": {"scheduler", "support"}})
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "notice=staff_permissions_changed") {
			t.Fatalf("change sets: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if m := apptest.MailTo(t, smtp, "noa@example.org", "permissions"); !strings.Contains(m.Text, "Support") || !strings.Contains(m.Text, "Scheduler") {
			t.Errorf("permissions mail:\n%s", m.Text)
		}
		a.GetPage(t, nc, "/console/users", http.StatusOK)

		// The demo has one admin: it cannot demote itself.
		resp = a.PostForm(t, ac, staffPage(t, a, ac, "Alex Morgan")+"/permissions", url.Values{"sets": {"scheduler"}})
		doc = testutil.ParseHTML(t, apptest.Body(t, resp))
		if resp.StatusCode != http.StatusConflict || !strings.Contains(doc.TextOf("#sets-error"), "last administrator") {
			t.Fatalf("demoting the last admin: %d %q", resp.StatusCode, doc.TextOf("#sets-error"))
		}

		// Half an hour later the admin must sign in again first.
		a.Clock.Advance(31 * time.Minute)
		resp = a.PostForm(t, ac, member+"/permissions", url.Values{"sets": {"support"}})
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(page, `action="/profile/security/reauth"`) {
			t.Fatalf("stale admin: %d\n%s", resp.StatusCode, page)
		}
	})
}

// staffPage is the console path of the staff member named name, from the
// staff list.
func staffPage(t *testing.T, a *apptest.App, c *http.Client, name string) string {
	t.Helper()
	for _, link := range a.GetPage(t, c, "/console/staff", http.StatusOK).Find("tbody a") {
		if link.Text() == name {
			href, _ := link.Attr("href")
			return href
		}
	}
	t.Fatalf("%s is not on the staff page", name)
	return ""
}
