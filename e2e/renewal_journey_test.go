package e2e_test

import (
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestRenewalJourney walks renewal as the demo's certified holder lives
// it, with mail going to a real SMTP server and the app's clock moving
// over months (docs/renewal.md).
//
// At the start the reminder sweep mails the 6-month reminder of CLF, which
// expires within six months; its link leads, after signing in, to the
// dashboard, whose banner names the same credits still needed and waiting.
// The holder sends a course taught for exactly those credits; the demo CE
// reviewer approves it in the console, and the certification renews at
// once: the renewal mail and the Certifications page give the new expiry,
// one validity after the old one, and a new credential, while the old
// credential's public verification page says superseded, keeps its own
// period and links to the new one, which is valid. The banner is gone.
//
// The clock then moves to the microcredential's 6-month reminder (the
// app restarted on that day runs its hourly sweep at start): its mail and
// the banner name the day its renewal retake opens, 9 months after
// passing, and CLF, renewed, gets no further reminder. At month 8 booking
// the retake is refused with that day on the times page. At month 9 the
// 3-month reminder says the retake is open; the banner's link leads to
// the exams, and the retake is booked and paid. Every page passes the
// accessibility check.
func TestRenewalJourney(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		email, password := demoAccount(t, a, "certified")
		evidence := filepath.Join(t.TempDir(), "course-outline.pdf")
		if err := os.WriteFile(evidence, testutil.OnePagePDF("Course outline"), 0o600); err != nil {
			t.Fatal(err)
		}
		b := testutil.NewPageBrowser(t, "en", testutil.DesktopViewport)

		// 1. The reminder mailed at the start, and the banner it links to.
		reminder := waitMail(t, smtp, email, "expires in 6 months")
		clfName := strings.TrimSuffix(reminder.Subject, " expires in 6 months")
		openMailLink(t, a, b, reminder, "/dashboard", email, password)
		row := "section.reminders li.reminder"
		if got := b.Text(row + " .reminder-expires"); !strings.HasPrefix(got, clfName+" expires on ") || b.HasElement(row+":nth-child(2)") {
			t.Fatalf("the banner %q does not remind of %s alone, which the mail named", b.Text("section.reminders"), clfName)
		}
		needs := regexp.MustCompile(`^Credits still needed: ([\d.]+) of ([\d.]+)\. Credits waiting for a decision, not counted yet: ([\d.]+)\.$`).
			FindStringSubmatch(b.Text(row + " .reminder-needs"))
		if needs == nil || needs[1] == "0" {
			t.Fatalf("the banner's credits: %q", b.Text(row+" .reminder-needs"))
		}
		missing, needed, pending := needs[1], needs[2], needs[3]
		for _, want := range []string{"you still need " + missing + " of the " + needed + " continuing-education credits",
			"Credits waiting for a decision, not counted yet: " + pending + "."} {
			if !strings.Contains(reminder.Text, want) {
				t.Errorf("the reminder mail lacks %q:\n%s", want, reminder.Text)
			}
		}
		checkPage(t, b, "dashboard-reminder")

		// The holder's certifications before the renewal: CLF's expiry
		// and credential, and when the microcredential was passed.
		follow(b, `nav.main-nav a[href="/certifications"]`)
		clf := entryWith(t, b, "ul.cert-list > li", "h2 code", "CLF")
		oldExpiry := certDay(t, b, clf+" .cert-expires")
		oldCredential := localPath(t, b.Attr(clf+" li.cert-credential a:last-child", "href"))
		sls := entryWith(t, b, "ul.cert-list > li", "h2 code", "SLS01")
		passed := certDay(t, b, sls+" .cert-issued")
		slsName := strings.TrimSpace(strings.TrimSuffix(b.Text(sls+" h2"), "SLS01"))

		// 2. A course taught, for exactly the credits still needed.
		follow(b, `nav.main-nav a[href="/ce"]`)
		follow(b, `main a[href="/ce/submit"]`)
		b.Fill("#type", "teaching_course")
		b.Submit(`form.ce-type-form button[type=submit]`)
		b.Fill("#title", "Teaching: cloud foundations evening course")
		b.Fill("#completed_on", a.Clock.Now().AddDate(0, 0, -3).Format(time.DateOnly))
		b.Fill("#claimed", missing)
		b.Upload("#evidence", evidence)
		b.Submit(`button[name=action][value=submit]`)
		m := regexp.MustCompile(`/ce/submissions/(\d+)`).FindStringSubmatch(b.URL())
		if m == nil || b.Text(".ce-claimed") != missing {
			t.Fatalf("after sending: %s, claimed %q\n%s", b.URL(), b.Text(".ce-claimed"), b.Text("main"))
		}
		id := m[1]
		screenshot(t, b, "submission")

		// The demo CE reviewer approves it in the console.
		rb := testutil.NewPageBrowser(t, "en", testutil.DesktopViewport)
		signInAsDemoStaff(t, a, rb, "ce_reviewer")
		follow(rb, `nav.main-nav a[href="/console/ce"]`)
		follow(rb, "#ce-"+id+` a[href="/console/ce/submissions/`+id+`"]`)
		rb.Fill("#outcome", "approve")
		rb.Submit(`form[action$="/decide"] button[type=submit]`)
		if got := rb.Text(".ce-state"); got != "Approved" || rb.Text(".ce-granted") != missing {
			t.Fatalf("after approving: state %q, granted %q\n%s", got, rb.Text(".ce-granted"), rb.Text("main"))
		}
		screenshot(t, rb, "approved")

		// 3. Renewed at once: the mail, then the Certifications page once
		// the new credential is issued.
		newExpiry := oldExpiry.AddDate(3, 0, 0) // the demo's validity: 36 months
		renewed := waitMail(t, smtp, email, "Your certification is renewed – "+clfName)
		for _, want := range []string{"Previous expiry: " + enDay(oldExpiry), "Now valid until: " + enDay(newExpiry)} {
			if !strings.Contains(renewed.Text, want) {
				t.Errorf("the renewal mail lacks %q:\n%s", want, renewed.Text)
			}
		}
		newCredential := oldCredential
		for deadline := time.Now().Add(30 * time.Second); newCredential == oldCredential; time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no new credential for CLF 30 s after the renewal: %q", b.Text(clf))
			}
			b.Navigate(a.URL + "/certifications")
			clf = entryWith(t, b, "ul.cert-list > li", "h2 code", "CLF")
			if b.HasElement(clf + " li.cert-certificate") { // its documents are ready
				newCredential = localPath(t, b.Attr(clf+" li.cert-credential a:last-child", "href"))
			}
		}
		if got := certDay(t, b, clf+" .cert-expires"); !got.Equal(newExpiry) {
			t.Errorf("CLF expires on %s after the renewal, want %s", enDay(got), enDay(newExpiry))
		}
		if got := b.Text(clf + " .cert-renewed"); got != enDay(oldExpiry) {
			t.Errorf("CLF's previous expiry reads %q, want %s", got, enDay(oldExpiry))
		}
		if got := b.Text(clf + " .status"); got != "Active" {
			t.Errorf("CLF's status after the renewal %q", got)
		}
		checkPage(t, b, "certifications-renewed")
		follow(b, clf+" li.cert-certificate a")
		if got := b.Text(".cert-sheet .cert-expires"); got != enDay(newExpiry) {
			t.Errorf("the renewed certificate expires %q, want %s", got, enDay(newExpiry))
		}
		if got := strings.ReplaceAll(b.Text(".cert-sheet .cert-id"), "-", ""); got != path.Base(newCredential) {
			t.Errorf("the renewed certificate names credential %q, want the new %s", got, newCredential)
		}
		checkPage(t, b, "certificate-renewed")
		follow(b, `nav.main-nav a[href="/dashboard"]`)
		if b.HasElement("section.reminders") {
			t.Errorf("the banner still reminds after the renewal: %q", b.Text("section.reminders"))
		}
		b.Submit(`form[action="/signout"] button`)

		// The old credential's public page: superseded, its own period,
		// a link to the new one, which is valid until the new expiry.
		b.Navigate(a.URL + oldCredential)
		if got := b.Text(".credential-status .status"); got != "Superseded" {
			t.Errorf("the old credential's status %q, want Superseded", got)
		}
		if got := b.Text(".credential-expires"); got != enDay(oldExpiry) {
			t.Errorf("the old credential expires %q, want its own cycle's %s", got, enDay(oldExpiry))
		}
		successor := ".credential dl.facts dd a"
		if got := localPath(t, b.Attr(successor, "href")); got != newCredential {
			t.Errorf("the old credential links to %s, want the new %s", got, newCredential)
		}
		checkPage(t, b, "verification-superseded")
		follow(b, successor)
		if got := b.Text(".credential-status .status"); got != "Valid" {
			t.Errorf("the new credential's status %q, want Valid", got)
		}
		if got := b.Text(".credential-expires"); got != enDay(newExpiry) {
			t.Errorf("the new credential expires %q, want %s", got, enDay(newExpiry))
		}
		checkPage(t, b, "verification-new")

		// 4. The microcredential's 6-month reminder: the app restarted on
		// its day runs the hourly sweep at once.
		retakeOn := passed.AddDate(0, 9, 0)
		retake := "You can book a renewal retake from " + enDay(retakeOn) + "."
		a.Clock.Set(passed.AddDate(0, 6, 0).Add(12 * time.Hour))
		a.Restart(t, "--demo")
		reminder = waitMail(t, smtp, email, slsName+" expires in 6 months")
		if want := "You can book the retake from " + enDay(retakeOn) + "."; !strings.Contains(reminder.Text, want) {
			t.Errorf("the microcredential's reminder lacks %q:\n%s", want, reminder.Text)
		}
		openMailLink(t, a, b, reminder, "/dashboard", email, password)
		if got := b.Text("section.reminders"); !strings.Contains(got, slsName+" expires on") || !strings.Contains(got, retake) ||
			strings.Contains(got, clfName) {
			t.Errorf("the banner at the microcredential's reminder: %q", got)
		}
		checkPage(t, b, "dashboard-microcredential")

		// 5. Month 8: the retake is refused with the day it opens.
		a.Clock.Set(passed.AddDate(0, 8, 0).Add(12 * time.Hour))
		signInAs(t, a, b, email, password)
		// holdRetake chooses the first online time of the retake from the
		// exam list.
		holdRetake := func() {
			t.Helper()
			follow(b, `a[href="/schedule/MC-SLS01"]`)
			follow(b, `a.button[href="/schedule/MC-SLS01/online"]`)
			follow(b, "ul.date-list li:first-child a")
			b.Submit("ul.slot-list li:first-child button")
		}
		follow(b, `nav.main-nav a[href="/exams"]`)
		holdRetake()
		if !b.HasElement(".error-summary") || !strings.Contains(b.Text(".error-summary"), retake) {
			t.Fatalf("a retake booked at month 8: at %s, want the refusal %q\n%s", b.URL(), retake, b.Text("main"))
		}
		checkPage(t, b, "retake-refused")

		// 6. Month 9: the 3-month reminder says the retake is open, and
		// it is booked from the banner.
		a.Clock.Set(retakeOn.Add(12 * time.Hour))
		a.Restart(t, "--demo")
		reminder = waitMail(t, smtp, email, slsName+" expires in 3 months")
		openMailLink(t, a, b, reminder, "/dashboard", email, password)
		if got := b.Text("section.reminders"); !strings.Contains(got, "You can book a renewal retake now.") {
			t.Errorf("the banner at month 9: %q", got)
		}
		follow(b, `section.reminders a[href="/exams"]`)
		holdRetake()
		b.Click("#system_checked")
		b.Click("#agree_rules")
		b.Click("#agree_privacy")
		b.Fill("#card", "4242 4242 4242 4242")
		b.Submit(`form[action="/checkout"] button[type=submit]`)
		if got := b.Text("h1"); got != "Your exam is booked" || !strings.Contains(b.Text("main ul"), "MC-SLS01") {
			t.Fatalf("the retake at month 9: h1 %q at %s\n%s", got, b.URL(), b.Text("main"))
		}
		checkPage(t, b, "retake-booked")

		// CLF, renewed, was reminded once: not at its old cycle's 1-month
		// reminder, which fell before the microcredential's.
		if n := apptest.CountMail(smtp, email, clfName+" expires in"); n != 1 {
			t.Errorf("%d reminders of %s, want the one before its renewal", n, clfName)
		}
	})
}

