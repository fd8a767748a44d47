package app_test

// Black-box tests of the second factors over HTTP (SECURITY.md MFA-01..06,
// AUTH-11..13): the pages of the Security tab, the sign-in step, the staff
// gate and the password reset of an account with MFA. The portal runs on
// its fake clock; TOTP codes are computed from the key the page shows.

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

const mfaPassword = "Quartz-Lantern-83"

// mfaApp starts the portal with a real SMTP server for its mail.
func mfaApp(t *testing.T, engine string, opts ...apptest.Option) (*apptest.App, *testutil.SMTPServer) {
	t.Helper()
	smtp := testutil.NewSMTPServer(t)
	opts = append([]apptest.Option{
		apptest.WithEnv("CERTPORTAL_SMTP_URL", smtp.URL()),
		apptest.WithEnv("CERTPORTAL_BASE_URL", "http://portal.example.test"),
	}, opts...)
	return apptest.Start(t, engine, opts...), smtp
}

// mailTo waits up to 10 seconds for a message to addr whose subject
// contains subject, and returns the newest such message.
func mailTo(t *testing.T, smtp *testutil.SMTPServer, addr, subject string) testutil.ReceivedMail {
	t.Helper()
	return smtp.WaitMail(t, addr, subject, 10*time.Second)
}

// countMail counts the messages to addr whose subject contains subject.
func countMail(smtp *testutil.SMTPServer, addr, subject string) int {
	n := 0
	for _, m := range smtp.Messages() {
		if len(m.To) > 0 && m.To[0] == addr && strings.Contains(m.Subject, subject) {
			n++
		}
	}
	return n
}

// mfaCandidate registers email (English), verifies it through the mail
// and returns a client signed in with the password.
func mfaCandidate(t *testing.T, a *apptest.App, smtp *testutil.SMTPServer, email string) *http.Client {
	t.Helper()
	c := a.Client()
	resp := a.PostForm(t, c, "/register", url.Values{
		"email": {email}, "first_name": {"Ines"}, "last_name": {"Okafor"}, "password": {mfaPassword},
		"country": {"ES"}, "region": {"ES-M"}, "language": {"en"}, "company": {""},
	})
	if b := body(t, resp); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register %s: %d\n%s", email, resp.StatusCode, b)
	}
	link := mailTo(t, smtp, email, "onfirm").Link("http://portal.example.test/verify/")
	if link == "" {
		t.Fatalf("no verification link for %s", email)
	}
	resp = a.PostForm(t, c, localLink(t, link), nil)
	if _ = body(t, resp); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("verify %s: %d", email, resp.StatusCode)
	}
	c, resp = mfaSignIn(t, a, email, mfaPassword)
	if resp.Header.Get("Location") != "/dashboard" {
		t.Fatalf("sign-in of %s went to %q", email, resp.Header.Get("Location"))
	}
	return c
}

// mfaSignIn posts the password form from a new client.
func mfaSignIn(t *testing.T, a *apptest.App, email, password string) (*http.Client, *http.Response) {
	t.Helper()
	c := a.Client()
	resp := a.PostForm(t, c, "/signin", url.Values{"email": {email}, "password": {password}})
	_ = body(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in of %s: %d", email, resp.StatusCode)
	}
	return c, resp
}

// mfaSecondStep sends a code to the sign-in step.
func mfaSecondStep(t *testing.T, a *apptest.App, c *http.Client, method, code string) (*http.Response, string) {
	t.Helper()
	resp := a.PostForm(t, c, "/signin/mfa", url.Values{"method": {method}, "code": {code}})
	return resp, body(t, resp)
}

var (
	manualKeyRe  = regexp.MustCompile(`<code class="manual-key" id="manual-key">([A-Z2-7 ]+)</code>`)
	backupCodeRe = regexp.MustCompile(`<li><code>([0-9a-z]{5}-[0-9a-z]{5})</code></li>`)
)

