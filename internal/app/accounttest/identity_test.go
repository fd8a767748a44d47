package accounttest

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

var registration = url.Values{
	"email": {"Maria.Garcia@Example.org"}, "first_name": {"María"}, "last_name": {"García López"},
	"password": {"Zebra-Kettle-42"}, "country": {"ES"}, "region": {"ES-M"}, "region_for": {"ES"}, "language": {"es"}, "company": {""},
}

func register(t *testing.T, a *apptest.App, c *http.Client, form url.Values) *http.Response {
	t.Helper()
	resp := a.PostForm(t, c, "/register", form)
	_ = apptest.Body(t, resp)
	return resp
}

func TestRegisterVerifyAndSignIn(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine)
		c := a.Client()
		resp := register(t, a, c, registration)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/register/done" {
			t.Fatalf("register: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		m := smtp.WaitFor(t, 1)[0]
		if m.To[0] != "maria.garcia@example.org" || !strings.Contains(m.Subject, "Confirme") || m.HTML == "" {
			t.Fatalf("verification mail: to %v subject %q", m.To, m.Subject)
		}
		link := m.Link("http://portal.example.test/verify/")
		if link == "" {
			t.Fatalf("no verification link in:\n%s", m.Text)
		}

		// Signed in but unverified: only the verify page.
		resp = a.PostForm(t, c, "/signin", url.Values{"email": {"maria.garcia@example.org"}, "password": {"Zebra-Kettle-42"}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in of an unverified account: %d", resp.StatusCode)
		}
		for _, p := range []string{"/dashboard", "/profile"} {
			resp = a.Get(t, c, p)
			_ = apptest.Body(t, resp)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/verify-email" {
				t.Errorf("unverified GET %s: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		page := apptest.Body(t, a.Get(t, c, "/verify-email"))
		if !strings.Contains(page, "maria.garcia@example.org") {
			t.Errorf("verify page lacks the address")
		}

		// Opening the link changes nothing; the button does.
		path := apptest.LocalLink(t, link)
		resp = a.Get(t, c, path)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != 200 {
			t.Fatalf("GET verify link: %d", resp.StatusCode)
		}
		resp = a.PostForm(t, c, path, nil)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST verify: %d", resp.StatusCode)
		}
		dash := apptest.Body(t, a.Get(t, c, "/dashboard"))
		if !regexp.MustCompile(`<code>CP\d{8}</code>`).MatchString(dash) {
			t.Errorf("dashboard shows no login ID")
		}
		// The link worked once.
		resp = a.PostForm(t, c, path, nil)
		if b := apptest.Body(t, resp); resp.StatusCode != http.StatusNotFound || !strings.Contains(b, "no es válido") {
			t.Errorf("second use of the link: %d", resp.StatusCode)
		}
	})
}

func TestRegisterWithAnExistingAddressLooksTheSame(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine)
		first := register(t, a, a.Client(), registration)
		smtp.WaitFor(t, 1)
		again := url.Values{}
		for k, v := range registration {
			again[k] = v
		}
		again.Set("email", "MARIA.garcia@example.org")
		again.Set("first_name", "Mallory")
		second := register(t, a, a.Client(), again)
		if first.StatusCode != second.StatusCode || first.Header.Get("Location") != second.Header.Get("Location") {
			t.Fatalf("responses differ: %d %s vs %d %s", first.StatusCode, first.Header.Get("Location"), second.StatusCode, second.Header.Get("Location"))
		}
		msgs := smtp.WaitFor(t, 2)
		if !strings.Contains(msgs[1].Subject, "Ya tiene una cuenta") || strings.Contains(msgs[1].Text, "Mallory") {
			t.Fatalf("the owner was not told, or in the wrong words: %q\n%s", msgs[1].Subject, msgs[1].Text)
		}
	})
}

