package credits

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/renewal"
	"example.org/certportal/internal/store"
)

// Decision outcomes a reviewer chooses.
const (
	OutcomeApprove = "approve" // as claimed
	OutcomePartial = "partial" // fewer credits, with a reason
	OutcomeDeny    = "deny"    // a reason from DenyReasons and a text
	OutcomeInfo    = "info"    // ask for more information
)

// DenyReasons are the reasons a denial names (with a text).
func DenyReasons() []string {
	return []string{"not_eligible", "insufficient_evidence", "not_completed", "duplicate", "other"}
}

// Reason codes the service writes itself.
const (
	ReasonNoReply  = "no_reply" // no reply to a request for more information in time
	ReasonReversed = "reversed" // an admin reversed the decision
)

// Decision form fields.
const (
	FieldOutcome    = "outcome"
	FieldCredits    = "credits"
	FieldReasonCode = "reason_code"
	FieldReasonText = "reason_text"
)

// MaxReasonChars bounds a reason's text.
const MaxReasonChars = 2000

// Decision is what a reviewer sends. Credits (a decimal number of
// credits) is read for a partial decision only.
type Decision struct {
	Outcome    string
	Credits    string
	ReasonCode string
	ReasonText string
}

// KindInfoExpiry is the due work that closes a request for more
// information left without a reply: the app registers
// Service.HandleInfoExpiryJob for it.
const KindInfoExpiry = "ce.info_expiry"

type infoExpiryArgs struct {
	SubmissionID int64 `json:"submission_id"`
	Decisions    int   `json:"decisions"`
}

func infoExpiryKey(sub *portal.CESubmission) string {
	return fmt.Sprintf("ce_submission:%d:%d", sub.ID, sub.Decisions)
}

func cancelInfoExpiry(ctx context.Context, tx *store.Tx, sub *portal.CESubmission) (bool, error) {
	if sub.State != portal.CEInfo {
		return false, nil
	}
	return jobs.Cancel(ctx, tx, KindInfoExpiry, infoExpiryKey(sub))
}

// review loads an open submission for a reviewer's action: the reviewer
// needs portal.PermCEReview and may not act on their own submission, nor
// decide an appeal of their own denial.
func review(ctx context.Context, tx *store.Tx, actor portal.Actor, id int64) (*portal.CESubmission, error) {
	if err := actor.Authorize(portal.PermCEReview); err != nil {
		return nil, err
	}
	cur, err := tx.LockCESubmission(ctx, id)
	if err != nil {
		return nil, err
	}
	if cur.State == portal.CEDraft || cur.State == portal.CEWithdrawn {
		return nil, portal.ErrNotFound
	}
	if cur.UserID == actor.UserID {
		return nil, errOwnSubmission
	}
	if !cur.Open() {
		return nil, errAlreadyDecided
	}
	if cur.State == portal.CEAppealed && cur.DeniedBy != nil && *cur.DeniedBy == actor.UserID {
		return nil, errAppealSameReviewer
	}
	return cur, nil
}

// reviewerError refuses the reviewer chosen for an assignment.
func reviewerError(message string) error {
	var v portal.Validation
	v.Add(FieldReviewer, message, nil)
	return v.Err()
}

var (
	errOwnSubmission      = &portal.Error{Code: portal.EForbidden, Message: "credits.error.own_submission"}
	errAppealSameReviewer = &portal.Error{Code: portal.EForbidden, Message: "credits.error.appeal_same_reviewer"}
)

// roleOf is how a decision's author is named to the candidate.
func roleOf(actor portal.Actor) string {
	switch {
	case actor.IsSystem():
		return "system"
	case actor.Can(portal.PermStaffManage):
		return "admin"
	}
	return "reviewer"
}

// FieldReviewer is the form field naming whom a submission is assigned to.
const FieldReviewer = "reviewer"

