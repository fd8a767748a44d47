package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
)

// attemptColumns are the columns of an attempt; attemptColumnsOf(a)
// qualifies them for a join.
const attemptColumns = `id, user_id, exam_id, exam_code, certification_id, booking_id, taken_at, score, passed,
	passing_score, retake_wait_days, retake_from, domains, state, source, import_id, official_at, published_at,
	entered_by, confirmed_by, confirmed_at, held_at, held_by, hold_reason, created_at, updated_at`

var attemptColumnsOfA = qualify("a", attemptColumns)

var attemptDetailColumns = attemptColumnsOfA + `, e.name AS exam_name, e.kind AS exam_kind,
	COALESCE(c.name, '') AS certification_name, COALESCE(b.reference, '') AS booking_reference,
	u.email AS user_email, u.login_id AS user_login_id, u.first_name, u.last_name`

const attemptDetailFrom = ` FROM exam_attempts a JOIN exams e ON e.id = a.exam_id JOIN users u ON u.id = a.user_id
	LEFT JOIN certifications c ON c.id = a.certification_id LEFT JOIN bookings b ON b.id = a.booking_id`

// InsertAttempt records an attempt with its result and returns it as
// stored. A second attempt for the same booking is portal.ErrConflict.
func (tx *Tx) InsertAttempt(ctx context.Context, a portal.Attempt) (*portal.Attempt, error) {
	domains, err := json.Marshal(a.Domains)
	if err != nil {
		return nil, fmt.Errorf("store: insert attempt: %w", err)
	}
	var out portal.Attempt
	err = tx.get(ctx, &out, `INSERT INTO exam_attempts (user_id, exam_id, exam_code, certification_id, booking_id, taken_at, score,
		passed, passing_score, retake_wait_days, retake_from, domains, state, source, import_id, official_at, published_at,
		entered_by, confirmed_by, confirmed_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+attemptColumns,
		a.UserID, a.ExamID, a.ExamCode, a.CertificationID, a.BookingID, a.TakenAt.UTC(), a.Score, a.Passed, a.PassingScore,
		a.RetakeWaitDays, utcPtr(a.RetakeFrom), string(domains), a.State, a.Source, a.ImportID, a.OfficialAt.UTC(), utcPtr(a.PublishedAt),
		a.EnteredBy, a.ConfirmedBy, utcPtr(a.ConfirmedAt), tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: insert attempt: %w", err)
	}
	return decodeAttempt(&out)
}

// AttemptChange is a change of an attempt's state and result. Nil fields
// keep their value.
type AttemptChange struct {
	State           *string
	Score           *int
	Passed          *bool
	RetakeFrom      **time.Time
	Domains         *[]portal.DomainResult
	OfficialAt      *time.Time
	PublishedAt     **time.Time
	ConfirmedBy     *int64
	ConfirmedAt     *time.Time
	HeldAt          **time.Time
	HeldBy          **int64
	HoldReason      *string
	BookingID       *int64
	CertificationID **int64
}

// UpdateAttempt applies ch to the attempt if its state is one of from
// (any state when from is empty) and returns it as stored; otherwise
// portal.ErrNotFound. The condition on the state makes each transition
// happen once however many callers race for it.
func (tx *Tx) UpdateAttempt(ctx context.Context, id int64, from []string, ch AttemptChange) (*portal.Attempt, error) {
	sets := []string{"updated_at = ?"}
	args := []any{tx.now}
	set := func(col string, v any) { sets, args = append(sets, col+" = ?"), append(args, v) }
	if ch.State != nil {
		set("state", *ch.State)
	}
	if ch.Score != nil {
		set("score", *ch.Score)
	}
	if ch.Passed != nil {
		set("passed", *ch.Passed)
	}
	if ch.RetakeFrom != nil {
		set("retake_from", utcPtr(*ch.RetakeFrom))
	}
	if ch.Domains != nil {
		b, err := json.Marshal(*ch.Domains)
		if err != nil {
			return nil, fmt.Errorf("store: update attempt %d: %w", id, err)
		}
		set("domains", string(b))
	}
	if ch.OfficialAt != nil {
		set("official_at", ch.OfficialAt.UTC())
	}
	if ch.PublishedAt != nil {
		set("published_at", utcPtr(*ch.PublishedAt))
	}
	if ch.ConfirmedBy != nil {
		set("confirmed_by", *ch.ConfirmedBy)
	}
	if ch.ConfirmedAt != nil {
		set("confirmed_at", ch.ConfirmedAt.UTC())
	}
	if ch.HeldAt != nil {
		set("held_at", utcPtr(*ch.HeldAt))
	}
	if ch.HeldBy != nil {
		set("held_by", *ch.HeldBy)
	}
	if ch.HoldReason != nil {
		set("hold_reason", *ch.HoldReason)
	}
	if ch.BookingID != nil {
		set("booking_id", *ch.BookingID)
	}
	if ch.CertificationID != nil {
		set("certification_id", *ch.CertificationID)
	}
	q := `UPDATE exam_attempts SET ` + strings.Join(sets, ", ") + ` WHERE id = ?`
	args = append(args, id)
	if len(from) > 0 {
		q += ` AND state IN (` + placeholders(len(from)) + `)`
		for _, s := range from {
			args = append(args, s)
		}
	}
	var out portal.Attempt
	if err := tx.get(ctx, &out, q+` RETURNING `+attemptColumns, args...); err != nil {
		return nil, fmt.Errorf("store: update attempt %d: %w", id, err)
	}
	return decodeAttempt(&out)
}

// LockAttempt returns an attempt and, on PostgreSQL, locks its row until
// the transaction ends, or portal.ErrNotFound.
//
// The row is locked on its own before the join reads its details, as
// LockBooking does.
func (tx *Tx) LockAttempt(ctx context.Context, id int64) (*portal.AttemptDetail, error) {
	if tx.s.engine == Postgres {
		var locked int64
		if err := tx.get(ctx, &locked, `SELECT id FROM exam_attempts WHERE id = ? FOR UPDATE`, id); err != nil {
			return nil, fmt.Errorf("store: lock attempt %d: %w", id, err)
		}
	}
	var out portal.AttemptDetail
	if err := tx.get(ctx, &out, `SELECT `+attemptDetailColumns+attemptDetailFrom+` WHERE a.id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: lock attempt %d: %w", id, err)
	}
	return decodeAttemptDetail(&out)
}

