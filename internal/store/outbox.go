package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// OutboxJob is a job written in a business transaction, waiting to be
// forwarded to the job queue after commit.
type OutboxJob struct {
	ID          int64
	Kind        string
	Args        string // JSON
	UniqueKey   *string
	CreatedAt   time.Time
	ForwardedAt *time.Time
}

// InsertOutbox writes a job in the caller's transaction. A non-empty
// uniqueKey makes a second job with the same key a no-op (returns 0): one
// job per cause.
func (tx *Tx) InsertOutbox(ctx context.Context, kind, args, uniqueKey string) (int64, error) {
	var key *string
	if uniqueKey != "" {
		key = &uniqueKey
	}
	var id int64
	err := tx.get(ctx, &id, `INSERT INTO job_outbox (kind, args, unique_key, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (unique_key) DO NOTHING RETURNING id`, kind, args, key, tx.now)
	if err != nil {
		if isNotFound(err) {
			return 0, nil // the unique key existed: the job is already there
		}
		return 0, fmt.Errorf("store: insert outbox %s: %w", kind, err)
	}
	return id, nil
}

// OutboxInsert is one job for InsertOutboxes.
type OutboxInsert struct {
	Kind, Args, UniqueKey string
}

// outboxPerInsert is how many jobs one INSERT of InsertOutboxes writes.
const outboxPerInsert = 100

// InsertOutboxes is InsertOutbox for many jobs, several to a statement: a
// job whose unique key exists already is left out.
func (tx *Tx) InsertOutboxes(ctx context.Context, jobs []OutboxInsert) error {
	for start := 0; start < len(jobs); start += outboxPerInsert {
		batch := jobs[start:min(start+outboxPerInsert, len(jobs))]
		args := make([]any, 0, 4*len(batch))
		for _, j := range batch {
			var key *string
			if j.UniqueKey != "" {
				key = &j.UniqueKey
			}
			args = append(args, j.Kind, j.Args, key, tx.now)
		}
		_, err := tx.exec(ctx, `INSERT INTO job_outbox (kind, args, unique_key, created_at) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", len(batch)), ", ")+` ON CONFLICT (unique_key) DO NOTHING`, args...)
		if err != nil {
			return fmt.Errorf("store: insert %d outbox jobs: %w", len(batch), err)
		}
	}
	return nil
}

// ListPendingOutbox returns up to limit committed jobs not yet forwarded, oldest
// first.
func (s *Store) ListPendingOutbox(ctx context.Context, limit int) ([]*OutboxJob, error) {
	var out []*OutboxJob
	err := s.sel(ctx, &out, `SELECT id, kind, args, unique_key, created_at, forwarded_at FROM job_outbox
		WHERE forwarded_at IS NULL ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending outbox: %w", err)
	}
	return out, nil
}

// MarkOutboxForwarded records that the job reached the queue.
func (tx *Tx) MarkOutboxForwarded(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, `UPDATE job_outbox SET forwarded_at = ? WHERE id = ? AND forwarded_at IS NULL`, tx.now, id)
	return err
}

// CountPendingOutbox counts jobs waiting to be forwarded, for metrics.
func (s *Store) CountPendingOutbox(ctx context.Context) (int, error) {
	var n int
	err := s.get(ctx, &n, `SELECT COUNT(*) FROM job_outbox WHERE forwarded_at IS NULL`)
	return n, err
}

// DeleteForwardedOutbox removes rows forwarded before cutoff.
func (tx *Tx) DeleteForwardedOutbox(ctx context.Context, cutoff time.Time) (int64, error) {
	r, err := tx.exec(ctx, `DELETE FROM job_outbox WHERE forwarded_at IS NOT NULL AND forwarded_at < ?`, cutoff)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}
