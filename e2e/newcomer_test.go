package e2e_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// newcomerVariant is one way a newcomer meets the portal: a language, how
// the portal learns it, and a screen size.
type newcomerVariant struct {
	lang     string // the page language: "en" or "es"
	accept   string // the browser's Accept-Language
	switcher bool   // choose the language with the footer switcher on the first page
	viewport testutil.Viewport
	// country and region are where the newcomer lives: countries whose
	// form asks for the state or region.
	country, region string
	// examLang is the language the newcomer takes the exam in, chosen at
	// booking.
	examLang string
	// zone is the time zone the newcomer's computer is set to.
	zone string
}

func (v newcomerVariant) name() string { return v.lang + "-" + v.viewport.Name }

// newcomer is a candidate of one variant of the journey, with the pieces
// every step needs.
type newcomer struct {
	t     *testing.T
	a     *apptest.App
	smtp  *testutil.SMTPServer
	b     *testutil.Browser
	v     newcomerVariant
	loc   *i18n.Localizer
	first string
	last  string
	email string
	pw    string
	// current is where the booking is now, while it moves.
	current string
	// inLanguage is set once pages come in the variant's language: at
	// once from Accept-Language, after the switch with the switcher.
	inLanguage bool
}

// tr is a message in the newcomer's language, as the portal shows it.
func (n *newcomer) tr(id string, kv ...any) string { return n.loc.Tr(id, kv...) }

// wantText fails the test unless the element sel reads want.
func (n *newcomer) wantText(sel, want string) {
	n.t.Helper()
	if got := n.b.Text(sel); got != want {
		n.t.Errorf("%s: %s reads %q, want %q", n.b.URL(), sel, got, want)
	}
}

// wantNotice fails the test unless the page's notice contains want.
func (n *newcomer) wantNotice(want string) {
	n.t.Helper()
	if got := noticeText(n.b); !strings.Contains(got, want) {
		n.t.Errorf("%s: notice %q, want %q", n.b.URL(), got, want)
	}
}

// TestNewcomerJourney walks a newcomer through the candidate journey in a
// browser, in English and Spanish, at desktop and phone sizes: register
// (the form asks for the region as soon as the country needs one), confirm
// the address from the mail, set up an authenticator app, sign out, sign
// in with a backup code typed at the second step while the default method
// is selected, search test centers near Madrid and Seattle, hold a seat in
// Madrid in a chosen exam language, pay in test mode, move the appointment
// to a center in Seattle, then to an online start shown in the computer's
// time zone (with the system check and the agreements), and cancel it.
//
// Every page it loads passes the accessibility check, shows no bracketed
// message ID and, in Spanish, no English catalog message.
//
// Spanish comes from the browser's Accept-Language in one variant and
// from the footer's language switcher in the other. The four variants
// take one to two minutes together on two cores, so each walks the whole
// journey. They share one portal on SQLite: these journeys test pages;
// the scheduling journeys run on both engines.
func TestNewcomerJourney(t *testing.T) {
	smtp := testutil.NewSMTPServer(t)
	a := apptest.Start(t, "sqlite", apptest.WithArgs("--demo"),
		apptest.WithEnv("CERTPORTAL_SMTP_URL", smtp.URL()), apptest.WithEnv("CERTPORTAL_BASE_URL", identityBaseURL))
	catalog, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	english := loadEnglishCatalog(t)
	variants := []newcomerVariant{
		{lang: "en", accept: "en-US,en", viewport: testutil.DesktopViewport, country: "US", region: "US-WA", examLang: "es", zone: "America/Los_Angeles"},
		{lang: "es", accept: "es-ES,es", viewport: testutil.PhoneViewport, country: "ES", region: "ES-M", examLang: "es", zone: "Europe/Madrid"},
		{lang: "en", accept: "en-GB,en", viewport: testutil.PhoneViewport, country: "US", region: "US-WA", examLang: "ja", zone: "America/Los_Angeles"},
		{lang: "es", accept: "en-US,en", switcher: true, viewport: testutil.DesktopViewport, country: "ES", region: "ES-B", examLang: "de", zone: "Europe/Madrid"},
	}
	for i, v := range variants {
		t.Run(v.name(), func(t *testing.T) {
			b := testutil.NewPageBrowser(t, v.accept, v.viewport)
			b.EmulateTimeZone(v.zone)
			n := &newcomer{t: t, a: a, smtp: smtp, b: b, v: v, loc: catalog.Localizer(v.lang), inLanguage: !v.switcher,
				first: "Lucía", last: "Ferrer", email: "lucia." + strconv.Itoa(i) + "." + v.name() + "@example.org", pw: "Olive-Harbour-" + strconv.Itoa(40+i)}
			pages := 0
			b.OnPage(func() {
				pages++
				screenshot(t, b, fmt.Sprintf("%02d", pages))
			})
			if v.lang != "en" {
				b.OnPage(func() {
					if n.inLanguage {
						checkNoEnglish(t, b, english, n.first+" "+n.last, n.email)
					}
				})
			}
			n.register()
			n.verify()
			codes := n.enrolTOTP()
			n.signInWithBackupCode(codes)
			n.searchCenters()
			ref := n.holdAndPay()
			n.rescheduleToCenter(ref)
			n.rescheduleOnline(ref)
			n.cancel(ref)
		})
	}
}