// totpNow is the code of secret at the app's clock.
func totpNow(t *testing.T, a *apptest.App, secret string) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, a.Clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrolTOTP sets up an authenticator from the Security tab and returns its
// key and the backup codes shown (nil when none were). It leaves the clock
// on the next time step, so the next code is a fresh one.
func enrolTOTP(t *testing.T, a *apptest.App, c *http.Client, required bool) (string, []string, string) {
	t.Helper()
	path := "/profile/security/totp"
	form := url.Values{}
	if required {
		path += "?required=1"
		form.Set("required", "1")
	}
	resp := a.Get(t, c, path)
	if page := body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, `action="/profile/security/totp"`) {
		t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, page)
	}
	resp = a.PostForm(t, c, "/profile/security/totp", form)
	page := body(t, resp)
	m := manualKeyRe.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("begin TOTP: %d, no manual key\n%s", resp.StatusCode, page)
	}
	if !strings.Contains(page, `<img class="qr" src="data:image/png;base64,`) {
		t.Errorf("the set-up page has no QR code image")
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	if len(secret) != 32 {
		t.Errorf("key %q: %d characters, want 32 (160 bits)", secret, len(secret))
	}
	form.Set("code", totpNow(t, a, secret))
	resp = a.PostForm(t, c, "/profile/security/totp/confirm", form)
	page = body(t, resp)
	a.Clock.Advance(30 * time.Second)
	if resp.StatusCode == http.StatusSeeOther {
		return secret, nil, resp.Header.Get("Location")
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("confirm TOTP: %d\n%s", resp.StatusCode, page)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("backup codes page Cache-Control = %q, want no-store", cc)
	}
	var codes []string
	for _, m := range backupCodeRe.FindAllStringSubmatch(page, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != 10 {
		t.Fatalf("%d backup codes on the page, want 10\n%s", len(codes), page)
	}
	next := regexp.MustCompile(`<a class="button" href="([^"]+)">I have saved`).FindStringSubmatch(page)
	if next == nil {
		t.Fatalf("no way on from the backup codes page\n%s", page)
	}
	return secret, codes, html.UnescapeString(next[1])
}

// signedOut reports whether the client's session is gone: a page of the
// signed-in area sends it to sign in.
func signedOut(t *testing.T, a *apptest.App, c *http.Client) bool {
	t.Helper()
	resp := a.Get(t, c, "/dashboard")
	_ = body(t, resp)
	return resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/signin")
}

func TestTOTPEnrolmentAndSignIn(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := mfaApp(t, engine)
		const email = "ines.okafor@example.org"
		c := mfaCandidate(t, a, smtp, email)
		other, _ := mfaSignIn(t, a, email, mfaPassword)

		// Without MFA the Security tab encourages it (MFA-01).
		page := body(t, a.Get(t, c, "/profile/security"))
		for _, want := range []string{"Protect your account with a second step", `href="/profile/security/totp"`, `href="/profile/security/sms"`, "Text messages are less secure"} {
			if !strings.Contains(page, want) {
				t.Errorf("security page without MFA lacks %q", want)
			}
		}

		// Setting up: a wrong first code leaves TOTP off and the key
		// hidden; the right one turns it on.
		resp := a.PostForm(t, c, "/profile/security/totp", nil)
		page = body(t, resp)
		secret := strings.ReplaceAll(manualKeyRe.FindStringSubmatch(page)[1], " ", "")
		resp = a.PostForm(t, c, "/profile/security/totp/confirm", url.Values{"code": {"12345"}})
		page = body(t, resp)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, `id="code-error"`) || !strings.Contains(page, `href="#code"`) {
			t.Fatalf("wrong first code: %d\n%s", resp.StatusCode, page)
		}
		if strings.Contains(page, "manual-key") || strings.Contains(page, secret[:8]) {
			t.Error("the key is shown again after a wrong code")
		}
		resp = a.PostForm(t, c, "/profile/security/totp/confirm", url.Values{"code": {""}})
		if page := body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Enter the code.") {
			t.Errorf("empty code: %d", resp.StatusCode)
		}
		_, resp = mfaSignIn(t, a, email, mfaPassword)
		if resp.Header.Get("Location") != "/dashboard" {
			t.Fatalf("MFA active before its first code: sign-in went to %s", resp.Header.Get("Location"))
		}
		resp = a.PostForm(t, c, "/profile/security/totp/confirm", url.Values{"code": {totpNow(t, a, secret)}})
		page = body(t, resp)
		if resp.StatusCode != http.StatusOK || len(backupCodeRe.FindAllString(page, -1)) != 10 {
			t.Fatalf("confirm: %d\n%s", resp.StatusCode, page)
		}
		a.Clock.Advance(30 * time.Second)

		// The change is mailed, and the other session is over (AUTH-12,
		// AUTH-13).
		if n := len(mailTo(t, smtp, email, "sign-in step was added").To); n != 1 {
			t.Errorf("enrolment notice to %d addresses", n)
		}
		if !signedOut(t, a, other) {
			t.Error("another session survived the MFA change")
		}
		if signedOut(t, a, c) {
			t.Fatal("the session that made the change was signed out")
		}
		page = body(t, a.Get(t, c, "/profile/security"))
		for _, want := range []string{"Two-step verification is on", "10 of 10 backup codes left", `href="/profile/security/totp/disable"`} {
			if !strings.Contains(page, want) {
				t.Errorf("security page with TOTP lacks %q", want)
			}
		}
		// Set-up cannot start again while TOTP is on.
		resp = a.Get(t, c, "/profile/security/totp")
		if _ = body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("GET set-up with TOTP on: %d", resp.StatusCode)
		}

		// Sign out and in: the password leads only to the second step.
		resp = a.PostForm(t, c, "/signout", nil)
		_ = body(t, resp)
		pending, resp := mfaSignIn(t, a, email, mfaPassword)
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/signin/mfa") {
			t.Fatalf("sign-in with MFA went to %s", loc)
		}
		for _, p := range []string{"/dashboard", "/profile", "/profile/security"} {
			resp := a.Get(t, pending, p)
			_ = body(t, resp)
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin?") {
				t.Errorf("half-signed-in GET %s: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		resp = a.PostForm(t, pending, "/profile/security/backup-codes", nil)
		if _ = body(t, resp); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("half-signed-in POST: %d, want 401", resp.StatusCode)
		}
		resp = a.Get(t, pending, "/signin/mfa")
		if page := body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, "Verify it") {
			t.Fatalf("second step page: %d", resp.StatusCode)
		}
		resp, page = mfaSecondStep(t, a, pending, "totp", "000000")
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "That code did not work") {
			t.Fatalf("wrong code: %d", resp.StatusCode)
		}
		code := totpNow(t, a, secret)
		resp, _ = mfaSecondStep(t, a, pending, "totp", code)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
			t.Fatalf("right code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if signedOut(t, a, pending) {
			t.Fatal("not signed in after the second step")
		}

		// The same code in another sign-in at the same time step: refused
		// (MFA-02).
		again, _ := mfaSignIn(t, a, email, mfaPassword)
		resp, page = mfaSecondStep(t, a, again, "totp", code)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "That code did not work") {
			t.Fatalf("replayed code: %d", resp.StatusCode)
		}
		a.Clock.Advance(30 * time.Second)
		if resp, _ = mfaSecondStep(t, a, again, "totp", totpNow(t, a, secret)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("next step's code: %d", resp.StatusCode)
		}
	})
}