func TestRegistrationFormErrors(t *testing.T) {
	a, _ := apptest.StartWithMail(t, "sqlite")
	c := a.Client()
	for _, tc := range []struct {
		field, value, want string
	}{
		{"email", "not-an-email", "Enter an email address like name@example.com."},
		{"first_name", "", "Enter your first name as it appears on your government ID."},
		{"last_name", "<script>", "Use only letters, spaces, apostrophes, hyphens and periods."},
		{"password", "Password1", "too common"},
		{"password", "short1A", "at least 8 characters"},
		{"password", "garcialopez1A", "easy to guess"},
		{"country", "XX", "Choose your country."},
		{"region", "US-CA", "Choose your state or region."},
		{"language", "tlh", "Choose a language from the list."},
		{"company", strings.Repeat("x", 201), "Use at most 200 characters."},
	} {
		form := url.Values{}
		for k, v := range registration {
			form[k] = v
		}
		form.Set(tc.field, tc.value)
		resp := a.PostForm(t, c, "/register", form)
		b := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, tc.want) {
			t.Errorf("%s=%q: %d, want 422 with %q", tc.field, tc.value, resp.StatusCode, tc.want)
		}
		if !strings.Contains(b, `id="`+tc.field+`-error"`) || !strings.Contains(b, `href="#`+tc.field+`"`) {
			t.Errorf("%s: the message is not next to the field and in the summary", tc.field)
		}
		if strings.Contains(b, "Zebra-Kettle-42") {
			t.Errorf("%s: the password came back in the page", tc.field)
		}
	}
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine)
		c := a.Client()
		register(t, a, c, registration)
		smtp.WaitFor(t, 1)
		try := func(email, pw string) (int, string) {
			resp := a.PostForm(t, a.Client(), "/signin", url.Values{"email": {email}, "password": {pw}})
			b := apptest.Body(t, resp)
			// The form echoes what was typed; the rest must not differ.
			main := strings.ReplaceAll(b[max(strings.Index(b, "<main"), 0):], email, "EMAIL")
			return resp.StatusCode, main
		}
		var failPage string
		for i := range 5 {
			code, page := try("maria.garcia@example.org", "Wrong-Pass-1")
			if code != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i+1, code)
			}
			failPage = page
		}
		// Locked: the right password fails like a wrong one, and like an
		// unknown address.
		code, page := try("maria.garcia@example.org", "Zebra-Kettle-42")
		_, unknown := try("nobody@example.org", "Zebra-Kettle-42")
		if code != http.StatusUnauthorized || page != failPage || unknown != failPage {
			t.Fatalf("locked sign-in: %d; pages equal: %v %v", code, page == failPage, unknown == failPage)
		}
		// Attempts during the lock do not extend it.
		a.Clock.Advance(4 * time.Minute)
		try("maria.garcia@example.org", "Wrong-Pass-1")
		a.Clock.Advance(time.Minute + time.Second)
		if code, _ := try("maria.garcia@example.org", "Zebra-Kettle-42"); code != http.StatusSeeOther {
			t.Fatalf("after 5 minutes: %d, want a sign-in", code)
		}
		msgs := smtp.WaitFor(t, 2)
		if !strings.Contains(msgs[1].Text, "bloqueado") {
			t.Fatalf("no lock notice: %q", msgs[1].Subject)
		}
		// A second lock within 24 hours lasts 10 minutes.
		for range 5 {
			try("maria.garcia@example.org", "Wrong-Pass-1")
		}
		a.Clock.Advance(5*time.Minute + time.Second)
		if code, _ := try("maria.garcia@example.org", "Zebra-Kettle-42"); code != http.StatusUnauthorized {
			t.Fatalf("second lock after 5 min: %d, want still locked", code)
		}
		a.Clock.Advance(5 * time.Minute)
		if code, _ := try("maria.garcia@example.org", "Zebra-Kettle-42"); code != http.StatusSeeOther {
			t.Fatalf("second lock after 10 min: %d", code)
		}
		if n := len(smtp.WaitFor(t, 3)); n != 3 {
			t.Errorf("%d messages, want 3 (verification and one notice per lock)", n)
		}
	})
}

