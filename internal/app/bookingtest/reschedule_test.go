package bookingtest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestRescheduleToAnotherCenterOrOnline walks the move of a booking: from
// the booking page to the choice of the current center, any center found
// by place, or online; the current appointment is marked on its center's
// times and not offered; a chosen time leads to a review step (current
// and new appointment, fee) that changes nothing; a move into online
// delivery asks for the system check and the agreements, is refused
// without them next to each field with the booking unchanged, and moves
// the booking online with them.
func TestRescheduleToAnotherCenterOrOnline(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		c, _ := a.SignIn(t, cand[1], cand[2])
		ref, slots := a.BookDemoSeat(t, c)
		keep := "?reschedule=" + ref

		booking := a.GetPage(t, c, "/bookings/"+ref, http.StatusOK)
		start := "/schedule/SAA-C03" + keep
		if got := booking.AttrOf("ul.actions a[href*=reschedule]", "href"); got != start {
			t.Fatalf("reschedule link = %q, want %q", got, start)
		}

		choose := a.GetPage(t, c, start, http.StatusOK)
		if got := choose.TextOf(".rescheduling .current-appointment"); !strings.Contains(got, "Pioneer Square Testing Center") {
			t.Errorf("current appointment = %q", got)
		}
		for _, href := range []string{"/schedule/SAA-C03/centers/1" + keep, "/schedule/SAA-C03/centers" + keep, "/schedule/SAA-C03/online" + keep} {
			if !choose.Has(`.grid a.button[href="` + href + `"]`) {
				t.Errorf("the choice lacks a link to %s", href)
			}
		}

		// Any center, found by place as in booking; the current one is marked.
		found := a.GetPage(t, c, "/schedule/SAA-C03/centers?"+url.Values{"reschedule": {ref}, "country": {"US"}, "near": {"Seattle"}, "radius": {"50"}, "unit": {"mi"}}.Encode(), http.StatusOK)
		hrefs := found.Find("ol.results li h3 a")
		if len(hrefs) < 2 {
			t.Fatalf("%d centers near Seattle, want at least 2", len(hrefs))
		}
		other := ""
		for _, n := range hrefs {
			href, _ := n.Attr("href")
			if !strings.HasSuffix(href, keep) {
				t.Errorf("result link %s lost the booking", href)
			}
			if href != "/schedule/SAA-C03/centers/1"+keep && other == "" {
				other = strings.TrimSuffix(href, keep)
			}
		}
		if got := found.Texts("ol.results li .current-center"); len(got) != 1 {
			t.Errorf("current-center marks = %q, want one", got)
		}

		// The current time is marked on its date and not offered.
		date := apptest.FirstDateRe.FindStringSubmatch(apptest.Body(t, a.Get(t, c, "/schedule/SAA-C03/centers/1"+keep)))[1]
		times := a.GetPage(t, c, "/schedule/SAA-C03/centers/1"+keep+"&date="+date, http.StatusOK)
		if got := times.TextOf("ul.slot-list li.slot-current .slot-current-label"); got != "Your current appointment" {
			t.Errorf("current slot label = %q", got)
		}
		if times.Has(`ul.slot-list input[name=slot][value="` + slots[0].ID + `"]`) {
			t.Error("the current time is offered as a choice")
		}
		if n, m := times.Count("ul.slot-list form"), times.Count(`ul.slot-list form[method=get][action="/bookings/`+ref+`/reschedule"]`); n == 0 || n != m {
			t.Errorf("%d time forms, %d of them to the review step", n, m)
		}

		// The review step of a time at another center changes nothing.
		odate := apptest.FirstDateRe.FindStringSubmatch(apptest.Body(t, a.Get(t, c, other+keep)))[1]
		otimes := a.GetPage(t, c, other+keep+"&date="+odate, http.StatusOK)
		oslot := otimes.AttrOf("ul.slot-list input[name=slot]", "value")
		review := a.GetPage(t, c, "/bookings/"+ref+"/reschedule?slot="+oslot+"&date="+odate, http.StatusOK)
		for sel, want := range map[string]string{
			"h1":                                "Review the move",
			"#move .move-from":                  "Pioneer Square Testing Center",
			"#move .move-to":                    otimes.TextOf("h1"),
			"#move .move-fee":                   "free of charge",
			"form.move-form .button":            "Confirm the move",
			`.move-links a[href^="/schedule/"]`: "Choose another time",
		} {
			if got := review.TextOf(sel); !strings.Contains(got, want) {
				t.Errorf("review %s = %q, want %q in it", sel, got, want)
			}
		}
		if review.Has("#online") || review.Has("#provider") {
			t.Error("a free move between centers asks for the online agreement or a payment")
		}
		if got := a.GetPage(t, c, "/bookings/"+ref, http.StatusOK).TextOf(".confirmation"); !strings.Contains(got, "0 of 2 used") {
			t.Fatalf("the review step moved the booking: %q", got)
		}

		// Online: the agreement is asked for, and refused when missing.
		odays := apptest.Body(t, a.Get(t, c, "/schedule/SAA-C03/online"+keep+"&tz=UTC"))
		ond := apptest.FirstDateRe.FindStringSubmatch(odays)[1]
		online := a.GetPage(t, c, "/schedule/SAA-C03/online"+keep+"&tz=UTC&date="+ond, http.StatusOK)
		onslot := online.AttrOf("ul.slot-list input[name=slot]", "value")
		review = a.GetPage(t, c, "/bookings/"+ref+"/reschedule?slot="+onslot+"&date="+ond+"&tz=UTC", http.StatusOK)
		for _, id := range []string{"system_checked", "agree_rules", "agree_privacy"} {
			if !review.Has("fieldset#online input[type=checkbox]#" + id) {
				t.Errorf("the online review lacks the %s checkbox", id)
			}
		}
		key := review.AttrOf("input[name=idempotency_key]", "value")
		form := url.Values{"idempotency_key": {key}, "slot": {onslot}, "date": {ond}, "tz": {"UTC"}, "agree_rules": {"on"}}
		resp := a.PostForm(t, c, "/bookings/"+ref+"/reschedule", form)
		refused := testutil.ParseHTML(t, apptest.Body(t, resp))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("move online without the agreements: %d", resp.StatusCode)
		}
		for sel, want := range map[string]string{
			"#system_checked-error":                           "Run the system check",
			"#agree_privacy-error":                            "Agree to the privacy policy",
			`.error-summary li:first-child a[href="#online"]`: "An online exam needs the system check",
		} {
			if got := refused.TextOf(sel); !strings.Contains(got, want) {
				t.Errorf("refusal %s = %q, want %q in it", sel, got, want)
			}
		}
		if refused.Has("#agree_rules-error") || !refused.Has("#agree_rules[checked]") {
			t.Error("the agreed rules box is refused or not kept ticked")
		}
		if got := a.GetPage(t, c, "/bookings/"+ref, http.StatusOK).TextOf(".confirmation"); !strings.Contains(got, "0 of 2 used") || !strings.Contains(got, "Pioneer Square") {
			t.Fatalf("a refused move changed the booking: %q", got)
		}

		form.Set("idempotency_key", refused.AttrOf("input[name=idempotency_key]", "value"))
		form.Set("system_checked", "on")
		form.Set("agree_privacy", "on")
		resp = a.PostForm(t, c, "/bookings/"+ref+"/reschedule", form)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/bookings/"+ref+"?notice=rescheduled" {
			t.Fatalf("move online with the agreements: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		moved := a.GetPage(t, c, "/bookings/"+ref, http.StatusOK)
		if got := moved.TextOf(".confirmation"); !strings.Contains(got, "Online proctored") || !strings.Contains(got, "1 of 2 used") {
			t.Fatalf("booking after the move online: %q", got)
		}
	})
}

