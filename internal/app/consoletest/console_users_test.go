package consoletest

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestAdminDisablesAndSignsOutAnAccount: an admin finds an account, signs
// it out everywhere and disables it; a disabled account loses its sessions
// at once and cannot sign in until enabled (SECURITY.md SES-01, SES-04).
func TestAdminDisablesAndSignsOutAnAccount(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, _ := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		ac, _ := a.SignIn(t, admin[1], admin[2])
		a.EnrolTOTP(t, ac, true)
		cc, _ := a.SignIn(t, cand[1], cand[2])

		list := apptest.Body(t, a.Get(t, ac, "/console/users?q="+url.QueryEscape("candidate@")))
		m := regexp.MustCompile(`href="/console/users/(\d+)"`).FindStringSubmatch(list)
		if m == nil || !strings.Contains(list, cand[1]) {
			t.Fatalf("search did not find the candidate:\n%s", list)
		}
		userPath := "/console/users/" + m[1]
		if page := apptest.Body(t, a.Get(t, ac, userPath)); !strings.Contains(page, cand[1]) {
			t.Fatal("account page lacks the address")
		}

		resp := a.PostForm(t, ac, userPath+"/signout", nil)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || !a.SignedOut(t, cc) {
			t.Fatalf("sign out everywhere: %d; candidate still signed in", resp.StatusCode)
		}
		if got, want := noticeAfter(t, a, ac, resp), "The account is signed out everywhere."; got != want {
			t.Errorf("after signing out everywhere the page says %q, want %q", got, want)
		}
		cc, _ = a.SignIn(t, cand[1], cand[2])
		resp = a.PostForm(t, ac, userPath+"/disable", nil)
		_ = apptest.Body(t, resp)
		if got, want := noticeAfter(t, a, ac, resp), "The account is disabled and signed out everywhere."; got != want {
			t.Errorf("after disabling the page says %q, want %q", got, want)
		}
		if !a.SignedOut(t, cc) {
			t.Fatal("a disabled account kept its session")
		}
		resp = a.PostForm(t, a.Client(), "/signin", url.Values{"email": {cand[1]}, "password": {cand[2]}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("disabled account signs in: %d", resp.StatusCode)
		}
		resp = a.PostForm(t, ac, userPath+"/enable", nil)
		_ = apptest.Body(t, resp)
		if got, want := noticeAfter(t, a, ac, resp), "The account is enabled."; got != want {
			t.Errorf("after enabling the page says %q, want %q", got, want)
		}
		// Enabled again: it signs in, and a candidate cannot reach these
		// actions.
		cc, _ = a.SignIn(t, cand[1], cand[2])
		resp = a.PostForm(t, cc, userPath+"/disable", nil)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("candidate disabling an account: %d", resp.StatusCode)
		}
		audit := apptest.Body(t, a.Get(t, ac, "/console/audit"))
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
	return testutil.ParseHTML(t, apptest.Body(t, page)).TextOf(`main .notice[role="status"]`)
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
			doc := testutil.ParseHTML(t, apptest.Body(t, resp))
			if href := doc.AttrOf("a.support-email", "href"); resp.StatusCode != http.StatusOK || href != tc.want {
				t.Fatalf("help: %d, support link %q, want %q", resp.StatusCode, href, tc.want)
			}
		})
	}
}

