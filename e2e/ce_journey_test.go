package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestCEJourneyAsACandidate walks continuing education as the demo's
// certified candidate: the dashboard, the rule of a documentation review,
// an HTML file renamed .pdf refused by the files field with the rest of the
// form kept, then a 95-minute review with a PDF sent for 1.5 credits and
// found in the history; a draft saved and reopened on the form. The demo CE
// reviewer approves part of the review with a reason, and the dashboard and
// its chart table count the grant. The candidate's pages are then read in
// Spanish on a phone, the reviewer's in Spanish too. Every page passes the
// accessibility check and shows no message ID.
func TestCEJourneyAsACandidate(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		email, password := demoAccount(t, a, "certified")
		dir := t.TempDir()
		pdfPath, fakePath := filepath.Join(dir, "reading-notes.pdf"), filepath.Join(dir, "notes.pdf")
		if err := os.WriteFile(pdfPath, testutil.OnePagePDF("Reading notes"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fakePath, []byte("<!doctype html><title>notes</title><script>alert(1)</script>"), 0o600); err != nil {
			t.Fatal(err)
		}

		b := testutil.NewPageBrowser(t, "en", testutil.DesktopViewport)
		signInAs(t, a, b, email, password)
		follow(b, `nav.main-nav a[href="/ce"]`)
		if !b.HasElement(".ce-cert") || !strings.Contains(b.Text(".ce-timing"), "2–4 weeks") {
			t.Fatalf("the dashboard lacks a certification or the decision time:\n%s", b.Text("main"))
		}
		screenshot(t, b, "dashboard")

		b.Navigate(a.URL + "/ce/submit?type=documentation_review")
		if rule := b.Text(".ce-rule-text"); rule == "" {
			t.Fatal("the form does not show the rule")
		}
		completed := a.Clock.Now().AddDate(0, 0, -3).Format(time.DateOnly)
		fill := func() {
			b.Fill("#title", "Well-architected framework whitepaper")
			b.Fill("#completed_on", completed)
			b.Fill("#duration", "95")
		}
		fill()
		b.Upload("#evidence", fakePath)
		b.Submit(`button[name=action][value=submit]`)
		if msg := b.Text("#evidence-error"); msg == "" || !strings.Contains(msg, "notes.pdf") {
			t.Errorf("the renamed HTML file's refusal by the files field = %q", msg)
		}
		if got := b.Value("#title"); got != "Well-architected framework whitepaper" {
			t.Errorf("the title after the refusal = %q, want it kept", got)
		}
		screenshot(t, b, "refused")

		fill()
		b.Upload("#evidence", pdfPath)
		b.Submit(`button[name=action][value=submit]`)
		if !strings.HasPrefix(b.URL(), a.URL+"/ce/submissions/") || !strings.Contains(b.Text("main"), "1.5") {
			t.Fatalf("after sending: %s\n%s", b.URL(), b.Text("main"))
		}
		screenshot(t, b, "submission")
		id := regexp.MustCompile(`/ce/submissions/(\d+)`).FindStringSubmatch(b.URL())[1]
		follow(b, `nav.main-nav a[href="/ce"]`)
		approved, reviews := b.Text(".ce-cert .ce-approved"), ceTypeCredits(b, "Whitepaper or documentation review")
		b.Navigate(a.URL + "/ce/history")
		if !strings.Contains(b.Text("main"), "Well-architected framework whitepaper") {
			t.Errorf("the history lacks the new submission:\n%s", b.Text("main"))
		}

		// A draft saved with its file, reopened from the dashboard on the
		// form with the file kept and a box to remove it.
		b.Navigate(a.URL + "/ce/submit?type=conference_talk")
		b.Fill("#title", "Talk on idempotent retries")
		b.Upload("#evidence", pdfPath)
		b.Submit(`button[name=action][value=draft]`)
		follow(b, `nav.main-nav a[href="/ce"]`)
		follow(b, `ul.ce-drafts a`)
		draft := b.URL()
		if got := b.Value("#title"); got != "Talk on idempotent retries" || !b.HasElement(`ul.ce-kept input[type=checkbox][name=remove]`) {
			t.Errorf("the reopened draft: title %q, file kept %q", got, b.Text("main"))
		}
		checkPage(t, b, "draft")

		// The demo CE reviewer finds it in the queue and approves part of
		// it with a reason: 1.25 of the 1.5 credits claimed.
		rb := testutil.NewPageBrowser(t, "en", testutil.DesktopViewport)
		signInAsDemoStaff(t, a, rb, "ce_reviewer")
		follow(rb, `nav.main-nav a[href="/console/ce"]`)
		row := "#ce-" + id
		if !rb.HasElement(row) || !strings.Contains(rb.Text(row), "Well-architected framework whitepaper") {
			t.Fatalf("the review queue lacks the submission %s:\n%s", id, rb.Text("main"))
		}
		checkPage(t, rb, "review-queue")
		follow(rb, row+` a[href="/console/ce/submissions/`+id+`"]`)
		if got := rb.Text(".ce-claimed"); got != "1.5" {
			t.Errorf("the review page's claim = %q, want 1.5", got)
		}
		checkPage(t, rb, "review")
		rb.Fill("#outcome", "partial")
		rb.Fill("#credits", "1.25")
		rb.Fill("#reason_text", "The notes cover 75 minutes of reading.")
		rb.Submit(`form[action$="/decide"] button[type=submit]`)
		if got := rb.Text(".ce-state"); got != "Partly approved" || rb.Text(".ce-granted") != "1.25" {
			t.Fatalf("after the decision: state %q, granted %q\n%s", got, rb.Text(".ce-granted"), rb.Text("main"))
		}
		screenshot(t, rb, "decided")

		// The same console pages in Spanish, chosen on the reviewer's profile.
		chooseSpanish(t, a, rb)
		rb.Navigate(a.URL + "/console/ce")
		if got := rb.Text("h1"); got != "Revisión de formación continua" {
			t.Errorf("the Spanish queue's heading = %q", got)
		}
		checkPage(t, rb, "es-review-queue")
		rb.Navigate(a.URL + "/console/ce/submissions/" + id)
		if got := rb.Text(".ce-granted"); got != "1,25" {
			t.Errorf("the Spanish review page's grant = %q, want 1,25", got)
		}
		checkPage(t, rb, "es-review")

		// The candidate's dashboard and its chart table count the grant.
		b.Navigate(a.URL + "/ce")
		if got, want := b.Text(".ce-cert .ce-approved"), plusCredits(t, approved, 125); got != want {
			t.Errorf("approved credits after the grant = %q, want %q (%q before)", got, want, approved)
		}
		if got, want := ceTypeCredits(b, "Whitepaper or documentation review"), plusCredits(t, reviews, 125); got != want {
			t.Errorf("the chart table's documentation reviews = %q, want %q (%q before)", got, want, reviews)
		}
		screenshot(t, b, "dashboard-granted")
		b.Navigate(a.URL + "/ce/submissions/" + id)
		if got := b.Text(".ce-reason"); !strings.Contains(got, "The notes cover 75 minutes of reading.") || b.Text(".ce-granted") != "1.25" {
			t.Errorf("the candidate's submission: granted %q, reason %q", b.Text(".ce-granted"), got)
		}

		// In Spanish, chosen on the profile, on a phone.
		es := testutil.NewPageBrowser(t, "es", testutil.PhoneViewport)
		signInAs(t, a, es, email, password)
		chooseSpanish(t, a, es)
		es.Navigate(a.URL + "/ce")
		if got := es.Text("h1"); got != "Formación continua" {
			t.Errorf("the Spanish dashboard's heading = %q", got)
		}
		for _, path := range []string{"/ce", "/ce/submit?type=documentation_review", "/ce/history", strings.TrimPrefix(draft, a.URL)} {
			es.Navigate(a.URL + path)
			screenshot(t, es, "es-phone"+strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(path))
		}
	})
}

