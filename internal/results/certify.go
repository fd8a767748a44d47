package results

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"example.org/certportal/internal/failpoint"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/renewal"
	"example.org/certportal/internal/store"
)

// PassVoucherPercent is the discount of the voucher an official pass of a
// certification exam gives, on any exam.
const PassVoucherPercent = 50

// issued is what a pass earned at its publication: the certification and
// its voucher (nil when a reinstated certification's voucher is gone).
type issued struct {
	cert    *portal.UserCertification
	voucher *portal.Voucher
}

// certify issues the certification an official pass earns, with its
// voucher, unless the candidate already holds a standing one of that
// certification: then the pass is recorded by the attempt alone. A pass
// whose certification a correction withdrew and a later correction
// restored gets it back, unless another was issued in the meantime and
// stands. ok is false when nothing was issued: a pass that earns nothing
// new is not an error.
func (s *Service) certify(ctx context.Context, tx *store.Tx, actor portal.Actor, loc *time.Location, a *portal.Attempt) (got issued, ok bool, err error) {
	if !a.Passed || a.CertificationID == nil {
		return issued{}, false, nil
	}
	// One candidate's passes are certified one at a time, so two passes
	// published together issue one certification.
	if err := tx.LockUser(ctx, a.UserID); err != nil {
		return issued{}, false, err
	}
	held, err := tx.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: a.UserID, CertificationID: *a.CertificationID})
	if err != nil {
		return issued{}, false, err
	}
	if prev, err := tx.FindUserCertificationByAttempt(ctx, a.ID); err == nil {
		if prev.WithdrawnAt == nil {
			return issued{}, false, nil
		}
		// A certification issued since the withdrawal stands in its
		// place: a pass while one stands issues none.
		for _, h := range held {
			if h.ID != prev.ID && h.Standing(tx.Now()) {
				return issued{}, false, nil
			}
		}
		back, err := s.reinstate(ctx, tx, actor, a, prev)
		return back, err == nil, err
	} else if !errors.Is(err, portal.ErrNotFound) {
		return issued{}, false, err
	}
	// A pass taken within the cycle of the certification it earns renews
	// it (also when published after that cycle's expiry: the renewal
	// runs from the old expiry).
	if renewed, err := s.renewByExam(ctx, tx, actor, loc, a, held); err != nil || renewed {
		return issued{}, false, err
	}
	cycle := 1
	for _, h := range held {
		if h.Standing(tx.Now()) {
			return issued{}, false, nil
		}
		if h.WithdrawnAt == nil && h.Cycle >= cycle {
			cycle = h.Cycle + 1
		}
	}
	// Shared: the passes of one certification published at once (a
	// results day) issue it side by side; a change of the catalogue entry
	// waits for them, and they for it.
	c, err := tx.LockCertificationShared(ctx, *a.CertificationID)
	if err != nil {
		return issued{}, false, err
	}
	issuedOn, expiresOn, expiresAt := validity(a.TakenAt, c.ValidityMonths, loc)
	uc, err := tx.InsertUserCertification(ctx, portal.UserCertification{UserID: a.UserID, CertificationID: c.ID, AttemptID: a.ID,
		Cycle: cycle, Kind: c.Kind, ValidityMonths: c.ValidityMonths, IssuedOn: issuedOn, ExpiresOn: expiresOn,
		IssuedAt: a.TakenAt, ExpiresAt: expiresAt})
	if err != nil {
		return issued{}, false, err
	}
	failpoint.Inject(failpoint.PublishCertIssued)
	v, err := s.passVoucher(ctx, tx, uc, c.Code)
	if err != nil {
		return issued{}, false, err
	}
	if err := tx.AppendEvent(portal.EventCertificationIssued, portal.SubjectCertification, uc.ID, c.Code, actor.UserID,
		map[string]any{"certification": c.Code, "attempt": a.ID, "user": a.UserID, "issued_on": issuedOn, "expires_on": expiresOn}); err != nil {
		return issued{}, false, err
	}
	return issued{cert: uc, voucher: v}, true, nil
}

// renewByExam renews the latest of held (the candidate's certifications
// of one certification, latest expiry first) when pass a fell within its
// current cycle; see renewal.ByExam.
func (s *Service) renewByExam(ctx context.Context, tx *store.Tx, actor portal.Actor, loc *time.Location, a *portal.Attempt,
	held []*portal.UserCertificationDetail) (bool, error) {
	for _, h := range held {
		if h.WithdrawnAt != nil {
			continue
		}
		_, ok, err := renewal.ByExam(ctx, tx, renewal.Config{Location: loc, BaseURL: s.cfg.BaseURL}, actor, h.ID, a.ID, a.ExamCode, a.TakenAt)
		return ok, err
	}
	return false, nil
}

