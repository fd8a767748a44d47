package testutil

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Browser test environment.
const (
	// ChromiumEnv names the variable that overrides the Chromium binary
	// (a path, or a name looked up on PATH). The default is "chromium".
	ChromiumEnv = "CERTPORTAL_CHROMIUM"
	// AxeJSEnv names the variable that overrides the path of axe.min.js.
	// The default is tools/npm/node_modules/axe-core/axe.min.js under the
	// module root, installed by `npm ci --prefix tools/npm`.
	AxeJSEnv = "CERTPORTAL_AXE_JS"

	// DefaultBrowserTimeout bounds each browser action, so that a hung page
	// fails its test instead of hanging the suite.
	DefaultBrowserTimeout = 15 * time.Second

	// DesktopWidth and DesktopHeight are the size of the window that
	// NewBrowser opens.
	DesktopWidth, DesktopHeight = 1280, 900
	// PhoneWidth and PhoneHeight are the viewport that Phone emulates: the
	// narrowest phone the portal supports.
	PhoneWidth, PhoneHeight = 360, 800
)

// browserStartTimeout bounds the start of Chromium.
const browserStartTimeout = 60 * time.Second

// axeRunJS runs axe-core on the whole document with the WCAG 2.2 AA rule
// set and returns the violations as a JSON string, flattened to the fields
// of Violation.
const axeRunJS = `axe.run(document, {
  runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'],
  resultTypes: ['violations'],
}).then(r => JSON.stringify(r.violations.map(v => ({
  id: v.id,
  impact: v.impact || '',
  help: v.help,
  helpUrl: v.helpUrl,
  nodes: v.nodes.map(n => ({
    target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : String(t)),
    html: n.html,
    failureSummary: n.failureSummary || '',
  })),
}))))`

// Browser drives one headless Chromium tab for one test. Every method runs
// in the test's goroutine, fails the test with a clear message on error and
// gives up after Timeout. Selectors are CSS selectors; the element actions
// use the first match.
//
// When the test fails, the browser saves a full-page screenshot and the
// page's HTML to e2e/failures/<TestName>.png and .html under the module
// root, and logs their paths.
type Browser struct {
	// Timeout bounds each action (DefaultBrowserTimeout unless changed).
	// The accessibility check gets twice as long.
	Timeout time.Duration

	t        *testing.T
	ctx      context.Context // the tab; no deadline
	axePath  string
	axeSrc   string // read on first use
	failDir  string
	failName string

	pageChecks []func() // run after every page load (OnPage)
	checking   bool     // the page checks are running
}

// NewBrowser starts a headless Chromium for t and returns its tab, closed
// when the test ends. The browser gets a fresh profile, a 1280x900 window,
// and a dead proxy for everything but loopback, so nothing leaves the
// machine.
//
// Without Chromium or axe-core the test is skipped with a message saying how
// to install them; with CI=true it fails instead.
func NewBrowser(t *testing.T) *Browser {
	t.Helper()
	exe, err := chromiumPath()
	if err != nil {
		skipOrFailBrowser(t, "chromium not found", fmt.Sprintf("apt-get install chromium (or set %s): %v", ChromiumEnv, err))
	}
	root, rootErr := findModuleRoot()
	axePath, err := axeCorePath(root, rootErr)
	if err != nil {
		skipOrFailBrowser(t, "axe-core not found", fmt.Sprintf("run `npm ci --prefix tools/npm` at the module root (or set %s): %v", AxeJSEnv, err))
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium's shared-memory files go here, not in /tmp, so the
		// test's cleanup removes them.
		chromedp.Env("TMPDIR="+t.TempDir()),
		chromedp.WindowSize(DesktopWidth, DesktopHeight),
		// Everything that is not loopback goes to a dead port. Loopback
		// bypasses the proxy by default; "<-loopback>" would undo that.
		chromedp.ProxyServer("http://127.0.0.1:9"),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses root otherwise
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	// Registered after t.TempDir, so this runs first: the browser has
	// exited before its profile directory is removed.
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // kills Chromium and waits for it
	})

	// The first action binds the browser's life to its context, so it
	// gets no deadline; a watchdog kills a start that hangs.
	watchdog := time.AfterFunc(browserStartTimeout, cancelAlloc)
	err = chromedp.Do(ctx)
	if !watchdog.Stop() {
		t.Fatalf("browser: start %s: no answer within %v", exe, browserStartTimeout)
	}
	if err != nil {
		t.Fatalf("browser: start %s: %v", exe, err)
	}

	b := &Browser{
		Timeout:  DefaultBrowserTimeout,
		t:        t,
		ctx:      ctx,
		axePath:  axePath,
		failName: failureName(t),
	}
	if rootErr == nil {
		b.failDir = filepath.Join(root, "e2e", "failures")
	} else {
		b.failDir = filepath.Join(os.TempDir(), "certportal-e2e-failures")
	}
	// Registered last, so it runs before the browser closes.
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		png, html, err := b.saveFailure(b.failDir, b.failName)
		if html != "" {
			t.Logf("browser: page HTML at failure: %s", html)
		}
		if png != "" {
			t.Logf("browser: screenshot at failure: %s", png)
		}
		if err != nil {
			t.Logf("browser: saving the failure screenshot and HTML: %v", err)
		}
	})
	return b
}