// register opens the portal in the variant's language and registers. The
// state or region field appears as soon as the country that needs it is
// chosen, before any submit.
func (n *newcomer) register() {
	t, b := n.t, n.b
	t.Helper()
	b.Navigate(n.a.URL + "/")
	if n.v.switcher {
		b.Fill("#footer-lang", n.v.lang)
		n.inLanguage = true
		b.Submit(".language-form button")
	}
	n.wantText("h1", n.tr("home.heading", "Program", "certportal"))
	b.Navigate(n.a.URL + "/register")
	n.wantText("h1", n.tr("register.title"))
	b.Fill("#first_name", n.first)
	b.Fill("#last_name", n.last)
	b.Fill("#email", n.email)
	b.Fill("#password", n.pw)
	// The form may have preselected the country from the browser's
	// language; a person leaves it as it is.
	if b.Value("#country") != n.v.country {
		b.Fill("#country", n.v.country)
	}
	regionShown := b.HasElementWithin(`select#region option[value="`+n.v.region+`"]`, 5*time.Second)
	if !regionShown {
		t.Errorf("registration: the country %s shows no state or region field before the submit", n.v.country)
	} else {
		b.CheckPage()
		b.Fill("#region", n.v.region)
	}
	b.Fill("#language", n.v.lang)
	b.Submit(`form[action="/register"] button[type=submit]`)
	if !regionShown {
		// The form asks for the region after the submit; the rest of the
		// journey goes on.
		b.Fill("#region", n.v.region)
		b.Fill("#password", n.pw)
		b.Submit(`form[action="/register"] button[type=submit]`)
	}
	if got := b.Text("h1"); got != n.tr("register.done_title") {
		t.Fatalf("after registering: h1 %q at %s", got, b.URL())
	}
}

// verify opens the link from the confirmation mail, confirms and signs in
// (no second factor yet).
func (n *newcomer) verify() {
	t, b := n.t, n.b
	t.Helper()
	b.Navigate(mailLink(t, n.a, n.smtp, n.email, n.tr("mail.account_verify_email.subject", "Program", "certportal"), "/verify/"))
	b.Submit(`main form button[type=submit]`)
	n.wantNotice(n.tr("notice.email_verified"))
	b.Fill("#email", n.email)
	b.Fill("#password", n.pw)
	b.Submit(`form[action="/signin"] button[type=submit]`)
	if !strings.HasSuffix(b.URL(), "/dashboard") {
		t.Fatalf("after the first sign-in: %s", b.URL())
	}
	n.wantText("h1", n.tr("dashboard.heading", "Name", n.first))
}

