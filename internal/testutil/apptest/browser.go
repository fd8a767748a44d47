package apptest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
)

// Browser is a visitor of the app that keeps cookies and follows
// redirects the way a browser does, and reads each page it lands on as
// HTML. Tests that check a redirect itself use Client instead.
type Browser struct {
	tb testing.TB
	a  *App
	c  *http.Client
}

// Page is where a request landed after every redirect.
type Page struct {
	Status int
	Path   string // path and query of the final URL
	Body   string
	HTML   *testutil.HTMLNode
}

// Browser returns a new visitor with no cookies.
func (a *App) Browser(tb testing.TB) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{tb: tb, a: a, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// Get opens path.
func (b *Browser) Get(path string) *Page {
	b.tb.Helper()
	req, err := http.NewRequest(http.MethodGet, b.a.URL+path, nil)
	if err != nil {
		b.tb.Fatal(err)
	}
	return b.do(req)
}

// Submit posts a form to path from a page of the app (same origin) and
// follows the answer's redirects.
func (b *Browser) Submit(path string, form url.Values) *Page {
	b.tb.Helper()
	req, err := http.NewRequest(http.MethodPost, b.a.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.a.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// SignIn submits the sign-in form and returns where it landed: the
// dashboard, the console, or the second step when the account has a
// second factor.
func (b *Browser) SignIn(email, password string) *Page {
	b.tb.Helper()
	return b.Submit("/signin", url.Values{"email": {email}, "password": {password}})
}

func (b *Browser) do(req *http.Request) *Page {
	b.tb.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.tb.Fatal(err)
	}
	p := &Page{Status: resp.StatusCode, Path: resp.Request.URL.RequestURI(), Body: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		p.HTML = testutil.ParseHTML(b.tb, p.Body)
	}
	return p
}
