package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
)

// Events are appended to the transaction and written just before it
// commits. Their ids come from the one-row event_counter: the update takes
// the row's lock, which is held until commit, so event-writing
// transactions commit one after the other in id order. A reader that
// sees id n has therefore seen every id below n, and a cursor never skips
// an event that commits late (a sequence or identity column would allow
// that on PostgreSQL). Taking the lock last keeps it short and after every
// other lock of the transaction, so it adds no deadlock. SQLite write
// transactions are serialized anyway.

// AppendEvent records a business fact in the transaction: written with it,
// or not at all. payload is marshalled to a JSON object (nil for {}).
func (tx *Tx) AppendEvent(typ portal.EventType, kind string, id int64, ref string, actorID int64, payload map[string]any) error {
	if typ == "" || kind == "" {
		return fmt.Errorf("store: append event: type and subject kind are required")
	}
	body := "{}"
	if len(payload) > 0 {
		b, err := json.Marshal(payload)
		if err != nil {
			return fmt.Errorf("store: append event %s: %w", typ, err)
		}
		body = string(b)
	}
	e := portal.Event{Type: typ, SubjectKind: kind, SubjectID: id, SubjectRef: ref, Payload: body, CreatedAt: tx.now}
	if actorID != 0 {
		e.ActorID = &actorID
	}
	tx.events = append(tx.events, e)
	return nil
}

// writeEvents inserts the transaction's events with ids from the counter.
func (tx *Tx) writeEvents(ctx context.Context) error {
	if len(tx.events) == 0 {
		return nil
	}
	var last int64
	err := tx.get(ctx, &last, `UPDATE event_counter SET last_id = last_id + ? WHERE one = 1 RETURNING last_id`, len(tx.events))
	if err != nil {
		return fmt.Errorf("store: event counter: %w", err)
	}
	first := last - int64(len(tx.events)) + 1
	for start := 0; start < len(tx.events); start += eventsPerInsert {
		batch := tx.events[start:min(start+eventsPerInsert, len(tx.events))]
		args := make([]any, 0, 8*len(batch))
		for i, e := range batch {
			args = append(args, first+int64(start+i), string(e.Type), e.SubjectKind, e.SubjectID, e.SubjectRef, e.ActorID, e.Payload, e.CreatedAt)
		}
		if _, err := tx.exec(ctx, insertEvents(len(batch)), args...); err != nil {
			return fmt.Errorf("store: insert %d events from %s: %w", len(batch), batch[0].Type, err)
		}
	}
	tx.events = nil
	return nil
}

// eventsPerInsert is how many events one INSERT writes: a transaction
// that records thousands of facts (a results import) writes them in a few
// statements rather than one each.
const eventsPerInsert = 64

// insertEvents is the INSERT of n events.
func insertEvents(n int) string {
	return `INSERT INTO events (id, type, subject_kind, subject_id, subject_ref, actor_id, payload, created_at) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", n), ", ")
}

type eventRow struct {
	ID          int64
	Type        string
	SubjectKind string
	SubjectID   int64
	SubjectRef  string
	ActorID     *int64
	Payload     string
	CreatedAt   time.Time
}

// ListEvents returns committed events after f.After, oldest first, up to
// f.Limit (default 100, at most 1000). The last one's ID is the next
// cursor.
func (s *Store) ListEvents(ctx context.Context, f portal.EventFilter) ([]*portal.Event, error) {
	return listEvents(ctx, s, f)
}

// ListEvents returns committed events after f.After, oldest first, up to
// f.Limit (default 100, at most 1000), as the transaction sees them.
func (tx *Tx) ListEvents(ctx context.Context, f portal.EventFilter) ([]*portal.Event, error) {
	return listEvents(ctx, tx, f)
}

func listEvents(ctx context.Context, r reader, f portal.EventFilter) ([]*portal.Event, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	var where []string
	args := []any{f.After}
	where = append(where, "id > ?")
	if len(f.Types) > 0 {
		marks := make([]string, len(f.Types))
		for i, t := range f.Types {
			marks[i] = "?"
			args = append(args, string(t))
		}
		where = append(where, "type IN ("+strings.Join(marks, ", ")+")")
	}
	if f.SubjectKind != "" {
		where = append(where, "subject_kind = ?")
		args = append(args, f.SubjectKind)
	}
	if f.SubjectID != 0 {
		where = append(where, "subject_id = ?")
		args = append(args, f.SubjectID)
	}
	args = append(args, limit)
	var rows []eventRow
	err := r.sel(ctx, &rows, `SELECT id, type, subject_kind, subject_id, subject_ref, actor_id, payload, created_at
		FROM events WHERE `+strings.Join(where, " AND ")+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list events: %w", err)
	}
	out := make([]*portal.Event, len(rows))
	for i, e := range rows {
		out[i] = &portal.Event{ID: e.ID, Type: portal.EventType(e.Type), SubjectKind: e.SubjectKind, SubjectID: e.SubjectID,
			SubjectRef: e.SubjectRef, ActorID: e.ActorID, Payload: e.Payload, CreatedAt: e.CreatedAt.UTC()}
	}
	return out, nil
}

// DeleteEventsBefore removes events created before cutoff, at most limit
// of them (the oldest), and returns how many went.
func (tx *Tx) DeleteEventsBefore(ctx context.Context, cutoff time.Time, limit int) (int64, error) {
	r, err := tx.exec(ctx, `DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < ? ORDER BY id LIMIT ?)`, cutoff, limit)
	if err != nil {
		return 0, fmt.Errorf("store: delete events: %w", err)
	}
	return r.RowsAffected()
}

// PurgeEvents removes, in batches, every event older than retention on
// the store's clock: an event exactly retention old stays.
func (s *Store) PurgeEvents(ctx context.Context, retention time.Duration) (int64, error) {
	cutoff := s.clock.Now().UTC().Add(-retention)
	var total int64
	for {
		var n int64
		err := s.Transact(ctx, func(tx *Tx) error {
			var err error
			n, err = tx.DeleteEventsBefore(ctx, cutoff, 1000)
			return err
		})
		total += n
		if err != nil || n < 1000 {
			return total, err
		}
	}
}
