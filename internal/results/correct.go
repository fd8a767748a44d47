package results

import (
	"context"
	"errors"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Correct changes the score and domain bands of a published result with a
// reason (portal.PermResultsCorrect, admins). The audit log keeps the old
// and new values. When the outcome changes, what followed from it runs
// again: a pass that becomes a fail withdraws the certification it earned
// (its voucher is voided if unused) and sets the retake date; a fail that
// becomes a pass issues the certification and its voucher. The candidate
// is told by mail.
func (s *Service) Correct(ctx context.Context, actor portal.Actor, attemptID int64, c Correction) (*portal.Attempt, error) {
	if err := actor.Authorize(portal.PermResultsCorrect); err != nil {
		return nil, err
	}
	// A missing reason is said with the score's and the bands' problems,
	// once the result is known to be correctable.
	reason, reasonErr := checkReason(c.Reason)
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
		if a.State != portal.AttemptOfficial {
			return portal.Errorf(portal.EConflict, "results.error.not_official", nil)
		}
		e, err := correctionExam(ctx, tx, &a.Attempt)
		if err != nil {
			return err
		}
		next := portal.Attempt{TakenAt: a.TakenAt}
		v := checkResult(&next, e, Result{Score: c.Score, Domains: c.Domains}, tx.Now())
		var re *portal.Error
		if errors.As(reasonErr, &re) {
			v.Fields = append(re.Fields, v.Fields...)
		}
		if err := v.Err(); err != nil {
			return err
		}
		var retake *time.Time
		if !next.Passed {
			from := retakeFrom(a.TakenAt, a.RetakeWaitDays, cal.Location())
			retake = &from
		}
		domains := next.Domains
		if domains == nil {
			domains = []portal.DomainResult{}
		}
		out, err = tx.UpdateAttempt(ctx, a.ID, []string{portal.AttemptOfficial},
			store.AttemptChange{Score: &c.Score, Passed: &next.Passed, Domains: &domains, RetakeFrom: &retake})
		if err != nil {
			return err
		}
		if err := tx.AppendEvent(portal.EventResultCorrected, portal.SubjectAttempt, out.ID, "", actor.UserID,
			map[string]any{"exam": out.ExamCode, "user": out.UserID, "score_before": a.Score, "score": out.Score,
				"passed_before": a.Passed, "passed": out.Passed}); err != nil {
			return err
		}
		if err := auditAttempt(ctx, tx, actor, "results.corrected", out, reason, portal.Diff(&a.Attempt, out)...); err != nil {
			return err
		}
		switch {
		case a.Passed && !out.Passed:
			if err := s.withdraw(ctx, tx, actor, out, reason); err != nil {
				return err
			}
		case !a.Passed && out.Passed:
			_, earned, err := s.certify(ctx, tx, actor, cal.Location(), out)
			if err != nil {
				return err
			}
			if earned {
				if err := s.mailResult(ctx, tx, cal.Location(), out, mailIssued); err != nil {
					return err
				}
			}
		}
		return s.mailResult(ctx, tx, cal.Location(), out, mailCorrected)
	})
	return out, err
}

// correctionExam is what a correction is checked against: the attempt's
// snapshot (passing score, and the domains and weights of the day), or the
// exam's domains when the result named none.
func correctionExam(ctx context.Context, tx *store.Tx, a *portal.Attempt) (*portal.Exam, error) {
	e := &portal.Exam{Code: a.ExamCode, PassingScore: a.PassingScore}
	for i, d := range a.Domains {
		e.Domains = append(e.Domains, portal.ExamDomain{Position: i + 1, Name: d.Name, WeightPercent: d.WeightPercent})
	}
	if len(e.Domains) > 0 {
		return e, nil
	}
	cur, err := tx.FindExamByCode(ctx, a.ExamCode)
	if errors.Is(err, portal.ErrNotFound) {
		return e, nil
	}
	if err != nil {
		return nil, err
	}
	e.Domains = cur.Domains
	return e, nil
}