// ForEachViewport runs journey as two subtests, "desktop" (1280x900) and
// "phone" (360x800, mobile with touch), each with its own fresh browser.
func ForEachViewport(t *testing.T, journey func(t *testing.T, b *Browser)) {
	t.Helper()
	t.Run("desktop", func(t *testing.T) { journey(t, NewBrowser(t)) })
	t.Run("phone", func(t *testing.T) {
		b := NewBrowser(t)
		b.Phone()
		journey(t, b)
	})
}

// Navigate loads url and waits for the page to load. A 5xx answer fails the
// test. The checks added with OnPage run on the page.
func (b *Browser) Navigate(url string) {
	b.t.Helper()
	resp := browserRun(b, b.Timeout, "navigate to "+url, chromedp.NavigateResponse(url))
	b.checkResponse("navigate to "+url, resp)
	b.CheckPage()
}

// Fill replaces the value of the form field sel with value. Text fields get
// real key strokes; selects, dates, times, colours and ranges get their
// value set, with input and change events.
func (b *Browser) Fill(sel, value string) {
	b.t.Helper()
	what := fmt.Sprintf("fill %q", sel)
	b.do(what, chromedp.WaitVisible(chromedp.CSS(sel)))
	kind := browserRun(b, b.Timeout, what, chromedp.Evaluate[string](
		`(el => el.tagName === 'INPUT' ? 'input:' + el.type : el.tagName.toLowerCase())(document.querySelector(`+jsString(sel)+`))`))
	switch kind {
	case "input:text", "input:email", "input:password", "input:search", "input:tel",
		"input:url", "input:number":
		b.do(what, chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), value))
	case "textarea":
		// Clear needs a text node, which an empty textarea lacks.
		browserRun(b, b.Timeout, what, chromedp.Evaluate[bool](`(el => { el.value = ''; return true; })(document.querySelector(`+jsString(sel)+`))`))
		b.do(what, chromedp.SendKeys(chromedp.CSS(sel), value))
	case "select", "input:date", "input:time", "input:datetime-local", "input:month",
		"input:week", "input:color", "input:range":
		ok := browserRun(b, b.Timeout, what, chromedp.Evaluate[bool](`(el => {
			el.value = `+jsString(value)+`;
			el.dispatchEvent(new Event('input', {bubbles: true}));
			el.dispatchEvent(new Event('change', {bubbles: true}));
			return el.value === `+jsString(value)+`;
		})(document.querySelector(`+jsString(sel)+`))`))
		if !ok {
			b.t.Fatalf("browser: %s: the %s does not accept %q (no such option?) on %s", what, kind, value, b.currentURL())
		}
	default:
		b.t.Fatalf("browser: %s: cannot fill a %s (use Click for checkboxes, radios and buttons) on %s", what, kind, b.currentURL())
	}
}

// Upload chooses the files at paths in the file field sel, as a person
// picking them in the browser's file dialog does.
func (b *Browser) Upload(sel string, paths ...string) {
	b.t.Helper()
	b.do(fmt.Sprintf("choose %d file(s) in %q", len(paths), sel), chromedp.SetUploadFiles(chromedp.CSS(sel), paths))
}

// Click clicks the element sel once it is visible. It does not wait for a
// page load; use Submit for that.
func (b *Browser) Click(sel string) {
	b.t.Helper()
	b.do(fmt.Sprintf("click %q", sel), chromedp.Click(chromedp.CSS(sel)))
}

