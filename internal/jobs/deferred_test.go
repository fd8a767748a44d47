package jobs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestDeferredKeepsTheRulesOfScheduleAndEnqueue: work and jobs gathered
// in a Deferred and written a hundred to a statement follow Schedule's and
// Enqueue's rules: pending work is left as it was, cancelled work revives
// with its new time, a unique key already written (or gathered twice) is
// one job; and nothing is written when the transaction rolls back.
func TestDeferredKeepsTheRulesOfScheduleAndEnqueue(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		ctx := context.Background()
		st, _ := dueStore(t, engine)
		day := 24 * time.Hour
		mustSchedule(t, st, "pending", t0.Add(day))
		mustSchedule(t, st, "cancelled", t0.Add(day))
		inTx(t, st, func(ctx context.Context, tx *store.Tx) (bool, error) {
			return jobs.Cancel(ctx, tx, kindRecord, "cancelled")
		})
		mustEnqueue(t, st, kindRecord, recordArgs{"old"}, jobs.UniqueKey("job:old"))

		fill := func(d *jobs.Deferred) error {
			for _, key := range []string{"pending", "cancelled", "new", "new"} {
				if err := d.Schedule(kindRecord, key, t0.Add(3*day), recordArgs{key}); err != nil {
					return err
				}
			}
			for i := range 250 {
				if err := d.Schedule(kindRecord, fmt.Sprintf("bulk%03d", i), t0.Add(2*day), recordArgs{"bulk"}); err != nil {
					return err
				}
			}
			for _, key := range []string{"job:old", "job:new", "job:new", ""} {
				if err := d.Enqueue(kindRecord, recordArgs{key}, jobs.UniqueKey(key)); err != nil {
					return err
				}
			}
			return nil
		}
		before := countOutbox(t, st)
		err := st.Transact(ctx, func(tx *store.Tx) error {
			d := &jobs.Deferred{}
			if err := fill(d); err != nil {
				return err
			}
			if err := d.Flush(ctx, tx); err != nil {
				return err
			}
			return fmt.Errorf("roll back")
		})
		if err == nil {
			t.Fatal("the transaction committed")
		}
		if n := countOutbox(t, st); n != before {
			t.Fatalf("a rolled-back flush left %d jobs", n-before)
		}
		if _, err := st.FindDueWorkByKey(ctx, kindRecord, "new"); err == nil {
			t.Fatal("a rolled-back flush left due work")
		}

		err = st.Transact(ctx, func(tx *store.Tx) error {
			d := &jobs.Deferred{}
			if err := fill(d); err != nil {
				return err
			}
			return d.Flush(ctx, tx)
		})
		if err != nil {
			t.Fatal(err)
		}
		for key, want := range map[string]struct {
			state string
			due   time.Time
		}{
			"pending":   {store.DuePending, t0.Add(day)},
			"cancelled": {store.DuePending, t0.Add(3 * day)},
			"new":       {store.DuePending, t0.Add(3 * day)},
			"bulk249":   {store.DuePending, t0.Add(2 * day)},
		} {
			w, err := st.FindDueWorkByKey(ctx, kindRecord, key)
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if w.State != want.state || !w.DueAt.Equal(want.due) {
				t.Errorf("%s: %s at %s, want %s at %s", key, w.State, w.DueAt, want.state, want.due)
			}
		}
		// job:new once, the job without a key, and not job:old again.
		if n := countOutbox(t, st); n != before+2 {
			t.Errorf("%d jobs written, want 2", n-before)
		}
	})
}
