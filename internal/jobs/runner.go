package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"example.org/certportal/internal/store"
)

const (
	// relayBatch is how many outbox rows one relay step forwards.
	relayBatch = 100
	// completedRetention is how long River keeps completed jobs (River's
	// default). Their unique keys stop a relayed row or a period running
	// again while they are kept.
	completedRetention = 24 * time.Hour
	// hardStopTimeout bounds the wait for cancelled jobs to return once
	// Stop's own deadline has passed.
	hardStopTimeout = 10 * time.Second
	// cleanupName is the periodic job that deletes old forwarded outbox rows.
	cleanupName   = "jobs.outbox-cleanup"
	cleanupPeriod = time.Hour
)

// Runner forwards the outbox into River and runs jobs. Create it with New,
// register handlers and periodic jobs, Start it, and Stop it on shutdown.
// A Runner is started at most once.
type Runner struct {
	st  *store.Store
	cfg Config
	log *slog.Logger
	b   *backend

	mu       sync.RWMutex
	handlers map[string]Handler
	periodic map[string]func(context.Context) error
	started  bool
	stopped  bool

	relayMu     sync.Mutex // one relay pass at a time
	kick        chan struct{}
	cancelRelay context.CancelFunc
	relayDone   chan struct{}
}

// New builds a Runner on st. It does not start working: register handlers
// with Handle and Periodic, then call Start. Always call Stop, which also
// releases what New opened. Flush, Failed, QueueDepth and Retry work before
// Start.
func New(st *store.Store, cfg Config) (*Runner, error) {
	cfg = cfg.withDefaults(st)
	r := &Runner{
		st:       st,
		cfg:      cfg,
		log:      cfg.Logger,
		handlers: make(map[string]Handler),
		periodic: make(map[string]func(context.Context) error),
		kick:     make(chan struct{}, 1),
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &outboxWorker{r: r})
	river.AddWorker(workers, &periodicWorker{r: r})
	rc := &river.Config{
		Logger:                      slog.New(minLevel{cfg.Logger.With("component", "river").Handler(), slog.LevelWarn}),
		Queues:                      map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:                     workers,
		MaxAttempts:                 cfg.MaxAttempts,
		JobTimeout:                  cfg.JobTimeout,
		RescueStuckJobsAfter:        cfg.JobTimeout + 5*time.Minute,
		CompletedJobRetentionPeriod: completedRetention,
		DiscardedJobRetentionPeriod: cfg.FailedRetention,
		CancelledJobRetentionPeriod: cfg.FailedRetention,
		TestOnly:                    cfg.testOnly,
	}
	if cfg.RetryDelay != nil {
		rc.RetryPolicy = retryDelay(cfg.RetryDelay)
	}
	b, err := newBackend(st, rc)
	if err != nil {
		return nil, err
	}
	r.b = b
	r.Periodic(cleanupName, cleanupPeriod, r.cleanOutbox)
	r.Periodic(dueSweepName, cfg.DueInterval, func(ctx context.Context) error {
		_, err := r.SweepDue(ctx)
		return err
	})
	return r, nil
}

// Handle registers the handler for a kind. Call it before Start; it panics
// on an empty kind, a second handler for a kind, or after Start. A job whose
// kind has no handler on the instance that picks it up fails and is retried
// (another instance of a newer version may know it), then kept as failed.
func (r *Runner) Handle(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case kind == "" || h == nil:
		panic("jobs: Handle needs a kind and a handler")
	case r.started:
		panic("jobs: Handle(" + kind + ") after Start")
	case r.handlers[kind] != nil:
		panic("jobs: second handler for kind " + kind)
	}
	r.handlers[kind] = h
}

// Periodic runs h once per period of length every, across all instances:
// only River's elected leader schedules periods, and each period is a unique
// job, so a new leader or a restart does not run a period again. Periods are
// aligned to multiples of every (a day starts at 00:00 UTC); a period that
// had no running instance is skipped, except that periods up to a day long
// are run at start when not yet run. h may run more than once if it fails
// or an instance dies while running it; it must be idempotent. every must be
// at least a second. Call it before Start; it panics on misuse.
func (r *Runner) Periodic(name string, every time.Duration, h func(ctx context.Context) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case name == "" || h == nil:
		panic("jobs: Periodic needs a name and a function")
	case every < time.Second:
		panic(fmt.Sprintf("jobs: periodic %s: period %s is under a second", name, every))
	case r.started:
		panic("jobs: Periodic(" + name + ") after Start")
	case r.periodic[name] != nil:
		panic("jobs: second periodic job named " + name)
	}
	construct := func() (river.JobArgs, *river.InsertOpts) {
		return periodicArgs{Name: name, PeriodStart: r.periodStart(every)}, nil
	}
	_, err := r.b.PeriodicJobs().AddSafely(river.NewPeriodicJob(aligned(every), construct, &river.PeriodicJobOpts{
		ID: name,
		// A completed period blocks a second run only while River keeps
		// it, so only periods no longer than that are caught up at start.
		RunOnStart: every <= completedRetention,
	}))
	if err != nil {
		panic(fmt.Sprintf("jobs: periodic %s: %v", name, err))
	}
	r.periodic[name] = h
}

// aligned schedules runs at multiples of its duration.
type aligned time.Duration

func (a aligned) Next(t time.Time) time.Time {
	return t.Truncate(time.Duration(a)).Add(time.Duration(a))
}