func TestSignInThrottledPerIP(t *testing.T) {
	a, _ := apptest.StartWithMail(t, "sqlite")
	var last *http.Response
	for i := range 31 {
		last = a.PostForm(t, a.Client(), "/signin", url.Values{"email": {"user" + string(rune('a'+i%26)) + "@example.org"}, "password": {"Spray-Pass-1"}})
		_ = apptest.Body(t, last)
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Fatalf("31st attempt from one address: %d Retry-After %q", last.StatusCode, last.Header.Get("Retry-After"))
	}
}

// signedIn registers, verifies and signs in a candidate and returns the
// client holding the session.
func signedIn(t *testing.T, a *apptest.App, smtp *testutil.SMTPServer, form url.Values) *http.Client {
	t.Helper()
	c := a.Client()
	before := len(smtp.Messages())
	if resp := register(t, a, c, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	m := smtp.WaitFor(t, before+1)[before]
	path := apptest.LocalLink(t, m.Link("http://portal.example.test/verify/"))
	_ = apptest.Body(t, a.PostForm(t, c, path, nil))
	resp := a.PostForm(t, c, "/signin", url.Values{"email": {form.Get("email")}, "password": {form.Get("password")}})
	_ = apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
		t.Fatalf("sign in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	return c
}

func TestForgotPasswordAndReset(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine)
		other := signedIn(t, a, smtp, registration) // a session that the reset must end
		c := a.Client()
		forgot := func(email string) (int, string) {
			resp := a.PostForm(t, c, "/password/forgot", url.Values{"email": {email}})
			b := apptest.Body(t, resp)
			return resp.StatusCode, strings.ReplaceAll(b[max(strings.Index(b, "<main"), 0):], resp.Header.Get("X-Request-ID"), "")
		}
		known, knownPage := forgot("maria.garcia@example.org")
		unknown, unknownPage := forgot("nobody@example.org")
		if known != 200 || unknown != 200 || knownPage != unknownPage {
			t.Fatalf("forgot: %d vs %d; same page: %v", known, unknown, knownPage == unknownPage)
		}
		first := smtp.WaitFor(t, 2)[1].Link("http://portal.example.test/password/reset/")
		// Within the per-address limit a second request sends nothing but
		// looks the same.
		if code, page := forgot("maria.garcia@example.org"); code != 200 || page != knownPage {
			t.Fatal("a request over the per-address limit looks different")
		}
		a.Clock.Advance(time.Minute)
		forgot("maria.garcia@example.org")
		second := smtp.WaitFor(t, 3)[2].Link("http://portal.example.test/password/reset/")
		if first == "" || second == "" || first == second {
			t.Fatalf("reset links: %q %q", first, second)
		}
		// The link moves its token into a cookie and off the address bar.
		resp := a.Get(t, c, apptest.LocalLink(t, first))
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/password/reset" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("reset link: %d %s %q", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Referrer-Policy"))
		}
		// The older link was replaced by the newer one.
		resp = a.Get(t, c, "/password/reset")
		if b := apptest.Body(t, resp); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("superseded link: %d\n%s", resp.StatusCode, b)
		}
		_ = apptest.Body(t, a.Get(t, c, apptest.LocalLink(t, second)))
		resp = a.PostForm(t, c, "/password/reset", url.Values{"password": {"Password1"}, "confirm": {"Password1"}})
		if b := apptest.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, "too common") {
			t.Fatalf("common password on reset: %d", resp.StatusCode)
		}
		resp = a.PostForm(t, c, "/password/reset", url.Values{"password": {"Granite-Lantern-77"}, "confirm": {"Granite-Lantern-77"}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "password_reset") {
			t.Fatalf("reset: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		// Every session ended before the answer.
		resp = a.Get(t, other, "/dashboard")
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
			t.Fatalf("old session after reset: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		// The link worked once; the new password works; a notice went out.
		_ = apptest.Body(t, a.Get(t, c, apptest.LocalLink(t, second)))
		if resp := a.Get(t, c, "/password/reset"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("reused reset link: %d", resp.StatusCode)
		}
		resp = a.PostForm(t, a.Client(), "/signin", url.Values{"email": {"maria.garcia@example.org"}, "password": {"Granite-Lantern-77"}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in with the new password: %d", resp.StatusCode)
		}
		if notice := smtp.WaitFor(t, 4)[3]; !strings.Contains(notice.Text, "restablecido") {
			t.Errorf("no reset notice: %q", notice.Subject)
		}
	})
}

func TestResetLinkClearsALockAndExpiresAfterAnHour(t *testing.T) {
	a, smtp := apptest.StartWithMail(t, "sqlite")
	register(t, a, a.Client(), registration)
	smtp.WaitFor(t, 1)
	for range 5 {
		_ = apptest.Body(t, a.PostForm(t, a.Client(), "/signin", url.Values{"email": {"maria.garcia@example.org"}, "password": {"Wrong-Pass-1"}}))
	}
	c := a.Client()
	// Mail leaves through the job queue, so messages may arrive in any
	// order: take the link from whichever of the first n has one and is
	// new.
	seen := map[string]bool{}
	resetLink := func(n int) string {
		_ = apptest.Body(t, a.PostForm(t, c, "/password/forgot", url.Values{"email": {"maria.garcia@example.org"}}))
		for _, m := range smtp.WaitFor(t, n) {
			if l := m.Link("http://portal.example.test/password/reset/"); l != "" && !seen[l] {
				seen[l] = true
				return l
			}
		}
		t.Fatal("no new reset link")
		return ""
	}
	// Locked (verification mail and lock notice so far): a reset still
	// works and clears the lock.
	link := resetLink(3)
	_ = apptest.Body(t, a.Get(t, c, apptest.LocalLink(t, link)))
	resp := a.PostForm(t, c, "/password/reset", url.Values{"password": {"Granite-Lantern-77"}, "confirm": {"Granite-Lantern-77"}})
	_ = apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset during a lock: %d", resp.StatusCode)
	}
	resp = a.PostForm(t, a.Client(), "/signin", url.Values{"email": {"maria.garcia@example.org"}, "password": {"Granite-Lantern-77"}})
	_ = apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in after a reset during a lock: %d (the reset must clear the lock)", resp.StatusCode)
	}
	// A link is good for an hour.
	a.Clock.Advance(time.Minute)
	link = resetLink(5) // the reset notice was the fourth message
	a.Clock.Advance(time.Hour - time.Second)
	_ = apptest.Body(t, a.Get(t, c, apptest.LocalLink(t, link)))
	if resp := a.Get(t, c, "/password/reset"); resp.StatusCode != http.StatusOK {
		t.Fatalf("reset link at 1 h - 1 s: %d", resp.StatusCode)
	}
	a.Clock.Advance(2 * time.Second)
	if resp := a.Get(t, c, "/password/reset"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("reset link at 1 h + 1 s: %d", resp.StatusCode)
	}
}