// Claim assigns an open submission to the reviewer (portal.PermCEReview);
// reviewerID 0 assigns it to the actor, another ID to that reviewer, who
// must be an enabled account holding portal.PermCEReview
// (credits.error.not_reviewer, on FieldReviewer), not the candidate
// (credits.error.own_submission, forbidden) and, for an appeal, not who
// denied it (credits.error.appeal_same_reviewer, on FieldReviewer).
// Audited with before and after.
func (s *Service) Claim(ctx context.Context, actor portal.Actor, id, reviewerID int64) (*portal.CESubmission, error) {
	if reviewerID == 0 {
		reviewerID = actor.UserID
	}
	var out *portal.CESubmission
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		cur, err := review(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if reviewerID != actor.UserID && cur.UserID != reviewerID {
			sets, err := tx.LockStaffSets(ctx, reviewerID)
			if err != nil {
				return err
			}
			if !portal.Grants(sets).Has(portal.PermCEReview) {
				return reviewerError("credits.error.not_reviewer")
			}
			if cur.State == portal.CEAppealed && cur.DeniedBy != nil && *cur.DeniedBy == reviewerID {
				return reviewerError("credits.error.appeal_same_reviewer")
			}
		}
		if cur.UserID == reviewerID {
			return errOwnSubmission
		}
		before := *cur
		cur.AssigneeID = &reviewerID
		if out, err = tx.UpdateCESubmission(ctx, *cur, before.State); err != nil {
			return notFoundAs(err, errAlreadyDecided)
		}
		return auditSubmission(ctx, tx, actor, "ce.submission_assigned", &before, out, "")
	})
	return out, err
}

// Decide records a reviewer's decision (portal.PermCEReview): approve as
// claimed, partial (fewer credits within Rule.PartialBounds, else refused
// on FieldCredits; a reason required), deny (a reason
// from DenyReasons and a text) or ask for more information (a text; the
// target clock pauses and, without a reply within Options.InfoDays, the
// submission closes as denied). Whatever credits are sent, the server
// keeps them within the rule's range and below the claim, and the ledger
// receives no more than each certification's caps allow (per cycle for
// the type, the requirement's maximum per type). Deciding is a
// compare-and-set: a submission decided meanwhile is a conflict
// (credits.error.already_decided). Nobody decides their own submission; an
// appeal goes to a reviewer other than the one who denied.
func (s *Service) Decide(ctx context.Context, actor portal.Actor, id int64, d Decision) (*portal.CESubmission, error) {
	if err := actor.Authorize(portal.PermCEReview); err != nil {
		return nil, err
	}
	var v portal.Validation
	d.ReasonText = strings.TrimSpace(d.ReasonText)
	if utf8.RuneCountInString(d.ReasonText) > MaxReasonChars {
		v.Add(FieldReasonText, "credits.error.too_long", map[string]any{"Count": MaxReasonChars})
	}
	var sent int
	switch d.Outcome {
	case OutcomeApprove:
		d.ReasonCode = ""
	case OutcomePartial:
		c, err := ParseCredits(d.Credits)
		if err != nil {
			v.Add(FieldCredits, "credits.error.credits_format", nil)
		}
		sent = c
		if d.ReasonText == "" {
			v.Add(FieldReasonText, "credits.error.reason_required", nil)
		}
		d.ReasonCode = "partial"
	case OutcomeDeny:
		if !slices.Contains(DenyReasons(), d.ReasonCode) {
			v.Add(FieldReasonCode, "credits.error.deny_reason", nil)
		}
		if d.ReasonText == "" {
			v.Add(FieldReasonText, "credits.error.reason_required", nil)
		}
	case OutcomeInfo:
		if d.ReasonText == "" {
			v.Add(FieldReasonText, "credits.error.info_question", nil)
		}
		d.ReasonCode = "info"
	default:
		v.Add(FieldOutcome, "credits.error.outcome", nil)
	}
	// A partial decision's credits are checked against the rule of the
	// submission, read in the transaction: its other problems wait to be
	// told together with that one.
	if err := v.Err(); err != nil && (d.Outcome != OutcomePartial || v.Has(FieldCredits)) {
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
	var out *portal.CESubmission
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		cur, err := review(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if d.Outcome == OutcomePartial {
			typ, err := tx.GetCEActivityVersion(ctx, cur.VersionID)
			if err != nil {
				return err
			}
			if lo, hi := RuleOf(typ).PartialBounds(cur.Claimed); sent < lo || sent > hi {
				v.Add(FieldCredits, "credits.error.partial_range", map[string]any{"Low": FormatCredits(lo), "High": FormatCredits(hi)})
			}
			if err := v.Err(); err != nil {
				return err
			}
		}
		out, err = s.decide(ctx, tx, actor, cur, d, sent, cal.Location(), opts)
		return err
	})
	return out, err
}