// TestAdminResetsACandidatesSecondFactor: a candidate who lost every
// second factor gets back in through an admin: staff cannot do it, an
// admin must have signed in within 30 minutes (else the page that offers to
// sign in again), and the reset removes the factors, signs the candidate
// out everywhere, is audited with before and after, and is mailed over
// SMTP (SECURITY.md AUTH-12, AUTH-13).
func TestAdminResetsACandidatesSecondFactor(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		demo := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		ac, _ := a.SignIn(t, admin[1], admin[2])
		adminKey, _, _ := a.EnrolTOTP(t, ac, true)

		const email = "lost.phone@example.org"
		c := a.RegisterCandidate(t, smtp, email)
		_, codes, _ := a.EnrolTOTP(t, c, false)
		other, _ := a.SignIn(t, email, apptest.CandidatePassword)
		if resp, _ := a.SecondStep(t, other, "totp", codes[0]); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("second session: %d", resp.StatusCode)
		}
		list := testutil.ParseHTML(t, apptest.Body(t, a.Get(t, ac, "/console/users?q="+url.QueryEscape(email))))
		userPath := list.AttrOf(`main a[href^="/console/users/"]`, "href")
		if userPath == "" {
			t.Fatal("the account search did not find the candidate")
		}
		resetPath := userPath + "/mfa/reset"
		page := testutil.ParseHTML(t, apptest.Body(t, a.Get(t, ac, userPath)))
		if !page.Has(`form[action="` + resetPath + `"] button[type="submit"]`) {
			t.Fatal("the admin's account page offers no reset of the second factor")
		}

		// Staff: no form, and the action is refused.
		makeStaff(t, a, demo[1], portal.SetScheduler, portal.SetSupport)
		sc, _ := a.SignIn(t, demo[1], demo[2])
		a.EnrolTOTP(t, sc, true)
		if page := testutil.ParseHTML(t, apptest.Body(t, a.Get(t, sc, userPath))); page.Has(`form[action="` + resetPath + `"]`) {
			t.Error("staff see the reset form")
		}
		resp := a.PostForm(t, sc, resetPath, nil)
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("staff reset: %d, want 403", resp.StatusCode)
		}

		// A sign-in older than 30 minutes: the page that offers to sign in
		// again and come back.
		a.Clock.Advance(31 * time.Minute)
		resp = a.PostForm(t, ac, resetPath, nil)
		stale := testutil.ParseHTML(t, apptest.Body(t, resp))
		if next := stale.AttrOf(`form[action="/profile/security/reauth"] input[name="next"]`, "value"); resp.StatusCode != http.StatusForbidden || next != userPath {
			t.Fatalf("stale admin session: %d, sign in again and return to %q", resp.StatusCode, next)
		}
		if a.SignedOut(t, c) {
			t.Fatal("a refused reset signed the candidate out")
		}

		// Signed in again: the reset goes through.
		ac, _ = a.SignIn(t, admin[1], admin[2])
		if resp, _ := a.SecondStep(t, ac, "totp", a.TOTPNow(t, adminKey)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("admin second step: %d", resp.StatusCode)
		}
		resp = a.PostForm(t, ac, resetPath, nil)
		_ = apptest.Body(t, resp)
		if got, want := noticeAfter(t, a, ac, resp), "Two-step verification is removed; the account is signed out everywhere and its owner was told by email."; got != want {
			t.Fatalf("after the reset the page says %q, want %q", got, want)
		}
		if !a.SignedOut(t, c) || !a.SignedOut(t, other) {
			t.Fatal("the candidate kept a session")
		}
		m := apptest.MailTo(t, smtp, email, "removed two-step verification")
		if m.HTML == "" || m.Link("http://portal.example.test/password/forgot") == "" {
			t.Fatalf("reset mail lacks its HTML part or the reset link:\n%s", m.Text)
		}
		audit := testutil.ParseHTML(t, apptest.Body(t, a.Get(t, ac, "/console/audit?action=mfa.reset_by_admin")))
		if got := audit.TextOf("tbody tr td:nth-child(2)"); got != "mfa.reset_by_admin" {
			t.Fatalf("audit row %q", got)
		}
		var changes []string
		for _, tr := range audit.Find("table.changes tr:has(td)") {
			changes = append(changes, strings.Join(tr.Texts("th, td"), " "))
		}
		if got := strings.Join(changes, "; "); got != "totp true false; backup_codes 9 0" {
			t.Fatalf("audit changes %q", got)
		}

		// The password alone signs the candidate in now.
		_, resp = a.SignIn(t, email, apptest.CandidatePassword)
		if loc := resp.Header.Get("Location"); loc != "/dashboard" {
			t.Fatalf("sign-in after the reset went to %q", loc)
		}
	})
}

// makeStaff turns an account into a staff account holding sets, in the
// database (as an admin would from the console, without the ceremony).
func makeStaff(t *testing.T, a *apptest.App, email string, sets ...portal.PermissionSet) {
	t.Helper()
	st := a.OpenStore(t)
	defer st.Close()
	u, err := st.FindUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	q := `UPDATE users SET role = 'staff' WHERE id = ?`
	if a.Engine == store.Postgres {
		q = `UPDATE users SET role = 'staff' WHERE id = $1`
	}
	if _, err := st.DB().Exec(q, u.ID); err != nil {
		t.Fatal(err)
	}
	err = st.Transact(context.Background(), func(tx *store.Tx) error { return tx.ReplaceStaffSets(context.Background(), u.ID, sets, 0) })
	if err != nil {
		t.Fatal(err)
	}
}
