package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// kindTogether is due work that fires together: its handler takes an array.
const kindTogether = "test.together"

var _ = jobs.FireTogether(kindTogether)

// TestDueWorkFiredTogetherOnceAcrossInstances: work of a kind declared
// FireTogether, swept by three instances at once, fires each row exactly
// once, a hundred rows at most to a job whose args are the rows' args as
// an array (in due order), beside work of an ordinary kind that still
// fires one job per row; every element then runs once.
func TestDueWorkFiredTogetherOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		ctx := context.Background()
		clock := testutil.NewClock(t0)
		opts := testutil.StoreOptions(t, engine, clock)
		const instances, work, single = 3, 450, 20
		var stores []*store.Store
		for i := range instances {
			if i > 0 && engine == store.SQLite {
				stores = append(stores, stores[0])
				continue
			}
			st, err := store.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			mustMigrate(t, st)
			stores = append(stores, st)
		}
		st := stores[0]
		var runners []*jobs.Runner
		for _, s := range stores {
			r := newRunner(t, s, dueConfig(t, clock))
			r.Handle(kindTogether, func(ctx context.Context, args json.RawMessage) error {
				var list []recordArgs
				if err := json.Unmarshal(args, &list); err != nil {
					return jobs.Permanent(fmt.Errorf("not an array: %s", args))
				}
				for _, a := range list {
					if err := record(ctx, s, a.Key); err != nil {
						return err
					}
				}
				return nil
			})
			runners = append(runners, r)
		}
		err := st.Transact(ctx, func(tx *store.Tx) error {
			for i := range work {
				key := fmt.Sprintf("t%03d", i)
				if err := jobs.Schedule(ctx, tx, kindTogether, key, t0.Add(time.Hour), recordArgs{key}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range single {
			mustSchedule(t, st, fmt.Sprintf("s%02d", i), t0.Add(time.Hour))
		}

		clock.Set(t0.Add(time.Hour))
		fired := make([]int, instances)
		var wg sync.WaitGroup
		for i, r := range runners {
			wg.Go(func() {
				for range 3 {
					n, err := r.SweepDue(ctx)
					if err != nil {
						t.Errorf("instance %d: SweepDue: %v", i, err)
						return
					}
					fired[i] += n
				}
			})
		}
		wg.Wait()
		total := 0
		for _, n := range fired {
			total += n
		}
		if total != work+single {
			t.Fatalf("instances fired %v (total %d), want %d in all", fired, total, work+single)
		}

		// The outbox: one job per ordinary row, and arrays of at most 100
		// together covering every row of kindTogether once.
		rows, err := st.DB().QueryContext(ctx, `SELECT kind, args FROM job_outbox ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		batches, singles := 0, 0
		for rows.Next() {
			var kind, args string
			if err := rows.Scan(&kind, &args); err != nil {
				t.Fatal(err)
			}
			switch kind {
			case kindRecord:
				singles++
			case kindTogether:
				batches++
				var list []recordArgs
				if err := json.Unmarshal([]byte(args), &list); err != nil {
					t.Fatalf("batch args %s: %v", args, err)
				}
				if len(list) == 0 || len(list) > 100 {
					t.Errorf("a batch of %d rows", len(list))
				}
				for i, a := range list {
					seen[a.Key]++
					if i > 0 && a.Key < list[i-1].Key {
						t.Errorf("batch out of due order: %s after %s", a.Key, list[i-1].Key)
					}
				}
			default:
				t.Errorf("outbox job of kind %s", kind)
			}
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if singles != single {
			t.Errorf("%d ordinary jobs, want %d", singles, single)
		}
		if batches < (work+99)/100 || batches >= work/2 {
			t.Errorf("%d batches for %d rows", batches, work)
		}
		if len(seen) != work {
			t.Errorf("batches name %d rows, want %d", len(seen), work)
		}
		for key, n := range seen {
			if n != 1 {
				t.Errorf("%s in %d batches, want 1", key, n)
			}
		}

		for _, r := range runners {
			mustStart(t, r)
			mustFlush(t, r)
		}
		waitFor(t, "every due job", func() bool { return len(allRuns(t, st)) == work+single })
		for _, r := range runners {
			settle(t, st, r, fmt.Sprintf("%p", r))
		}
		for job, n := range allRuns(t, st) {
			if n != 1 {
				t.Errorf("%s ran %d times, want 1", job, n)
			}
		}
	})
}
