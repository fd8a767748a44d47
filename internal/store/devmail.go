package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"example.org/certportal/internal/portal"
)

// devAttachmentsMark separates a development message's text from its
// attachments in the text_body column: the text, then this line, then the
// attachments as JSON (contents in base64). The mailbox is a development
// aid, so its attachments share the text's column rather than a table of
// their own; readers get them split apart again (splitDevText).
const devAttachmentsMark = "\n\n--certportal-dev-attachments--\n"

// joinDevText is the text_body column's value for m.
func joinDevText(m portal.DevMessage) (string, error) {
	if len(m.Attachments) == 0 {
		return m.TextBody, nil
	}
	b, err := json.Marshal(m.Attachments)
	if err != nil {
		return "", err
	}
	return m.TextBody + devAttachmentsMark + string(b), nil
}

// splitDevText undoes joinDevText on a message read from the table.
func splitDevText(m *portal.DevMessage) error {
	i := strings.LastIndex(m.TextBody, devAttachmentsMark)
	if i < 0 {
		return nil
	}
	text, raw := m.TextBody[:i], m.TextBody[i+len(devAttachmentsMark):]
	var list []portal.DevAttachment
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return fmt.Errorf("attachments of dev message %d: %w", m.ID, err)
	}
	m.TextBody, m.Attachments = text, list
	return nil
}

// InsertDevMessage stores a message in the development mailbox.
func (tx *Tx) InsertDevMessage(ctx context.Context, m portal.DevMessage) (int64, error) {
	text, err := joinDevText(m)
	if err != nil {
		return 0, fmt.Errorf("store: insert dev message: %w", err)
	}
	var id int64
	err = tx.get(ctx, &id, `INSERT INTO dev_messages (channel, recipient, subject, text_body, html_body, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, m.Channel, m.Recipient, m.Subject, text, m.HTMLBody, tx.now)
	if err != nil {
		return 0, fmt.Errorf("store: insert dev message: %w", err)
	}
	return id, nil
}

// ListDevMessages returns the newest messages, optionally for one recipient.
func (s *Store) ListDevMessages(ctx context.Context, recipient string, limit int) ([]*portal.DevMessage, error) {
	where, args := "1 = 1", []any{}
	if recipient != "" {
		where += " AND recipient = ?"
		args = append(args, recipient)
	}
	var out []*portal.DevMessage
	err := s.sel(ctx, &out, `SELECT id, channel, recipient, subject, text_body, html_body, created_at
		FROM dev_messages WHERE `+where+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: list dev messages: %w", err)
	}
	for _, m := range out {
		if err := splitDevText(m); err != nil {
			return nil, fmt.Errorf("store: list dev messages: %w", err)
		}
	}
	return out, nil
}

// FindDevMessage returns one message or portal.ErrNotFound.
func (s *Store) FindDevMessage(ctx context.Context, id int64) (*portal.DevMessage, error) {
	var m portal.DevMessage
	err := s.get(ctx, &m, `SELECT id, channel, recipient, subject, text_body, html_body, created_at FROM dev_messages WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("store: find dev message %d: %w", id, err)
	}
	if err := splitDevText(&m); err != nil {
		return nil, fmt.Errorf("store: find dev message: %w", err)
	}
	return &m, nil
}
