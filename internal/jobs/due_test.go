package jobs_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// dueStore opens a fresh store on engine whose clock the test moves.
func dueStore(t *testing.T, engine string) (*store.Store, *testutil.Clock) {
	t.Helper()
	clock := testutil.NewClock(t0)
	st := testutil.MustOpenStore(t, engine, clock)
	mustMigrate(t, st)
	return st, clock
}

func dueConfig(t *testing.T, clock *testutil.Clock) jobs.Config {
	cfg := testConfig(t)
	cfg.Clock = clock
	return cfg
}

// mustSchedule commits one piece of due work of kindRecord that records key.
func mustSchedule(t *testing.T, st *store.Store, key string, due time.Time) {
	t.Helper()
	ctx := context.Background()
	if err := st.Transact(ctx, func(tx *store.Tx) error {
		return jobs.Schedule(ctx, tx, kindRecord, key, due, recordArgs{key})
	}); err != nil {
		t.Fatalf("schedule %s: %v", key, err)
	}
}

func mustSweep(t *testing.T, r *jobs.Runner) int {
	t.Helper()
	n, err := r.SweepDue(context.Background())
	if err != nil {
		t.Fatalf("SweepDue: %v", err)
	}
	return n
}

// inTx runs fn in a committed transaction and returns its result.
func inTx(t *testing.T, st *store.Store, fn func(ctx context.Context, tx *store.Tx) (bool, error)) bool {
	t.Helper()
	ctx := context.Background()
	var ok bool
	if err := st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		ok, err = fn(ctx, tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestDueWorkFiresOnceAtItsTime moves the clock up to and past the due
// time: the work fires at the first sweep at or after it, and only then.
func TestDueWorkFiresOnceAtItsTime(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		st, clock := dueStore(t, engine)
		r := newRunner(t, st, dueConfig(t, clock))
		due := t0.Add(5 * 24 * time.Hour)
		mustSchedule(t, st, "publish", due)
		// Scheduling again, even at another time, changes nothing.
		mustSchedule(t, st, "publish", t0.Add(time.Hour))

		steps := []struct {
			at        time.Time
			wantFired int
		}{
			{t0, 0},
			{t0.Add(time.Hour), 0},
			{due.Add(-time.Second), 0},
			{due, 1},
			{due, 0},
			{due.Add(30 * 24 * time.Hour), 0},
		}
		for i, s := range steps {
			clock.Set(s.at)
			if got := mustSweep(t, r); got != s.wantFired {
				t.Fatalf("step %d at %s: sweep fired %d, want %d", i, s.at, got, s.wantFired)
			}
		}
		mustSchedule(t, st, "publish", due.Add(60*24*time.Hour)) // after it fired: still once
		clock.Set(due.Add(90 * 24 * time.Hour))
		if got := mustSweep(t, r); got != 0 {
			t.Fatalf("rescheduling fired work fired it again (%d)", got)
		}

		mustStart(t, r)
		mustFlush(t, r)
		waitFor(t, "the due job", func() bool { return runs(t, st, "publish") >= 1 })
		settle(t, st, r, "due")
		if n := runs(t, st, "publish"); n != 1 {
			t.Fatalf("due work ran %d times, want 1", n)
		}
		w, err := st.FindDueWorkByKey(context.Background(), kindRecord, "publish")
		if err != nil {
			t.Fatal(err)
		}
		if w.State != store.DueFired || !w.DueAt.Equal(due) || w.FinishedAt == nil || !w.FinishedAt.Equal(due) {
			t.Fatalf("row = state %s due %s finished %v, want fired, due %s, finished at %s", w.State, w.DueAt, w.FinishedAt, due, due)
		}
	})
}

