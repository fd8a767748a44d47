package testutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const formPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Book an exam</title>
</head>
<body>
<main>
<h1>Book an exam</h1>
<form method="post" action="/bookings">
<p><label for="name">Full name</label>
<input id="name" name="name" type="text" autocomplete="name" required value="placeholder"></p>
<p><label for="exam">Exam</label>
<select id="exam" name="exam">
<option value="">Choose an exam</option>
<option value="cka">Cloud administrator</option>
<option value="cks">Cloud security</option>
</select></p>
<p><button type="submit">Book</button></p>
</form>
</main>
</body>
</html>`

const donePage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Booked</title></head>
<body><main><h1>Booked</h1><p id="greeting">Welcome, %s. Exam: %s</p></main></body>
</html>`

// badPage breaks two critical WCAG rules: an image with no text
// alternative and a field with no label.
const badPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Bad</title></head>
<body><main><h1>Bad</h1>
<img src="/logo.png">
<form><input id="q" name="q" type="text"></form>
</main></body>
</html>`

const widthPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Width</title>
<style>
#narrow { display: none }
@media (max-width: 400px) { #narrow { display: block } #wide { display: none } }
</style>
</head>
<body><main><h1>Width</h1>
<p id="wide">wide</p><p id="narrow">narrow</p>
<p id="width"></p>
<p id="late" hidden>late</p>
<script>
document.getElementById('width').textContent = String(window.innerWidth);
setTimeout(() => { document.getElementById('late').hidden = false }, 200);
</script>
</main></body>
</html>`

// filesPage links a file served as an attachment and one that is not
// there.
const filesPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Files</title></head>
<body><main><h1>Files</h1>
<a id="report" href="/files/report.json" download>Report</a>
<a id="gone" href="/files/gone.json" download>Gone</a>
</main></body>
</html>`

// downloadBody is the attachment of filesPage.
const downloadBody = `{"report": "ok"}`

// testSite serves the pages above on 127.0.0.1.
func testSite(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		}
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		// As strict as the portal's: the accessibility check must still work.
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'")
		page(formPage)(w, r)
	})
	mux.HandleFunc("POST /bookings", func(w http.ResponseWriter, r *http.Request) {
		q := "name=" + r.PostFormValue("name") + "&exam=" + r.PostFormValue("exam")
		http.Redirect(w, r, "/booked?"+strings.ReplaceAll(q, " ", "+"), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /booked", func(w http.ResponseWriter, r *http.Request) {
		page(fmt.Sprintf(donePage, html.EscapeString(r.FormValue("name")), html.EscapeString(r.FormValue("exam"))))(w, r)
	})
	mux.HandleFunc("GET /bad", page(badPage))
	mux.HandleFunc("GET /files", page(filesPage))
	mux.HandleFunc("GET /files/report.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="report-2026.json"`)
		fmt.Fprint(w, downloadBody)
	})
	mux.HandleFunc("GET /width", page(widthPage))
	mux.HandleFunc("GET /broken", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Internal error", http.StatusInternalServerError)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server on %s, want 127.0.0.1", srv.URL)
	}
	return srv
}

func TestBrowserFormJourney(t *testing.T) {
	srv := testSite(t)
	b := NewBrowser(t)

	b.Navigate(srv.URL + "/")
	b.CheckAccessibility()
	b.Fill("#name", "Ada Lovelace") // replaces the preset value
	b.Fill("#exam", "cks")
	b.Submit("button[type=submit]")

	if got, want := b.URL(), srv.URL+"/booked?name=Ada+Lovelace&exam=cks"; got != want {
		t.Errorf("URL() = %q, want %q", got, want)
	}
	if got, want := b.Text("#greeting"), "Welcome, Ada Lovelace. Exam: cks"; got != want {
		t.Errorf("Text(#greeting) = %q, want %q", got, want)
	}
	if !b.HasElement("#greeting") {
		t.Error("HasElement(#greeting) = false, want true")
	}
	if b.HasElement("#missing") {
		t.Error("HasElement(#missing) = true, want false")
	}
	b.CheckAccessibility()
}