func TestChangePasswordAndSessions(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine)
		c := signedIn(t, a, smtp, registration)
		other := a.Client()
		_ = apptest.Body(t, a.PostForm(t, other, "/signin", url.Values{"email": {"maria.garcia@example.org"}, "password": {"Zebra-Kettle-42"}}))
		sec := apptest.Body(t, a.Get(t, c, "/profile/security"))
		if strings.Count(sec, "<tr>") != 3 { // header + two sessions
			t.Errorf("security page lists %d rows, want the header and 2 sessions", strings.Count(sec, "<tr>"))
		}
		// A stolen session cannot change the password without the current one.
		resp := a.PostForm(t, c, "/profile/password", url.Values{"current_password": {""}, "new_password": {"Granite-Lantern-77"}, "confirm": {"Granite-Lantern-77"}})
		if b := apptest.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, `id="current_password-error"`) {
			t.Fatalf("no current password: %d", resp.StatusCode)
		}
		resp = a.PostForm(t, c, "/profile/password", url.Values{"current_password": {"Zebra-Kettle-42"}, "new_password": {"Granite-Lantern-77"}, "confirm": {"Granite-Lantern-77"}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("change password: %d", resp.StatusCode)
		}
		resp = a.Get(t, other, "/dashboard")
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
			t.Fatalf("other session after the change: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp := a.Get(t, c, "/dashboard"); resp.StatusCode != 200 {
			t.Fatalf("own session after the change: %d", resp.StatusCode)
		}
		if m := smtp.WaitFor(t, 2)[1]; !strings.Contains(m.Text, "cambiado la contraseña") {
			t.Errorf("no password-change notice: %q", m.Subject)
		}
		// Sign out everywhere else.
		third := a.Client()
		_ = apptest.Body(t, a.PostForm(t, third, "/signin", url.Values{"email": {"maria.garcia@example.org"}, "password": {"Granite-Lantern-77"}}))
		_ = apptest.Body(t, a.PostForm(t, c, "/profile/security/signout-others", nil))
		if resp := a.Get(t, third, "/dashboard"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("session after 'sign out everywhere else': %d", resp.StatusCode)
		}
		// Sign out.
		_ = apptest.Body(t, a.PostForm(t, c, "/signout", nil))
		if resp := a.Get(t, c, "/dashboard"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("after sign-out: %d", resp.StatusCode)
		}
	})
}

