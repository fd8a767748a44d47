package bookingtest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// holdCenterSeat holds the first time of exam at demo center 1 in lang
// and returns the refusal page when the hold is refused (nil when it went
// to the cart).
func holdCenterSeat(t *testing.T, a *apptest.App, c *http.Client, exam, lang string, slot int) (int, *testutil.HTMLNode) {
	t.Helper()
	date, slots := a.CenterSlots(t, c, exam, "1")
	form := url.Values{"idempotency_key": {slots[slot].Key}, "slot": {slots[slot].ID}, "date": {date}, "center": {"1"}}
	if lang != "" {
		form.Set("language", lang)
	}
	status, loc, doc := a.PostPage(t, c, "/schedule/"+exam+"/hold", form)
	if status == http.StatusSeeOther && loc == "/cart?notice=held" {
		return status, nil
	}
	return status, doc
}

// createVoucher issues a voucher as the demo admin (signing in with a
// second factor enrolled).
func createVoucher(t *testing.T, a *apptest.App, code string, percent string) {
	t.Helper()
	admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
	ac, _ := a.SignIn(t, admin[1], admin[2])
	a.EnrolTOTP(t, ac, true)
	expires := a.Clock.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	status, _, _ := a.PostPage(t, ac, "/console/vouchers", url.Values{"code": {code}, "percent": {percent}, "max_uses": {"5"}, "expires_on": {expires}})
	if status != http.StatusSeeOther {
		t.Fatalf("create voucher %s: %d", code, status)
	}
}

// TestCheckoutOutcomeSaysWhatWasPaid: a test-mode payment says payment
// was received and that test mode moved no money (a full sentence, not a
// bare "Test mode:"); a cart covered by a voucher says no payment was
// needed, on the page and in the confirmation mail.
func TestCheckoutOutcomeSaysWhatWasPaid(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		createVoucher(t, a, "FULL-100", "100")
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		cc, _ := a.SignIn(t, cand[1], cand[2])

		if status, refusal := holdCenterSeat(t, a, cc, "SAA-C03", "en", 0); refusal != nil {
			t.Fatalf("hold: %d %s", status, refusal.Text())
		}
		status, loc, _ := a.PostPage(t, cc, "/checkout", url.Values{"idempotency_key": {"pay-1"}, "provider": {"test"}, "card": {"4242 4242 4242 4242"}})
		if status != http.StatusSeeOther {
			t.Fatalf("checkout: %d", status)
		}
		paid := a.GetPage(t, cc, loc, http.StatusOK)
		for _, tc := range []struct{ sel, want string }{
			{"#outcome", "Payment received. The confirmation and a calendar file are on their way by email."},
			{".test-mode-note", "Test mode: no money was moved."},
		} {
			if got := paid.First(tc.sel).Text(); got != tc.want {
				t.Errorf("paid checkout %s = %q, want %q", tc.sel, got, tc.want)
			}
		}
		apptest.MailTo(t, smtp, cand[1], "Exam confirmed")

		if status, refusal := holdCenterSeat(t, a, cc, "DVA-C02", "en", 1); refusal != nil {
			t.Fatalf("hold: %d %s", status, refusal.Text())
		}
		cart := a.GetPage(t, cc, "/cart", http.StatusOK)
		action, _ := cart.First(`form.voucher-form`).Attr("action")
		if status, _, _ := a.PostPage(t, cc, action, url.Values{"code": {"full100"}}); status != http.StatusSeeOther {
			t.Fatalf("apply voucher: %d", status)
		}
		status, loc, _ = a.PostPage(t, cc, "/checkout", url.Values{"idempotency_key": {"pay-2"}})
		if status != http.StatusSeeOther {
			t.Fatalf("free checkout: %d", status)
		}
		free := a.GetPage(t, cc, loc, http.StatusOK)
		if got, want := free.First("#outcome").Text(), "No payment was needed: your voucher covers the price. The confirmation and a calendar file are on their way by email."; got != want {
			t.Errorf("free checkout outcome = %q, want %q", got, want)
		}
		if n := free.First(".test-mode-note"); n != nil {
			t.Errorf("free checkout mentions test mode: %q", n.Text())
		}
		deadline := time.Now().Add(10 * time.Second)
		for apptest.CountMail(smtp, cand[1], "Exam confirmed") < 2 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		var freeMail *testutil.ReceivedMail
		for _, m := range smtp.Messages() {
			if strings.Contains(m.Text, "No payment was needed: your voucher covers the price.") {
				freeMail = &m
			}
		}
		if freeMail == nil {
			t.Error("no confirmation mail says that no payment was needed")
		}
	})
}