// chooseSpanish sets the signed-in account's language to Spanish on its
// profile.
func chooseSpanish(t *testing.T, a *apptest.App, b *testutil.Browser) {
	t.Helper()
	b.Navigate(a.URL + "/profile")
	b.Fill("#country", "ES")
	b.Fill("#region", "ES-M")
	b.Fill("#language", "es")
	b.Submit(`form.profile-form > button.button`)
	if b.HasElement(".error-summary") || b.HasElement(".field-error") {
		t.Fatalf("the profile refused the language: %s", b.Text("main"))
	}
}

// ceTypeCredits is the credits the first certification's chart table on
// /ce gives the activity type name, "0" when it has no row.
func ceTypeCredits(b *testutil.Browser, name string) string {
	for n := 1; ; n++ {
		row := fmt.Sprintf(".ce-cert:first-child table.ce-breakdown tbody tr:nth-child(%d)", n)
		if !b.HasElement(row) {
			return "0"
		}
		if b.Text(row+" th") == name {
			return b.Text(row + " td:last-child")
		}
	}
}

// plusCredits adds hundredths to credits written in English.
func plusCredits(t *testing.T, text string, hundredths int) string {
	t.Helper()
	c, err := credits.ParseCredits(text)
	if err != nil {
		t.Fatalf("credits %q: %v", text, err)
	}
	return credits.FormatCredits(c + hundredths)
}
