package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// resultsJourney is the results journey's browser with the pages each
// visitor saw, to see them again in Spanish.
type resultsJourney struct {
	t       *testing.T
	a       *apptest.App
	b       *testutil.Browser
	english *englishCatalog
	seen    []seenPage
}

// seenPage is a page of the journey: its screenshot name and address.
type seenPage struct{ name, url string }

// page checks the current page in English at desktop and phone sizes and
// keeps it for the Spanish pass.
func (j *resultsJourney) page(name string) {
	j.t.Helper()
	checkPage(j.t, j.b, name)
	j.seen = append(j.seen, seenPage{name, j.b.URL()})
}

// setLanguage saves lang as the signed-in visitor's language in the
// profile, as a person does, and waits for the saved profile.
func (j *resultsJourney) setLanguage(lang string) {
	j.t.Helper()
	j.b.Navigate(j.a.URL + "/profile")
	if j.b.Value("#country") == "" {
		// The demo accounts have no country yet, which the profile needs.
		j.b.Fill("#country", "ES")
		j.b.WaitVisible("#region")
		j.b.Fill("#region", "ES-M")
	}
	j.b.Fill("#language", lang)
	j.b.Submit(`form[action="/profile"] button[type=submit]`)
	if !strings.Contains(j.b.URL(), "/profile?notice=") {
		j.t.Fatalf("saving the language %s: at %s; main %q", lang, j.b.URL(), j.b.Text("main"))
	}
}

// inSpanish switches the signed-in visitor to Spanish, opens every page
// they saw again and checks it (accessibility at both sizes, no English
// catalog message), runs more (pages reached by a form, or nil), and
// switches back to English. Texts in allow are data, not messages.
func (j *resultsJourney) inSpanish(more func(), allow ...string) {
	j.t.Helper()
	j.setLanguage("es")
	for _, p := range j.seen {
		j.b.Navigate(p.url)
		checkPage(j.t, j.b, p.name+"-es")
		checkNoEnglish(j.t, j.b, j.english, allow...)
	}
	if more != nil {
		more()
	}
	j.setLanguage("en")
	j.seen = nil
}

// signOut signs the visitor out.
func (j *resultsJourney) signOut() {
	j.t.Helper()
	j.b.Submit(`form[action="/signout"] button`)
}

// demoLoginID is the login ID `serve --demo` printed for the account label.
func demoLoginID(t *testing.T, a *apptest.App, label string) string {
	t.Helper()
	m := regexp.MustCompile(label + `\s+email \S+\s+password \S+\s+\(login ID (\S+)\)`).FindStringSubmatch(a.Stdout())
	if m == nil {
		t.Fatalf("no login ID of the demo %s in:\n%s", label, a.Stdout())
	}
	return m[1]
}

// waitImport reloads an import's report until it is no longer being
// read, checked or applied (a job does that work) and returns its state.
func (j *resultsJourney) waitImport() string {
	j.t.Helper()
	url := j.b.URL()
	deadline := time.Now().Add(30 * time.Second)
	for j.b.HasElement("#import-progress") {
		if time.Now().After(deadline) {
			j.t.Fatalf("import still busy after 30 s: %q", j.b.Text("#import-progress"))
		}
		time.Sleep(200 * time.Millisecond)
		j.b.Navigate(url)
	}
	return j.b.Text("#import-state")
}

// uploadResults uploads a CSV file with content on the import page and
// waits for its report.
func (j *resultsJourney) uploadResults(name, content string) string {
	j.t.Helper()
	path := filepath.Join(j.t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		j.t.Fatal(err)
	}
	j.b.Navigate(j.a.URL + "/console/results/imports")
	j.b.Upload("#file", path)
	j.b.Submit(`form[action="/console/results/imports"] button[type=submit]`)
	if !regexp.MustCompile(`/console/results/imports/\d+$`).MatchString(j.b.URL()) {
		j.t.Fatalf("after uploading %s: at %s; main %q", name, j.b.URL(), j.b.Text("main"))
	}
	return j.waitImport()
}