func TestBrowserReportsViolations(t *testing.T) {
	srv := testSite(t)
	b := NewBrowser(t)
	b.Navigate(srv.URL + "/bad")

	vs, err := b.AccessibilityViolations()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Violation{}
	for _, v := range vs {
		byID[v.ID] = v
	}
	for _, tc := range []struct {
		rule, target, html string
	}{
		{rule: "image-alt", target: "img", html: `<img src="/logo.png">`},
		{rule: "label", target: "#q", html: `<input id="q" name="q" type="text">`},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			v, ok := byID[tc.rule]
			if !ok {
				t.Fatalf("no %q violation in %+v", tc.rule, vs)
			}
			if !v.Serious() {
				t.Errorf("impact %q: Serious() = false, want true", v.Impact)
			}
			if v.Help == "" || !strings.HasPrefix(v.HelpURL, "https://") {
				t.Errorf("help %q, help URL %q: want both", v.Help, v.HelpURL)
			}
			if len(v.Nodes) != 1 {
				t.Fatalf("nodes = %+v, want 1", v.Nodes)
			}
			n := v.Nodes[0]
			if got := strings.Join(n.Target, " "); got != tc.target {
				t.Errorf("target = %q, want %q", got, tc.target)
			}
			if n.HTML != tc.html {
				t.Errorf("html = %q, want %q", n.HTML, tc.html)
			}

			// What CheckAccessibility would fail with.
			msg := FormatViolations(srv.URL+"/bad", []Violation{v})
			for _, want := range []string{tc.rule, v.Help, tc.target, tc.html, srv.URL + "/bad"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q:\n%s", want, msg)
				}
			}
		})
	}
}

func TestBrowserViewports(t *testing.T) {
	srv := testSite(t)
	want := map[string]struct{ width, shown string }{
		"desktop": {fmt.Sprint(DesktopWidth), "#wide"},
		"phone":   {fmt.Sprint(PhoneWidth), "#narrow"},
	}
	ForEachViewport(t, func(t *testing.T, b *Browser) {
		w := want[strings.TrimPrefix(t.Name(), "TestBrowserViewports/")]
		b.Navigate(srv.URL + "/width")
		if got := b.Text("#width"); got != w.width {
			t.Errorf("window.innerWidth = %s, want %s", got, w.width)
		}
		b.WaitVisible(w.shown)
		b.CheckAccessibility()
	})
}

func TestBrowserSetViewportAndWaitVisible(t *testing.T) {
	srv := testSite(t)
	b := NewBrowser(t)
	b.Navigate(srv.URL + "/width")
	b.WaitVisible("#late") // shown by a timer after the load
	b.WaitVisible("#wide")
	b.SetViewport(PhoneWidth, PhoneHeight)
	b.WaitVisible("#narrow")
}

func TestBrowserScreenshotAndFailureFiles(t *testing.T) {
	srv := testSite(t)
	b := NewBrowser(t)
	b.Navigate(srv.URL + "/bad")

	dir := t.TempDir()
	shot := filepath.Join(dir, "sub", "page.png")
	b.Screenshot(shot)
	assertPNG(t, shot)

	png, page, err := b.saveFailure(filepath.Join(dir, "failures"), failureName(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "failures", "TestBrowserScreenshotAndFailureFiles-2.png"); png != want {
		t.Errorf("screenshot at %s, want %s", png, want)
	}
	assertPNG(t, png)
	got, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{srv.URL + "/bad", `<input id="q" name="q" type="text">`} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("saved HTML lacks %q:\n%s", want, got)
		}
	}
	if root, err := findModuleRoot(); err != nil || b.failDir != filepath.Join(root, "e2e", "failures") {
		t.Errorf("failure directory %s, want e2e/failures under the module root %s (%v)", b.failDir, root, err)
	}
}

