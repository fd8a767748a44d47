package bookingtest

import (
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestStaffRosterCapacityAndClosure: staff see a booked candidate on the
// center's roster, cannot cut a session's seats below those taken, and
// closing the session tells the candidate, who may then move for free
// (schedule rules "capacity never below booked", "closing notifies").
func TestStaffRosterCapacityAndClosure(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		cc, _ := a.SignIn(t, cand[1], cand[2])
		ref, _ := a.BookDemoSeat(t, cc)
		apptest.MailTo(t, smtp, cand[1], "Exam confirmed")

		ac, _ := a.SignIn(t, admin[1], admin[2])
		a.EnrolTOTP(t, ac, true)
		found := apptest.Body(t, a.Get(t, ac, "/console/bookings?q="+ref))
		roster := regexp.MustCompile(`href="(/console/roster\?center=\d+&amp;date=[0-9-]+)"`).FindStringSubmatch(found)
		if roster == nil {
			t.Fatalf("booking search lacks the roster link:\n%s", found)
		}
		rosterPath := strings.ReplaceAll(roster[1], "&amp;", "&")
		page := apptest.Body(t, a.Get(t, ac, rosterPath))
		if !strings.Contains(page, "Dana Rivera") || !strings.Contains(page, "1 of 12 seats taken") {
			t.Fatalf("roster:\n%s", page)
		}
		slot := regexp.MustCompile(`action="/console/slots/(\d+)/capacity"`).FindStringSubmatch(page)
		q, _ := url.ParseQuery(strings.SplitN(rosterPath, "?", 2)[1])
		back := url.Values{"center": {q.Get("center")}, "date": {q.Get("date")}}

		form := url.Values{"capacity": {"0"}}
		for k, v := range back {
			form[k] = v
		}
		resp := a.PostForm(t, ac, "/console/slots/"+slot[1]+"/capacity", form)
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(page, "1 seat is booked") {
			t.Fatalf("capacity below taken: %d\n%s", resp.StatusCode, page)
		}
		resp = a.PostForm(t, ac, "/console/slots/"+slot[1]+"/close", back)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("close slot: %d", resp.StatusCode)
		}
		apptest.MailTo(t, smtp, cand[1], "Action needed")
		booking := apptest.Body(t, a.Get(t, cc, "/bookings/"+ref))
		if !strings.Contains(booking, "free of charge") || !strings.Contains(booking, "refund now: 100%") {
			t.Fatalf("booking after closure:\n%s", booking)
		}

		// A candidate cannot reach the console's scheduling pages.
		for _, p := range []string{"/console/roster", "/console/bookings", "/console/vouchers"} {
			if resp := a.Get(t, cc, p); resp.StatusCode != http.StatusForbidden {
				_ = apptest.Body(t, resp)
				t.Errorf("candidate GET %s: %d", p, resp.StatusCode)
			} else {
				_ = apptest.Body(t, resp)
			}
		}
	})
}

