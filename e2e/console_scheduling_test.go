package e2e_test

import (
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// demoAccount is the e-mail address and password of the demo account
// label ("admin" or "candidate") as `serve --demo` printed them.
func demoAccount(t *testing.T, a *apptest.App, label string) (email, password string) {
	t.Helper()
	m := regexp.MustCompile(label + `\s+email (\S+)\s+password (\S+)`).FindStringSubmatch(a.Stdout())
	if m == nil {
		t.Fatalf("no demo %s account in:\n%s", label, a.Stdout())
	}
	return m[1], m[2]
}

// signInAs opens the sign-in page and signs in with email and password.
func signInAs(t *testing.T, a *apptest.App, b *testutil.Browser, email, password string) {
	t.Helper()
	b.Navigate(a.URL + "/signin")
	b.Fill("#email", email)
	b.Fill("#password", password)
	b.Submit(`form[action="/signin"] button[type=submit]`)
}

// checkFieldErrors checks that the form came back with the error summary
// and that each of fields shows its error next to it, is marked invalid,
// points at its error and is linked from the summary.
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
			t.Errorf("the error summary does not link to %s: %q", f, b.Text(".error-summary"))
		}
	}
}

// bookAsDemoCandidate signs the demo candidate in, books exam at the first
// demo center (ID 1) at the first time of its first free date, pays with
// the test card and opens the booking's page; it returns the date.
func bookAsDemoCandidate(t *testing.T, a *apptest.App, b *testutil.Browser, exam string) string {
	t.Helper()
	email, password := demoAccount(t, a, "candidate")
	signInAs(t, a, b, email, password)
	if !strings.HasSuffix(b.URL(), "/dashboard") {
		t.Fatalf("candidate after sign-in: %s", b.URL())
	}
	b.Navigate(a.URL + "/schedule/" + exam + "/centers/1")
	if got := b.Text("h1"); got != "Pioneer Square Testing Center" {
		t.Fatalf("center 1 is %q, want the first demo center", got)
	}
	follow(b, "ul.date-list li:first-child a")
	m := regexp.MustCompile(`[?&]date=(\d{4}-\d{2}-\d{2})`).FindStringSubmatch(b.URL())
	if m == nil {
		t.Fatalf("no date in the address %s", b.URL())
	}
	b.Submit("ul.slot-list li:first-child button")
	b.Fill("#card", "4242 4242 4242 4242")
	b.Submit(`form[action="/checkout"] button[type=submit]`)
	if got := b.Text("h1"); got != "Your exam is booked" {
		t.Fatalf("candidate after paying: h1 %q at %s", got, b.URL())
	}
	follow(b, `main ul a[href^="/bookings/"]`)
	return m[1]
}

