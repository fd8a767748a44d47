// Package config loads certportal's configuration once, from command-line
// flags with CERTPORTAL_* environment variables as fallbacks, and validates
// it. Secrets may be given as files through the variable's _FILE form. The
// result is a plain struct passed down explicitly: there are no globals.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is the whole runtime configuration.
type Config struct {
	Addr          string // listen address
	DataDir       string // data directory (SQLite file, lock, secret key)
	DatabaseURL   string // postgres://… or sqlite path; empty = SQLite in DataDir
	BaseURL       string // public URL used in links and mail
	SMTPURL       string // smtp://, smtps:// or smtp+starttls://; empty = dev mailbox
	MailFrom      string // From header of outgoing mail
	ProgramName   string // the certification program's name, shown in pages and mail
	LoginIDPrefix string // prefix of the permanent login ID
	SecretKey     string // base64 key for encryption at rest; empty = generated in DataDir
	// The operator's document-signing certificate chain (PEM) and key
	// (PEM, PKCS#8 or PKCS#1, maybe encrypted); empty = a self-signed key
	// generated once in the database.
	DocumentCert        string
	DocumentKey         string
	DocumentKeyPassword string
	LogFormat           string // json or text
	LogLevel            string // debug, info, warn, error
	MetricsAddr         string // separate listener for /metrics; empty = main listener
	TrustedProxies      []netip.Prefix
	SessionIdle         time.Duration
	SessionLifetime     time.Duration
	ShutdownTimeout     time.Duration
	EventRetention      time.Duration // how long business events are kept
	AcceptNonDurable    bool
	Dev                 bool // development mode: dev mailbox allowed, templates reparsed, text logs
	Demo                bool // load demonstration data into an empty database

	// Scheduling and payments.
	HoldTTL             time.Duration // how long a seat stays in the cart unpaid
	BookingHorizon      time.Duration // how far ahead slots are offered
	OnlineCapacity      int           // proctors per 30-minute online start
	MaxHoldsPerIP       int           // unpaid holds made from one address, across accounts
	OnlineGap           time.Duration // least time between two online exams of one candidate
	TestPayments        bool          // offer the built-in test-mode card provider
	StripeSecretKey     string
	StripeWebhookSecret string
	StripeAPIURL        string // Stripe API base URL; empty for Stripe itself (tests point it at stripe-mock)
	ExamRulesURL        string // the program's exam rules, linked where candidates agree to them
	ExamRulesVersion    string // recorded with each online booking's agreement
	PrivacyURL          string // the program's privacy policy
	PrivacyVersion      string

	// Uploads (docs/uploads.md).
	ClamdAddr       string // host:port of a clamd daemon; empty: the built-in EICAR scanner with --dev or --demo, else none
	UploadMaxMB     int    // largest file accepted, in MB
	UploadRateLimit int    // files one account may upload an hour

	// The program's support contact, shown on the Help page and wherever a
	// candidate needs a person (a legal name change, a lost second
	// factor). Either or both may be set.
	SupportEmail string
	SupportURL   string
}

// TestPaymentsOn reports whether the test-mode provider is offered: when
// asked for, and always in development and demo mode.
func (c *Config) TestPaymentsOn() bool { return c.TestPayments || c.Dev || c.Demo }

// Engine names.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// Engine reports which database engine the configuration selects.
func (c *Config) Engine() string {
	if strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return EnginePostgres
	}
	return EngineSQLite
}

// SQLitePath is the SQLite database file.
func (c *Config) SQLitePath() string {
	if c.DatabaseURL != "" {
		return strings.TrimPrefix(c.DatabaseURL, "sqlite://")
	}
	return filepath.Join(c.DataDir, "certportal.db")
}

// TextLogs reports whether logs are text lines rather than JSON: when asked
// for, or by default in development and demo mode.
func (c *Config) TextLogs() bool {
	return c.LogFormat == "text" || (c.LogFormat == "" && (c.Dev || c.Demo))
}

// DevMailbox reports whether mail goes to the development mailbox in the
// database instead of an SMTP server.
func (c *Config) DevMailbox() bool { return c.SMTPURL == "" }

// setting describes one flag and its environment variable.
type setting struct {
	flag, env, def, usage string
	secret                bool // may be given as a file through env+"_FILE"
	isBool                bool // a switch: --dev means --dev=true
	set                   func(c *Config, v string) error
}