// decide applies a validated decision to the locked open submission cur.
func (s *Service) decide(ctx context.Context, tx *store.Tx, actor portal.Actor, cur *portal.CESubmission, d Decision, sent int,
	loc *time.Location, opts Options) (*portal.CESubmission, error) {
	typ, err := tx.GetCEActivityVersion(ctx, cur.VersionID)
	if err != nil {
		return nil, err
	}
	before := *cur
	now := tx.Now()
	wasAppeal := cur.State == portal.CEAppealed
	if _, err := cancelInfoExpiry(ctx, tx, cur); err != nil {
		return nil, err
	}
	next := *cur
	next.ReasonCode, next.ReasonText = d.ReasonCode, d.ReasonText
	next.Decisions++
	var by *int64
	if actor.UserID != 0 {
		uid := actor.UserID
		by = &uid
	}
	if d.Outcome != OutcomeInfo {
		next.DecidedRole = roleOf(actor)
	}
	cause := mailDecided
	if wasAppeal {
		cause = mailAppeal
	}
	extra := map[string]any{}
	switch d.Outcome {
	case OutcomeInfo:
		next.State, next.PausedAt = portal.CEInfo, &now
		replyBy := now.AddDate(0, 0, opts.InfoDays)
		extra["ReplyBy"] = replyBy.In(loc).Format(time.DateOnly)
		cause = mailInfo
	case OutcomeDeny:
		next.State, next.Granted, next.DecidedAt, next.DecidedBy, next.DeniedBy = portal.CEDenied, 0, &now, by, by
	default:
		rule := RuleOf(typ)
		next.Granted = rule.Grant(cur.Claimed, sent, d.Outcome == OutcomePartial)
		next.State, next.DecidedAt, next.DecidedBy = portal.CEApproved, &now, by
		if next.Granted < rule.capActivity(cur.Claimed) {
			next.State = portal.CEPartial
		} else {
			next.ReasonCode = ""
		}
	}
	out, err := tx.UpdateCESubmission(ctx, next, before.State)
	if err != nil {
		return nil, notFoundAs(err, errAlreadyDecided)
	}
	out.Evidence = cur.Evidence
	if out.State == portal.CEInfo {
		if err := jobs.Schedule(ctx, tx, KindInfoExpiry, infoExpiryKey(out), now.AddDate(0, 0, opts.InfoDays),
			infoExpiryArgs{SubmissionID: out.ID, Decisions: out.Decisions}); err != nil {
			return nil, err
		}
	}
	if out.State == portal.CEApproved || out.State == portal.CEPartial {
		if err := s.credit(ctx, tx, actor, out, typ, loc); err != nil {
			return nil, err
		}
	}
	action := "ce.submission_decided"
	if wasAppeal {
		action = "ce.appeal_decided"
	}
	if err := auditSubmission(ctx, tx, actor, action, &before, out, d.Outcome); err != nil {
		return nil, err
	}
	if out.State != portal.CEInfo {
		if err := tx.AppendEvent(portal.EventCEDecided, portal.SubjectCE, out.ID, "", actor.UserID,
			map[string]any{"state": out.State, "granted": out.Granted, "appeal": wasAppeal}); err != nil {
			return nil, err
		}
	}
	return out, s.mail(ctx, tx, loc, out, typ, cause, extra)
}

// credit writes the ledger rows of an approval: for each certification
// the activity counts toward (the chosen one, or every eligible one), what
// was granted within the type's cap per cycle and the requirement's
// maximum for the type, given what the type already holds there. Each
// certification whose cycle's credits now meet its requirement renews in
// the same transaction (renewal.AfterCredit).
func (s *Service) credit(ctx context.Context, tx *store.Tx, actor portal.Actor, sub *portal.CESubmission, typ *portal.CEActivityType,
	loc *time.Location) error {
	// The caps depend on what the candidate's ledger holds: approvals of
	// the same candidate queue here, so two cannot both fill the last room
	// (PostgreSQL reads committed; SQLite has one writer).
	if err := tx.LockUser(ctx, sub.UserID); err != nil {
		return err
	}
	list, err := tx.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: sub.UserID})
	if err != nil {
		return err
	}
	for _, c := range eligibleOf(list, typ, sub.CompletedOn, time.Time{}) {
		if sub.CertificationID != nil && c.CertificationID != *sub.CertificationID {
			continue
		}
		rows, err := tx.ListCELedger(ctx, store.CELedgerFilter{UserCertificationID: c.ID})
		if err != nil {
			return err
		}
		held := netByType(rows)[sub.TypeID]
		n := CapCycle(sub.Granted, typ.CapCycle, held)
		req, err := requirementOf(ctx, tx, c.CertificationID)
		if err != nil {
			return err
		}
		n = min(n, typeRoom(req, typ.Code, held))
		if n <= 0 {
			continue
		}
		if _, err := tx.InsertCELedgerEntry(ctx, portal.CELedgerEntry{UserID: sub.UserID, UserCertificationID: c.ID,
			SubmissionID: sub.ID, TypeID: sub.TypeID, Kind: portal.CELedgerCredit, Decision: sub.Decisions, Credits: n,
			CompletedOn: sub.CompletedOn}); err != nil {
			return err
		}
		if _, _, err := renewal.AfterCredit(ctx, tx, renewal.Config{Location: loc, BaseURL: s.cfg.BaseURL}, actor, c.ID, sub.ID); err != nil {
			return err
		}
	}
	return nil
}

