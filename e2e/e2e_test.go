// Package e2e holds the browser journeys: real headless Chromium against the
// real application on a random loopback port, with an accessibility check
// on every page.
package e2e_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// screenshot saves a picture of the page when CERTPORTAL_SCREENSHOTS names a
// directory, so a person can look at what the journey saw.
func screenshot(t *testing.T, b *testutil.Browser, name string) {
	dir := os.Getenv("CERTPORTAL_SCREENSHOTS")
	if dir == "" {
		return
	}
	b.Screenshot(filepath.Join(dir, strings.NewReplacer("/", "-").Replace(t.Name())+"-"+name+".png"))
}

// adminSetupLink runs `certportal admin create` beside the running app and
// returns the printed one-time link.
func adminSetupLink(t *testing.T, a *apptest.App, email, first, last string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	env := map[string]string{}
	for k, v := range a.Env {
		env[k] = v
	}
	env["CERTPORTAL_BASE_URL"] = a.URL
	m := apptest.Main(&out, &errOut, env)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if code := m.Run(ctx, []string{"admin", "create", "--email", email, "--first-name", first, "--last-name", last}); code != 0 {
		t.Fatalf("admin create: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	link := regexp.MustCompile(`http://\S+/setup/\S+`).FindString(out.String())
	if link == "" {
		t.Fatalf("no setup link in:\n%s", out.String())
	}
	return link
}

func TestPublicPagesAsAVisitor(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		testutil.ForEachViewport(t, func(t *testing.T, b *testutil.Browser) {
			b.Navigate(a.URL + "/")
			if got := b.Text("h1"); !strings.Contains(got, "certification account") {
				t.Errorf("home h1 = %q", got)
			}
			for _, link := range []string{"Exams", "Help"} {
				if !strings.Contains(b.Text("nav.main-nav"), link) {
					t.Errorf("candidate navigation lacks %s", link)
				}
			}
			// Pages that do not exist yet are not linked.
			for _, missing := range []string{`a[href="/certifications"]`, `a[href="/ce"]`, `a[href="/profile"]`} {
				if b.HasElement(missing) {
					t.Errorf("home links %s, which does not exist yet", missing)
				}
			}
			b.CheckAccessibility()
			screenshot(t, b, "home")

			b.Click(`nav.main-nav a[href="/exams"]`)
			b.WaitVisible("table")
			if !strings.Contains(b.Text("table"), "SAA-C03") {
				t.Error("exam list lacks SAA-C03")
			}
			b.CheckAccessibility()
			screenshot(t, b, "exams")

			b.Navigate(a.URL + "/help")
			b.CheckAccessibility()

			b.Navigate(a.URL + "/no/such/page")
			if got := b.Text("h1"); got != "Page not found" {
				t.Errorf("404 h1 = %q", got)
			}
			b.CheckAccessibility()

			// Switch the language to Spanish and back.
			b.Navigate(a.URL + "/")
			b.Fill("#footer-lang", "es")
			b.Submit(".language-form button")
			if got := b.Text("h1"); !strings.Contains(got, "Su cuenta de certificación") {
				t.Errorf("Spanish home h1 = %q", got)
			}
			b.CheckAccessibility()
			b.Fill("#footer-lang", "en")
			b.Submit(".language-form button")
		})
	})
}

func TestAdminSetupAsANewAdmin(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine)
		testutil.ForEachViewport(t, func(t *testing.T, b *testutil.Browser) {
			email := "ada." + strings.ReplaceAll(strings.ToLower(t.Name()[strings.LastIndex(t.Name(), "/")+1:]), " ", "") + "@example.org"
			link := adminSetupLink(t, a, email, "Ada", "Lovelace")

			b.Navigate(link)
			if got := b.Text("h1"); got != "Set up your administrator account" {
				t.Fatalf("setup h1 = %q", got)
			}
			b.CheckAccessibility()
			screenshot(t, b, "setup")

			// A password that breaks the rule: the form comes back with the
			// reason next to the field and in the summary.
			b.Fill("#password", "lovelace")
			b.Fill("#confirm", "lovelace")
			b.Submit("form button[type=submit]")
			if !b.HasElement(".error-summary") || !strings.Contains(b.Text("#password-error"), "upper-case") {
				t.Fatalf("no field error for a weak password; summary %q", b.Text("main"))
			}
			b.CheckAccessibility()
			screenshot(t, b, "setup-error")

			b.Fill("#password", "Analytical-Engine-1843")
			b.Fill("#confirm", "Analytical-Engine-1843")
			b.Submit("form button[type=submit]")
			if got := b.Text(".notice"); !strings.Contains(got, "password is set") {
				t.Fatalf("after setup: notice %q at %s", got, b.URL())
			}
			b.CheckAccessibility()

			b.Fill("#email", email)
			b.Fill("#password", "Analytical-Engine-1843")
			b.Submit("form button[type=submit]")
			// Staff set up a second factor before the console (MFA-01).
			if !strings.HasSuffix(b.URL(), "/profile/security/totp?required=1") {
				t.Fatalf("after sign-in: %s", b.URL())
			}
			enrolTOTPInBrowser(t, a, b)
			b.Click(`main a.button`)
			b.WaitVisible("body.console h1")
			if !strings.HasSuffix(b.URL(), "/console") {
				t.Fatalf("after MFA set-up: %s", b.URL())
			}
			if got := b.Text("h1"); got != "Console" {
				t.Errorf("console h1 = %q", got)
			}
			b.CheckAccessibility()
			screenshot(t, b, "console")

			b.Click(`nav.main-nav a[href="/console/audit"]`)
			b.WaitVisible("table")
			if !strings.Contains(b.Text("table"), "account.setup_completed") {
				t.Error("audit log lacks the setup")
			}
			b.CheckAccessibility()
			screenshot(t, b, "audit")

			// A change with fields: the audit log shows them in a table of
			// their own, which the accessibility check covers.
			b.Navigate(a.URL + "/console/calendar")
			b.Fill("#time_zone", "Europe/Madrid")
			b.Submit(`#calendar-settings button[type=submit]`)
			b.Navigate(a.URL + "/console/audit?action=calendar.")
			b.WaitVisible("table.changes")
			if got := b.Text("table.changes tbody"); !strings.Contains(got, "time_zone") || !strings.Contains(got, "Europe/Madrid") {
				t.Errorf("audit changes = %q", got)
			}
			b.CheckAccessibility()
			screenshot(t, b, "audit-changes")

			b.Navigate(a.URL + "/console")
			b.Submit(`form[action="/console/mail/test"] button`)
			b.Click(`a[href="/console/mail"]`)
			b.WaitVisible("table")
			b.CheckAccessibility()

			b.Submit(`form[action="/signout"] button`)
			if got := b.Text(".notice"); !strings.Contains(got, "signed out") {
				t.Errorf("after sign-out: %q", got)
			}
			// The link is spent.
			b.Navigate(link)
			if got := b.Text("h1"); got != "Page not found" {
				t.Errorf("reused setup link shows %q", got)
			}
		})
	})
}
