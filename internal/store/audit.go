package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
)

// Audit is the one writer of the audit log for services: it records that
// actor (its user, IP address and request ID) did action to subject, with
// a short detail (never a secret) and the fields the change changed
// (portal.Diff; none for events without fields), at the transaction's time.
func (tx *Tx) Audit(ctx context.Context, actor portal.Actor, action, subject, detail string, changes []portal.FieldChange) error {
	return tx.InsertAudit(ctx, portal.AuditEvent{ActorID: actor.UserID, Action: action, Subject: subject, Detail: detail,
		IP: actor.IP, RequestID: actor.RequestID, Changes: changes})
}

// InsertAudit appends one event to the audit log, at the transaction's
// time. The values of secret changes are never written, whatever e holds.
func (tx *Tx) InsertAudit(ctx context.Context, e portal.AuditEvent) error {
	changes, err := encodeChanges(e.Changes)
	if err != nil {
		return fmt.Errorf("store: insert audit %s: %w", e.Action, err)
	}
	_, err = tx.exec(ctx, `INSERT INTO audit_log (actor_id, action, subject, detail, ip, request_id, changes, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.ActorID, e.Action, e.Subject, e.Detail, e.IP, e.RequestID, changes, tx.now)
	if err != nil {
		return fmt.Errorf("store: insert audit %s: %w", e.Action, err)
	}
	return nil
}

// encodeChanges is the JSON of the changes column: empty for none.
func encodeChanges(changes []portal.FieldChange) (string, error) {
	if len(changes) == 0 {
		return "", nil
	}
	out := make([]portal.FieldChange, len(changes))
	for i, c := range changes {
		if c.Secret {
			c.Before, c.After = "", ""
		}
		out[i] = c
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// auditRow is one row of audit_log as read.
type auditRow struct {
	ID        int64
	ActorID   int64
	Action    string
	Subject   string
	Detail    string
	IP        string
	RequestID string
	Changes   string
	CreatedAt time.Time
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
	var rows []auditRow
	err := s.sel(ctx, &rows, `SELECT id, actor_id, action, subject, detail, ip, request_id, changes, created_at
		FROM audit_log WHERE `+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list audit: %w", err)
	}
	out := make([]*portal.AuditEvent, len(rows))
	for i, r := range rows {
		e := &portal.AuditEvent{ID: r.ID, ActorID: r.ActorID, Action: r.Action, Subject: r.Subject, Detail: r.Detail,
			IP: r.IP, RequestID: r.RequestID, CreatedAt: r.CreatedAt.UTC()}
		if r.Changes != "" {
			if err := json.Unmarshal([]byte(r.Changes), &e.Changes); err != nil {
				return nil, 0, fmt.Errorf("store: list audit: changes of event %d: %w", r.ID, err)
			}
		}
		out[i] = e
	}
	return out, total, nil
}
