package store

import (
	"context"
	"fmt"

	"example.org/certportal/internal/portal"
)

const examColumns = `id, code, name, description, level, kind, duration_minutes, languages, delivery, price_minor,
	currency, passing_score, retake_wait_days, max_reschedules, reschedule_fee_minor, validity_months, results_delay_days, active, created_at, updated_at`

// CreateExam inserts an exam with its domains. A duplicate code is
// portal.ErrConflict.
func (tx *Tx) CreateExam(ctx context.Context, e portal.Exam) (*portal.Exam, error) {
	var out portal.Exam
	err := tx.get(ctx, &out, `INSERT INTO exams (code, name, description, level, kind, duration_minutes, languages, delivery,
		price_minor, currency, passing_score, retake_wait_days, max_reschedules, reschedule_fee_minor, validity_months, results_delay_days, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+examColumns,
		e.Code, e.Name, e.Description, e.Level, e.Kind, e.DurationMinutes, e.Languages, e.Delivery, e.PriceMinor,
		e.Currency, e.PassingScore, e.RetakeWaitDays, e.MaxReschedules, e.RescheduleFeeMinor, e.ValidityMonths, e.ResultsDelayDays, e.Active, tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: create exam %s: %w", e.Code, err)
	}
	if out.Domains, err = tx.insertDomains(ctx, out.ID, e.Domains); err != nil {
		return nil, fmt.Errorf("store: create exam %s: %w", e.Code, err)
	}
	return &out, nil
}

// insertDomains adds domains to an exam in order, numbering them from 1,
// and returns them as stored.
func (tx *Tx) insertDomains(ctx context.Context, examID int64, domains []portal.ExamDomain) ([]portal.ExamDomain, error) {
	var out []portal.ExamDomain
	for i, d := range domains {
		if _, err := tx.exec(ctx, `INSERT INTO exam_domains (exam_id, position, name, weight_percent) VALUES (?, ?, ?, ?)`,
			examID, i+1, d.Name, d.WeightPercent); err != nil {
			return nil, fmt.Errorf("domain %d: %w", i+1, err)
		}
		out = append(out, portal.ExamDomain{Position: i + 1, Name: d.Name, WeightPercent: d.WeightPercent})
	}
	return out, nil
}

// UpdateExam saves every column of the exam e.ID names but its code, its
// active flag (SetExamActive changes it) and created_at, sets updated_at,
// and replaces its domains with e.Domains. It returns the saved exam with
// its domains, or portal.ErrNotFound.
func (tx *Tx) UpdateExam(ctx context.Context, e portal.Exam) (*portal.Exam, error) {
	var out portal.Exam
	err := tx.get(ctx, &out, `UPDATE exams SET name = ?, description = ?, level = ?, kind = ?, duration_minutes = ?,
		languages = ?, delivery = ?, price_minor = ?, currency = ?, passing_score = ?, retake_wait_days = ?,
		max_reschedules = ?, reschedule_fee_minor = ?, validity_months = ?, results_delay_days = ?, updated_at = ?
		WHERE id = ? RETURNING `+examColumns,
		e.Name, e.Description, e.Level, e.Kind, e.DurationMinutes, e.Languages, e.Delivery, e.PriceMinor, e.Currency,
		e.PassingScore, e.RetakeWaitDays, e.MaxReschedules, e.RescheduleFeeMinor, e.ValidityMonths, e.ResultsDelayDays, tx.now, e.ID)
	if err != nil {
		return nil, fmt.Errorf("store: update exam %d: %w", e.ID, err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM exam_domains WHERE exam_id = ?`, e.ID); err != nil {
		return nil, fmt.Errorf("store: update exam %d: delete domains: %w", e.ID, err)
	}
	if out.Domains, err = tx.insertDomains(ctx, e.ID, e.Domains); err != nil {
		return nil, fmt.Errorf("store: update exam %d: %w", e.ID, err)
	}
	return &out, nil
}

// SetExamActive lists (true) or retires (false) an exam and sets
// updated_at. It returns the exam without its domains, or
// portal.ErrNotFound.
func (tx *Tx) SetExamActive(ctx context.Context, id int64, active bool) (*portal.Exam, error) {
	var out portal.Exam
	err := tx.get(ctx, &out, `UPDATE exams SET active = ?, updated_at = ? WHERE id = ? RETURNING `+examColumns, active, tx.now, id)
	if err != nil {
		return nil, fmt.Errorf("store: set exam %d active=%t: %w", id, active, err)
	}
	return &out, nil
}