// enrolTOTP sets up an authenticator app from the Security page and
// returns the backup codes.
func (n *newcomer) enrolTOTP() []string {
	t, b := n.t, n.b
	t.Helper()
	b.Navigate(n.a.URL + "/profile/security")
	follow(b, `main a[href="/profile/security/totp"].button`)
	_, codes := enrolTOTPInBrowser(t, n.a, b)
	follow(b, `main a.button`)
	n.wantNotice(n.tr("notice.totp_enabled"))
	b.Submit(`form[action="/signout"] button`)
	n.wantNotice(n.tr("notice.signed_out"))
	return codes
}

// signInWithBackupCode signs in with a backup code at the second step,
// leaving the method as the page selects it.
func (n *newcomer) signInWithBackupCode(codes []string) {
	t, b := n.t, n.b
	t.Helper()
	b.Fill("#email", n.email)
	b.Fill("#password", n.pw)
	b.Submit(`form[action="/signin"] button[type=submit]`)
	if !strings.Contains(b.URL(), "/signin/mfa") {
		t.Fatalf("sign-in with MFA went to %s", b.URL())
	}
	if b.HasElement(`#method option[value="backup"]:checked`) {
		t.Errorf("the second step selects backup codes by default; the journey means to type one with another method selected")
	}
	b.Fill("#code", codes[0])
	b.Submit(`form[action="/signin/mfa"] button[type=submit]`)
	if strings.HasSuffix(b.URL(), "/dashboard") {
		return
	}
	t.Errorf("a backup code at the second step with the default method: still at %s: %q", b.URL(), b.Text("main"))
	// The rest of the journey goes on with the method chosen.
	b.Fill("#method", "backup")
	b.Fill("#code", codes[1])
	b.Submit(`form[action="/signin/mfa"] button[type=submit]`)
	if !strings.HasSuffix(b.URL(), "/dashboard") {
		t.Fatalf("a backup code with the backup method: still at %s", b.URL())
	}
}

// searchCenters finds the exam and searches test centers near Madrid
// (Spain, 50 km: one center) and Seattle (the United States, 50 miles:
// three).
func (n *newcomer) searchCenters() {
	t, b := n.t, n.b
	t.Helper()
	b.Navigate(n.a.URL + "/exams")
	follow(b, `main a[href="/schedule/SAA-C03"]`)
	n.wantText("h1", n.tr("schedule.exam_heading", "Code", "SAA-C03"))
	follow(b, `main a.button[href="/schedule/SAA-C03/centers"]`)
	n.wantText("h1", n.tr("schedule.search.heading"))
	n.search("ES", "Madrid", "50", "km")
	n.wantText("#results-h", n.tr("schedule.search.results", "Count", 1, "Place", "Madrid"))
	n.wantText("ol.results li:first-child h3", "Centro de Exámenes Castellana")
	n.search("US", "Seattle", "50", "mi")
	n.wantText("#results-h", n.tr("schedule.search.results", "Count", 3, "Place", "Seattle"))
	n.wantText("ol.results li:first-child h3", "Pioneer Square Testing Center")
}

// search fills the center search form on the page and submits it.
func (n *newcomer) search(country, near, radius, unit string) {
	n.t.Helper()
	n.b.Fill("#country", country)
	n.b.Fill("#near", near)
	n.b.Fill("#radius", radius)
	n.b.Fill("#unit", unit)
	n.b.Submit(`form.search-form button[type=submit]`)
}

// chooseFirstTime opens the first date on a center's or the online page
// and submits its first time button (when moving, the first that is not
// the current appointment).
func (n *newcomer) chooseFirstTime() {
	n.t.Helper()
	follow(n.b, "ul.date-list li:first-child a")
	n.b.Submit("ul.slot-list li:not(.slot-current) button")
}

