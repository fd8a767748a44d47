package store

import (
	"context"
	"fmt"

	"example.org/certportal/internal/portal"
)

// InsertDevMessage stores a message in the development mailbox.
func (tx *Tx) InsertDevMessage(ctx context.Context, m portal.DevMessage) (int64, error) {
	var id int64
	err := tx.get(ctx, &id, `INSERT INTO dev_messages (channel, recipient, subject, text_body, html_body, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, m.Channel, m.Recipient, m.Subject, m.TextBody, m.HTMLBody, tx.now)
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
	return out, nil
}

// FindDevMessage returns one message or portal.ErrNotFound.
func (s *Store) FindDevMessage(ctx context.Context, id int64) (*portal.DevMessage, error) {
	var m portal.DevMessage
	err := s.get(ctx, &m, `SELECT id, channel, recipient, subject, text_body, html_body, created_at FROM dev_messages WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("store: find dev message %d: %w", id, err)
	}
	return &m, nil
}
