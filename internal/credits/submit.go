package credits

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Submission form fields.
const (
	FieldType             = "type"
	FieldTitle            = "title"
	FieldProvider         = "provider"
	FieldCompletedOn      = "completed_on"
	FieldDuration         = "duration"
	FieldURL              = "url"
	FieldNotes            = "notes"
	FieldClaimed          = "claimed"
	FieldAttested         = "attested"
	FieldEvidence         = "evidence"
	FieldCertification    = "certification"
	FieldConfirmDuplicate = "confirm_duplicate"
	FieldComment          = "comment"
)

// Limits of a submission's fields.
const (
	MaxTitleChars    = 200
	MaxProviderChars = 200
	MaxURLChars      = 500
	MaxNotesChars    = 4000
)

// Submission is what the candidate's form sends. Duration is as typed
// (ParseDuration); Claimed is a decimal number of credits, read only for a
// range rule. ID names a draft to update or send; 0 starts a new one.
type Submission struct {
	ID               int64
	TypeCode         string
	Title            string
	Provider         string
	CompletedOn      string // YYYY-MM-DD
	Duration         string
	URL              string
	Notes            string
	Claimed          string
	Attested         bool
	Evidence         []int64
	CertificationID  int64 // when the candidate chooses the certification
	ConfirmDuplicate bool  // sent again after the duplicate warning
}

// checked is a submission validated against its type.
type checked struct {
	typ      *portal.CEActivityType
	row      portal.CESubmission
	eligible []*portal.UserCertificationDetail
}

// SaveDraft keeps the form as a draft of the candidate's own: only the
// type and the title are required, every other check waits for Submit.
func (s *Service) SaveDraft(ctx context.Context, actor portal.Actor, f Submission) (*portal.CESubmission, error) {
	uid, err := subject(actor)
	if err != nil {
		return nil, err
	}
	var v portal.Validation
	f.Title = strings.TrimSpace(f.Title)
	if f.Title == "" || utf8.RuneCountInString(f.Title) > MaxTitleChars {
		v.Add(FieldTitle, "credits.error.title", map[string]any{"Count": MaxTitleChars})
	}
	typ, err := s.st.FindCEActivityTypeByCode(ctx, f.TypeCode)
	if isNotFound(err) {
		v.Add(FieldType, "credits.error.unknown_type", nil)
	} else if err != nil {
		return nil, err
	}
	if len(f.Evidence) > MaxEvidence {
		v.Add(FieldEvidence, "credits.error.evidence_count", map[string]any{"From": 1, "Count": MaxEvidence})
	}
	if f.CertificationID != 0 {
		held, err := s.Certifications(ctx, actor)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(held, func(c *portal.UserCertificationDetail) bool { return c.CertificationID == f.CertificationID }) {
			v.Add(FieldCertification, "credits.error.choose_certification", nil)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	minutes, _ := ParseDuration(f.Duration)
	claimed, _ := ParseCredits(f.Claimed)
	row := portal.CESubmission{UserID: uid, TypeID: typ.TypeID, VersionID: typ.VersionID, State: portal.CEDraft, Title: f.Title,
		Provider: strings.TrimSpace(f.Provider), CompletedOn: strings.TrimSpace(f.CompletedOn), DurationMinutes: minutes,
		URL: strings.TrimSpace(f.URL), Notes: strings.TrimSpace(f.Notes), Attested: f.Attested, Claimed: max(claimed, 0)}
	if f.CertificationID != 0 {
		row.CertificationID = &f.CertificationID
	}
	var out *portal.CESubmission
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		if err := s.checkEvidence(ctx, tx, uid, f.ID, f.Evidence, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if f.ID == 0 {
			out, err = tx.InsertCESubmission(ctx, row)
		} else {
			out, err = s.updateDraft(ctx, tx, actor, f.ID, row)
		}
		if err != nil {
			return err
		}
		return setEvidence(ctx, tx, uid, out.ID, f.Evidence)
	})
	if err != nil {
		return nil, err
	}
	out.Evidence = f.Evidence
	return out, nil
}

// Draft returns the candidate's own draft id, with its evidence, to edit
// on the form: portal.ErrNotFound for anyone else's, and a conflict
// (credits.error.not_editable) once it was sent, since only a draft is
// edited (SaveDraft and Submit refuse the same).
func (s *Service) Draft(ctx context.Context, actor portal.Actor, id int64) (*portal.CESubmission, error) {
	if _, err := subject(actor); err != nil {
		return nil, err
	}
	sub, err := s.st.GetCESubmission(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Owns(sub.UserID) {
		return nil, portal.ErrNotFound
	}
	if sub.State != portal.CEDraft {
		return nil, errNotEditable
	}
	return sub, nil
}

// Certifications lists the certifications the candidate holds in force
// that continuing education counts toward (no microcredential), by code:
// those a submission may name in CountChoose mode (Submission.CertificationID
// is their CertificationID).
func (s *Service) Certifications(ctx context.Context, actor portal.Actor) ([]*portal.UserCertificationDetail, error) {
	uid, err := subject(actor)
	if err != nil {
		return nil, err
	}
	list, err := s.st.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: uid})
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out []*portal.UserCertificationDetail
	for _, c := range list {
		if inForce(c, now) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *portal.UserCertificationDetail) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}