// GetAttempt returns an attempt with its exam, certification, booking and
// candidate, or portal.ErrNotFound.
func (s *Store) GetAttempt(ctx context.Context, id int64) (*portal.AttemptDetail, error) {
	return getAttempt(ctx, s, id)
}

// GetAttempt is Store.GetAttempt inside the transaction.
func (tx *Tx) GetAttempt(ctx context.Context, id int64) (*portal.AttemptDetail, error) {
	return getAttempt(ctx, tx, id)
}

func getAttempt(ctx context.Context, r reader, id int64) (*portal.AttemptDetail, error) {
	var out portal.AttemptDetail
	if err := r.get(ctx, &out, `SELECT `+attemptDetailColumns+attemptDetailFrom+` WHERE a.id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: get attempt %d: %w", id, err)
	}
	return decodeAttemptDetail(&out)
}

// AttemptFilter selects attempts. Zero fields do not filter.
type AttemptFilter struct {
	UserID   int64
	States   []string
	ImportID int64
	Limit    int // default 200
}

// ListAttempts returns attempts with their details, newest delivery first.
func (s *Store) ListAttempts(ctx context.Context, f AttemptFilter) ([]*portal.AttemptDetail, error) {
	return listAttempts(ctx, s, f)
}

// ListAttempts is Store.ListAttempts inside the transaction.
func (tx *Tx) ListAttempts(ctx context.Context, f AttemptFilter) ([]*portal.AttemptDetail, error) {
	return listAttempts(ctx, tx, f)
}

func listAttempts(ctx context.Context, r reader, f AttemptFilter) ([]*portal.AttemptDetail, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.UserID != 0 {
		where, args = append(where, "a.user_id = ?"), append(args, f.UserID)
	}
	if f.ImportID != 0 {
		where, args = append(where, "a.import_id = ?"), append(args, f.ImportID)
	}
	if len(f.States) > 0 {
		where = append(where, "a.state IN ("+placeholders(len(f.States))+")")
		for _, s := range f.States {
			args = append(args, s)
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 200
	}
	var out []*portal.AttemptDetail
	err := r.sel(ctx, &out, `SELECT `+attemptDetailColumns+attemptDetailFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY a.taken_at DESC, a.id DESC LIMIT `+fmt.Sprint(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("store: list attempts: %w", err)
	}
	for _, a := range out {
		if _, err := decodeAttemptDetail(a); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FindRetakeBlockByExam returns the counting failed attempt that keeps the
// candidate from starting the exam (or another exam that earns the same
// certification) latest, or portal.ErrNotFound when none does after now.
func (tx *Tx) FindRetakeBlockByExam(ctx context.Context, userID, examID int64) (*portal.Attempt, error) {
	var out portal.Attempt
	err := tx.get(ctx, &out, `SELECT `+attemptColumnsOfA+` FROM exam_attempts a
		WHERE a.user_id = ? AND a.passed = ? AND a.state <> ? AND a.retake_from > ?
		  AND (a.exam_id = ? OR a.certification_id IN (SELECT certification_id FROM certification_exams WHERE exam_id = ? AND path = 'earn'))
		ORDER BY a.retake_from DESC LIMIT 1`, userID, false, portal.AttemptEntered, tx.now, examID, examID)
	if err != nil {
		return nil, fmt.Errorf("store: find retake block: %w", err)
	}
	return decodeAttempt(&out)
}

func decodeAttempt(a *portal.Attempt) (*portal.Attempt, error) {
	a.Domains = nil
	if a.DomainsJSON != "" {
		if err := json.Unmarshal([]byte(a.DomainsJSON), &a.Domains); err != nil {
			return nil, fmt.Errorf("store: attempt %d domains: %w", a.ID, err)
		}
	}
	return a, nil
}

func decodeAttemptDetail(a *portal.AttemptDetail) (*portal.AttemptDetail, error) {
	if _, err := decodeAttempt(&a.Attempt); err != nil {
		return nil, err
	}
	return a, nil
}

// qualify prefixes each column of a comma-separated list with table.
func qualify(table, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = table + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// CountAttemptsAt counts the candidate's attempts at the exam delivered at
// the instant.
func (tx *Tx) CountAttemptsAt(ctx context.Context, userID, examID int64, takenAt time.Time) (int, error) {
	var n int
	err := tx.get(ctx, &n, `SELECT COUNT(*) FROM exam_attempts WHERE user_id = ? AND exam_id = ? AND taken_at = ?`,
		userID, examID, takenAt.UTC())
	if err != nil {
		return 0, fmt.Errorf("store: count attempts: %w", err)
	}
	return n, nil
}

// DeleteAttempt removes an attempt whose state is one of from and returns
// it as it was, or portal.ErrNotFound: an entered result a second officer
// rejected.
func (tx *Tx) DeleteAttempt(ctx context.Context, id int64, from ...string) (*portal.Attempt, error) {
	args := []any{id}
	for _, s := range from {
		args = append(args, s)
	}
	var out portal.Attempt
	err := tx.get(ctx, &out, `DELETE FROM exam_attempts WHERE id = ? AND state IN (`+placeholders(len(from))+`) RETURNING `+attemptColumns, args...)
	if err != nil {
		return nil, fmt.Errorf("store: delete attempt %d: %w", id, err)
	}
	return decodeAttempt(&out)
}
