// Package remindertest drives renewal reminders, expiry and the
// microcredential's renewal retake over HTTP against the real application
// with its demo data, on both engines.
package remindertest

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// certifiedRe finds the demo holder: an active certification (SAA), one
// expiring within 6 months (CLF), a microcredential passed 90 days ago
// (SLS01) and continuing education.
var certifiedRe = regexp.MustCompile(`certified\s+email (\S+)\s+password (\S+)`)

// credentialRe finds a verification address the demo prints per code.
func credentialRe(code string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^\s+` + code + `\s+\S+(/credentials/[0-9A-Z*~$=]{27})\s*$`)
}

type demo struct {
	a        *apptest.App
	c        *http.Client
	st       *store.Store
	email    string
	password string
	user     *portal.User
}

// signInAgain signs the holder in again (after the clock moved past the
// session's lifetime).
func (d *demo) signInAgain(t *testing.T) {
	t.Helper()
	d.c, _ = d.a.SignIn(t, d.email, d.password)
}

func startDemo(t *testing.T, engine string) *demo {
	t.Helper()
	a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
	m := certifiedRe.FindStringSubmatch(a.Stdout())
	if m == nil {
		t.Fatalf("no certified demo account in:\n%s", a.Stdout())
	}
	c, _ := a.SignIn(t, m[1], m[2])
	d := &demo{a: a, c: c, st: a.OpenStore(t), email: m[1], password: m[2]}
	u, err := d.st.FindUserByEmail(context.Background(), m[1])
	if err != nil {
		t.Fatal(err)
	}
	d.user = u
	return d
}

// held returns the holder's earned certification of code.
func (d *demo) held(t *testing.T, code string) *portal.UserCertificationDetail {
	t.Helper()
	list, err := d.st.ListUserCertifications(context.Background(), store.UserCertificationFilter{UserID: d.user.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.Code == code {
			return c
		}
	}
	t.Fatalf("the demo holder has no %s", code)
	return nil
}

func (d *demo) setLanguage(t *testing.T, lang string) {
	t.Helper()
	if _, err := d.st.DB().ExecContext(context.Background(), testutil.Rebind(d.a.Engine, `UPDATE users SET language = ? WHERE id = ?`),
		lang, d.user.ID); err != nil {
		t.Fatal(err)
	}
}

// enDate writes a YYYY-MM-DD day as the English pages do.
func enDate(t *testing.T, day string) string {
	t.Helper()
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	return d.Format("Jan 2, 2006")
}

// TestRenewalBannerOnTheDashboard: the demo holder's CLF expires within 6
// months, so its reminders have come: the dashboard's banner names it, its
// last day and the days left, the credits still needed and those waiting
// for a decision, in English and in Spanish. SAA (two years left) and the
// microcredential (passed 90 days ago) are not in it. At the end of CLF's
// last day the banner drops it, and the certifications page and its
// public verification page both say expired at that same instant, not a
// second before; by then the microcredential's 6-month reminder has come
// and the banner names the day its renewal retake opens.
func TestRenewalBannerOnTheDashboard(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		d := startDemo(t, engine)
		clf := d.held(t, "CLF")
		page := d.a.GetPage(t, d.c, "/dashboard", http.StatusOK)
		banner := page.First("section.reminders")
		if banner == nil {
			t.Fatalf("no renewal banner:\n%s", page.Text())
		}
		if got := banner.Count("li.reminder"); got != 1 {
			t.Fatalf("%d certifications in the banner, want 1: %s", got, banner.Text())
		}
		text := banner.Text()
		for _, want := range []string{"Renewal reminders", clf.Name + " expires on " + enDate(t, clf.ExpiresOn), "days.",
			"Credits still needed:", "Credits waiting for a decision, not counted yet:"} {
			if !strings.Contains(text, want) {
				t.Errorf("banner lacks %q: %s", want, text)
			}
		}
		if banner.AttrOf("a", "href") != "/ce" {
			t.Errorf("banner links to %q", banner.AttrOf("a", "href"))
		}

		d.setLanguage(t, "es")
		text = d.a.GetPage(t, d.c, "/dashboard", http.StatusOK).First("section.reminders").Text()
		for _, want := range []string{"Recordatorios de renovación", clf.Name + " vence el", "Créditos que aún faltan:", "Créditos pendientes de decisión"} {
			if !strings.Contains(text, want) {
				t.Errorf("Spanish banner lacks %q: %s", want, text)
			}
		}
		d.setLanguage(t, "en")

		m := credentialRe("CLF").FindStringSubmatch(d.a.Stdout())
		if m == nil {
			t.Fatalf("no CLF verification address in:\n%s", d.a.Stdout())
		}
		signedOut := d.a.Client()
		status := func() (string, string) {
			pub := d.a.GetPage(t, signedOut, m[1], http.StatusOK).TextOf(".credential-status .status")
			own := d.a.GetPage(t, d.c, "/certifications", http.StatusOK).TextOf("#cert-" + strconv.FormatInt(clf.ID, 10) + " .status")
			return pub, own
		}
		d.a.Clock.Set(clf.ExpiresAt.Add(-time.Second))
		d.signInAgain(t)
		if pub, own := status(); pub != "Valid" || strings.Contains(own, "Expired") {
			t.Fatalf("a second before expiry: verification %q, certifications %q", pub, own)
		}
		d.a.Clock.Set(clf.ExpiresAt)
		d.signInAgain(t)
		if pub, own := status(); pub != "Expired" || !strings.Contains(own, "Expired") {
			t.Fatalf("at expiry: verification %q, certifications %q", pub, own)
		}
		// By then the microcredential has less than 6 months left: the
		// banner names it, and when its renewal retake opens, not CLF.
		b := d.a.GetPage(t, d.c, "/dashboard", http.StatusOK).First("section.reminders")
		if b == nil || strings.Contains(b.Text(), clf.Name) || !strings.Contains(b.Text(), "You can book a renewal retake from") {
			t.Fatalf("banner after CLF's expiry: %v", b)
		}
	})
}

// TestRenewalRetakeRefusedOnPagesAndAPI: the demo holder passed the
// microcredential MC-SLS01 90 days ago; booking it again now is refused on
// the booking page and by the API with the day the renewal retake opens,
// 9 months after passing.
func TestRenewalRetakeRefusedOnPagesAndAPI(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		d := startDemo(t, engine)
		sls := d.held(t, "SLS01")
		opens, _ := portal.MonthsBeforeDay(sls.ExpiresOn, 3)
		want := "You can book a renewal retake from " + enDate(t, opens) + "."

		var slot map[string]any
		day := d.a.Clock.Now().Add(96 * time.Hour).Format(time.DateOnly)
		deadline := time.Now().Add(30 * time.Second)
		for slot == nil { // online starts are generated by a job at start-up
			r := d.a.API(t, d.c, http.MethodGet, "/api/v1/online/slots?from="+day+"&to="+day, "")
			apptest.WantStatus(t, r, http.StatusOK)
			if days := r.JSON["days"].([]any); len(days) > 0 {
				slot = days[0].(map[string]any)["slots"].([]any)[0].(map[string]any)
			} else if time.Now().After(deadline) {
				t.Fatalf("no online slots on %s within 30 s", day)
			} else {
				time.Sleep(50 * time.Millisecond)
			}
		}
		id := strconv.FormatInt(int64(slot["id"].(float64)), 10)

		r := d.a.API(t, d.c, http.MethodPost, "/api/v1/holds", `{"exam_code":"MC-SLS01","slot_id":`+id+`,"language":"en"}`,
			"Idempotency-Key", "retake-1")
		apptest.WantStatus(t, r, http.StatusConflict)
		if r.ErrorField("code") != portal.EConflict || r.ErrorField("message_id") != "reminders.rule.renewal_retake" ||
			r.ErrorField("message") != want {
			t.Fatalf("API refusal: %s", r.Raw)
		}

		status, _, doc := d.a.PostPage(t, d.c, "/schedule/MC-SLS01/hold", map[string][]string{"idempotency_key": {"retake-page"},
			"slot": {id}, "date": {day}, "language": {"en"}, "tz": {"UTC"}})
		if status != http.StatusConflict || !strings.Contains(doc.Text(), want) {
			t.Fatalf("page refusal: %d\n%s", status, doc.Text())
		}
	})
}
