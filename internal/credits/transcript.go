package credits

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"example.org/certportal/internal/certdoc"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Transcript is the candidate's continuing-education record as their PDF
// transcript shows it (docs/documents.md): the standing of each
// certification in force, as Progress gives it, and every submitted
// activity (drafts and withdrawn ones are left out) with its credits,
// decision and the certifications its credits went to, oldest completion
// first, names in lang. The time returned is the instant of the latest
// stored change the record shows (a submission, a ledger row, a
// certification, or an expiry passed since), so the same record gives
// the same instant whenever it is read; the caller makes the file from
// both. It is always the actor's own record.
func (s *Service) Transcript(ctx context.Context, actor portal.Actor, lang string) (certdoc.CETranscript, time.Time, error) {
	var out certdoc.CETranscript
	uid, err := subject(actor)
	if err != nil {
		return out, time.Time{}, err
	}
	u, err := s.st.GetUser(ctx, uid)
	if err != nil {
		return out, time.Time{}, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return out, time.Time{}, err
	}
	now := s.clock.Now()
	issued := u.CreatedAt
	later := func(t time.Time) {
		if t.After(issued) {
			issued = t
		}
	}
	certs, err := s.st.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: uid})
	if err != nil {
		return out, time.Time{}, err
	}
	codes := map[int64]string{}
	for _, c := range certs {
		codes[c.ID] = c.Code
		later(c.UpdatedAt)
		// An expiry takes a certification off the totals without a
		// stored change.
		if !now.Before(c.ExpiresAt) {
			later(c.ExpiresAt)
		}
	}
	progress, err := s.progress(ctx, uid, certs, lang, now)
	if err != nil {
		return out, time.Time{}, err
	}
	out.Name = u.FullName()
	for _, p := range progress {
		out.Certifications = append(out.Certifications, certdoc.CECertification{Name: p.Name, Code: p.Code,
			IssuedOn: p.IssuedOn, ExpiresOn: p.ExpiresOn, Approved: p.Approved, Pending: p.Pending, Needed: p.Needed, Missing: p.Missing})
	}

	ledger, err := s.st.ListCELedger(ctx, store.CELedgerFilter{UserID: uid})
	if err != nil {
		return out, time.Time{}, err
	}
	reversed := map[int64]bool{}
	for _, e := range ledger {
		later(e.CreatedAt)
		if e.Kind == portal.CELedgerReversal && e.ReversesID != nil {
			reversed[*e.ReversesID] = true
		}
	}
	countsFor := map[int64][]string{}
	for _, e := range ledger {
		if e.Kind != portal.CELedgerCredit || reversed[e.ID] {
			continue
		}
		if code := codes[e.UserCertificationID]; code != "" && !slices.Contains(countsFor[e.SubmissionID], code) {
			countsFor[e.SubmissionID] = append(countsFor[e.SubmissionID], code)
		}
	}

	subs, err := s.st.ListCESubmissions(ctx, store.CESubmissionFilter{UserID: uid, Limit: 1 << 20})
	if err != nil {
		return out, time.Time{}, err
	}
	slices.SortFunc(subs, func(a, b *portal.CESubmission) int {
		if c := strings.Compare(a.CompletedOn, b.CompletedOn); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	versions := map[int64]*portal.CEActivityType{}
	for _, sub := range subs {
		if sub.State == portal.CEDraft {
			continue
		}
		// A withdrawal changes the pending credits.
		later(sub.UpdatedAt)
		if sub.State == portal.CEWithdrawn {
			continue
		}
		typ, ok := versions[sub.VersionID]
		if !ok {
			if typ, err = s.st.GetCEActivityVersion(ctx, sub.VersionID); err != nil {
				return out, time.Time{}, err
			}
			versions[sub.VersionID] = typ
		}
		a := certdoc.CEActivity{Title: sub.Title, Type: typ.Name(lang), CompletedOn: sub.CompletedOn, State: sub.State,
			Claimed: sub.Claimed, Granted: sub.Granted, CountsFor: countsFor[sub.ID]}
		if sub.Decided() && sub.DecidedAt != nil {
			a.DecidedOn = sub.DecidedAt.In(cal.Location()).Format(time.DateOnly)
		}
		slices.Sort(a.CountsFor)
		out.Activities = append(out.Activities, a)
	}
	return out, issued.UTC(), nil
}
