package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

func TestRolledBackJobNeverRuns(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		ctx := context.Background()
		st := mustStore(t, engine)
		r := newRunner(t, st, testConfig(t))
		mustStart(t, r)

		err := st.Transact(ctx, func(tx *store.Tx) error {
			if err := jobs.Enqueue(ctx, tx, kindRecord, recordArgs{"rolled-back"}); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("Transact = %v, want the rollback error", err)
		}
		mustFlush(t, r)
		settle(t, st, r, "after-rollback")

		if n := runs(t, st, "rolled-back"); n != 0 {
			t.Errorf("rolled-back job ran %d times", n)
		}
		if n := countOutbox(t, st); n != 1 {
			t.Errorf("outbox has %d rows, want 1 (the sentinel)", n)
		}
	})
}

func TestCommittedJobRunsOnceAcrossRestart(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		// Each case stops the first runner at a different point of the
		// job's life; a second runner on the same database finishes the
		// work, and the job must have run exactly once.
		cases := []struct {
			name  string
			first func(t *testing.T, st *store.Store, r *jobs.Runner)
		}{
			{"stopped before relay", func(t *testing.T, st *store.Store, r *jobs.Runner) {
				mustEnqueue(t, st, kindRecord, recordArgs{"job"})
			}},
			{"stopped after relay", func(t *testing.T, st *store.Store, r *jobs.Runner) {
				mustEnqueue(t, st, kindRecord, recordArgs{"job"})
				mustFlush(t, r)
			}},
			{"stopped after running", func(t *testing.T, st *store.Store, r *jobs.Runner) {
				mustStart(t, r)
				mustEnqueue(t, st, kindRecord, recordArgs{"job"})
				r.Notify()
				waitFor(t, "the job", func() bool { return runs(t, st, "job") == 1 })
			}},
			{"stopped right after commit", func(t *testing.T, st *store.Store, r *jobs.Runner) {
				mustStart(t, r)
				mustEnqueue(t, st, kindRecord, recordArgs{"job"})
				r.Notify()
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				st := mustStore(t, engine)
				r1 := newRunner(t, st, testConfig(t))
				tc.first(t, st, r1)
				mustStop(t, r1)

				r2 := newRunner(t, st, testConfig(t))
				mustStart(t, r2)
				waitFor(t, "the job", func() bool { return runs(t, st, "job") >= 1 })
				settle(t, st, r2, "restart")
				if n := runs(t, st, "job"); n != 1 {
					t.Fatalf("job ran %d times, want 1", n)
				}
			})
		}
	})
}

func TestUniqueKeyRunsOnce(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		st := mustStore(t, engine)
		r := newRunner(t, st, testConfig(t))
		mustStart(t, r)

		mustEnqueue(t, st, kindRecord, recordArgs{"booking-7"}, jobs.UniqueKey("mail:booking-7"))
		mustEnqueue(t, st, kindRecord, recordArgs{"booking-7"}, jobs.UniqueKey("mail:booking-7"))
		if n := countOutbox(t, st); n != 1 {
			t.Fatalf("outbox has %d rows after two enqueues with one key, want 1", n)
		}
		mustFlush(t, r)
		settle(t, st, r, "unique")
		if n := runs(t, st, "booking-7"); n != 1 {
			t.Fatalf("job ran %d times, want 1", n)
		}
	})
}