// TestConsoleSchedulingPages opens the console's scheduling pages as the
// demo admin, after setting up an authenticator as staff must: the test
// center list, the new-center form (and its errors when sent empty), the
// center import, a booking search, a center's roster for a day and the
// vouchers (and the form's errors for a 0 % discount). First the demo
// candidate books an exam, so that the booking search and the roster have
// a row with its actions to show. Every page passes the accessibility
// check at desktop and phone sizes.
func TestConsoleSchedulingPages(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		b := testutil.NewBrowser(t)

		// The demo candidate, Dana Rivera, books SAA-C03 at the first demo
		// center (ID 1) on its first free date.
		day := bookAsDemoCandidate(t, a, b, "SAA-C03")
		ref := b.Text(".confirmation dl code")
		b.Submit(`form[action="/signout"] button`)

		// The demo admin signs in and sets up an authenticator first.
		adminEmail, adminPassword := demoAccount(t, a, "admin")
		signInAs(t, a, b, adminEmail, adminPassword)
		if !strings.HasSuffix(b.URL(), "/profile/security/totp?required=1") {
			t.Fatalf("demo admin after sign-in: %s", b.URL())
		}
		enrolTOTPInBrowser(t, a, b)
		b.Click(`main a.button`)
		b.WaitVisible("body.console h1")
		if !strings.HasSuffix(b.URL(), "/console") {
			t.Fatalf("after MFA set-up: %s", b.URL())
		}

		// Test centers: the demo's, each with an edit link.
		b.Click(`nav.main-nav a[href="/console/centers"]`)
		b.WaitVisible("table")
		if got := b.Text("h1"); got != "Test centers" {
			t.Errorf("centers h1 %q", got)
		}
		if got := b.Text("tbody"); !strings.Contains(got, "US-SEA01") || !strings.Contains(got, "Pioneer Square Testing Center") {
			t.Errorf("center list lacks US-SEA01: %q", got)
		}
		if !b.HasElement(`tbody a[href="/console/centers/1"]`) {
			t.Error("center list has no edit link for center 1")
		}
		checkPage(t, b, "centers")

		// A new center, sent empty: the summary and each field's error.
		follow(b, `main a[href="/console/centers/new"]`)
		if got := b.Text("h1"); got != "New test center" {
			t.Errorf("new center h1 %q", got)
		}
		checkPage(t, b, "center-new")
		b.Submit(`form[action="/console/centers"] button[type=submit]`)
		if got := b.Text("h1"); got != "New test center" {
			t.Errorf("after sending the empty form: h1 %q at %s", got, b.URL())
		}
		checkFieldErrors(t, b, "code", "name", "address_line1", "city", "country", "time_zone", "seats")
		checkPage(t, b, "center-new-errors")

		// The import page.
		b.Navigate(a.URL + "/console/centers")
		follow(b, `main a[href="/console/centers/import"]`)
		if got := b.Text("h1"); got != "Import test centers" {
			t.Errorf("import h1 %q", got)
		}
		if !b.HasElement(`input#file[type=file][aria-describedby~="file-hint"]`) {
			t.Error("the import page has no file field pointing at its hint")
		}
		checkPage(t, b, "centers-import")

		// Bookings: search for the demo candidate.
		b.Click(`nav.main-nav a[href="/console/bookings"]`)
		b.WaitVisible("#q")
		if got := b.Text("h1"); got != "Bookings" {
			t.Errorf("bookings h1 %q", got)
		}
		b.Fill("#q", "Dana")
		b.Submit(`form[action="/console/bookings"] button[type=submit]`)
		row := b.Text("tbody")
		for _, want := range []string{ref, "Dana Rivera", "SAA-C03", "Pioneer Square Testing Center", "Confirmed"} {
			if !strings.Contains(row, want) {
				t.Errorf("booking search for Dana lacks %q: %q", want, row)
			}
		}
		if !b.HasElement(`tbody form[action$="/cancel"] input[name=reason]`) {
			t.Error("the confirmed booking has no cancel form")
		}
		checkPage(t, b, "bookings-dana")

		// The roster of center 1 on the booked day: its sessions, with
		// Dana in one of them.
		b.Navigate(a.URL + "/console/roster?center=1")
		if got := b.Text("h1"); got != "Roster" {
			t.Errorf("roster h1 %q", got)
		}
		b.Fill("#date", day)
		b.Submit(`form[action="/console/roster"] button[type=submit]`)
		if !strings.Contains(b.URL(), "date="+day) {
			t.Errorf("after choosing the day: %s", b.URL())
		}
		if got := b.Text("main h2"); !strings.Contains(got, "Pioneer Square Testing Center") {
			t.Errorf("roster heading %q", got)
		}
		if !b.HasElement("section.card h3") {
			t.Fatalf("no sessions on %s: %q", day, b.Text("main"))
		}
		if got := b.Text("section.card table"); !strings.Contains(got, "Dana Rivera") || !strings.Contains(got, "SAA-C03") {
			t.Errorf("roster on %s lacks Dana's booking: %q", day, got)
		}
		if !b.HasElement(`section.card form[action$="/absent"] button`) {
			t.Error("the roster offers no way to mark Dana absent")
		}
		checkPage(t, b, "roster")

		// Vouchers: the demo's two (codes are stored without their
		// hyphens), and the form's errors for 0 %.
		b.Navigate(a.URL + "/console/vouchers")
		if got := b.Text("h1"); got != "Vouchers" {
			t.Errorf("vouchers h1 %q", got)
		}
		if got := b.Text("tbody"); !strings.Contains(got, "DEMOHALF") || !strings.Contains(got, "DEMOFREESAA") {
			t.Errorf("voucher list: %q", got)
		}
		checkPage(t, b, "vouchers")
		b.Fill("#percent", "0")
		b.Submit(`form[action="/console/vouchers"] button[type=submit]`)
		checkFieldErrors(t, b, "percent")
		if got := b.Text("#percent-error"); !strings.Contains(got, "1 to 100") {
			t.Errorf("percent error %q", got)
		}
		checkPage(t, b, "vouchers-errors")
	})
}