func settings() []setting {
	str := func(p func(*Config) *string) func(*Config, string) error {
		return func(c *Config, v string) error { *p(c) = v; return nil }
	}
	dur := func(p func(*Config) *time.Duration) func(*Config, string) error {
		return func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("%q is not a positive duration such as 30m or 24h", v)
			}
			*p(c) = d
			return nil
		}
	}
	boolean := func(p func(*Config) *bool) func(*Config, string) error {
		return func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			*p(c) = b
			return nil
		}
	}
	return []setting{
		{flag: "addr", env: "CERTPORTAL_ADDR", def: "127.0.0.1:8080", usage: "listen address (host:port)", set: str(func(c *Config) *string { return &c.Addr })},
		{flag: "data-dir", env: "CERTPORTAL_DATA_DIR", def: "./certportal-data", usage: "data directory: SQLite database, lock file, generated keys", set: str(func(c *Config) *string { return &c.DataDir })},
		{flag: "database-url", env: "CERTPORTAL_DATABASE_URL", usage: "postgres:// URL for PostgreSQL; empty for SQLite in the data directory", secret: true, set: str(func(c *Config) *string { return &c.DatabaseURL })},
		{flag: "base-url", env: "CERTPORTAL_BASE_URL", usage: "public base URL used in links and mail (default http://ADDR)", set: str(func(c *Config) *string { return &c.BaseURL })},
		{flag: "smtp-url", env: "CERTPORTAL_SMTP_URL", usage: "SMTP server: smtp://user:pass@host:587 (STARTTLS), smtps://host:465 (TLS), smtp+insecure://host:1025 (plain, loopback only); empty for the development mailbox", secret: true, set: str(func(c *Config) *string { return &c.SMTPURL })},
		{flag: "mail-from", env: "CERTPORTAL_MAIL_FROM", def: "certportal <no-reply@certportal.localhost>", usage: "From address of outgoing mail", set: str(func(c *Config) *string { return &c.MailFrom })},
		{flag: "program-name", env: "CERTPORTAL_PROGRAM_NAME", def: "certportal", usage: "name of the certification program shown to candidates", set: str(func(c *Config) *string { return &c.ProgramName })},
		{flag: "login-id-prefix", env: "CERTPORTAL_LOGIN_ID_PREFIX", def: "CP", usage: "prefix of permanent login IDs (2 to 5 capital letters)", set: str(func(c *Config) *string { return &c.LoginIDPrefix })},
		{flag: "secret-key", env: "CERTPORTAL_SECRET_KEY", usage: "base64 32-byte key that encrypts secrets at rest such as TOTP seeds; required on PostgreSQL (every instance needs the same key), generated in the data directory on SQLite", secret: true, set: str(func(c *Config) *string { return &c.SecretKey })},
		{flag: "document-cert", env: "CERTPORTAL_DOCUMENT_CERT", usage: "PEM file of the X.509 certificate chain that signs PDF documents, signer first; with --document-key. Empty: a self-signed certificate generated once", set: str(func(c *Config) *string { return &c.DocumentCert })},
		{flag: "document-key", env: "CERTPORTAL_DOCUMENT_KEY", usage: "PEM file of the document-signing private key (RSA 3072 to 4096 bits; PKCS#8, encrypted PKCS#8 with PBES2, or PKCS#1); with --document-cert", set: str(func(c *Config) *string { return &c.DocumentKey })},
		{flag: "document-key-password", env: "CERTPORTAL_DOCUMENT_KEY_PASSWORD", usage: "password of an encrypted --document-key", secret: true, set: str(func(c *Config) *string { return &c.DocumentKeyPassword })},
		{flag: "log-format", env: "CERTPORTAL_LOG_FORMAT", usage: "log format: json or text (default json; text with --dev or --demo)", set: str(func(c *Config) *string { return &c.LogFormat })},
		{flag: "log-level", env: "CERTPORTAL_LOG_LEVEL", def: "info", usage: "log level: debug, info, warn or error", set: str(func(c *Config) *string { return &c.LogLevel })},
		{flag: "metrics-addr", env: "CERTPORTAL_METRICS_ADDR", usage: "separate listen address for /metrics (default: served on the main listener)", set: str(func(c *Config) *string { return &c.MetricsAddr })},
		{flag: "trusted-proxies", env: "CERTPORTAL_TRUSTED_PROXIES", usage: "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed", set: func(c *Config, v string) error {
			c.TrustedProxies = nil
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s == "" {
					continue
				}
				p, err := netip.ParsePrefix(s)
				if err != nil {
					return fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8", s)
				}
				c.TrustedProxies = append(c.TrustedProxies, p)
			}
			return nil
		}},
		{flag: "session-idle", env: "CERTPORTAL_SESSION_IDLE", def: "1h", usage: "sign a session out after this long without a request", set: dur(func(c *Config) *time.Duration { return &c.SessionIdle })},
		{flag: "session-lifetime", env: "CERTPORTAL_SESSION_LIFETIME", def: "24h", usage: "absolute lifetime of a session", set: dur(func(c *Config) *time.Duration { return &c.SessionLifetime })},
		{flag: "shutdown-timeout", env: "CERTPORTAL_SHUTDOWN_TIMEOUT", def: "20s", usage: "how long in-flight requests and jobs may take to finish on shutdown", set: dur(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
		{flag: "event-retention", env: "CERTPORTAL_EVENT_RETENTION", def: "9600h", usage: "how long business events (booking held, confirmed, ...) are kept (default 400 days)", set: dur(func(c *Config) *time.Duration { return &c.EventRetention })},
		{flag: "accept-nondurable", env: "CERTPORTAL_ACCEPT_NONDURABLE", def: "false", isBool: true, usage: "start even when the database does not guarantee durable commits", set: boolean(func(c *Config) *bool { return &c.AcceptNonDurable })},
		{flag: "hold-ttl", env: "CERTPORTAL_HOLD_TTL", def: "15m", usage: "how long a chosen seat stays in the cart unpaid", set: dur(func(c *Config) *time.Duration { return &c.HoldTTL })},
		{flag: "booking-horizon", env: "CERTPORTAL_BOOKING_HORIZON", def: "2160h", usage: "how far ahead exam slots can be booked (default 90 days)", set: dur(func(c *Config) *time.Duration { return &c.BookingHorizon })},
		{flag: "online-capacity", env: "CERTPORTAL_ONLINE_CAPACITY", def: "20", usage: "online proctored seats per 30-minute start", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 10000 {
				return fmt.Errorf("%q is not a number from 1 to 10000", v)
			}
			c.OnlineCapacity = n
			return nil
		}},
		{flag: "max-holds-per-ip", env: "CERTPORTAL_MAX_HOLDS_PER_IP", def: "50", usage: "most unpaid seat holds made from one network address, across accounts", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000000 {
				return fmt.Errorf("%q is not a number from 1 to 1000000", v)
			}
			c.MaxHoldsPerIP = n
			return nil
		}},
		{flag: "clamd-addr", env: "CERTPORTAL_CLAMD_ADDR", usage: "clamd to scan uploads for malware (host:port, TCP); empty: files are marked unscanned (with --dev or --demo, a built-in scanner finds only the EICAR test file)", set: func(c *Config, v string) error {
			if v != "" {
				if _, _, err := net.SplitHostPort(v); err != nil {
					return fmt.Errorf("%q is not a host:port such as 127.0.0.1:3310", v)
				}
			}
			c.ClamdAddr = v
			return nil
		}},
		{flag: "upload-max-mb", env: "CERTPORTAL_UPLOAD_MAX_MB", def: "10", usage: "largest uploaded file accepted, in MB", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100 {
				return fmt.Errorf("%q is not a number from 1 to 100", v)
			}
			c.UploadMaxMB = n
			return nil
		}},
		{flag: "upload-rate-limit", env: "CERTPORTAL_UPLOAD_RATE_LIMIT", def: "60", usage: "files one account may upload an hour", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100000 {
				return fmt.Errorf("%q is not a number from 1 to 100000", v)
			}
			c.UploadRateLimit = n
			return nil
		}},
		{flag: "online-gap", env: "CERTPORTAL_ONLINE_GAP", def: "4h", usage: "least time between the end of one online exam and the start of the next of the same candidate", set: dur(func(c *Config) *time.Duration { return &c.OnlineGap })},
		{flag: "test-payments", env: "CERTPORTAL_TEST_PAYMENTS", def: "false", isBool: true, usage: "offer the test-mode card provider, which moves no money (always on with --dev or --demo)", set: boolean(func(c *Config) *bool { return &c.TestPayments })},
		{flag: "stripe-secret-key", env: "CERTPORTAL_STRIPE_SECRET_KEY", usage: "Stripe secret key (sk_live_… or sk_test_…); empty: Stripe is not offered", secret: true, set: str(func(c *Config) *string { return &c.StripeSecretKey })},
		{flag: "stripe-webhook-secret", env: "CERTPORTAL_STRIPE_WEBHOOK_SECRET", usage: "signing secret (whsec_…) of the Stripe webhook endpoint BASE_URL/webhooks/stripe; required with a Stripe key", secret: true, set: str(func(c *Config) *string { return &c.StripeWebhookSecret })},
		{flag: "stripe-api-url", env: "CERTPORTAL_STRIPE_API_URL", usage: "Stripe API base URL; empty for Stripe itself (tests use stripe-mock)", set: str(func(c *Config) *string { return &c.StripeAPIURL })},
		{flag: "exam-rules-url", env: "CERTPORTAL_EXAM_RULES_URL", usage: "address of the program's exam rules, linked where candidates agree to them", set: str(func(c *Config) *string { return &c.ExamRulesURL })},
		{flag: "exam-rules-version", env: "CERTPORTAL_EXAM_RULES_VERSION", def: "2026-01", usage: "version of the exam rules, recorded with each agreement", set: str(func(c *Config) *string { return &c.ExamRulesVersion })},
		{flag: "privacy-url", env: "CERTPORTAL_PRIVACY_URL", usage: "address of the program's privacy policy, linked where candidates agree to it", set: str(func(c *Config) *string { return &c.PrivacyURL })},
		{flag: "privacy-version", env: "CERTPORTAL_PRIVACY_VERSION", def: "2026-01", usage: "version of the privacy policy, recorded with each agreement", set: str(func(c *Config) *string { return &c.PrivacyVersion })},
		{flag: "support-email", env: "CERTPORTAL_SUPPORT_EMAIL", usage: "initial support address shown on the Help page, until an admin saves the program settings", set: str(func(c *Config) *string { return &c.SupportEmail })},
		{flag: "support-url", env: "CERTPORTAL_SUPPORT_URL", usage: "initial address of the support site or contact form, until an admin saves the program settings", set: str(func(c *Config) *string { return &c.SupportURL })},
		{flag: "dev", env: "CERTPORTAL_DEV", def: "false", isBool: true, usage: "development mode: development mailbox, text logs, templates reloaded", set: boolean(func(c *Config) *bool { return &c.Dev })},
	}
}

