package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"
)

// outboxWorker runs enqueued jobs, dispatching by their kind.
type outboxWorker struct {
	river.WorkerDefaults[outboxArgs]
	r *Runner
}

func (w *outboxWorker) Work(ctx context.Context, job *river.Job[outboxArgs]) error {
	ri := RunInfo{
		Kind:        job.Args.JobKind,
		OutboxID:    job.Args.OutboxID,
		Attempt:     job.Attempt,
		MaxAttempts: job.MaxAttempts,
	}
	h := w.r.handler(ri.Kind)
	if h == nil {
		err := fmt.Errorf("jobs: no handler for kind %q on this instance", ri.Kind)
		return w.r.failed(ctx, ri, err)
	}
	if err := h(context.WithValue(ctx, infoKey{}, ri), job.Args.Payload); err != nil {
		return w.r.failed(ctx, ri, err)
	}
	return nil
}

// periodicWorker runs one period of a periodic job.
type periodicWorker struct {
	river.WorkerDefaults[periodicArgs]
	r *Runner
}

func (w *periodicWorker) Work(ctx context.Context, job *river.Job[periodicArgs]) error {
	ri := RunInfo{
		Kind:        job.Args.Name,
		Attempt:     job.Attempt,
		MaxAttempts: job.MaxAttempts,
		Period:      job.Args.PeriodStart,
	}
	f := w.r.periodicFunc(ri.Kind)
	if f == nil {
		err := fmt.Errorf("jobs: no periodic job %q on this instance", ri.Kind)
		return w.r.failed(ctx, ri, err)
	}
	if err := f(context.WithValue(ctx, infoKey{}, ri)); err != nil {
		return w.r.failed(ctx, ri, err)
	}
	return nil
}

// failed logs a failed attempt (never the job's arguments, which may hold
// personal data) and tells River what to do with it.
func (r *Runner) failed(ctx context.Context, ri RunInfo, err error) error {
	attrs := []any{
		slog.String("kind", ri.Kind),
		slog.Int64("outbox_id", ri.OutboxID),
		slog.Int("attempt", ri.Attempt),
		slog.Int("max_attempts", ri.MaxAttempts),
		slog.String("err", err.Error()),
	}
	var perm *permanentError
	switch {
	case errors.Is(ctx.Err(), context.Canceled) && errors.Is(err, context.Canceled):
		// The Runner is stopping: River makes the job available again
		// without counting the attempt.
		r.log.InfoContext(ctx, "jobs: job interrupted by shutdown; will run again", attrs...)
		return err
	case errors.As(err, &perm):
		r.log.ErrorContext(ctx, "jobs: job failed permanently; kept for inspection", attrs...)
		return river.JobCancel(err)
	case ri.Attempt >= ri.MaxAttempts:
		r.log.ErrorContext(ctx, "jobs: job failed its last attempt; kept for inspection", attrs...)
		return err
	default:
		r.log.WarnContext(ctx, "jobs: job failed; will retry", attrs...)
		return err
	}
}
