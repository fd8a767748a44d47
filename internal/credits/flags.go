package credits

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Renewal flags: a reversal that took back credits a renewal had consumed
// flags the renewal instead of undoing it (Reverse). An administrator
// (portal.PermSettingsManage, as for the reversal) reviews each flag and
// resolves it once, keeping the renewal either as it is or while the
// candidate is asked for the credits now short (docs/renewal.md,
// "Reversal"). Nothing here undoes a renewal: revoking the renewed
// credential is the credentials service's, on the credential's page.

// FieldNote is the resolution form's note field (the outcome is
// FieldOutcome).
const FieldNote = "note"

// MaxFlagListed bounds the flags one list returns.
const MaxFlagListed = 200

// Mail template of a flag's resolution.
const mailRenewalFlag = "renewal_flag"

// RenewalFlag is a flag as its review shows it: the flag, its renewal,
// holder, certification and reversed submission, and how the credits
// still behind the renewal meet the certification's requirement now.
type RenewalFlag struct {
	*portal.CERenewalFlagDetail
	// Counted is the credits still behind the renewal that count,
	// Needed what the requirement's closest credits alternative asks and
	// Short what is missing (0 when the requirement is still met).
	Counted, Needed, Short int
}

// ByExam reports whether an exam pass renewed the certification: the
// credits it consumed did not decide it, so none is short.
func (f *RenewalFlag) ByExam() bool { return f.Cause == portal.RenewalByExam }

// FlagResolution is what the administrator sends: an outcome
// (portal.FlagKept or portal.FlagCreditsRequested) and a note.
type FlagResolution struct {
	Outcome string
	Note    string
}

// FlagOutcomes are the outcomes a resolution offers, in the form's order.
func FlagOutcomes() []string { return []string{portal.FlagKept, portal.FlagCreditsRequested} }

var errFlagResolved = &portal.Error{Code: portal.EConflict, Message: "credits.error.flag_resolved"}