func TestEmailChange(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine)
		c := signedIn(t, a, smtp, registration)
		resp := a.PostForm(t, c, "/profile/email", url.Values{"new_email": {"maria@new.example"}, "current_password": {"wrong"}})
		if b := apptest.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, `id="current_password-error"`) {
			t.Fatalf("wrong password: %d", resp.StatusCode)
		}
		resp = a.PostForm(t, c, "/profile/email", url.Values{"new_email": {"maria@new.example"}, "current_password": {"Zebra-Kettle-42"}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != 200 {
			t.Fatalf("email change: %d", resp.StatusCode)
		}
		m := smtp.WaitFor(t, 2)[1]
		if m.To[0] != "maria@new.example" {
			t.Fatalf("confirmation went to %v", m.To)
		}
		// Nothing changed yet.
		if strings.Contains(apptest.Body(t, a.Get(t, c, "/profile")), "maria@new.example") {
			t.Fatal("address changed before confirmation")
		}
		path := apptest.LocalLink(t, m.Link("http://portal.example.test/email/confirm/"))
		_ = apptest.Body(t, a.PostForm(t, c, path, nil))
		if !strings.Contains(apptest.Body(t, a.Get(t, c, "/profile")), "maria@new.example") {
			t.Fatal("address not changed after confirmation")
		}
		old := smtp.WaitFor(t, 3)[2]
		if old.To[0] != "maria.garcia@example.org" || !strings.Contains(old.Text, "cambiado la dirección") {
			t.Fatalf("old address not told: to %v %q", old.To, old.Subject)
		}
		resp = a.PostForm(t, a.Client(), "/signin", url.Values{"email": {"maria.garcia@example.org"}, "password": {"Zebra-Kettle-42"}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("old address still signs in: %d", resp.StatusCode)
		}
	})
}