// Submit clicks the submit button sel and waits for the next page load. A
// 5xx answer fails the test, and so does a click that loads no page (for
// example when the browser's own validation stops the form). The checks
// added with OnPage run on the page.
func (b *Browser) Submit(sel string) {
	b.t.Helper()
	what := fmt.Sprintf("submit with %q", sel)
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if errors.Is(err, context.DeadlineExceeded) && b.hasElement(sel) {
		b.t.Fatalf("browser: %s: clicked, but no page loaded within %v (did the browser's form validation stop it?) on %s",
			what, b.Timeout, b.currentURL())
	}
	if err != nil {
		b.fail(what, err)
	}
	b.checkResponse(what, resp)
	b.CheckPage()
}

// Text returns the rendered text of the element sel, trimmed, once the
// element exists.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	s := browserRun(b, b.Timeout, fmt.Sprintf("read the text of %q", sel), chromedp.Text(chromedp.CSS(sel)))
	return strings.TrimSpace(s)
}

// HasElement reports whether the page has an element matching sel now,
// without waiting.
func (b *Browser) HasElement(sel string) bool {
	b.t.Helper()
	return browserRun(b, b.Timeout, fmt.Sprintf("look for %q", sel),
		chromedp.Evaluate[bool](`document.querySelector(`+jsString(sel)+`) !== null`))
}

// URL returns the address of the current page.
func (b *Browser) URL() string {
	b.t.Helper()
	return browserRun(b, b.Timeout, "read the URL", chromedp.Location())
}