// holdAndPay holds a seat at the Madrid center in the exam language the
// newcomer chooses, pays in test mode and returns the booking's
// reference.
func (n *newcomer) holdAndPay() string {
	t, b := n.t, n.b
	t.Helper()
	b.Navigate(n.a.URL + "/schedule/SAA-C03/centers")
	n.search("ES", "Madrid", "50", "km")
	follow(b, "ol.results li:first-child h3 a")
	n.wantText("h1", "Centro de Exámenes Castellana")
	n.chooseExamLanguage()
	n.chooseFirstTime()
	if !strings.Contains(b.URL(), "/cart") {
		t.Fatalf("after choosing a time: %s", b.URL())
	}
	n.wantNotice(n.tr("notice.held"))
	if !b.HasElement("ul.cart-items li .exam-language") {
		t.Errorf("the cart does not show the exam's language: %q", b.Text("ul.cart-items li"))
	} else {
		n.wantText("ul.cart-items li .exam-language", i18n.DisplayName(n.v.examLang))
	}
	b.Fill("#card", "4242 4242 4242 4242")
	b.Submit(`form[action="/checkout"] button[type=submit]`)
	if got := b.Text("h1"); got != n.tr("checkout.confirmed") {
		t.Fatalf("after paying: h1 %q at %s", got, b.URL())
	}
	follow(b, `main ul a[href^="/bookings/"]`)
	ref := b.Text(".confirmation dl code")
	if ref == "" {
		t.Fatalf("no booking reference at %s", b.URL())
	}
	conf := b.Text(".confirmation")
	for _, want := range []string{n.tr("booking.state.confirmed"), "Centro de Exámenes Castellana", i18n.DisplayName(n.v.examLang)} {
		if !strings.Contains(conf, want) {
			t.Errorf("the booking after paying lacks %q: %q", want, conf)
		}
	}
	return ref
}

// chooseExamLanguage picks the exam's language on the times page.
func (n *newcomer) chooseExamLanguage() {
	n.t.Helper()
	if !n.b.HasElement("form.language-choice select#language") {
		n.t.Errorf("%s: no choice of the exam's language", n.b.URL())
		return
	}
	n.b.Fill("form.language-choice select#language", n.v.examLang)
	n.b.Submit("form.language-choice button[type=submit]")
}

// startMove opens the booking and follows its reschedule link to the
// choice of a center or online, and from there the choice choose (a link
// on that page whose address starts with choose). Without that page it
// records the failure and opens fallback.
func (n *newcomer) startMove(ref, choose, fallback string) {
	t, b := n.t, n.b
	t.Helper()
	b.Navigate(n.a.URL + "/bookings/" + ref)
	follow(b, `ul.actions a[href*="reschedule"]`)
	link := `main a.button[href^="` + choose + `"]`
	if !b.HasElement(link) {
		t.Errorf("reschedule: no link %s… at %s", choose, b.URL())
		b.Navigate(n.a.URL + fallback)
		return
	}
	if !strings.Contains(b.Text("main .current-appointment"), n.current) {
		t.Errorf("reschedule: the current appointment %q is not shown: %q", n.current, b.Text("main .current-appointment"))
	}
	follow(b, link)
}

// rescheduleToCenter moves the booking from Madrid to the first center
// near Seattle, through the review step.
func (n *newcomer) rescheduleToCenter(ref string) {
	n.t.Helper()
	n.current = "Centro de Exámenes Castellana"
	n.startMove(ref, "/schedule/SAA-C03/centers?reschedule=", "/schedule/SAA-C03/centers?reschedule="+ref)
	n.search("US", "Seattle", "50", "mi")
	follow(n.b, "ol.results li:first-child h3 a")
	n.wantText("h1", "Pioneer Square Testing Center")
	n.chooseFirstTime()
	n.confirmMove(ref, "Pioneer Square Testing Center")
}