// TestVoucherConsoleAndRedemption: an admin issues a voucher (bad input is
// refused next to its field); a candidate redeems it once in the cart, and
// a used-up code is refused with its reason.
func TestVoucherConsoleAndRedemption(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, _ := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		ac, _ := a.SignIn(t, admin[1], admin[2])
		a.EnrolTOTP(t, ac, true)
		expires := a.Clock.Now().AddDate(0, 1, 0).Format(time.DateOnly)
		resp := a.PostForm(t, ac, "/console/vouchers", url.Values{"code": {"SPRING-25"}, "percent": {"250"}, "max_uses": {"1"}, "expires_on": {expires}})
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "from 1 to 100 percent") {
			t.Fatalf("bad percent: %d\n%s", resp.StatusCode, page)
		}
		resp = a.PostForm(t, ac, "/console/vouchers", url.Values{"code": {"SPRING-25"}, "percent": {"25"}, "max_uses": {"1"}, "expires_on": {expires}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create voucher: %d", resp.StatusCode)
		}
		if page := apptest.Body(t, a.Get(t, ac, "/console/vouchers")); !strings.Contains(page, "SPRING25") {
			t.Fatalf("voucher list:\n%s", page)
		}

		cc, _ := a.SignIn(t, cand[1], cand[2])
		date, slots := a.CenterSlots(t, cc, "SAA-C03", "1")
		resp = a.PostForm(t, cc, "/schedule/SAA-C03/hold", url.Values{"idempotency_key": {slots[0].Key}, "slot": {slots[0].ID}, "date": {date}, "language": {"en"}, "center": {"1"}})
		_ = apptest.Body(t, resp)
		cart := apptest.Body(t, a.Get(t, cc, "/cart"))
		item := regexp.MustCompile(`action="/cart/(\d+)/voucher"`).FindStringSubmatch(cart)
		if item == nil {
			t.Fatalf("cart has no voucher form:\n%s", cart)
		}
		resp = a.PostForm(t, cc, "/cart/"+item[1]+"/voucher", url.Values{"code": {"nope-nope"}})
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(page, "This code is not valid") {
			t.Fatalf("unknown code: %d\n%s", resp.StatusCode, page)
		}
		resp = a.PostForm(t, cc, "/cart/"+item[1]+"/voucher", url.Values{"code": {"spring-25"}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("apply voucher: %d", resp.StatusCode)
		}
		if cart := apptest.Body(t, a.Get(t, cc, "/cart")); !strings.Contains(cart, "$112.50") {
			t.Fatalf("total after 25%% off $150.00:\n%s", cart)
		}
		// The single use is taken: a second booking cannot use it.
		date, slots = a.CenterSlots(t, cc, "DVA-C02", "1")
		resp = a.PostForm(t, cc, "/schedule/DVA-C02/hold", url.Values{"idempotency_key": {slots[1].Key}, "slot": {slots[1].ID}, "date": {date}, "language": {"en"}, "center": {"1"}})
		_ = apptest.Body(t, resp)
		cart = apptest.Body(t, a.Get(t, cc, "/cart"))
		items := regexp.MustCompile(`action="/cart/(\d+)/voucher"`).FindAllStringSubmatch(cart, -1)
		if len(items) != 1 {
			t.Fatalf("want one item without a voucher:\n%s", cart)
		}
		resp = a.PostForm(t, cc, "/cart/"+items[0][1]+"/voucher", url.Values{"code": {"SPRING25"}})
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(page, "already been used") {
			t.Fatalf("used-up code: %d\n%s", resp.StatusCode, page)
		}
	})
}

// TestStripeWebhookRefusesBadSignatures: without Stripe configured the
// endpoint does not exist; with it, an unsigned or wrongly signed event is
// a 400 and changes nothing (SECURITY.md CONC-05).
func TestStripeWebhookRefusesBadSignatures(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		resp, err := a.Client().Post(a.URL+"/webhooks/stripe", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("webhook without Stripe: %d", resp.StatusCode)
		}

		mock := testutil.StripeMock(t)
		s := apptest.Start(t, engine, apptest.WithArgs("--demo"),
			apptest.WithEnv("CERTPORTAL_STRIPE_SECRET_KEY", "sk_test_123"),
			apptest.WithEnv("CERTPORTAL_STRIPE_WEBHOOK_SECRET", "whsec_test_secret"),
			apptest.WithEnv("CERTPORTAL_STRIPE_API_URL", mock))
		payload, header := testutil.StripeEvent(t, "whsec_other_secret", testutil.StripeEventData{
			Type: "checkout.session.completed", Reference: "PXXXX-XXXX", PaymentStatus: "paid", Currency: "usd", AmountMinor: 15000,
		}, time.Now())
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/webhooks/stripe", strings.NewReader(string(payload)))
		req.Header.Set("Stripe-Signature", header)
		req.Header.Set("Content-Type", "application/json")
		resp, err = s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("wrongly signed event: %d", resp.StatusCode)
		}
	})
}