// TestDueWorkCancelAndReschedule calls work off and moves it by key.
func TestDueWorkCancelAndReschedule(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		st, clock := dueStore(t, engine)
		r := newRunner(t, st, dueConfig(t, clock))
		day := 24 * time.Hour
		cancel := func(key string) bool {
			return inTx(t, st, func(ctx context.Context, tx *store.Tx) (bool, error) {
				return jobs.Cancel(ctx, tx, kindRecord, key)
			})
		}
		move := func(key string, at time.Time) bool {
			return inTx(t, st, func(ctx context.Context, tx *store.Tx) (bool, error) {
				return jobs.Reschedule(ctx, tx, kindRecord, key, at)
			})
		}

		mustSchedule(t, st, "cancelled", t0.Add(day))
		mustSchedule(t, st, "later", t0.Add(day))
		mustSchedule(t, st, "sooner", t0.Add(3*day))
		mustSchedule(t, st, "revived", t0.Add(day))

		checks := []struct {
			name string
			got  bool
			want bool
		}{
			{"cancel pending", cancel("cancelled"), true},
			{"cancel twice", cancel("cancelled"), false},
			{"cancel unknown", cancel("unknown"), false},
			{"move later", move("later", t0.Add(2*day)), true},
			{"move sooner", move("sooner", t0.Add(day)), true},
			{"move cancelled", move("cancelled", t0.Add(day)), false},
			{"cancel to revive", cancel("revived"), true},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		}
		mustSchedule(t, st, "revived", t0.Add(2*day)) // scheduled again after cancel

		clock.Set(t0.Add(day))
		if got := mustSweep(t, r); got != 1 { // sooner
			t.Fatalf("sweep at day 1 fired %d, want 1 (only the work moved sooner)", got)
		}
		clock.Set(t0.Add(2 * day))
		if got := mustSweep(t, r); got != 2 { // later, revived
			t.Fatalf("sweep at day 2 fired %d, want 2", got)
		}
		clock.Set(t0.Add(10 * day))
		if got := mustSweep(t, r); got != 0 {
			t.Fatalf("sweep at day 10 fired %d, want 0", got)
		}
		if move("later", t0.Add(20*day)) || cancel("later") {
			t.Error("fired work was moved or cancelled")
		}

		mustStart(t, r)
		mustFlush(t, r)
		settle(t, st, r, "cancel")
		want := map[string]int{"sooner": 1, "later": 1, "revived": 1, "sentinel:cancel": 1}
		got := allRuns(t, st)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("runs = %v, want %v", got, want)
		}
	})
}

// TestDueWorkSurvivesRestart schedules and sweeps with one process and
// finishes with another on the same database.
func TestDueWorkSurvivesRestart(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		cases := []struct {
			name      string
			sweepOnce bool // the first process fires the work before it stops
		}{
			{"stopped before due", false},
			{"stopped after firing", true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				clock := testutil.NewClock(t0)
				opts := testutil.StoreOptions(t, engine, clock)
				due := t0.Add(90 * 24 * time.Hour)

				st1, err := store.Open(ctx, opts)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := st1.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				mustMigrate(t, st1)
				r1 := newRunner(t, st1, dueConfig(t, clock))
				mustStart(t, r1)
				mustSchedule(t, st1, "reminder", due)
				if tc.sweepOnce {
					clock.Set(due)
					if got := mustSweep(t, r1); got != 1 {
						t.Fatalf("first sweep fired %d, want 1", got)
					}
				}
				mustStop(t, r1)
				if err := st1.Close(); err != nil {
					t.Fatal(err)
				}

				st2, err := store.Open(ctx, opts)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = st2.Close() })
				r2 := newRunner(t, st2, dueConfig(t, clock))
				clock.Set(due.Add(time.Minute))
				wantFired := 1
				if tc.sweepOnce {
					wantFired = 0
				}
				if got := mustSweep(t, r2); got != wantFired {
					t.Fatalf("sweep after restart fired %d, want %d", got, wantFired)
				}
				mustStart(t, r2)
				mustFlush(t, r2)
				waitFor(t, "the due job", func() bool { return runs(t, st2, "reminder") >= 1 })
				settle(t, st2, r2, "restart")
				if n := runs(t, st2, "reminder"); n != 1 {
					t.Fatalf("due work ran %d times, want 1", n)
				}
			})
		}
	})
}