// updateDraft writes row over the actor's draft id.
func (s *Service) updateDraft(ctx context.Context, tx *store.Tx, actor portal.Actor, id int64, row portal.CESubmission) (*portal.CESubmission, error) {
	cur, err := tx.LockCESubmission(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Owns(cur.UserID) {
		return nil, portal.ErrNotFound
	}
	if cur.State != portal.CEDraft {
		return nil, errNotEditable
	}
	row.ID = id
	out, err := tx.UpdateCESubmission(ctx, row, portal.CEDraft)
	if isNotFound(err) {
		return nil, errNotEditable
	}
	return out, err
}

var errNotEditable = &portal.Error{Code: portal.EConflict, Message: "credits.error.not_editable"}

// SubmitResult is a submission sent for review.
type SubmitResult struct {
	Submission *portal.CESubmission
	// TargetOn is the expected decision date (YYYY-MM-DD, program time).
	TargetOn string
	// Certifications are those the activity will count toward once
	// approved.
	Certifications []*portal.UserCertificationDetail
}

// Submit sends the candidate's activity (a new one, or the draft f.ID) for
// review. It is refused with a reason when the date is in the future or
// past the type's deadline after completion, outside every cycle of the
// candidate's certifications the type counts for, when a required field,
// the attestation or the evidence is missing, or when the candidate
// already has Options.MaxOpen submissions waiting. The same type, title
// and date as another live submission is a conflict
// (credits.warning.duplicate) until sent again with ConfirmDuplicate. The
// claimed credits come from the type's rule; the expected decision date
// is Options.ReviewBusinessDays business days ahead. The candidate is
// mailed and ce.submitted written.
func (s *Service) Submit(ctx context.Context, actor portal.Actor, f Submission) (*SubmitResult, error) {
	uid, err := subject(actor)
	if err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	opts, err := s.Options(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	c, err := s.check(ctx, uid, f, now, cal.Location(), opts)
	if err != nil {
		return nil, err
	}
	if !f.ConfirmDuplicate {
		n, err := s.st.CountCEDuplicates(ctx, uid, c.row.TypeID, c.row.Title, c.row.CompletedOn, f.ID)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, &portal.Error{Code: portal.EConflict, Message: "credits.warning.duplicate",
				Fields: []portal.FieldError{{Field: FieldConfirmDuplicate, Message: "credits.warning.duplicate"}}}
		}
	}
	target, err := cal.AddBusinessDays(now, opts.ReviewBusinessDays)
	if err != nil {
		return nil, err
	}
	targetOn := target.In(cal.Location()).Format(time.DateOnly)
	c.row.State, c.row.TargetOn, c.row.SubmittedAt = portal.CEPending, &targetOn, &now
	var out *portal.CESubmission
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.LockUser(ctx, uid); err != nil {
			return err
		}
		n, err := tx.CountCEOpenSubmissions(ctx, uid)
		if err != nil {
			return err
		}
		if n >= opts.MaxOpen {
			return &portal.Error{Code: portal.EConflict, Message: "credits.error.too_many_pending", Data: map[string]any{"Count": opts.MaxOpen}}
		}
		var v portal.Validation
		if err := s.checkEvidence(ctx, tx, uid, f.ID, f.Evidence, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if f.ID == 0 {
			out, err = tx.InsertCESubmission(ctx, c.row)
		} else {
			out, err = s.updateDraft(ctx, tx, actor, f.ID, c.row)
		}
		if err != nil {
			return err
		}
		if err := setEvidence(ctx, tx, uid, out.ID, f.Evidence); err != nil {
			return err
		}
		if shared, err := tx.CountCESharedEvidence(ctx, out.ID); err != nil {
			return err
		} else if shared > 0 {
			out.Flagged = true
			if out, err = tx.UpdateCESubmission(ctx, *out, portal.CEPending); err != nil {
				return err
			}
		}
		out.Evidence = f.Evidence
		if err := tx.AppendEvent(portal.EventCESubmitted, portal.SubjectCE, out.ID, "", actor.UserID,
			map[string]any{"type": c.typ.Code, "claimed": out.Claimed}); err != nil {
			return err
		}
		return s.mail(ctx, tx, cal.Location(), out, c.typ, mailReceived, nil)
	})
	if err != nil {
		return nil, err
	}
	return &SubmitResult{Submission: out, TargetOn: targetOn, Certifications: c.eligible}, nil
}