// TestRelayTwiceRunsOnce simulates a crash between the insert into River
// and marking the outbox row forwarded: the row is relayed again.
func TestRelayTwiceRunsOnce(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		ctx := context.Background()
		unforward := func(t *testing.T, st *store.Store) {
			t.Helper()
			if _, err := st.DB().ExecContext(ctx, `UPDATE job_outbox SET forwarded_at = NULL`); err != nil {
				t.Fatal(err)
			}
			if n, err := st.CountPendingOutbox(ctx); err != nil || n != 1 {
				t.Fatalf("CountPendingOutbox = %d, %v; want 1", n, err)
			}
		}
		t.Run("before it ran", func(t *testing.T) {
			t.Parallel()
			st := mustStore(t, engine)
			r := newRunner(t, st, testConfig(t))
			mustEnqueue(t, st, kindRecord, recordArgs{"job"})
			mustFlush(t, r)
			unforward(t, st)
			mustFlush(t, r)
			if n, err := r.QueueDepth(ctx); err != nil || n != 1 {
				t.Fatalf("QueueDepth = %d, %v; want 1 job in River", n, err)
			}
			mustStart(t, r)
			waitFor(t, "the job", func() bool { return runs(t, st, "job") >= 1 })
			settle(t, st, r, "relay-twice")
			if n := runs(t, st, "job"); n != 1 {
				t.Fatalf("job ran %d times, want 1", n)
			}
		})
		t.Run("after it ran", func(t *testing.T) {
			t.Parallel()
			st := mustStore(t, engine)
			r := newRunner(t, st, testConfig(t))
			mustStart(t, r)
			mustEnqueue(t, st, kindRecord, recordArgs{"job"})
			mustFlush(t, r)
			waitFor(t, "the job", func() bool { return runs(t, st, "job") == 1 })
			unforward(t, st)
			mustFlush(t, r)
			settle(t, st, r, "relay-twice")
			if n := runs(t, st, "job"); n != 1 {
				t.Fatalf("job ran %d times, want 1", n)
			}
		})
	})
}

func TestNotifyForwardsWithoutWaitingForTheSweep(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		st := mustStore(t, engine)
		cfg := testConfig(t)
		cfg.RelayInterval = time.Hour
		r := newRunner(t, st, cfg)
		mustStart(t, r)
		for _, key := range []string{"first", "second"} {
			mustEnqueue(t, st, kindRecord, recordArgs{key})
			r.Notify()
			waitFor(t, "job "+key, func() bool { return runs(t, st, key) == 1 })
		}
	})
}

func TestQueueDepth(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		ctx := context.Background()
		st := mustStore(t, engine)
		r := newRunner(t, st, testConfig(t))
		depth := func() int {
			n, err := r.QueueDepth(ctx)
			if err != nil {
				t.Fatalf("QueueDepth: %v", err)
			}
			return n
		}
		mustEnqueue(t, st, kindRecord, recordArgs{"a"})
		mustEnqueue(t, st, kindRecord, recordArgs{"b"})
		if n := depth(); n != 2 {
			t.Fatalf("QueueDepth with two outbox rows = %d, want 2", n)
		}
		mustFlush(t, r)
		if n := depth(); n != 2 {
			t.Fatalf("QueueDepth with two River jobs = %d, want 2", n)
		}
		mustStart(t, r)
		waitFor(t, "an empty queue", func() bool { return depth() == 0 })
	})
}

