package store

import (
	"context"
	"fmt"

	"example.org/certportal/internal/portal"
)

// InsertAudit appends one event to the audit log, at the transaction's
// time.
func (tx *Tx) InsertAudit(ctx context.Context, e portal.AuditEvent) error {
	_, err := tx.exec(ctx, `INSERT INTO audit_log (actor_id, action, subject, detail, ip, request_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.ActorID, e.Action, e.Subject, e.Detail, e.IP, e.RequestID, tx.now)
	if err != nil {
		return fmt.Errorf("store: insert audit %s: %w", e.Action, err)
	}
	return nil
}

// ListAudit returns events newest first and the total that match.
func (s *Store) ListAudit(ctx context.Context, f portal.AuditFilter) ([]*portal.AuditEvent, int, error) {
	where, args := "1 = 1", []any{}
	if f.ActorID != 0 {
		where += " AND actor_id = ?"
		args = append(args, f.ActorID)
	}
	if f.Action != "" {
		if f.Action[len(f.Action)-1] == '.' {
			where += ` AND action LIKE ? ESCAPE '\'`
			args = append(args, likePattern(f.Action)[1:])
		} else {
			where += " AND action = ?"
			args = append(args, f.Action)
		}
	}
	if f.Subject != "" {
		where += " AND subject = ?"
		args = append(args, f.Subject)
	}
	if !f.From.IsZero() {
		where += " AND created_at >= ?"
		args = append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where += " AND created_at < ?"
		args = append(args, f.To.UTC())
	}
	var total int
	if err := s.get(ctx, &total, `SELECT COUNT(*) FROM audit_log WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("store: count audit: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var out []*portal.AuditEvent
	err := s.sel(ctx, &out, `SELECT id, actor_id, action, subject, detail, ip, request_id, created_at
		FROM audit_log WHERE `+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list audit: %w", err)
	}
	return out, total, nil
}