// TestConfirmFailureLeavesNoConfirmedBooking: when the database fails
// inside the confirmation (here the job outbox the confirmation mail goes
// to is gone), the candidate gets the generic error page and the booking
// stays pending, never confirmed (SECURITY.md IN-07, BL-01). The debug
// endpoints do not exist.
func TestConfirmFailureLeavesNoConfirmedBooking(t *testing.T) {
	a := apptest.Start(t, store.SQLite, apptest.WithArgs("--demo"))
	cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
	c, _ := a.SignIn(t, cand[1], cand[2])
	for _, p := range []string{"/debug/pprof/", "/debug/vars"} {
		resp := a.Get(t, c, p)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	date, slots := a.CenterSlots(t, c, "SAA-C03", "1")
	resp := a.PostForm(t, c, "/schedule/SAA-C03/hold", url.Values{"idempotency_key": {slots[0].Key}, "slot": {slots[0].ID}, "date": {date}, "language": {"en"}, "center": {"1"}})
	_ = apptest.Body(t, resp)

	db, err := sql.Open("sqlite", "file:"+filepath.Join(a.DataDir, "certportal.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`ALTER TABLE job_outbox RENAME TO job_outbox_gone`); err != nil {
		t.Fatal(err)
	}
	resp = a.PostForm(t, c, "/checkout", url.Values{"idempotency_key": {"pay"}, "provider": {"test"}, "card": {"4242424242424242"}})
	page := apptest.Body(t, resp)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(page, "Something went wrong") || strings.Contains(page, "job_outbox") {
		t.Fatalf("checkout with a broken database: %d\n%s", resp.StatusCode, page)
	}
	var confirmed, pending int
	if err := db.QueryRow(`SELECT COUNT(*) FILTER (WHERE state = 'confirmed'), COUNT(*) FILTER (WHERE state = 'pending') FROM bookings`).Scan(&confirmed, &pending); err != nil {
		t.Fatal(err)
	}
	if confirmed != 0 || pending != 1 {
		t.Fatalf("after the failed confirmation: %d confirmed, %d pending bookings", confirmed, pending)
	}
}

// TestOnlineAgreementsRecordTheConfiguredVersions: the cart links the
// program's exam rules and privacy policy and names their versions; the
// booking records the versions agreed to.
func TestOnlineAgreementsRecordTheConfiguredVersions(t *testing.T) {
	a := apptest.Start(t, store.SQLite, apptest.WithArgs("--demo"),
		apptest.WithEnv("CERTPORTAL_EXAM_RULES_URL", "https://program.example.org/exam-rules"),
		apptest.WithEnv("CERTPORTAL_EXAM_RULES_VERSION", "2027-02"),
		apptest.WithEnv("CERTPORTAL_PRIVACY_URL", "https://program.example.org/privacy"),
		apptest.WithEnv("CERTPORTAL_PRIVACY_VERSION", "2027-03"))
	cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
	c, _ := a.SignIn(t, cand[1], cand[2])
	var date string
	var slots []apptest.SlotButton
	deadline := time.Now().Add(30 * time.Second)
	for { // online starts are generated by a job at start-up
		page := apptest.Body(t, a.Get(t, c, "/schedule/SAA-C03/online?tz=UTC"))
		if m := apptest.FirstDateRe.FindStringSubmatch(page); m != nil {
			date = m[1]
			page = apptest.Body(t, a.Get(t, c, "/schedule/SAA-C03/online?tz=UTC&date="+date))
			for _, s := range apptest.SlotFormRe.FindAllStringSubmatch(page, -1) {
				slots = append(slots, apptest.SlotButton{Key: s[1], ID: s[2]})
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no online dates:\n%s", page)
		}
		time.Sleep(200 * time.Millisecond)
	}
	resp := a.PostForm(t, c, "/schedule/SAA-C03/hold", url.Values{"idempotency_key": {slots[0].Key}, "slot": {slots[0].ID}, "date": {date}, "language": {"en"}, "tz": {"UTC"}})
	_ = apptest.Body(t, resp)
	cart := apptest.Body(t, a.Get(t, c, "/cart"))
	for _, want := range []string{`href="https://program.example.org/exam-rules"`, `href="https://program.example.org/privacy"`, "(version 2027-02)", "(version 2027-03)"} {
		if !strings.Contains(cart, want) {
			t.Errorf("cart lacks %s", want)
		}
	}
	resp = a.PostForm(t, c, "/checkout", url.Values{"idempotency_key": {"pay"}, "provider": {"test"}, "card": {"4242424242424242"},
		"system_checked": {"on"}, "agree_rules": {"on"}, "agree_privacy": {"on"}})
	_ = apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout: %d", resp.StatusCode)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(a.DataDir, "certportal.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rules, privacy string
	var agreed sql.NullString
	if err := db.QueryRow(`SELECT rules_version, privacy_version, agreed_at FROM bookings WHERE state = 'confirmed'`).Scan(&rules, &privacy, &agreed); err != nil {
		t.Fatal(err)
	}
	if rules != "2027-02" || privacy != "2027-03" || !agreed.Valid {
		t.Fatalf("recorded rules %q, privacy %q, agreed at %v", rules, privacy, agreed)
	}
}

// TestRescheduleFeeStep: a demo professional exam charges USD 50.00 per
// move. The booking page says so; choosing a new time shows the review
// step (current and new time, the fee, how to pay) without moving
// anything; a declined card is refused next to the card field with the
// booking unchanged; a good card moves the booking, mails the new
// confirmation and lists the move in the booking's history.
func TestRescheduleFeeStep(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		cc, _ := a.SignIn(t, cand[1], cand[2])
		ref, slots := a.BookDemoExam(t, cc, "SAP-C02")
		apptest.MailTo(t, smtp, cand[1], "Exam confirmed")
		if page := apptest.Body(t, a.Get(t, cc, "/bookings/"+ref)); !strings.Contains(page, "fee $50.00 per move") {
			t.Fatalf("booking page does not state the fee:\n%s", page)
		}

		review := a.GetPage(t, cc, "/bookings/"+ref+"/reschedule?slot="+slots[1].ID, http.StatusOK)
		if got := review.TextOf("#move .move-fee"); got != "$50.00" {
			t.Errorf("review fee = %q, want $50.00", got)
		}
		if got := review.TextOf("form.move-form button[type=submit]"); got != "Pay $50.00 and move" {
			t.Fatalf("review button = %q", got)
		}
		if !review.Has("#provider-test[checked]") {
			t.Error("the test-mode provider is not chosen by default")
		}
		key := []string{"", review.AttrOf("input[name=idempotency_key]", "value")}
		resp := a.PostForm(t, cc, "/bookings/"+ref+"/reschedule", url.Values{"idempotency_key": {key[1]}, "slot": {slots[1].ID},
			"provider": {"test"}, "card": {"4000 0000 0000 0002"}})
		page := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "The card was declined. Nothing was charged and your appointment is unchanged.") || !strings.Contains(page, `id="card-error"`) {
			t.Fatalf("declined fee: %d\n%s", resp.StatusCode, page)
		}
		if strings.Contains(page, "4000 0000 0000 0002") {
			t.Fatal("the card number was sent back")
		}
		if booking := apptest.Body(t, a.Get(t, cc, "/bookings/"+ref)); !strings.Contains(booking, "0 of 2 used") {
			t.Fatalf("a declined fee moved the booking:\n%s", booking)
		}

		key = regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(page)
		resp = a.PostForm(t, cc, "/bookings/"+ref+"/reschedule", url.Values{"idempotency_key": {key[1]}, "slot": {slots[1].ID},
			"provider": {"test"}, "card": {"4242 4242 4242 4242"}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/bookings/"+ref+"?notice=rescheduled" {
			t.Fatalf("paid move: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		apptest.MailTo(t, smtp, cand[1], "Exam rescheduled")
		booking := apptest.Body(t, a.Get(t, cc, "/bookings/"+ref))
		if !strings.Contains(booking, "1 of 2 used") || !strings.Contains(booking, "Moved from") || !strings.Contains(booking, "($50.00)") {
			t.Fatalf("booking after the paid move:\n%s", booking)
		}
	})
}
