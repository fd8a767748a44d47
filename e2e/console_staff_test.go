package e2e_test

import (
	"fmt"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// signInAsDemoStaff signs the demo staff account label in and sets up the
// authenticator that staff need before the console opens, whose key it
// returns; it ends on the console's home page.
func signInAsDemoStaff(t *testing.T, a *apptest.App, b *testutil.Browser, label string) string {
	t.Helper()
	email, password := demoAccount(t, a, label)
	signInAs(t, a, b, email, password)
	if !strings.HasSuffix(b.URL(), "/profile/security/totp?required=1") {
		t.Fatalf("demo %s after sign-in: %s", label, b.URL())
	}
	key, _ := enrolTOTPInBrowser(t, a, b)
	b.Click(`main a.button`)
	b.WaitVisible("body.console h1")
	if !strings.HasSuffix(b.URL(), "/console") {
		t.Fatalf("demo %s after MFA set-up: %s", label, b.URL())
	}
	return key
}

// navLinks returns the addresses the main navigation links to.
func navLinks(t *testing.T, b *testutil.Browser) []string {
	t.Helper()
	var hrefs []string
	for _, href := range []string{"/console", "/console/users", "/console/staff", "/console/bookings", "/console/roster",
		"/console/vouchers", "/console/exams", "/console/centers", "/console/calendar", "/console/audit", "/console/jobs", "/console/mail"} {
		if b.HasElement(`nav.main-nav a[href="` + href + `"]`) {
			hrefs = append(hrefs, href)
		}
	}
	return hrefs
}

// staffRow returns the number of the staff list's row (from 1) whose
// e-mail address is email, or 0 when there is none.
func staffRow(t *testing.T, b *testutil.Browser, email string) int {
	t.Helper()
	for n := 1; b.HasElement(fmt.Sprintf("tbody tr:nth-child(%d)", n)); n++ {
		if b.Text(fmt.Sprintf("tbody tr:nth-child(%d) td:nth-child(2)", n)) == email {
			return n
		}
	}
	return 0
}

// fitsPhone checks that every element sel lies within a phone's width,
// then goes back to the desktop size.
func fitsPhone(t *testing.T, b *testutil.Browser, sel string) {
	t.Helper()
	b.Phone()
	if !b.InViewport(sel) {
		t.Errorf("on a phone, some of %q lie beyond the edge of the screen at %s", sel, b.URL())
	}
	b.SetViewport(testutil.DesktopWidth, testutil.DesktopHeight)
}

// TestConsoleStaffPages opens the console's staff pages as the demo admin,
// after setting up an authenticator as staff must: the staff list, the
// invitation form (sent first without a permission set, then with two),
// the list with the invited member, and the member's account page with
// its permission checkboxes, where a change is saved. Then the demo
// scheduler sees only the console pages the scheduler set opens and is
// refused the user administration. Every page passes the accessibility
// check at desktop and phone sizes.
func TestConsoleStaffPages(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		b := testutil.NewBrowser(t)
		signInAsDemoStaff(t, a, b, "admin")

		// The staff list: every demo staff account with its set.
		b.Click(`nav.main-nav a[href="/console/staff"]`)
		b.WaitVisible("table")
		if got := b.Text("h1"); got != "Staff" {
			t.Errorf("staff h1 %q", got)
		}
		if got := b.Text("tbody"); !strings.Contains(got, "scheduler@demo.certportal.localhost") || !strings.Contains(got, "Results officer") {
			t.Errorf("staff list lacks the demo scheduler or results officer: %q", got)
		}
		checkPage(t, b, "staff")

		// On a phone the admin's many console sections stay on one line
		// (it scrolls sideways), so each page's content starts on the first
		// screen rather than below a wrapped menu.
		b.Phone()
		if h := b.Height("nav.main-nav"); h == 0 || h > 64 {
			t.Errorf("on a phone the console navigation is %.0f px high, want one line (at most 64 px)", h)
		}
		b.SetViewport(testutil.DesktopWidth, testutil.DesktopHeight)

		// The invitation form: one checkbox per set, each with its hint.
		follow(b, `main a[href="/console/staff/invite"]`)
		if got := b.Text("h1"); got != "Invite a staff member" {
			t.Fatalf("invite h1 %q at %s", got, b.URL())
		}
		for _, set := range []string{"admin", "scheduler", "support", "results_officer", "credential_officer", "ce_reviewer"} {
			box := `fieldset input[type=checkbox][name=sets][value="` + set + `"]`
			if !b.HasElement(box) {
				t.Errorf("no checkbox for the %s set", set)
				continue
			}
			if b.HasElement(box + `:checked`) {
				t.Errorf("the %s set is checked on a new invitation", set)
			}
		}
		checkPage(t, b, "staff-invite")
		fitsPhone(t, b, "fieldset .checkbox label")

		// Sent without a set: the form comes back with the error in the
		// fieldset and in the summary, whose link leads to the first box.
		b.Fill("#email", "noa.levi@example.org")
		b.Fill("#first_name", "Noa")
		b.Fill("#last_name", "Levi")
		b.Submit(`form[action="/console/staff/invite"] button[type=submit]`)
		if got := b.Text("h1"); got != "Invite a staff member" {
			t.Fatalf("after sending no set: h1 %q at %s", got, b.URL())
		}
		if !b.HasElement(".error-summary") {
			t.Fatalf("no error summary; main %q", b.Text("main"))
		}
		if got := b.Text("fieldset #sets-error"); got != "Choose at least one permission set." {
			t.Errorf("error in the fieldset %q", got)
		}
		if !b.HasElement(`fieldset.field-invalid[aria-describedby~="sets-error"]`) {
			t.Error("the fieldset is not marked invalid or does not point at its error")
		}
		if got := b.Text(`.error-summary a[href="#sets"]`); got != "Choose at least one permission set." {
			t.Errorf("summary link to the sets %q", got)
		}
		if !b.HasElement(`fieldset input[type=checkbox]#sets`) {
			t.Error("the summary's link to #sets leads to no checkbox of the fieldset")
		}
		if got := b.Value("#email"); got != "noa.levi@example.org" {
			t.Errorf("the e-mail address was not kept: %q", got)
		}
		b.Click(`.error-summary a[href="#sets"]`)
		if !b.HasElement(`fieldset input[type=checkbox]:focus`) {
			t.Error("following the summary's link does not focus a checkbox of the fieldset")
		}
		checkPage(t, b, "staff-invite-errors")

		// Sent with two sets: back on the list, with the member invited.
		b.Click(`input[value="scheduler"]`)
		b.Click(`input[value="support"]`)
		b.Submit(`form[action="/console/staff/invite"] button[type=submit]`)
		if !strings.HasSuffix(b.URL(), "/console/staff?notice=staff_invited") {
			t.Fatalf("after inviting: %s; main %q", b.URL(), b.Text("main"))
		}
		if got := noticeText(b); !strings.Contains(got, "Invitation sent") {
			t.Errorf("notice after inviting %q", got)
		}
		n := staffRow(t, b, "noa.levi@example.org")
		if n == 0 {
			t.Fatalf("the staff list lacks the invited member: %q", b.Text("tbody"))
		}
		member := b.Text(fmt.Sprintf("tbody tr:nth-child(%d)", n))
		for _, want := range []string{"Noa Levi", "Scheduler, Support", "Invited"} {
			if !strings.Contains(member, want) {
				t.Errorf("the invited member's row lacks %q: %q", want, member)
			}
		}
		checkPage(t, b, "staff-invited")
		// On a phone every cell of the list is in view: the sets and the
		// status are not left beyond the edge of a scrolling box.
		fitsPhone(t, b, "tbody td")

		// The member's page: the permission sets as checkboxes, the
		// member's two checked.
		follow(b, fmt.Sprintf(`tbody tr:nth-child(%d) a[href^="/console/users/"]`, n))
		if got := b.Text("h1"); got != "Noa Levi" {
			t.Fatalf("member page h1 %q at %s", got, b.URL())
		}
		for set, want := range map[string]bool{"admin": false, "scheduler": true, "support": true, "results_officer": false} {
			if got := b.HasElement(`form[action$="/permissions"] input[value="` + set + `"]:checked`); got != want {
				t.Errorf("%s checked = %v, want %v", set, got, want)
			}
		}
		checkPage(t, b, "staff-member")

		// Support goes, results officer comes.
		b.Click(`form[action$="/permissions"] input[value="support"]`)
		b.Click(`form[action$="/permissions"] input[value="results_officer"]`)
		b.Submit(`form[action$="/permissions"] button[type=submit]`)
		if got := noticeText(b); !strings.Contains(got, "Permissions saved") {
			t.Errorf("notice after saving %q at %s", got, b.URL())
		}
		for set, want := range map[string]bool{"scheduler": true, "support": false, "results_officer": true} {
			if got := b.HasElement(`form[action$="/permissions"] input[value="` + set + `"]:checked`); got != want {
				t.Errorf("after saving: %s checked = %v, want %v", set, got, want)
			}
		}
		if got := b.Text("dl.facts dd.staff-sets"); got != "Scheduler, Results officer" {
			t.Errorf("after saving, the sets read %q", got)
		}
		checkPage(t, b, "staff-member-saved")
		b.Submit(`form[action="/signout"] button`)

		// The demo scheduler sees only the pages of the scheduler set.
		signInAsDemoStaff(t, a, b, "scheduler")
		links := navLinks(t, b)
		for _, forbidden := range []string{"/console/users", "/console/staff", "/console/audit"} {
			for _, l := range links {
				if l == forbidden {
					t.Errorf("the scheduler's navigation links %s", forbidden)
				}
			}
		}
		for _, want := range []string{"/console/bookings", "/console/roster", "/console/vouchers", "/console/centers"} {
			if !b.HasElement(`nav.main-nav a[href="` + want + `"]`) {
				t.Errorf("the scheduler's navigation lacks %s: %v", want, links)
			}
		}
		checkPage(t, b, "scheduler-console")

		b.Navigate(a.URL + "/console/users")
		if got := b.Text("h1"); got != "Access denied" {
			t.Errorf("/console/users for the scheduler: h1 %q", got)
		}
		if b.HasElement("main table") {
			t.Error("the access-denied page lists users")
		}
		if b.HasElement(`nav.main-nav a[aria-current]`) {
			t.Errorf("the access-denied page marks %q as the current page", b.Text(`nav.main-nav a[aria-current]`))
		}
		checkPage(t, b, "scheduler-users-denied")
	})
}