// renewByPaths follows an official pass beyond the certification it
// earns: each certification of the candidate's that the exam is a renewal
// path of renews when the pass fell within its current cycle; every other
// certification of theirs in force whose cycle holds the pass day gets an
// approved "another technical certification" activity in the ledger
// (renewal.RecordExamActivity), which may complete its requirement.
func (s *Service) renewByPaths(ctx context.Context, tx *store.Tx, actor portal.Actor, loc *time.Location, a *portal.Attempt) error {
	if !a.Passed {
		return nil
	}
	certs, err := tx.ListCertificationsRenewedByExam(ctx, a.ExamID)
	if err != nil {
		return err
	}
	if err := tx.LockUser(ctx, a.UserID); err != nil {
		return err
	}
	skip := map[int64]bool{}
	if a.CertificationID != nil {
		skip[*a.CertificationID] = true // certify issued or renewed it
	}
	for _, c := range certs {
		if skip[c.ID] {
			continue
		}
		skip[c.ID] = true
		held, err := tx.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: a.UserID, CertificationID: c.ID})
		if err != nil {
			return err
		}
		if _, err := s.renewByExam(ctx, tx, actor, loc, a, held); err != nil {
			return err
		}
	}
	_, err = renewal.RecordExamActivity(ctx, tx, renewal.Config{Location: loc, BaseURL: s.cfg.BaseURL}, actor, a, skip)
	return err
}

// reinstate gives back a certification a correction withdrew, when a
// later correction restores the pass, and enables its voucher again if it
// was voided unused.
func (s *Service) reinstate(ctx context.Context, tx *store.Tx, actor portal.Actor, a *portal.Attempt, prev *portal.UserCertification) (issued, error) {
	uc, err := tx.ReinstateUserCertification(ctx, prev.ID)
	if err != nil {
		return issued{}, err
	}
	v, err := tx.FindVoucherByUserCertification(ctx, uc.ID)
	switch {
	case err == nil:
		if v.Uses == 0 && v.DisabledAt != nil {
			if v, err = tx.EnableVoucher(ctx, v.ID); err != nil {
				return issued{}, err
			}
		}
	case errors.Is(err, portal.ErrNotFound):
		v = nil
	default:
		return issued{}, err
	}
	if err := tx.AppendEvent(portal.EventCertificationIssued, portal.SubjectCertification, uc.ID, "", actor.UserID,
		map[string]any{"attempt": a.ID, "user": a.UserID, "issued_on": uc.IssuedOn, "expires_on": uc.ExpiresOn, "reinstated": true}); err != nil {
		return issued{}, err
	}
	return issued{cert: uc, voucher: v}, nil
}

// passVoucher creates the voucher of an earned certification's cycle: 50 %
// off any exam, one use, for its holder, until the certification expires.
func (s *Service) passVoucher(ctx context.Context, tx *store.Tx, uc *portal.UserCertification, certCode string) (*portal.Voucher, error) {
	owner := uc.UserID
	for range 3 {
		v, err := tx.CreateVoucher(ctx, portal.Voucher{Code: newVoucherCode(), Percent: PassVoucherPercent, MaxUses: 1,
			ExpiresAt: uc.ExpiresAt, OwnerUserID: &owner, Note: "Pass voucher: " + certCode})
		if errors.Is(err, portal.ErrConflict) {
			continue // a code in use: draw another
		}
		if err != nil {
			return nil, err
		}
		if err := tx.InsertCertificationVoucher(ctx, uc.ID, uc.Cycle, v.ID); err != nil {
			return nil, err
		}
		failpoint.Inject(failpoint.PublishVoucherIssued)
		return v, nil
	}
	return nil, errors.New("results: no free voucher code")
}

// newVoucherCode is a random voucher code: PASS and 16 characters of
// base32.
func newVoucherCode() string { return "PASS" + rand.Text()[:16] }

// validity computes the days of issue and expiry of a certification
// earned by a pass at takenAt: issued on the delivery day in the program's
// time zone; expires after months on the same calendar day (the month's
// last day when it has no such day: 29 February → 28 February), at the end
// of that day there.
func validity(takenAt time.Time, months int, loc *time.Location) (issuedOn, expiresOn string, expiresAt time.Time) {
	y, m, d := takenAt.In(loc).Date()
	ey, em := y, m+time.Month(months)
	first := time.Date(ey, em, 1, 12, 0, 0, 0, time.UTC)
	last := time.Date(first.Year(), first.Month()+1, 0, 12, 0, 0, 0, time.UTC).Day()
	ed := min(d, last)
	exp := time.Date(first.Year(), first.Month(), ed, 12, 0, 0, 0, time.UTC)
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), exp.Format(time.DateOnly),
		time.Date(exp.Year(), exp.Month(), exp.Day()+1, 0, 0, 0, 0, loc).UTC()
}

// withdraw undoes what a pass issued when a correction makes it a fail:
// the certification is withdrawn and its voucher voided if unused.
func (s *Service) withdraw(ctx context.Context, tx *store.Tx, actor portal.Actor, a *portal.Attempt, reason string) error {
	uc, err := tx.FindUserCertificationByAttempt(ctx, a.ID)
	if errors.Is(err, portal.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if uc.WithdrawnAt != nil {
		return nil
	}
	if uc, err = tx.WithdrawUserCertification(ctx, uc.ID, reason); err != nil {
		return err
	}
	voided := false
	if v, err := tx.FindVoucherByUserCertification(ctx, uc.ID); err == nil {
		if voided, err = tx.VoidUnusedVoucher(ctx, v.ID); err != nil {
			return err
		}
	} else if !errors.Is(err, portal.ErrNotFound) {
		return err
	}
	return tx.AppendEvent(portal.EventCertificationWithdrawn, portal.SubjectCertification, uc.ID, "", actor.UserID,
		map[string]any{"attempt": a.ID, "user": a.UserID, "voucher_voided": voided})
}
