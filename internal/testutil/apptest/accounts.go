package apptest

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
)

// CandidatePassword is the password RegisterCandidate gives every account.
const CandidatePassword = "Quartz-Lantern-83"

// StartWithMail starts the portal like Start, with a real SMTP server for
// its mail and http://portal.example.test as its base URL (see LocalLink).
func StartWithMail(tb testing.TB, engine string, opts ...Option) (*App, *testutil.SMTPServer) {
	tb.Helper()
	smtp := testutil.NewSMTPServer(tb)
	opts = append([]Option{
		WithEnv("CERTPORTAL_SMTP_URL", smtp.URL()),
		WithEnv("CERTPORTAL_BASE_URL", "http://portal.example.test"),
	}, opts...)
	return Start(tb, engine, opts...), smtp
}

// MailTo waits up to 10 seconds for a message to addr whose subject
// contains subject, and returns the newest such message.
func MailTo(tb testing.TB, smtp *testutil.SMTPServer, addr, subject string) testutil.ReceivedMail {
	tb.Helper()
	return smtp.WaitMail(tb, addr, subject, 10*time.Second)
}

// CountMail counts the messages to addr whose subject contains subject.
func CountMail(smtp *testutil.SMTPServer, addr, subject string) int {
	n := 0
	for _, m := range smtp.Messages() {
		if len(m.To) > 0 && m.To[0] == addr && strings.Contains(m.Subject, subject) {
			n++
		}
	}
	return n
}

// LocalLink turns a link from a mail (on the configured base URL) into a
// path on the test server.
func LocalLink(tb testing.TB, link string) string {
	tb.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Path == "" {
		tb.Fatalf("bad link %q", link)
	}
	return u.Path
}

// RegisterCandidate registers email (English) with CandidatePassword,
// verifies it through the mail and returns a client signed in with the
// password. The app must have been started by StartWithMail.
func (a *App) RegisterCandidate(tb testing.TB, smtp *testutil.SMTPServer, email string) *http.Client {
	tb.Helper()
	c := a.Client()
	resp := a.PostForm(tb, c, "/register", url.Values{
		"email": {email}, "first_name": {"Ines"}, "last_name": {"Okafor"}, "password": {CandidatePassword},
		"country": {"ES"}, "region": {"ES-M"}, "language": {"en"}, "company": {""},
	})
	if b := Body(tb, resp); resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("register %s: %d\n%s", email, resp.StatusCode, b)
	}
	link := MailTo(tb, smtp, email, "onfirm").Link("http://portal.example.test/verify/")
	if link == "" {
		tb.Fatalf("no verification link for %s", email)
	}
	resp = a.PostForm(tb, c, LocalLink(tb, link), nil)
	if _ = Body(tb, resp); resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("verify %s: %d", email, resp.StatusCode)
	}
	c, resp = a.SignIn(tb, email, CandidatePassword)
	if resp.Header.Get("Location") != "/dashboard" {
		tb.Fatalf("sign-in of %s went to %q", email, resp.Header.Get("Location"))
	}
	return c
}

// SignIn posts the password form from a new client and returns the client
// and the answer, a redirect (to the dashboard, the console or the second
// step); any other status fails the test.
func (a *App) SignIn(tb testing.TB, email, password string) (*http.Client, *http.Response) {
	tb.Helper()
	c := a.Client()
	resp := a.PostForm(tb, c, "/signin", url.Values{"email": {email}, "password": {password}})
	_ = Body(tb, resp)
	if resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("sign-in of %s: %d", email, resp.StatusCode)
	}
	return c, resp
}

// SecondStep sends a code to the sign-in step and returns the answer and
// its body.
func (a *App) SecondStep(tb testing.TB, c *http.Client, method, code string) (*http.Response, string) {
	tb.Helper()
	resp := a.PostForm(tb, c, "/signin/mfa", url.Values{"method": {method}, "code": {code}})
	return resp, Body(tb, resp)
}

var (
	// ManualKeyRe finds the authenticator key on the set-up page.
	ManualKeyRe = regexp.MustCompile(`<code class="manual-key" id="manual-key">([A-Z2-7 ]+)</code>`)
	// BackupCodeRe finds each backup code on the page that shows them.
	BackupCodeRe = regexp.MustCompile(`<li><code>([0-9a-z]{5}-[0-9a-z]{5})</code></li>`)
)

// TOTPCode is the authenticator code of secret at a time.
func TOTPCode(tb testing.TB, secret string, at time.Time) string {
	tb.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		tb.Fatal(err)
	}
	return code
}

// TOTPNow is the code of secret at the app's clock.
func (a *App) TOTPNow(tb testing.TB, secret string) string {
	tb.Helper()
	return TOTPCode(tb, secret, a.Clock.Now())
}

// EnrolTOTP sets up an authenticator from the Security tab and returns its
// key, the backup codes shown (nil when none were) and where the page leads
// on (the Location of a redirect, or the backup codes page's next link). It
// leaves the clock on the next time step, so the next code is a fresh one.
func (a *App) EnrolTOTP(tb testing.TB, c *http.Client, required bool) (string, []string, string) {
	tb.Helper()
	path := "/profile/security/totp"
	form := url.Values{}
	if required {
		path += "?required=1"
		form.Set("required", "1")
	}
	resp := a.Get(tb, c, path)
	if page := Body(tb, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, `action="/profile/security/totp"`) {
		tb.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, page)
	}
	resp = a.PostForm(tb, c, "/profile/security/totp", form)
	page := Body(tb, resp)
	m := ManualKeyRe.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		tb.Fatalf("begin TOTP: %d, no manual key\n%s", resp.StatusCode, page)
	}
	if !strings.Contains(page, `<img class="qr" src="data:image/png;base64,`) {
		tb.Errorf("the set-up page has no QR code image")
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	if len(secret) != 32 {
		tb.Errorf("key %q: %d characters, want 32 (160 bits)", secret, len(secret))
	}
	form.Set("code", a.TOTPNow(tb, secret))
	resp = a.PostForm(tb, c, "/profile/security/totp/confirm", form)
	page = Body(tb, resp)
	a.Clock.Advance(30 * time.Second)
	if resp.StatusCode == http.StatusSeeOther {
		return secret, nil, resp.Header.Get("Location")
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("confirm TOTP: %d\n%s", resp.StatusCode, page)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		tb.Errorf("backup codes page Cache-Control = %q, want no-store", cc)
	}
	var codes []string
	for _, m := range BackupCodeRe.FindAllStringSubmatch(page, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != 10 {
		tb.Fatalf("%d backup codes on the page, want 10\n%s", len(codes), page)
	}
	next := regexp.MustCompile(`<a class="button" href="([^"]+)">I have saved`).FindStringSubmatch(page)
	if next == nil {
		tb.Fatalf("no way on from the backup codes page\n%s", page)
	}
	return secret, codes, html.UnescapeString(next[1])
}

// SignedOut reports whether the client's session is gone: a page of the
// signed-in area sends it to sign in.
func (a *App) SignedOut(tb testing.TB, c *http.Client) bool {
	tb.Helper()
	resp := a.Get(tb, c, "/dashboard")
	_ = Body(tb, resp)
	return resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/signin")
}
