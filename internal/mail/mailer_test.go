package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/testutil"
)

// logBuffer collects JSON log lines; safe for concurrent writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

func testConfig(smtpURL string) mail.Config {
	return mail.Config{
		ProgramName: testProgram,
		BaseURL:     testBaseURL,
		From:        "noreply@portal.example.test",
		SMTPURL:     smtpURL,
		Timeout:     5 * time.Second,
	}
}

func mustSMTPMailer(t *testing.T, smtpURL string) (*mail.Mailer, *logBuffer) {
	t.Helper()
	cfg := testConfig(smtpURL)
	s, err := mail.NewSMTPSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	log, buf := newLogger()
	mr, err := mail.New(cfg, mustCatalog(t), s, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	return mr, buf
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertNoSecrets is IN-08: logs name neither the recipient nor the link.
func assertNoSecrets(t *testing.T, logs string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain %q:\n%s", s, logs)
		}
	}
}

func TestHandleJobSendsOverSMTP(t *testing.T) {
	srv := testutil.NewSMTPServer(t)
	mr, logs := mustSMTPMailer(t, srv.URL())
	m := adminSetup("es", "José Ñúñez")
	m.Attachments = []mail.Attachment{{Filename: "examen.ics", ContentType: "text/calendar; method=REQUEST", Content: icsContent}}
	if err := mr.HandleJob(context.Background(), mustJSON(t, m)); err != nil {
		t.Fatal(err)
	}

	got := srv.WaitFor(t, 1)[0]
	if got.Subject != "Su cuenta de administrador en Acme Certification" {
		t.Errorf("subject = %q", got.Subject)
	}
	if got.Header.Get("From") != `"Acme Certification" <noreply@portal.example.test>` {
		t.Errorf("From = %q", got.Header.Get("From"))
	}
	if strings.Join(got.To, ",") != "ana@example.test" || !strings.Contains(got.Text, "Hola, José Ñúñez:") || !strings.Contains(got.HTML, "Hola, José Ñúñez:") {
		t.Errorf("to %v, text %q", got.To, got.Text)
	}
	// The time went through JSON as an RFC 3339 string and still reads
	// as a date in Spanish.
	if !strings.Contains(got.Text, "24 nov 2026, 08:30 UTC") {
		t.Errorf("text lacks the expiry:\n%s", got.Text)
	}
	if link := got.Link(testBaseURL + "/setup?token="); link != setupLink {
		t.Errorf("link = %q", link)
	}
	if a := got.Attachment("examen.ics"); a == nil || !bytes.Equal(a.Content, icsContent) {
		t.Errorf("attachment: %+v", got.Attachments)
	}

	l := logs.String()
	if !strings.Contains(l, `"msg":"mail sent"`) || !strings.Contains(l, `"template":"admin_setup"`) || !strings.Contains(l, `"recipient_hash":"`) {
		t.Errorf("log lacks the send:\n%s", l)
	}
	assertNoSecrets(t, l, "ana@example.test", "s3cr3t-t0ken-value", "José", testBaseURL+"/setup")
}

func TestHandleJobRefusesMalformedArguments(t *testing.T) {
	srv := testutil.NewSMTPServer(t)
	mr, logs := mustSMTPMailer(t, srv.URL())
	for name, args := range map[string]string{
		"empty":         ``,
		"null":          `null`,
		"not JSON":      `{"to":`,
		"array":         `[]`,
		"wrong type":    `{"to": 5, "template": "test_message"}`,
		"unknown field": `{"to": "a@example.test", "template": "test_message", "tempalte": "x"}`,
		"trailing data": `{"to": "a@example.test", "template": "test_message"} {}`,
	} {
		err := mr.HandleJob(context.Background(), json.RawMessage(args))
		if !errors.Is(err, mail.ErrInvalidJob) || !strings.Contains(err.Error(), "malformed mail.send job arguments") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	for name, m := range map[string]mail.Message{
		"unknown template": {To: "a@example.test", Template: "nope"},
		"missing data":     {To: "a@example.test", Template: "admin_setup", Data: map[string]any{"Name": "Ana"}},
		"bad address":      {To: "not-an-address", Template: "test_message"},
	} {
		err := mr.HandleJob(context.Background(), mustJSON(t, m))
		if !errors.Is(err, mail.ErrInvalidJob) || strings.Contains(err.Error(), "malformed") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if got := srv.Messages(); len(got) != 0 {
		t.Errorf("sent %d messages", len(got))
	}
	assertNoSecrets(t, logs.String(), "not-an-address")
}

func TestHandleJobReturnsTheSendError(t *testing.T) {
	mr, logs := mustSMTPMailer(t, "smtp+insecure://"+closedPort(t))
	err := mr.HandleJob(context.Background(), mustJSON(t, adminSetup("en", "Ana")))
	if err == nil || errors.Is(err, mail.ErrInvalidJob) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	if !strings.Contains(logs.String(), `"msg":"mail not sent"`) {
		t.Errorf("failure not logged:\n%s", logs.String())
	}
	assertNoSecrets(t, logs.String()+err.Error(), "ana@example.test", "s3cr3t-t0ken-value")
}

func TestNewMailerChecksItsConfig(t *testing.T) {
	cat := mustCatalog(t)
	log, _ := newLogger()
	dev := mail.NewDevMailbox(nil)
	for name, tc := range map[string]struct {
		cfg    mail.Config
		sender mail.Sender
		log    *slog.Logger
	}{
		"bad From":     {mail.Config{ProgramName: "A", BaseURL: testBaseURL, From: "nobody"}, dev, log},
		"no program":   {mail.Config{BaseURL: testBaseURL, From: "a@example.test"}, dev, log},
		"no sender":    {mail.Config{ProgramName: "A", BaseURL: testBaseURL, From: "a@example.test"}, nil, log},
		"no logger":    {mail.Config{ProgramName: "A", BaseURL: testBaseURL, From: "a@example.test"}, dev, nil},
		"relative URL": {mail.Config{ProgramName: "A", BaseURL: "/", From: "a@example.test"}, dev, log},
	} {
		if _, err := mail.New(tc.cfg, cat, tc.sender, nil, tc.log); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}