// ListRenewalFlags returns the open flags, oldest first, or the resolved
// ones, latest first; at most MaxFlagListed.
func (s *Service) ListRenewalFlags(ctx context.Context, actor portal.Actor, resolved bool) ([]*RenewalFlag, error) {
	if err := actor.Authorize(portal.PermSettingsManage); err != nil {
		return nil, err
	}
	list, err := s.st.ListCERenewalFlags(ctx, store.CERenewalFlagFilter{Resolved: resolved, Limit: MaxFlagListed})
	if err != nil {
		return nil, err
	}
	types, err := s.typeNames(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*RenewalFlag, 0, len(list))
	for _, d := range list {
		f, err := s.standing(ctx, s.st, d, types)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// CountOpenRenewalFlags counts the flags waiting for an administrator.
func (s *Service) CountOpenRenewalFlags(ctx context.Context, actor portal.Actor) (int, error) {
	if err := actor.Authorize(portal.PermSettingsManage); err != nil {
		return 0, err
	}
	return s.st.CountOpenCERenewalFlags(ctx)
}

// GetRenewalFlag returns one flag, open or resolved, or portal.ErrNotFound.
func (s *Service) GetRenewalFlag(ctx context.Context, actor portal.Actor, id int64) (*RenewalFlag, error) {
	if err := actor.Authorize(portal.PermSettingsManage); err != nil {
		return nil, err
	}
	d, err := s.st.GetCERenewalFlag(ctx, id)
	if err != nil {
		return nil, err
	}
	types, err := s.typeNames(ctx)
	if err != nil {
		return nil, err
	}
	return s.standing(ctx, s.st, d, types)
}

// ResolveRenewalFlag resolves an open flag with an outcome and a
// required note: the renewal stays in force either way. Asking for
// credits needs credits to be short. The update is a compare-and-set on
// the flag being open: a second resolution is a conflict
// (credits.error.flag_resolved). The resolution is audited with before
// and after, written as renewal.flag_resolved and mailed to the holder.
func (s *Service) ResolveRenewalFlag(ctx context.Context, actor portal.Actor, id int64, in FlagResolution) (*RenewalFlag, error) {
	if err := actor.Authorize(portal.PermSettingsManage); err != nil {
		return nil, err
	}
	in.Outcome, in.Note = strings.TrimSpace(in.Outcome), strings.TrimSpace(in.Note)
	var v portal.Validation
	if in.Outcome != portal.FlagKept && in.Outcome != portal.FlagCreditsRequested {
		v.Add(FieldOutcome, "credits.error.flag_outcome", nil)
	}
	if in.Note == "" || utf8.RuneCountInString(in.Note) > MaxReasonChars {
		v.Add(FieldNote, "credits.error.flag_note", map[string]any{"Count": MaxReasonChars})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	types, err := s.typeNames(ctx)
	if err != nil {
		return nil, err
	}
	var out *RenewalFlag
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		d, err := tx.GetCERenewalFlag(ctx, id)
		if err != nil {
			return err
		}
		if !d.Open() {
			return errFlagResolved
		}
		// The standing is read in the transaction; a reversal meanwhile
		// can only take more back, and raises a flag of its own.
		f, err := s.standing(ctx, tx, d, types)
		if err != nil {
			return err
		}
		if in.Outcome == portal.FlagCreditsRequested && f.Short == 0 {
			v.Add(FieldOutcome, "credits.error.flag_nothing_short", nil)
			return v.Err()
		}
		before := d.CERenewalFlag
		after, err := tx.ResolveCERenewalFlag(ctx, id, store.CERenewalFlagResolution{Resolution: in.Outcome, Note: in.Note,
			ResolvedBy: actor.UserID, CreditsShort: f.Short})
		if err != nil {
			return notFoundAs(err, errFlagResolved)
		}
		d.CERenewalFlag = *after
		out = f
		subject := "ce_renewal_flag:" + strconv.FormatInt(id, 10)
		if err := tx.Audit(ctx, actor, string(portal.EventRenewalFlagResolved), subject,
			"renewal "+strconv.FormatInt(d.RenewalID, 10), portal.Diff(&before, after)); err != nil {
			return err
		}
		if err := tx.AppendEvent(portal.EventRenewalFlagResolved, portal.SubjectCertification, d.UserCertificationID, "", actor.UserID,
			map[string]any{"flag": id, "renewal": d.RenewalID, "submission": d.SubmissionID, "outcome": in.Outcome,
				"credits_short": f.Short}); err != nil {
			return err
		}
		return s.mailFlag(ctx, tx, f)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// flagReader is what a flag's standing reads, on the pool or in a
// transaction.
type flagReader interface {
	ListCERenewalCredits(ctx context.Context, renewalID int64) ([]*portal.CELedgerEntry, error)
	GetCERequirement(ctx context.Context, certificationID int64) (string, error)
}

// standing computes how the credits still behind the flag's renewal (the
// consumed rows of submissions no reversal took back) meet the
// certification's requirement. A renewal by exam is met by its pass.
func (s *Service) standing(ctx context.Context, r flagReader, d *portal.CERenewalFlagDetail, types map[int64]*portal.CEActivityType) (*RenewalFlag, error) {
	f := &RenewalFlag{CERenewalFlagDetail: d}
	rows, err := r.ListCERenewalCredits(ctx, d.RenewalID)
	if err != nil {
		return nil, err
	}
	tally := Tally{ByType: map[string]int{}, GroupOf: map[string]string{}}
	for _, row := range rows {
		t, ok := types[row.TypeID]
		if !ok {
			return nil, fmt.Errorf("credits: renewal %d: unknown activity type %d", d.RenewalID, row.TypeID)
		}
		tally.ByType[t.Code] += row.Credits
		tally.GroupOf[t.Code] = t.Group
	}
	spec, err := r.GetCERequirement(ctx, d.CertificationID)
	req, err := decodeStoredRequirement(d.CertificationID, spec, err)
	if err != nil {
		return nil, err
	}
	st := Evaluate(req, tally)
	f.Counted, f.Needed, f.Short = st.Counted, st.Needed, st.Missing
	if f.ByExam() {
		f.Short = 0
	}
	return f, nil
}

// mailFlag tells the holder how their flagged renewal was resolved, in
// their language, once per flag.
func (s *Service) mailFlag(ctx context.Context, tx *store.Tx, f *RenewalFlag) error {
	u, err := tx.GetUser(ctx, f.UserID)
	if err != nil {
		return err
	}
	data := map[string]any{
		"Name": u.FirstName, "Certification": f.CertificationName, "Activity": f.SubmissionTitle,
		"FlagOutcome": f.Resolution, "Missing": FormatCreditsIn(f.Short, u.Language), "ExpiresOn": f.NewExpiresOn,
		"Link": strings.TrimRight(s.cfg.BaseURL, "/") + "/ce",
	}
	msg := mail.Message{To: u.Email, ToName: u.FullName(), Lang: u.Language, Template: mailRenewalFlag, Data: data}
	if err := jobs.Enqueue(ctx, tx, mail.KindSend, msg, jobs.UniqueKey(FlagMailKey(f.ID))); err != nil {
		return fmt.Errorf("credits: queue renewal flag mail: %w", err)
	}
	return nil
}

// FlagMailKey is the unique key of the mail of a flag's resolution.
func FlagMailKey(flagID int64) string { return "mail.renewal_flag:" + strconv.FormatInt(flagID, 10) }
