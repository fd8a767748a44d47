// Package mail renders and delivers certportal's email and SMS.
//
// The flow:
//
//  1. A service decides a message is due and, inside its transaction,
//     enqueues a job: jobs.Enqueue(ctx, tx, mail.KindSend, mail.Message{...})
//     (or mail.KindSendSMS with an SMS). The job arguments are the JSON of
//     Message or SMS; nothing is sent before the transaction commits.
//  2. The job runner calls Mailer.HandleJob (or HandleSMSJob) with those
//     arguments. It decodes them, renders the message in the recipient's
//     language and hands the result to a Sender (or SMSProvider).
//  3. The Sender is SMTPSender in production (go-mail, STARTTLS or implicit
//     TLS) and DevMailbox in development, which stores the message in the
//     development mailbox table instead of sending it.
//
// Rendering: every template is a pair of embedded files,
// templates/NAME.txt (text/template) and templates/NAME.html
// (html/template), each defining "body" inside the shared layout. Every
// string comes from the i18n catalog: the subject is mail.NAME.subject,
// the footer line explaining why the recipient got the mail is
// mail.NAME.reason, body strings are mail.NAME.*. Adding a template means
// adding the two files and those catalog entries; NewRenderer refuses to
// start when one is missing. SMS bodies are the catalog message sms.NAME.
//
// Delivery is at least once: a job that crashes after the SMTP server
// accepted the message but before the job was marked done runs again and
// the recipient gets the mail twice. That is accepted; a lost mail is worse.
//
// Logs name the template, the language and a hash of the recipient, never
// the address, the data, links or tokens (links carry secrets, SECURITY.md
// IN-08).
package mail

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
)

// Job kinds the app registers with the job runner.
const (
	// KindSend is an email job; its arguments are a JSON Message.
	KindSend = "mail.send"
	// KindSendSMS is an SMS job; its arguments are a JSON SMS.
	KindSendSMS = "sms.send"
)

// ErrInvalidJob marks a job that can never succeed: malformed arguments, an
// unknown template, missing template data or an invalid address. Retrying
// does not help; the job system may give up on it at once (errors.Is).
var ErrInvalidJob = errors.New("mail: invalid job")

// Message is an email to render and send; it is the argument of a KindSend
// job and must stay JSON-serializable. After the JSON round trip Data
// values are strings, float64s, bools, maps and slices; times arrive as
// RFC 3339 strings (templates format them with .DateTime).
type Message struct {
	To          string         `json:"to"`
	ToName      string         `json:"to_name,omitempty"`
	Lang        string         `json:"lang,omitempty"` // unknown or empty: English
	Template    string         `json:"template"`
	Data        map[string]any `json:"data,omitempty"`
	Attachments []Attachment   `json:"attachments,omitempty"`
}

// Attachment is a file sent with a message, e.g. an .ics invitation.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Content     []byte `json:"content"`
}

// SMS is a text message to render and send; it is the argument of a
// KindSendSMS job. Its body is the catalog message sms.Template.
type SMS struct {
	To       string         `json:"to"` // E.164
	Lang     string         `json:"lang,omitempty"`
	Template string         `json:"template"`
	Data     map[string]any `json:"data,omitempty"`
}

// Outgoing is a rendered email ready for a Sender.
type Outgoing struct {
	From        string // "Name <addr>" or "addr"
	To          string
	ToName      string
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
}

// Sender delivers rendered email. Send returns an error when the message
// was not accepted, so that the job is retried.
type Sender interface {
	Send(ctx context.Context, m Outgoing) error
}

// SMSProvider delivers a text message to an E.164 number.
type SMSProvider interface {
	SendSMS(ctx context.Context, to, body string) error
}

// Config is the mail part of the application configuration.
type Config struct {
	// ProgramName is shown in every mail's header and subject lines.
	ProgramName string
	// BaseURL is the portal's public address, e.g. https://cert.example.org.
	BaseURL string
	// From is the sender, "Name <noreply@example.org>" or a bare address
	// (then ProgramName is the display name).
	From string
	// SMTPURL selects the relay; see NewSMTPSender. Empty means the app
	// uses the development mailbox.
	SMTPURL string
	// HELO is the name sent in EHLO. Empty: BaseURL's host when it is a
	// dotted name, else certportal.localhost.
	HELO string
	// Timeout bounds dialing and each SMTP command. Zero: DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout is used when Config.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// isBidiControl reports the Unicode bidi embedding, override and isolate
// characters, which can make text read differently from what it is.
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u200E' || r == '\u200F'
}

// singleLine makes s safe for a header or a one-line value: CR, LF and tabs
// become spaces, other control and bidi control characters are dropped,
// runs of spaces collapse and the ends are trimmed.
func singleLine(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == '\r' || r == '\n' || r == '\t' || r == ' ' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			space = true
			continue
		case unicode.IsControl(r) || isBidiControl(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// cleanData returns a copy of data whose strings, at any depth, are
// single-line (see singleLine): a name cannot add lines to the text part
// or reorder the text around it.
func cleanData(data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		out[k] = cleanValue(v)
	}
	return out
}

func cleanValue(v any) any {
	switch x := v.(type) {
	case string:
		return singleLine(x)
	case map[string]any:
		return cleanData(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cleanValue(e)
		}
		return out
	case []string:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = singleLine(e)
		}
		return out
	}
	return v
}
