package accounttest

// Black-box tests of the second factors over HTTP (SECURITY.md MFA-01..06,
// AUTH-11..13): the pages of the Security tab, the sign-in step, the staff
// gate and the password reset of an account with MFA. The portal runs on
// its fake clock; TOTP codes are computed from the key the page shows.

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

func TestTOTPEnrolmentAndSignIn(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine)
		const email = "ines.okafor@example.org"
		c := a.RegisterCandidate(t, smtp, email)
		other, _ := a.SignIn(t, email, apptest.CandidatePassword)

		// Without MFA the Security tab encourages it (MFA-01).
		page := apptest.Body(t, a.Get(t, c, "/profile/security"))
		for _, want := range []string{"Protect your account with a second step", `href="/profile/security/totp"`, `href="/profile/security/sms"`, "Text messages are less secure"} {
			if !strings.Contains(page, want) {
				t.Errorf("security page without MFA lacks %q", want)
			}
		}

		// Setting up: a wrong first code leaves TOTP off and the key
		// hidden; the right one turns it on.
		resp := a.PostForm(t, c, "/profile/security/totp", nil)
		page = apptest.Body(t, resp)
		secret := strings.ReplaceAll(apptest.ManualKeyRe.FindStringSubmatch(page)[1], " ", "")
		resp = a.PostForm(t, c, "/profile/security/totp/confirm", url.Values{"code": {"12345"}})
		page = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, `id="code-error"`) || !strings.Contains(page, `href="#code"`) {
			t.Fatalf("wrong first code: %d\n%s", resp.StatusCode, page)
		}
		if strings.Contains(page, "manual-key") || strings.Contains(page, secret[:8]) {
			t.Error("the key is shown again after a wrong code")
		}
		resp = a.PostForm(t, c, "/profile/security/totp/confirm", url.Values{"code": {""}})
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Enter the code.") {
			t.Errorf("empty code: %d", resp.StatusCode)
		}
		_, resp = a.SignIn(t, email, apptest.CandidatePassword)
		if resp.Header.Get("Location") != "/dashboard" {
			t.Fatalf("MFA active before its first code: sign-in went to %s", resp.Header.Get("Location"))
		}
		resp = a.PostForm(t, c, "/profile/security/totp/confirm", url.Values{"code": {a.TOTPNow(t, secret)}})
		page = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusOK || len(apptest.BackupCodeRe.FindAllString(page, -1)) != 10 {
			t.Fatalf("confirm: %d\n%s", resp.StatusCode, page)
		}
		a.Clock.Advance(30 * time.Second)

		// The change is mailed, and the other session is over (AUTH-12,
		// AUTH-13).
		if n := len(apptest.MailTo(t, smtp, email, "sign-in step was added").To); n != 1 {
			t.Errorf("enrolment notice to %d addresses", n)
		}
		if !a.SignedOut(t, other) {
			t.Error("another session survived the MFA change")
		}
		if a.SignedOut(t, c) {
			t.Fatal("the session that made the change was signed out")
		}
		page = apptest.Body(t, a.Get(t, c, "/profile/security"))
		for _, want := range []string{"Two-step verification is on", "10 of 10 backup codes left", `href="/profile/security/totp/disable"`} {
			if !strings.Contains(page, want) {
				t.Errorf("security page with TOTP lacks %q", want)
			}
		}
		// Set-up cannot start again while TOTP is on.
		resp = a.Get(t, c, "/profile/security/totp")
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("GET set-up with TOTP on: %d", resp.StatusCode)
		}

		// Sign out and in: the password leads only to the second step.
		resp = a.PostForm(t, c, "/signout", nil)
		_ = apptest.Body(t, resp)
		pending, resp := a.SignIn(t, email, apptest.CandidatePassword)
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/signin/mfa") {
			t.Fatalf("sign-in with MFA went to %s", loc)
		}
		for _, p := range []string{"/dashboard", "/profile", "/profile/security"} {
			resp := a.Get(t, pending, p)
			_ = apptest.Body(t, resp)
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin?") {
				t.Errorf("half-signed-in GET %s: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		resp = a.PostForm(t, pending, "/profile/security/backup-codes", nil)
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("half-signed-in POST: %d, want 401", resp.StatusCode)
		}
		resp = a.Get(t, pending, "/signin/mfa")
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, "Verify it") {
			t.Fatalf("second step page: %d", resp.StatusCode)
		}
		resp, page = a.SecondStep(t, pending, "totp", "000000")
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "That code did not work") {
			t.Fatalf("wrong code: %d", resp.StatusCode)
		}
		code := a.TOTPNow(t, secret)
		resp, _ = a.SecondStep(t, pending, "totp", code)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
			t.Fatalf("right code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if a.SignedOut(t, pending) {
			t.Fatal("not signed in after the second step")
		}

		// The same code in another sign-in at the same time step: refused
		// (MFA-02).
		again, _ := a.SignIn(t, email, apptest.CandidatePassword)
		resp, page = a.SecondStep(t, again, "totp", code)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "That code did not work") {
			t.Fatalf("replayed code: %d", resp.StatusCode)
		}
		a.Clock.Advance(30 * time.Second)
		if resp, _ = a.SecondStep(t, again, "totp", a.TOTPNow(t, secret)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("next step's code: %d", resp.StatusCode)
		}
	})
}