// rescheduleOnline moves the booking to the first online start, with the
// system check and the agreements that online delivery needs.
func (n *newcomer) rescheduleOnline(ref string) {
	t, b := n.t, n.b
	t.Helper()
	n.current = "Pioneer Square Testing Center"
	n.startMove(ref, "/schedule/SAA-C03/online?reschedule=", "/schedule/SAA-C03/online?reschedule="+ref)
	// Online times are shown in the computer's time zone (script may load
	// the page again with it).
	if b.HasElementWithin(`#tz option[value="`+n.v.zone+`"]:checked`, 5*time.Second) {
		b.CheckPage()
	} else {
		t.Errorf("online times in the zone %q, want the computer's %s", b.Value("#tz"), n.v.zone)
	}
	follow(b, "ul.date-list li:first-child a")
	if got := b.Text("#times-h + .hint"); !strings.Contains(got, n.v.zone) {
		t.Errorf("online times hint %q does not name the zone %s", got, n.v.zone)
	}
	b.Submit("ul.slot-list li:not(.slot-current) button")
	review := b.URL()
	if !b.HasElement("#system_checked") {
		t.Errorf("a move online does not ask for the system check and the agreements at %s", review)
	} else {
		follow(b, `main a[href^="/system-check"]`)
		waitSystemCheck(t, b)
		b.CheckPage()
		b.Navigate(review)
		b.Click("#system_checked")
		b.Click("#agree_rules")
		b.Click("#agree_privacy")
	}
	n.confirmMove(ref, n.tr("schedule.online_proctored"))
}

// confirmMove checks the review step (the current appointment, the new
// one and the fee) and confirms the move, then checks the booking page it
// leads to.
func (n *newcomer) confirmMove(ref, place string) {
	t, b := n.t, n.b
	t.Helper()
	const confirm = `form.move-form[action$="/reschedule"] button[type=submit]`
	if b.HasElement(confirm) {
		if got := b.Text(".move-from"); !strings.Contains(got, n.current) {
			t.Errorf("review step: the current appointment reads %q, want %q", got, n.current)
		}
		if got := b.Text(".move-to"); !strings.Contains(got, place) {
			t.Errorf("review step: the new appointment reads %q, want %q", got, place)
		}
		if got := b.Text(".move-fee"); got != n.tr("booking.reschedule_no_fee") {
			t.Errorf("review step: the fee reads %q, want %q", got, n.tr("booking.reschedule_no_fee"))
		}
		b.Submit(confirm)
	} else if strings.Contains(b.URL(), "/bookings/"+ref) {
		t.Errorf("the move to %s has no review step", place)
	} else {
		t.Fatalf("after choosing the new time: no review step and no booking page at %s", b.URL())
	}
	if !strings.Contains(b.URL(), "/bookings/"+ref) {
		t.Fatalf("after confirming the move: %s", b.URL())
	}
	n.wantNotice(n.tr("notice.rescheduled"))
	if got := b.Text(".confirmation"); !strings.Contains(got, place) {
		t.Errorf("the moved booking does not show %q: %q", place, got)
	}
}

// cancel cancels the booking (weeks ahead: a full refund).
func (n *newcomer) cancel(ref string) {
	t, b := n.t, n.b
	t.Helper()
	follow(b, `ul.actions a[href="/bookings/`+ref+`/cancel"]`)
	n.wantText("h1", n.tr("booking.cancel_title"))
	b.Submit(`form[action="/bookings/` + ref + `/cancel"] button[type=submit]`)
	n.wantNotice(n.tr("notice.cancelled"))
	if got := b.Text(".confirmation"); !strings.Contains(got, n.tr("booking.state.cancelled")) {
		t.Errorf("the cancelled booking: %q", got)
	}
}

// waitSystemCheck waits until the system check page shows its summary.
func waitSystemCheck(t *testing.T, b *testutil.Browser) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for b.Text("#check-summary") == "" {
		if time.Now().After(deadline) {
			t.Fatal("the system check showed no summary within 15 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
