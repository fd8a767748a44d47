package results

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Console form fields besides a result's.
const (
	FieldCandidate = "candidate"
	FieldReason    = "reason"
)

// MaxReasonChars bounds the reason of a rejection, a hold or a correction.
const MaxReasonChars = 1000

// Enter records a result an officer typed (portal.PermResultsEnter). The
// candidate is named by login ID, else by email. The result waits for a
// second officer's confirmation before it counts. Problems are an invalid
// *portal.Error naming the fields; a result for the officer's own account
// is forbidden.
func (s *Service) Enter(ctx context.Context, actor portal.Actor, in Entry) (*portal.Attempt, error) {
	if err := actor.Authorize(portal.PermResultsEnter); err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out *portal.Attempt
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		u, err := findCandidate(ctx, tx, in.Candidate)
		if err != nil {
			return err
		}
		out, err = s.record(ctx, tx, actor, cal, Result{UserID: u.ID, ExamCode: in.ExamCode, BookingRef: in.BookingRef,
			TakenAt: in.TakenAt, Score: in.Score, Domains: in.Domains}, recording{source: portal.SourceConsole})
		if err != nil {
			return candidateField(err)
		}
		return auditAttempt(ctx, tx, actor, "results.entered", out, "", portal.Diff(&portal.Attempt{}, out)...)
	})
	return out, err
}

// findCandidate resolves a candidate by login ID, else by email.
func findCandidate(ctx context.Context, tx *store.Tx, who string) (*portal.User, error) {
	who = strings.TrimSpace(who)
	if who == "" {
		return nil, refused(portal.EInvalid, "results.error.candidate_missing", FieldCandidate)
	}
	u, err := tx.FindUserByLoginID(ctx, strings.ToUpper(who))
	if errors.Is(err, portal.ErrNotFound) {
		if email, ok := portal.NormalizeEmail(who); ok {
			u, err = tx.FindUserByEmail(ctx, email)
		}
	}
	if errors.Is(err, portal.ErrNotFound) || (err == nil && u == nil) {
		return nil, refused(portal.EInvalid, "results.error.unknown_candidate", FieldCandidate)
	}
	return u, err
}

// candidateField names the console's candidate field where the recording
// path names the file's login column.
func candidateField(err error) error {
	var pe *portal.Error
	if errors.As(err, &pe) {
		for i := range pe.Fields {
			if pe.Fields[i].Field == FieldLogin {
				pe.Fields[i].Field = FieldCandidate
			}
		}
	}
	return err
}

// Confirm makes an entered result count (portal.PermResultsConfirm): its
// publication is scheduled and the candidate told. The officer who
// entered it, and the candidate, may not confirm it. The system (the demo
// loader) enters and confirms as no officer: neither is recorded.
func (s *Service) Confirm(ctx context.Context, actor portal.Actor, attemptID int64) (*portal.Attempt, error) {
	if err := actor.Authorize(portal.PermResultsConfirm); err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out *portal.Attempt
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		a, err := tx.LockAttempt(ctx, attemptID)
		if err != nil {
			return err
		}
		switch {
		case a.UserID == actor.UserID:
			return portal.Errorf(portal.EForbidden, "results.error.own_account", nil)
		case a.EnteredBy != nil && *a.EnteredBy == actor.UserID:
			return portal.Errorf(portal.EForbidden, "results.error.same_officer", nil)
		case a.State != portal.AttemptEntered:
			return portal.Errorf(portal.EConflict, "results.error.not_entered", nil)
		}
		state, now := portal.AttemptPreliminary, tx.Now()
		change := store.AttemptChange{State: &state, ConfirmedAt: &now}
		if !actor.IsSystem() {
			change.ConfirmedBy = &actor.UserID
		}
		out, err = tx.UpdateAttempt(ctx, a.ID, []string{portal.AttemptEntered}, change)
		if errors.Is(err, portal.ErrNotFound) {
			return portal.Errorf(portal.EConflict, "results.error.not_entered", nil)
		}
		if err != nil {
			return err
		}
		if err := s.counted(ctx, tx, actor, cal.Location(), out, nil); err != nil {
			return err
		}
		return auditAttempt(ctx, tx, actor, "results.confirmed", out, "", portal.Diff(&a.Attempt, out)...)
	})
	return out, err
}

// Reject discards an entered result with a reason
// (portal.PermResultsConfirm); the audit log keeps what it said.
func (s *Service) Reject(ctx context.Context, actor portal.Actor, attemptID int64, reason string) error {
	if err := actor.Authorize(portal.PermResultsConfirm); err != nil {
		return err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return err
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		a, err := lockOthersAttempt(ctx, tx, actor, attemptID)
		if err != nil {
			return err
		}
		before, err := tx.DeleteAttempt(ctx, a.ID, portal.AttemptEntered)
		if errors.Is(err, portal.ErrNotFound) {
			return portal.Errorf(portal.EConflict, "results.error.not_entered", nil)
		}
		if err != nil {
			return err
		}
		return auditAttempt(ctx, tx, actor, "results.rejected", before, reason, portal.Diff(before, &portal.Attempt{})...)
	})
}

// mayReadResults allows any results officer: one who enters, confirms or
// imports results.
func mayReadResults(actor portal.Actor) error {
	first := actor.Authorize(portal.PermResultsConfirm)
	for _, p := range []portal.Permission{portal.PermResultsEnter, portal.PermResultsImport} {
		if first == nil || actor.Authorize(p) == nil {
			return nil
		}
	}
	return first
}