// WaitVisible waits until the element sel is visible.
func (b *Browser) WaitVisible(sel string) {
	b.t.Helper()
	b.do(fmt.Sprintf("wait for %q to be visible", sel), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// WaitPresent waits until the page has an element matching sel, visible
// or not (a hidden input, an option).
func (b *Browser) WaitPresent(sel string) {
	b.t.Helper()
	b.do(fmt.Sprintf("wait for %q", sel), chromedp.WaitReady(chromedp.CSS(sel)))
}

// SetViewport emulates a desktop viewport of width x height CSS pixels.
func (b *Browser) SetViewport(width, height int) {
	b.t.Helper()
	b.do(fmt.Sprintf("set the viewport to %dx%d", width, height),
		chromedp.EmulateViewport(int64(width), int64(height)))
}

// Phone emulates a phone: a 360x800 portrait viewport, mobile (the page's
// meta viewport applies) with touch. Call it before Navigate or after; the
// page lays itself out again.
func (b *Browser) Phone() {
	b.t.Helper()
	b.do(fmt.Sprintf("emulate a %dx%d phone", PhoneWidth, PhoneHeight),
		chromedp.EmulateViewport(PhoneWidth, PhoneHeight,
			chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
}

// Screenshot saves a full-page PNG screenshot to path, creating its
// directory.
func (b *Browser) Screenshot(path string) {
	b.t.Helper()
	png := browserRun(b, b.Timeout, "take a screenshot", chromedp.FullScreenshot(100))
	if err := writeFileMkdir(path, png); err != nil {
		b.t.Fatalf("browser: save screenshot: %v", err)
	}
}

// CheckAccessibility runs axe-core (WCAG 2.0, 2.1 and 2.2, A and AA) on the
// current page and fails the test on any serious or critical violation,
// listing each rule with the failing elements. Lesser violations are logged.
func (b *Browser) CheckAccessibility() {
	b.t.Helper()
	b.checkAccessibility(b.t.Fatalf)
}

// checkAccessibility is CheckAccessibility reporting serious violations
// with fail (Fatalf to stop the test, Errorf to go on).
func (b *Browser) checkAccessibility(fail func(format string, args ...any)) {
	b.t.Helper()
	vs, err := b.AccessibilityViolations()
	if err != nil {
		b.t.Fatalf("browser: accessibility check: %v", err)
	}
	var serious, minor []Violation
	for _, v := range vs {
		if v.Serious() {
			serious = append(serious, v)
		} else {
			minor = append(minor, v)
		}
	}
	if len(minor) > 0 {
		ids := make([]string, len(minor))
		for i, v := range minor {
			ids[i] = v.ID + " [" + v.Impact + "]"
		}
		b.t.Logf("browser: accessibility, not failing: %s", strings.Join(ids, ", "))
	}
	if len(serious) > 0 {
		fail("browser: %s", FormatViolations(b.currentURL(), serious))
	}
}

// AccessibilityViolations runs axe-core (WCAG 2.0, 2.1 and 2.2, A and AA) on
// the current page and returns every violation, whatever its impact. It
// does not fail the test.
func (b *Browser) AccessibilityViolations() ([]Violation, error) {
	b.t.Helper()
	if b.axeSrc == "" {
		src, err := os.ReadFile(b.axePath)
		if err != nil {
			return nil, fmt.Errorf("read axe-core: %w", err)
		}
		b.axeSrc = string(src)
	}
	ctx, cancel := context.WithTimeout(b.ctx, 2*b.Timeout)
	defer cancel()
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](axePageJS))
	if err != nil {
		return nil, fmt.Errorf("read the page for the accessibility check: %w", err)
	}
	key := sha256.Sum256([]byte(page))
	if vs, ok := axeResults.get(key); ok {
		return vs, nil
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object'`))
	if err != nil {
		return nil, fmt.Errorf("look for axe-core in the page: %w", err)
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](b.axeSrc)); err != nil {
			return nil, fmt.Errorf("inject axe-core from %s: %w", b.axePath, err)
		}
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](axeRunJS, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	var vs []Violation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		return nil, fmt.Errorf("decode the axe-core result: %w", err)
	}
	axeResults.put(key, vs)
	return vs, nil
}

// axePageJS is everything axe-core's verdict depends on: the document as
// it stands (markup, inline state, the hashed stylesheet names) and the
// viewport it is laid out in.
const axePageJS = `[innerWidth, innerHeight, devicePixelRatio, matchMedia('(pointer: coarse)').matches,
  document.documentElement.lang, document.documentElement.outerHTML].join('\n')`

// axeResults remembers the violations of each page checked in this test
// process, keyed by axePageJS's digest. The same page laid out the same
// way gets the same verdict, so a journey that runs on both engines, or
// passes the same form twice, pays for axe-core once per distinct page.
var axeResults = axeCache{m: map[[32]byte][]Violation{}}

type axeCache struct {
	mu sync.Mutex
	m  map[[32]byte][]Violation
}

func (c *axeCache) get(key [32]byte) ([]Violation, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	vs, ok := c.m[key]
	return vs, ok
}

func (c *axeCache) put(key [32]byte, vs []Violation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = vs
}

// Violation is one axe-core rule that the page breaks.
type Violation struct {
	ID      string          `json:"id"`     // rule, e.g. "label", "image-alt"
	Impact  string          `json:"impact"` // minor, moderate, serious or critical
	Help    string          `json:"help"`
	HelpURL string          `json:"helpUrl"`
	Nodes   []ViolationNode `json:"nodes"`
}

// ViolationNode is one element that breaks a rule.
type ViolationNode struct {
	Target         []string `json:"target"` // CSS selectors; " >>> " enters a shadow root or frame
	HTML           string   `json:"html"`   // the element's opening tag, as axe-core shows it
	FailureSummary string   `json:"failureSummary"`
}

// Serious reports whether the violation fails the accessibility check: its
// impact is serious or critical.
func (v Violation) Serious() bool { return v.Impact == "serious" || v.Impact == "critical" }

// FormatViolations describes violations found on the page at url, one rule
// and its elements per paragraph.
func FormatViolations(url string, vs []Violation) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d accessibility violation(s) (axe-core, WCAG 2.2 AA) on %s:", len(vs), url)
	for _, v := range vs {
		fmt.Fprintf(&sb, "\n- %s [%s]: %s\n  %s", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&sb, "\n    %s: %s", strings.Join(n.Target, " "), n.HTML)
			for _, line := range strings.Split(strings.TrimSpace(n.FailureSummary), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					fmt.Fprintf(&sb, "\n      %s", line)
				}
			}
		}
	}
	return sb.String()
}

// do runs steps within the timeout and fails the test on error.
func (b *Browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := b.try(b.Timeout, steps...); err != nil {
		b.fail(what, err)
	}
}

// try runs steps within timeout.
func (b *Browser) try(timeout time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

// browserRun runs a within timeout and returns its value, failing the test
// on error.
func browserRun[T any](b *Browser, timeout time.Duration, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fail(what, err)
	}
	return v
}