// openMailLink opens the link to the page at path to in mail m on the
// app, signing in as email when the session has ended (the sign-in page
// comes back to the link), and checks it arrived there.
func openMailLink(t *testing.T, a *apptest.App, b *testutil.Browser, m testutil.ReceivedMail, to, email, password string) {
	t.Helper()
	link := m.Link(identityBaseURL + to)
	if link == "" {
		t.Fatalf("mail %q has no link to %s:\n%s", m.Subject, to, m.Text)
	}
	b.Navigate(a.URL + apptest.LocalLink(t, link))
	if strings.Contains(b.URL(), "/signin") {
		b.Fill("#email", email)
		b.Fill("#password", password)
		b.Submit(`form[action="/signin"] button[type=submit]`)
	}
	if u := b.URL(); !strings.HasSuffix(u, to) {
		t.Fatalf("the mail's link to %s led to %s", to, u)
	}
}

// certDay is the day the element sel shows first, as the pages write it
// ("Jan 2, 2006", maybe followed by " · " and more).
func certDay(t *testing.T, b *testutil.Browser, sel string) time.Time {
	t.Helper()
	text, _, _ := strings.Cut(b.Text(sel), " · ")
	d, err := time.Parse("Jan 2, 2006", text)
	if err != nil {
		t.Fatalf("%s: %v", sel, err)
	}
	return d
}

// enDay writes a day as the English pages and mail do.
func enDay(d time.Time) string { return d.Format("Jan 2, 2006") }

// localPath is the path of a link, absolute on the portal's base URL or
// not.
func localPath(t *testing.T, href string) string {
	t.Helper()
	u, err := url.Parse(href)
	if err != nil || u.Path == "" {
		t.Fatalf("bad link %q", href)
	}
	return u.Path
}
