package app_test

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

// identityApp starts the portal with a real SMTP server for its mail.
func identityApp(t *testing.T, engine string) (*apptest.App, *testutil.SMTPServer) {
	t.Helper()
	smtp := testutil.NewSMTPServer(t)
	a := apptest.Start(t, engine, apptest.WithEnv("CERTPORTAL_SMTP_URL", smtp.URL()), apptest.WithEnv("CERTPORTAL_BASE_URL", "http://portal.example.test"))
	return a, smtp
}

// localLink turns a link from a mail (on the configured base URL) into a
// path on the test server.
func localLink(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Path == "" {
		t.Fatalf("bad link %q", link)
	}
	return u.Path
}

var registration = url.Values{
	"email": {"Maria.Garcia@Example.org"}, "first_name": {"María"}, "last_name": {"García López"},
	"password": {"Zebra-Kettle-42"}, "country": {"ES"}, "region": {"ES-M"}, "language": {"es"}, "company": {""},
}

func register(t *testing.T, a *apptest.App, c *http.Client, form url.Values) *http.Response {
	t.Helper()
	resp := a.PostForm(t, c, "/register", form)
	_ = body(t, resp)
	return resp
}

func TestRegisterVerifyAndSignIn(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := identityApp(t, engine)
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
		_ = body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in of an unverified account: %d", resp.StatusCode)
		}
		for _, p := range []string{"/dashboard", "/profile"} {
			resp = a.Get(t, c, p)
			_ = body(t, resp)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/verify-email" {
				t.Errorf("unverified GET %s: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		page := body(t, a.Get(t, c, "/verify-email"))
		if !strings.Contains(page, "maria.garcia@example.org") {
			t.Errorf("verify page lacks the address")
		}

		// Opening the link changes nothing; the button does.
		path := localLink(t, link)
		resp = a.Get(t, c, path)
		_ = body(t, resp)
		if resp.StatusCode != 200 {
			t.Fatalf("GET verify link: %d", resp.StatusCode)
		}
		resp = a.PostForm(t, c, path, nil)
		_ = body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST verify: %d", resp.StatusCode)
		}
		dash := body(t, a.Get(t, c, "/dashboard"))
		if !regexp.MustCompile(`<code>CP\d{8}</code>`).MatchString(dash) {
			t.Errorf("dashboard shows no login ID")
		}
		// The link worked once.
		resp = a.PostForm(t, c, path, nil)
		if b := body(t, resp); resp.StatusCode != http.StatusNotFound || !strings.Contains(b, "no es válido") {
			t.Errorf("second use of the link: %d", resp.StatusCode)
		}
	})
}

func TestRegisterWithAnExistingAddressLooksTheSame(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := identityApp(t, engine)
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
	a, _ := identityApp(t, "sqlite")
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
		b := body(t, resp)
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
		a, smtp := identityApp(t, engine)
		c := a.Client()
		register(t, a, c, registration)
		smtp.WaitFor(t, 1)
		try := func(email, pw string) (int, string) {
			resp := a.PostForm(t, a.Client(), "/signin", url.Values{"email": {email}, "password": {pw}})
			b := body(t, resp)
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
	a, _ := identityApp(t, "sqlite")
	var last *http.Response
	for i := range 31 {
		last = a.PostForm(t, a.Client(), "/signin", url.Values{"email": {"user" + string(rune('a'+i%26)) + "@example.org"}, "password": {"Spray-Pass-1"}})
		_ = body(t, last)
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Fatalf("31st attempt from one address: %d Retry-After %q", last.StatusCode, last.Header.Get("Retry-After"))
	}
}
