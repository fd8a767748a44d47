package app_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CERTPORTAL_DATA_DIR": dir}
	for _, tc := range []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		wantOut  string // in stdout or stderr
	}{
		{"no command", env, nil, 2, "Commands:"},
		{"unknown command", env, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown flag", env, []string{"serve", "--frobnicate"}, 2, "flag provided but not defined: -frobnicate"},
		{"stray argument", env, []string{"migrate", "extra"}, 2, `unexpected argument "extra"`},
		{"version", env, []string{"version"}, 0, "certportal "},
		{"help", env, []string{"help"}, 0, "serve"},
		{"help serve", env, []string{"help", "serve"}, 0, "CERTPORTAL_ADDR"},
		{"help migrate", env, []string{"help", "migrate"}, 0, "CERTPORTAL_DATABASE_URL"},
		{"help admin", env, []string{"help", "admin"}, 0, "--email"},
		{"help backup", env, []string{"help", "backup"}, 0, "-out"},
		{"help verify", env, []string{"help", "verify"}, 0, "-kit"},
		{"help version", env, []string{"help", "version"}, 0, "version"},
		{"admin without create", env, []string{"admin"}, 2, "admin create"},
		{"bad addr", map[string]string{"CERTPORTAL_DATA_DIR": dir, "CERTPORTAL_ADDR": "nonsense"}, []string{"migrate"}, 1, "--addr ($CERTPORTAL_ADDR)"},
		{"bad base url", map[string]string{"CERTPORTAL_DATA_DIR": dir, "CERTPORTAL_BASE_URL": "ftp://x"}, []string{"migrate"}, 1, "--base-url ($CERTPORTAL_BASE_URL)"},
		{"bad log format", env, []string{"migrate", "--log-format", "xml"}, 1, "--log-format ($CERTPORTAL_LOG_FORMAT)"},
		{"bad duration", map[string]string{"CERTPORTAL_DATA_DIR": dir, "CERTPORTAL_SESSION_IDLE": "soon"}, []string{"migrate"}, 1, "--session-idle ($CERTPORTAL_SESSION_IDLE)"},
		{"bad smtp url", map[string]string{"CERTPORTAL_DATA_DIR": dir, "CERTPORTAL_SMTP_URL": "http://mail"}, []string{"migrate"}, 1, "--smtp-url ($CERTPORTAL_SMTP_URL)"},
		{"missing secret file", map[string]string{"CERTPORTAL_DATA_DIR": dir, "CERTPORTAL_DATABASE_URL_FILE": filepath.Join(dir, "nope")}, []string{"migrate"}, 1, "CERTPORTAL_DATABASE_URL_FILE"},
		{"bad login id prefix", map[string]string{"CERTPORTAL_DATA_DIR": dir, "CERTPORTAL_LOGIN_ID_PREFIX": "cp"}, []string{"migrate"}, 1, "--login-id-prefix"},
		{"migrate", env, []string{"migrate"}, 0, "database schema is up to date"},
		{"help generate", env, []string{"help", "generate"}, 0, "-candidates"},
		{"generate nobody", env, []string{"generate", "--candidates", "0"}, 2, "--candidates must be at least 1"},
		{"generate", env, []string{"generate", "--candidates", "40", "--seed", "3"}, 0, "40 candidates"},
		{"generate into a program", env, []string{"generate", "--candidates", "40"}, 1, "generate into an empty one"},
		{"serve without mail in production", env, []string{"serve", "--addr", "127.0.0.1:0"}, 1, "--smtp-url ($CERTPORTAL_SMTP_URL): no SMTP server is configured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := apptest.Run(t, tc.env, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout: %s\nstderr: %s", code, tc.wantCode, out, errOut)
			}
			if !strings.Contains(out+errOut, tc.wantOut) {
				t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", tc.wantOut, out, errOut)
			}
			if tc.wantCode == 1 && strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
				t.Errorf("a configuration error should be one line, got:\n%s", errOut)
			}
		})
	}
}

