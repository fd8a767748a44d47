package results

import (
	"context"
	"sort"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// SupportAfterBusinessDays is how long after delivery, in business days,
// a result that has not arrived is worth asking support about.
const SupportAfterBusinessDays = 10

// subject returns the account whose records the actor reads, or
// ErrUnauthorized for a visitor.
func subject(actor portal.Actor) (int64, error) {
	id := actor.Subject()
	if id == 0 {
		return 0, portal.ErrUnauthorized
	}
	return id, nil
}

// History is the candidate's exam history, newest first: each attempt
// whose result counts, and each exam taken whose result has not arrived.
// Scores show only once official; a failure shows the first day a retake
// may start.
func (s *Service) History(ctx context.Context, actor portal.Actor) ([]HistoryEntry, error) {
	uid, err := subject(actor)
	if err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	loc, now := cal.Location(), s.clock.Now()
	attempts, err := s.st.ListAttempts(ctx, store.AttemptFilter{UserID: uid, Limit: 1000})
	if err != nil {
		return nil, err
	}
	var out []HistoryEntry
	withResult := map[int64]bool{}
	for _, a := range attempts {
		if !a.Counts() {
			continue
		}
		if a.BookingID != nil {
			withResult[*a.BookingID] = true
		}
		out = append(out, historyEntry(a, loc))
	}
	bookings, err := s.st.ListBookings(ctx, store.BookingFilter{UserID: uid, States: []string{portal.BookingConfirmed, portal.BookingDelivered}})
	if err != nil {
		return nil, err
	}
	exams := map[string]*portal.Exam{}
	for _, b := range bookings {
		// A confirmed booking whose exam ended is delivered until the
		// settling sweep says otherwise.
		if withResult[b.ID] || b.EndsAt().After(now) {
			continue
		}
		e, ok := exams[b.ExamCode]
		if !ok {
			if e, err = s.st.FindExamByCode(ctx, b.ExamCode); err != nil {
				return nil, err
			}
			exams[b.ExamCode] = e
		}
		usual, err := cal.AddBusinessDays(b.StartsAt, e.ResultsDelayDays)
		if err != nil {
			return nil, err
		}
		overdue, err := cal.AddBusinessDays(b.StartsAt, SupportAfterBusinessDays)
		if err != nil {
			return nil, err
		}
		out = append(out, HistoryEntry{State: HistoryAwaiting, BookingRef: b.Reference, ExamCode: b.ExamCode, ExamName: b.ExamName,
			Microcredential: e.Kind == portal.KindMicrocredential, TakenAt: b.StartsAt, OfficialOn: dayOf(usual, loc),
			PassingScore: e.PassingScore, AskSupport: !now.Before(overdue)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].TakenAt.After(out[j].TakenAt) })
	return out, nil
}

// historyEntry is how the candidate sees a counting attempt.
func historyEntry(a *portal.AttemptDetail, loc *time.Location) HistoryEntry {
	h := HistoryEntry{AttemptID: a.ID, BookingRef: a.BookingReference, ExamCode: a.ExamCode, ExamName: a.ExamName,
		Microcredential: a.ExamKind == portal.KindMicrocredential, TakenAt: a.TakenAt, OfficialOn: dayOf(a.OfficialAt, loc),
		PassingScore: a.PassingScore}
	switch a.State {
	case portal.AttemptHeld:
		h.State = HistoryReview
		return h
	case portal.AttemptOfficial:
		h.State, h.Score = HistoryFailed, a.Score
		if a.Passed {
			h.State = HistoryPassed
		}
	default:
		h.State = HistoryProvisional
	}
	h.Passed = a.Passed
	if !a.Passed {
		h.RetakeFrom = a.RetakeFrom
	}
	return h
}

// dayOf is the start of t's day in loc.
func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// ScoreReport is the report of one of the candidate's official results;
// portal.ErrNotFound for a result not yet official and for anyone else's.
func (s *Service) ScoreReport(ctx context.Context, actor portal.Actor, attemptID int64) (*ScoreReport, error) {
	if _, err := subject(actor); err != nil {
		return nil, err
	}
	a, err := s.st.GetAttempt(ctx, attemptID)
	if err != nil {
		return nil, err
	}
	if !actor.Owns(a.UserID) || !a.Official() {
		return nil, portal.ErrNotFound
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	r := &ScoreReport{AttemptID: a.ID, FirstName: a.FirstName, LastName: a.LastName, ExamCode: a.ExamCode, ExamName: a.ExamName,
		Microcredential: a.ExamKind == portal.KindMicrocredential, TakenAt: a.TakenAt, Score: a.Score, PassingScore: a.PassingScore,
		Passed: a.Passed, Domains: a.Domains, TimeZone: cal.Location()}
	if !a.Passed {
		r.RetakeFrom = a.RetakeFrom
	}
	return r, nil
}

// Certifications lists the certifications the candidate earned, latest
// expiry first, each with its status now. One a correction withdrew is
// not listed.
func (s *Service) Certifications(ctx context.Context, actor portal.Actor) ([]CertificationView, error) {
	uid, err := subject(actor)
	if err != nil {
		return nil, err
	}
	list, err := s.st.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: uid})
	if err != nil {
		return nil, err
	}
	renewals, err := s.st.ListRenewals(ctx, store.RenewalFilter{UserID: uid})
	if err != nil {
		return nil, err
	}
	renewedFrom := map[int64]string{}
	for _, r := range renewals {
		renewedFrom[r.UserCertificationID] = r.OldExpiresOn // oldest first: the latest stays
	}
	now := s.clock.Now()
	out := []CertificationView{}
	for _, c := range list {
		if c.WithdrawnAt != nil {
			continue
		}
		v := s.view(c, now)
		v.RenewedFrom = renewedFrom[c.ID]
		out = append(out, v)
	}
	return out, nil
}