func TestBackupCodesAndRegeneration(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine)
		const email = "backup.user@example.org"
		c := a.RegisterCandidate(t, smtp, email)
		secret, codes, next := a.EnrolTOTP(t, c, false)
		if next != "/profile/security?notice=totp_enabled" {
			t.Errorf("after the codes: %s", next)
		}

		// A backup code works once (MFA-05), and its use is mailed.
		pending, _ := a.SignIn(t, email, apptest.CandidatePassword)
		if resp, _ := a.SecondStep(t, pending, "backup", strings.ToUpper(codes[0])); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("backup code #1: %d", resp.StatusCode)
		}
		apptest.MailTo(t, smtp, email, "backup code was used")
		pending, _ = a.SignIn(t, email, apptest.CandidatePassword)
		resp, page := a.SecondStep(t, pending, "backup", codes[0])
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "already been used") {
			t.Fatalf("backup code #1 again: %d", resp.StatusCode)
		}
		if resp, _ := a.SecondStep(t, pending, "backup", codes[1]); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("backup code #2: %d", resp.StatusCode)
		}
		page = apptest.Body(t, a.Get(t, pending, "/profile/security"))
		if !strings.Contains(page, "8 of 10 backup codes left") {
			t.Errorf("security page does not count the used codes")
		}

		// Regenerating: new codes shown once, the old ones dead, other
		// sessions signed out, the owner told.
		other, _ := a.SignIn(t, email, apptest.CandidatePassword)
		if resp, _ := a.SecondStep(t, other, "totp", a.TOTPNow(t, secret)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("second session: %d", resp.StatusCode)
		}
		a.Clock.Advance(30 * time.Second)
		before := apptest.CountMail(smtp, email, "new backup codes")
		resp = a.PostForm(t, pending, "/profile/security/backup-codes", nil)
		page = apptest.Body(t, resp)
		var fresh []string
		for _, m := range apptest.BackupCodeRe.FindAllStringSubmatch(page, -1) {
			fresh = append(fresh, m[1])
		}
		if resp.StatusCode != http.StatusOK || len(fresh) != 10 || !strings.Contains(page, `href="/profile/security?notice=backup_codes_replaced"`) {
			t.Fatalf("regenerate: %d, %d codes\n%s", resp.StatusCode, len(fresh), page)
		}
		if !a.SignedOut(t, other) {
			t.Error("another session survived the regeneration")
		}
		apptest.MailTo(t, smtp, email, "new backup codes")
		if n := apptest.CountMail(smtp, email, "new backup codes"); n != before+1 {
			t.Errorf("%d regeneration notices, want 1", n-before)
		}
		page = apptest.Body(t, a.Get(t, pending, "/profile/security?notice=backup_codes_replaced"))
		if !strings.Contains(page, "10 of 10 backup codes left") || !strings.Contains(page, "The old ones no longer work") {
			t.Errorf("security page after regenerating is wrong")
		}
		third, _ := a.SignIn(t, email, apptest.CandidatePassword)
		resp, page = a.SecondStep(t, third, "backup", codes[2])
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "That code did not work") {
			t.Fatalf("old backup code #3 after regenerating: %d", resp.StatusCode)
		}
		if resp, _ := a.SecondStep(t, third, "backup", fresh[0]); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("new backup code: %d", resp.StatusCode)
		}
	})
}

