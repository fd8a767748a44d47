package testutil

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"
)

// SMTPServer is a real SMTP server in the test process (go-smtp-mock on
// 127.0.0.1, a free port). It accepts every message, several per
// connection, and keeps them for the test to read.
type SMTPServer struct {
	tb  testing.TB
	srv *smtpmock.Server
}

// NewSMTPServer starts an SMTP server, stopped when the test ends. Point
// the mailer at URL().
func NewSMTPServer(tb testing.TB) *SMTPServer {
	tb.Helper()
	srv := smtpmock.New(smtpmock.ConfigurationAttr{
		HostAddress: "127.0.0.1",
		// Without it the mock keeps only one of two messages sent on one
		// connection (go-mail sends RSET between them).
		MultipleMessageReceiving: true,
		// Keep every RCPT TO, not only the last.
		MultipleRcptto: true,
	})
	if err := srv.Start(); err != nil {
		tb.Fatalf("start SMTP server: %v", err)
	}
	tb.Cleanup(func() { _ = srv.Stop() })
	return &SMTPServer{tb: tb, srv: srv}
}

// Port is the port the server listens on.
func (s *SMTPServer) Port() int { return s.srv.PortNumber() }

// Addr is host:port.
func (s *SMTPServer) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port()) }

// URL is the server's address for mail.Config.SMTPURL: no TLS, no auth.
func (s *SMTPServer) URL() string { return "smtp+insecure://" + s.Addr() }

// ReceivedMail is one message as the server received it, parsed.
type ReceivedMail struct {
	From        string      // envelope sender (MAIL FROM)
	To          []string    // envelope recipients (RCPT TO), accepted ones
	Subject     string      // decoded
	Header      mail.Header // top-level headers, raw (encoded) values
	Text        string      // text/plain part, decoded, LF line ends
	HTML        string      // text/html part, decoded, LF line ends
	Attachments []ReceivedAttachment
	Raw         string // the message as sent after DATA
}

// ReceivedAttachment is a part sent as an attachment.
type ReceivedAttachment struct {
	Filename    string
	ContentType string // media type without parameters, e.g. text/calendar
	Params      map[string]string
	Content     []byte
}

// Messages returns the complete messages received so far, oldest first. A
// message that does not parse fails the test.
func (s *SMTPServer) Messages() []ReceivedMail {
	var out []ReceivedMail
	for _, m := range s.srv.Messages() {
		if !m.IsConsistent() {
			continue // a session without a complete MAIL/RCPT/DATA
		}
		rm, err := parseReceived(m)
		if err != nil {
			s.tb.Errorf("SMTP server: received message does not parse: %v\n%s", err, m.MsgRequest())
			continue
		}
		out = append(out, rm)
	}
	return out
}

// WaitFor waits up to 10 seconds until at least n messages have arrived
// and returns them all; it fails the test on timeout.
func (s *SMTPServer) WaitFor(tb testing.TB, n int) []ReceivedMail {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		got := s.Messages()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			tb.Fatalf("SMTP server: waited 10s for %d messages, got %d", n, len(got))
		}
		<-tick.C
	}
}

// WaitMail waits up to within for a message to addr whose subject
// contains subject and returns the newest such message; on timeout it
// fails the test, listing what arrived.
func (s *SMTPServer) WaitMail(tb testing.TB, addr, subject string, within time.Duration) ReceivedMail {
	tb.Helper()
	deadline := time.Now().Add(within)
	for {
		msgs := s.Messages()
		for i := len(msgs) - 1; i >= 0; i-- {
			if m := msgs[i]; len(m.To) > 0 && m.To[0] == addr && strings.Contains(m.Subject, subject) {
				return m
			}
		}
		if time.Now().After(deadline) {
			var got []string
			for _, m := range msgs {
				got = append(got, strings.Join(m.To, ",")+": "+m.Subject)
			}
			tb.Fatalf("no mail to %s with %q in the subject within %s; got:\n%s", addr, subject, within, strings.Join(got, "\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Link returns the first URL in the text part that starts with prefix, or
// "" when there is none. A URL ends at white space or at <, >, " or '.
func (m ReceivedMail) Link(prefix string) string {
	i := strings.Index(m.Text, prefix)
	if i < 0 {
		return ""
	}
	rest := m.Text[i:]
	if j := strings.IndexFunc(rest, func(r rune) bool {
		return r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == '<' || r == '>' || r == '"' || r == '\''
	}); j >= 0 {
		rest = rest[:j]
	}
	return strings.TrimRight(rest, ".,;:!?)")
}

// Attachment returns the first attachment named filename, or nil.
func (m ReceivedMail) Attachment(filename string) *ReceivedAttachment {
	for i := range m.Attachments {
		if m.Attachments[i].Filename == filename {
			return &m.Attachments[i]
		}
	}
	return nil
}

func parseReceived(m smtpmock.Message) (ReceivedMail, error) {
	rm := ReceivedMail{From: angleAddr(m.MailfromRequest()), Raw: m.MsgRequest()}
	for _, rr := range m.RcpttoRequestResponse() {
		if len(rr) == 2 && strings.HasPrefix(rr[1], "250") {
			rm.To = append(rm.To, angleAddr(rr[0]))
		}
	}
	msg, err := mail.ReadMessage(strings.NewReader(rm.Raw))
	if err != nil {
		return rm, err
	}
	rm.Header = msg.Header
	dec := new(mime.WordDecoder)
	if rm.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return rm, fmt.Errorf("subject: %w", err)
	}
	if err := rm.walk(textproto.MIMEHeader(msg.Header), msg.Body); err != nil {
		return rm, err
	}
	return rm, nil
}

// walk reads a MIME entity: multiparts part by part, leaves into Text,
// HTML or Attachments.
func (rm *ReceivedMail) walk(h textproto.MIMEHeader, body io.Reader) error {
	ctype := h.Get("Content-Type")
	if ctype == "" {
		ctype = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return fmt.Errorf("content type %q: %w", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", mt, err)
			}
			if err := rm.walk(p.Header, p); err != nil {
				return err
			}
		}
	}
	content, err := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return err
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	if disp == "attachment" || filename != "" {
		if decoded, err := new(mime.WordDecoder).DecodeHeader(filename); err == nil {
			filename = decoded
		}
		rm.Attachments = append(rm.Attachments, ReceivedAttachment{Filename: filename, ContentType: mt, Params: params, Content: content})
		return nil
	}
	text := strings.ReplaceAll(string(content), "\r\n", "\n")
	switch {
	case mt == "text/plain" && rm.Text == "":
		rm.Text = text
	case mt == "text/html" && rm.HTML == "":
		rm.HTML = text
	default:
		rm.Attachments = append(rm.Attachments, ReceivedAttachment{ContentType: mt, Params: params, Content: content})
	}
	return nil
}

func decodeTransfer(cte string, r io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	case "", "7bit", "8bit", "binary":
	default:
		return nil, fmt.Errorf("unknown Content-Transfer-Encoding %q", cte)
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return nil, fmt.Errorf("decode %s: %w", cte, err)
	}
	return buf.Bytes(), nil
}

// angleAddr returns the address between < and > in an SMTP command.
func angleAddr(cmd string) string {
	i, j := strings.IndexByte(cmd, '<'), strings.IndexByte(cmd, '>')
	if i < 0 || j < i {
		return ""
	}
	return cmd[i+1 : j]
}