// typeRoom is how much more of a type the requirement counts, given what
// it holds: the smallest maximum any credits condition sets for the type.
func typeRoom(r Requirement, code string, held int) int {
	room := maxCredits
	for _, a := range r.Alternatives {
		for _, c := range a.Conditions {
			if m, ok := c.TypeMax[code]; ok && c.Kind == CondCredits {
				room = min(room, max(0, m-held))
			}
		}
	}
	return room
}

// netByType sums ledger rows by type: credits of the current cycle,
// neither reversed nor consumed by a renewal.
func netByType(rows []*portal.CELedgerEntry) map[int64]int {
	reversed := map[int64]bool{}
	for _, r := range rows {
		switch {
		case r.Kind == portal.CELedgerReversal && r.ReversesID != nil:
			reversed[*r.ReversesID] = true
		case r.Kind == portal.CELedgerConsumption && r.ConsumesID != nil:
			reversed[*r.ConsumesID] = true
		}
	}
	out := map[int64]int{}
	for _, r := range rows {
		if r.Kind == portal.CELedgerCredit && !reversed[r.ID] {
			out[r.TypeID] += r.Credits
		}
	}
	return out
}

// requirementOf reads a certification's requirement, or the default.
func requirementOf(ctx context.Context, tx *store.Tx, certificationID int64) (Requirement, error) {
	spec, err := tx.GetCERequirement(ctx, certificationID)
	return decodeStoredRequirement(certificationID, spec, err)
}

// decodeStoredRequirement reads a stored requirement; none stored is the
// default.
func decodeStoredRequirement(certificationID int64, spec string, err error) (Requirement, error) {
	if isNotFound(err) {
		return DefaultRequirement(), nil
	}
	if err != nil {
		return Requirement{}, err
	}
	var r Requirement
	if err := json.Unmarshal([]byte(spec), &r); err != nil {
		return Requirement{}, fmt.Errorf("credits: requirement of certification %d: %w", certificationID, err)
	}
	return r, nil
}

// HandleInfoExpiryJob is the job handler of KindInfoExpiry: a request for
// more information still unanswered closes the submission as denied
// (reason no_reply). Run twice, or after a reply, it does nothing.
func (s *Service) HandleInfoExpiryJob(ctx context.Context, raw json.RawMessage) error {
	var args infoExpiryArgs
	if err := json.Unmarshal(raw, &args); err != nil {
		return jobs.Permanent(fmt.Errorf("credits: info expiry args: %w", err))
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return err
	}
	opts, err := s.Options(ctx)
	if err != nil {
		return err
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.LockCESubmission(ctx, args.SubmissionID)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if cur.State != portal.CEInfo || cur.Decisions != args.Decisions {
			return nil
		}
		_, err = s.decide(ctx, tx, portal.SystemActor("ce.info_expiry"), cur,
			Decision{Outcome: OutcomeDeny, ReasonCode: ReasonNoReply}, 0, cal.Location(), opts)
		return err
	})
}