// TestSecondHoldPointsToTheCart: holding a second time for an exam whose
// first seat is still unpaid in the cart says it is in the cart and links
// there (not "reschedule it"); once paid, the refusal links the bookings.
func TestSecondHoldPointsToTheCart(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		cc, _ := a.SignIn(t, cand[1], cand[2])
		if status, refusal := holdCenterSeat(t, a, cc, "SAA-C03", "en", 0); refusal != nil {
			t.Fatalf("first hold: %d %s", status, refusal.Text())
		}
		status, refusal := holdCenterSeat(t, a, cc, "SAA-C03", "en", 1)
		if status != http.StatusConflict || refusal == nil {
			t.Fatalf("second hold: %d", status)
		}
		for _, tc := range []struct{ sel, want string }{
			{`.error-summary li > a[href="#times"]`, "SAA-C03 is already in your cart, waiting for payment. Pay for it there, or release it to choose another time."},
			{`.error-summary a.summary-link[href="/cart"]`, "Go to your cart"},
		} {
			if got := refusal.First(tc.sel).Text(); got != tc.want {
				t.Errorf("in cart: %s = %q, want %q", tc.sel, got, tc.want)
			}
		}
		if status, _, _ := a.PostPage(t, cc, "/checkout", url.Values{"idempotency_key": {"pay"}, "provider": {"test"}, "card": {"4242424242424242"}}); status != http.StatusSeeOther {
			t.Fatalf("checkout: %d", status)
		}
		_, refusal = holdCenterSeat(t, a, cc, "SAA-C03", "en", 1)
		if got := refusal.First(`.error-summary a.summary-link[href="/bookings"]`).Text(); got != "See your exam appointments" {
			t.Errorf("booked: link to the bookings = %q", got)
		}
	})
}

// TestExamLanguageChosenAtBooking: an exam given in several languages
// offers them on the times page (the page's language chosen first); the
// chosen language travels with the date links and the hold, and shows in
// the cart, on the payment outcome, on My exams, on the confirmation, in
// the confirmation mail and on the staff roster. A language the exam does
// not list is refused next to the choice.
func TestExamLanguageChosenAtBooking(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		cc, _ := a.SignIn(t, cand[1], cand[2])

		slots := a.GetPage(t, cc, "/schedule/SAA-C03/centers/1", http.StatusOK)
		if got := slots.Texts("select#language option"); strings.Join(got, ",") != "English,Español,Deutsch,日本語" {
			t.Fatalf("language choices = %q", got)
		}
		if got, _ := slots.First("select#language option[selected]").Attr("value"); got != "en" {
			t.Errorf("preselected language = %q, want the page's, en", got)
		}
		href, _ := slots.First(".date-list a").Attr("href")
		u, _ := url.Parse(href)
		q := u.Query()
		q.Set("language", "es")
		day := a.GetPage(t, cc, u.Path+"?"+q.Encode(), http.StatusOK)
		if got, _ := day.First(".date-list a").Attr("href"); !strings.Contains(got, "language=es") {
			t.Errorf("date link %q drops the chosen language", got)
		}
		var keys, ids []string
		for _, f := range day.Find(".slot-list form") {
			if got, _ := f.First(`input[name="language"]`).Attr("value"); got != "es" {
				t.Fatalf("time form sends language %q, want es", got)
			}
			k, _ := f.First(`input[name="idempotency_key"]`).Attr("value")
			id, _ := f.First(`input[name="slot"]`).Attr("value")
			keys, ids = append(keys, k), append(ids, id)
		}
		if len(ids) < 2 {
			t.Fatalf("%d times on %s", len(ids), q.Get("date"))
		}

		status, _, refusal := a.PostPage(t, cc, "/schedule/SAA-C03/hold", url.Values{"idempotency_key": {keys[0] + "-fr"}, "slot": {ids[0]},
			"date": {q.Get("date")}, "center": {"1"}, "language": {"fr"}})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("hold in French: %d", status)
		}
		if got := refusal.First(`.error-summary a[href="#language"]`).Text(); got != "SAA-C03 is not offered in that language." {
			t.Errorf("French refusal = %q", got)
		}

		status, loc, _ := a.PostPage(t, cc, "/schedule/SAA-C03/hold", url.Values{"idempotency_key": {keys[0]}, "slot": {ids[0]},
			"date": {q.Get("date")}, "center": {"1"}, "language": {"es"}})
		if status != http.StatusSeeOther || loc != "/cart?notice=held" {
			t.Fatalf("hold in Spanish: %d %s", status, loc)
		}
		if got := a.GetPage(t, cc, "/cart", http.StatusOK).First(".cart-items .exam-language").Text(); got != "Español" {
			t.Errorf("cart language = %q", got)
		}
		status, loc, _ = a.PostPage(t, cc, "/checkout", url.Values{"idempotency_key": {"pay"}, "provider": {"test"}, "card": {"4242424242424242"}})
		if status != http.StatusSeeOther {
			t.Fatalf("checkout: %d", status)
		}
		if got := a.GetPage(t, cc, loc, http.StatusOK).First("li .exam-language").Text(); got != "Español" {
			t.Errorf("payment outcome language = %q", got)
		}
		mine := a.GetPage(t, cc, "/bookings", http.StatusOK)
		if got := mine.First("tbody .exam-language").Text(); got != "(Español)" {
			t.Errorf("My exams language = %q", got)
		}
		ref := mine.First("tbody td a").Text()
		conf := a.GetPage(t, cc, "/bookings/"+ref, http.StatusOK)
		var language string
		for i, dt := range conf.Find(".facts dt") {
			if dt.Text() == "Exam language" {
				language = conf.Find(".facts dd")[i].Text()
			}
		}
		if language != "Español" {
			t.Errorf("confirmation language = %q", language)
		}
		m := apptest.MailTo(t, smtp, cand[1], "Exam confirmed")
		if !strings.Contains(m.Text, "Exam language: Español") {
			t.Errorf("confirmation mail lacks the language:\n%s", m.Text)
		}

		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		ac, _ := a.SignIn(t, admin[1], admin[2])
		a.EnrolTOTP(t, ac, true)
		found := a.GetPage(t, ac, "/console/bookings?q="+ref, http.StatusOK)
		roster, _ := found.First(`a[href^="/console/roster?"]`).Attr("href")
		if got := a.GetPage(t, ac, roster, http.StatusOK).First("td .exam-language").Text(); got != "(Español)" {
			t.Errorf("roster language = %q", got)
		}
	})
}