func TestBackupCodesAndRegeneration(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := mfaApp(t, engine)
		const email = "backup.user@example.org"
		c := mfaCandidate(t, a, smtp, email)
		secret, codes, next := enrolTOTP(t, a, c, false)
		if next != "/profile/security?notice=totp_enabled" {
			t.Errorf("after the codes: %s", next)
		}

		// A backup code works once (MFA-05), and its use is mailed.
		pending, _ := mfaSignIn(t, a, email, mfaPassword)
		if resp, _ := mfaSecondStep(t, a, pending, "backup", strings.ToUpper(codes[0])); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("backup code #1: %d", resp.StatusCode)
		}
		mailTo(t, smtp, email, "backup code was used")
		pending, _ = mfaSignIn(t, a, email, mfaPassword)
		resp, page := mfaSecondStep(t, a, pending, "backup", codes[0])
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "already been used") {
			t.Fatalf("backup code #1 again: %d", resp.StatusCode)
		}
		if resp, _ := mfaSecondStep(t, a, pending, "backup", codes[1]); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("backup code #2: %d", resp.StatusCode)
		}
		page = body(t, a.Get(t, pending, "/profile/security"))
		if !strings.Contains(page, "8 of 10 backup codes left") {
			t.Errorf("security page does not count the used codes")
		}

		// Regenerating: new codes shown once, the old ones dead, other
		// sessions signed out, the owner told.
		other, _ := mfaSignIn(t, a, email, mfaPassword)
		if resp, _ := mfaSecondStep(t, a, other, "totp", totpNow(t, a, secret)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("second session: %d", resp.StatusCode)
		}
		a.Clock.Advance(30 * time.Second)
		before := countMail(smtp, email, "new backup codes")
		resp = a.PostForm(t, pending, "/profile/security/backup-codes", nil)
		page = body(t, resp)
		var fresh []string
		for _, m := range backupCodeRe.FindAllStringSubmatch(page, -1) {
			fresh = append(fresh, m[1])
		}
		if resp.StatusCode != http.StatusOK || len(fresh) != 10 || !strings.Contains(page, `href="/profile/security?notice=backup_codes_replaced"`) {
			t.Fatalf("regenerate: %d, %d codes\n%s", resp.StatusCode, len(fresh), page)
		}
		if !signedOut(t, a, other) {
			t.Error("another session survived the regeneration")
		}
		mailTo(t, smtp, email, "new backup codes")
		if n := countMail(smtp, email, "new backup codes"); n != before+1 {
			t.Errorf("%d regeneration notices, want 1", n-before)
		}
		page = body(t, a.Get(t, pending, "/profile/security?notice=backup_codes_replaced"))
		if !strings.Contains(page, "10 of 10 backup codes left") || !strings.Contains(page, "The old ones no longer work") {
			t.Errorf("security page after regenerating is wrong")
		}
		third, _ := mfaSignIn(t, a, email, mfaPassword)
		resp, page = mfaSecondStep(t, a, third, "backup", codes[2])
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "That code did not work") {
			t.Fatalf("old backup code #3 after regenerating: %d", resp.StatusCode)
		}
		if resp, _ := mfaSecondStep(t, a, third, "backup", fresh[0]); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("new backup code: %d", resp.StatusCode)
		}
	})
}

