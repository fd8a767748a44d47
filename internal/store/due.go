package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// States of a due_work row.
const (
	DuePending   = "pending"   // waiting for its time
	DueFired     = "fired"     // its job was written to the outbox
	DueCancelled = "cancelled" // called off before its time
)

// DueWork is work to do once at a set time, one row per (kind, key).
type DueWork struct {
	ID         int64
	Kind       string
	Key        string
	Args       string // JSON
	DueAt      time.Time
	State      string
	CreatedAt  time.Time
	FinishedAt *time.Time // when it fired or was cancelled
}

const dueWorkColumns = `id, kind, key, args, due_at, state, created_at, finished_at`

// InsertDueWork writes work due at dueAt in the caller's transaction. A
// pending or fired row with the same kind and key makes it a no-op (returns
// false); a cancelled one is scheduled again with the new time and args.
func (tx *Tx) InsertDueWork(ctx context.Context, kind, key, args string, dueAt time.Time) (bool, error) {
	var id int64
	err := tx.get(ctx, &id, `INSERT INTO due_work (kind, key, args, due_at, state, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, key) DO UPDATE SET args = excluded.args, due_at = excluded.due_at,
			state = excluded.state, created_at = excluded.created_at, finished_at = NULL
		WHERE due_work.state = ? RETURNING id`,
		kind, key, args, dueAt.UTC(), DuePending, tx.now, DueCancelled)
	if err != nil {
		if isNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("store: insert due work %s: %w", kind, err)
	}
	return true, nil
}

// DueWorkInsert is one row for InsertDueWorks.
type DueWorkInsert struct {
	Kind, Key, Args string
	DueAt           time.Time
}

// dueWorksPerInsert is how many rows one INSERT of InsertDueWorks writes.
const dueWorksPerInsert = 100

// InsertDueWorks is InsertDueWork for many rows, several to a statement,
// with the same rule per row: a pending or fired row of the same kind and
// key is left alone, a cancelled one scheduled again. Each (kind, key)
// must appear once in rows.
func (tx *Tx) InsertDueWorks(ctx context.Context, rows []DueWorkInsert) error {
	for start := 0; start < len(rows); start += dueWorksPerInsert {
		batch := rows[start:min(start+dueWorksPerInsert, len(rows))]
		args := make([]any, 0, 6*len(batch)+1)
		for _, r := range batch {
			args = append(args, r.Kind, r.Key, r.Args, r.DueAt.UTC(), DuePending, tx.now)
		}
		args = append(args, DueCancelled)
		_, err := tx.exec(ctx, `INSERT INTO due_work (kind, key, args, due_at, state, created_at) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(batch)), ", ")+`
			ON CONFLICT (kind, key) DO UPDATE SET args = excluded.args, due_at = excluded.due_at,
				state = excluded.state, created_at = excluded.created_at, finished_at = NULL
			WHERE due_work.state = ?`, args...)
		if err != nil {
			return fmt.Errorf("store: insert %d due work rows: %w", len(batch), err)
		}
	}
	return nil
}

// RescheduleDueWork moves pending work to dueAt. It returns false when no
// pending row has this kind and key (never scheduled, fired or cancelled).
func (tx *Tx) RescheduleDueWork(ctx context.Context, kind, key string, dueAt time.Time) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE due_work SET due_at = ? WHERE kind = ? AND key = ? AND state = ?`,
		dueAt.UTC(), kind, key, DuePending)
	return changedOne(r, err, "reschedule due work "+kind)
}

// CancelDueWork calls off pending work. It returns false when no pending row
// has this kind and key.
func (tx *Tx) CancelDueWork(ctx context.Context, kind, key string) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE due_work SET state = ?, finished_at = ? WHERE kind = ? AND key = ? AND state = ?`,
		DueCancelled, tx.now, kind, key, DuePending)
	return changedOne(r, err, "cancel due work "+kind)
}

// LockDueWorkReady returns up to limit pending rows due by the transaction's
// time, earliest first. On PostgreSQL they are locked and rows another
// transaction holds are skipped, so concurrent sweeps share the work.
func (tx *Tx) LockDueWorkReady(ctx context.Context, limit int) ([]*DueWork, error) {
	lock := ""
	if tx.s.engine == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []*DueWork
	err := tx.sel(ctx, &out, `SELECT `+dueWorkColumns+` FROM due_work
		WHERE state = ? AND due_at <= ? ORDER BY due_at, id LIMIT ?`+lock, DuePending, tx.now, limit)
	if err != nil {
		return nil, fmt.Errorf("store: lock due work: %w", err)
	}
	return out, nil
}

// MarkDueWorkFired claims a row for firing: it moves from pending to fired
// only if it is still pending and due by the transaction's time. It returns
// false when another sweep claimed it, or it was cancelled or moved later.
func (tx *Tx) MarkDueWorkFired(ctx context.Context, id int64) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE due_work SET state = ?, finished_at = ? WHERE id = ? AND state = ? AND due_at <= ?`,
		DueFired, tx.now, id, DuePending, tx.now)
	return changedOne(r, err, "fire due work")
}

