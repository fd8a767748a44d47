package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"

	"example.org/certportal/internal/portal"
)

// maxFailedList caps one Failed page.
const maxFailedList = 1000

// Failed lists up to limit jobs that failed for good (their last attempt
// failed, or a handler returned Permanent), newest first. They are kept for
// Config.FailedRetention. Args may hold personal data: show them to
// administrators only.
func (r *Runner) Failed(ctx context.Context, limit int) ([]FailedJob, error) {
	limit = max(1, min(limit, maxFailedList))
	params := river.NewJobListParams().
		Kinds(outboxKind, periodicKind).
		States(rivertype.JobStateDiscarded, rivertype.JobStateCancelled).
		OrderBy(river.JobListOrderByFinalizedAt, river.SortOrderDesc).
		First(limit)
	res, err := r.b.JobList(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("jobs: list failed jobs: %w", err)
	}
	out := make([]FailedJob, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		f := FailedJob{
			ID:          j.ID,
			Attempts:    j.Attempt,
			MaxAttempts: j.MaxAttempts,
			CreatedAt:   j.CreatedAt,
		}
		if j.FinalizedAt != nil {
			f.FailedAt = *j.FinalizedAt
		}
		if n := len(j.Errors); n > 0 {
			f.Error = j.Errors[n-1].Error
		}
		switch j.Kind {
		case outboxKind:
			var a outboxArgs
			if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
				return nil, fmt.Errorf("jobs: failed job %d: %w", j.ID, err)
			}
			f.Kind, f.OutboxID, f.Args = a.JobKind, a.OutboxID, a.Payload
		case periodicKind:
			var a periodicArgs
			if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
				return nil, fmt.Errorf("jobs: failed job %d: %w", j.ID, err)
			}
			f.Kind, f.Periodic, f.Args = a.Name, true, json.RawMessage(j.EncodedArgs)
		}
		out = append(out, f)
	}
	return out, nil
}

// Retry makes a failed job run again at once, allowing it one more attempt.
// id is FailedJob.ID. It returns portal.ErrNotFound for an unknown job.
func (r *Runner) Retry(ctx context.Context, id int64) error {
	if _, err := r.b.JobRetry(ctx, id); err != nil {
		if errors.Is(err, river.ErrNotFound) {
			return fmt.Errorf("jobs: retry %d: %w", id, portal.ErrNotFound)
		}
		return fmt.Errorf("jobs: retry %d: %w", id, err)
	}
	return nil
}

// QueueDepth counts jobs waiting to run: outbox rows not yet forwarded plus
// River jobs available or waiting to retry. For /metrics.
func (r *Runner) QueueDepth(ctx context.Context) (int, error) {
	pending, err := r.st.CountPendingOutbox(ctx)
	if err != nil {
		return 0, fmt.Errorf("jobs: queue depth: %w", err)
	}
	counts, err := r.b.exec.JobCountByAllStates(ctx, &riverdriver.JobCountByAllStatesParams{})
	if err != nil {
		return 0, fmt.Errorf("jobs: queue depth: %w", err)
	}
	return pending + counts[rivertype.JobStateAvailable] + counts[rivertype.JobStateRetryable], nil
}

// OverdueWork counts scheduled work whose time passed more than a minute
// plus DueInterval ago and that has not fired: more than zero means no
// instance is sweeping. For metrics.
func (r *Runner) OverdueWork(ctx context.Context) (int, error) {
	cutoff := r.cfg.Clock.Now().Add(-r.cfg.DueInterval - time.Minute)
	n, err := r.st.CountOverdueDueWork(ctx, cutoff)
	if err != nil {
		return 0, fmt.Errorf("jobs: overdue work: %w", err)
	}
	return n, nil
}
