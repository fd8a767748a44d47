package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
)

// Continuing education: the activity catalogue, requirements, submissions,
// evidence and the credit ledger (migration 0027).

const ceVersionColumns = `v.id, v.type_id, t.code, v.version, v.grp, v.texts, v.rule, v.unit_minutes, v.per_unit, v.min_credits,
	v.max_credits, v.cap_activity, v.cap_cycle, v.required_fields, v.min_evidence, v.attestation, v.counts_for, v.counts_list,
	v.active_from, v.active_until, v.deadline_days, v.created_by, v.created_at`

const ceVersionFrom = ` FROM ce_activity_versions v JOIN ce_activity_types t ON t.id = v.type_id`

func decodeCETexts(list ...*portal.CEActivityType) error {
	for _, v := range list {
		if err := json.Unmarshal([]byte(v.TextsJSON), &v.Texts); err != nil {
			return fmt.Errorf("store: activity type %s texts: %w", v.Code, err)
		}
	}
	return nil
}

// InsertCEActivityVersion writes v as a new version of its type and makes
// it the current one: a new type (TypeID 0) is created as version 1 under
// v.Code, whose uniqueness is portal.ErrConflict; otherwise v.Version must
// be the next version of the type.
func (tx *Tx) InsertCEActivityVersion(ctx context.Context, v portal.CEActivityType) (*portal.CEActivityType, error) {
	texts, err := json.Marshal(v.Texts)
	if err != nil {
		return nil, fmt.Errorf("store: activity type texts: %w", err)
	}
	if v.TypeID == 0 {
		v.Version = 1
		if err := tx.get(ctx, &v.TypeID, `INSERT INTO ce_activity_types (code, current_version, created_at, updated_at)
			VALUES (?, 1, ?, ?) RETURNING id`, v.Code, tx.now, tx.now); err != nil {
			return nil, fmt.Errorf("store: insert activity type %s: %w", v.Code, err)
		}
	} else if err := affected(tx.exec(ctx, `UPDATE ce_activity_types SET current_version = ?, updated_at = ?
		WHERE id = ? AND current_version = ?`, v.Version, tx.now, v.TypeID, v.Version-1)); err != nil {
		return nil, fmt.Errorf("store: new version %d of activity type %d: %w", v.Version, v.TypeID, err)
	}
	var id int64
	err = tx.get(ctx, &id, `INSERT INTO ce_activity_versions (type_id, version, grp, texts, rule, unit_minutes, per_unit, min_credits,
		max_credits, cap_activity, cap_cycle, required_fields, min_evidence, attestation, counts_for, counts_list, active_from,
		active_until, deadline_days, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		v.TypeID, v.Version, v.Group, string(texts), v.Rule, v.UnitMinutes, v.PerUnit, v.MinCredits, v.MaxCredits, v.CapActivity,
		v.CapCycle, v.RequiredFields, v.MinEvidence, v.Attestation, v.CountsFor, v.CountsList, v.ActiveFrom, v.ActiveUntil,
		v.DeadlineDays, v.CreatedBy, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: insert activity version: %w", err)
	}
	return getCEActivityVersion(ctx, tx, id)
}

// GetCEActivityVersion returns one version of an activity type, or
// portal.ErrNotFound.
func (s *Store) GetCEActivityVersion(ctx context.Context, id int64) (*portal.CEActivityType, error) {
	return getCEActivityVersion(ctx, s, id)
}

// GetCEActivityVersion is Store.GetCEActivityVersion inside the transaction.
func (tx *Tx) GetCEActivityVersion(ctx context.Context, id int64) (*portal.CEActivityType, error) {
	return getCEActivityVersion(ctx, tx, id)
}

func getCEActivityVersion(ctx context.Context, r reader, id int64) (*portal.CEActivityType, error) {
	var v portal.CEActivityType
	if err := r.get(ctx, &v, `SELECT `+ceVersionColumns+ceVersionFrom+` WHERE v.id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: activity version %d: %w", id, err)
	}
	return &v, decodeCETexts(&v)
}