func TestProfileIgnoresFieldsItDoesNotOwn(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine)
		c := signedIn(t, a, smtp, registration)
		form := url.Values{
			"first_name": {"María"}, "last_name": {"García López"}, "country": {"US"}, "region": {"US-CA"},
			"language": {"en"}, "phone": {"+1 (555) 123-4567"}, "company": {"Acme"}, "news_opt_in": {"on"},
			// Not the profile's to change:
			"role": {"admin"}, "email": {"attacker@example.org"}, "email_verified_at": {""}, "login_id": {"CP00000001"},
		}
		resp := a.PostForm(t, c, "/profile", form)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("profile update: %d", resp.StatusCode)
		}
		page := apptest.Body(t, a.Get(t, c, "/profile"))
		for _, want := range []string{"maria.garcia@example.org", "15551234567", `value="Acme"`, "checked"} {
			if !strings.Contains(page, want) {
				t.Errorf("profile lacks %q after saving", want)
			}
		}
		if strings.Contains(page, "attacker@example.org") || strings.Contains(page, "CP00000001") {
			t.Error("the profile form changed a field it does not own")
		}
		if resp := a.Get(t, c, "/console"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("candidate reached the console after posting role=admin: %d", resp.StatusCode)
		}
		// The page is now in English: the language preference wins.
		if !strings.Contains(page, `lang="en"`) {
			t.Error("the preferred language did not change the page language")
		}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("phone", "call me")
		resp = a.PostForm(t, c, "/profile", bad)
		if b := apptest.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, `id="phone-error"`) {
			t.Errorf("bad phone: %d", resp.StatusCode)
		}
	})
}

// TestLogsHoldNoSecrets runs flows that handle passwords, links and codes
// and checks none of them reaches the log (SECURITY.md IN-08).
func TestLogsHoldNoSecrets(t *testing.T) {
	a, smtp := apptest.StartWithMail(t, "sqlite")
	c := signedIn(t, a, smtp, registration)
	_ = apptest.Body(t, a.PostForm(t, c, "/profile/password", url.Values{"current_password": {"Zebra-Kettle-42"}, "new_password": {"Granite-Lantern-77"}, "confirm": {"Granite-Lantern-77"}}))
	_ = apptest.Body(t, a.PostForm(t, a.Client(), "/password/forgot", url.Values{"email": {"maria.garcia@example.org"}}))
	msgs := smtp.WaitFor(t, 3)
	logs := a.Stderr()
	secrets := []string{"Zebra-Kettle-42", "Granite-Lantern-77"}
	for _, m := range msgs {
		for _, prefix := range []string{"http://portal.example.test/verify/", "http://portal.example.test/password/reset/"} {
			if l := m.Link(prefix); l != "" {
				secrets = append(secrets, l, strings.TrimPrefix(l, prefix))
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the log contains a secret: %q", s)
		}
	}
	if len(secrets) < 4 {
		t.Fatalf("expected links in the mail, got secrets %v", secrets)
	}
}

// TestSessionCookie: a fresh opaque value at every sign-in, so a value
// planted before sign-in is useless (fixation); the __Host- prefix and
// Secure under TLS; nothing personal inside (SECURITY.md SES-01, SES-02).
func TestSessionCookie(t *testing.T) {
	a := apptest.Start(t, "sqlite", apptest.WithArgs("--demo"), apptest.WithEnv("CERTPORTAL_BASE_URL", "https://certs.example.org"))
	cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
	c := a.Client()
	u, _ := url.Parse(a.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "__Host-certportal_session", Value: "planted-by-attacker"}})
	resp := a.PostForm(t, c, "/signin", url.Values{"email": {cand[1]}, "password": {cand[2]}})
	_ = apptest.Body(t, resp)
	var got *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "__Host-certportal_session" {
			got = ck
		}
	}
	if got == nil || got.Value == "planted-by-attacker" || !got.Secure || !got.HttpOnly || got.Path != "/" || got.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie: %+v", got)
	}
	if len(got.Value) < 43 || strings.Contains(got.Value, "candidate") || strings.Contains(got.Value, "@") {
		t.Errorf("cookie value %q is short or carries personal data", got.Value)
	}
	// The next sign-in gets another value.
	resp = a.PostForm(t, a.Client(), "/signin", url.Values{"email": {cand[1]}, "password": {cand[2]}})
	_ = apptest.Body(t, resp)
	for _, ck := range resp.Cookies() {
		if ck.Name == got.Name && ck.Value == got.Value {
			t.Error("two sign-ins got the same session value")
		}
	}
}