func TestMFAChangesNeedARecentSignIn(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := mfaApp(t, engine)
		const email = "recent.user@example.org"
		c := mfaCandidate(t, a, smtp, email)
		secret, _, _ := enrolTOTP(t, a, c, false)

		// 31 minutes after signing in: changes ask to sign in again
		// (MFA-05, MFA-06), and nothing changes.
		a.Clock.Advance(31 * time.Minute)
		resp := a.PostForm(t, c, "/profile/security/backup-codes", nil)
		page := body(t, resp)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "Sign in again to continue") || backupCodeRe.MatchString(page) {
			t.Fatalf("regenerate after 31 minutes: %d\n%s", resp.StatusCode, page)
		}
		resp = a.PostForm(t, c, "/profile/security/totp/disable", url.Values{"method": {"totp"}, "code": {totpNow(t, a, secret)}})
		if _ = body(t, resp); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("turn off after 31 minutes: %d", resp.StatusCode)
		}
		resp = a.Get(t, c, "/profile/security/totp/disable")
		if page := body(t, resp); !strings.Contains(page, `action="/profile/security/reauth"`) {
			t.Fatalf("disable page after 31 minutes does not offer to sign in again: %d", resp.StatusCode)
		}
		if page := body(t, a.Get(t, c, "/profile/security")); !strings.Contains(page, "Two-step verification is on") {
			t.Fatal("TOTP was turned off without a recent sign-in")
		}

		// Signing in again leads back to the page, which then works.
		resp = a.PostForm(t, c, "/profile/security/reauth", url.Values{"next": {"/profile/security/totp/disable"}})
		_ = body(t, resp)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || loc != "/signin?notice=reauth&next=%2Fprofile%2Fsecurity%2Ftotp%2Fdisable" {
			t.Fatalf("reauth: %d %s", resp.StatusCode, loc)
		}
		if !signedOut(t, a, c) {
			t.Fatal("reauth kept the old session")
		}
		c = a.Client()
		resp = a.PostForm(t, c, "/signin", url.Values{"email": {email}, "password": {mfaPassword}, "next": {"/profile/security/totp/disable"}})
		_ = body(t, resp)
		resp = a.PostForm(t, c, "/signin/mfa", url.Values{"method": {"totp"}, "code": {totpNow(t, a, secret)}, "next": {"/profile/security/totp/disable"}})
		_ = body(t, resp)
		if resp.Header.Get("Location") != "/profile/security/totp/disable" {
			t.Fatalf("after signing in again: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		a.Clock.Advance(30 * time.Second)

		// Turning off needs a code: none, then a wrong one, then a right
		// one.
		resp = a.PostForm(t, c, "/profile/security/totp/disable", url.Values{"method": {"totp"}})
		page = body(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="code-error"`) {
			t.Fatalf("turn off without a code: %d\n%s", resp.StatusCode, page)
		}
		resp = a.PostForm(t, c, "/profile/security/totp/disable", url.Values{"method": {"totp"}, "code": {"000000"}})
		page = body(t, resp)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "That code did not work. Check it and try again. 9 attempts left.") {
			t.Fatalf("turn off with a wrong code: %d\n%s", resp.StatusCode, page)
		}
		resp = a.PostForm(t, c, "/profile/security/totp/disable", url.Values{"method": {"totp"}, "code": {totpNow(t, a, secret)}})
		_ = body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile/security?notice=totp_disabled" {
			t.Fatalf("turn off: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		mailTo(t, smtp, email, "sign-in step was removed")
		page = body(t, a.Get(t, c, "/profile/security?notice=totp_disabled"))
		if !strings.Contains(page, "The authenticator app is turned off.") || !strings.Contains(page, "Protect your account") {
			t.Error("security page after turning TOTP off is wrong")
		}
		if _, resp := mfaSignIn(t, a, email, mfaPassword); resp.Header.Get("Location") != "/dashboard" {
			t.Errorf("sign-in after turning MFA off went to %s", resp.Header.Get("Location"))
		}
	})
}

func TestStaffMustEnrolMFABeforeTheConsole(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := mfaApp(t, engine, apptest.WithArgs("--demo"))
		admin := regexp.MustCompile(`admin\s+email (\S+)\s+password (\S+)`).FindStringSubmatch(a.Stdout())
		if admin == nil {
			t.Fatalf("no demo admin in:\n%s", a.Stdout())
		}
		c, resp := mfaSignIn(t, a, admin[1], admin[2])
		if resp.Header.Get("Location") != "/console" {
			t.Fatalf("admin sign-in went to %s", resp.Header.Get("Location"))
		}
		for _, p := range []string{"/console", "/console/audit", "/console/jobs"} {
			resp := a.Get(t, c, p)
			_ = body(t, resp)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile/security/totp?required=1" {
				t.Errorf("admin without MFA GET %s: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		resp = a.PostForm(t, c, "/console/mail/test", url.Values{"to": {"ops@example.org"}})
		if page := body(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "Set up two-step verification before you use the console.") {
			t.Errorf("admin without MFA POST to the console: %d", resp.StatusCode)
		}
		page := body(t, a.Get(t, c, "/profile/security/totp?required=1"))
		if !strings.Contains(page, "Before you can use the console, you must set up two-step verification") {
			t.Errorf("the set-up page does not say why\n%s", page)
		}
		if page := body(t, a.Get(t, c, "/profile/security")); !strings.Contains(page, "Staff and administrators must set up two-step verification") {
			t.Errorf("the security page does not tell staff to set up MFA")
		}

		_, codes, next := enrolTOTP(t, a, c, true)
		if len(codes) != 10 || next != "/console" {
			t.Fatalf("after enrolment: %d codes, next %s", len(codes), next)
		}
		resp = a.Get(t, c, "/console")
		if page := body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, "<h1>Console</h1>") {
			t.Fatalf("console after enrolment: %d", resp.StatusCode)
		}
		resp = a.PostForm(t, c, "/console/mail/test", url.Values{"to": {"ops@example.org"}})
		if _ = body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("test mail after enrolment: %d", resp.StatusCode)
		}
		mailTo(t, smtp, "ops@example.org", "")
		audit := body(t, a.Get(t, c, "/console/audit"))
		for _, action := range []string{"mfa.totp_enrolment_started", "mfa.totp_enabled"} {
			if !strings.Contains(audit, action) {
				t.Errorf("audit log lacks %s", action)
			}
		}
	})
}

func TestPasswordResetWithMFANeedsTheSecondFactor(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := mfaApp(t, engine)
		const email = "reset.user@example.org"
		c := mfaCandidate(t, a, smtp, email)
		secret, _, _ := enrolTOTP(t, a, c, false)
		other, _ := mfaSignIn(t, a, email, mfaPassword)
		if resp, _ := mfaSecondStep(t, a, other, "totp", totpNow(t, a, secret)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("second session: %d", resp.StatusCode)
		}
		a.Clock.Advance(30 * time.Second)

		r := a.Client()
		resp := a.PostForm(t, r, "/password/forgot", url.Values{"email": {email}})
		_ = body(t, resp)
		link := mailTo(t, smtp, email, "Reset your").Link("http://portal.example.test/password/reset/")
		if link == "" {
			t.Fatal("no reset link")
		}
		resp = a.Get(t, r, localLink(t, link))
		_ = body(t, resp)
		page := body(t, a.Get(t, r, "/password/reset"))
		if !strings.Contains(page, `name="code"`) || !strings.Contains(page, `value="totp"`) {
			t.Fatalf("reset form of an MFA account asks for no code\n%s", page)
		}
		const newPassword = "Velvet-Harbour-27"
		try := func(method, code string) (*http.Response, string) {
			resp := a.PostForm(t, r, "/password/reset", url.Values{"password": {newPassword}, "confirm": {newPassword}, "method": {method}, "code": {code}})
			return resp, body(t, resp)
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
		if _, resp := mfaSignIn(t, a, email, mfaPassword); !strings.HasPrefix(resp.Header.Get("Location"), "/signin/mfa") {
			t.Fatalf("the old password stopped working before the reset")
		}
		if signedOut(t, a, c) || signedOut(t, a, other) {
			t.Fatal("a failed reset ended sessions")
		}
		resp, _ = try("totp", totpNow(t, a, secret))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin?notice=password_reset" {
			t.Fatalf("reset with the right code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		a.Clock.Advance(30 * time.Second)
		// Every session ended before the answer (AUTH-12); the owner is
		// told (AUTH-13).
		if !signedOut(t, a, c) || !signedOut(t, a, other) {
			t.Error("a session survived the reset")
		}
		notice := mailTo(t, smtp, email, "Security notice")
		if !strings.Contains(notice.Text, "was reset") {
			t.Errorf("reset notice says:\n%s", notice.Text)
		}
		// The new password still needs the second factor.
		pending, resp := mfaSignIn(t, a, email, newPassword)
		if !strings.HasPrefix(resp.Header.Get("Location"), "/signin/mfa") {
			t.Fatalf("sign-in with the new password went to %s", resp.Header.Get("Location"))
		}
		if resp, _ := mfaSecondStep(t, a, pending, "totp", totpNow(t, a, secret)); resp.StatusCode != http.StatusSeeOther {
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
			for _, m := range re.FindAllStringSubmatch(body(t, a.Get(t, ac, "/console/mail")), -1) {
				if seen[m[1]] {
					continue
				}
				seen[m[1]] = true
				code := regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(body(t, a.Get(t, ac, m[1])))
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
		admin := regexp.MustCompile(`admin\s+email (\S+)\s+password (\S+)`).FindStringSubmatch(a.Stdout())
		cand := regexp.MustCompile(`candidate\s+email (\S+)\s+password (\S+)`).FindStringSubmatch(a.Stdout())
		ac, _ := mfaSignIn(t, a, admin[1], admin[2])
		enrolTOTP(t, a, ac, true)
		nextSMS := smsReader(t, a, ac)

		c, _ := mfaSignIn(t, a, cand[1], cand[2])
		page := body(t, a.Get(t, c, "/profile/security/sms"))
		for _, want := range []string{"Text messages are less secure than an authenticator app", `href="/profile/security/totp"`, `type="tel"`} {
			if !strings.Contains(page, want) {
				t.Errorf("SMS set-up page lacks %q", want)
			}
		}
		resp := a.PostForm(t, c, "/profile/security/sms", url.Values{"phone": {"600 123 456"}})
		if page := body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="phone-error"`) || !strings.Contains(page, `value="600 123 456"`) {
			t.Fatalf("number without a country code: %d\n%s", resp.StatusCode, page)
		}
		resp = a.PostForm(t, c, "/profile/security/sms", url.Values{"phone": {"+34 600 123 456"}})
		_ = body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile/security/sms/confirm?notice=sms_code_sent" {
			t.Fatalf("send the verification code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp = a.PostForm(t, c, "/profile/security/sms/confirm", url.Values{"code": {"000000"}})
		if page := body(t, resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "4 attempts left.") {
			t.Fatalf("wrong SMS code: %d\n%s", resp.StatusCode, page)
		}
		resp = a.PostForm(t, c, "/profile/security/sms/confirm", url.Values{"code": {nextSMS("+34600123456")}})
		page = body(t, resp)
		if resp.StatusCode != http.StatusOK || len(backupCodeRe.FindAllString(page, -1)) != 10 || !strings.Contains(page, "notice=sms_enabled") {
			t.Fatalf("confirm the number: %d\n%s", resp.StatusCode, page)
		}
		page = body(t, a.Get(t, c, "/profile/security"))
		if !strings.Contains(page, "Codes are sent to &#43;34•••••••56.") {
			t.Errorf("security page does not show the masked number\n%s", page)
		}

		// Turning SMS off: a confirmation code texted on request.
		page = body(t, a.Get(t, c, "/profile/security/sms/disable"))
		if !strings.Contains(page, `action="/profile/security/code"`) || !strings.Contains(page, "This is your only method") {
			t.Fatalf("SMS off page\n%s", page)
		}
		resp = a.PostForm(t, c, "/profile/security/code", url.Values{"return": {"sms_disable"}})
		_ = body(t, resp)
		if resp.Header.Get("Location") != "/profile/security/sms/disable?method=sms&notice=confirm_code_sent" {
			t.Fatalf("text a code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		page = body(t, a.Get(t, c, resp.Header.Get("Location")))
		if !strings.Contains(page, `<option value="sms" selected>`) || !strings.Contains(page, "to your verified number") {
			t.Errorf("after texting a code the form does not say so or choose SMS")
		}
		resp = a.PostForm(t, c, "/profile/security/sms/disable", url.Values{"method": {"sms"}, "code": {nextSMS("+34600123456")}})
		_ = body(t, resp)
		if resp.Header.Get("Location") != "/profile/security?notice=sms_disabled" {
			t.Fatalf("turn SMS off: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}