// TestOnlineTimesDefaultToTheProfileCountry: without a chosen zone, online
// times are shown in the profile country's zone (not UTC) and the page
// loads the script that prefers the browser's zone; a zone chosen on the
// page is remembered and no longer guessed.
func TestOnlineTimesDefaultToTheProfileCountry(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		c := a.RegisterCandidate(t, smtp, "ines@example.org") // registered in Spain
		for _, tc := range []struct {
			name, query, want string
			guessed           bool
		}{
			{"no choice", "", "Europe/Madrid", true},
			{"chosen", "?tz=America/New_York", "America/New_York", false},
			{"remembered", "", "America/New_York", false},
		} {
			doc := a.GetPage(t, c, "/schedule/SAA-C03/online"+tc.query, http.StatusOK)
			if got, _ := doc.First("select#tz option[selected]").Attr("value"); got != tc.want {
				t.Errorf("%s: zone = %q, want %q", tc.name, got, tc.want)
			}
			guessed := doc.First("form.zone-form[data-zone-guessed]") != nil
			script := doc.First(`script[src^="/static/timezone."]`) != nil
			if guessed != tc.guessed || script != tc.guessed {
				t.Errorf("%s: guessed %v, script %v; want both %v", tc.name, guessed, script, tc.guessed)
			}
		}
	})
}

// TestHoldTimeFollowsTheSetting: the times page and the cart state the
// hold time the program set (--hold-ttl), not a fixed 15 minutes.
func TestHoldTimeFollowsTheSetting(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo", "--hold-ttl", "10m"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		cc, _ := a.SignIn(t, cand[1], cand[2])
		date, _ := a.CenterSlots(t, cc, "SAA-C03", "1")
		times := a.GetPage(t, cc, "/schedule/SAA-C03/centers/1?date="+date, http.StatusOK)
		if hints := times.Texts("#times > p.hint"); len(hints) == 0 || hints[len(hints)-1] != "A held seat waits in your cart for 10 minutes while you pay." {
			t.Errorf("times page hints = %q", hints)
		}
		if status, refusal := holdCenterSeat(t, a, cc, "SAA-C03", "en", 0); refusal != nil {
			t.Fatalf("hold: %d %s", status, refusal.Text())
		}
		if got := a.GetPage(t, cc, "/cart", http.StatusOK).First(".held-for .countdown").Text(); got != "10 min" {
			t.Errorf("cart time left = %q, want 10 min", got)
		}
	})
}
