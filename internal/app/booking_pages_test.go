package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// page GETs path and parses the answer, failing on any status but want.
func page(t *testing.T, a *apptest.App, c *http.Client, path string, want int) *testutil.HTMLNode {
	t.Helper()
	resp := a.Get(t, c, path)
	b := body(t, resp)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d\n%s", path, resp.StatusCode, want, b)
	}
	return testutil.ParseHTML(t, b)
}

// post sends a form and returns the status, the Location and the parsed
// answer.
func post(t *testing.T, a *apptest.App, c *http.Client, path string, form url.Values) (int, string, *testutil.HTMLNode) {
	t.Helper()
	resp := a.PostForm(t, c, path, form)
	b := body(t, resp)
	return resp.StatusCode, resp.Header.Get("Location"), testutil.ParseHTML(t, b)
}

// holdCenterSeat holds the first time of exam at demo center 1 in lang
// and returns the refusal page when the hold is refused (nil when it went
// to the cart).
func holdCenterSeat(t *testing.T, a *apptest.App, c *http.Client, exam, lang string, slot int) (int, *testutil.HTMLNode) {
	t.Helper()
	date, slots := centerSlots(t, a, c, exam, "1")
	form := url.Values{"idempotency_key": {slots[slot].key}, "slot": {slots[slot].id}, "date": {date}, "center": {"1"}}
	if lang != "" {
		form.Set("language", lang)
	}
	status, loc, doc := post(t, a, c, "/schedule/"+exam+"/hold", form)
	if status == http.StatusSeeOther && loc == "/cart?notice=held" {
		return status, nil
	}
	return status, doc
}

// createVoucher issues a voucher as the demo admin (signing in with a
// second factor enrolled).
func createVoucher(t *testing.T, a *apptest.App, code string, percent string) {
	t.Helper()
	admin := demoAdmin.FindStringSubmatch(a.Stdout())
	ac, _ := mfaSignIn(t, a, admin[1], admin[2])
	enrolTOTP(t, a, ac, true)
	expires := a.Clock.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	status, _, _ := post(t, a, ac, "/console/vouchers", url.Values{"code": {code}, "percent": {percent}, "max_uses": {"5"}, "expires_on": {expires}})
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
		a, smtp := mfaApp(t, engine, apptest.WithArgs("--demo"))
		createVoucher(t, a, "FULL-100", "100")
		cand := demoCandidate.FindStringSubmatch(a.Stdout())
		cc, _ := mfaSignIn(t, a, cand[1], cand[2])

		if status, refusal := holdCenterSeat(t, a, cc, "SAA-C03", "en", 0); refusal != nil {
			t.Fatalf("hold: %d %s", status, refusal.Text())
		}
		status, loc, _ := post(t, a, cc, "/checkout", url.Values{"idempotency_key": {"pay-1"}, "provider": {"test"}, "card": {"4242 4242 4242 4242"}})
		if status != http.StatusSeeOther {
			t.Fatalf("checkout: %d", status)
		}
		paid := page(t, a, cc, loc, http.StatusOK)
		for _, tc := range []struct{ sel, want string }{
			{"#outcome", "Payment received. The confirmation and a calendar file are on their way by email."},
			{".test-mode-note", "Test mode: no money was moved."},
		} {
			if got := paid.First(tc.sel).Text(); got != tc.want {
				t.Errorf("paid checkout %s = %q, want %q", tc.sel, got, tc.want)
			}
		}
		mailTo(t, smtp, cand[1], "Exam confirmed")

		if status, refusal := holdCenterSeat(t, a, cc, "DVA-C02", "en", 1); refusal != nil {
			t.Fatalf("hold: %d %s", status, refusal.Text())
		}
		cart := page(t, a, cc, "/cart", http.StatusOK)
		action, _ := cart.First(`form.voucher-form`).Attr("action")
		if status, _, _ := post(t, a, cc, action, url.Values{"code": {"full100"}}); status != http.StatusSeeOther {
			t.Fatalf("apply voucher: %d", status)
		}
		status, loc, _ = post(t, a, cc, "/checkout", url.Values{"idempotency_key": {"pay-2"}})
		if status != http.StatusSeeOther {
			t.Fatalf("free checkout: %d", status)
		}
		free := page(t, a, cc, loc, http.StatusOK)
		if got, want := free.First("#outcome").Text(), "No payment was needed: your voucher covers the price. The confirmation and a calendar file are on their way by email."; got != want {
			t.Errorf("free checkout outcome = %q, want %q", got, want)
		}
		if n := free.First(".test-mode-note"); n != nil {
			t.Errorf("free checkout mentions test mode: %q", n.Text())
		}
		deadline := time.Now().Add(10 * time.Second)
		for countMail(smtp, cand[1], "Exam confirmed") < 2 && time.Now().Before(deadline) {
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
		cand := demoCandidate.FindStringSubmatch(a.Stdout())
		cc, _ := mfaSignIn(t, a, cand[1], cand[2])
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
		if status, _, _ := post(t, a, cc, "/checkout", url.Values{"idempotency_key": {"pay"}, "provider": {"test"}, "card": {"4242424242424242"}}); status != http.StatusSeeOther {
			t.Fatalf("checkout: %d", status)
		}
		_, refusal = holdCenterSeat(t, a, cc, "SAA-C03", "en", 1)
		if got := refusal.First(`.error-summary a.summary-link[href="/bookings"]`).Text(); got != "See your exam appointments" {
			t.Errorf("booked: link to the bookings = %q", got)
		}
	})
}
