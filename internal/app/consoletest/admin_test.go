package consoletest

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestAdminCreateSetupAndMail walks the operator's first steps on both
// engines: create an admin on the command line beside the running server,
// open the one-time link, set a password, sign in to the console and send a
// test message that a real SMTP server receives with both parts.
func TestAdminCreateSetupAndMail(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		smtp := testutil.NewSMTPServer(t)
		a := apptest.Start(t, engine, apptest.WithEnv("CERTPORTAL_SMTP_URL", smtp.URL()))
		env := map[string]string{}
		for k, v := range a.Env {
			env[k] = v
		}
		env["CERTPORTAL_BASE_URL"] = a.URL
		code, out, errOut := apptest.Run(t, env, "admin", "create", "--email", "Grace@Example.org", "--first-name", "Grace", "--last-name", "Hopper")
		if code != 0 {
			t.Fatalf("admin create: exit %d\n%s%s", code, out, errOut)
		}
		link := regexp.MustCompile(`http://\S+/setup/\S+`).FindString(out)
		if link == "" {
			t.Fatalf("no setup link printed:\n%s", out)
		}
		path := strings.TrimPrefix(link, a.URL)
		c := a.Client()

		// Nobody can sign in before the setup.
		resp := a.PostForm(t, c, "/signin", url.Values{"email": {"grace@example.org"}, "password": {"guess-Passw0rd"}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode == http.StatusSeeOther {
			t.Fatal("signed in before setting a password")
		}

		resp = a.Get(t, c, path)
		page := apptest.Body(t, resp)
		if resp.StatusCode != 200 || !strings.Contains(page, "grace@example.org") {
			t.Fatalf("setup page: %d\n%s", resp.StatusCode, page)
		}
		if resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("setup page Referrer-Policy = %q, want no-referrer", resp.Header.Get("Referrer-Policy"))
		}
		// A weak password re-renders the form with the rule, nothing saved.
		resp = a.PostForm(t, c, path, url.Values{"password": {"password"}, "confirm": {"password"}})
		page = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Add an upper-case letter and a digit.") || !strings.Contains(page, `href="#password"`) {
			t.Fatalf("weak password: %d\n%s", resp.StatusCode, page)
		}
		resp = a.PostForm(t, c, path, url.Values{"password": {"Cobol-Compiler-1959"}, "confirm": {"Cobol-Compiler-1959"}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("setup: %d", resp.StatusCode)
		}
		// The link is spent.
		resp = a.Get(t, c, path)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("second visit of the setup link: %d, want 404", resp.StatusCode)
		}

		resp = a.PostForm(t, c, "/signin", url.Values{"email": {"grace@example.org"}, "password": {"Cobol-Compiler-1959"}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console" {
			t.Fatalf("sign in: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		cookies := resp.Cookies()
		if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie attributes: %+v", cookies)
		}
		// Staff set up a second factor before they use the console (MFA-01).
		a.EnrolTOTP(t, c, true)
		resp = a.PostForm(t, c, "/console/mail/test", url.Values{"to": {"ops@example.org"}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("send test mail: %d", resp.StatusCode)
		}
		m := apptest.MailTo(t, smtp, "ops@example.org", "")
		if len(m.To) != 1 || m.To[0] != "ops@example.org" || m.Text == "" || m.HTML == "" || !strings.Contains(m.Text, "Grace Hopper") {
			t.Fatalf("test message: to %v subject %q\ntext: %s\nhtml: %d bytes", m.To, m.Subject, m.Text, len(m.HTML))
		}
		audit := apptest.Body(t, a.Get(t, c, "/console/audit"))
		for _, action := range []string{"account.admin_created", "account.setup_completed", "auth.signed_in", "ops.test_mail_sent", "auth.signin_failed"} {
			if !strings.Contains(audit, action) {
				t.Errorf("audit log lacks %s", action)
			}
		}
		// Filtering by action prefix.
		filtered := apptest.Body(t, a.Get(t, c, "/console/audit?action=auth."))
		if strings.Contains(filtered, "account.admin_created") || !strings.Contains(filtered, "auth.signed_in") {
			t.Errorf("audit filter auth. does not filter")
		}
	})
}

func TestConsoleNeedsStaff(t *testing.T) {
	a := apptest.Start(t, "sqlite", apptest.WithArgs("--demo"))
	cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
	c := a.Client()
	resp := a.Get(t, c, "/console/audit")
	_ = apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin?next=") {
		t.Fatalf("anonymous console: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = a.PostForm(t, c, "/signin", url.Values{"email": {cand[1]}, "password": {cand[2]}})
	_ = apptest.Body(t, resp)
	if resp.Header.Get("Location") != "/dashboard" {
		t.Fatalf("candidate sign-in went to %s", resp.Header.Get("Location"))
	}
	for _, p := range []string{"/console", "/console/audit", "/console/mail", "/console/jobs"} {
		resp := a.Get(t, c, p)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("candidate GET %s = %d, want 403", p, resp.StatusCode)
		}
	}
	dash := apptest.Body(t, a.Get(t, c, "/dashboard"))
	if !strings.Contains(dash, "Login ID") || strings.Contains(dash, `href="/console"`) {
		t.Errorf("candidate dashboard wrong:\n%s", dash)
	}
}
