package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.org/certportal/internal/store"
)

// Deferred gathers the due work (Schedule) and the jobs (Enqueue) that one
// transaction causes and writes them several rows to a statement when
// flushed, for a transaction that causes thousands (a results import). The
// rules are Schedule's and Enqueue's: work of a kind and key scheduled
// again is a no-op, a job whose unique key exists already is not written.
// Flush it in the transaction before it commits; if the transaction rolls
// back, nothing was written.
type Deferred struct {
	due  []store.DueWorkInsert
	jobs []store.OutboxInsert
	seen map[string]bool // kind and key of work, and unique keys of jobs, gathered
}

// Schedule is Schedule, deferred to Flush.
func (d *Deferred) Schedule(kind, key string, dueAt time.Time, args any) error {
	if kind == "" || key == "" {
		return errors.New("jobs: schedule: empty kind or key")
	}
	if dueAt.IsZero() {
		return fmt.Errorf("jobs: schedule %s: no due time", kind)
	}
	if d.seen["due\x00"+kind+"\x00"+key] {
		return nil
	}
	b, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("jobs: schedule %s: encode args: %w", kind, err)
	}
	d.mark("due\x00" + kind + "\x00" + key)
	d.due = append(d.due, store.DueWorkInsert{Kind: kind, Key: key, Args: string(b), DueAt: dueAt})
	return nil
}

// Enqueue is Enqueue, deferred to Flush.
func (d *Deferred) Enqueue(kind string, args any, opts ...Option) error {
	if kind == "" {
		return errors.New("jobs: enqueue: empty kind")
	}
	var o enqueueOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.uniqueKey != "" && d.seen["job\x00"+o.uniqueKey] {
		return nil
	}
	b, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: encode args: %w", kind, err)
	}
	if o.uniqueKey != "" {
		d.mark("job\x00" + o.uniqueKey)
	}
	d.jobs = append(d.jobs, store.OutboxInsert{Kind: kind, Args: string(b), UniqueKey: o.uniqueKey})
	return nil
}

func (d *Deferred) mark(k string) {
	if d.seen == nil {
		d.seen = make(map[string]bool)
	}
	d.seen[k] = true
}

// Flush writes what was gathered in tx and starts over.
func (d *Deferred) Flush(ctx context.Context, tx *store.Tx) error {
	if err := tx.InsertDueWorks(ctx, d.due); err != nil {
		return fmt.Errorf("jobs: schedule: %w", err)
	}
	if err := tx.InsertOutboxes(ctx, d.jobs); err != nil {
		return fmt.Errorf("jobs: enqueue: %w", err)
	}
	d.due, d.jobs = d.due[:0], d.jobs[:0]
	return nil
}
