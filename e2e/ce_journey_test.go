package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestCEJourneyAsACandidate walks continuing education as the demo's
// certified candidate: the dashboard, the rule of a documentation review,
// an HTML file renamed .pdf refused by the files field with the rest of the
// form kept, then a 95-minute review with a PDF sent for 1.5 credits and
// found in the history. The same pages are then read in Spanish on a phone.
// Every page passes the accessibility check and shows no message ID.
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
		follow(b, `nav.main-nav a[href="/ce"]`)
		b.Navigate(a.URL + "/ce/history")
		if !strings.Contains(b.Text("main"), "Well-architected framework whitepaper") {
			t.Errorf("the history lacks the new submission:\n%s", b.Text("main"))
		}

		// In Spanish, chosen on the profile, on a phone.
		es := testutil.NewPageBrowser(t, "es", testutil.PhoneViewport)
		signInAs(t, a, es, email, password)
		es.Navigate(a.URL + "/profile")
		es.Fill("#country", "ES")
		es.Fill("#region", "ES-M")
		es.Fill("#language", "es")
		es.Submit(`form.profile-form > button.button`)
		if es.HasElement(".error-summary") || es.HasElement(".field-error") {
			t.Fatalf("the profile refused the language: %s", es.Text("main"))
		}
		es.Navigate(a.URL + "/ce")
		if got := es.Text("h1"); got != "Formación continua" {
			t.Errorf("the Spanish dashboard's heading = %q", got)
		}
		for _, path := range []string{"/ce", "/ce/submit?type=documentation_review", "/ce/history"} {
			es.Navigate(a.URL + path)
			screenshot(t, es, "es-phone"+strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(path))
		}
	})
}
