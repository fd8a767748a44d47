package store

import (
	"context"
	"encoding/json"
	"fmt"

	"example.org/certportal/internal/portal"
)

// devMessageRow is a dev_messages row: the message and its attachments as
// the JSON array the attachments column holds.
type devMessageRow struct {
	portal.DevMessage
	AttachmentsJSON string `db:"attachments_json"`
}

// message decodes the row's attachments into its message.
func (r *devMessageRow) message() (*portal.DevMessage, error) {
	m := r.DevMessage
	if err := json.Unmarshal([]byte(r.AttachmentsJSON), &m.Attachments); err != nil {
		return nil, fmt.Errorf("attachments of dev message %d: %w", m.ID, err)
	}
	return &m, nil
}

const devMessageColumns = `id, channel, recipient, subject, text_body, html_body, attachments AS attachments_json, created_at`

// InsertDevMessage stores a message in the development mailbox.
func (tx *Tx) InsertDevMessage(ctx context.Context, m portal.DevMessage) (int64, error) {
	list := m.Attachments
	if list == nil {
		list = []portal.DevAttachment{}
	}
	attachments, err := json.Marshal(list)
	if err != nil {
		return 0, fmt.Errorf("store: insert dev message: %w", err)
	}
	var id int64
	err = tx.get(ctx, &id, `INSERT INTO dev_messages (channel, recipient, subject, text_body, html_body, attachments, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, m.Channel, m.Recipient, m.Subject, m.TextBody, m.HTMLBody, string(attachments), tx.now)
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
	var rows []devMessageRow
	err := s.sel(ctx, &rows, `SELECT `+devMessageColumns+`
		FROM dev_messages WHERE `+where+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: list dev messages: %w", err)
	}
	out := make([]*portal.DevMessage, len(rows))
	for i := range rows {
		if out[i], err = rows[i].message(); err != nil {
			return nil, fmt.Errorf("store: list dev messages: %w", err)
		}
	}
	return out, nil
}

// GetDevMessage returns one message or portal.ErrNotFound.
func (s *Store) GetDevMessage(ctx context.Context, id int64) (*portal.DevMessage, error) {
	var row devMessageRow
	err := s.get(ctx, &row, `SELECT `+devMessageColumns+` FROM dev_messages WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("store: find dev message %d: %w", id, err)
	}
	m, err := row.message()
	if err != nil {
		return nil, fmt.Errorf("store: find dev message: %w", err)
	}
	return m, nil
}
