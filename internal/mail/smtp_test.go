package mail_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	netmail "net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/testutil"
)

const testFrom = "Acme Certification <noreply@portal.example.test>"

var icsContent = []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//certportal//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:exam-1@portal.example.test\r\nSUMMARY:Examen\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")

func mustSMTPSender(t testing.TB, smtpURL string, timeout time.Duration) *mail.SMTPSender {
	t.Helper()
	s, err := mail.NewSMTPSender(mail.Config{BaseURL: testBaseURL, SMTPURL: smtpURL, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSMTPSendDeliversTextHTMLAndAttachment(t *testing.T) {
	srv := testutil.NewSMTPServer(t)
	r, err := mail.NewRenderer(mustCatalog(t), "Certificación Acme ✓", testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := r.Render(adminSetup("es", "José Ñúñez"))
	if err != nil {
		t.Fatal(err)
	}
	out := mail.Outgoing{
		From:    testFrom,
		To:      "ana@example.test",
		ToName:  "José Ñúñez",
		Subject: rendered.Subject,
		Text:    rendered.Text,
		HTML:    rendered.HTML,
		Attachments: []mail.Attachment{{
			Filename:    "examen.ics",
			ContentType: "text/calendar; method=REQUEST; charset=utf-8",
			Content:     icsContent,
		}},
	}
	if err := mustSMTPSender(t, srv.URL(), 5*time.Second).Send(context.Background(), out); err != nil {
		t.Fatal(err)
	}

	got := srv.WaitFor(t, 1)
	if len(got) != 1 {
		t.Fatalf("got %d messages", len(got))
	}
	m := got[0]
	if m.From != "noreply@portal.example.test" || strings.Join(m.To, ",") != "ana@example.test" {
		t.Errorf("envelope from %q to %v", m.From, m.To)
	}
	if want := "Su cuenta de administrador en Certificación Acme ✓"; m.Subject != want {
		t.Errorf("subject = %q, want %q", m.Subject, want)
	}
	from, err := netmail.ParseAddress(m.Header.Get("From"))
	if err != nil || from.Address != "noreply@portal.example.test" || from.Name != "Acme Certification" {
		t.Errorf("From header %q: %+v, %v", m.Header.Get("From"), from, err)
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "ana@example.test" || to[0].Name != "José Ñúñez" {
		t.Errorf("To header %q: %+v, %v", m.Header.Get("To"), to, err)
	}
	if id := m.Header.Get("Message-ID"); !regexp.MustCompile(`^<[^<>@\s]+@portal\.example\.test>$`).MatchString(id) {
		t.Errorf("Message-ID = %q", id)
	}
	if d, err := m.Header.Date(); err != nil || time.Since(d) > time.Hour || time.Until(d) > time.Hour {
		t.Errorf("Date = %q: %v", m.Header.Get("Date"), err)
	}
	if got := m.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", got)
	}
	if m.Text != rendered.Text {
		t.Errorf("text part:\n%q\nwant\n%q", m.Text, rendered.Text)
	}
	if m.HTML != rendered.HTML {
		t.Errorf("HTML part:\n%q\nwant\n%q", m.HTML, rendered.HTML)
	}
	if link := m.Link(testBaseURL + "/setup"); link != setupLink {
		t.Errorf("link = %q, want %q", link, setupLink)
	}
	a := m.Attachment("examen.ics")
	if a == nil {
		t.Fatalf("no examen.ics among %+v", m.Attachments)
	}
	if a.ContentType != "text/calendar" || a.Params["method"] != "REQUEST" || !bytes.Equal(a.Content, icsContent) {
		t.Errorf("attachment %s %v: %q", a.ContentType, a.Params, a.Content)
	}
}

func TestSMTPSendAddsNoHeadersFromData(t *testing.T) {
	srv := testutil.NewSMTPServer(t)
	err := mustSMTPSender(t, srv.URL(), 5*time.Second).Send(context.Background(), mail.Outgoing{
		From:    testFrom,
		To:      "ana@example.test",
		ToName:  hostileName + "\r\nBcc: evil2@example.test",
		Subject: "Hello\r\nBcc: evil@example.test\r\n\r\nbody",
		Text:    "text",
		HTML:    "<p>html</p>",
	})
	if err != nil {
		t.Fatal(err)
	}
	m := srv.WaitFor(t, 1)[0]
	if strings.Join(m.To, ",") != "ana@example.test" {
		t.Errorf("envelope recipients = %v", m.To)
	}
	if len(m.Header["Bcc"]) != 0 || len(m.Header["Cc"]) != 0 {
		t.Errorf("extra headers: %v", m.Header)
	}
	if m.Subject != "Hello Bcc: evil@example.test body" {
		t.Errorf("subject = %q", m.Subject)
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "ana@example.test" {
		t.Errorf("To = %q: %v", m.Header.Get("To"), err)
	}
	if m.Text != "text" || m.HTML != "<p>html</p>" {
		t.Errorf("body changed: %q %q", m.Text, m.HTML)
	}
}

func TestSMTPSendTwoMessagesInARow(t *testing.T) {
	srv := testutil.NewSMTPServer(t)
	s := mustSMTPSender(t, srv.URL(), 5*time.Second)
	for _, to := range []string{"one@example.test", "two@example.test"} {
		if err := s.Send(context.Background(), mail.Outgoing{From: testFrom, To: to, Subject: "For " + to, Text: "hi", HTML: "<p>hi</p>"}); err != nil {
			t.Fatal(err)
		}
	}
	got := srv.WaitFor(t, 2)
	if len(got) != 2 || got[0].Subject != "For one@example.test" || got[1].To[0] != "two@example.test" {
		t.Fatalf("got %+v", got)
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// sendOrHang runs Send and fails the test if it has not returned after
// 10 s: a hang guard, not a speed assertion.
func sendOrHang(t *testing.T, s mail.Sender, out mail.Outgoing) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.Send(context.Background(), out) }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Send did not return within 10s")
		return nil
	}
}

func TestSMTPSendFailsWhenTheServerIsDown(t *testing.T) {
	s := mustSMTPSender(t, "smtp+insecure://"+closedPort(t), time.Second)
	err := sendOrHang(t, s, mail.Outgoing{From: testFrom, To: "ana@example.test", Subject: "x", Text: "x"})
	if err == nil {
		t.Fatal("Send to a closed port succeeded")
	}
	if errors.Is(err, mail.ErrInvalidJob) {
		t.Errorf("a down server is not an invalid job: %v", err)
	}
}

func TestSMTPSendTimesOutOnASilentServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn // accepted, never greeted
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})
	s := mustSMTPSender(t, "smtp+insecure://"+l.Addr().String(), 200*time.Millisecond)
	if err := sendOrHang(t, s, mail.Outgoing{From: testFrom, To: "ana@example.test", Subject: "x", Text: "x"}); err == nil {
		t.Fatal("Send to a silent server succeeded")
	}
}

func TestSMTPSendStopsWhenCancelled(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			accepted <- c // never greeted
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		select {
		case c := <-accepted:
			_ = c.Close()
		default:
		}
	})
	s := mustSMTPSender(t, "smtp+insecure://"+l.Addr().String(), time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- s.Send(ctx, mail.Outgoing{From: testFrom, To: "ana@example.test", Subject: "x", Text: "x"})
	}()
	var c net.Conn
	select {
	case c = <-accepted:
		accepted <- c // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("Send never connected")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Send ignored the cancellation")
	}
}