// TestLogsHoldNoMFASecretsOrSessions: at the most detailed log level, no
// authenticator key or code, text-message code, backup code (as shown or as
// typed) or session cookie value (half or fully signed in) appears in the
// log (SECURITY.md IN-08).
func TestLogsHoldNoMFASecretsOrSessions(t *testing.T) {
	a := apptest.Start(t, "sqlite", apptest.WithArgs("--demo"), apptest.WithEnv("CERTPORTAL_LOG_LEVEL", "debug"))
	admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
	cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
	var secrets []string
	u, _ := url.Parse(a.URL)
	keep := func(c *http.Client) {
		for _, ck := range c.Jar.Cookies(u) {
			if strings.HasSuffix(ck.Name, "certportal_session") && ck.Value != "" {
				secrets = append(secrets, ck.Value)
			}
		}
	}
	ac, _ := a.SignIn(t, admin[1], admin[2])
	keep(ac)
	adminKey, adminCodes, _ := a.EnrolTOTP(t, ac, true)
	keep(ac)
	nextSMS := smsReader(t, a, ac)

	c, _ := a.SignIn(t, cand[1], cand[2])
	keep(c)
	key, codes, _ := a.EnrolTOTP(t, c, false)
	secrets = append(secrets, adminKey, key, apptest.TOTPCode(t, key, a.Clock.Now().Add(-30*time.Second)))
	for _, code := range append(adminCodes, codes...) {
		secrets = append(secrets, code, strings.ReplaceAll(code, "-", ""))
	}

	// Text messages: a number proved with an authenticator code, then a
	// sign-in with a texted code, one with an authenticator code and one
	// with a backup code typed without its dash.
	totpCode := a.TOTPNow(t, key)
	secrets = append(secrets, totpCode)
	resp := a.PostForm(t, c, "/profile/security/sms", url.Values{"phone": {"+34 600 123 456"}, "method": {"totp"}, "code": {totpCode}})
	if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start SMS: %d", resp.StatusCode)
	}
	smsCode := nextSMS("+34600123456")
	secrets = append(secrets, smsCode)
	resp = a.PostForm(t, c, "/profile/security/sms/confirm", url.Values{"code": {smsCode}})
	if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm SMS: %d", resp.StatusCode)
	}
	a.Clock.Advance(30 * time.Second)
	for _, step := range []struct{ method, code string }{
		{"sms", ""}, {"totp", ""}, {"totp", strings.ReplaceAll(codes[0], "-", "")},
	} {
		pending, _ := a.SignIn(t, cand[1], cand[2])
		keep(pending)
		code := step.code
		switch {
		case code != "":
		case step.method == "sms":
			_ = apptest.Body(t, a.PostForm(t, pending, "/signin/mfa/sms", nil))
			code = nextSMS("+34600123456")
		default:
			code = a.TOTPNow(t, key)
		}
		secrets = append(secrets, code)
		if resp, _ := a.SecondStep(t, pending, step.method, code); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("second step by %s: %d", step.method, resp.StatusCode)
		}
		keep(pending)
		a.Clock.Advance(30 * time.Second)
	}

	logs := a.Stderr()
	if !strings.Contains(logs, `"route":"POST /signin/mfa"`) {
		t.Fatalf("the log did not record the requests:\n%s", logs)
	}
	if len(secrets) < 50 {
		t.Fatalf("only %d secrets collected", len(secrets))
	}
	for _, s := range secrets {
		if len(s) < 6 {
			t.Fatalf("secret %q too short to look for", s)
		}
		// A six-digit code counts only on its own, not inside a longer
		// number such as a timestamp.
		if regexp.MustCompile(`(^|[^0-9])` + regexp.QuoteMeta(s) + `($|[^0-9])`).MatchString(logs) {
			t.Errorf("the log contains a secret: %q", s)
		}
	}
}
