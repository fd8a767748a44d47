package results

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"example.org/certportal/internal/failpoint"
	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// KindPublish is the due work that publishes a result at its official
// instant, keyed by attempt.
const KindPublish = "results.publish"

// Publications fire together: the results of a session fall due at the
// same instant by the thousand, and a sweep hands them over a hundred to a
// job (HandlePublishJob takes the array).
var _ = jobs.FireTogether(KindPublish)

// publishChunk is how many results one publication transaction publishes.
const publishChunk = 100

// publishArgs are the arguments of a publication.
type publishArgs struct {
	AttemptID int64 `json:"attempt_id"`
}

// publicationKey names the publication of an attempt.
func publicationKey(attemptID int64) string { return "attempt:" + strconv.FormatInt(attemptID, 10) }

// schedulePublication writes the publication of a counting result as due
// work at its official instant, in the transaction that made it count.
func schedulePublication(ctx context.Context, tx *store.Tx, a *portal.Attempt) error {
	return jobs.Schedule(ctx, tx, KindPublish, publicationKey(a.ID), a.OfficialAt, publishArgs{AttemptID: a.ID})
}

// HandlePublishJob is the job handler of KindPublish: the app registers it
// with the job runner (Runner.Handle(results.KindPublish, ...)). Its args
// are one publication or, as the due-work sweep fires them, an array.
func (s *Service) HandlePublishJob(ctx context.Context, args json.RawMessage) error {
	if b := bytes.TrimSpace(args); len(b) > 0 && b[0] == '[' {
		var list []publishArgs
		if err := json.Unmarshal(b, &list); err != nil {
			return jobs.Permanent(fmt.Errorf("results: bad publication job %s", args))
		}
		ids := make([]int64, len(list))
		for i, p := range list {
			if p.AttemptID == 0 {
				return jobs.Permanent(fmt.Errorf("results: bad publication job %s", args))
			}
			ids[i] = p.AttemptID
		}
		return s.PublishDue(ctx, ids)
	}
	var p publishArgs
	if err := json.Unmarshal(args, &p); err != nil || p.AttemptID == 0 {
		return jobs.Permanent(fmt.Errorf("results: bad publication job %s", args))
	}
	return s.Publish(ctx, p.AttemptID)
}

// Publish is the due work's handler: it publishes the attempt if it is
// still preliminary and its official instant has come, exactly once
// however many instances run it at the same time. A held result, one not
// yet due, one already official and one rejected meanwhile are left
// alone.
func (s *Service) Publish(ctx context.Context, attemptID int64) error {
	cal, err := s.calendar(ctx)
	if err != nil {
		return err
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error { return s.publishDue(ctx, tx, cal, attemptID) })
}

// PublishDue is Publish for many attempts: a hundred to a transaction, in
// the order of their ids (so two runs of the same list lock in the same
// order). When a transaction fails, its attempts are published one by one,
// so one result that cannot be published holds back no other; the errors
// are returned together and a retry publishes what is left.
func (s *Service) PublishDue(ctx context.Context, attemptIDs []int64) error {
	cal, err := s.calendar(ctx)
	if err != nil {
		return err
	}
	ids := slices.Clone(attemptIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var errs []error
	for start := 0; start < len(ids); start += publishChunk {
		chunk := ids[start:min(start+publishChunk, len(ids))]
		err := s.st.Transact(ctx, func(tx *store.Tx) error {
			for _, id := range chunk {
				if err := s.publishDue(ctx, tx, cal, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil || len(chunk) == 1 {
			if err != nil {
				errs = append(errs, fmt.Errorf("results: publish attempt %d: %w", chunk[0], err))
			}
			continue
		}
		if ctx.Err() != nil {
			return err
		}
		for _, id := range chunk {
			if err := s.Publish(ctx, id); err != nil {
				errs = append(errs, fmt.Errorf("results: publish attempt %d: %w", id, err))
			}
		}
	}
	return errors.Join(errs...)
}

// publishDue publishes one attempt in tx if it is preliminary and due.
func (s *Service) publishDue(ctx context.Context, tx *store.Tx, cal Calendar, attemptID int64) error {
	a, err := tx.LockAttempt(ctx, attemptID)
	if errors.Is(err, portal.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if a.State != portal.AttemptPreliminary || a.OfficialAt.After(tx.Now()) {
		return nil
	}
	return s.publishRead(ctx, tx, portal.SystemActor("results.publish"), cal, a)
}

// publish makes a preliminary result official with a conditional update,
// then runs what follows in the same transaction: the certification and
// its voucher on a pass, the events and the mail. When another
// transaction published it first, it does nothing.
func (s *Service) publish(ctx context.Context, tx *store.Tx, actor portal.Actor, cal Calendar, a *portal.Attempt) error {
	return s.publishRead(ctx, tx, actor, cal, &portal.AttemptDetail{Attempt: *a})
}

// publishRead is publish of an attempt whose detail the caller locked in
// tx (LockAttempt), which the mails then take their names from; a detail
// with only its Attempt is read again for them.
func (s *Service) publishRead(ctx context.Context, tx *store.Tx, actor portal.Actor, cal Calendar, d *portal.AttemptDetail) error {
	a := &d.Attempt
	official, now := portal.AttemptOfficial, tx.Now()
	nowp := &now
	out, err := tx.UpdateAttempt(ctx, a.ID, []string{portal.AttemptPreliminary}, store.AttemptChange{State: &official, PublishedAt: &nowp})
	if errors.Is(err, portal.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	failpoint.Inject(failpoint.PublishAttemptOfficial)
	// Published by another path (a release, the demo): its due work has
	// nothing left to do.
	if _, err := jobs.Cancel(ctx, tx, KindPublish, publicationKey(out.ID)); err != nil {
		return err
	}
	if err := tx.AppendEvent(portal.EventResultPublished, portal.SubjectAttempt, out.ID, "", actor.UserID,
		map[string]any{"exam": out.ExamCode, "passed": out.Passed, "user": out.UserID}); err != nil {
		return err
	}
	_, earned, err := s.certify(ctx, tx, actor, cal.Location(), out)
	if err != nil {
		return err
	}
	if err := s.renewByPaths(ctx, tx, actor, cal.Location(), out); err != nil {
		return err
	}
	causes := []string{mailOfficial}
	if earned {
		causes = append(causes, mailIssued)
	}
	if d.UserEmail == "" {
		return s.mailResults(ctx, tx, cal.Location(), out, nil, causes...)
	}
	// What the mails name is as locked: publishing changes only the state.
	read := *d
	read.Attempt = *out
	return s.mailResults(ctx, tx, cal.Location(), out, &read, causes...)
}