func TestHealthReadyAndMetrics(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine)
		c := a.Client()
		for _, tc := range []struct{ path, want string }{{"/healthz", "ok"}, {"/readyz", "ready"}} {
			resp := a.Get(t, c, tc.path)
			if b := apptest.Body(t, resp); resp.StatusCode != 200 || !strings.Contains(b, tc.want) {
				t.Errorf("GET %s = %d %q", tc.path, resp.StatusCode, b)
			}
		}
		_ = apptest.Body(t, a.Get(t, c, "/exams"))
		resp := a.Get(t, c, "/metrics")
		m := apptest.Body(t, resp)
		for _, want := range []string{
			`certportal_http_requests_total{method="GET",route="GET /exams",status="200"} 1`,
			`certportal_http_request_duration_seconds_bucket{route="GET /exams"`,
			"certportal_job_queue_depth",
			"certportal_due_work_overdue 0",
			`go_sql_max_open_connections{db_name="certportal"}`,
			"go_goroutines",
		} {
			if !strings.Contains(m, want) {
				t.Errorf("/metrics lacks %q", want)
			}
		}
	})
}

func TestReadyzFailsWhenSchemaIsBehind(t *testing.T) {
	a := apptest.Start(t, store.SQLite)
	db, err := sql.Open("sqlite", filepath.Join(a.DataDir, "certportal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM goose_db_version WHERE version_id = (SELECT MAX(version_id) FROM goose_db_version)`); err != nil {
		t.Fatal(err)
	}
	resp := a.Get(t, a.Client(), "/readyz")
	if b := apptest.Body(t, resp); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("GET /readyz = %d %q, want 503", resp.StatusCode, b)
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	a := apptest.Start(t, store.SQLite)
	c := a.Client()
	home := apptest.Body(t, a.Get(t, c, "/"))
	css := regexp.MustCompile(`/static/app\.[0-9a-f]+\.css`).FindString(home)
	if css == "" {
		t.Fatal("home page links no hashed stylesheet")
	}
	for _, path := range []string{"/", "/exams", "/signin", "/help", "/nope", "/healthz", "/console", css} {
		resp := a.Get(t, c, path)
		_ = apptest.Body(t, resp)
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "script-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline script or style", path)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", path)
		}
		if h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: no Referrer-Policy", path)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", path)
		}
		if h.Get("X-Request-ID") == "" {
			t.Errorf("%s: no X-Request-ID", path)
		}
		wantCache := "no-store"
		if path == css {
			wantCache = "public, max-age=31536000, immutable"
		}
		if got := h.Get("Cache-Control"); got != wantCache {
			t.Errorf("%s: Cache-Control = %q, want %q", path, got, wantCache)
		}
	}
}

func TestHSTSUnderTLSBaseURL(t *testing.T) {
	a := apptest.Start(t, store.SQLite, apptest.WithEnv("CERTPORTAL_BASE_URL", "https://certs.example.org"))
	resp := a.Get(t, a.Client(), "/")
	_ = apptest.Body(t, resp)
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=31536000") {
		t.Fatalf("HSTS = %q", got)
	}
}

func TestCrossSitePostRefused(t *testing.T) {
	a := apptest.Start(t, store.SQLite)
	c := a.Client()
	form := url.Values{"email": {"x@example.org"}, "password": {"whatever"}}
	for _, tc := range []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"cross-site fetch metadata", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"same origin", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": a.URL}, http.StatusUnauthorized},
		{"no browser headers (API client)", nil, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, a.URL+"/signin", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b := apptest.Body(t, resp)
			if resp.StatusCode != tc.want {
				t.Fatalf("status = %d, want %d\n%s", resp.StatusCode, tc.want, b)
			}
			if tc.want == http.StatusForbidden && !strings.Contains(b, "another site") {
				t.Errorf("403 page does not explain the refusal:\n%s", b)
			}
		})
	}
	resp := a.Get(t, c, "/signout")
	_ = apptest.Body(t, resp)
	if resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /signout = %d; state must never change on GET", resp.StatusCode)
	}
}

