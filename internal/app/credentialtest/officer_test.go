package credentialtest

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

var (
	demoOfficerRe = regexp.MustCompile(`credential_officer\s+email (\S+)\s+password (\S+)`)
	demoResultsRe = regexp.MustCompile(`results_officer\s+email (\S+)\s+password (\S+)`)
)

// TestOfficerSuspendsLiftsAndRevokes: a credential officer finds the
// certified candidate's credential in the console, suspends it and lifts
// the suspension, then revokes it with a reason and the confirmation,
// after signing in again when the sign-in is stale. The holder is mailed
// each change, the reason with the revocation; the public page and API say
// "Revoked" with the date and never the reason. A results officer gets
// neither the page nor the actions.
func TestOfficerSuspendsLiftsAndRevokes(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		holder := demoCertifiedRe.FindStringSubmatch(a.Stdout())
		officer := demoOfficerRe.FindStringSubmatch(a.Stdout())
		results := demoResultsRe.FindStringSubmatch(a.Stdout())
		if officer == nil || results == nil {
			t.Fatalf("the demo printed no credential or results officer:\n%s", a.Stdout())
		}
		oc, _ := a.SignIn(t, officer[1], officer[2])
		key, _, _ := a.EnrolTOTP(t, oc, true)

		list := a.GetPage(t, oc, "/console/credentials?q="+url.QueryEscape(strings.ToUpper(holder[1])), http.StatusOK)
		if nav := strings.Join(list.Texts(".main-nav a"), "|"); !strings.Contains(nav, "Credentials") {
			t.Errorf("the officer's navigation lacks Credentials: %s", nav)
		}
		path := list.AttrOf(`main a[href^="/console/credentials/"]`, "href")
		if path == "" {
			t.Fatalf("the search by email found no credential:\n%s", list.Text())
		}
		page := a.GetPage(t, oc, path, http.StatusOK)
		id := strings.ReplaceAll(page.TextOf("h1 code"), "-", "")
		public := "/credentials/" + id
		if len(id) != 27 || !strings.Contains(page.TextOf("#credential-status"), "Valid") {
			t.Fatalf("credential page: id %q, status %q", id, page.TextOf("#credential-status"))
		}

		// A results officer may not.
		rc, _ := a.SignIn(t, results[1], results[2])
		a.EnrolTOTP(t, rc, true)
		a.GetPage(t, rc, "/console/credentials", http.StatusForbidden)
		if resp := a.PostForm(t, rc, path+"/suspend", nil); apptest.Body(t, resp) != "" && resp.StatusCode != http.StatusForbidden {
			t.Errorf("results officer suspends: %d", resp.StatusCode)
		}

		// Suspend, then lift.
		resp := a.PostForm(t, oc, path+"/suspend", url.Values{"suspend_note": {"Checking a complaint."}})
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "notice=credential_suspended") {
			t.Fatalf("suspend: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if got := a.GetPage(t, a.Client(), public, http.StatusOK).Text(); !strings.Contains(got, "Suspended") || strings.Contains(got, "complaint") {
			t.Errorf("public page after suspension:\n%s", got)
		}
		resp = a.PostForm(t, oc, path+"/lift", nil)
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("lift: %d", resp.StatusCode)
		}
		if got := a.GetPage(t, a.Client(), public, http.StatusOK).Text(); !strings.Contains(got, "Valid") {
			t.Errorf("public page after lifting:\n%s", got)
		}
		apptest.MailTo(t, smtp, holder[1], "suspended")
		apptest.MailTo(t, smtp, holder[1], "valid again")

		// Refusals next to their fields.
		for _, tc := range []struct {
			form url.Values
			sel  string
			want string
		}{
			{url.Values{"reason": {"misconduct"}}, "#confirm-error", "Confirm that you understand"},
			{url.Values{"reason": {"other"}, "confirm": {"on"}}, "#note-error", "Explain the reason"},
			{url.Values{"confirm": {"on"}}, "#reason-error", "Choose a reason"},
		} {
			status, _, doc := a.PostPage(t, oc, path+"/revoke", tc.form)
			if status != http.StatusUnprocessableEntity || !strings.Contains(doc.TextOf(tc.sel), tc.want) {
				t.Errorf("revoke %v: %d, %s = %q", tc.form, status, tc.sel, doc.TextOf(tc.sel))
			}
		}

		// A stale sign-in: sign in again first.
		a.Clock.Advance(31 * time.Minute)
		form := url.Values{"reason": {"misconduct"}, "note": {"Proxy testing confirmed."}, "confirm": {"on"}}
		status, _, doc := a.PostPage(t, oc, path+"/revoke", form)
		if next := doc.AttrOf(`form[action="/profile/security/reauth"] input[name="next"]`, "value"); status != http.StatusForbidden || next != path {
			t.Fatalf("stale revoke: %d, sign in again and return to %q", status, next)
		}
		if got := a.GetPage(t, a.Client(), public, http.StatusOK).Text(); !strings.Contains(got, "Valid") {
			t.Fatal("a refused revocation changed the credential")
		}
		oc, _ = a.SignIn(t, officer[1], officer[2])
		if resp, _ := a.SecondStep(t, oc, "totp", a.TOTPNow(t, key)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("second step: %d", resp.StatusCode)
		}
		resp = a.PostForm(t, oc, path+"/revoke", form)
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "notice=credential_revoked") {
			t.Fatalf("revoke: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		after := a.GetPage(t, oc, path, http.StatusOK)
		if after.Has(`form[action="`+path+`/revoke"]`) || after.Has(`form[action="`+path+`/suspend"]`) || after.Has(`form[action="`+path+`/lift"]`) {
			t.Error("a revoked credential still offers actions")
		}
		if m := apptest.MailTo(t, smtp, holder[1], "revoked"); !strings.Contains(m.Text, "Reason: Misconduct") || strings.Contains(m.Text, "Proxy testing") {
			t.Errorf("revocation mail:\n%s", m.Text)
		}
		if n := apptest.CountMail(smtp, holder[1], "revoked"); n != 1 {
			t.Errorf("revocation mails = %d, want 1", n)
		}
		page = a.GetPage(t, a.Client(), public, http.StatusOK)
		got := page.Text()
		// The day of the status: machine-readable, and written in the
		// page's language.
		now := a.Clock.Now().UTC()
		if day := now.Format(time.DateOnly); !strings.Contains(got, "Revoked") || page.AttrOf(".credential-status time", "datetime") != day {
			t.Errorf("public page after revocation lacks Revoked or the day %s:\n%s", day, got)
		}
		if day := now.Format("Jan 2, 2006"); page.TextOf(".credential-status time") != day {
			t.Errorf("status day reads %q, want %q", page.TextOf(".credential-status time"), day)
		}
		for _, leak := range []string{"Misconduct", "misconduct", "Proxy testing"} {
			if strings.Contains(got, leak) {
				t.Errorf("the public page shows %q", leak)
			}
		}
		r := a.API(t, a.Client(), http.MethodGet, "/api/v1/credentials/"+id, "")
		apptest.WantStatus(t, r, http.StatusOK)
		if r.JSON["status"] != "revoked" || strings.Contains(r.Raw, "misconduct") || strings.Contains(r.Raw, "Proxy") {
			t.Errorf("API after revocation: %s", r.Raw)
		}
	})
}