func (s *Service) view(c *portal.UserCertificationDetail, now time.Time) CertificationView {
	return CertificationView{UserCertificationDetail: *c, Status: c.Status(now, s.cfg.ExpiringMonths),
		Microcredential: c.Kind == portal.CertKindMicrocredential, MonthsLeft: monthsLeft(now, c.ExpiresAt)}
}

// monthsLeft is the number of whole months from now to the end of
// validity: 0 when less than a month is left or it has passed.
func monthsLeft(now, end time.Time) int {
	n := 0
	for now.AddDate(0, n+1, 0).Before(end) || now.AddDate(0, n+1, 0).Equal(end) {
		n++
	}
	return n
}

// Benefits lists what each certification the candidate holds (active or
// expiring) gives: its pass voucher while unused and valid, and the
// benefits the program configures for it.
func (s *Service) Benefits(ctx context.Context, actor portal.Actor) ([]Benefit, error) {
	certs, err := s.Certifications(ctx, actor)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := []Benefit{}
	for _, c := range certs {
		if c.Status != portal.CertActive && c.Status != portal.CertExpiring {
			continue
		}
		b := Benefit{CertificationCode: c.Code, CertificationName: c.Name, ExpiresOn: c.ExpiresOn}
		if v, err := s.st.FindVoucherByUserCertification(ctx, c.ID); err == nil {
			if v.DisabledAt == nil && v.Uses < v.MaxUses && v.ExpiresAt.After(now) {
				// It ends with the certification, at the end of its last
				// day: that day is the one to show.
				b.VoucherCode, b.VoucherPercent, b.VoucherUntil = v.Code, v.Percent, v.ExpiresAt.Add(-time.Second)
			}
		} else if !isNotFound(err) {
			return nil, err
		}
		entry, err := s.st.GetCertification(ctx, c.CertificationID)
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(entry.Benefits, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				b.Program = append(b.Program, line)
			}
		}
		out = append(out, b)
	}
	return out, nil
}

// Summary is the dashboard's line: how many certifications are active and
// expiring, which expires first, and how many results are not yet
// official.
func (s *Service) Summary(ctx context.Context, actor portal.Actor) (*Summary, error) {
	certs, err := s.Certifications(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := &Summary{}
	for i := range certs {
		c := &certs[i]
		switch c.Status {
		case portal.CertActive:
			out.Active++
		case portal.CertExpiring:
			out.Expiring++
		default:
			continue
		}
		if out.Next == nil || c.ExpiresAt.Before(out.Next.ExpiresAt) {
			out.Next = c
		}
	}
	attempts, err := s.st.ListAttempts(ctx, store.AttemptFilter{UserID: actor.Subject(),
		States: []string{portal.AttemptPreliminary, portal.AttemptHeld}, Limit: 1000})
	if err != nil {
		return nil, err
	}
	out.Provisional = len(attempts)
	return out, nil
}