// historyEntry is the selector of the exam history's entry for the exam
// code, failing the test when there is none.
func (j *resultsJourney) historyEntry(code string) string {
	j.t.Helper()
	return entryWith(j.t, j.b, "section.history-exams li.history-entry", "h3 code", code)
}

// entryWith is the selector of the first of the elements item (a list's
// entries, told apart with :nth-child) whose element codeSel reads code,
// failing the test when there is none.
func entryWith(t *testing.T, b *testutil.Browser, item, codeSel, code string) string {
	t.Helper()
	for n := 1; b.HasElement(fmt.Sprintf("%s:nth-child(%d)", item, n)); n++ {
		sel := fmt.Sprintf("%s:nth-child(%d)", item, n)
		if b.Text(sel+" "+codeSel) == code {
			return sel
		}
	}
	t.Fatalf("no %s reads %s in %q", item, code, b.Text("main"))
	return ""
}

// TestResultsJourney walks the results journey in a browser as its users
// would, on the demo data. A results officer uploads a file of results
// with one bad row, reads the report (row, column, reason), uploads the
// fixed file and applies it; the officer enters a result in the console
// and the demo admin, a second officer, confirms it from the queue. The
// demo candidate sees it provisional (no score, the official date); five
// business days later (the clock moved, the due-work sweep publishes) the
// official result with its score and score report, the certification and
// the pass voucher. A retake booked inside the wait after the imported
// failure is refused with the date. Every page passes the accessibility
// check at desktop and phone sizes in English and Spanish, and the
// Spanish pages show no English catalog message.
func TestResultsJourney(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		// A failure shows the end of the app's log: a job's error there
		// explains a page that waited in vain.
		t.Cleanup(func() {
			if t.Failed() {
				log := a.Stderr()
				if len(log) > 8000 {
					log = log[len(log)-8000:]
				}
				t.Logf("end of the app's log:\n%s", log)
			}
		})
		j := &resultsJourney{t: t, a: a, b: testutil.NewBrowser(t), english: loadEnglishCatalog(t)}
		b := j.b
		dana := demoLoginID(t, a, "candidate")
		noor := demoLoginID(t, a, "certified")
		now := a.Clock.Now().UTC()
		// The results are dated in the program's calendar: UTC, Monday to
		// Friday, on the demo.
		failedAt := now.AddDate(0, 0, -2).Truncate(time.Hour) // DVA-C02, not passed
		passedAt := now.Add(-time.Hour).Truncate(time.Hour)   // SAA-C03, entered in the console
		retakeFrom := failedAt.AddDate(0, 0, 14)
		official := officialDay(passedAt, 5)

		// 1. The results officer uploads a file whose second row has a
		// score out of range.
		signInAsDemoStaff(t, a, b, "results_officer")
		follow(b, `nav.main-nav a[href="/console/results/imports"]`)
		if got := b.Text("h1"); got != "Import results" {
			t.Errorf("imports h1 %q", got)
		}
		j.page("imports")
		header := "login_id,exam_code,delivered_at,score,passed,domain:Security\n"
		failRow := fmt.Sprintf("%s,DVA-C02,%s,640,fail,needs_improvement\n", dana, failedAt.Format(time.RFC3339))
		badRow := fmt.Sprintf("%s,SAP-C02,%s,7800,,\n", noor, failedAt.Format(time.RFC3339))
		goodRow := strings.Replace(badRow, ",7800,", ",780,", 1)
		if state := j.uploadResults("results-bad.csv", header+failRow+badRow); state != "Checked" {
			t.Errorf("the file with a bad row: state %q", state)
		}
		if got := b.Text("#import-failed"); !strings.Contains(got, "1") {
			t.Errorf("report summary %q", got)
		}
		if b.HasElement(`form[action$="/apply"]`) {
			t.Error("a file with a bad row can be applied")
		}
		if b.HasElement("#import-problems tbody tr:nth-child(2)") {
			t.Errorf("more than one problem: %q", b.Text("#import-problems tbody"))
		}
		for sel, want := range map[string]string{
			"#import-problems tbody td:nth-child(1)": "3",
			"#import-problems tbody td:nth-child(2)": "score",
			"#import-problems tbody td:nth-child(3)": "7800",
			"#import-problems tbody td:nth-child(4)": "Enter a whole-number score from 100 to 1,000.",
		} {
			if got := b.Text(sel); got != want {
				t.Errorf("problem %s = %q, want %q", sel, got, want)
			}
		}
		j.page("import-bad")

		// The fixed file is checked clean and applied.
		if state := j.uploadResults("results.csv", header+failRow+goodRow); state != "Checked" {
			t.Fatalf("the fixed file: state %q; main %q", state, b.Text("main"))
		}
		if got := b.Text("#import-clean"); !strings.Contains(got, "2") {
			t.Errorf("clean file notice %q", got)
		}
		j.page("import-clean")
		b.Submit(`form[action$="/apply"] button[type=submit]`)
		if state := j.waitImport(); state != "Applied" {
			t.Fatalf("after applying: state %q; main %q", state, b.Text("main"))
		}
		if got := b.Text("#import-done"); !strings.Contains(got, "2") {
			t.Errorf("applied notice %q", got)
		}
		j.page("import-applied")
		follow(b, `main a[href="/console/results/imports"]`)
		if got := b.Text("#imports-caption + thead + tbody"); !strings.Contains(got, "results.csv") || !strings.Contains(got, "Applied") {
			t.Errorf("import list %q", got)
		}

		// 2. The officer enters Dana's SAA-C03 result with its domains.
		follow(b, `nav.main-nav a[href="/console/results"]`)
		follow(b, `main a[href="/console/results/new"]`)
		j.page("result-new")
		b.Fill("#candidate", dana)
		b.Fill("#exam_code", "SAA-C03")
		b.Fill("#delivered_at", passedAt.Format("2006-01-02T15:04"))
		b.Fill("#score", "790")
		b.Fill("#domains", "Design Secure Architectures | meets\nDesign Resilient Architectures | needs improvement\n"+
			"Design High-Performing Architectures | meets\nDesign Cost-Optimized Architectures | meets")
		b.Submit(`form[action="/console/results"] button[type=submit]`)
		m := regexp.MustCompile(`/console/results/(\d+)`).FindStringSubmatch(b.URL())
		if m == nil {
			t.Fatalf("after entering: at %s; main %q", b.URL(), b.Text("main"))
		}
		result := m[1]
		if got := noticeText(b); !strings.Contains(got, "second results officer") {
			t.Errorf("notice after entering %q", got)
		}
		if got := b.Text(".result-state"); got != "Awaiting confirmation" {
			t.Errorf("entered result state %q", got)
		}
		j.page("result-entered")
		// The officer who entered it is offered no confirmation, and told why.
		if b.HasElement(`form[action$="/confirm"]`) {
			t.Error("the officer who entered the result is offered to confirm it")
		}
		if got := b.Text(".entered-by-you"); got != "A second results officer must confirm this result: you entered it." {
			t.Errorf("the entering officer's note %q", got)
		}
		j.inSpanish(nil, "Dana Rivera", "Noor Haddad")
		j.signOut()

		// The demo admin, a second officer, confirms it from the queue.
		signInAsDemoStaff(t, a, b, "admin")
		follow(b, `nav.main-nav a[href="/console/results"]`)
		entry := "#result-" + result
		if got := b.Text(entry); !strings.Contains(got, "Dana Rivera") || !strings.Contains(got, "SAA-C03") || !strings.Contains(got, "790 / 720") {
			t.Errorf("queue entry %q", got)
		}
		j.page("queue")
		b.Submit(entry + ` form[action$="/confirm"] button[type=submit]`)
		if got := noticeText(b); !strings.Contains(got, "Result confirmed") {
			t.Errorf("notice after confirming %q at %s", got, b.URL())
		}
		if b.HasElement(entry) {
			t.Error("the confirmed result is still in the queue")
		}
		j.page("queue-confirmed")
		b.Navigate(a.URL + "/console/results/" + result)
		if got := b.Text(".result-state"); got != "Provisional" {
			t.Errorf("confirmed result state %q", got)
		}
		j.page("result-confirmed")
		j.inSpanish(nil, "Dana Rivera")
		j.signOut()

		// 3. Dana sees both results provisional: the outcome, no score,
		// the day they become official.
		email, password := demoAccount(t, a, "candidate")
		signInAs(t, a, b, email, password)
		follow(b, `nav.main-nav a[href="/history"]`)
		saa := j.historyEntry("SAA-C03")
		if got := b.Text(saa + " .status"); got != "Provisional" {
			t.Errorf("SAA-C03 status %q", got)
		}
		if got, want := b.Text(saa+" .history-explain"), "Provisional pass. It becomes official on "+official.Format("Jan 2, 2006"); !strings.HasPrefix(got, want) {
			t.Errorf("SAA-C03 explanation %q, want it to start %q", got, want)
		}
		if got := b.Text(saa + " dl"); strings.Contains(got, "790") || strings.Contains(got, "Score") {
			t.Errorf("a provisional result shows its score: %q", got)
		}
		if b.HasElement(saa + ` a[href^="/history/"]`) {
			t.Error("a provisional result links to a score report")
		}
		dva := j.historyEntry("DVA-C02")
		if got := b.Text(dva + " .history-explain"); !strings.HasPrefix(got, "Provisionally not passed") {
			t.Errorf("DVA-C02 explanation %q", got)
		}
		j.page("history-provisional")
		follow(b, `nav.main-nav a[href="/dashboard"]`)
		j.page("dashboard-provisional")
		j.inSpanish(nil, "Dana Rivera")
		j.signOut()

		// 4. Five business days on, the due-work sweep publishes it.
		a.Clock.Advance(7 * 24 * time.Hour)
		signInAs(t, a, b, email, password)
		if got := pollTextFor(t, b, a.URL+"/history", "main", "Score report for SAA-C03", 40*time.Second); !strings.Contains(got, "Score report for SAA-C03") {
			t.Fatalf("SAA-C03 not official 40 s after the clock moved: %q", got)
		}
		saa = j.historyEntry("SAA-C03")
		if got := b.Text(saa + " .status"); got != "Passed" {
			t.Errorf("official SAA-C03 status %q", got)
		}
		if got := b.Text(saa + " dl"); !strings.Contains(got, "790 (passing score 720)") {
			t.Errorf("official SAA-C03 facts %q", got)
		}
		dva = j.historyEntry("DVA-C02")
		if got, want := b.Text(dva+" .history-explain"), "You may book a retake starting on or after "+retakeFrom.Format("Jan 2, 2006"); !strings.HasPrefix(got, want) {
			t.Errorf("DVA-C02 explanation %q, want it to start %q", got, want)
		}
		j.page("history-official")

		follow(b, saa+` a[href^="/history/"]`)
		for sel, want := range map[string]string{
			".report-name": "Dana Rivera", ".report-score": "790", ".report-passing": "720", ".report-outcome": "Pass",
			".report-date": passedAt.Format("Jan 2, 2006"),
		} {
			if got := b.Text(sel); got != want {
				t.Errorf("score report %s = %q, want %q", sel, got, want)
			}
		}
		if got := b.Text("table.report-domains tbody tr:nth-child(2)"); !strings.Contains(got, "Design Resilient Architectures") || !strings.Contains(got, "Needs improvement") {
			t.Errorf("score report domain row 2 %q", got)
		}
		j.page("score-report")

		follow(b, `nav.main-nav a[href="/certifications"]`)
		cert := b.Text("ul.cert-list")
		for _, want := range []string{"Solutions Architect – Associate", "Active", passedAt.Format("Jan 2, 2006"), passedAt.AddDate(3, 0, 0).Format("Jan 2, 2006"), "SAA-C03"} {
			if !strings.Contains(cert, want) {
				t.Errorf("certifications lack %q: %q", want, cert)
			}
		}
		j.page("certifications")

		// The new certification's credential follows the publication
		// within seconds, and links its public verification page.
		if got := pollTextFor(t, b, a.URL+"/certifications", "ul.cert-list li:first-child", "Public verification page", 40*time.Second); !strings.Contains(got, "Public verification page") {
			t.Fatalf("no credential 40 s after the publication: %q", got)
		}
		follow(b, `ul.cert-list li:first-child li.cert-credential a[href^="/credentials/"]`)
		if got := b.Text("main"); !strings.Contains(got, "Dana Rivera") || !strings.Contains(got, "Solutions Architect") || !strings.Contains(got, "did:web:") {
			t.Errorf("verification page %q", got)
		}
		j.page("credential")

		follow(b, `nav.main-nav a[href="/benefits"]`)
		voucher, code := b.Text(".benefit-voucher"), b.Text(".benefit-voucher code")
		if !strings.Contains(voucher, "50%") || !strings.Contains(voucher, "valid until "+passedAt.AddDate(3, 0, 0).Format("Jan 2, 2006")) || code == "" {
			t.Errorf("pass voucher %q", voucher)
		}
		j.page("benefits")

		// The voucher takes half off another exam in the cart (at a test
		// center: an online seat would keep the online retake below from
		// its time).
		b.Navigate(a.URL + "/schedule/SAP-C02/centers/1")
		follow(b, "ul.date-list li:first-child a")
		b.Submit("ul.slot-list li:first-child button")
		b.Fill("form.voucher-form input[name=code]", code)
		b.Submit("form.voucher-form button[type=submit]")
		if got := noticeText(b); !strings.Contains(got, "The voucher was applied") {
			t.Errorf("after applying the pass voucher: notice %q; main %q", got, b.Text("main"))
		}
		if got := b.Text("ul.cart-items li"); !strings.Contains(got, "$300.00 − $150.00") {
			t.Errorf("cart item with the pass voucher %q", got)
		}
		j.page("cart-pass-voucher")
		follow(b, `nav.main-nav a[href="/dashboard"]`)
		j.page("dashboard-certified")

		// 5. A retake of DVA-C02 online inside the wait is refused with
		// the first day it may start.
		retake := func() string {
			t.Helper()
			b.Navigate(a.URL + "/schedule/DVA-C02/online")
			follow(b, "ul.date-list li:first-child a")
			b.Submit("ul.slot-list li:first-child button")
			if !b.HasElement(".error-summary") {
				t.Fatalf("a retake inside the wait was not refused: at %s; main %q", b.URL(), b.Text("main"))
			}
			return b.Text(".error-summary")
		}
		if got, want := retake(), "from "+retakeFrom.Format("Jan 2, 2006"); !strings.Contains(got, want) {
			t.Errorf("retake refusal %q lacks %q", got, want)
		}
		checkPage(t, b, "retake-refused")
		j.inSpanish(func() {
			retake()
			checkPage(t, b, "retake-refused-es")
			checkNoEnglish(t, b, j.english, "Dana Rivera")
		}, "Dana Rivera")
	})
}

// officialDay is the start of the day n business days (Monday to Friday)
// after the day of t, in UTC.
func officialDay(t time.Time, n int) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			n--
		}
	}
	return d
}
