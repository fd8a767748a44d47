package e2e_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// The scheduling journeys use the demo catalog and centers (serve --demo)
// with mail going to a real SMTP server, as a deployment with demo data
// would.

// checkPage runs the accessibility check on the page at the desktop size
// and again laid out as a phone, saving a screenshot of each; it leaves
// the browser at the desktop size.
func checkPage(t *testing.T, b *testutil.Browser, name string) {
	t.Helper()
	b.CheckAccessibility()
	screenshot(t, b, name)
	b.Phone()
	b.CheckAccessibility()
	screenshot(t, b, name+"-phone")
	b.SetViewport(testutil.DesktopWidth, testutil.DesktopHeight)
}

// noticeText is the text of the page's flash notice, or "" when it has none.
func noticeText(b *testutil.Browser) string {
	if !b.HasElement("main .notice") {
		return ""
	}
	return b.Text("main .notice")
}

// follow clicks the link sel and waits for the page it loads (Submit
// waits for any navigation, and fails on a 5xx answer).
func follow(b *testutil.Browser, sel string) {
	b.Submit(sel)
}

// schedulingCandidate is a new candidate of a scheduling journey.
type schedulingCandidate struct {
	First, Last, Email, Password string
	Country, Region              string
}

// registerAndSignIn registers c in the browser, confirms the address with
// the link from the mail and signs in, as TestIdentityJourney does. It
// ends on the dashboard.
func registerAndSignIn(t *testing.T, a *apptest.App, smtp *testutil.SMTPServer, b *testutil.Browser, c schedulingCandidate) {
	t.Helper()
	b.Navigate(a.URL + "/register?country=" + c.Country)
	b.Fill("#first_name", c.First)
	b.Fill("#last_name", c.Last)
	b.Fill("#email", c.Email)
	b.Fill("#password", c.Password)
	b.Fill("#region", c.Region)
	b.Fill("#language", "en")
	b.Submit(`form[action="/register"] button[type=submit]`)
	if got := b.Text("h1"); got != "Check your email" {
		t.Fatalf("after registering: h1 %q at %s", got, b.URL())
	}
	b.Navigate(mailLink(t, a, smtp, c.Email, "Confirm your email", "/verify/"))
	b.Submit(`main form button[type=submit]`)
	if got := b.Text(".notice"); !strings.Contains(got, "confirmed") {
		t.Fatalf("after verifying: notice %q at %s", got, b.URL())
	}
	b.Fill("#email", c.Email)
	b.Fill("#password", c.Password)
	b.Submit(`form[action="/signin"] button[type=submit]`)
	if !strings.HasSuffix(b.URL(), "/dashboard") {
		t.Fatalf("after sign-in: %s", b.URL())
	}
}

// waitMail waits for a message to addr whose subject contains subject and
// returns the newest such message.
func waitMail(t *testing.T, smtp *testutil.SMTPServer, addr, subject string) testutil.ReceivedMail {
	t.Helper()
	return smtp.WaitMail(t, addr, subject, 15*time.Second)
}

