// Package renewal renews earned certifications, exactly once per
// certification and cycle, inside the transaction of what met the
// requirement: a continuing-education decision (credits) or an exam pass
// (results). Services do not import each other, so both call these
// functions with their own *store.Tx. A renewal writes its row (unique per
// certification and cycle), consumes the cycle's credits in the ledger,
// extends the certification from its old expiry by one validity, and
// writes the certification.renewed event, the audit entry, the mail and
// the job that hands issuance of the new credential to the credentials
// service (docs/renewal.md).
package renewal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/failpoint"
	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// KindIssue is the job a renewal queues, keyed by certification and cycle
// (IssueKey), so that the new cycle's credential is issued at once rather
// than at the next periodic run. The app runs the credentials service's
// reaction to certification.renewed for it; that reaction's cursor makes
// the issue happen once however often the job runs.
const KindIssue = "renewal.issue"

// IssueArgs are KindIssue's arguments.
type IssueArgs struct {
	UserCertificationID int64 `json:"user_certification_id"`
	Cycle               int   `json:"cycle"`
}

// IssueKey is the unique key of the issue job of a certification's new
// cycle.
func IssueKey(userCertificationID int64, cycle int) string {
	return fmt.Sprintf("renewal:%d:%d", userCertificationID, cycle)
}

// CarryOverWindowMonths is how close to the old expiry an activity must be
// completed for its credits to carry over, when the program allows it.
const CarryOverWindowMonths = 6

// Config is what a renewal needs from the caller: the program's time zone
// (expiry is the end of a day there) and the base URL for the mail's link.
type Config struct {
	Location *time.Location
	BaseURL  string
}

// Options are the renewal settings of the program, kept in the ce.options
// row of app_settings beside the continuing-education options.
type Options struct {
	// CarryOverCredits is how many credits (hundredths) earned in the last
	// CarryOverWindowMonths of a cycle may count toward the next one
	// instead of being consumed; 0 (the default): none.
	CarryOverCredits int `json:"carry_over_credits"`
}

// OptionsKey is the app_settings row holding the options.
const OptionsKey = "ce.options"

func readOptions(ctx context.Context, tx *store.Tx) (Options, error) {
	raw, err := tx.GetSetting(ctx, OptionsKey)
	if errors.Is(err, portal.ErrNotFound) {
		return Options{}, nil
	}
	if err != nil {
		return Options{}, err
	}
	var o Options
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		return Options{}, fmt.Errorf("renewal: options: %w", err)
	}
	o.CarryOverCredits = max(0, o.CarryOverCredits)
	return o, nil
}

// RequirementOf reads a certification's requirement, or the default.
func RequirementOf(ctx context.Context, tx *store.Tx, certificationID int64) (Requirement, error) {
	spec, err := tx.GetCERequirement(ctx, certificationID)
	if errors.Is(err, portal.ErrNotFound) {
		return DefaultRequirement(), nil
	}
	if err != nil {
		return Requirement{}, err
	}
	var r Requirement
	if err := json.Unmarshal([]byte(spec), &r); err != nil {
		return Requirement{}, fmt.Errorf("renewal: requirement of certification %d: %w", certificationID, err)
	}
	return r, nil
}

// live is a credit row that counts toward the certification's current
// cycle: neither reversed nor consumed by an earlier renewal.
func live(rows []*portal.CELedgerEntry) []*portal.CELedgerEntry {
	gone := map[int64]bool{}
	for _, r := range rows {
		switch {
		case r.Kind == portal.CELedgerReversal && r.ReversesID != nil:
			gone[*r.ReversesID] = true
		case r.Kind == portal.CELedgerConsumption && r.ConsumesID != nil:
			gone[*r.ConsumesID] = true
		}
	}
	var out []*portal.CELedgerEntry
	for _, r := range rows {
		if r.Kind == portal.CELedgerCredit && !gone[r.ID] {
			out = append(out, r)
		}
	}
	return out
}