// TestDueWorkOnceAcrossInstances sweeps with three runners at the same time:
// on PostgreSQL each has its own connection pool on one database, as three
// instances would.
func TestDueWorkOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		ctx := context.Background()
		clock := testutil.NewClock(t0)
		opts := testutil.StoreOptions(t, engine, clock)
		const instances, work = 3, 250
		var stores []*store.Store
		for i := range instances {
			if i > 0 && engine == store.SQLite {
				stores = append(stores, stores[0]) // one process serves a SQLite file
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
			runners = append(runners, newRunner(t, s, dueConfig(t, clock)))
		}
		for i := range work {
			mustSchedule(t, st, fmt.Sprintf("w%03d", i), t0.Add(time.Duration(i%5)*time.Hour))
		}

		clock.Set(t0.Add(5 * time.Hour))
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
		if total != work {
			t.Fatalf("instances fired %v (total %d), want %d in all", fired, total, work)
		}
		if n := countOutbox(t, st); n != work {
			t.Fatalf("outbox holds %d jobs, want %d", n, work)
		}

		for _, r := range runners {
			mustStart(t, r)
			mustFlush(t, r)
		}
		waitFor(t, "every due job", func() bool { return len(allRuns(t, st)) == work })
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

// TestDueWorkSweptByRunningRunner leaves the sweep to the started runner's
// periodic job: moving the clock past the due time is enough.
func TestDueWorkSweptByRunningRunner(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		st, clock := dueStore(t, engine)
		cfg := dueConfig(t, clock)
		cfg.DueInterval = time.Second
		r := newRunner(t, st, cfg)
		mustStart(t, r)
		due := t0.Add(48 * time.Hour)
		mustSchedule(t, st, "swept", due)
		clock.Set(due.Add(5 * time.Minute))
		waitFor(t, "the swept job", func() bool { return runs(t, st, "swept") == 1 })
		if overdue, err := r.OverdueWork(context.Background()); err != nil || overdue != 0 {
			t.Fatalf("OverdueWork after the sweep = %d, %v; want 0", overdue, err)
		}
	})
}

// TestOverdueWorkCountsWorkNoSweepFired counts pending work well past its
// time, which a stopped sweep leaves behind.
func TestOverdueWorkCountsWorkNoSweepFired(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		st, clock := dueStore(t, engine)
		r := newRunner(t, st, dueConfig(t, clock)) // not started: nothing sweeps
		mustSchedule(t, st, "a", t0.Add(time.Hour))
		mustSchedule(t, st, "b", t0.Add(2*time.Hour))
		steps := []struct {
			at   time.Time
			want int
		}{
			{t0, 0},
			{t0.Add(time.Hour + time.Minute), 0}, // within a sweep's reach
			{t0.Add(time.Hour + 2*time.Minute), 1},
			{t0.Add(3 * time.Hour), 2},
		}
		for _, s := range steps {
			clock.Set(s.at)
			got, err := r.OverdueWork(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got != s.want {
				t.Errorf("OverdueWork at %s = %d, want %d", s.at, got, s.want)
			}
		}
	})
}

func TestScheduleRejectsBadInput(t *testing.T) {
	t.Parallel()
	st, _ := dueStore(t, store.SQLite)
	ctx := context.Background()
	cases := []struct {
		name      string
		kind, key string
		due       time.Time
		args      any
	}{
		{"empty kind", "", "k", t0, nil},
		{"empty key", kindRecord, "", t0, nil},
		{"no due time", kindRecord, "k", time.Time{}, nil},
		{"unencodable args", kindRecord, "k", t0, func() {}},
	}
	for _, c := range cases {
		err := st.Transact(ctx, func(tx *store.Tx) error { return jobs.Schedule(ctx, tx, c.kind, c.key, c.due, c.args) })
		if err == nil {
			t.Errorf("Schedule with %s succeeded", c.name)
		}
	}
	if _, err := st.FindDueWorkByKey(ctx, kindRecord, "k"); err == nil {
		t.Error("a rejected Schedule left a row")
	}
}