// Awaiting lists the results waiting for staff: entered ones to confirm or
// reject, and held ones under review, newest delivery first. Any results
// officer.
func (s *Service) Awaiting(ctx context.Context, actor portal.Actor) ([]*portal.AttemptDetail, error) {
	if err := mayReadResults(actor); err != nil {
		return nil, err
	}
	return s.st.ListAttempts(ctx, store.AttemptFilter{States: []string{portal.AttemptEntered, portal.AttemptHeld}})
}

// Attempt returns one attempt with its details for staff, or
// portal.ErrNotFound. Any results officer.
func (s *Service) Attempt(ctx context.Context, actor portal.Actor, attemptID int64) (*portal.AttemptDetail, error) {
	if err := mayReadResults(actor); err != nil {
		return nil, err
	}
	return s.st.GetAttempt(ctx, attemptID)
}

// Hold puts a counting, not yet official result under review with a
// reason (portal.PermResultsConfirm): the candidate sees "under review"
// and is told once; it is not published until released.
func (s *Service) Hold(ctx context.Context, actor portal.Actor, attemptID int64, reason string) (*portal.Attempt, error) {
	if err := actor.Authorize(portal.PermResultsConfirm); err != nil {
		return nil, err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out *portal.Attempt
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		a, err := lockOthersAttempt(ctx, tx, actor, attemptID)
		if err != nil {
			return err
		}
		state, now, by := portal.AttemptHeld, tx.Now(), &actor.UserID
		nowp := &now
		out, err = tx.UpdateAttempt(ctx, a.ID, []string{portal.AttemptPreliminary},
			store.AttemptChange{State: &state, HeldAt: &nowp, HeldBy: &by, HoldReason: &reason})
		if errors.Is(err, portal.ErrNotFound) {
			return portal.Errorf(portal.EConflict, "results.error.not_preliminary", nil)
		}
		if err != nil {
			return err
		}
		if err := tx.AppendEvent(portal.EventResultHeld, portal.SubjectAttempt, out.ID, "", actor.UserID,
			map[string]any{"exam": out.ExamCode, "user": out.UserID}); err != nil {
			return err
		}
		if err := s.mailResult(ctx, tx, cal.Location(), out, mailHeld); err != nil {
			return err
		}
		return auditAttempt(ctx, tx, actor, "results.held", out, reason, portal.Diff(&a.Attempt, out)...)
	})
	return out, err
}

// Release ends the review of a held result (portal.PermResultsConfirm):
// it is published at once if its official instant has passed; otherwise
// the due publication fires at that instant.
func (s *Service) Release(ctx context.Context, actor portal.Actor, attemptID int64) (*portal.Attempt, error) {
	if err := actor.Authorize(portal.PermResultsConfirm); err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out *portal.Attempt
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		a, err := lockOthersAttempt(ctx, tx, actor, attemptID)
		if err != nil {
			return err
		}
		state, empty := portal.AttemptPreliminary, ""
		out, err = tx.UpdateAttempt(ctx, a.ID, []string{portal.AttemptHeld}, store.AttemptChange{State: &state, HoldReason: &empty})
		if errors.Is(err, portal.ErrNotFound) {
			return portal.Errorf(portal.EConflict, "results.error.not_held", nil)
		}
		if err != nil {
			return err
		}
		if err := auditAttempt(ctx, tx, actor, "results.released", out, "", portal.Diff(&a.Attempt, out)...); err != nil {
			return err
		}
		if out.OfficialAt.After(tx.Now()) {
			return schedulePublication(ctx, tx, out)
		}
		if _, err := jobs.Cancel(ctx, tx, KindPublish, publicationKey(out.ID)); err != nil {
			return err
		}
		if err := s.publish(ctx, tx, actor, cal, out); err != nil {
			return err
		}
		d, err := tx.LockAttempt(ctx, out.ID)
		if err != nil {
			return err
		}
		out = &d.Attempt
		return nil
	})
	return out, err
}

// lockOthersAttempt locks an attempt for a change by staff, refusing one of
// the actor's own account: nobody acts on their own result.
func lockOthersAttempt(ctx context.Context, tx *store.Tx, actor portal.Actor, attemptID int64) (*portal.AttemptDetail, error) {
	a, err := tx.LockAttempt(ctx, attemptID)
	if err != nil {
		return nil, err
	}
	if a.UserID == actor.UserID {
		return nil, portal.Errorf(portal.EForbidden, "results.error.own_account", nil)
	}
	return a, nil
}

// checkReason trims a reason and requires one.
func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n == 0 || n > MaxReasonChars {
		return "", &portal.Error{Code: portal.EInvalid, Message: "results.error.reason_required",
			Data:   map[string]any{"Count": MaxReasonChars},
			Fields: []portal.FieldError{{Field: FieldReason, Message: "results.error.reason_required", Data: map[string]any{"Count": MaxReasonChars}}}}
	}
	return reason, nil
}

// auditAttempt writes an audit entry about an attempt.
func auditAttempt(ctx context.Context, tx *store.Tx, actor portal.Actor, action string, a *portal.Attempt, detail string, changes ...portal.FieldChange) error {
	return tx.Audit(ctx, actor, action, "attempt:"+strconv.FormatInt(a.ID, 10), detail, changes)
}