// tallyOf sums credit rows by type code.
func tallyOf(rows []*portal.CELedgerEntry, types map[int64]*portal.CEActivityType) Tally {
	t := Tally{ByType: map[string]int{}, GroupOf: map[string]string{}}
	for _, r := range rows {
		typ, ok := types[r.TypeID]
		if !ok {
			continue
		}
		t.ByType[typ.Code] += r.Credits
		t.GroupOf[typ.Code] = typ.Group
	}
	return t
}

func typesByID(ctx context.Context, tx *store.Tx) (map[int64]*portal.CEActivityType, error) {
	list, err := tx.ListCEActivityTypes(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]*portal.CEActivityType{}
	for _, t := range list {
		out[t.TypeID] = t
	}
	return out, nil
}

// AfterCredit renews certification ucID when the approved credits of its
// current cycle now meet its requirement: the caller (a decision that
// wrote credit rows for the certification, in tx) has locked the
// candidate. It returns the renewal and true, or false when the
// requirement is not met or the certification cannot renew (withdrawn,
// revoked, replaced by a later one). submissionID is the decision that
// met it.
func AfterCredit(ctx context.Context, tx *store.Tx, cfg Config, actor portal.Actor, ucID, submissionID int64) (*portal.Renewal, bool, error) {
	uc, err := tx.LockUserCertification(ctx, ucID)
	if err != nil {
		return nil, false, err
	}
	if uc.Kind == portal.CertKindMicrocredential {
		return nil, false, nil // a microcredential renews by retake only
	}
	rows, err := tx.ListCELedger(ctx, store.CELedgerFilter{UserCertificationID: uc.ID})
	if err != nil {
		return nil, false, err
	}
	types, err := typesByID(ctx, tx)
	if err != nil {
		return nil, false, err
	}
	req, err := RequirementOf(ctx, tx, uc.CertificationID)
	if err != nil {
		return nil, false, err
	}
	if !Evaluate(req, tallyOf(live(rows), types)).Met {
		return nil, false, nil // not met: nothing renews
	}
	sid := submissionID
	return renew(ctx, tx, cfg, actor, uc, portal.Renewal{Cause: portal.RenewalByCredits, SubmissionID: &sid}, req, rows, types)
}

// ByExam renews certification ucID by a pass (attemptID, taken at
// takenAt) of an exam that earns it or is one of its renewal paths, when
// the pass falls within the current cycle and the requirement accepts a
// pass (the default does). The caller has locked the candidate. It
// returns the renewal and true, or false when nothing renews.
func ByExam(ctx context.Context, tx *store.Tx, cfg Config, actor portal.Actor, ucID, attemptID int64, examCode string,
	takenAt time.Time) (*portal.Renewal, bool, error) {
	uc, err := tx.LockUserCertification(ctx, ucID)
	if err != nil {
		return nil, false, err
	}
	if takenAt.Before(uc.IssuedAt) || !takenAt.Before(uc.ExpiresAt) {
		return nil, false, nil // a pass outside the cycle renews nothing
	}
	req, err := RequirementOf(ctx, tx, uc.CertificationID)
	if err != nil {
		return nil, false, err
	}
	if !Evaluate(req, Tally{Exams: []string{examCode}, RenewalPass: true}).Met {
		return nil, false, nil // the requirement asks no pass
	}
	rows, err := tx.ListCELedger(ctx, store.CELedgerFilter{UserCertificationID: uc.ID})
	if err != nil {
		return nil, false, err
	}
	types, err := typesByID(ctx, tx)
	if err != nil {
		return nil, false, err
	}
	aid := attemptID
	return renew(ctx, tx, cfg, actor, uc, portal.Renewal{Cause: portal.RenewalByExam, AttemptID: &aid}, req, rows, types)
}