// Respond is the candidate's reply to a request for more information: a
// note and more evidence (at most MaxEvidence files in all). The
// submission goes back to the queue and its target moves by the time it
// waited.
func (s *Service) Respond(ctx context.Context, actor portal.Actor, id int64, note string, evidence []int64) (*portal.CESubmission, error) {
	uid, err := subject(actor)
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out *portal.CESubmission
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.LockCESubmission(ctx, id)
		if err != nil {
			return err
		}
		if !actor.Owns(cur.UserID) {
			return portal.ErrNotFound
		}
		if cur.State != portal.CEInfo {
			return &portal.Error{Code: portal.EConflict, Message: "credits.error.no_question"}
		}
		var v portal.Validation
		if note == "" && len(evidence) == 0 {
			v.Add(FieldNotes, "credits.error.reply_empty", nil)
		}
		if len(cur.Evidence)+len(evidence) > MaxEvidence || hasDuplicate(evidence) {
			v.Add(FieldEvidence, "credits.error.evidence_count", map[string]any{"From": 1, "Count": MaxEvidence})
		}
		if utf8.RuneCountInString(cur.Notes)+utf8.RuneCountInString(note)+2 > MaxNotesChars {
			v.Add(FieldNotes, "credits.error.too_long", map[string]any{"Count": MaxNotesChars})
		}
		if err := s.checkEvidence(ctx, tx, uid, 0, evidence, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		before := *cur
		if _, err := cancelInfoExpiry(ctx, tx, cur); err != nil {
			return err
		}
		if note != "" {
			cur.Notes = strings.TrimSpace(cur.Notes + "\n\n" + note)
		}
		if cur.TargetOn != nil && cur.PausedAt != nil {
			t, err := resumeTarget(cal, *cur.TargetOn, *cur.PausedAt, tx.Now())
			if err != nil {
				return err
			}
			cur.TargetOn = &t
		}
		cur.State, cur.PausedAt = portal.CEPending, nil
		if out, err = tx.UpdateCESubmission(ctx, *cur, portal.CEInfo); err != nil {
			return notFoundAs(err, &portal.Error{Code: portal.EConflict, Message: "credits.error.no_question"})
		}
		if err := addEvidence(ctx, tx, uid, id, evidence); err != nil {
			return err
		}
		if shared, err := tx.CountCESharedEvidence(ctx, id); err != nil {
			return err
		} else if shared > 0 && !out.Flagged {
			out.Flagged = true
			if out, err = tx.UpdateCESubmission(ctx, *out, portal.CEPending); err != nil {
				return err
			}
		}
		out.Evidence = append(slices.Clone(cur.Evidence), evidence...)
		return auditSubmission(ctx, tx, actor, "ce.submission_answered", &before, out, "")
	})
	return out, err
}

// resumeTarget moves a paused target: the business days that were left
// at the pause count again from now.
func resumeTarget(cal Calendar, targetOn string, pausedAt, now time.Time) (string, error) {
	loc := cal.Location()
	target, err := time.ParseInLocation(time.DateOnly, targetOn, loc)
	if err != nil {
		return "", err
	}
	left := 0
	for ; left < 400; left++ {
		t, err := cal.AddBusinessDays(pausedAt, left)
		if err != nil {
			return "", err
		}
		if !t.In(loc).Before(target) || t.In(loc).Format(time.DateOnly) == targetOn {
			break
		}
	}
	t, err := cal.AddBusinessDays(now, left)
	if err != nil {
		return "", err
	}
	return t.In(loc).Format(time.DateOnly), nil
}

// Appeal asks for a denial to be looked at again, once, with a comment
// and new evidence; a reviewer other than the one who denied decides.
func (s *Service) Appeal(ctx context.Context, actor portal.Actor, id int64, comment string, evidence []int64) (*portal.CESubmission, error) {
	uid, err := subject(actor)
	if err != nil {
		return nil, err
	}
	comment = strings.TrimSpace(comment)
	var out *portal.CESubmission
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.LockCESubmission(ctx, id)
		if err != nil {
			return err
		}
		if !actor.Owns(cur.UserID) {
			return portal.ErrNotFound
		}
		if cur.State != portal.CEDenied || cur.ReversedAt != nil {
			return &portal.Error{Code: portal.EConflict, Message: "credits.error.not_appealable"}
		}
		if cur.AppealedAt != nil {
			return &portal.Error{Code: portal.EConflict, Message: "credits.error.appealed_once"}
		}
		var v portal.Validation
		if comment == "" || utf8.RuneCountInString(comment) > MaxNotesChars {
			v.Add(FieldComment, "credits.error.appeal_comment", map[string]any{"Count": MaxNotesChars})
		}
		if len(evidence) == 0 || len(cur.Evidence)+len(evidence) > MaxEvidence+MaxEvidence || hasDuplicate(evidence) {
			v.Add(FieldEvidence, "credits.error.evidence_count", map[string]any{"From": 1, "Count": MaxEvidence})
		}
		if err := s.checkEvidence(ctx, tx, uid, 0, evidence, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		before := *cur
		now := tx.Now()
		cur.State, cur.AppealComment, cur.AppealedAt, cur.AssigneeID = portal.CEAppealed, comment, &now, nil
		if out, err = tx.UpdateCESubmission(ctx, *cur, portal.CEDenied); err != nil {
			return notFoundAs(err, &portal.Error{Code: portal.EConflict, Message: "credits.error.not_appealable"})
		}
		if err := addEvidence(ctx, tx, uid, id, evidence); err != nil {
			return err
		}
		out.Evidence = append(slices.Clone(cur.Evidence), evidence...)
		return auditSubmission(ctx, tx, actor, "ce.submission_appealed", &before, out, "")
	})
	return out, err
}

