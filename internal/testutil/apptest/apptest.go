// Package apptest starts the real certportal application (the same
// app.Main the binary runs) on a random loopback port with a fresh
// database, for black-box tests over HTTP and in a browser.
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/app"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// App is a running portal.
type App struct {
	URL     string
	Engine  string
	Clock   *testutil.Clock
	DataDir string
	Env     map[string]string

	timeouts *app.ServerTimeouts
	mu       sync.Mutex
	stdout   bytes.Buffer
	stderr   bytes.Buffer
	cancel   context.CancelFunc
	done     chan int
}

// Option changes how the app starts.
type Option func(*options)

type options struct {
	env      map[string]string
	args     []string
	at       time.Time
	timeouts *app.ServerTimeouts
	loadDemo bool
}

// WithEnv sets an environment variable for the app.
func WithEnv(key, value string) Option { return func(o *options) { o.env[key] = value } }

// WithArgs adds serve flags, e.g. "--demo".
func WithArgs(args ...string) Option { return func(o *options) { o.args = append(o.args, args...) } }

// WithTimeouts runs the HTTP server with these limits instead of the
// defaults.
func WithTimeouts(t app.ServerTimeouts) Option { return func(o *options) { o.timeouts = &t } }

// LoadDemo makes a start with --demo load the demo data itself instead of
// starting from a copy of an earlier load: for the tests of the loading.
func LoadDemo() Option { return func(o *options) { o.loadDemo = true } }

// At starts the app's clock at t.
func At(t time.Time) Option { return func(o *options) { o.at = t } }

// HashParams are the argon2id parameters of the apps tests start: the
// same algorithm as in production at a fraction of its cost, so that a
// suite full of registrations and sign-ins spends its time on what it
// tests. The defaults are tested in internal/accounts and measured by the
// sign-in load test against the real binary.
var HashParams = accounts.HashParams{Time: 1, Memory: 64, Threads: 1, KeyLen: 32}

// Main returns the app's entry point writing to stdout and stderr and
// reading env, with the tests' hash parameters.
func Main(stdout, stderr io.Writer, env map[string]string) *app.Main {
	return &app.Main{Stdout: stdout, Stderr: stderr, Getenv: func(k string) string { return env[k] }, HashParams: &HashParams}
}

// Run runs the binary's Main once with args and an environment (nothing
// else from the process's environment), returning the exit code, stdout
// and stderr.
func Run(tb testing.TB, env map[string]string, args ...string) (int, string, string) {
	tb.Helper()
	var out, errOut bytes.Buffer
	m := Main(&out, &errOut, env)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := m.Run(ctx, args)
	return code, out.String(), errOut.String()
}

// startTimeout bounds an app's start: migrations and, with --demo, the
// demo data, on a machine busy with other test packages.
const startTimeout = 2 * time.Minute

// Start runs `certportal serve --dev` on engine with a fresh database and
// waits until it serves. It stops when the test ends. With --demo it
// starts from a copy of the demo data an earlier start of the test
// process loaded (snapshot.go) unless LoadDemo is given.
func Start(tb testing.TB, engine string, opts ...Option) *App {
	tb.Helper()
	o := &options{env: map[string]string{}, at: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	for _, opt := range opts {
		opt(o)
	}
	a := newApp(engine, o, tb.TempDir())
	args := serveArgs(o.env, o.args)
	if s, ln := takeDemo(tb, engine, o, args); s != nil {
		s.restore(tb, a)
		a.setEnv(o.env)
		a.runOn(tb, args, ln, true)
	} else {
		if engine == store.Postgres {
			a.Env["CERTPORTAL_DATABASE_URL"] = testutil.DatabaseURL(tb, engine)
			a.Env["CERTPORTAL_SECRET_KEY"] = randomKey()
		}
		a.setEnv(o.env)
		a.run(tb, args)
	}
	tb.Cleanup(func() { a.Stop(tb) })
	return a
}

// newApp returns an app, not started, on dataDir with the options' clock
// and timeouts, listening on a random port.
func newApp(engine string, o *options, dataDir string) *App {
	return &App{Engine: engine, Clock: testutil.NewClock(o.at), DataDir: dataDir, timeouts: o.timeouts, Env: map[string]string{
		"CERTPORTAL_ADDR":       "127.0.0.1:0",
		"CERTPORTAL_LOG_FORMAT": "json",
		"CERTPORTAL_LOG_LEVEL":  "info",
		"CERTPORTAL_DATA_DIR":   dataDir,
	}}
}

// setEnv adds the options' environment, which wins.
func (a *App) setEnv(env map[string]string) {
	for k, v := range env {
		a.Env[k] = v
	}
}

// serveArgs returns serve's command line: the options' flags, and --dev
// unless mail has a server or --demo keeps it.
func serveArgs(env map[string]string, flags []string) []string {
	args := append([]string{"serve"}, flags...)
	if env["CERTPORTAL_SMTP_URL"] == "" && !contains(args, "--demo") {
		args = append(args, "--dev")
	}
	return args
}

// randomKey returns a fresh secret key, which PostgreSQL installations
// must be given.
func randomKey() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return base64.StdEncoding.EncodeToString(key)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (a *App) run(tb testing.TB, args []string) {
	tb.Helper()
	a.runOn(tb, args, nil, false)
}

// runOn starts the app on ln (nil: CERTPORTAL_ADDR); demoLoaded says that
// its database is a copy of a loaded demo.
func (a *App) runOn(tb testing.TB, args []string, ln net.Listener, demoLoaded bool) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	a.done = make(chan int, 1)
	ready := make(chan string, 1)
	m := &app.Main{
		Stdout:    lockedWriter{&a.mu, &a.stdout},
		Stderr:    lockedWriter{&a.mu, &a.stderr},
		Getenv:    func(k string) string { return a.Env[k] },
		Clock:     a.Clock,
		OnServing: func(u string) { ready <- u },
		Timeouts:  a.timeouts,
		// HashParams: see the variable.
		HashParams: &HashParams,
		Listener:   ln,
		DemoLoaded: demoLoaded,
	}
	go func() {
		code := m.Run(ctx, args)
		if ln != nil {
			// Serve closes it, unless the start failed before.
			_ = ln.Close()
		}
		a.done <- code
	}()
	select {
	case a.URL = <-ready:
	case code := <-a.done:
		a.done <- code
		tb.Fatalf("certportal exited with %d before serving:\n%s", code, a.Stderr())
	case <-time.After(startTimeout):
		tb.Fatalf("certportal did not start within %v:\n%s", startTimeout, a.Stderr())
	}
}

