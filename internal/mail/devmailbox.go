package mail

import (
	"context"
	"fmt"
	"strings"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// DevMailbox keeps mail and SMS in the development mailbox table instead of
// sending them; the console lists them. It is a Sender and an SMSProvider,
// and records every call.
type DevMailbox struct {
	st *store.Store
}

// NewDevMailbox returns a development mailbox writing to st.
func NewDevMailbox(st *store.Store) *DevMailbox { return &DevMailbox{st: st} }

// Send stores m with its attachments; the text body also lists them by
// name, type and size.
func (d *DevMailbox) Send(ctx context.Context, m Outgoing) error {
	text := m.Text
	var files []portal.DevAttachment
	if len(m.Attachments) > 0 {
		var b strings.Builder
		b.WriteString(strings.TrimRight(text, "\n"))
		b.WriteString("\n\n[Attachments]\n")
		for _, a := range m.Attachments {
			name, ctype, err := checkAttachment(a)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "- %s (%s, %d bytes)\n", name, ctype, len(a.Content))
			files = append(files, portal.DevAttachment{Name: name, ContentType: ctype, Content: a.Content})
		}
		text = b.String()
	}
	return d.insert(ctx, portal.DevMessage{
		Channel:     "email",
		Recipient:   m.To,
		Subject:     singleLine(m.Subject),
		TextBody:    text,
		HTMLBody:    m.HTML,
		Attachments: files,
	})
}

// SendSMS stores an SMS.
func (d *DevMailbox) SendSMS(ctx context.Context, to, body string) error {
	return d.insert(ctx, portal.DevMessage{Channel: "sms", Recipient: to, TextBody: body})
}

func (d *DevMailbox) insert(ctx context.Context, m portal.DevMessage) error {
	err := d.st.Transact(ctx, func(tx *store.Tx) error {
		_, err := tx.InsertDevMessage(ctx, m)
		return err
	})
	if err != nil {
		return fmt.Errorf("mail: dev mailbox: %w", err)
	}
	return nil
}