func TestFailingJobsAreRetriedThenKept(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		ctx := context.Background()
		st := mustStore(t, engine)
		cfg := testConfig(t)
		cfg.MaxAttempts = 3
		r := newRunner(t, st, cfg)

		var failing, flaky, permanent atomic.Int32
		var mu sync.Mutex
		var attempts []int // attempts seen by the failing handler
		r.Handle("test.fail", func(ctx context.Context, _ json.RawMessage) error {
			ri, _ := jobs.Info(ctx)
			mu.Lock()
			attempts = append(attempts, ri.Attempt)
			mu.Unlock()
			if failing.Add(1) <= 3 {
				return errors.New("smtp: 550 mailbox unavailable")
			}
			return nil
		})
		r.Handle("test.flaky", func(context.Context, json.RawMessage) error {
			if flaky.Add(1) < 3 {
				return errors.New("smtp: 421 try again later")
			}
			return nil
		})
		r.Handle("test.permanent", func(context.Context, json.RawMessage) error {
			permanent.Add(1)
			return jobs.Permanent(errors.New("booking 7 no longer exists"))
		})
		mustStart(t, r)

		mustEnqueue(t, st, "test.fail", map[string]int{"booking": 7})
		mustEnqueue(t, st, "test.flaky", nil)
		mustEnqueue(t, st, "test.permanent", nil)
		mustEnqueue(t, st, "test.nobody", nil)
		mustFlush(t, r)

		waitFor(t, "three failed jobs", func() bool { return len(failedByKind(t, r)) == 3 })
		settle(t, st, r, "failures")
		failed := failedByKind(t, r)

		f, ok := failed["test.fail"]
		switch {
		case !ok:
			t.Fatalf("test.fail not listed as failed: %+v", failed)
		case f.Attempts != 3 || f.MaxAttempts != 3:
			t.Errorf("test.fail attempts = %d of %d, want 3 of 3", f.Attempts, f.MaxAttempts)
		case !strings.Contains(f.Error, "550 mailbox unavailable"):
			t.Errorf("test.fail error = %q", f.Error)
		case !sameJSON(f.Args, `{"booking":7}`):
			t.Errorf("test.fail args = %s", f.Args)
		case f.OutboxID == 0 || f.Periodic || f.FailedAt.IsZero():
			t.Errorf("test.fail = %+v", f)
		}
		if got := failing.Load(); got != 3 {
			t.Errorf("test.fail ran %d times, want 3", got)
		}
		mu.Lock()
		got := attempts
		mu.Unlock()
		if want := []int{1, 2, 3}; !equalInts(got, want) {
			t.Errorf("attempts seen = %v, want %v", got, want)
		}
		if _, ok := failed["test.flaky"]; ok || flaky.Load() != 3 {
			t.Errorf("test.flaky: listed as failed %v, ran %d times; want not listed, 3 runs", ok, flaky.Load())
		}
		if p := failed["test.permanent"]; p.Attempts != 1 || !strings.Contains(p.Error, "no longer exists") || permanent.Load() != 1 {
			t.Errorf("test.permanent = %+v after %d runs; want one attempt", p, permanent.Load())
		}
		if n := failed["test.nobody"]; n.Attempts != 3 || !strings.Contains(n.Error, `no handler for kind "test.nobody"`) {
			t.Errorf("test.nobody = %+v; want 3 attempts and a missing-handler error", n)
		}

		// An administrator retries the failed job; this time it succeeds.
		if err := r.Retry(ctx, f.ID); err != nil {
			t.Fatalf("Retry: %v", err)
		}
		waitFor(t, "the retried job", func() bool { _, ok := failedByKind(t, r)["test.fail"]; return !ok && failing.Load() == 4 })
		if err := r.Retry(ctx, 1<<40); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("Retry(unknown) = %v, want ErrNotFound", err)
		}
	})
}

// sameJSON compares JSON by value: PostgreSQL's jsonb respaces it.
func sameJSON(got json.RawMessage, want string) bool {
	var g, w any
	return json.Unmarshal(got, &g) == nil && json.Unmarshal([]byte(want), &w) == nil && reflect.DeepEqual(g, w)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPeriodicRunsOncePerPeriod uses the wall clock: River schedules on it.
func TestPeriodicRunsOncePerPeriod(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		ctx := context.Background()
		// Two instances on PostgreSQL, one on SQLite (which serves one).
		instances := 1
		if engine == store.Postgres {
			instances = 2
		}
		url := testutil.DatabaseURL(t, engine)
		var stores []*store.Store
		for range instances {
			o := store.Options{Engine: engine, Clock: portal.SystemClock{}}
			if engine == store.SQLite {
				o.SQLitePath = url
			} else {
				o.PostgresURL = url
			}
			st, err := store.Open(ctx, o)
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
		for _, s := range stores {
			r := newRunner(t, s, testConfig(t))
			r.Periodic("test.tick", time.Second, func(ctx context.Context) error {
				ri, _ := jobs.Info(ctx)
				return record(ctx, st, "tick:"+ri.Period.Format(time.RFC3339Nano))
			})
			mustStart(t, r)
		}

		ticks := func() map[string]int {
			out := map[string]int{}
			for job, n := range allRuns(t, st) {
				if strings.HasPrefix(job, "tick:") {
					out[job] = n
				}
			}
			return out
		}
		waitFor(t, "three periods", func() bool { return len(ticks()) >= 3 })
		for period, n := range ticks() {
			if n != 1 {
				t.Errorf("period %s ran %d times, want 1", period, n)
			}
		}
	})
}