// Reverse takes back an approval (admins: portal.PermSettingsManage), with
// a reason: the submission becomes denied (reason reversed), each of its
// credit rows gets a reversal row, and a credit row a renewal already
// consumed flags that renewal for an admin's review instead of undoing
// it. The candidate is told.
func (s *Service) Reverse(ctx context.Context, actor portal.Actor, id int64, reason string) (*portal.CESubmission, error) {
	if err := actor.Authorize(portal.PermSettingsManage); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReasonChars {
		var v portal.Validation
		v.Add(FieldReasonText, "credits.error.reason_required", nil)
		return nil, v.Err()
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out *portal.CESubmission
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.LockCESubmission(ctx, id)
		if err != nil {
			return err
		}
		if cur.State != portal.CEApproved && cur.State != portal.CEPartial {
			return &portal.Error{Code: portal.EConflict, Message: "credits.error.not_reversible"}
		}
		typ, err := tx.GetCEActivityVersion(ctx, cur.VersionID)
		if err != nil {
			return err
		}
		before := *cur
		now := tx.Now()
		cur.State, cur.Granted, cur.ReasonCode, cur.ReasonText, cur.ReversedAt = portal.CEDenied, 0, ReasonReversed, reason, &now
		cur.DecidedRole = roleOf(actor)
		cur.Decisions++
		if out, err = tx.UpdateCESubmission(ctx, *cur, before.State); err != nil {
			return notFoundAs(err, errAlreadyDecided)
		}
		rows, err := tx.ListCELedger(ctx, store.CELedgerFilter{SubmissionID: id})
		if err != nil {
			return err
		}
		reversed := map[int64]bool{}
		consumedBy := map[int64]int64{}
		for _, r := range rows {
			switch {
			case r.Kind == portal.CELedgerReversal && r.ReversesID != nil:
				reversed[*r.ReversesID] = true
			case r.Kind == portal.CELedgerConsumption && r.ConsumesID != nil && r.RenewalID != nil:
				consumedBy[*r.ConsumesID] = *r.RenewalID
			}
		}
		flagged := 0
		for _, r := range rows {
			if r.Kind != portal.CELedgerCredit || reversed[r.ID] {
				continue
			}
			if renewal, ok := consumedBy[r.ID]; ok {
				if err := tx.InsertCERenewalFlag(ctx, renewal, id, reason); err != nil {
					return err
				}
				flagged++
				continue
			}
			rid := r.ID
			if _, err := tx.InsertCELedgerEntry(ctx, portal.CELedgerEntry{UserID: r.UserID, UserCertificationID: r.UserCertificationID,
				SubmissionID: id, TypeID: r.TypeID, Kind: portal.CELedgerReversal, Decision: out.Decisions, Credits: r.Credits,
				CompletedOn: r.CompletedOn, ReversesID: &rid}); err != nil {
				return err
			}
		}
		out.Evidence = cur.Evidence
		if err := auditSubmission(ctx, tx, actor, "ce.decision_reversed", &before, out, "renewals flagged: "+strconv.Itoa(flagged)); err != nil {
			return err
		}
		if err := tx.AppendEvent(portal.EventCEDecided, portal.SubjectCE, id, "", actor.UserID,
			map[string]any{"state": out.State, "granted": 0, "reversed": true, "renewals_flagged": flagged}); err != nil {
			return err
		}
		return s.mail(ctx, tx, cal.Location(), out, typ, mailReversed, map[string]any{"RenewalFlagged": flagged > 0})
	})
	return out, err
}
