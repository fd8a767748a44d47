package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// kindRecord is a job kind whose handler records its key in test_job_runs.
const kindRecord = "test.record"

type recordArgs struct {
	Key string `json:"key"`
}

// mustStore opens a fresh store on engine with River's tables and the runs
// table.
func mustStore(t *testing.T, engine string) *store.Store {
	t.Helper()
	st := testutil.MustOpenStore(t, engine, testutil.NewClock(t0))
	mustMigrate(t, st)
	return st
}

func mustMigrate(t *testing.T, st *store.Store) {
	t.Helper()
	if err := jobs.Migrate(context.Background(), st); err != nil {
		t.Fatalf("jobs.Migrate: %v", err)
	}
	if _, err := st.DB().ExecContext(context.Background(),
		`CREATE TABLE IF NOT EXISTS test_job_runs (job TEXT NOT NULL, attempt INTEGER NOT NULL)`); err != nil {
		t.Fatalf("create test_job_runs: %v", err)
	}
}

// record notes one run of job: a row per run, so a duplicate run shows.
func record(ctx context.Context, st *store.Store, job string) error {
	attempt := 0
	if ri, ok := jobs.Info(ctx); ok {
		attempt = ri.Attempt
	}
	_, err := st.DB().ExecContext(ctx, testutil.Rebind(st.Engine(), `INSERT INTO test_job_runs (job, attempt) VALUES (?, ?)`), job, attempt)
	return err
}

// runs counts the recorded runs of job.
func runs(t *testing.T, st *store.Store, job string) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRowContext(context.Background(),
		testutil.Rebind(st.Engine(), `SELECT COUNT(*) FROM test_job_runs WHERE job = ?`), job).Scan(&n); err != nil {
		t.Fatalf("count runs: %v", err)
	}
	return n
}

// allRuns returns the number of runs of every recorded job.
func allRuns(t *testing.T, st *store.Store) map[string]int {
	t.Helper()
	rows, err := st.DB().QueryContext(context.Background(), `SELECT job, COUNT(*) FROM test_job_runs GROUP BY job`)
	if err != nil {
		t.Fatalf("list runs: %v", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var job string
		var n int
		if err := rows.Scan(&job, &n); err != nil {
			t.Fatalf("list runs: %v", err)
		}
		out[job] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("list runs: %v", err)
	}
	return out
}

// countOutbox counts outbox rows, forwarded or not.
func countOutbox(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM job_outbox`).Scan(&n); err != nil {
		t.Fatalf("count outbox: %v", err)
	}
	return n
}

// testConfig is a quick configuration: one worker (so a job enqueued later
// runs after the earlier ones finished), short retries, River's test mode.
func testConfig(t *testing.T) jobs.Config {
	return jobs.WithTestOnly(jobs.Config{
		Logger:     slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo})),
		Workers:    1,
		RetryDelay: func(int) time.Duration { return 10 * time.Millisecond },
	})
}

// newRunner builds a Runner that records kindRecord jobs and is stopped when
// the test ends. It is not started.
func newRunner(t *testing.T, st *store.Store, cfg jobs.Config) *jobs.Runner {
	t.Helper()
	r, err := jobs.New(st, cfg)
	if err != nil {
		t.Fatalf("jobs.New: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	r.Handle(kindRecord, func(ctx context.Context, args json.RawMessage) error {
		var a recordArgs
		if err := json.Unmarshal(args, &a); err != nil {
			return jobs.Permanent(err)
		}
		return record(ctx, st, a.Key)
	})
	return r
}

func mustStart(t *testing.T, r *jobs.Runner) {
	t.Helper()
	if err := r.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
}

func mustStop(t *testing.T, r *jobs.Runner) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

// mustEnqueue commits one job.
func mustEnqueue(t *testing.T, st *store.Store, kind string, args any, opts ...jobs.Option) {
	t.Helper()
	ctx := context.Background()
	if err := st.Transact(ctx, func(tx *store.Tx) error {
		return jobs.Enqueue(ctx, tx, kind, args, opts...)
	}); err != nil {
		t.Fatalf("enqueue %s: %v", kind, err)
	}
}

func mustFlush(t *testing.T, r *jobs.Runner) {
	t.Helper()
	if err := r.Flush(context.Background()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

// settle gives a started runner with one worker the chance to run what it
// was given: it enqueues a sentinel job and waits until it ran, which is
// after every job forwarded before it.
func settle(t *testing.T, st *store.Store, r *jobs.Runner, name string) {
	t.Helper()
	key := "sentinel:" + name
	mustEnqueue(t, st, kindRecord, recordArgs{key})
	mustFlush(t, r)
	waitFor(t, "the sentinel job "+name, func() bool { return runs(t, st, key) == 1 })
}

// waitFor polls cond until it holds; the deadline only stops a hang, so it
// is generous for a loaded machine.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func failedByKind(t *testing.T, r *jobs.Runner) map[string]jobs.FailedJob {
	t.Helper()
	list, err := r.Failed(context.Background(), 100)
	if err != nil {
		t.Fatalf("Failed: %v", err)
	}
	out := map[string]jobs.FailedJob{}
	for _, f := range list {
		out[f.Kind] = f
	}
	return out
}

var errRollback = errors.New("roll back")