// Loader binds the settings to a subcommand's flag set and resolves them
// after parsing.
type Loader struct {
	fs       *flag.FlagSet
	settings []setting
	values   map[string]*string
}

// Register adds every setting's flag to fs.
func Register(fs *flag.FlagSet) *Loader {
	l := &Loader{fs: fs, settings: settings(), values: map[string]*string{}}
	for _, s := range l.settings {
		usage := s.usage + " [$" + s.env
		if s.secret {
			usage += ", $" + s.env + "_FILE"
		}
		usage += "]"
		v := &value{s: s.def, isBool: s.isBool}
		l.values[s.flag] = &v.s
		fs.Var(v, s.flag, usage)
	}
	return l
}

// value is a flag holding the raw text of a setting; Load parses it. A
// switch accepts --name alone.
type value struct {
	s      string
	isBool bool
}

func (v *value) String() string     { return v.s }
func (v *value) Set(s string) error { v.s = s; return nil }
func (v *value) IsBoolFlag() bool   { return v.isBool }

// Load resolves every setting after fs.Parse: an explicit flag wins, then the
// environment variable, then its _FILE form, then the default. It returns one
// error naming the first invalid setting.
func (l *Loader) Load(getenv func(string) string) (*Config, error) {
	explicit := map[string]bool{}
	l.fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	c := &Config{}
	for _, s := range l.settings {
		v := *l.values[s.flag]
		if !explicit[s.flag] {
			if ev := getenv(s.env); ev != "" {
				v = ev
			} else if s.secret && getenv(s.env+"_FILE") != "" {
				b, err := os.ReadFile(getenv(s.env + "_FILE"))
				if err != nil {
					return nil, fmt.Errorf("config: %s_FILE: cannot read the file: %v", s.env, errors.Unwrap(err))
				}
				v = strings.TrimRight(string(b), "\r\n")
			}
		}
		if v == "" {
			continue
		}
		if err := s.set(c, v); err != nil {
			return nil, fmt.Errorf("config: --%s ($%s): %v", s.flag, s.env, err)
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) validate() error {
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		return fmt.Errorf("config: --addr ($CERTPORTAL_ADDR): %q is not host:port, e.g. 127.0.0.1:8080", c.Addr)
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("config: --metrics-addr ($CERTPORTAL_METRICS_ADDR): %q is not host:port", c.MetricsAddr)
		}
	}
	if c.DataDir == "" {
		return errors.New("config: --data-dir ($CERTPORTAL_DATA_DIR): must not be empty")
	}
	if c.DatabaseURL != "" && c.Engine() == EngineSQLite && strings.Contains(c.DatabaseURL, "://") && !strings.HasPrefix(c.DatabaseURL, "sqlite://") {
		return errors.New("config: --database-url ($CERTPORTAL_DATABASE_URL): use a postgres:// URL, a sqlite:// path, or leave it empty for SQLite in the data directory")
	}
	if c.Engine() == EnginePostgres {
		if _, err := url.Parse(c.DatabaseURL); err != nil {
			return errors.New("config: --database-url ($CERTPORTAL_DATABASE_URL): not a valid postgres:// URL")
		}
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return fmt.Errorf("config: --base-url ($CERTPORTAL_BASE_URL): %q must be an http:// or https:// origin without a path, e.g. https://certs.example.org", c.BaseURL)
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		if err != nil || u.Hostname() == "" {
			return errors.New("config: --smtp-url ($CERTPORTAL_SMTP_URL): not a valid URL such as smtp://user:pass@mail.example.org:587")
		}
		switch u.Scheme {
		case "smtp", "smtps", "smtp+insecure":
		default:
			return fmt.Errorf("config: --smtp-url ($CERTPORTAL_SMTP_URL): scheme %q is not smtp, smtps or smtp+insecure", u.Scheme)
		}
	}
	if !validLoginIDPrefix(c.LoginIDPrefix) {
		return fmt.Errorf("config: --login-id-prefix ($CERTPORTAL_LOGIN_ID_PREFIX): %q must be 2 to 5 capital letters A-Z", c.LoginIDPrefix)
	}
	if strings.TrimSpace(c.ProgramName) == "" {
		return errors.New("config: --program-name ($CERTPORTAL_PROGRAM_NAME): must not be empty")
	}
	if (c.DocumentCert == "") != (c.DocumentKey == "") {
		return errors.New("config: --document-cert ($CERTPORTAL_DOCUMENT_CERT) and --document-key ($CERTPORTAL_DOCUMENT_KEY) go together: the certificate and its private key")
	}
	if c.DocumentKeyPassword != "" && c.DocumentKey == "" {
		return errors.New("config: --document-key-password ($CERTPORTAL_DOCUMENT_KEY_PASSWORD) needs --document-key ($CERTPORTAL_DOCUMENT_KEY)")
	}
	if c.LogFormat != "" && c.LogFormat != "json" && c.LogFormat != "text" {
		return fmt.Errorf("config: --log-format ($CERTPORTAL_LOG_FORMAT): %q is not json or text", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: --log-level ($CERTPORTAL_LOG_LEVEL): %q is not debug, info, warn or error", c.LogLevel)
	}
	if (c.StripeSecretKey == "") != (c.StripeWebhookSecret == "") {
		return errors.New("config: --stripe-secret-key ($CERTPORTAL_STRIPE_SECRET_KEY) and --stripe-webhook-secret ($CERTPORTAL_STRIPE_WEBHOOK_SECRET) go together: payments are confirmed only by signed webhooks")
	}
	for _, u := range []struct{ flag, env, value string }{
		{"exam-rules-url", "CERTPORTAL_EXAM_RULES_URL", c.ExamRulesURL},
		{"privacy-url", "CERTPORTAL_PRIVACY_URL", c.PrivacyURL},
		{"support-url", "CERTPORTAL_SUPPORT_URL", c.SupportURL},
	} {
		if u.value == "" {
			continue
		}
		p, err := url.Parse(u.value)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return fmt.Errorf("config: --%s ($%s): %q is not an http(s) address", u.flag, u.env, u.value)
		}
	}
	if c.SupportEmail != "" {
		a, err := mail.ParseAddress(c.SupportEmail)
		if err != nil || a.Name != "" || a.Address != c.SupportEmail || strings.ContainsAny(c.SupportEmail, " \t\r\n") {
			return fmt.Errorf("config: --support-email ($CERTPORTAL_SUPPORT_EMAIL): %q is not a bare address such as support@example.org", c.SupportEmail)
		}
	}
	if strings.TrimSpace(c.ExamRulesVersion) == "" || strings.TrimSpace(c.PrivacyVersion) == "" {
		return errors.New("config: --exam-rules-version and --privacy-version must not be empty")
	}
	if c.SessionLifetime < c.SessionIdle {
		return errors.New("config: --session-lifetime ($CERTPORTAL_SESSION_LIFETIME): must not be shorter than --session-idle")
	}
	return nil
}

func validLoginIDPrefix(p string) bool {
	if len(p) < 2 || len(p) > 5 {
		return false
	}
	for _, r := range p {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// Environment lists every environment variable the settings read, sorted,
// for documentation and tests.
func Environment() []string {
	var out []string
	for _, s := range settings() {
		out = append(out, s.env)
		if s.secret {
			out = append(out, s.env+"_FILE")
		}
	}
	sort.Strings(out)
	return out
}
