package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestAdminDisablesAndSignsOutAnAccount: an admin finds an account, signs
// it out everywhere and disables it; a disabled account loses its sessions
// at once and cannot sign in until enabled (SECURITY.md SES-01, SES-04).
func TestAdminDisablesAndSignsOutAnAccount(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, _ := mfaApp(t, engine, apptest.WithArgs("--demo"))
		admin := regexp.MustCompile(`admin\s+email (\S+)\s+password (\S+)`).FindStringSubmatch(a.Stdout())
		cand := regexp.MustCompile(`candidate\s+email (\S+)\s+password (\S+)`).FindStringSubmatch(a.Stdout())
		ac, _ := mfaSignIn(t, a, admin[1], admin[2])
		enrolTOTP(t, a, ac, true)
		cc, _ := mfaSignIn(t, a, cand[1], cand[2])

		list := body(t, a.Get(t, ac, "/console/users?q="+url.QueryEscape("candidate@")))
		m := regexp.MustCompile(`href="/console/users/(\d+)"`).FindStringSubmatch(list)
		if m == nil || !strings.Contains(list, cand[1]) {
			t.Fatalf("search did not find the candidate:\n%s", list)
		}
		userPath := "/console/users/" + m[1]
		if page := body(t, a.Get(t, ac, userPath)); !strings.Contains(page, cand[1]) {
			t.Fatal("account page lacks the address")
		}

		resp := a.PostForm(t, ac, userPath+"/signout", nil)
		_ = body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || !signedOut(t, a, cc) {
			t.Fatalf("sign out everywhere: %d; candidate still signed in", resp.StatusCode)
		}
		if got, want := noticeAfter(t, a, ac, resp), "The account is signed out everywhere."; got != want {
			t.Errorf("after signing out everywhere the page says %q, want %q", got, want)
		}
		cc, _ = mfaSignIn(t, a, cand[1], cand[2])
		resp = a.PostForm(t, ac, userPath+"/disable", nil)
		_ = body(t, resp)
		if got, want := noticeAfter(t, a, ac, resp), "The account is disabled and signed out everywhere."; got != want {
			t.Errorf("after disabling the page says %q, want %q", got, want)
		}
		if !signedOut(t, a, cc) {
			t.Fatal("a disabled account kept its session")
		}
		resp = a.PostForm(t, a.Client(), "/signin", url.Values{"email": {cand[1]}, "password": {cand[2]}})
		_ = body(t, resp)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("disabled account signs in: %d", resp.StatusCode)
		}
		resp = a.PostForm(t, ac, userPath+"/enable", nil)
		_ = body(t, resp)
		if got, want := noticeAfter(t, a, ac, resp), "The account is enabled."; got != want {
			t.Errorf("after enabling the page says %q, want %q", got, want)
		}
		// Enabled again: it signs in, and a candidate cannot reach these
		// actions.
		cc, _ = mfaSignIn(t, a, cand[1], cand[2])
		resp = a.PostForm(t, cc, userPath+"/disable", nil)
		_ = body(t, resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("candidate disabling an account: %d", resp.StatusCode)
		}
		audit := body(t, a.Get(t, ac, "/console/audit"))
		for _, action := range []string{"account.disabled", "account.enabled", "auth.sessions_revoked"} {
			if !strings.Contains(audit, action) {
				t.Errorf("audit lacks %s", action)
			}
		}
	})
}

// noticeAfter follows a redirect and returns the confirmation the page
// shows ("" when none).
func noticeAfter(t *testing.T, a *apptest.App, c *http.Client, resp *http.Response) string {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || loc == "" {
		t.Fatalf("not a redirect: %d", resp.StatusCode)
	}
	page := a.Get(t, c, loc)
	return testutil.ParseHTML(t, body(t, page)).TextOf(`main .notice[role="status"]`)
}

// TestDemoHelpShowsASupportContact: the demo's Help page names a support
// address (a configured one wins), and the page is public.
func TestDemoHelpShowsASupportContact(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []apptest.Option
		want string
	}{
		{"demo", []apptest.Option{apptest.WithArgs("--demo")}, "mailto:support@demo.certportal.localhost"},
		{"configured", []apptest.Option{apptest.WithArgs("--demo"), apptest.WithEnv("CERTPORTAL_SUPPORT_EMAIL", "help@example.org")}, "mailto:help@example.org"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := apptest.Start(t, "sqlite", tc.opts...)
			resp := a.Get(t, a.Client(), "/help")
			doc := testutil.ParseHTML(t, body(t, resp))
			if href := doc.AttrOf("a.support-email", "href"); resp.StatusCode != http.StatusOK || href != tc.want {
				t.Fatalf("help: %d, support link %q, want %q", resp.StatusCode, href, tc.want)
			}
		})
	}
}