// FindCEActivityTypeByCode returns the current version of the type with
// code, or portal.ErrNotFound.
func (s *Store) FindCEActivityTypeByCode(ctx context.Context, code string) (*portal.CEActivityType, error) {
	return findCEActivityTypeByCode(ctx, s, code, "")
}

// FindCEActivityTypeByCode is Store.FindCEActivityTypeByCode inside the
// transaction.
func (tx *Tx) FindCEActivityTypeByCode(ctx context.Context, code string) (*portal.CEActivityType, error) {
	return findCEActivityTypeByCode(ctx, tx, code, "")
}

// LockCEActivityType returns the current version of the type with code
// and, on PostgreSQL, locks the type until the transaction ends.
func (tx *Tx) LockCEActivityType(ctx context.Context, code string) (*portal.CEActivityType, error) {
	return findCEActivityTypeByCode(ctx, tx, code, tx.forUpdate("t"))
}

func findCEActivityTypeByCode(ctx context.Context, r reader, code, lock string) (*portal.CEActivityType, error) {
	var v portal.CEActivityType
	if err := r.get(ctx, &v, `SELECT `+ceVersionColumns+ceVersionFrom+` WHERE t.code = ? AND v.version = t.current_version`+lock, code); err != nil {
		return nil, fmt.Errorf("store: activity type %s: %w", code, err)
	}
	return &v, decodeCETexts(&v)
}

// ListCEActivityTypes returns the current version of every activity type,
// by group and code.
func (s *Store) ListCEActivityTypes(ctx context.Context) ([]*portal.CEActivityType, error) {
	return listCEActivityTypes(ctx, s)
}

// ListCEActivityTypes is Store.ListCEActivityTypes inside the transaction.
func (tx *Tx) ListCEActivityTypes(ctx context.Context) ([]*portal.CEActivityType, error) {
	return listCEActivityTypes(ctx, tx)
}

func listCEActivityTypes(ctx context.Context, r reader) ([]*portal.CEActivityType, error) {
	var out []*portal.CEActivityType
	if err := r.sel(ctx, &out, `SELECT `+ceVersionColumns+ceVersionFrom+` WHERE v.version = t.current_version ORDER BY t.code`); err != nil {
		return nil, fmt.Errorf("store: list activity types: %w", err)
	}
	return out, decodeCETexts(out...)
}

// GetCERequirement returns the requirement of a certification as stored
// (JSON), or portal.ErrNotFound when it has none of its own.
func (s *Store) GetCERequirement(ctx context.Context, certificationID int64) (string, error) {
	return getCERequirement(ctx, s, certificationID)
}

// GetCERequirement is Store.GetCERequirement inside the transaction.
func (tx *Tx) GetCERequirement(ctx context.Context, certificationID int64) (string, error) {
	return getCERequirement(ctx, tx, certificationID)
}

func getCERequirement(ctx context.Context, r reader, certificationID int64) (string, error) {
	var spec string
	if err := r.get(ctx, &spec, `SELECT spec FROM ce_requirements WHERE certification_id = ?`, certificationID); err != nil {
		return "", fmt.Errorf("store: requirement of certification %d: %w", certificationID, err)
	}
	return spec, nil
}

// SetCERequirement stores the requirement of a certification.
func (tx *Tx) SetCERequirement(ctx context.Context, certificationID int64, spec string) error {
	_, err := tx.exec(ctx, `INSERT INTO ce_requirements (certification_id, spec, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (certification_id) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at`, certificationID, spec, tx.now)
	if err != nil {
		return fmt.Errorf("store: set requirement of certification %d: %w", certificationID, err)
	}
	return nil
}

