package config

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, env map[string]string, args ...string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	l := Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return l.Load(func(k string) string { return env[k] })
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./certportal-data" || c.Engine() != EngineSQLite ||
		c.SQLitePath() != filepath.Join("certportal-data", "certportal.db") && c.SQLitePath() != "certportal-data/certportal.db" {
		t.Fatalf("defaults: %+v (sqlite %s)", c, c.SQLitePath())
	}
	if c.BaseURL != "http://127.0.0.1:8080" || c.SessionIdle != time.Hour || c.SessionLifetime != 24*time.Hour || c.TextLogs() {
		t.Fatalf("defaults: %+v", c)
	}
	if !c.DevMailbox() {
		t.Fatal("no SMTP URL should mean the development mailbox")
	}
}

func TestFlagBeatsEnvironmentBeatsFileBeatsDefault(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "db-url")
	if err := os.WriteFile(secret, []byte("postgres://u:p@127.0.0.1/db\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CERTPORTAL_ADDR": "127.0.0.1:9000", "CERTPORTAL_DATABASE_URL_FILE": secret, "CERTPORTAL_DEV": "true"}
	c, err := load(t, env, "--addr", "127.0.0.1:9999")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" {
		t.Errorf("flag did not win: %s", c.Addr)
	}
	if c.DatabaseURL != "postgres://u:p@127.0.0.1/db" || c.Engine() != EnginePostgres {
		t.Errorf("_FILE secret not read (trailing newline must go): %q", c.DatabaseURL)
	}
	if !c.Dev {
		t.Error("CERTPORTAL_DEV=true ignored")
	}
	env["CERTPORTAL_DATABASE_URL"] = "postgres://direct@127.0.0.1/db"
	c, err = load(t, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://direct@127.0.0.1/db" || c.Addr != "127.0.0.1:9000" {
		t.Errorf("environment did not win over the file: %+v", c)
	}
	c, err = load(t, nil, "--dev")
	if err != nil || !c.Dev {
		t.Errorf("--dev alone: %v %+v", err, c)
	}
}

func TestInvalidSettingsNameTheSetting(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"CERTPORTAL_ADDR": "8080"}, nil, "--addr ($CERTPORTAL_ADDR)"},
		{nil, []string{"--base-url", "https://x.org/portal"}, "--base-url ($CERTPORTAL_BASE_URL)"},
		{map[string]string{"CERTPORTAL_SMTP_URL": "mailto:x"}, nil, "--smtp-url ($CERTPORTAL_SMTP_URL)"},
		{map[string]string{"CERTPORTAL_TRUSTED_PROXIES": "10.0.0.0/99"}, nil, "--trusted-proxies ($CERTPORTAL_TRUSTED_PROXIES)"},
		{map[string]string{"CERTPORTAL_SESSION_IDLE": "2h", "CERTPORTAL_SESSION_LIFETIME": "1h"}, nil, "--session-lifetime"},
		{map[string]string{"CERTPORTAL_DEV": "sometimes"}, nil, "--dev ($CERTPORTAL_DEV)"},
		{map[string]string{"CERTPORTAL_DATABASE_URL": "mysql://x"}, nil, "--database-url ($CERTPORTAL_DATABASE_URL)"},
		{map[string]string{"CERTPORTAL_PROGRAM_NAME": "  "}, nil, "--program-name"},
		{map[string]string{"CERTPORTAL_HOLD_TTL": "0s"}, nil, "--hold-ttl ($CERTPORTAL_HOLD_TTL)"},
		{map[string]string{"CERTPORTAL_ONLINE_CAPACITY": "none"}, nil, "--online-capacity ($CERTPORTAL_ONLINE_CAPACITY)"},
		{map[string]string{"CERTPORTAL_STRIPE_SECRET_KEY": "sk_test_x"}, nil, "--stripe-webhook-secret"},
		{map[string]string{"CERTPORTAL_EXAM_RULES_URL": "javascript:alert(1)"}, nil, "--exam-rules-url ($CERTPORTAL_EXAM_RULES_URL)"},
		{nil, []string{"--privacy-url", "/privacy"}, "--privacy-url ($CERTPORTAL_PRIVACY_URL)"},
		{nil, []string{"--privacy-version", " "}, "--privacy-version"},
		{nil, []string{"--support-url", "javascript:alert(1)"}, "--support-url ($CERTPORTAL_SUPPORT_URL)"},
		{map[string]string{"CERTPORTAL_SUPPORT_EMAIL": "Support <help@example.org>"}, nil, "--support-email ($CERTPORTAL_SUPPORT_EMAIL)"},
		{map[string]string{"CERTPORTAL_SUPPORT_EMAIL": "help@example.org\nBcc: x@evil.example"}, nil, "--support-email ($CERTPORTAL_SUPPORT_EMAIL)"},
		{nil, []string{"--support-email", "not an address"}, "--support-email ($CERTPORTAL_SUPPORT_EMAIL)"},
	} {
		_, err := load(t, tc.env, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("env %v args %v: err = %v, want one line naming %s", tc.env, tc.args, err, tc.want)
		}
	}
}

func TestSecretFilesAreNotEchoed(t *testing.T) {
	_, err := load(t, map[string]string{"CERTPORTAL_SMTP_URL": "ftp://user:hunter2@mail.example.org"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v: must not repeat the secret", err)
	}
}

func TestSupportContact(t *testing.T) {
	c, err := load(t, map[string]string{"CERTPORTAL_SUPPORT_EMAIL": "help@example.org"}, "--support-url", "https://help.example.org/contact")
	if err != nil {
		t.Fatal(err)
	}
	if c.SupportEmail != "help@example.org" || c.SupportURL != "https://help.example.org/contact" {
		t.Fatalf("support contact: %q %q", c.SupportEmail, c.SupportURL)
	}
}