func TestMFAChangesNeedARecentSignIn(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine)
		const email = "recent.user@example.org"
		c := a.RegisterCandidate(t, smtp, email)
		secret, _, _ := a.EnrolTOTP(t, c, false)

		// 31 minutes after signing in: changes ask to sign in again
		// (MFA-05, MFA-06), and nothing changes.
		a.Clock.Advance(31 * time.Minute)
		resp := a.PostForm(t, c, "/profile/security/backup-codes", nil)
		page := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "Sign in again to continue") || apptest.BackupCodeRe.MatchString(page) {
			t.Fatalf("regenerate after 31 minutes: %d\n%s", resp.StatusCode, page)
		}
		resp = a.PostForm(t, c, "/profile/security/totp/disable", url.Values{"method": {"totp"}, "code": {a.TOTPNow(t, secret)}})
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("turn off after 31 minutes: %d", resp.StatusCode)
		}
		resp = a.Get(t, c, "/profile/security/totp/disable")
		if page := apptest.Body(t, resp); !strings.Contains(page, `action="/profile/security/reauth"`) {
			t.Fatalf("disable page after 31 minutes does not offer to sign in again: %d", resp.StatusCode)
		}
		if page := apptest.Body(t, a.Get(t, c, "/profile/security")); !strings.Contains(page, "Two-step verification is on") {
			t.Fatal("TOTP was turned off without a recent sign-in")
		}

		// Signing in again leads back to the page, which then works.
		resp = a.PostForm(t, c, "/profile/security/reauth", url.Values{"next": {"/profile/security/totp/disable"}})
		_ = apptest.Body(t, resp)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || loc != "/signin?notice=reauth&next=%2Fprofile%2Fsecurity%2Ftotp%2Fdisable" {
			t.Fatalf("reauth: %d %s", resp.StatusCode, loc)
		}
		if !a.SignedOut(t, c) {
			t.Fatal("reauth kept the old session")
		}
		c = a.Client()
		resp = a.PostForm(t, c, "/signin", url.Values{"email": {email}, "password": {apptest.CandidatePassword}, "next": {"/profile/security/totp/disable"}})
		_ = apptest.Body(t, resp)
		resp = a.PostForm(t, c, "/signin/mfa", url.Values{"method": {"totp"}, "code": {a.TOTPNow(t, secret)}, "next": {"/profile/security/totp/disable"}})
		_ = apptest.Body(t, resp)
		if resp.Header.Get("Location") != "/profile/security/totp/disable" {
			t.Fatalf("after signing in again: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		a.Clock.Advance(30 * time.Second)

		// Turning off needs a code: none, then a wrong one, then a right
		// one.
		resp = a.PostForm(t, c, "/profile/security/totp/disable", url.Values{"method": {"totp"}})
		page = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="code-error"`) {
			t.Fatalf("turn off without a code: %d\n%s", resp.StatusCode, page)
		}
		resp = a.PostForm(t, c, "/profile/security/totp/disable", url.Values{"method": {"totp"}, "code": {"000000"}})
		page = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "That code did not work. Check it and try again. 9 attempts left.") {
			t.Fatalf("turn off with a wrong code: %d\n%s", resp.StatusCode, page)
		}
		resp = a.PostForm(t, c, "/profile/security/totp/disable", url.Values{"method": {"totp"}, "code": {a.TOTPNow(t, secret)}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile/security?notice=totp_disabled" {
			t.Fatalf("turn off: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		apptest.MailTo(t, smtp, email, "sign-in step was removed")
		page = apptest.Body(t, a.Get(t, c, "/profile/security?notice=totp_disabled"))
		if !strings.Contains(page, "The authenticator app is turned off.") || !strings.Contains(page, "Protect your account") {
			t.Error("security page after turning TOTP off is wrong")
		}
		if _, resp := a.SignIn(t, email, apptest.CandidatePassword); resp.Header.Get("Location") != "/dashboard" {
			t.Errorf("sign-in after turning MFA off went to %s", resp.Header.Get("Location"))
		}
	})
}

func TestStaffMustEnrolMFABeforeTheConsole(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		if admin == nil {
			t.Fatalf("no demo admin in:\n%s", a.Stdout())
		}
		c, resp := a.SignIn(t, admin[1], admin[2])
		if resp.Header.Get("Location") != "/console" {
			t.Fatalf("admin sign-in went to %s", resp.Header.Get("Location"))
		}
		for _, p := range []string{"/console", "/console/audit", "/console/jobs"} {
			resp := a.Get(t, c, p)
			_ = apptest.Body(t, resp)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile/security/totp?required=1" {
				t.Errorf("admin without MFA GET %s: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		resp = a.PostForm(t, c, "/console/mail/test", url.Values{"to": {"ops@example.org"}})
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "Set up two-step verification before you use the console.") {
			t.Errorf("admin without MFA POST to the console: %d", resp.StatusCode)
		}
		page := apptest.Body(t, a.Get(t, c, "/profile/security/totp?required=1"))
		if !strings.Contains(page, "Before you can use the console, you must set up two-step verification") {
			t.Errorf("the set-up page does not say why\n%s", page)
		}
		if page := apptest.Body(t, a.Get(t, c, "/profile/security")); !strings.Contains(page, "Staff and administrators must set up two-step verification") {
			t.Errorf("the security page does not tell staff to set up MFA")
		}

		_, codes, next := a.EnrolTOTP(t, c, true)
		if len(codes) != 10 || next != "/console" {
			t.Fatalf("after enrolment: %d codes, next %s", len(codes), next)
		}
		resp = a.Get(t, c, "/console")
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, "<h1>Console</h1>") {
			t.Fatalf("console after enrolment: %d", resp.StatusCode)
		}
		resp = a.PostForm(t, c, "/console/mail/test", url.Values{"to": {"ops@example.org"}})
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("test mail after enrolment: %d", resp.StatusCode)
		}
		apptest.MailTo(t, smtp, "ops@example.org", "")
		audit := apptest.Body(t, a.Get(t, c, "/console/audit"))
		for _, action := range []string{"mfa.totp_enrolment_started", "mfa.totp_enabled"} {
			if !strings.Contains(audit, action) {
				t.Errorf("audit log lacks %s", action)
			}
		}
	})
}

func TestPasswordResetWithMFANeedsTheSecondFactor(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine)
		const email = "reset.user@example.org"
		c := a.RegisterCandidate(t, smtp, email)
		secret, _, _ := a.EnrolTOTP(t, c, false)
		other, _ := a.SignIn(t, email, apptest.CandidatePassword)
		if resp, _ := a.SecondStep(t, other, "totp", a.TOTPNow(t, secret)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("second session: %d", resp.StatusCode)
		}
		a.Clock.Advance(30 * time.Second)

		r := a.Client()
		resp := a.PostForm(t, r, "/password/forgot", url.Values{"email": {email}})
		_ = apptest.Body(t, resp)
		link := apptest.MailTo(t, smtp, email, "Reset your").Link("http://portal.example.test/password/reset/")
		if link == "" {
			t.Fatal("no reset link")
		}
		resp = a.Get(t, r, apptest.LocalLink(t, link))
		_ = apptest.Body(t, resp)
		page := apptest.Body(t, a.Get(t, r, "/password/reset"))
		if !strings.Contains(page, `name="code"`) || !strings.Contains(page, `value="totp"`) {
			t.Fatalf("reset form of an MFA account asks for no code\n%s", page)
		}
		const newPassword = "Velvet-Harbour-27"
		try := func(method, code string) (*http.Response, string) {
			resp := a.PostForm(t, r, "/password/reset", url.Values{"password": {newPassword}, "confirm": {newPassword}, "method": {method}, "code": {code}})
			return resp, apptest.Body(t, resp)
		}
		// The link alone is not enough (AUTH-11).
		resp, page = try("totp", "")
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="code-error"`) || !strings.Contains(page, "Enter the code.") {
			t.Fatalf("reset without a code: %d\n%s", resp.StatusCode, page)
		}
		resp, page = try("totp", "000000")
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, `id="code-error"`) || !strings.Contains(page, "That code did not work") {
			t.Fatalf("reset with a wrong code: %d\n%s", resp.StatusCode, page)
		}
		if _, resp := a.SignIn(t, email, apptest.CandidatePassword); !strings.HasPrefix(resp.Header.Get("Location"), "/signin/mfa") {
			t.Fatalf("the old password stopped working before the reset")
		}
		if a.SignedOut(t, c) || a.SignedOut(t, other) {
			t.Fatal("a failed reset ended sessions")
		}
		resp, _ = try("totp", a.TOTPNow(t, secret))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin?notice=password_reset" {
			t.Fatalf("reset with the right code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		a.Clock.Advance(30 * time.Second)
		// Every session ended before the answer (AUTH-12); the owner is
		// told (AUTH-13).
		if !a.SignedOut(t, c) || !a.SignedOut(t, other) {
			t.Error("a session survived the reset")
		}
		notice := apptest.MailTo(t, smtp, email, "Security notice")
		if !strings.Contains(notice.Text, "was reset") {
			t.Errorf("reset notice says:\n%s", notice.Text)
		}
		// The new password still needs the second factor.
		pending, resp := a.SignIn(t, email, newPassword)
		if !strings.HasPrefix(resp.Header.Get("Location"), "/signin/mfa") {
			t.Fatalf("sign-in with the new password went to %s", resp.Header.Get("Location"))
		}
		if resp, _ := a.SecondStep(t, pending, "totp", a.TOTPNow(t, secret)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("second step after the reset: %d", resp.StatusCode)
		}
	})
}

