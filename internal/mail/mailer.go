package mail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	netmail "net/mail"
	"regexp"
	"strings"

	"example.org/certportal/internal/i18n"
)

// Mailer renders messages and hands them to a Sender or SMSProvider. Its
// HandleJob and HandleSMSJob are the job handlers for KindSend and
// KindSendSMS. It is safe for concurrent use.
type Mailer struct {
	renderer *Renderer
	sender   Sender
	sms      SMSProvider
	from     string
	log      *slog.Logger
}

// New returns a Mailer for cfg (ProgramName, BaseURL and From are used;
// the sender was built from the rest). sms may be nil when no SMS is sent.
func New(cfg Config, cat *i18n.Catalog, sender Sender, sms SMSProvider, log *slog.Logger) (*Mailer, error) {
	if sender == nil {
		return nil, errors.New("mail: nil sender")
	}
	if log == nil {
		return nil, errors.New("mail: nil logger")
	}
	r, err := NewRenderer(cat, cfg.ProgramName, cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: From address %q: %w", cfg.From, err)
	}
	if from.Name == "" {
		from.Name = r.ProgramName()
	}
	return &Mailer{renderer: r, sender: sender, sms: sms, from: from.String(), log: log}, nil
}

// Renderer returns the mailer's renderer, e.g. for previews.
func (mr *Mailer) Renderer() *Renderer { return mr.renderer }

// HandleJob is the KindSend job handler: args is a JSON Message. Malformed
// arguments return an error wrapping ErrInvalidJob that says so.
func (mr *Mailer) HandleJob(ctx context.Context, args json.RawMessage) error {
	var m Message
	if err := decodeArgs(args, &m); err != nil {
		mr.log.ErrorContext(ctx, "mail job malformed", "kind", KindSend, "error", err.Error())
		return fmt.Errorf("%w: malformed %s job arguments: %w", ErrInvalidJob, KindSend, err)
	}
	return mr.Send(ctx, m)
}

// Send renders m and sends it now, returning the Sender's error. Services
// enqueue a KindSend job instead; Send is for the job and for the console's
// synchronous test message.
func (mr *Mailer) Send(ctx context.Context, m Message) error {
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		mr.log.ErrorContext(ctx, "mail not sent", "template", m.Template, "error", "bad recipient address")
		return fmt.Errorf("%w: bad recipient address for template %q", ErrInvalidJob, m.Template)
	}
	attrs := []any{"template", m.Template, "recipient_hash", recipientHash(to.Address)}
	r, err := mr.renderer.Render(m)
	if err != nil {
		mr.log.ErrorContext(ctx, "mail not rendered", append(attrs, "error", err.Error())...)
		return err
	}
	err = mr.sender.Send(ctx, Outgoing{
		From:        mr.from,
		To:          to.Address,
		ToName:      m.ToName,
		Subject:     r.Subject,
		Text:        r.Text,
		HTML:        r.HTML,
		Attachments: m.Attachments,
	})
	if err != nil {
		mr.log.WarnContext(ctx, "mail not sent", append(attrs, "error", err.Error())...)
		return err
	}
	mr.log.InfoContext(ctx, "mail sent", append(attrs, "lang", mr.renderer.cat.Localizer(m.Lang).Lang(), "attachments", len(m.Attachments))...)
	return nil
}

// e164 is an international phone number: +, country code, up to 15 digits.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// HandleSMSJob is the KindSendSMS job handler: args is a JSON SMS.
func (mr *Mailer) HandleSMSJob(ctx context.Context, args json.RawMessage) error {
	var s SMS
	if err := decodeArgs(args, &s); err != nil {
		mr.log.ErrorContext(ctx, "sms job malformed", "kind", KindSendSMS, "error", err.Error())
		return fmt.Errorf("%w: malformed %s job arguments: %w", ErrInvalidJob, KindSendSMS, err)
	}
	return mr.SendSMS(ctx, s)
}

// SendSMS renders s and sends it now.
func (mr *Mailer) SendSMS(ctx context.Context, s SMS) error {
	if mr.sms == nil {
		return errors.New("mail: no SMS provider configured")
	}
	if !e164.MatchString(s.To) {
		mr.log.ErrorContext(ctx, "sms not sent", "template", s.Template, "error", "bad phone number")
		return fmt.Errorf("%w: phone number for template %q is not E.164", ErrInvalidJob, s.Template)
	}
	attrs := []any{"template", s.Template, "recipient_hash", recipientHash(s.To)}
	body, err := mr.renderer.RenderSMS(s)
	if err != nil {
		mr.log.ErrorContext(ctx, "sms not rendered", append(attrs, "error", err.Error())...)
		return err
	}
	if err := mr.sms.SendSMS(ctx, s.To, body); err != nil {
		mr.log.WarnContext(ctx, "sms not sent", append(attrs, "error", err.Error())...)
		return fmt.Errorf("mail: send sms: %w", err)
	}
	mr.log.InfoContext(ctx, "sms sent", attrs...)
	return nil
}

// decodeArgs decodes one JSON object strictly: unknown fields and trailing
// data are errors, so a typo in a service fails loudly.
func decodeArgs(args json.RawMessage, v any) error {
	switch t := bytes.TrimSpace(args); {
	case len(t) == 0:
		return errors.New("empty")
	case bytes.Equal(t, []byte("null")):
		return errors.New("null")
	}
	dec := json.NewDecoder(bytes.NewReader(args))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// recipientHash identifies a recipient in logs without naming them: the
// first 12 hex digits of the SHA-256 of the lower-cased address. It lets
// an operator match log lines for an address they already know.
func recipientHash(addr string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(addr))))
	return hex.EncodeToString(sum[:6])
}