// GetExam returns one exam with its domains, or portal.ErrNotFound.
func (s *Store) GetExam(ctx context.Context, id int64) (*portal.Exam, error) {
	return findExam(ctx, s, id)
}

// ExamFilter selects exams.
type ExamFilter struct {
	ActiveOnly bool
}

// ListExams returns exams ordered by level and code, with their domains.
func (s *Store) ListExams(ctx context.Context, f ExamFilter) ([]*portal.Exam, error) {
	where := "1 = 1"
	if f.ActiveOnly {
		where = "active = ?"
	}
	args := []any{}
	if f.ActiveOnly {
		args = append(args, true)
	}
	var exams []*portal.Exam
	err := s.sel(ctx, &exams, `SELECT `+examColumns+` FROM exams WHERE `+where+`
		ORDER BY CASE level WHEN 'foundational' THEN 1 WHEN 'associate' THEN 2 WHEN 'professional' THEN 3 ELSE 4 END, code`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list exams: %w", err)
	}
	if len(exams) == 0 {
		return exams, nil
	}
	var domains []struct {
		ExamID        int64
		Position      int
		Name          string
		WeightPercent int
	}
	if err := s.sel(ctx, &domains, `SELECT exam_id, position, name, weight_percent FROM exam_domains ORDER BY exam_id, position`); err != nil {
		return nil, fmt.Errorf("store: list exam domains: %w", err)
	}
	byID := make(map[int64]*portal.Exam, len(exams))
	for _, e := range exams {
		byID[e.ID] = e
	}
	for _, d := range domains {
		if e := byID[d.ExamID]; e != nil {
			e.Domains = append(e.Domains, portal.ExamDomain{Position: d.Position, Name: d.Name, WeightPercent: d.WeightPercent})
		}
	}
	return exams, nil
}

// CountExams counts the catalog.
func (tx *Tx) CountExams(ctx context.Context) (int, error) {
	var n int
	err := tx.get(ctx, &n, `SELECT COUNT(*) FROM exams`)
	return n, err
}

// GetExam returns one exam (without domains) inside the transaction.
func (tx *Tx) GetExam(ctx context.Context, id int64) (*portal.Exam, error) {
	return findExam(ctx, tx, id)
}

// LockExam returns one exam with its domains and, on PostgreSQL, locks its
// row until the transaction ends, or portal.ErrNotFound.
func (tx *Tx) LockExam(ctx context.Context, id int64) (*portal.Exam, error) {
	var e portal.Exam
	if err := tx.get(ctx, &e, `SELECT `+examColumns+` FROM exams WHERE id = ?`+tx.forUpdate(""), id); err != nil {
		return nil, fmt.Errorf("store: lock exam %d: %w", id, err)
	}
	if err := tx.sel(ctx, &e.Domains, `SELECT position, name, weight_percent FROM exam_domains WHERE exam_id = ? ORDER BY position`, id); err != nil {
		return nil, fmt.Errorf("store: lock exam %d domains: %w", id, err)
	}
	return &e, nil
}

// FindExamByCode returns one exam with its domains, or portal.ErrNotFound.
func (s *Store) FindExamByCode(ctx context.Context, code string) (*portal.Exam, error) {
	return findExamBy(ctx, s, "code", code)
}

// FindExamByCode is Store.FindExamByCode inside the transaction.
func (tx *Tx) FindExamByCode(ctx context.Context, code string) (*portal.Exam, error) {
	return findExamBy(ctx, tx, "code", code)
}

func findExam(ctx context.Context, r reader, id int64) (*portal.Exam, error) {
	return findExamBy(ctx, r, "id", id)
}

// findExamBy returns the exam whose column (id or code) is value, with its
// domains.
func findExamBy(ctx context.Context, r reader, column string, value any) (*portal.Exam, error) {
	var e portal.Exam
	if err := r.get(ctx, &e, `SELECT `+examColumns+` FROM exams WHERE `+column+` = ?`, value); err != nil {
		return nil, fmt.Errorf("store: find exam %v: %w", value, err)
	}
	if err := r.sel(ctx, &e.Domains, `SELECT position, name, weight_percent FROM exam_domains WHERE exam_id = ? ORDER BY position`, e.ID); err != nil {
		return nil, fmt.Errorf("store: find exam %v domains: %w", value, err)
	}
	return &e, nil
}