// smsReader returns a function that waits for a text message to phone in
// the development mailbox (read by the admin client ac) that it has not
// returned before, and returns its code.
func smsReader(t *testing.T, a *apptest.App, ac *http.Client) func(phone string) string {
	seen := map[string]bool{}
	return func(phone string) string {
		t.Helper()
		re := regexp.MustCompile(`<td>sms</td>\s*<td>(?:\+|&#43;)` + regexp.QuoteMeta(strings.TrimPrefix(phone, "+")) + `</td>\s*<td><a href="(/console/mail/\d+)"`)
		deadline := time.Now().Add(10 * time.Second)
		for {
			for _, m := range re.FindAllStringSubmatch(apptest.Body(t, a.Get(t, ac, "/console/mail")), -1) {
				if seen[m[1]] {
					continue
				}
				seen[m[1]] = true
				code := regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(apptest.Body(t, a.Get(t, ac, m[1])))
				if code == nil {
					t.Fatalf("no code in the text message %s", m[1])
				}
				return code[1]
			}
			if time.Now().After(deadline) {
				t.Fatalf("no new text message to %s in the mailbox", phone)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// TestSMSPages walks the text-message pages: the number must be verified
// by a code, wrong codes say how many tries are left, and turning SMS off
// takes a code texted for the purpose. Text messages land in the
// development mailbox, which the demo admin reads in the console.
func TestSMSPages(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		ac, _ := a.SignIn(t, admin[1], admin[2])
		a.EnrolTOTP(t, ac, true)
		nextSMS := smsReader(t, a, ac)

		c, _ := a.SignIn(t, cand[1], cand[2])
		page := apptest.Body(t, a.Get(t, c, "/profile/security/sms"))
		for _, want := range []string{"Text messages are less secure than an authenticator app", `href="/profile/security/totp"`, `type="tel"`} {
			if !strings.Contains(page, want) {
				t.Errorf("SMS set-up page lacks %q", want)
			}
		}
		resp := a.PostForm(t, c, "/profile/security/sms", url.Values{"phone": {"600 123 456"}})
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="phone-error"`) || !strings.Contains(page, `value="600 123 456"`) {
			t.Fatalf("number without a country code: %d\n%s", resp.StatusCode, page)
		}
		resp = a.PostForm(t, c, "/profile/security/sms", url.Values{"phone": {"+34 600 123 456"}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile/security/sms/confirm?notice=sms_code_sent" {
			t.Fatalf("send the verification code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp = a.PostForm(t, c, "/profile/security/sms/confirm", url.Values{"code": {"000000"}})
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "4 attempts left.") {
			t.Fatalf("wrong SMS code: %d\n%s", resp.StatusCode, page)
		}
		resp = a.PostForm(t, c, "/profile/security/sms/confirm", url.Values{"code": {nextSMS("+34600123456")}})
		page = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusOK || len(apptest.BackupCodeRe.FindAllString(page, -1)) != 10 || !strings.Contains(page, "notice=sms_enabled") {
			t.Fatalf("confirm the number: %d\n%s", resp.StatusCode, page)
		}
		page = apptest.Body(t, a.Get(t, c, "/profile/security"))
		if !strings.Contains(page, "Codes are sent to &#43;34•••••••56.") {
			t.Errorf("security page does not show the masked number\n%s", page)
		}

		// Turning SMS off: a confirmation code texted on request.
		page = apptest.Body(t, a.Get(t, c, "/profile/security/sms/disable"))
		if !strings.Contains(page, `action="/profile/security/code"`) || !strings.Contains(page, "This is your only method") {
			t.Fatalf("SMS off page\n%s", page)
		}
		resp = a.PostForm(t, c, "/profile/security/code", url.Values{"return": {"sms_disable"}})
		_ = apptest.Body(t, resp)
		if resp.Header.Get("Location") != "/profile/security/sms/disable?method=sms&notice=confirm_code_sent" {
			t.Fatalf("text a code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		page = apptest.Body(t, a.Get(t, c, resp.Header.Get("Location")))
		if !strings.Contains(page, `<option value="sms" selected>`) || !strings.Contains(page, "to your verified number") {
			t.Errorf("after texting a code the form does not say so or choose SMS")
		}
		resp = a.PostForm(t, c, "/profile/security/sms/disable", url.Values{"method": {"sms"}, "code": {nextSMS("+34600123456")}})
		_ = apptest.Body(t, resp)
		if resp.Header.Get("Location") != "/profile/security?notice=sms_disabled" {
			t.Fatalf("turn SMS off: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}