func TestErrorPagesNeverShowInternals(t *testing.T) {
	a := apptest.Start(t, store.SQLite)
	c := a.Client()
	resp := a.Get(t, c, "/no/such/page")
	if b := apptest.Body(t, resp); resp.StatusCode != 404 || !strings.Contains(b, "Page not found") {
		t.Fatalf("404 page: %d\n%s", resp.StatusCode, b)
	}
	// Break the database under the running portal: the exam list now fails
	// inside the store.
	db, err := sql.Open("sqlite", filepath.Join(a.DataDir, "certportal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`ALTER TABLE exams RENAME TO exams_gone`); err != nil {
		t.Fatal(err)
	}
	resp = a.Get(t, c, "/exams")
	b := apptest.Body(t, resp)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", resp.StatusCode)
	}
	id := resp.Header.Get("X-Request-ID")
	if !strings.Contains(b, "Something went wrong") || !strings.Contains(b, id) {
		t.Errorf("500 page lacks the generic message or the request ID %s:\n%s", id, b)
	}
	for _, leak := range []string{"no such table", "exams_gone", "store:", "goroutine", ".go:", "SELECT ", "FROM "} {
		if strings.Contains(b, leak) {
			t.Errorf("500 page leaks %q", leak)
		}
	}
	logs := a.Stderr()
	if !strings.Contains(logs, `"request_id":"`+id+`"`) || !strings.Contains(logs, "no such table") {
		t.Errorf("the log has no full line for request %s:\n%s", id, logs)
	}
}

func TestBodyLimit(t *testing.T) {
	a := apptest.Start(t, store.SQLite)
	big := url.Values{"email": {"a@example.org"}, "password": {strings.Repeat("x", 1<<20)}}
	resp := a.PostForm(t, a.Client(), "/signin", big)
	if b := apptest.Body(t, resp); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("1 MiB form: status %d, want 413\n%s", resp.StatusCode, b)
	}
}

func TestSecondInstanceOnSameDataDirRefused(t *testing.T) {
	a := apptest.Start(t, store.SQLite)
	code, _, errOut := apptest.Run(t, map[string]string{"CERTPORTAL_DATA_DIR": a.DataDir, "CERTPORTAL_ADDR": "127.0.0.1:0"}, "serve", "--dev")
	if code != 1 || !strings.Contains(errOut, "another certportal process is already using this data directory") {
		t.Fatalf("second serve: exit %d\n%s", code, errOut)
	}
}

func TestDemoPrintsCredentialsOnce(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"), apptest.LoadDemo())
		out := a.Stdout()
		pw := apptest.DemoAdminRe.FindStringSubmatch(out)
		if pw == nil {
			t.Fatalf("no admin credentials printed:\n%s", out)
		}
		if !strings.Contains(out, "listening on "+a.URL) {
			t.Errorf("no URL printed:\n%s", out)
		}
		// The printed password works.
		c := a.Client()
		resp := a.PostForm(t, c, "/signin", url.Values{"email": {pw[1]}, "password": {pw[2]}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console" {
			t.Fatalf("demo admin sign-in: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		exams := apptest.Body(t, a.Get(t, c, "/exams"))
		for _, code := range []string{"CLF-C02", "SAA-C03", "DVA-C02", "SOA-C02"} {
			if !strings.Contains(exams, code) {
				t.Errorf("demo catalog lacks %s", code)
			}
		}
		if strings.Contains(a.Stderr(), pw[2]) {
			t.Error("the demo password appears in the log")
		}
		if !strings.Contains(out, "certportal demo listening on "+a.URL) {
			t.Errorf("the start line does not say demo:\n%s", out)
		}
		// One staff account per permission set, each printed.
		for _, set := range portal.PermissionSets() {
			if !regexp.MustCompile(`(?m)^\s+` + string(set) + `\s+email \S+\s+password \S+`).MatchString(out) {
				t.Errorf("no demo account for the %s set:\n%s", set, out)
			}
		}
		// The certified candidate's credentials are issued at once, each
		// printed with its verification URL.
		printed := regexp.MustCompile(`(?m)^\s+\S+\s+`+regexp.QuoteMeta(a.URL)+`/credentials/([0-9A-Z*~$=]{27})$`).FindAllStringSubmatch(out, -1)
		if len(printed) < 2 {
			t.Errorf("the demo printed %d credential URLs, want one per certification held:\n%s", len(printed), out)
		}
		for _, m := range printed {
			if _, err := portal.ParseCredentialID(m[1]); err != nil {
				t.Errorf("printed credential ID %q: %v", m[1], err)
			}
		}
		// A certification renewed by a second pass: both cycles'
		// credentials, the first superseded.
		for _, want := range []string{`(cycle 1, superseded)`, `(cycle 2, current)`} {
			if !regexp.MustCompile(`(?m)^\s+SAA\s+` + regexp.QuoteMeta(a.URL) + `/credentials/[0-9A-Z*~$=]{27}  ` + regexp.QuoteMeta(want) + `$`).MatchString(out) {
				t.Errorf("the demo's renewed certification lacks %s:\n%s", want, out)
			}
		}
		if !strings.Contains(out, "has continuing education: approved, partly approved, denied and pending activities") {
			t.Errorf("no continuing education in the demo:\n%s", out)
		}
		a.Restart(t, "--demo")
		if again := strings.TrimPrefix(a.Stdout(), out); strings.Contains(again, pw[2]) || strings.Contains(again, "password ") {
			t.Errorf("a restart printed credentials again:\n%s", a.Stdout())
		}
		hint := "point --database-url at an empty database"
		if engine == store.SQLite {
			dir, err := filepath.Abs(a.DataDir)
			if err != nil {
				t.Fatal(err)
			}
			hint = "delete the data directory " + dir + ", or run with --data-dir set to another directory"
		}
		if again := strings.TrimPrefix(a.Stdout(), out); !strings.Contains(again, "no passwords printed") || !strings.Contains(again, hint) {
			t.Errorf("a second demo start does not say how to start fresh (%q):\n%s", hint, again)
		}
	})
}

func TestBackupCommandWhileServing(t *testing.T) {
	a := apptest.Start(t, store.SQLite, apptest.WithArgs("--demo"))
	dest := filepath.Join(t.TempDir(), "copy.db")
	code, out, errOut := apptest.Run(t, map[string]string{"CERTPORTAL_DATA_DIR": a.DataDir}, "backup", "--out", dest)
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errOut)
	}
	if err := store.IntegrityCheck(context.Background(), dest); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(context.Background(), store.Options{Engine: store.SQLite, SQLitePath: dest})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The two demo candidates, the holders with an Arabic and a Japanese
	// name, one staff member per permission set, and the holders of the
	// demo's revoked credential and of its renewed certification.
	want := 4 + len(portal.PermissionSets()) + 2
	if n, err := s.CountUsers(context.Background()); err != nil || n != want {
		t.Fatalf("backup holds %d users (%v), want the %d demo users", n, err, want)
	}
}

