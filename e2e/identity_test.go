package e2e_test

import (
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

// identityBaseURL is the base URL the app puts in its mail; the journey
// opens the same paths on the test server.
const identityBaseURL = "http://portal.example.test"

// mailLink waits for a message to addr whose subject contains subject and
// returns its link that starts with identityBaseURL+prefix, moved to the
// test server.
func mailLink(t *testing.T, a *apptest.App, smtp *testutil.SMTPServer, addr, subject, prefix string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs := smtp.Messages()
		for i := len(msgs) - 1; i >= 0; i-- {
			m := msgs[i]
			if len(m.To) == 0 || m.To[0] != addr || !strings.Contains(m.Subject, subject) {
				continue
			}
			link := m.Link(identityBaseURL + prefix)
			if link == "" {
				t.Fatalf("mail %q has no link %s…:\n%s", m.Subject, prefix, m.Text)
			}
			u, err := url.Parse(link)
			if err != nil {
				t.Fatal(err)
			}
			return a.URL + u.Path
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail to %s with %q in the subject", addr, subject)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// totpCode is the current code of a TOTP key at the app's clock.
func totpCode(t *testing.T, a *apptest.App, key string) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(strings.ReplaceAll(key, " ", ""), a.Clock.Now(),
		totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrolTOTPInBrowser sets up an authenticator from the page the browser
// is on (the set-up page, /profile/security/totp) and returns the key and
// the backup codes. It leaves the app's clock on the next time step.
func enrolTOTPInBrowser(t *testing.T, a *apptest.App, b *testutil.Browser) (string, []string) {
	t.Helper()
	b.Submit(`form[action="/profile/security/totp"] button[type=submit]`)
	key := b.Text("#manual-key")
	if !regexp.MustCompile(`^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$`).MatchString(key) {
		t.Fatalf("manual key %q is not 8 groups of 4", key)
	}
	if !b.HasElement(`img.qr[src^="data:image/png;base64,"]`) {
		t.Error("no QR code image")
	}
	b.CheckAccessibility()
	screenshot(t, b, "totp-scan")
	b.Fill("#code", totpCode(t, a, key))
	b.Submit(`form[action="/profile/security/totp/confirm"] button[type=submit]`)
	codes := regexp.MustCompile(`[0-9a-z]{5}-[0-9a-z]{5}`).FindAllString(b.Text(".backup-codes"), -1)
	if len(codes) != 10 {
		t.Fatalf("%d backup codes shown, want 10", len(codes))
	}
	b.CheckAccessibility()
	screenshot(t, b, "backup-codes")
	a.Clock.Advance(30 * time.Second)
	return key, codes
}

// TestIdentityJourney walks a new candidate through the identity features
// in a browser: register, verify the address from the mail, sign in, set
// up an authenticator app from the manual key, sign in with a TOTP code
// and with a backup code, reset the password with the second factor, and
// update the profile. Every page passes the accessibility check.
func TestIdentityJourney(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		smtp := testutil.NewSMTPServer(t)
		a := apptest.Start(t, engine, apptest.WithEnv("CERTPORTAL_SMTP_URL", smtp.URL()), apptest.WithEnv("CERTPORTAL_BASE_URL", identityBaseURL))
		testutil.ForEachViewport(t, func(t *testing.T, b *testutil.Browser) {
			email := "noor." + t.Name()[strings.LastIndex(t.Name(), "/")+1:] + "@example.org"
			const password = "Saffron-Bicycle-71"
			const newPassword = "Granite-Meadow-58"
			check := func(name string) {
				t.Helper()
				b.CheckAccessibility()
				screenshot(t, b, name)
			}
			signIn := func(pw string) {
				t.Helper()
				b.Navigate(a.URL + "/signin")
				b.Fill("#email", email)
				b.Fill("#password", pw)
				b.Submit(`form[action="/signin"] button[type=submit]`)
			}
			signOut := func() {
				t.Helper()
				b.Submit(`form[action="/signout"] button`)
				if got := b.Text(".notice"); !strings.Contains(got, "signed out") {
					t.Fatalf("after sign-out: notice %q at %s", got, b.URL())
				}
			}

			// Register.
			b.Navigate(a.URL + "/register?country=ES")
			check("register")
			b.Fill("#first_name", "Noor")
			b.Fill("#last_name", "Haddad")
			b.Fill("#email", email)
			b.Fill("#password", password)
			b.Fill("#region", "ES-B")
			b.Fill("#language", "en")
			b.Submit(`form[action="/register"] button[type=submit]`)
			if got := b.Text("h1"); got != "Check your email" {
				t.Fatalf("after registering: h1 %q at %s", got, b.URL())
			}
			check("register-done")

			// Verify the address with the link from the mail.
			b.Navigate(mailLink(t, a, smtp, email, "Confirm your email", "/verify/"))
			check("verify")
			b.Submit(`main form button[type=submit]`)
			if got := b.Text(".notice"); !strings.Contains(got, "confirmed") {
				t.Fatalf("after verifying: notice %q at %s", got, b.URL())
			}
			check("verified")

			// Sign in; without MFA the Security tab encourages it.
			b.Fill("#email", email)
			b.Fill("#password", password)
			b.Submit(`form[action="/signin"] button[type=submit]`)
			if !strings.HasSuffix(b.URL(), "/dashboard") {
				t.Fatalf("after sign-in: %s", b.URL())
			}
			check("dashboard")
			b.Navigate(a.URL + "/profile/security")
			if !strings.Contains(b.Text("#sec-mfa + .callout"), "Protect your account") {
				t.Error("no encouragement to set up MFA")
			}
			check("security-no-mfa")

			// Set up an authenticator app from the manual key.
			b.Click(`a[href="/profile/security/totp"].button`)
			b.WaitVisible(`form[action="/profile/security/totp"]`)
			check("totp-start")
			key, codes := enrolTOTPInBrowser(t, a, b)
			b.Click(`main a.button`)
			b.WaitVisible(".notice")
			if got := b.Text(".notice"); !strings.Contains(got, "authenticator app is set up") {
				t.Errorf("after enrolment: notice %q", got)
			}
			if got := b.Text(".mfa-methods"); !strings.Contains(got, "10 of 10 backup codes left") {
				t.Errorf("security page after enrolment: %q", got)
			}
			check("security-mfa")
			signOut()

			// Sign in with a TOTP code.
			signIn(password)
			if !strings.Contains(b.URL(), "/signin/mfa") {
				t.Fatalf("sign-in with MFA went to %s", b.URL())
			}
			check("signin-mfa")
			b.Fill("#code", "000000")
			b.Submit(`form[action="/signin/mfa"] button[type=submit]`)
			if !strings.Contains(b.Text("#code-error"), "did not work") {
				t.Errorf("wrong code: %q", b.Text("main"))
			}
			check("signin-mfa-error")
			b.Fill("#code", totpCode(t, a, key))
			b.Submit(`form[action="/signin/mfa"] button[type=submit]`)
			if !strings.HasSuffix(b.URL(), "/dashboard") {
				t.Fatalf("after the TOTP code: %s", b.URL())
			}
			a.Clock.Advance(30 * time.Second)
			signOut()

			// Sign in with a backup code.
			signIn(password)
			b.Fill("#method", "backup")
			b.Fill("#code", codes[0])
			b.Submit(`form[action="/signin/mfa"] button[type=submit]`)
			if !strings.HasSuffix(b.URL(), "/dashboard") {
				t.Fatalf("after the backup code: %s", b.URL())
			}
			b.Navigate(a.URL + "/profile/security")
			if got := b.Text(".mfa-methods"); !strings.Contains(got, "9 of 10 backup codes left") {
				t.Errorf("security page after a backup code: %q", got)
			}
			signOut()

			// Reset the password: the link from the mail and a TOTP code.
			b.Navigate(a.URL + "/password/forgot")
			check("forgot")
			b.Fill("#email", email)
			b.Submit(`form[action="/password/forgot"] button[type=submit]`)
			check("forgot-sent")
			b.Navigate(mailLink(t, a, smtp, email, "Reset your", "/password/reset/"))
			if !strings.HasSuffix(b.URL(), "/password/reset") {
				t.Fatalf("the reset link led to %s", b.URL())
			}
			check("reset")
			b.Fill("#password", newPassword)
			b.Fill("#confirm", newPassword)
			b.Submit(`form[action="/password/reset"] button[type=submit]`)
			if !strings.Contains(b.Text("#code-error"), "Enter the code") {
				t.Errorf("reset without a code: %q", b.Text("main"))
			}
			check("reset-no-code")
			b.Fill("#password", newPassword)
			b.Fill("#confirm", newPassword)
			b.Fill("#method", "totp")
			b.Fill("#code", totpCode(t, a, key))
			b.Submit(`form[action="/password/reset"] button[type=submit]`)
			if got := b.Text(".notice"); !strings.Contains(got, "password is reset") {
				t.Fatalf("after the reset: notice %q at %s", got, b.URL())
			}
			a.Clock.Advance(30 * time.Second)
			signIn(newPassword)
			b.Fill("#code", totpCode(t, a, key))
			b.Submit(`form[action="/signin/mfa"] button[type=submit]`)
			if !strings.HasSuffix(b.URL(), "/dashboard") {
				t.Fatalf("sign-in with the new password: %s", b.URL())
			}
			a.Clock.Advance(30 * time.Second)

			// Update the profile.
			b.Navigate(a.URL + "/profile")
			check("profile")
			b.Fill("#city", "Barcelona")
			b.Fill("#job_role", "Cloud architect")
			b.Submit(`form[action="/profile"] button[type=submit]`)
			if got := b.Text(".notice"); !strings.Contains(got, "profile is saved") {
				t.Fatalf("after saving the profile: notice %q", got)
			}
			if got := b.Text("main"); strings.Contains(got, "error") {
				t.Errorf("profile page after saving: %q", got)
			}
			check("profile-saved")
		})
	})
}

// TestMFAPagesAsStaff: an admin without a second factor who opens the
// console lands on the authenticator set-up, which says why; after it the
// console opens. Then the other MFA pages, with their errors: new backup
// codes, turning TOTP off, setting up SMS, and the page that asks to sign
// in again.
func TestMFAPagesAsStaff(t *testing.T) {
	a := apptest.Start(t, "sqlite")
	testutil.ForEachViewport(t, func(t *testing.T, b *testutil.Browser) {
		email := "grace." + t.Name()[strings.LastIndex(t.Name(), "/")+1:] + "@example.org"
		const password = "Cobol-Compiler-1959"
		b.Navigate(adminSetupLink(t, a, email, "Grace", "Hopper"))
		b.Fill("#password", password)
		b.Fill("#confirm", password)
		b.Submit("form button[type=submit]")
		b.Fill("#email", email)
		b.Fill("#password", password)
		b.Submit("form button[type=submit]")
		if !strings.HasSuffix(b.URL(), "/profile/security/totp?required=1") {
			t.Fatalf("admin without MFA after sign-in: %s", b.URL())
		}
		if got := b.Text("main .callout"); !strings.Contains(got, "Before you can use the console") {
			t.Errorf("the set-up page does not say why: %q", got)
		}
		b.CheckAccessibility()
		screenshot(t, b, "totp-required")
		key, _ := enrolTOTPInBrowser(t, a, b)
		b.Click(`main a.button`)
		b.WaitVisible("body.console h1")
		if !strings.HasSuffix(b.URL(), "/console") || b.Text("h1") != "Console" {
			t.Fatalf("after enrolment: %s, h1 %q", b.URL(), b.Text("h1"))
		}
		b.CheckAccessibility()

		// New backup codes.
		b.Navigate(a.URL + "/profile/security")
		b.CheckAccessibility()
		screenshot(t, b, "security-staff")
		b.Submit(`form[action="/profile/security/backup-codes"] button`)
		if got := b.Text("h1"); got != "Your new backup codes" {
			t.Fatalf("after regenerating: h1 %q", got)
		}
		b.CheckAccessibility()
		screenshot(t, b, "backup-codes-new")
		b.Click(`main a.button`)
		b.WaitVisible(".notice")

		// Turning TOTP off: a wrong code comes back next to the field.
		b.Click(`a[href="/profile/security/totp/disable"]`)
		b.WaitVisible(`form[action="/profile/security/totp/disable"]`)
		if !strings.Contains(b.Text("main"), "set it up again before you can use the console") {
			t.Errorf("the last factor's warning for staff is missing")
		}
		b.Fill("#code", "000000")
		b.Submit(`form[action="/profile/security/totp/disable"] button[type=submit]`)
		if got := b.Text("#code-error"); !strings.Contains(got, "attempts left") {
			t.Errorf("wrong code to turn TOTP off: %q", got)
		}
		b.CheckAccessibility()
		screenshot(t, b, "totp-disable-error")

		// Setting up SMS: the risk notice, the proof, a bad number.
		b.Navigate(a.URL + "/profile/security/sms")
		if !strings.Contains(b.Text("main"), "less secure than an authenticator app") {
			t.Error("no SMS risk notice")
		}
		b.Fill("#phone", "600 123 456")
		b.Fill("#code", totpCode(t, a, key))
		b.Submit(`form[action="/profile/security/sms"] button[type=submit]`)
		if got := b.Text("#phone-error"); !strings.Contains(got, "international format") {
			t.Errorf("bad number: %q", got)
		}
		b.CheckAccessibility()
		screenshot(t, b, "sms-error")
		b.Fill("#phone", "+34 600 123 456")
		b.Fill("#code", totpCode(t, a, key))
		b.Submit(`form[action="/profile/security/sms"] button[type=submit]`)
		a.Clock.Advance(30 * time.Second)
		if got := b.Text(".notice"); !strings.Contains(got, "We sent a code") {
			t.Errorf("after sending the code: notice %q at %s", got, b.URL())
		}
		b.Fill("#code", "000000")
		b.Submit(`form[action="/profile/security/sms/confirm"] button[type=submit]`)
		if got := b.Text("#code-error"); !strings.Contains(got, "4 attempts left.") {
			t.Errorf("wrong SMS code: %q", got)
		}
		b.CheckAccessibility()
		screenshot(t, b, "sms-confirm-error")

		// Half an hour later changes ask to sign in again, and lead back.
		a.Clock.Advance(31 * time.Minute)
		b.Navigate(a.URL + "/profile/security/totp/disable")
		if got := b.Text("h1"); got != "Sign in again to continue" {
			t.Fatalf("after 31 minutes: h1 %q", got)
		}
		b.CheckAccessibility()
		screenshot(t, b, "reauth")
		b.Submit(`form[action="/profile/security/reauth"] button[type=submit]`)
		if got := b.Text(".notice"); !strings.Contains(got, "Sign in again") {
			t.Errorf("sign-in page after reauth: notice %q", got)
		}
		b.Fill("#email", email)
		b.Fill("#password", password)
		b.Submit("form button[type=submit]")
		b.Fill("#code", totpCode(t, a, key))
		b.Submit(`form[action="/signin/mfa"] button[type=submit]`)
		if !strings.HasSuffix(b.URL(), "/profile/security/totp/disable") {
			t.Fatalf("after signing in again: %s", b.URL())
		}
		a.Clock.Advance(30 * time.Second)
	})
}