func TestSMTPRefusesAServerWithoutSTARTTLS(t *testing.T) {
	srv := testutil.NewSMTPServer(t)
	s := mustSMTPSender(t, "smtp://"+srv.Addr(), 5*time.Second)
	err := sendOrHang(t, s, mail.Outgoing{From: testFrom, To: "ana@example.test", Subject: "x", Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v, want a STARTTLS refusal", err)
	}
	if got := srv.Messages(); len(got) != 0 {
		t.Fatalf("a message went out in clear: %+v", got)
	}
}

func TestSMTPSendRefusesBadAddresses(t *testing.T) {
	srv := testutil.NewSMTPServer(t)
	s := mustSMTPSender(t, srv.URL(), 5*time.Second)
	for name, out := range map[string]mail.Outgoing{
		"to":           {From: testFrom, To: "not an address", Text: "x"},
		"to injection": {From: testFrom, To: "a@example.test\r\nBcc: b@example.test", Text: "x"},
		"from":         {From: "nobody", To: "a@example.test", Text: "x"},
		"content type": {From: testFrom, To: "a@example.test", Text: "x", Attachments: []mail.Attachment{{Filename: "a.ics", ContentType: "text/calendar; ;;", Content: []byte("x")}}},
	} {
		if err := s.Send(context.Background(), out); !errors.Is(err, mail.ErrInvalidJob) {
			t.Errorf("%s: err = %v, want ErrInvalidJob", name, err)
		}
	}
}

func TestNewSMTPSenderChecksTheURL(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"smtp://user:pw@smtp.example.org", true},
		{"smtp://user%40example.org:pw@smtp.example.org:2525", true},
		{"smtps://smtp.example.org", true},
		{"smtp+insecure://127.0.0.1:1025", true},
		{"smtp+insecure://localhost:1025", true},
		{"smtp+insecure://[::1]:1025", true},
		{"smtp+insecure://mailpit:1025?allow_remote=true", true},
		{"smtp+insecure://mailpit:1025", false},
		{"smtp+insecure://10.0.0.5:25", false},
		{"smtp+insecure://mailpit:1025?allow_remote=yes", false},
		{"smtp+insecure://user:pw@127.0.0.1:1025", false},
		{"smtp://smtp.example.org?allow_remote=true", false},
		{"smtp://smtp.example.org:587/path", false},
		{"smtp://smtp.example.org:99999", false},
		{"smtp://:pw@smtp.example.org", false},
		{"http://smtp.example.org", false},
		{"smtp://", false},
		{"", false},
	} {
		_, err := mail.NewSMTPSender(mail.Config{BaseURL: testBaseURL, SMTPURL: tc.url})
		if (err == nil) != tc.ok {
			t.Errorf("NewSMTPSender(%q): err = %v, want ok=%v", tc.url, err, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("NewSMTPSender(%q): error shows the password: %v", tc.url, err)
		}
	}
	if _, err := mail.NewSMTPSender(mail.Config{BaseURL: testBaseURL, SMTPURL: "smtp://smtp.example.org", HELO: "nodot"}); err == nil {
		t.Error("a dotless HELO name was accepted")
	}
}