// TestRescheduleARetiredExam: a retired exam sells no new seats, but a
// booking bought before may still move, so its move pages serve it (the
// choice, the search, the times, the review) while the exam's booking
// pages without a booking to move are not found.
func TestRescheduleARetiredExam(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, _ := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		c, _ := a.SignIn(t, cand[1], cand[2])
		ref, slots := a.BookDemoSeat(t, c)

		ac, _ := a.SignIn(t, admin[1], admin[2])
		a.EnrolTOTP(t, ac, true)
		exams := a.GetPage(t, ac, "/console/exams", http.StatusOK)
		edit := exams.AttrOf(`a[aria-label^="Edit SAA-C03 "]`, "href")
		if edit == "" {
			t.Fatal("no edit link for SAA-C03 in the console")
		}
		resp := a.PostForm(t, ac, edit+"/retire", nil)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("retire SAA-C03: %d", resp.StatusCode)
		}

		keep := "?reschedule=" + ref
		m := apptest.FirstDateRe.FindStringSubmatch(a.GetPage(t, c, "/schedule/SAA-C03/centers/1"+keep, http.StatusOK).AttrOf("ul.date-list a", "href"))
		if m == nil {
			t.Fatal("the retired exam's center lists no date for the move")
		}
		date := m[1]
		for _, tc := range []struct {
			path string
			want int
		}{
			{"/schedule/SAA-C03" + keep, http.StatusOK},
			{"/schedule/SAA-C03/centers" + keep, http.StatusOK},
			{"/schedule/SAA-C03/centers/1" + keep + "&date=" + date, http.StatusOK},
			{"/schedule/SAA-C03/online" + keep, http.StatusOK},
			{"/bookings/" + ref + "/reschedule?slot=" + slots[1].ID, http.StatusOK},
			{"/schedule/DVA-C02" + keep, http.StatusNotFound}, // another exam's pages with this booking
			{"/schedule/SAA-C03", http.StatusNotFound},
			{"/schedule/SAA-C03/centers/1", http.StatusNotFound},
		} {
			a.GetPage(t, c, tc.path, tc.want)
		}
		resp = a.PostForm(t, c, "/bookings/"+ref+"/reschedule", url.Values{"idempotency_key": {"move-retired"}, "slot": {slots[1].ID}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("move of a retired exam's booking: %d", resp.StatusCode)
		}
	})
}

// TestMovePagesRefuseABookingThatCannotMove: once a booking is cancelled,
// the pages that choose its new time answer the refusal (409, saying why)
// instead of offering a move the service would refuse at the end.
func TestMovePagesRefuseABookingThatCannotMove(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, _ := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		c, _ := a.SignIn(t, cand[1], cand[2])
		ref, _ := a.BookDemoSeat(t, c)

		resp := a.PostForm(t, c, "/bookings/"+ref+"/cancel", url.Values{"idempotency_key": {"cancel-before-move"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel: %d\n%s", resp.StatusCode, apptest.Body(t, resp))
		}
		resp.Body.Close()
		keep := "?reschedule=" + ref
		for _, path := range []string{
			"/schedule/SAA-C03" + keep,
			"/schedule/SAA-C03/centers" + keep + "&country=US&near=Seattle",
			"/schedule/SAA-C03/centers/1" + keep,
			"/schedule/SAA-C03/online" + keep,
		} {
			refused := a.GetPage(t, c, path, http.StatusConflict)
			if got := refused.TextOf("main"); !strings.Contains(got, "confirmed") {
				t.Errorf("%s: refusal %q does not say the booking must be confirmed", path, got)
			}
		}
	})
}