// periodStart is the start of the period a scheduled run belongs to. River
// may fire up to 100 ms early or a little late, so "now" is moved forward
// by a fifth of the period (at most a second) before rounding down.
func (r *Runner) periodStart(every time.Duration) time.Time {
	margin := min(every/5, time.Second)
	return r.cfg.Clock.Now().UTC().Add(margin).Truncate(every)
}

// Start starts working jobs and relaying the outbox. ctx bounds start-up
// only: the Runner runs until Stop.
func (r *Runner) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.stopped {
		return errors.New("jobs: runner already started")
	}
	if err := r.b.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	r.started = true
	relayCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancelRelay = cancel
	r.relayDone = make(chan struct{})
	go r.relayLoop(relayCtx)
	r.Notify() // forward what a previous run left behind
	return nil
}

// Stop stops relaying and lets running jobs finish. If ctx ends first, their
// contexts are cancelled and Stop waits (up to 10 s more) for them to return;
// an interrupted job runs again later. Stop releases the Runner's resources,
// so call it even if Start was not called or failed. It returns nil on a
// clean stop and is a no-op the second time.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return nil
	}
	r.stopped = true
	started := r.started
	r.mu.Unlock()
	if !started {
		return r.b.close()
	}
	r.cancelRelay()
	<-r.relayDone
	if err := r.b.Stop(ctx); err != nil {
		if ctx.Err() == nil {
			return fmt.Errorf("jobs: stop: %w", err)
		}
		r.log.WarnContext(ctx, "jobs: stop deadline passed; cancelling running jobs, which will run again")
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), hardStopTimeout)
		defer cancel()
		if err := r.b.StopAndCancel(hctx); err != nil {
			// River still runs jobs that ignore their context: keep its
			// connection open for them.
			return fmt.Errorf("jobs: stop: jobs did not return after cancellation: %w", err)
		}
	}
	if err := r.b.close(); err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// Notify asks the relay to forward the outbox now. Call it after a
// transaction that enqueued jobs commits, so that, say, a confirmation mail
// leaves at once instead of at the next sweep. It never blocks; it is a
// no-op when the Runner is not running.
func (r *Runner) Notify() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Flush forwards every committed outbox row to River now and returns when it
// is done. The jobs then run as workers pick them up.
func (r *Runner) Flush(ctx context.Context) error {
	_, err := r.relay(ctx)
	return err
}

func (r *Runner) relayLoop(ctx context.Context) {
	defer close(r.relayDone)
	t := time.NewTicker(r.cfg.RelayInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-r.kick:
		}
		if _, err := r.relay(ctx); err != nil && ctx.Err() == nil {
			r.log.WarnContext(ctx, "jobs: relay failed; retrying at the next sweep", "err", err)
		}
	}
}

// relay moves committed outbox rows into River, then marks them forwarded.
// A crash between the two leaves rows that are relayed again; River's
// unique key on the outbox ID turns the second insert into a no-op.
func (r *Runner) relay(ctx context.Context) (int, error) {
	r.relayMu.Lock()
	defer r.relayMu.Unlock()
	total := 0
	for {
		rows, err := r.st.ListPendingOutbox(ctx, relayBatch)
		if err != nil {
			return total, fmt.Errorf("jobs: relay: %w", err)
		}
		if len(rows) == 0 {
			return total, nil
		}
		params := make([]river.InsertManyParams, len(rows))
		for i, row := range rows {
			payload := json.RawMessage(row.Args)
			if !json.Valid(payload) {
				// Not written by Enqueue. Forward it as a string so the
				// handler fails visibly instead of the relay stalling.
				payload, _ = json.Marshal(row.Args)
			}
			params[i] = river.InsertManyParams{Args: outboxArgs{OutboxID: row.ID, JobKind: row.Kind, Payload: payload}}
		}
		if _, err := r.b.InsertMany(ctx, params); err != nil {
			return total, fmt.Errorf("jobs: relay: insert into River: %w", err)
		}
		err = r.st.Transact(ctx, func(tx *store.Tx) error {
			for _, row := range rows {
				if err := tx.MarkOutboxForwarded(ctx, row.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("jobs: relay: mark forwarded: %w", err)
		}
		total += len(rows)
		if len(rows) < relayBatch {
			return total, nil
		}
	}
}

// cleanOutbox deletes outbox rows forwarded longer ago than OutboxRetention,
// and due work fired or cancelled longer ago than DueRetention.
func (r *Runner) cleanOutbox(ctx context.Context) error {
	now := r.cfg.Clock.Now()
	var n, due int64
	err := r.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if n, err = tx.DeleteForwardedOutbox(ctx, now.Add(-r.cfg.OutboxRetention)); err != nil {
			return err
		}
		due, err = tx.DeleteFinishedDueWork(ctx, now.Add(-r.cfg.DueRetention))
		return err
	})
	if err != nil {
		return fmt.Errorf("jobs: clean outbox: %w", err)
	}
	if n > 0 {
		r.log.InfoContext(ctx, "jobs: deleted forwarded outbox rows", "count", n)
	}
	if due > 0 {
		r.log.InfoContext(ctx, "jobs: deleted finished due work", "count", due)
	}
	return nil
}

func (r *Runner) handler(kind string) Handler {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.handlers[kind]
}

func (r *Runner) periodicFunc(name string) func(context.Context) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.periodic[name]
}