// calendarOf checks that m carries the booking's calendar file as a
// text/calendar attachment and returns its content lines, unfolded.
func calendarOf(t *testing.T, m testutil.ReceivedMail, ref, method string) []string {
	t.Helper()
	name := "exam-" + strings.ToLower(ref) + ".ics"
	att := m.Attachment(name)
	if att == nil {
		var names []string
		for _, a := range m.Attachments {
			names = append(names, a.Filename+" ("+a.ContentType+")")
		}
		t.Fatalf("mail %q has no attachment %s; it has %q", m.Subject, name, names)
	}
	if att.ContentType != "text/calendar" {
		t.Errorf("%s: content type %q, want text/calendar", name, att.ContentType)
	}
	if got := att.Params["method"]; got != method {
		t.Errorf("%s: content type parameter method=%q, want %q", name, got, method)
	}
	text := string(att.Content)
	if !strings.HasPrefix(text, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(text, "END:VCALENDAR\r\n") {
		t.Errorf("%s is not one VCALENDAR with CRLF line ends:\n%s", name, text)
	}
	lines := strings.Split(strings.TrimSuffix(strings.ReplaceAll(text, "\r\n ", ""), "\r\n"), "\r\n")
	if !hasLine(lines, "METHOD:"+method) {
		t.Errorf("%s lacks METHOD:%s:\n%s", name, method, text)
	}
	if !hasLine(lines, "UID:"+strings.ToLower(ref)+"@portal.example.test") {
		t.Errorf("%s: UID is not the booking reference at the portal's host:\n%s", name, text)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "Booking "+ref) {
		t.Errorf("%s does not name booking %s:\n%s", name, ref, text)
	}
	return lines
}

func hasLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

// icsUTC is t as an iCalendar UTC date-time.
func icsUTC(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// chosenStart is the start of the time button li (1-based) on the slots
// page: the date from the page's address, the clock time from the button,
// in loc.
func chosenStart(t *testing.T, b *testutil.Browser, li int, loc *time.Location) (time.Time, string) {
	t.Helper()
	m := regexp.MustCompile(`[?&]date=(\d{4}-\d{2}-\d{2})`).FindStringSubmatch(b.URL())
	if m == nil {
		t.Fatalf("no date in the address %s", b.URL())
	}
	clock := b.Text("ul.slot-list li:nth-child(" + strconv.Itoa(li) + ") .slot-time")
	start, err := time.ParseInLocation("2006-01-02 3:04 PM", m[1]+" "+clock, loc)
	if err != nil {
		t.Fatalf("time button %d: %v", li, err)
	}
	return start, clock
}

// pollText reloads url until the text of sel contains want, for up to 15
// seconds, and returns the last text.
func pollText(t *testing.T, b *testutil.Browser, url, sel, want string) string {
	t.Helper()
	return pollTextFor(t, b, url, sel, want, 15*time.Second)
}

// pollTextFor is pollText for up to d.
func pollTextFor(t *testing.T, b *testutil.Browser, url, sel, want string, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		b.Navigate(url)
		got := b.Text(sel)
		if strings.Contains(got, want) || time.Now().After(deadline) {
			return got
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestSchedulingJourney walks a new candidate through booking an exam at a
// test center in a browser: register and sign in, find the exam, search
// centers near Seattle (and a misspelt place, with its suggestion), pick
// the first free date and time, pay with a declined and then a working
// test card, receive the confirmation with its calendar file, reschedule
// once and cancel with a full refund. Every page passes the accessibility
// check at desktop and phone sizes.
// heldMinutes is the cart's countdown of a fresh 15-minute hold.
var heldMinutes = regexp.MustCompile(`\b1[45] min\b`)

func TestSchedulingJourney(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		smtp := testutil.NewSMTPServer(t)
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"),
			apptest.WithEnv("CERTPORTAL_SMTP_URL", smtp.URL()), apptest.WithEnv("CERTPORTAL_BASE_URL", identityBaseURL))
		b := testutil.NewBrowser(t)
		c := schedulingCandidate{First: "Mara", Last: "Okafor", Email: "mara." + engine + "@example.org",
			Password: "Harbor-Lantern-42", Country: "US", Region: "US-WA"}
		registerAndSignIn(t, a, smtp, b, c)
		checkPage(t, b, "dashboard-empty")
		if got := b.Text("#dash-upcoming + *"); !strings.Contains(got, "no upcoming exams") {
			t.Errorf("new candidate's upcoming exams: %q", got)
		}

		// Exams → Schedule SAA-C03 → at a test center.
		b.Click(`nav.main-nav a[href="/exams"]`)
		b.WaitVisible("table")
		checkPage(t, b, "exams")
		follow(b, `a[href="/schedule/SAA-C03"]`)
		if got := b.Text("h1"); got != "Schedule SAA-C03" {
			t.Fatalf("schedule page h1 %q", got)
		}
		if got := b.Text(".lead"); !strings.Contains(got, "$150.00") {
			t.Errorf("schedule page lead %q lacks the price", got)
		}
		checkPage(t, b, "schedule-exam")
		follow(b, `a.button[href="/schedule/SAA-C03/centers"]`)
		if got := b.Text("h1"); got != "Find a test center" {
			t.Fatalf("center search h1 %q", got)
		}
		checkPage(t, b, "centers")

		// A misspelt place: the reason next to the field, and suggestions.
		search := func(near string) {
			t.Helper()
			b.Fill("#country", "US")
			b.Fill("#near", near)
			b.Fill("#radius", "50")
			b.Fill("#unit", "mi")
			b.Submit(`form.search-form button[type=submit]`)
		}
		search("Seatle")
		if got := b.Text("#near-error"); !strings.Contains(got, "could not find “Seatle”") {
			t.Errorf("misspelt place: field error %q", got)
		}
		if !b.HasElement(`#near[aria-invalid="true"][aria-describedby~="near-error"]`) {
			t.Error("the place field is not marked invalid or does not point at its error")
		}
		sugg := b.Text(`section[aria-labelledby="suggest-h"] ul`)
		idx := -1
		for i, s := range strings.Split(sugg, "\n") {
			if strings.TrimSpace(s) == "Seattle, Washington" {
				idx = i + 1
			}
		}
		if idx < 0 {
			t.Fatalf("no suggestion \"Seattle, Washington\" for Seatle; suggestions %q", sugg)
		}
		checkPage(t, b, "centers-misspelt")
		follow(b, `section[aria-labelledby="suggest-h"] li:nth-child(`+strconv.Itoa(idx)+`) a`)
		if got := b.Text("#results-h"); got != "3 test centers near Seattle" {
			t.Errorf("after the suggestion: results heading %q", got)
		}

		// Seattle within 50 miles: the three Washington centers, nearest
		// first, each with its distance.
		search("Seattle")
		if got := b.Text("#results-h"); got != "3 test centers near Seattle" {
			t.Fatalf("results heading %q", got)
		}
		wantOrder := []string{"Pioneer Square Testing Center", "Bellevue Learning Hub", "Tacoma Exam Rooms"}
		prev := -1.0
		for i, name := range wantOrder {
			li := "ol.results li:nth-child(" + strconv.Itoa(i+1) + ")"
			if got := b.Text(li + " h3"); got != name {
				t.Errorf("result %d is %q, want %q", i+1, got, name)
			}
			meta := b.Text(li + " .meta")
			m := regexp.MustCompile(`^(\d+\.\d) mi · America/Los_Angeles$`).FindStringSubmatch(meta)
			if m == nil {
				t.Errorf("result %d: distance line %q", i+1, meta)
				continue
			}
			d, _ := strconv.ParseFloat(m[1], 64)
			if d < prev || d > 50 {
				t.Errorf("result %d at %v mi after %v mi (want ascending, within 50)", i+1, d, prev)
			}
			prev = d
		}
		if b.HasElement("ol.results li:nth-child(4)") {
			t.Errorf("more than 3 results: %q", b.Text("ol.results"))
		}
		checkPage(t, b, "centers-results")

		// The first center, its first free date and first time.
		follow(b, "ol.results li:first-child h3 a")
		if got := b.Text("h1"); got != "Pioneer Square Testing Center" {
			t.Fatalf("center page h1 %q", got)
		}
		checkPage(t, b, "center-dates")
		// A date button reads "Mon Dec 14, 2026": weekday, then the date
		// as the other pages show it.
		weekday, firstDate, _ := strings.Cut(b.Text("ul.date-list li:first-child a"), " ")
		if len(weekday) != 3 {
			t.Errorf("date button %q does not start with the weekday", weekday+" "+firstDate)
		}
		follow(b, "ul.date-list li:first-child a")
		if got := b.Text("#times-h"); got != "Times on "+firstDate {
			t.Errorf("times heading %q, want the date %q", got, firstDate)
		}
		la, err := time.LoadLocation("America/Los_Angeles")
		if err != nil {
			t.Fatal(err)
		}
		start, clock := chosenStart(t, b, 1, la)
		if days := start.Sub(a.Clock.Now()).Hours() / 24; days < 20 || days > 30 {
			t.Errorf("first free date %s is %.1f days away, want 3 to 4 weeks", start, days)
		}
		checkPage(t, b, "center-times")
		b.Submit("ul.slot-list li:first-child button")

		// The cart: exam, date, place, price and the hold.
		if !strings.HasSuffix(b.URL(), "/cart?notice=held") {
			t.Fatalf("after choosing a time: %s", b.URL())
		}
		if got := noticeText(b); !strings.Contains(got, "The seat is held for you") {
			t.Errorf("cart after choosing a time: notice %q", got)
		}
		item := b.Text("ul.cart-items li")
		for _, want := range []string{"SAA-C03", firstDate + ", " + clock + " PST", "Pioneer Square Testing Center, 600 1st Ave, Seattle", "$150.00", "Held for"} {
			if !strings.Contains(item, want) {
				t.Errorf("cart item lacks %q:\n%s", want, item)
			}
		}
		// The hold lasts 15 minutes and the page rounds down: a moment after
		// the hold it reads 14 (15 only within the same second).
		if !heldMinutes.MatchString(item) {
			t.Errorf("cart item lacks the minutes left:\n%s", item)
		}
		if got := b.Text("main .lead"); !strings.Contains(got, "14 more minutes") && !strings.Contains(got, "15 more minutes") {
			t.Errorf("cart hold notice %q", got)
		}
		if got := b.Text(`form[action="/checkout"] button[type=submit]`); got != "Pay $150.00" {
			t.Errorf("pay button %q", got)
		}
		checkPage(t, b, "cart")

		// A declined card: the reason next to the card field, still in the cart.
		b.Fill("#card", "4000 0000 0000 0002")
		b.Submit(`form[action="/checkout"] button[type=submit]`)
		if got := b.Text("#card-error"); !strings.Contains(got, "declined") {
			t.Fatalf("declined card: field error %q at %s", got, b.URL())
		}
		if got := b.Text("h1"); got != "Your cart" {
			t.Errorf("after the declined card: h1 %q", got)
		}
		if !b.HasElement("ul.cart-items li") {
			t.Error("the seat left the cart after a declined card")
		}
		checkPage(t, b, "cart-declined")
		b.Fill("#card", "4242 4242 4242 4242")
		b.Submit(`form[action="/checkout"] button[type=submit]`)
		if got := b.Text("h1"); got != "Your exam is booked" {
			t.Fatalf("after paying: h1 %q at %s", got, b.URL())
		}
		checkPage(t, b, "checkout-return")
		follow(b, `main ul a[href^="/bookings/"]`)
		ref := b.Text(".confirmation dl code")
		if !regexp.MustCompile(`^[A-Z0-9-]{6,}$`).MatchString(ref) {
			t.Fatalf("booking reference %q", ref)
		}
		booking := a.URL + "/bookings/" + ref
		conf := b.Text(".confirmation")
		for _, want := range []string{"Confirmed", firstDate + ", " + clock + " PST", "$150.00", "0 of 2 used"} {
			if !strings.Contains(conf, want) {
				t.Errorf("confirmation lacks %q:\n%s", want, conf)
			}
		}
		for _, link := range []string{`ul.actions a[href*="reschedule=` + ref + `"]`, `ul.actions a[href="/bookings/` + ref + `/cancel"]`} {
			if !b.HasElement(link) {
				t.Errorf("booking page lacks %s", link)
			}
		}
		checkPage(t, b, "booking")

		// The confirmation mail with the calendar file.
		m := waitMail(t, smtp, c.Email, "Exam confirmed")
		if !strings.Contains(m.Subject, ref) {
			t.Errorf("confirmation subject %q lacks %s", m.Subject, ref)
		}
		if !strings.Contains(m.Text, identityBaseURL+"/bookings/"+ref) {
			t.Errorf("confirmation mail lacks the booking link:\n%s", m.Text)
		}
		ics := calendarOf(t, m, ref, "PUBLISH")
		for _, want := range []string{"DTSTART:" + icsUTC(start), "SEQUENCE:0", "STATUS:CONFIRMED"} {
			if !hasLine(ics, want) {
				t.Errorf("confirmation .ics lacks %s:\n%s", want, strings.Join(ics, "\n"))
			}
		}

		// The dashboard lists it.
		b.Click(`nav.main-nav a[href="/dashboard"]`)
		b.WaitVisible("ul.upcoming")
		if got := b.Text("#dash-upcoming"); got != "Upcoming exams" {
			t.Errorf("dashboard section %q", got)
		}
		if got := b.Text("ul.upcoming"); !strings.Contains(got, "SAA-C03") || !strings.Contains(got, "Pioneer Square Testing Center, Seattle") || !strings.Contains(got, firstDate) {
			t.Errorf("upcoming exams: %q", got)
		}
		checkPage(t, b, "dashboard-upcoming")

		// Reschedule once, to another time at the same center: the choice
		// of center or online, the center's times with the current one
		// marked, the review step, the move.
		b.Navigate(booking)
		follow(b, `ul.actions a[href*="reschedule="]`)
		if got := b.Text("main .current-appointment"); !strings.Contains(got, "Pioneer Square Testing Center") {
			t.Errorf("current appointment %q", got)
		}
		checkPage(t, b, "reschedule-choice")
		follow(b, `.grid a.button[href*="/centers/"]`)
		if got := b.Text("main .notice"); !strings.Contains(got, ref) {
			t.Errorf("rescheduling notice %q", got)
		}
		checkPage(t, b, "reschedule-dates")
		follow(b, `ul.date-list li:first-child a`)
		if !strings.Contains(b.URL(), "reschedule="+ref) {
			t.Errorf("the date link lost the booking: %s", b.URL())
		}
		other := 0
		for i := 1; b.HasElement("ul.slot-list li:nth-child(" + strconv.Itoa(i) + ")"); i++ {
			if b.Text("ul.slot-list li:nth-child("+strconv.Itoa(i)+") .slot-time") != clock {
				other = i
				break
			}
		}
		if other == 0 {
			t.Fatalf("no other time on %s: %q", firstDate, b.Text("ul.slot-list"))
		}
		newStart, newClock := chosenStart(t, b, other, la)
		if got := b.Text("ul.slot-list li.slot-current"); !strings.Contains(got, clock) || !strings.Contains(got, "Your current appointment") {
			t.Errorf("current time %q, want %s marked", got, clock)
		}
		checkPage(t, b, "reschedule-times")
		b.Submit("ul.slot-list li:nth-child(" + strconv.Itoa(other) + ") button")
		if got := b.Text("h1"); got != "Review the move" {
			t.Fatalf("after choosing the new time: h1 %q at %s", got, b.URL())
		}
		if got := b.Text("#move .move-to"); !strings.Contains(got, newClock) {
			t.Errorf("review: new time %q, want %s", got, newClock)
		}
		checkPage(t, b, "reschedule-review")
		b.Submit("form.move-form button[type=submit]")
		if got := noticeText(b); !strings.Contains(got, "moved") {
			t.Errorf("after rescheduling: notice %q at %s", got, b.URL())
		}
		conf = b.Text(".confirmation")
		for _, want := range []string{"Confirmed", firstDate + ", " + newClock + " PST", "1 of 2 used"} {
			if !strings.Contains(conf, want) {
				t.Errorf("rescheduled confirmation lacks %q:\n%s", want, conf)
			}
		}
		checkPage(t, b, "booking-rescheduled")
		m = waitMail(t, smtp, c.Email, "Exam rescheduled")
		ics = calendarOf(t, m, ref, "PUBLISH")
		for _, want := range []string{"DTSTART:" + icsUTC(newStart), "SEQUENCE:1"} {
			if !hasLine(ics, want) {
				t.Errorf("rescheduled .ics lacks %s:\n%s", want, strings.Join(ics, "\n"))
			}
		}

		// Cancel: weeks ahead, so a full refund.
		follow(b, `ul.actions a[href="/bookings/`+ref+`/cancel"]`)
		if got := b.Text("h1"); got != "Cancel the appointment" {
			t.Errorf("cancel page h1 %q", got)
		}
		if got := b.Text(`section[aria-labelledby="cancel-h"] p`); !strings.Contains(got, "100%") || !strings.Contains(got, "$150.00") {
			t.Errorf("cancel quote %q", got)
		}
		checkPage(t, b, "cancel")
		b.Submit(`form[action="/bookings/` + ref + `/cancel"] button[type=submit]`)
		if got := noticeText(b); !strings.Contains(got, "cancelled") {
			t.Errorf("after cancelling: notice %q at %s", got, b.URL())
		}
		conf = b.Text(".confirmation")
		if !strings.Contains(conf, "Cancelled") || !strings.Contains(conf, "$150.00") {
			t.Errorf("cancelled booking: %q", conf)
		}
		if b.HasElement(`ul.actions`) {
			t.Error("a cancelled booking still offers to reschedule or cancel")
		}
		checkPage(t, b, "booking-cancelled")
		if got := pollText(t, b, booking, ".confirmation", "$150.00 refunded"); !strings.Contains(got, "$150.00 refunded") {
			t.Errorf("refund not done within 15 s: %q", got)
		}
		checkPage(t, b, "booking-refunded")
		m = waitMail(t, smtp, c.Email, "Exam cancelled")
		if !strings.Contains(m.Text, "Refund: $150.00") {
			t.Errorf("cancellation mail lacks the refund:\n%s", m.Text)
		}
		ics = calendarOf(t, m, ref, "CANCEL")
		for _, want := range []string{"STATUS:CANCELLED", "DTSTART:" + icsUTC(newStart)} {
			if !hasLine(ics, want) {
				t.Errorf("cancellation .ics lacks %s:\n%s", want, strings.Join(ics, "\n"))
			}
		}

		b.Click(`nav.main-nav a[href="/bookings"]`)
		b.WaitVisible("table")
		if got := b.Text("tbody"); !strings.Contains(got, ref) || !strings.Contains(got, "Cancelled · $150.00 refunded") {
			t.Errorf("my exams: %q", got)
		}
		checkPage(t, b, "bookings")
	})
}

// TestOnlineSchedulingJourney: a new candidate books an online proctored
// exam with times shown in Europe/Berlin, meets the three requirements at
// checkout (after seeing each one asked for), runs the system check, pays
// and sees the launch button, disabled until its window opens.
func TestOnlineSchedulingJourney(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		smtp := testutil.NewSMTPServer(t)
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"),
			apptest.WithEnv("CERTPORTAL_SMTP_URL", smtp.URL()), apptest.WithEnv("CERTPORTAL_BASE_URL", identityBaseURL))
		b := testutil.NewBrowser(t)
		c := schedulingCandidate{First: "Jonas", Last: "Becker", Email: "jonas." + engine + "@example.org",
			Password: "Linden-Tram-1920", Country: "DE", Region: "DE-BE"}
		b.EmulateTimeZone("Europe/Berlin") // a computer in Germany: its zone is the country's
		registerAndSignIn(t, a, smtp, b, c)

		b.Click(`nav.main-nav a[href="/exams"]`)
		b.WaitVisible("table")
		follow(b, `a[href="/schedule/DVA-C02"]`)
		follow(b, `a.button[href="/schedule/DVA-C02/online"]`)
		if got := b.Text("h1"); got != "Online times for DVA-C02" {
			t.Fatalf("online page h1 %q", got)
		}
		checkPage(t, b, "online")
		b.Fill("#tz", "Europe/Berlin")
		b.Submit(`form.zone-form button[type=submit]`)
		if !strings.Contains(b.URL(), "tz=Europe%2FBerlin") {
			t.Errorf("after choosing the zone: %s", b.URL())
		}
		follow(b, "ul.date-list li:first-child a")
		if got := b.Text("#times-h + .hint"); !strings.Contains(got, "CET, Europe/Berlin") {
			t.Errorf("times hint %q does not name the zone", got)
		}
		berlin, err := time.LoadLocation("Europe/Berlin")
		if err != nil {
			t.Fatal(err)
		}
		start, clock := chosenStart(t, b, 1, berlin)
		checkPage(t, b, "online-times")
		b.Submit("ul.slot-list li:first-child button")

		// The cart asks for the three online requirements.
		if got := b.Text("ul.cart-items li"); !strings.Contains(got, "Online proctored") || !strings.Contains(got, clock+" CET") {
			t.Errorf("online cart item: %q", got)
		}
		for _, box := range []string{"#system_checked", "#agree_rules", "#agree_privacy"} {
			if !b.HasElement(`input[type=checkbox]` + box) {
				t.Errorf("online cart lacks the checkbox %s", box)
			}
		}
		if !b.HasElement(`form[action="/checkout"] a[href="/system-check"]`) {
			t.Error("online cart lacks the link to the system check")
		}
		checkPage(t, b, "online-cart")
		b.Fill("#card", "4242 4242 4242 4242")
		b.Submit(`form[action="/checkout"] button[type=submit]`)
		for field, want := range map[string]string{
			"#system_checked-error": "Run the system check",
			"#agree_rules-error":    "exam rules",
			"#agree_privacy-error":  "privacy policy",
		} {
			if got := b.Text(field); !strings.Contains(got, want) {
				t.Errorf("%s = %q, want %q", field, got, want)
			}
			box := strings.TrimSuffix(field, "-error")
			if !b.HasElement(box + `[aria-invalid="true"][aria-describedby~="` + field[1:] + `"]`) {
				t.Errorf("%s is not marked invalid or does not point at its error", box)
			}
		}
		if got := b.Text("h1"); got != "Your cart" {
			t.Errorf("after the missing requirements: h1 %q", got)
		}
		checkPage(t, b, "online-cart-errors")

		// The system check shows a result in each row.
		follow(b, `form[action="/checkout"] a[href="/system-check"]`)
		deadline := time.Now().Add(15 * time.Second)
		for b.Text("#check-summary") == "" {
			if time.Now().After(deadline) {
				t.Fatal("the system check showed no summary within 15 s")
			}
			time.Sleep(100 * time.Millisecond)
		}
		for _, row := range []string{"#check-browser", "#check-screen", "#check-bandwidth"} {
			if got := b.Text(row); got == "" || strings.Contains(got, "Needs JavaScript") {
				t.Errorf("system check row %s: %q", row, got)
			}
		}
		if got := b.Text("#check-browser"); !strings.HasPrefix(got, "Passed") {
			t.Errorf("headless Chromium fails the browser check: %q", got)
		}
		checkPage(t, b, "system-check")

		follow(b, `main a[href="/cart"]`)
		b.Click("#system_checked")
		b.Click("#agree_rules")
		b.Click("#agree_privacy")
		b.Fill("#card", "4242 4242 4242 4242")
		b.Submit(`form[action="/checkout"] button[type=submit]`)
		if got := b.Text("h1"); got != "Your exam is booked" {
			t.Fatalf("after paying: h1 %q at %s", got, b.URL())
		}
		follow(b, `main ul a[href^="/bookings/"]`)
		ref := b.Text(".confirmation dl code")
		conf := b.Text(".confirmation")
		for _, want := range []string{"Online proctored", clock + " CET", "CET, Europe/Berlin"} {
			if !strings.Contains(conf, want) {
				t.Errorf("online booking lacks %q:\n%s", want, conf)
			}
		}
		if got := b.Text(`.launch button[disabled]`); got != "Launch exam" {
			t.Errorf("disabled launch button %q", got)
		}
		if !b.HasElement(`.launch button[disabled][aria-describedby="launch-hint"]`) {
			t.Error("the disabled launch button does not point at its hint")
		}
		opens := start.Add(-30 * time.Minute).In(berlin).Format("3:04 PM")
		if got := b.Text("#launch-hint"); !strings.Contains(got, "The button works from") || !strings.Contains(got, opens) {
			t.Errorf("launch hint %q, want it to open at %s", got, opens)
		}
		checkPage(t, b, "online-booking")

		m := waitMail(t, smtp, c.Email, "Exam confirmed")
		ics := calendarOf(t, m, ref, "PUBLISH")
		for _, want := range []string{"DTSTART:" + icsUTC(start), "LOCATION:Online proctored"} {
			if !hasLine(ics, want) {
				t.Errorf("online .ics lacks %s:\n%s", want, strings.Join(ics, "\n"))
			}
		}
	})
}