// check validates a submission against its type and the candidate's
// certifications at now.
func (s *Service) check(ctx context.Context, uid int64, f Submission, now time.Time, loc *time.Location, opts Options) (*checked, error) {
	var v portal.Validation
	typ, err := s.st.FindCEActivityTypeByCode(ctx, f.TypeCode)
	if isNotFound(err) {
		v.Add(FieldType, "credits.error.unknown_type", nil)
		return nil, v.Err()
	} else if err != nil {
		return nil, err
	}
	rule := RuleOf(typ)
	row := portal.CESubmission{UserID: uid, TypeID: typ.TypeID, VersionID: typ.VersionID, Title: strings.TrimSpace(f.Title),
		Provider: strings.TrimSpace(f.Provider), CompletedOn: strings.TrimSpace(f.CompletedOn), URL: strings.TrimSpace(f.URL),
		Notes: strings.TrimSpace(f.Notes), Attested: f.Attested}
	if row.Title == "" || utf8.RuneCountInString(row.Title) > MaxTitleChars {
		v.Add(FieldTitle, "credits.error.title", map[string]any{"Count": MaxTitleChars})
	}
	required := splitFields(typ.RequiredFields)
	for _, x := range []struct {
		field, value string
		max          int
	}{{portal.CEFieldProvider, row.Provider, MaxProviderChars}, {portal.CEFieldURL, row.URL, MaxURLChars}, {portal.CEFieldNotes, row.Notes, MaxNotesChars}} {
		switch {
		case x.value == "" && slices.Contains(required, x.field):
			v.Add(x.field, "credits.error.required", nil)
		case utf8.RuneCountInString(x.value) > x.max:
			v.Add(x.field, "credits.error.too_long", map[string]any{"Count": x.max})
		}
	}
	if row.URL != "" && !v.Has(FieldURL) {
		if u, err := url.Parse(row.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.Add(FieldURL, "credits.error.url", nil)
		}
	}
	today := now.In(loc).Format(time.DateOnly)
	day, err := time.Parse(time.DateOnly, row.CompletedOn)
	switch {
	case err != nil:
		v.Add(FieldCompletedOn, "credits.error.date", nil)
	case row.CompletedOn > today:
		v.Add(FieldCompletedOn, "credits.error.future_date", nil)
	case day.AddDate(0, 0, typ.DeadlineDays).Format(time.DateOnly) < today:
		v.Add(FieldCompletedOn, "credits.error.past_deadline", map[string]any{"Count": typ.DeadlineDays})
	case !activeOn(typ, row.CompletedOn):
		v.Add(FieldType, "credits.error.type_inactive", nil)
	}
	if rule.NeedsDuration() || (strings.TrimSpace(f.Duration) != "" && slices.Contains(required, portal.CEFieldDuration)) {
		m, err := ParseDuration(f.Duration)
		if err != nil {
			v.Add(FieldDuration, "credits.error.duration_format", nil)
		}
		row.DurationMinutes = m
	} else if strings.TrimSpace(f.Duration) != "" {
		if m, err := ParseDuration(f.Duration); err == nil {
			row.DurationMinutes = m
		} else {
			v.Add(FieldDuration, "credits.error.duration_format", nil)
		}
	}
	var claimed int
	if typ.Rule == portal.CERuleRange {
		c, err := ParseCredits(f.Claimed)
		switch {
		case err != nil:
			v.Add(FieldClaimed, "credits.error.claim_range", map[string]any{"Low": FormatCredits(rule.Min), "High": FormatCredits(rule.Max)})
		case c < rule.Min || c > rule.Max:
			v.Add(FieldClaimed, "credits.error.claim_range", map[string]any{"Low": FormatCredits(rule.Min), "High": FormatCredits(rule.Max)})
		}
		claimed = c
	}
	if !v.Has(FieldDuration) && !v.Has(FieldClaimed) {
		if row.Claimed, err = rule.Claim(row.DurationMinutes, claimed); err != nil {
			v.Add(FieldClaimed, "credits.error.claim_range", map[string]any{"Low": FormatCredits(rule.Min), "High": FormatCredits(rule.Max)})
		} else if row.Claimed == 0 {
			v.Add(FieldDuration, "credits.error.no_credits", map[string]any{"Count": rule.UnitMinutes})
		}
	}
	if typ.Attestation && !f.Attested {
		v.Add(FieldAttested, "credits.error.attestation_required", nil)
	}
	if lo := max(1, typ.MinEvidence); len(f.Evidence) < lo || len(f.Evidence) > MaxEvidence || hasDuplicate(f.Evidence) {
		v.Add(FieldEvidence, "credits.error.evidence_count", map[string]any{"From": lo, "Count": MaxEvidence})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	eligible, err := s.eligible(ctx, uid, typ, row.CompletedOn, now)
	if err != nil {
		return nil, err
	}
	if len(eligible) == 0 {
		v.Add(FieldCompletedOn, "credits.error.outside_cycles", nil)
		return nil, v.Err()
	}
	if opts.CountMode == CountChoose {
		chosen := eligible[0]
		if len(eligible) > 1 || f.CertificationID != 0 {
			i := slices.IndexFunc(eligible, func(c *portal.UserCertificationDetail) bool { return c.CertificationID == f.CertificationID })
			if i < 0 {
				v.Add(FieldCertification, "credits.error.choose_certification", nil)
				return nil, v.Err()
			}
			chosen = eligible[i]
		}
		row.CertificationID = &chosen.CertificationID
		eligible = []*portal.UserCertificationDetail{chosen}
	}
	return &checked{typ: typ, row: row, eligible: eligible}, nil
}

func hasDuplicate(ids []int64) bool {
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			return true
		}
		seen[id] = true
	}
	return false
}