const ceSubmissionColumns = `id, user_id, type_id, version_id, state, title, provider, completed_on, duration_minutes, url, notes,
	attested, claimed, granted, certification_id, flagged, assignee_id, reason_code, reason_text, target_on, paused_at,
	submitted_at, decided_at, decided_by, decided_role, decisions, denied_by, appeal_comment, appealed_at, reversed_at, created_at, updated_at`

// InsertCESubmission writes a new submission and returns it as stored.
func (tx *Tx) InsertCESubmission(ctx context.Context, s portal.CESubmission) (*portal.CESubmission, error) {
	var out portal.CESubmission
	err := tx.get(ctx, &out, `INSERT INTO ce_submissions (user_id, type_id, version_id, state, title, provider, completed_on,
		duration_minutes, url, notes, attested, claimed, certification_id, flagged, target_on, submitted_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+ceSubmissionColumns,
		s.UserID, s.TypeID, s.VersionID, s.State, s.Title, s.Provider, s.CompletedOn, s.DurationMinutes, s.URL, s.Notes,
		s.Attested, s.Claimed, s.CertificationID, s.Flagged, s.TargetOn, utcPtr(s.SubmittedAt), tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: insert submission: %w", err)
	}
	return &out, nil
}

// UpdateCESubmission writes every changeable field of s, on condition that
// the stored state is one of from: it returns the stored row, or
// portal.ErrNotFound when the submission is not in one of those states
// (another change came first). This is the compare-and-set every
// transition of a submission goes through.
func (tx *Tx) UpdateCESubmission(ctx context.Context, s portal.CESubmission, from ...string) (*portal.CESubmission, error) {
	if len(from) == 0 {
		return nil, fmt.Errorf("store: update submission %d: no states to change from", s.ID)
	}
	args := []any{s.TypeID, s.VersionID, s.State, s.Title, s.Provider, s.CompletedOn, s.DurationMinutes, s.URL, s.Notes, s.Attested,
		s.Claimed, s.Granted, s.CertificationID, s.Flagged, s.AssigneeID, s.ReasonCode, s.ReasonText, s.TargetOn, utcPtr(s.PausedAt),
		utcPtr(s.SubmittedAt), utcPtr(s.DecidedAt), s.DecidedBy, s.DecidedRole, s.Decisions, s.DeniedBy, s.AppealComment, utcPtr(s.AppealedAt),
		utcPtr(s.ReversedAt), tx.now, s.ID}
	marks := make([]string, len(from))
	for i, st := range from {
		marks[i] = "?"
		args = append(args, st)
	}
	var out portal.CESubmission
	err := tx.get(ctx, &out, `UPDATE ce_submissions SET type_id = ?, version_id = ?, state = ?, title = ?, provider = ?, completed_on = ?,
		duration_minutes = ?, url = ?, notes = ?, attested = ?, claimed = ?, granted = ?, certification_id = ?, flagged = ?,
		assignee_id = ?, reason_code = ?, reason_text = ?, target_on = ?, paused_at = ?, submitted_at = ?, decided_at = ?,
		decided_by = ?, decided_role = ?, decisions = ?, denied_by = ?, appeal_comment = ?, appealed_at = ?, reversed_at = ?, updated_at = ?
		WHERE id = ? AND state IN (`+strings.Join(marks, ", ")+`) RETURNING `+ceSubmissionColumns, args...)
	if err != nil {
		return nil, fmt.Errorf("store: update submission %d: %w", s.ID, err)
	}
	return &out, nil
}

// GetCESubmission returns one submission with its evidence, or
// portal.ErrNotFound.
func (s *Store) GetCESubmission(ctx context.Context, id int64) (*portal.CESubmission, error) {
	return getCESubmission(ctx, s, id, "")
}

// GetCESubmission is Store.GetCESubmission inside the transaction.
func (tx *Tx) GetCESubmission(ctx context.Context, id int64) (*portal.CESubmission, error) {
	return getCESubmission(ctx, tx, id, "")
}

// LockCESubmission returns one submission with its evidence and, on
// PostgreSQL, locks it until the transaction ends.
func (tx *Tx) LockCESubmission(ctx context.Context, id int64) (*portal.CESubmission, error) {
	return getCESubmission(ctx, tx, id, tx.forUpdate(""))
}

func getCESubmission(ctx context.Context, r reader, id int64, lock string) (*portal.CESubmission, error) {
	var out portal.CESubmission
	if err := r.get(ctx, &out, `SELECT `+ceSubmissionColumns+` FROM ce_submissions WHERE id = ?`+lock, id); err != nil {
		return nil, fmt.Errorf("store: submission %d: %w", id, err)
	}
	if err := r.sel(ctx, &out.Evidence, `SELECT upload_id FROM ce_evidence WHERE submission_id = ? ORDER BY upload_id`, id); err != nil {
		return nil, fmt.Errorf("store: evidence of submission %d: %w", id, err)
	}
	return &out, nil
}

// CESubmissionFilter selects a candidate's submissions. Zero fields do not
// filter.
type CESubmissionFilter struct {
	UserID int64
	States []string
	Limit  int // default 1000
}

// ListCESubmissions returns submissions, newest first.
func (s *Store) ListCESubmissions(ctx context.Context, f CESubmissionFilter) ([]*portal.CESubmission, error) {
	return listCESubmissions(ctx, s, f)
}

// ListCESubmissions is Store.ListCESubmissions inside the transaction.
func (tx *Tx) ListCESubmissions(ctx context.Context, f CESubmissionFilter) ([]*portal.CESubmission, error) {
	return listCESubmissions(ctx, tx, f)
}

func listCESubmissions(ctx context.Context, r reader, f CESubmissionFilter) ([]*portal.CESubmission, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.UserID != 0 {
		where, args = append(where, "user_id = ?"), append(args, f.UserID)
	}
	if len(f.States) > 0 {
		where = append(where, "state IN ("+marks(len(f.States))+")")
		for _, s := range f.States {
			args = append(args, s)
		}
	}
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	var out []*portal.CESubmission
	q := `SELECT ` + ceSubmissionColumns + ` FROM ce_submissions WHERE ` + strings.Join(where, " AND ") +
		fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT %d`, f.Limit)
	if err := r.sel(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("store: list submissions: %w", err)
	}
	return out, nil
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// CountCEOpenSubmissions counts a candidate's submissions waiting for a
// decision (pending, info, appealed).
func (tx *Tx) CountCEOpenSubmissions(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := tx.get(ctx, &n, `SELECT COUNT(*) FROM ce_submissions WHERE user_id = ? AND state IN ('pending', 'info', 'appealed')`, userID); err != nil {
		return 0, fmt.Errorf("store: count open submissions: %w", err)
	}
	return n, nil
}

// CountCEDuplicates counts the candidate's other live submissions (not
// drafts, not withdrawn) of the same type, title (case-insensitive) and
// completion date.
func (s *Store) CountCEDuplicates(ctx context.Context, userID, typeID int64, title, completedOn string, exceptID int64) (int, error) {
	var n int
	err := s.get(ctx, &n, `SELECT COUNT(*) FROM ce_submissions WHERE user_id = ? AND type_id = ? AND completed_on = ?
		AND lower(title) = lower(?) AND id <> ? AND state NOT IN ('draft', 'withdrawn')`, userID, typeID, completedOn, title, exceptID)
	if err != nil {
		return 0, fmt.Errorf("store: count duplicate submissions: %w", err)
	}
	return n, nil
}

// CEUpload is what continuing education reads of an upload given as
// evidence: its owner, purpose, scan state and hash, and the live
// submission it is already evidence of, if any.
type CEUpload struct {
	ID           int64
	OwnerID      int64
	Purpose      string
	ScanStatus   string
	Sha256       string
	SubmissionID *int64 // evidence of this submission (not withdrawn)
}

// ListCEUploads returns the uploads with the given IDs (unknown IDs are
// left out).
func (tx *Tx) ListCEUploads(ctx context.Context, ids []int64) ([]*CEUpload, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var out []*CEUpload
	err := tx.sel(ctx, &out, `SELECT u.id, u.owner_id, u.purpose, u.scan_status, u.sha256, e.submission_id
		FROM uploads u LEFT JOIN ce_evidence e ON e.upload_id = u.id
		WHERE u.id IN (`+marks(len(ids))+`) ORDER BY u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list uploads: %w", err)
	}
	return out, nil
}

// SetCEEvidence replaces the evidence of a submission with uploadIDs. An
// upload already evidence of another submission is portal.ErrConflict.
func (tx *Tx) SetCEEvidence(ctx context.Context, submissionID int64, uploadIDs []int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM ce_evidence WHERE submission_id = ?`, submissionID); err != nil {
		return fmt.Errorf("store: clear evidence of submission %d: %w", submissionID, err)
	}
	return tx.AddCEEvidence(ctx, submissionID, uploadIDs)
}

// AddCEEvidence adds uploads to the evidence of a submission.
func (tx *Tx) AddCEEvidence(ctx context.Context, submissionID int64, uploadIDs []int64) error {
	for _, id := range uploadIDs {
		if _, err := tx.exec(ctx, `INSERT INTO ce_evidence (submission_id, upload_id, added_at) VALUES (?, ?, ?)`,
			submissionID, id, tx.now); err != nil {
			return fmt.Errorf("store: add evidence %d to submission %d: %w", id, submissionID, err)
		}
	}
	return nil
}

// ReleaseCEEvidence removes the evidence of a withdrawn submission so its
// uploads may be given again.
func (tx *Tx) ReleaseCEEvidence(ctx context.Context, submissionID int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM ce_evidence WHERE submission_id = ?`, submissionID); err != nil {
		return fmt.Errorf("store: release evidence of submission %d: %w", submissionID, err)
	}
	return nil
}

// CountCESharedEvidence counts the other submissions holding a file with
// the same content as one of the submission's evidence.
func (tx *Tx) CountCESharedEvidence(ctx context.Context, submissionID int64) (int, error) {
	var n int
	err := tx.get(ctx, &n, `SELECT COUNT(DISTINCT oe.submission_id) FROM ce_evidence e
		JOIN uploads u ON u.id = e.upload_id
		JOIN uploads ou ON ou.sha256 = u.sha256 AND ou.id <> u.id
		JOIN ce_evidence oe ON oe.upload_id = ou.id AND oe.submission_id <> e.submission_id
		WHERE e.submission_id = ?`, submissionID)
	if err != nil {
		return 0, fmt.Errorf("store: count shared evidence of submission %d: %w", submissionID, err)
	}
	return n, nil
}

// CEQueueFilter selects the review queue. Zero fields do not filter.
type CEQueueFilter struct {
	TypeID          int64
	CertificationID int64 // the activity counts for a certification of this catalogue entry the candidate holds
	SubmittedBefore time.Time
	Flagged         bool
	AssigneeID      int64
	Unassigned      bool
	// After is the keyset cursor: the (submitted_at, id) of the last row
	// of the previous page.
	AfterAt time.Time
	AfterID int64
	Limit   int // default 50, at most 500
}

// ListCEQueue returns open submissions (pending, info, appealed), oldest
// submission first, one page after the cursor.
func (s *Store) ListCEQueue(ctx context.Context, f CEQueueFilter) ([]*portal.CESubmission, error) {
	where, args := ceQueueWhere(f, true)
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	var out []*portal.CESubmission
	q := `SELECT ` + ceSubmissionColumns + ` FROM ce_submissions WHERE ` + where +
		fmt.Sprintf(` ORDER BY submitted_at, id LIMIT %d`, f.Limit)
	if err := s.sel(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("store: list review queue: %w", err)
	}
	return out, nil
}

const ceLedgerColumns = `id, user_id, user_certification_id, submission_id, type_id, kind, decision, credits, completed_on,
	reverses_id, consumes_id, renewal_id, created_at`

// InsertCELedgerEntry appends a row to the credit ledger. A second credit
// row for the same submission, certification and decision, a second
// reversal of one row or a second consumption of one row is
// portal.ErrConflict.
func (tx *Tx) InsertCELedgerEntry(ctx context.Context, e portal.CELedgerEntry) (*portal.CELedgerEntry, error) {
	var out portal.CELedgerEntry
	err := tx.get(ctx, &out, `INSERT INTO ce_ledger (user_id, user_certification_id, submission_id, type_id, kind, decision, credits,
		completed_on, reverses_id, consumes_id, renewal_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+ceLedgerColumns,
		e.UserID, e.UserCertificationID, e.SubmissionID, e.TypeID, e.Kind, e.Decision, e.Credits, e.CompletedOn, e.ReversesID,
		e.ConsumesID, e.RenewalID, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: insert ledger %s: %w", e.Kind, err)
	}
	return &out, nil
}

// CELedgerFilter selects ledger rows. Zero fields do not filter.
type CELedgerFilter struct {
	UserID              int64
	UserCertificationID int64
	SubmissionID        int64
}

// ListCELedger returns ledger rows in the order written.
func (s *Store) ListCELedger(ctx context.Context, f CELedgerFilter) ([]*portal.CELedgerEntry, error) {
	return listCELedger(ctx, s, f)
}

// ListCELedger is Store.ListCELedger inside the transaction.
func (tx *Tx) ListCELedger(ctx context.Context, f CELedgerFilter) ([]*portal.CELedgerEntry, error) {
	return listCELedger(ctx, tx, f)
}

func listCELedger(ctx context.Context, r reader, f CELedgerFilter) ([]*portal.CELedgerEntry, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.UserID != 0 {
		where, args = append(where, "user_id = ?"), append(args, f.UserID)
	}
	if f.UserCertificationID != 0 {
		where, args = append(where, "user_certification_id = ?"), append(args, f.UserCertificationID)
	}
	if f.SubmissionID != 0 {
		where, args = append(where, "submission_id = ?"), append(args, f.SubmissionID)
	}
	var out []*portal.CELedgerEntry
	if err := r.sel(ctx, &out, `SELECT `+ceLedgerColumns+` FROM ce_ledger WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, args...); err != nil {
		return nil, fmt.Errorf("store: list ledger: %w", err)
	}
	return out, nil
}

// CECreditTotal is the live credits (credit rows no reversal took back
// and no renewal consumed) of one certification, type and completion day.
type CECreditTotal struct {
	UserCertificationID int64
	TypeID              int64
	CompletedOn         string
	Credits             int
}

// ListCECreditTotals sums a candidate's live credits by certification,
// type and completion day: credit rows neither reversed nor consumed by a
// renewal (what counts toward the current cycle).
func (s *Store) ListCECreditTotals(ctx context.Context, userID int64) ([]CECreditTotal, error) {
	var out []CECreditTotal
	err := s.sel(ctx, &out, `SELECT l.user_certification_id, l.type_id, l.completed_on, SUM(l.credits) AS credits FROM ce_ledger l
		LEFT JOIN ce_ledger r ON r.reverses_id = l.id
		LEFT JOIN ce_ledger c ON c.consumes_id = l.id
		WHERE l.user_id = ? AND l.kind = 'credit' AND r.id IS NULL AND c.id IS NULL
		GROUP BY l.user_certification_id, l.type_id, l.completed_on ORDER BY l.user_certification_id, l.type_id, l.completed_on`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list credit totals: %w", err)
	}
	return out, nil
}

// InsertCERenewalFlag records that a reversal took back credits a renewal
// used, for an admin to review.
func (tx *Tx) InsertCERenewalFlag(ctx context.Context, renewalID, submissionID int64, reason string) error {
	if _, err := tx.exec(ctx, `INSERT INTO ce_renewal_flags (renewal_id, submission_id, reason, created_at) VALUES (?, ?, ?, ?)`,
		renewalID, submissionID, reason, tx.now); err != nil {
		return fmt.Errorf("store: flag renewal %d: %w", renewalID, err)
	}
	return nil
}

// CountCERenewalFlags counts the open renewal flags raised by a
// submission's reversal.
func (s *Store) CountCERenewalFlags(ctx context.Context, submissionID int64) (int, error) {
	var n int
	if err := s.get(ctx, &n, `SELECT COUNT(*) FROM ce_renewal_flags WHERE submission_id = ? AND resolved_at IS NULL`, submissionID); err != nil {
		return 0, fmt.Errorf("store: count renewal flags: %w", err)
	}
	return n, nil
}

const ceRenewalFlagColumns = `id, renewal_id, submission_id, reason, created_at, resolved_at, COALESCE(resolution, '') AS resolution,
	resolution_note, resolved_by, credits_short`

// ceRenewalFlagColumnsF are the columns of the flag f in a join.
const ceRenewalFlagColumnsF = `f.id, f.renewal_id, f.submission_id, f.reason, f.created_at, f.resolved_at,
	COALESCE(f.resolution, '') AS resolution, f.resolution_note, f.resolved_by, f.credits_short`

const ceRenewalFlagDetailSelect = `SELECT ` + ceRenewalFlagColumnsF + `, r.user_id, u.first_name, u.last_name, u.email,
	r.user_certification_id, uc.certification_id, c.code AS certification_code, c.name AS certification_name, r.cycle, r.cause,
	r.old_expires_on, r.new_expires_on, r.credits_consumed, s.title AS submission_title,
	(SELECT COALESCE(SUM(k.credits), 0) FROM ce_ledger k JOIN ce_ledger l ON l.id = k.consumes_id
	  WHERE k.kind = 'consumption' AND k.renewal_id = f.renewal_id AND l.submission_id = f.submission_id) AS credits_taken_back
	FROM ce_renewal_flags f JOIN renewals r ON r.id = f.renewal_id JOIN users u ON u.id = r.user_id
	JOIN user_certifications uc ON uc.id = r.user_certification_id JOIN certifications c ON c.id = uc.certification_id
	JOIN ce_submissions s ON s.id = f.submission_id`

// CERenewalFlagFilter selects renewal flags: the open ones (oldest
// first), or the resolved ones (latest resolution first), at most Limit
// (0: no limit).
type CERenewalFlagFilter struct {
	Resolved bool
	Limit    int
}

// ListCERenewalFlags returns renewal flags with their renewal, holder,
// certification and reversed submission.
func (s *Store) ListCERenewalFlags(ctx context.Context, f CERenewalFlagFilter) ([]*portal.CERenewalFlagDetail, error) {
	q := ceRenewalFlagDetailSelect + ` WHERE f.resolved_at IS NULL ORDER BY f.created_at, f.id`
	if f.Resolved {
		q = ceRenewalFlagDetailSelect + ` WHERE f.resolved_at IS NOT NULL ORDER BY f.resolved_at DESC, f.id DESC`
	}
	var args []any
	if f.Limit > 0 {
		q, args = q+` LIMIT ?`, append(args, f.Limit)
	}
	var out []*portal.CERenewalFlagDetail
	if err := s.sel(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("store: list renewal flags: %w", err)
	}
	return out, nil
}

// CountOpenCERenewalFlags counts the flags waiting for an administrator.
func (s *Store) CountOpenCERenewalFlags(ctx context.Context) (int, error) {
	var n int
	if err := s.get(ctx, &n, `SELECT COUNT(*) FROM ce_renewal_flags WHERE resolved_at IS NULL`); err != nil {
		return 0, fmt.Errorf("store: count open renewal flags: %w", err)
	}
	return n, nil
}

// GetCERenewalFlag returns one flag with its details, or
// portal.ErrNotFound.
func (s *Store) GetCERenewalFlag(ctx context.Context, id int64) (*portal.CERenewalFlagDetail, error) {
	return getCERenewalFlag(ctx, s, id)
}

// GetCERenewalFlag is Store.GetCERenewalFlag inside the transaction.
func (tx *Tx) GetCERenewalFlag(ctx context.Context, id int64) (*portal.CERenewalFlagDetail, error) {
	return getCERenewalFlag(ctx, tx, id)
}

func getCERenewalFlag(ctx context.Context, r reader, id int64) (*portal.CERenewalFlagDetail, error) {
	var out portal.CERenewalFlagDetail
	if err := r.get(ctx, &out, ceRenewalFlagDetailSelect+` WHERE f.id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: renewal flag %d: %w", id, err)
	}
	return &out, nil
}

// CERenewalFlagResolution is how an administrator resolves a flag.
type CERenewalFlagResolution struct {
	Resolution   string
	Note         string
	ResolvedBy   int64
	CreditsShort int
}

// ResolveCERenewalFlag resolves an open flag and returns it: the update
// is conditional on the flag being open, so of two resolutions one wins
// and the other gets portal.ErrNotFound (as does an unknown flag).
func (tx *Tx) ResolveCERenewalFlag(ctx context.Context, id int64, r CERenewalFlagResolution) (*portal.CERenewalFlag, error) {
	var out portal.CERenewalFlag
	err := tx.get(ctx, &out, `UPDATE ce_renewal_flags SET resolved_at = ?, resolution = ?, resolution_note = ?, resolved_by = ?,
		credits_short = ? WHERE id = ? AND resolved_at IS NULL RETURNING `+ceRenewalFlagColumns,
		tx.now, r.Resolution, r.Note, r.ResolvedBy, r.CreditsShort, id)
	if err != nil {
		return nil, fmt.Errorf("store: resolve renewal flag %d: %w", id, err)
	}
	return &out, nil
}

// ListCERenewalCredits returns the credit rows a renewal consumed that
// still stand behind it: those of submissions whose reversal has not
// flagged the renewal.
func (s *Store) ListCERenewalCredits(ctx context.Context, renewalID int64) ([]*portal.CELedgerEntry, error) {
	return listCERenewalCredits(ctx, s, renewalID)
}

// ListCERenewalCredits is Store.ListCERenewalCredits inside the
// transaction.
func (tx *Tx) ListCERenewalCredits(ctx context.Context, renewalID int64) ([]*portal.CELedgerEntry, error) {
	return listCERenewalCredits(ctx, tx, renewalID)
}

func listCERenewalCredits(ctx context.Context, r reader, renewalID int64) ([]*portal.CELedgerEntry, error) {
	var out []*portal.CELedgerEntry
	err := r.sel(ctx, &out, `SELECT l.id, l.user_id, l.user_certification_id, l.submission_id, l.type_id, l.kind, l.decision, l.credits,
		l.completed_on, l.reverses_id, l.consumes_id, l.renewal_id, l.created_at
		FROM ce_ledger l JOIN ce_ledger k ON k.consumes_id = l.id AND k.kind = 'consumption'
		WHERE k.renewal_id = ? AND NOT EXISTS (SELECT 1 FROM ce_renewal_flags f WHERE f.renewal_id = k.renewal_id AND f.submission_id = l.submission_id)
		ORDER BY l.id`, renewalID)
	if err != nil {
		return nil, fmt.Errorf("store: credits of renewal %d: %w", renewalID, err)
	}
	return out, nil
}