// TestStopLetsRunningJobFinish counts goroutines, so it does not run in
// parallel with other tests.
func TestStopLetsRunningJobFinish(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		st := mustStore(t, engine)
		before := runtime.NumGoroutine()
		r := newRunner(t, st, testConfig(t))
		started, release := make(chan struct{}), make(chan struct{})
		r.Handle("test.slow", func(ctx context.Context, _ json.RawMessage) error {
			close(started)
			<-release
			return record(ctx, st, "slow")
		})
		mustStart(t, r)
		mustEnqueue(t, st, "test.slow", nil)
		r.Notify()
		<-started

		stopped := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			stopped <- r.Stop(ctx)
		}()
		select {
		case err := <-stopped:
			t.Fatalf("Stop returned (%v) while a job was running", err)
		default:
		}
		close(release)
		if err := <-stopped; err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if n := runs(t, st, "slow"); n != 1 {
			t.Fatalf("slow job recorded %d runs, want 1", n)
		}
		waitFor(t, "the runner's goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
	})
}

// TestStopDeadlineCancelsRunningJob: a job still running when Stop's
// context ends is cancelled, Stop returns cleanly, and the job runs again
// on the next start without losing an attempt.
func TestStopDeadlineCancelsRunningJob(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		st := mustStore(t, engine)
		var calls atomic.Int32
		started := make(chan struct{})
		handler := func(ctx context.Context, _ json.RawMessage) error {
			if calls.Add(1) == 1 {
				close(started)
				<-ctx.Done() // a job that only stops when told to
				return ctx.Err()
			}
			return record(ctx, st, "stubborn")
		}
		r1 := newRunner(t, st, testConfig(t))
		r1.Handle("test.stubborn", handler)
		mustStart(t, r1)
		mustEnqueue(t, st, "test.stubborn", nil)
		r1.Notify()
		<-started

		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if err := r1.Stop(ctx); err != nil {
			t.Fatalf("Stop: %v", err)
		}

		r2 := newRunner(t, st, testConfig(t))
		r2.Handle("test.stubborn", handler)
		mustStart(t, r2)
		waitFor(t, "the job to run again", func() bool { return runs(t, st, "stubborn") == 1 })
		settle(t, st, r2, "stubborn")
		if n := runs(t, st, "stubborn"); n != 1 {
			t.Fatalf("job completed %d times, want 1", n)
		}
		var attempt int
		if err := st.DB().QueryRowContext(context.Background(),
			`SELECT attempt FROM test_job_runs WHERE job = 'stubborn'`).Scan(&attempt); err != nil {
			t.Fatal(err)
		}
		if attempt != 1 {
			t.Errorf("the interrupted job ran again as attempt %d, want 1 (a stop does not count)", attempt)
		}
	})
}

func TestEnqueueRejectsBadInput(t *testing.T) {
	t.Parallel()
	st := mustStore(t, store.SQLite)
	ctx := context.Background()
	err := st.Transact(ctx, func(tx *store.Tx) error { return jobs.Enqueue(ctx, tx, "", nil) })
	if err == nil {
		t.Error("Enqueue with an empty kind succeeded")
	}
	err = st.Transact(ctx, func(tx *store.Tx) error { return jobs.Enqueue(ctx, tx, "x", func() {}) })
	if err == nil {
		t.Error("Enqueue with unencodable args succeeded")
	}
}

// TestMigrateIsIdempotent runs Migrate again on a migrated store, and on
// PostgreSQL, where several instances may start at once, concurrently.
func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		ctx := context.Background()
		st := mustStore(t, engine)
		if err := jobs.Migrate(ctx, st); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if engine != store.Postgres {
			return // SQLite serves one instance: no concurrent start
		}
		fresh := testutil.MustOpenStore(t, engine, testutil.NewClock(t0))
		errs := make(chan error, 3)
		for range 3 {
			go func() { errs <- jobs.Migrate(ctx, fresh) }()
		}
		for range 3 {
			if err := <-errs; err != nil {
				t.Errorf("concurrent Migrate: %v", err)
			}
		}
	})
}