// renew closes uc's current cycle (uc locked): the renewal row, the
// consumption of the cycle's credits (less what carries over), the
// extension, and the event, audit, mail and issue job.
func renew(ctx context.Context, tx *store.Tx, cfg Config, actor portal.Actor, uc *portal.UserCertification, r portal.Renewal,
	req Requirement, rows []*portal.CELedgerEntry, types map[int64]*portal.CEActivityType) (*portal.Renewal, bool, error) {
	if uc.WithdrawnAt != nil || uc.RevokedAt != nil || uc.SupersededBy != nil {
		return nil, false, nil // nothing to renew
	}
	// A later certification of the same certification (earned again
	// after this one expired) is the one in force: this one stays closed.
	others, err := tx.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: uc.UserID, CertificationID: uc.CertificationID})
	if err != nil {
		return nil, false, err
	}
	for _, o := range others {
		if o.ID > uc.ID && o.WithdrawnAt == nil {
			return nil, false, nil // replaced by a later certification
		}
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	issuedOn, expiresOn, expiresAt, err := NextPeriod(uc.ExpiresOn, uc.ValidityMonths, loc)
	if err != nil {
		return nil, false, err
	}
	r.UserCertificationID, r.Cycle, r.UserID = uc.ID, uc.Cycle, uc.UserID
	r.OldIssuedOn, r.OldExpiresOn, r.OldIssuedAt, r.OldExpiresAt = uc.IssuedOn, uc.ExpiresOn, uc.IssuedAt, uc.ExpiresAt
	r.NewIssuedOn, r.NewExpiresOn, r.NewExpiresAt = issuedOn, expiresOn, expiresAt
	out, err := tx.InsertRenewal(ctx, r)
	if err != nil {
		return nil, false, err
	}
	failpoint.Inject(failpoint.RenewalRecorded)
	opts, err := readOptions(ctx, tx)
	if err != nil {
		return nil, false, err
	}
	consume, carried := split(live(rows), req, types, opts.CarryOverCredits, uc.ExpiresOn)
	rid := out.ID
	for _, c := range consume {
		cid := c.ID
		if _, err := tx.InsertCELedgerEntry(ctx, portal.CELedgerEntry{UserID: c.UserID, UserCertificationID: c.UserCertificationID,
			SubmissionID: c.SubmissionID, TypeID: c.TypeID, Kind: portal.CELedgerConsumption, Decision: c.Decision, Credits: c.Credits,
			CompletedOn: c.CompletedOn, ConsumesID: &cid, RenewalID: &rid}); err != nil {
			return nil, false, err
		}
		out.CreditsConsumed += c.Credits
	}
	out.CreditsCarried = carried
	if err := tx.SetRenewalCredits(ctx, out.ID, out.CreditsConsumed, out.CreditsCarried); err != nil {
		return nil, false, err
	}
	next, err := tx.ExtendUserCertification(ctx, uc.ID, uc.Cycle, issuedOn, expiresOn, uc.ExpiresAt, expiresAt)
	if err != nil {
		return nil, false, err
	}
	failpoint.Inject(failpoint.RenewalExtended)
	if err := tx.AppendEvent(portal.EventCertificationRenewed, portal.SubjectCertification, uc.ID, "", actor.UserID,
		map[string]any{"renewal": out.ID, "user": uc.UserID, "cause": r.Cause, "cycle": next.Cycle,
			"old_expires_on": uc.ExpiresOn, "expires_on": expiresOn, "consumed": out.CreditsConsumed}); err != nil {
		return nil, false, err
	}
	detail := fmt.Sprintf("cycle %d renewed by %s: %s → %s", uc.Cycle, r.Cause, uc.ExpiresOn, expiresOn)
	if err := tx.Audit(ctx, actor, "certification.renewed", "user_certification:"+strconv.FormatInt(uc.ID, 10), detail,
		[]portal.FieldChange{{Field: "cycle", Before: strconv.Itoa(uc.Cycle), After: strconv.Itoa(next.Cycle)},
			{Field: "expires_on", Before: uc.ExpiresOn, After: expiresOn}}); err != nil {
		return nil, false, err
	}
	if err := jobs.Enqueue(ctx, tx, KindIssue, IssueArgs{UserCertificationID: uc.ID, Cycle: next.Cycle},
		jobs.UniqueKey(IssueKey(uc.ID, next.Cycle))); err != nil {
		return nil, false, fmt.Errorf("renewal: queue issue: %w", err)
	}
	if err := queueMail(ctx, tx, cfg, uc, out); err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// split chooses what a renewal consumes: every live credit row of the
// cycle, except, when the program allows carrying over, whole rows
// completed in the cycle's last CarryOverWindowMonths (latest first) up
// to carryMax credits in all, as long as what is consumed still meets the
// requirement's credits.
func split(rows []*portal.CELedgerEntry, req Requirement, types map[int64]*portal.CEActivityType, carryMax int,
	expiresOn string) (consume []*portal.CELedgerEntry, carried int) {
	if carryMax <= 0 {
		return rows, 0
	}
	end, err := time.Parse(time.DateOnly, expiresOn)
	if err != nil {
		return rows, 0
	}
	from := end.AddDate(0, -CarryOverWindowMonths, 0).Format(time.DateOnly)
	order := slices.Clone(rows)
	slices.SortStableFunc(order, func(a, b *portal.CELedgerEntry) int { return -strings.Compare(a.CompletedOn, b.CompletedOn) })
	keep := map[int64]bool{}
	for _, r := range order {
		if r.CompletedOn <= from || carried+r.Credits > carryMax {
			continue
		}
		keep[r.ID] = true
		var rest []*portal.CELedgerEntry
		for _, x := range rows {
			if !keep[x.ID] {
				rest = append(rest, x)
			}
		}
		if !creditsMet(req, tallyOf(rest, types)) {
			delete(keep, r.ID)
			continue
		}
		carried += r.Credits
	}
	for _, r := range rows {
		if !keep[r.ID] {
			consume = append(consume, r)
		}
	}
	return consume, carried
}

// creditsMet reports whether an alternative that asks credits (and no
// pass) is met by the tally.
func creditsMet(req Requirement, t Tally) bool {
	for _, a := range req.Alternatives {
		ok := true
		for _, c := range a.Conditions {
			if c.Kind != CondCredits {
				ok = false
				break
			}
		}
		if ok && Evaluate(Requirement{Alternatives: []Alternative{a}}, t).Met {
			return true
		}
	}
	return false
}

// NextPeriod is the period after one that ends on expiresOn (a day of the
// program's calendar): from the next day, for months, ending on the same
// calendar day as the old expiry (the month's last day when it has no such
// day), at the end of that day in loc.
func NextPeriod(expiresOn string, months int, loc *time.Location) (issuedOn, newExpiresOn string, expiresAt time.Time, err error) {
	old, err := time.Parse(time.DateOnly, expiresOn)
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("renewal: expiry %q: %w", expiresOn, err)
	}
	if months < 1 {
		return "", "", time.Time{}, fmt.Errorf("renewal: validity of %d months", months)
	}
	y, m, d := old.Date()
	first := time.Date(y, m+time.Month(months), 1, 12, 0, 0, 0, time.UTC)
	last := time.Date(first.Year(), first.Month()+1, 0, 12, 0, 0, 0, time.UTC).Day()
	exp := time.Date(first.Year(), first.Month(), min(d, last), 12, 0, 0, 0, time.UTC)
	return old.AddDate(0, 0, 1).Format(time.DateOnly), exp.Format(time.DateOnly),
		time.Date(exp.Year(), exp.Month(), exp.Day()+1, 0, 0, 0, 0, loc).UTC(), nil
}

// queueMail tells the holder, in their language, once per certification
// and cycle.
func queueMail(ctx context.Context, tx *store.Tx, cfg Config, uc *portal.UserCertification, r *portal.Renewal) error {
	u, err := tx.GetUser(ctx, uc.UserID)
	if err != nil {
		return err
	}
	cert, err := tx.GetCertification(ctx, uc.CertificationID)
	if err != nil {
		return err
	}
	data := map[string]any{
		"Name": u.FirstName, "Certification": cert.Name, "RenewedBy": r.Cause, "OldExpiresOn": r.OldExpiresOn,
		"ExpiresOn": r.NewExpiresOn, "Link": strings.TrimRight(cfg.BaseURL, "/") + "/certifications",
	}
	msg := mail.Message{To: u.Email, ToName: u.FullName(), Lang: u.Language, Template: "renewal", Data: data}
	key := fmt.Sprintf("mail.renewal:%d:%d", uc.ID, r.Cycle)
	if err := jobs.Enqueue(ctx, tx, mail.KindSend, msg, jobs.UniqueKey(key)); err != nil {
		return fmt.Errorf("renewal: queue mail: %w", err)
	}
	return nil
}
