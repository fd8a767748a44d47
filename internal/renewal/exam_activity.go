package renewal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// ExamActivityType is the activity type an exam pass of the program
// records for the candidate's other certifications: "another technical
// certification" of the default catalogue.
const ExamActivityType = "other_certification"

// ExamActivityCredits is what such a pass is worth by default: 50
// credits, or less when the type's range ends lower.
const ExamActivityCredits = 50 * Credit

// RecordExamActivity records an official pass of an exam that earns a
// certification (not a microcredential), already certified (what it earns
// or renews is in skip), as an approved
// continuing-education activity of type ExamActivityType, decided by the
// system, toward each other certification of the candidate's in force
// whose cycle holds the pass day (in loc), then renews any whose
// requirement it completes. A program without the type (or with it
// inactive that day) records nothing. It reports the certifications
// credited. The caller has locked the candidate.
func RecordExamActivity(ctx context.Context, tx *store.Tx, cfg Config, actor portal.Actor, a *portal.Attempt,
	skip map[int64]bool) (int, error) {
	if !a.Passed || a.CertificationID == nil {
		return 0, nil // only a pass that earns a certification is another technical certification
	}
	earned, err := tx.GetCertification(ctx, *a.CertificationID)
	if err != nil {
		return 0, err
	}
	if earned.Kind != portal.CertKindCertification {
		return 0, nil // a microcredential is not a technical certification
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	day := a.TakenAt.In(loc).Format(time.DateOnly)
	typ, err := tx.FindCEActivityTypeByCode(ctx, ExamActivityType)
	if errors.Is(err, portal.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if (typ.ActiveFrom != nil && day < *typ.ActiveFrom) || (typ.ActiveUntil != nil && day > *typ.ActiveUntil) {
		return 0, nil
	}
	list, err := tx.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: a.UserID})
	if err != nil {
		return 0, err
	}
	var targets []*portal.UserCertificationDetail
	for _, c := range list {
		if skip[c.CertificationID] || c.WithdrawnAt != nil || c.RevokedAt != nil || c.SupersededBy != nil ||
			c.Kind == portal.CertKindMicrocredential || day < c.IssuedOn || day > c.ExpiresOn {
			continue
		}
		targets = append(targets, c)
	}
	if len(targets) == 0 {
		return 0, nil
	}
	credits := min(ExamActivityCredits, typ.MaxCredits)
	now := tx.Now()
	sub, err := tx.InsertCESubmission(ctx, portal.CESubmission{UserID: a.UserID, TypeID: typ.TypeID, VersionID: typ.VersionID,
		State: portal.CEPending, Title: "Exam " + a.ExamCode, Provider: "", CompletedOn: day, Claimed: credits, SubmittedAt: &now})
	if err != nil {
		return 0, err
	}
	sub.State, sub.Granted, sub.DecidedAt, sub.DecidedRole, sub.Decisions = portal.CEApproved, credits, &now, "system", 1
	sub.Notes = fmt.Sprintf("Recorded from the official pass of %s (result %d).", a.ExamCode, a.ID)
	if sub, err = tx.UpdateCESubmission(ctx, *sub, portal.CEPending); err != nil {
		return 0, err
	}
	n := 0
	for _, c := range targets {
		rows, err := tx.ListCELedger(ctx, store.CELedgerFilter{UserCertificationID: c.ID})
		if err != nil {
			return n, err
		}
		held := 0
		for _, r := range live(rows) {
			if r.TypeID == typ.TypeID {
				held += r.Credits
			}
		}
		give := credits
		if typ.CapCycle > 0 {
			give = min(give, max(0, typ.CapCycle-held))
		}
		if give <= 0 {
			continue
		}
		if _, err := tx.InsertCELedgerEntry(ctx, portal.CELedgerEntry{UserID: a.UserID, UserCertificationID: c.ID,
			SubmissionID: sub.ID, TypeID: typ.TypeID, Kind: portal.CELedgerCredit, Decision: sub.Decisions, Credits: give,
			CompletedOn: day}); err != nil {
			return n, err
		}
		n++
		if _, _, err := AfterCredit(ctx, tx, cfg, actor, c.ID, sub.ID); err != nil {
			return n, err
		}
	}
	if err := tx.AppendEvent(portal.EventCEDecided, portal.SubjectCE, sub.ID, "", actor.UserID,
		map[string]any{"state": sub.State, "granted": sub.Granted, "attempt": a.ID}); err != nil {
		return n, err
	}
	return n, nil
}