// MarkDueWorksFired claims rows for firing in one statement, as
// MarkDueWorkFired does for one: each moves from pending to fired only if
// it is still pending and due by the transaction's time. It returns the
// ids it claimed; the others were claimed by another sweep, cancelled or
// moved later.
func (tx *Tx) MarkDueWorksFired(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	// The list is padded with its last id to a multiple of 64, so few
	// query texts (and prepared statements) serve every batch size.
	n := (len(ids) + 63) / 64 * 64
	args := make([]any, 0, n+4)
	args = append(args, DueFired, tx.now)
	for i := range n {
		args = append(args, ids[min(i, len(ids)-1)])
	}
	args = append(args, DuePending, tx.now)
	var out []int64
	err := tx.sel(ctx, &out, `UPDATE due_work SET state = ?, finished_at = ?
		WHERE id IN (`+placeholders(n)+`) AND state = ? AND due_at <= ? RETURNING id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: fire due work: %w", err)
	}
	return out, nil
}

// FindDueWorkByKey returns the row of a kind and key, or portal.ErrNotFound.
func (s *Store) FindDueWorkByKey(ctx context.Context, kind, key string) (*DueWork, error) {
	var out DueWork
	if err := s.get(ctx, &out, `SELECT `+dueWorkColumns+` FROM due_work WHERE kind = ? AND key = ?`, kind, key); err != nil {
		return nil, fmt.Errorf("store: find due work %s: %w", kind, err)
	}
	return &out, nil
}

// CountOverdueDueWork counts pending work due before cutoff, for metrics.
func (s *Store) CountOverdueDueWork(ctx context.Context, cutoff time.Time) (int, error) {
	var n int
	if err := s.get(ctx, &n, `SELECT COUNT(*) FROM due_work WHERE state = ? AND due_at < ?`, DuePending, cutoff.UTC()); err != nil {
		return 0, fmt.Errorf("store: count overdue work: %w", err)
	}
	return n, nil
}

// DeleteFinishedDueWork removes rows fired or cancelled before cutoff. Their
// keys can then be scheduled again.
func (tx *Tx) DeleteFinishedDueWork(ctx context.Context, cutoff time.Time) (int64, error) {
	r, err := tx.exec(ctx, `DELETE FROM due_work WHERE state <> ? AND finished_at < ?`, DuePending, cutoff)
	if err != nil {
		return 0, fmt.Errorf("store: delete finished due work: %w", err)
	}
	return r.RowsAffected()
}

// changedOne reports whether a conditional update changed a row.
func changedOne(r interface{ RowsAffected() (int64, error) }, err error, what string) (bool, error) {
	if err != nil {
		return false, fmt.Errorf("store: %s: %w", what, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: %s: %w", what, err)
	}
	return n > 0, nil
}