func TestBrowserActionTimeout(t *testing.T) {
	srv := testSite(t)
	b := NewBrowser(t)
	b.Navigate(srv.URL + "/")
	b.Timeout = 300 * time.Millisecond
	start := time.Now()
	err := b.try(b.Timeout, chromedp.Click(chromedp.CSS("#missing")))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("click on a missing element: %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the timed-out action took %v", d)
	}
	b.Timeout = DefaultBrowserTimeout
	if !b.HasElement("#name") {
		t.Error("the tab is unusable after a timed-out action")
	}
}

// TestBrowserDownload: a link's attributes read as written; a download
// link gives the file the server sent and
// the name it offered; a link whose answer is an error is no file.
func TestBrowserDownload(t *testing.T) {
	srv := testSite(t)
	b := NewBrowser(t)
	b.Navigate(srv.URL + "/files")
	if got := b.Attr("#report", "href"); got != "/files/report.json" {
		t.Errorf("Attr(#report, href) = %q, want /files/report.json", got)
	}
	if got := b.Attr("#report", "title"); got != "" {
		t.Errorf("Attr(#report, title) = %q, want none", got)
	}
	name, data := b.Download("#report")
	if name != "report-2026.json" || string(data) != downloadBody {
		t.Errorf("Download(#report) = %q, %q; want report-2026.json, %q", name, data, downloadBody)
	}
	if !strings.HasSuffix(b.URL(), "/files") {
		t.Errorf("after the download the tab is at %s, want the page of the link", b.URL())
	}
	// The browser gives the download up at once: no waiting for the
	// action's time to run out.
	b.Timeout = 5 * time.Second
	if _, _, err := b.download("#gone"); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the download of a missing file: %v, want the browser's refusal", err)
	}
}

// TestBrowserStaysOnMachine checks that the browser sends everything but
// loopback to the dead proxy.
func TestBrowserStaysOnMachine(t *testing.T) {
	b := NewBrowser(t)
	err := b.try(b.Timeout, chromedp.Navigate("http://portal.example.test/"))
	var le *chromedp.LoadError
	if !errors.As(err, &le) || !strings.Contains(le.ErrorText, "PROXY") {
		t.Errorf("navigate off the machine: %v, want a proxy connection error", err)
	}
}

func TestBrowserServerErrorIsNoted(t *testing.T) {
	srv := testSite(t)
	b := NewBrowser(t)
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(srv.URL+"/broken"))
	if err != nil {
		t.Fatal(err)
	}
	if err := responseError(resp); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("responseError(%d response) = %v, want a 500 error", resp.Status, err)
	}
	resp, err = chromedp.Run(b.ctx, chromedp.NavigateResponse(srv.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	if err := responseError(resp); err != nil {
		t.Errorf("responseError(%d response) = %v, want nil", resp.Status, err)
	}
}

func assertPNG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || len(b) < 1000 {
		t.Errorf("%s is not a PNG screenshot (%d bytes)", path, len(b))
	}
}

// The accessibility verdict is remembered per page: the same page again
// gets it without running axe-core, and a page that changed in place (or
// the same page at another size) is checked afresh.
func TestBrowserChecksAChangedPageAfresh(t *testing.T) {
	srv := testSite(t)
	b := NewBrowser(t)
	b.Navigate(srv.URL + "/bad")
	rules := func() []string {
		t.Helper()
		vs, err := b.AccessibilityViolations()
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, v := range vs {
			if v.Serious() {
				ids = append(ids, v.ID)
			}
		}
		sort.Strings(ids)
		return ids
	}
	if got := rules(); !slices.Contains(got, "image-alt") || !slices.Contains(got, "label") {
		t.Fatalf("before the fix: %v, want image-alt and label", got)
	}
	b.Navigate(srv.URL + "/bad")
	if got := rules(); !slices.Contains(got, "image-alt") {
		t.Fatalf("the same page again: %v, want image-alt", got)
	}
	// Fix the image in place: the same URL, another document.
	b.do("give the image a text", chromedp.Evaluate[chromedp.Void](`document.querySelector('img').alt = 'Logo'`))
	if got := rules(); slices.Contains(got, "image-alt") || !slices.Contains(got, "label") {
		t.Errorf("after the fix: %v, want label only", got)
	}
}