// fail fails the test for an action's error.
func (b *Browser) fail(what string, err error) {
	b.t.Helper()
	if errors.Is(err, context.DeadlineExceeded) {
		b.t.Fatalf("browser: %s: not done within %v (missing or hidden element, or a hung page?) on %s",
			what, b.Timeout, b.currentURL())
	}
	b.t.Fatalf("browser: %s: %v (on %s)", what, err, b.currentURL())
}

// checkResponse fails the test when the server answered 5xx.
func (b *Browser) checkResponse(what string, resp *network.Response) {
	b.t.Helper()
	if err := responseError(resp); err != nil {
		b.t.Fatalf("browser: %s: %v", what, err)
	}
}

// responseError returns an error for a 5xx response: a journey never means
// to hit one.
func responseError(resp *network.Response) error {
	if resp != nil && resp.Status >= 500 {
		return fmt.Errorf("the server answered %d %s for %s", resp.Status, resp.StatusText, resp.URL)
	}
	return nil
}

// currentURL returns the page's address for error messages, or a note.
func (b *Browser) currentURL() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(page address unknown: " + err.Error() + ")"
	}
	return u
}

// hasElement is HasElement without failing: false on error.
func (b *Browser) hasElement(sel string) bool {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector(`+jsString(sel)+`) !== null`))
	return err == nil && ok
}

// saveFailure writes the page's HTML and a full-page screenshot to
// dir/name.html and dir/name.png and returns the paths it wrote.
func (b *Browser) saveFailure(dir, name string) (pngPath, htmlPath string, err error) {
	const timeout = 10 * time.Second
	var errs []error
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	html, herr := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	cancel()
	if herr == nil {
		p := filepath.Join(dir, name+".html")
		if herr = writeFileMkdir(p, []byte("<!-- "+strings.ReplaceAll(b.currentURL(), "--", "%2D%2D")+" -->\n"+html)); herr == nil {
			htmlPath = p
		}
	}
	if herr != nil {
		errs = append(errs, fmt.Errorf("page HTML: %w", herr))
	}
	ctx, cancel = context.WithTimeout(b.ctx, timeout)
	png, perr := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	cancel()
	if perr == nil {
		p := filepath.Join(dir, name+".png")
		if perr = writeFileMkdir(p, png); perr == nil {
			pngPath = p
		}
	}
	if perr != nil {
		errs = append(errs, fmt.Errorf("screenshot: %w", perr))
	}
	return pngPath, htmlPath, errors.Join(errs...)
}

func writeFileMkdir(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// skipOrFailBrowser skips the test for a missing tool, or fails it in CI,
// where the browser suite is mandatory.
func skipOrFailBrowser(t *testing.T, problem, fix string) {
	t.Helper()
	if CI() {
		t.Fatalf("%s: browser tests are mandatory with CI=true; %s", problem, fix)
	}
	t.Skipf("%s: browser tests skipped; %s", problem, fix)
}

// chromiumPath finds the Chromium binary.
func chromiumPath() (string, error) {
	name := os.Getenv(ChromiumEnv)
	if name == "" {
		name = "chromium"
	}
	return exec.LookPath(name)
}

// axeCorePath finds axe.min.js.
func axeCorePath(root string, rootErr error) (string, error) {
	p := os.Getenv(AxeJSEnv)
	if p == "" {
		if rootErr != nil {
			return "", rootErr
		}
		p = filepath.Join(root, "tools", "npm", "node_modules", "axe-core", "axe.min.js")
	}
	if _, err := os.Stat(p); err != nil {
		return "", err
	}
	return p, nil
}

// findModuleRoot walks up from the working directory to the directory
// holding go.mod.
func findModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

var (
	unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
	browsersMu      sync.Mutex
	browsersPerTest = map[*testing.T]int{}
)

// failureName turns t's name into a file name, with a suffix for the second
// and later browsers of one test.
func failureName(t *testing.T) string {
	name := unsafeFileChars.ReplaceAllString(t.Name(), "_")
	browsersMu.Lock()
	defer browsersMu.Unlock()
	n := browsersPerTest[t] + 1
	if n == 1 {
		t.Cleanup(func() {
			browsersMu.Lock()
			defer browsersMu.Unlock()
			delete(browsersPerTest, t)
		})
	}
	browsersPerTest[t] = n
	if n > 1 {
		name += "-" + strconv.Itoa(n)
	}
	return name
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
