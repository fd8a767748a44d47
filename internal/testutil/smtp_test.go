package testutil

import (
	"bytes"
	"net/smtp"
	"strings"
	"testing"
)

// rawMessage is a MIME message as a mail client might send it: a
// quoted-printable text part, a base64 HTML part and a base64 attachment
// with an RFC 2047 subject.
const rawMessage = "From: Portal <noreply@portal.example.test>\r\n" +
	"To: Ana <ana@example.test>\r\n" +
	"Subject: =?UTF-8?q?Contrase=C3=B1a_lista?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=outer\r\n" +
	"\r\n" +
	"--outer\r\n" +
	"Content-Type: multipart/alternative; boundary=inner\r\n" +
	"\r\n" +
	"--inner\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Hola Ana, abre https://portal.example.test/setup?token=3Dabc&x=3D1 ahora=\r\n" +
	" mismo. Se=C3=B1al.\r\n" +
	"\r\n" +
	"--inner\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+SG9sYSBBbmE8L3A+\r\n" +
	"--inner--\r\n" +
	"\r\n" +
	"--outer\r\n" +
	"Content-Type: text/calendar; charset=utf-8; method=REQUEST\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"Content-Disposition: attachment; filename=\"exam.ics\"\r\n" +
	"\r\n" +
	"QkVHSU46VkNBTEVOREFS\r\n" +
	"--outer--\r\n"

func sendRaw(t *testing.T, addr, from string, to []string, msg string) {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.example.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(from); err != nil {
		t.Fatal(err)
	}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			t.Fatal(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
}

func TestSMTPServerParsesWhatArrives(t *testing.T) {
	srv := NewSMTPServer(t)
	if !strings.HasPrefix(srv.URL(), "smtp+insecure://127.0.0.1:") || srv.Port() == 0 {
		t.Fatalf("URL() = %q", srv.URL())
	}
	if got := srv.Messages(); len(got) != 0 {
		t.Fatalf("fresh server has %d messages", len(got))
	}
	sendRaw(t, srv.Addr(), "noreply@portal.example.test", []string{"ana@example.test", "bo@example.test"}, rawMessage)

	got := srv.WaitFor(t, 1)
	if len(got) != 1 {
		t.Fatalf("got %d messages, want 1", len(got))
	}
	m := got[0]
	for _, tc := range []struct{ name, got, want string }{
		{"envelope from", m.From, "noreply@portal.example.test"},
		{"envelope to", strings.Join(m.To, ","), "ana@example.test,bo@example.test"},
		{"subject", m.Subject, "Contraseña lista"},
		{"header To", m.Header.Get("To"), "Ana <ana@example.test>"},
		{"text", m.Text, "Hola Ana, abre https://portal.example.test/setup?token=abc&x=1 ahora mismo. Señal.\n"},
		{"html", m.HTML, "<p>Hola Ana</p>"},
		{"link", m.Link("https://portal.example.test/setup"), "https://portal.example.test/setup?token=abc&x=1"},
		{"no link", m.Link("https://elsewhere.example.test/"), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	a := m.Attachment("exam.ics")
	if a == nil {
		t.Fatalf("attachment exam.ics missing: %+v", m.Attachments)
	}
	if a.ContentType != "text/calendar" || a.Params["method"] != "REQUEST" || !bytes.Equal(a.Content, []byte("BEGIN:VCALENDAR")) {
		t.Errorf("attachment = %+v (%q)", a, a.Content)
	}
}

func TestSMTPServerKeepsSeveralMessagesPerConnection(t *testing.T) {
	srv := NewSMTPServer(t)
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.example.test"); err != nil {
		t.Fatal(err)
	}
	for _, subject := range []string{"one", "two"} {
		if err := c.Mail("a@example.test"); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt("b@example.test"); err != nil {
			t.Fatal(err)
		}
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("Subject: " + subject + "\r\n\r\nbody\r\n")); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := c.Reset(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 2)
	if len(got) != 2 || got[0].Subject != "one" || got[1].Subject != "two" || got[0].Text != "body\n" {
		t.Fatalf("got %+v", got)
	}
}