func TestBackupOnPostgresExplainsPgDump(t *testing.T) {
	code, _, errOut := apptest.Run(t, map[string]string{"CERTPORTAL_DATA_DIR": t.TempDir(), "CERTPORTAL_DATABASE_URL": "postgres://u@127.0.0.1:1/db"}, "backup")
	if code != 1 || !strings.Contains(errOut, "pg_dump") {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
}

func TestGracefulShutdownExitsCleanly(t *testing.T) {
	a := apptest.Start(t, store.SQLite)
	if code := a.Stop(t); code != 0 {
		t.Fatalf("exit code %d after SIGTERM-equivalent:\n%s", code, a.Stderr())
	}
	if !strings.Contains(a.Stderr(), `"msg":"stopped"`) {
		t.Errorf("no clean stop logged:\n%s", a.Stderr())
	}
}

func TestLogsCarryRequestIDs(t *testing.T) {
	a := apptest.Start(t, store.SQLite)
	resp := a.Get(t, a.Client(), "/exams")
	_ = apptest.Body(t, resp)
	id := resp.Header.Get("X-Request-ID")
	if !strings.Contains(a.Stderr(), `"route":"GET /exams","status":200`) || !strings.Contains(a.Stderr(), `"request_id":"`+id+`"`) {
		t.Fatalf("no access log line with request ID %s:\n%s", id, a.Stderr())
	}
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}

func TestSecretKey(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := apptest.Run(t, map[string]string{"CERTPORTAL_DATA_DIR": dir, "CERTPORTAL_ADDR": "127.0.0.1:0", "CERTPORTAL_SECRET_KEY": "c2hvcnQ="}, "serve", "--dev")
	if code != 1 || !strings.Contains(errOut, "--secret-key ($CERTPORTAL_SECRET_KEY): must be 32 random bytes") {
		t.Fatalf("short key: exit %d\n%s", code, errOut)
	}
	// On SQLite a key is generated once, private to the owner, and kept.
	a := apptest.Start(t, store.SQLite)
	path := filepath.Join(a.DataDir, "secret.key")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("secret.key mode %v, want 0600", st.Mode().Perm())
	}
	before, _ := os.ReadFile(path)
	a.Restart(t)
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("the key changed across a restart")
	}
}