// eligible lists the candidate's certifications an activity of typ
// completed on day counts toward: in force at now (unless now is zero: a
// decision after expiry still counts an activity of the cycle), whose
// cycle holds the day, and that the type counts for.
func (s *Service) eligible(ctx context.Context, uid int64, typ *portal.CEActivityType, day string, now time.Time) ([]*portal.UserCertificationDetail, error) {
	list, err := s.st.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: uid})
	if err != nil {
		return nil, err
	}
	return eligibleOf(list, typ, day, now), nil
}

func eligibleOf(list []*portal.UserCertificationDetail, typ *portal.CEActivityType, day string, now time.Time) []*portal.UserCertificationDetail {
	var out []*portal.UserCertificationDetail
	for _, c := range list {
		if c.WithdrawnAt != nil || c.RevokedAt != nil || c.Kind == portal.CertKindMicrocredential {
			continue
		}
		if !now.IsZero() && (c.SupersededBy != nil || !now.Before(c.ExpiresAt)) {
			continue
		}
		if day < c.IssuedOn || day > c.ExpiresOn || !countsFor(typ, c.Code, c.Level) {
			continue
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *portal.UserCertificationDetail) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// checkEvidence adds a problem to v unless every upload is the
// candidate's, given as evidence, not quarantined and not already
// evidence of another live submission (except submission self).
func (s *Service) checkEvidence(ctx context.Context, tx *store.Tx, uid, self int64, ids []int64, v *portal.Validation) error {
	ups, err := tx.ListCEUploads(ctx, ids)
	if err != nil {
		return err
	}
	byID := map[int64]*store.CEUpload{}
	for _, u := range ups {
		byID[u.ID] = u
	}
	for _, id := range ids {
		u, ok := byID[id]
		switch {
		case !ok || u.OwnerID != uid || u.Purpose != "ce_evidence":
			v.Add(FieldEvidence, "credits.error.evidence_unknown", nil)
		case u.ScanStatus == "quarantined":
			v.Add(FieldEvidence, "credits.error.evidence_quarantined", nil)
		case u.SubmissionID != nil && *u.SubmissionID != self:
			v.Add(FieldEvidence, "credits.error.evidence_in_use", nil)
		default:
			continue
		}
		return nil
	}
	return nil
}

// Withdraw takes the candidate's pending submission (or one waiting for
// more information) out of the queue; its evidence may be given again.
func (s *Service) Withdraw(ctx context.Context, actor portal.Actor, id int64) (*portal.CESubmission, error) {
	if _, err := subject(actor); err != nil {
		return nil, err
	}
	var out *portal.CESubmission
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.LockCESubmission(ctx, id)
		if err != nil {
			return err
		}
		if !actor.Owns(cur.UserID) {
			return portal.ErrNotFound
		}
		before := *cur
		cur.State = portal.CEWithdrawn
		if out, err = tx.UpdateCESubmission(ctx, *cur, portal.CEPending, portal.CEInfo); isNotFound(err) {
			return &portal.Error{Code: portal.EConflict, Message: "credits.error.not_withdrawable"}
		} else if err != nil {
			return err
		}
		if err := releaseEvidence(ctx, tx, id); err != nil {
			return err
		}
		if _, err := cancelInfoExpiry(ctx, tx, &before); err != nil {
			return err
		}
		return auditSubmission(ctx, tx, actor, "ce.submission_withdrawn", &before, out, "")
	})
	return out, err
}

// subject returns the account whose records the actor works on, or
// ErrUnauthorized for a visitor.
func subject(actor portal.Actor) (int64, error) {
	id := actor.Subject()
	if id == 0 {
		return 0, portal.ErrUnauthorized
	}
	return id, nil
}

func auditSubmission(ctx context.Context, tx *store.Tx, actor portal.Actor, action string, before, after *portal.CESubmission, detail string) error {
	return tx.Audit(ctx, actor, action, "ce_submission:"+strconv.FormatInt(after.ID, 10), detail, portal.Diff(before, after))
}

var errAlreadyDecided = &portal.Error{Code: portal.EConflict, Message: "credits.error.already_decided"}

func notFoundAs(err error, as error) error {
	if errors.Is(err, portal.ErrNotFound) {
		return as
	}
	return err
}

var _ = fmt.Sprint
