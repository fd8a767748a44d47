// Package jobs runs certportal's durable background jobs.
//
// A job is written to the outbox (store's job_outbox table) by Enqueue, in the
// same transaction as the change that causes it: both commit or neither does.
// After commit a relay moves outbox rows into River, which runs them with
// retries and backoff, survives restarts and keeps the jobs that finally fail
// for inspection (Failed). Periodic jobs run once per period across every
// instance. Due work (Schedule) runs once at a set time on the store's clock.
//
// Services see only Enqueue, UniqueKey, Schedule, Reschedule and Cancel; River's types stay inside this
// package. A job may run more than once (a crash between its work and its
// completion), so handlers must be idempotent. See docs/jobs.md.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Handler runs one job of a kind. args is the JSON that Enqueue encoded. An
// error makes the job retry later; after the last attempt it is kept as
// failed. Wrap an error with Permanent to fail at once.
type Handler func(ctx context.Context, args json.RawMessage) error

// Option changes how Enqueue writes a job.
type Option func(*enqueueOptions)

type enqueueOptions struct {
	uniqueKey string
}

// UniqueKey makes the job one per cause: a second Enqueue with the same key
// is a no-op while the first job's outbox row exists (until
// Config.OutboxRetention after it was forwarded). Prefix keys with the kind,
// e.g. "mail.booking_confirmation:1234".
func UniqueKey(key string) Option {
	return func(o *enqueueOptions) { o.uniqueKey = key }
}

// Enqueue writes a job to the outbox in the caller's transaction. args is
// JSON-encoded; keep it small and prefer IDs to personal data. The job runs
// only if the transaction commits. Call (*Runner).Notify after the commit to
// have it forwarded at once rather than at the next relay sweep.
func Enqueue(ctx context.Context, tx *store.Tx, kind string, args any, opts ...Option) error {
	if kind == "" {
		return errors.New("jobs: enqueue: empty kind")
	}
	var o enqueueOptions
	for _, opt := range opts {
		opt(&o)
	}
	b, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: encode args: %w", kind, err)
	}
	if _, err := tx.InsertOutbox(ctx, kind, string(b), o.uniqueKey); err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", kind, err)
	}
	return nil
}

// Permanent marks err as one that retrying cannot fix (say, arguments that
// no longer make sense): the job stops at once and is listed by Failed.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// RunInfo describes the job a handler is running.
type RunInfo struct {
	Kind        string    // the handler's kind, or the periodic job's name
	OutboxID    int64     // the outbox row, stable across attempts: an idempotency key (0 for periodic jobs)
	Attempt     int       // 1 on the first run
	MaxAttempts int       // the job fails for good after this attempt
	Period      time.Time // for periodic jobs, the start of the period being run
}

type infoKey struct{}

// Info returns the job being run, inside a Handler or periodic function.
func Info(ctx context.Context) (RunInfo, bool) {
	ri, ok := ctx.Value(infoKey{}).(RunInfo)
	return ri, ok
}

// Config tunes a Runner. Zero values take the defaults shown.
type Config struct {
	Logger *slog.Logger // default: discard
	// Clock reads "now" for periodic periods and outbox cleanup; default the
	// store's clock.
	Clock         portal.Clock
	Workers       int           // jobs run at once by this instance; default 10
	RelayInterval time.Duration // sweep for outbox rows not yet forwarded; default 1s
	MaxAttempts   int           // runs before a job fails for good; default 10
	JobTimeout    time.Duration // a run's context is cancelled after this; default 1m
	// RetryDelay is the wait before attempt+1 after attempt failed; default
	// River's backoff (attempt⁴ seconds, with jitter).
	RetryDelay func(attempt int) time.Duration
	// OutboxRetention keeps forwarded outbox rows (and so UniqueKey's
	// deduplication) this long; default 7 days.
	OutboxRetention time.Duration
	// FailedRetention keeps failed jobs for inspection; default 30 days.
	FailedRetention time.Duration
	// DueInterval is how often due work (Schedule) is swept; default 15s.
	// Work fires at most this long after its time.
	DueInterval time.Duration
	// DueRetention keeps fired and cancelled due work, and so the rule that
	// a key fires once, this long; default 400 days.
	DueRetention time.Duration

	testOnly bool // set by tests: no staggered start of River's maintenance
}

const (
	defaultWorkers         = 10
	defaultRelayInterval   = time.Second
	defaultMaxAttempts     = 10
	defaultJobTimeout      = time.Minute
	defaultOutboxRetention = 7 * 24 * time.Hour
	defaultFailedRetention = 30 * 24 * time.Hour
	defaultDueInterval     = 15 * time.Second
	defaultDueRetention    = 400 * 24 * time.Hour
)

func (c Config) withDefaults(st *store.Store) Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Clock == nil {
		c.Clock = st.Clock()
	}
	if c.Workers <= 0 {
		c.Workers = defaultWorkers
	}
	if c.RelayInterval <= 0 {
		c.RelayInterval = defaultRelayInterval
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = defaultMaxAttempts
	}
	if c.JobTimeout <= 0 {
		c.JobTimeout = defaultJobTimeout
	}
	if c.OutboxRetention <= 0 {
		c.OutboxRetention = defaultOutboxRetention
	}
	if c.FailedRetention <= 0 {
		c.FailedRetention = defaultFailedRetention
	}
	if c.DueInterval <= 0 {
		c.DueInterval = defaultDueInterval
	}
	if c.DueRetention <= 0 {
		c.DueRetention = defaultDueRetention
	}
	return c
}

// FailedJob is a job that failed for good, for the admin console.
type FailedJob struct {
	ID          int64           // River's job ID, for Retry
	Kind        string          // handler kind, or periodic job name
	Periodic    bool            // a periodic run rather than an enqueued job
	OutboxID    int64           // 0 for periodic runs
	Args        json.RawMessage // as enqueued; may hold personal data
	Attempts    int
	MaxAttempts int
	Error       string // the last attempt's error
	CreatedAt   time.Time
	FailedAt    time.Time
}
