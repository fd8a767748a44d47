package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.org/certportal/internal/store"
)

const (
	// dueBatch is how many due rows one sweep transaction claims.
	dueBatch = 100
	// dueSweepName is the periodic job that fires due work.
	dueSweepName = "jobs.due-sweep"
)

// Schedule writes work to run once at dueAt, in the caller's transaction:
// at the first sweep after dueAt on the store's clock, a job of kind with
// args is enqueued exactly once and runs like any other (Handle registers
// its handler). (kind, key) names the work: scheduling it again while it is
// pending or after it fired is a no-op, so call Schedule freely from every
// place that causes it. Scheduling cancelled work again revives it with the
// new time and args. Prefix keys with what they are about, e.g.
// "booking:1234". If the transaction rolls back, nothing is scheduled.
func Schedule(ctx context.Context, tx *store.Tx, kind, key string, dueAt time.Time, args any) error {
	if kind == "" || key == "" {
		return errors.New("jobs: schedule: empty kind or key")
	}
	if dueAt.IsZero() {
		return fmt.Errorf("jobs: schedule %s: no due time", kind)
	}
	b, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("jobs: schedule %s: encode args: %w", kind, err)
	}
	if _, err := tx.InsertDueWork(ctx, kind, key, string(b), dueAt); err != nil {
		return fmt.Errorf("jobs: schedule %s: %w", kind, err)
	}
	return nil
}

// together holds the kinds of due work that fire in batches (FireTogether).
var together sync.Map // kind -> true

// FireTogether declares that due work of kind fires in batches: each sweep
// transaction writes one job for all the rows of kind it claimed (up to
// the sweep's batch of 100), whose args are the JSON array of the rows'
// args in due order, instead of one job per row. Work that falls due by
// the thousand at one instant (the results of a session) then costs a job
// per hundred rows. Each row still fires once, claimed by the same
// conditional update; the kind's handler takes the array, and must
// finish or fail every element of it (a retry runs them all again). The
// package that owns the kind declares it, once, before any sweep.
func FireTogether(kind string) bool {
	together.Store(kind, true)
	return true
}

func firesTogether(kind string) bool {
	_, ok := together.Load(kind)
	return ok
}

// Reschedule moves pending work to dueAt, earlier or later. It returns false
// when the work is not pending (never scheduled, already fired, or
// cancelled).
func Reschedule(ctx context.Context, tx *store.Tx, kind, key string, dueAt time.Time) (bool, error) {
	if dueAt.IsZero() {
		return false, fmt.Errorf("jobs: reschedule %s: no due time", kind)
	}
	ok, err := tx.RescheduleDueWork(ctx, kind, key, dueAt)
	if err != nil {
		return false, fmt.Errorf("jobs: reschedule %s: %w", kind, err)
	}
	return ok, nil
}

// Cancel calls off pending work so it never fires. It returns false when the
// work is not pending; work that already fired is not undone.
func Cancel(ctx context.Context, tx *store.Tx, kind, key string) (bool, error) {
	ok, err := tx.CancelDueWork(ctx, kind, key)
	if err != nil {
		return false, fmt.Errorf("jobs: cancel %s: %w", kind, err)
	}
	return ok, nil
}

// SweepDue fires the work due by now on the store's clock and returns how
// many it fired. Each row is claimed with a conditional update (pending and
// due) in the transaction that writes its job to the outbox, so it fires
// once however many sweeps run at the same time; the job is then forwarded
// to River. A periodic job calls it every Config.DueInterval; tests call it
// after moving the clock.
func (r *Runner) SweepDue(ctx context.Context) (int, error) {
	total := 0
	for {
		n, more, err := r.sweepDueBatch(ctx)
		total += n
		if err != nil {
			return total, fmt.Errorf("jobs: sweep due work: %w", err)
		}
		if !more || n == 0 {
			break
		}
	}
	if total > 0 {
		r.Notify()
		r.log.InfoContext(ctx, "jobs: fired due work", "count", total)
	}
	return total, nil
}

// sweepDueBatch fires one batch in one transaction. more is true when the
// batch was full.
func (r *Runner) sweepDueBatch(ctx context.Context) (fired int, more bool, err error) {
	err = r.st.Transact(ctx, func(tx *store.Tx) error {
		fired, more = 0, false
		rows, err := tx.LockDueWorkReady(ctx, dueBatch)
		if err != nil {
			return err
		}
		more = len(rows) == dueBatch
		ids := make([]int64, len(rows))
		for i, row := range rows {
			ids[i] = row.ID
		}
		claimed, err := tx.MarkDueWorksFired(ctx, ids)
		if err != nil {
			return err
		}
		won := make(map[int64]bool, len(claimed))
		for _, id := range claimed {
			won[id] = true
		}
		var kinds []string // of batches, in the order they first come
		batches := map[string][]*store.DueWork{}
		for _, row := range rows {
			if !won[row.ID] {
				continue
			}
			if firesTogether(row.Kind) {
				if batches[row.Kind] == nil {
					kinds = append(kinds, row.Kind)
				}
				batches[row.Kind] = append(batches[row.Kind], row)
				continue
			}
			if _, err := tx.InsertOutbox(ctx, row.Kind, row.Args, dueOutboxKey(row.ID)); err != nil {
				return err
			}
			fired++
		}
		for _, kind := range kinds {
			batch := batches[kind]
			args := make([]string, len(batch))
			for i, row := range batch {
				args[i] = row.Args
			}
			// The first row's key: it fired in this batch and no other.
			if _, err := tx.InsertOutbox(ctx, kind, "["+strings.Join(args, ",")+"]", dueOutboxKey(batch[0].ID)); err != nil {
				return err
			}
			fired += len(batch)
		}
		return nil
	})
	return fired, more, err
}

// dueOutboxKey makes the outbox row of a due row unique.
func dueOutboxKey(id int64) string { return "due:" + strconv.FormatInt(id, 10) }