// Stop shuts the app down gracefully and returns its exit code. Stopping
// twice is harmless.
func (a *App) Stop(tb testing.TB) int {
	tb.Helper()
	if a.cancel == nil {
		return 0
	}
	a.cancel()
	a.cancel = nil
	select {
	case code := <-a.done:
		return code
	case <-time.After(30 * time.Second):
		tb.Fatalf("certportal did not stop within 30 s")
	}
	return -1
}

// Restart stops the app and starts it again on the same database.
func (a *App) Restart(tb testing.TB, args ...string) {
	tb.Helper()
	if code := a.Stop(tb); code != 0 {
		tb.Fatalf("certportal exited with %d:\n%s", code, a.Stderr())
	}
	a.Env["CERTPORTAL_ADDR"] = "127.0.0.1:0"
	a.run(tb, serveArgs(a.Env, args))
}

// OpenStore opens the app's database beside the running app: on SQLite
// without the instance lock (store.Options.Shared), with the app's clock.
// It does not migrate, and it is closed when the test ends.
func (a *App) OpenStore(tb testing.TB) *store.Store {
	tb.Helper()
	o := store.Options{Engine: a.Engine, Clock: a.Clock}
	if a.Engine == store.SQLite {
		o.SQLitePath, o.Shared = filepath.Join(a.DataDir, "certportal.db"), true
	} else {
		o.PostgresURL = a.Env["CERTPORTAL_DATABASE_URL"]
	}
	st, err := store.Open(context.Background(), o)
	if err != nil {
		tb.Fatalf("open the app's database: %v", err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	return st
}

// Stdout is what the app printed on standard output so far.
func (a *App) Stdout() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stdout.String()
}

// Stderr is the app's log so far.
func (a *App) Stderr() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stderr.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// Client returns an HTTP client with a cookie jar that does not follow
// redirects, so tests see each response as sent.
func (a *App) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:     jar,
		Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// PostForm posts a same-origin form the way a browser does (with Origin and
// Sec-Fetch-Site headers).
func (a *App) PostForm(tb testing.TB, c *http.Client, path string, form url.Values) *http.Response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, a.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", a.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	return resp
}

// Get fetches a path.
func (a *App) Get(tb testing.TB, c *http.Client, path string) *http.Response {
	tb.Helper()
	resp, err := c.Get(a.URL + path)
	if err != nil {
		tb.Fatal(err)
	}
	return resp
}

// PostFile uploads content as the multipart file field, named filename,
// the way a browser submits a same-origin upload form.
func (a *App) PostFile(tb testing.TB, c *http.Client, path, field, filename string, content []byte) *http.Response {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := fw.Write(content); err != nil {
		tb.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, a.URL+path, &buf)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", a.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	return resp
}

// Body reads and closes a response's body.
func Body(tb testing.TB, resp *http.Response) string {
	tb.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// GetPage GETs path and parses the answer, failing on any status but want.
func (a *App) GetPage(tb testing.TB, c *http.Client, path string, want int) *testutil.HTMLNode {
	tb.Helper()
	resp := a.Get(tb, c, path)
	b := Body(tb, resp)
	if resp.StatusCode != want {
		tb.Fatalf("GET %s: %d, want %d\n%s", path, resp.StatusCode, want, b)
	}
	return testutil.ParseHTML(tb, b)
}

// PostPage sends a form and returns the status, the Location and the
// parsed answer.
func (a *App) PostPage(tb testing.TB, c *http.Client, path string, form url.Values) (int, string, *testutil.HTMLNode) {
	tb.Helper()
	resp := a.PostForm(tb, c, path, form)
	b := Body(tb, resp)
	return resp.StatusCode, resp.Header.Get("Location"), testutil.ParseHTML(tb, b)
}
