package store

import (
	"context"
	"fmt"

	"example.org/certportal/internal/portal"
)

const certificationColumns = `id, code, name, description, level, kind, validity_months, benefits, active, created_at, updated_at`

// Paths from an exam to a certification.
const (
	PathEarn  = "earn"
	PathRenew = "renew"
)

// CreateCertification inserts a catalogue entry and its exams. A code in
// use, or an exam that already earns another certification, is
// portal.ErrConflict.
func (tx *Tx) CreateCertification(ctx context.Context, c portal.Certification) (*portal.Certification, error) {
	var out portal.Certification
	err := tx.get(ctx, &out, `INSERT INTO certifications (code, name, description, level, kind, validity_months, benefits, active,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+certificationColumns,
		c.Code, c.Name, c.Description, c.Level, c.Kind, c.ValidityMonths, c.Benefits, c.Active, tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: create certification %s: %w", c.Code, err)
	}
	if err := tx.replaceCertificationExams(ctx, &out, c.EarnedBy, c.RenewedBy); err != nil {
		return nil, fmt.Errorf("store: create certification %s: %w", c.Code, err)
	}
	return &out, nil
}

// UpdateCertification saves every column of the entry c.ID names but its
// code and created_at, and replaces its exams. It returns the entry as
// stored, or portal.ErrNotFound.
func (tx *Tx) UpdateCertification(ctx context.Context, c portal.Certification) (*portal.Certification, error) {
	var out portal.Certification
	err := tx.get(ctx, &out, `UPDATE certifications SET name = ?, description = ?, level = ?, kind = ?, validity_months = ?,
		benefits = ?, active = ?, updated_at = ? WHERE id = ? RETURNING `+certificationColumns,
		c.Name, c.Description, c.Level, c.Kind, c.ValidityMonths, c.Benefits, c.Active, tx.now, c.ID)
	if err != nil {
		return nil, fmt.Errorf("store: update certification %d: %w", c.ID, err)
	}
	if err := tx.replaceCertificationExams(ctx, &out, c.EarnedBy, c.RenewedBy); err != nil {
		return nil, fmt.Errorf("store: update certification %d: %w", c.ID, err)
	}
	return &out, nil
}

// replaceCertificationExams links the exams named by code; an unknown
// code is portal.ErrNotFound.
func (tx *Tx) replaceCertificationExams(ctx context.Context, c *portal.Certification, earn, renew []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM certification_exams WHERE certification_id = ?`, c.ID); err != nil {
		return err
	}
	for _, p := range []struct {
		path  string
		codes []string
	}{{PathEarn, earn}, {PathRenew, renew}} {
		for _, code := range p.codes {
			res, err := tx.exec(ctx, `INSERT INTO certification_exams (certification_id, exam_id, path)
				SELECT ?, id, ? FROM exams WHERE code = ?`, c.ID, p.path, code)
			if err != nil {
				return fmt.Errorf("exam %s: %w", code, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return fmt.Errorf("exam %s: %w", code, portal.ErrNotFound)
			}
		}
	}
	c.EarnedBy, c.RenewedBy = append([]string(nil), earn...), append([]string(nil), renew...)
	return nil
}

// LockCertification returns a catalogue entry with its exams and, on
// PostgreSQL, locks its row until the transaction ends, or
// portal.ErrNotFound.
func (tx *Tx) LockCertification(ctx context.Context, id int64) (*portal.Certification, error) {
	return tx.lockCertification(ctx, id, tx.forUpdate(""))
}

// LockCertificationShared returns a catalogue entry with its exams and,
// on PostgreSQL, holds a shared lock on its row until the transaction
// ends, or portal.ErrNotFound: many transactions may issue the
// certification at once, and a change of the entry (LockCertification)
// waits for them, as they wait for it.
func (tx *Tx) LockCertificationShared(ctx context.Context, id int64) (*portal.Certification, error) {
	return tx.lockCertification(ctx, id, tx.forShare())
}

// lockCertification reads a catalogue entry with its exams, with lock the
// locking clause of the engine.
func (tx *Tx) lockCertification(ctx context.Context, id int64, lock string) (*portal.Certification, error) {
	var c portal.Certification
	if err := tx.get(ctx, &c, `SELECT `+certificationColumns+` FROM certifications WHERE id = ?`+lock, id); err != nil {
		return nil, fmt.Errorf("store: lock certification %d: %w", id, err)
	}
	if err := certificationExams(ctx, tx, []*portal.Certification{&c}); err != nil {
		return nil, err
	}
	return &c, nil
}

// GetCertification returns a catalogue entry with its exams, or
// portal.ErrNotFound.
func (s *Store) GetCertification(ctx context.Context, id int64) (*portal.Certification, error) {
	return getCertification(ctx, s, id)
}

// GetCertification returns a catalogue entry with its exams, or
// portal.ErrNotFound.
func (tx *Tx) GetCertification(ctx context.Context, id int64) (*portal.Certification, error) {
	return getCertification(ctx, tx, id)
}

func getCertification(ctx context.Context, r reader, id int64) (*portal.Certification, error) {
	var c portal.Certification
	if err := r.get(ctx, &c, `SELECT `+certificationColumns+` FROM certifications WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: get certification %d: %w", id, err)
	}
	if err := certificationExams(ctx, r, []*portal.Certification{&c}); err != nil {
		return nil, err
	}
	return &c, nil
}

// ListCertifications returns the catalogue with the exams of each entry,
// by level and code.
func (s *Store) ListCertifications(ctx context.Context) ([]*portal.Certification, error) {
	var out []*portal.Certification
	err := s.sel(ctx, &out, `SELECT `+certificationColumns+` FROM certifications
		ORDER BY CASE level WHEN 'foundational' THEN 1 WHEN 'associate' THEN 2 WHEN 'professional' THEN 3 ELSE 4 END, code`)
	if err != nil {
		return nil, fmt.Errorf("store: list certifications: %w", err)
	}
	if err := certificationExams(ctx, s, out); err != nil {
		return nil, err
	}
	return out, nil
}

// FindCertificationByExam returns the certification that a pass of the
// exam earns, with its exams, or portal.ErrNotFound.
func (tx *Tx) FindCertificationByExam(ctx context.Context, examID int64) (*portal.Certification, error) {
	var c portal.Certification
	err := tx.get(ctx, &c, `SELECT `+qualify("c", certificationColumns)+` FROM certifications c
		JOIN certification_exams ce ON ce.certification_id = c.id AND ce.path = 'earn' WHERE ce.exam_id = ?`, examID)
	if err != nil {
		return nil, fmt.Errorf("store: find certification by exam %d: %w", examID, err)
	}
	if err := certificationExams(ctx, tx, []*portal.Certification{&c}); err != nil {
		return nil, err
	}
	return &c, nil
}

// ListCertificationsRenewedByExam returns the certifications that a pass
// of the exam renews (it is one of their renewal paths), by id.
func (tx *Tx) ListCertificationsRenewedByExam(ctx context.Context, examID int64) ([]*portal.Certification, error) {
	var out []*portal.Certification
	err := tx.sel(ctx, &out, `SELECT `+qualify("c", certificationColumns)+` FROM certifications c
		JOIN certification_exams ce ON ce.certification_id = c.id AND ce.path = 'renew' WHERE ce.exam_id = ? ORDER BY c.id`, examID)
	if err != nil {
		return nil, fmt.Errorf("store: certifications renewed by exam %d: %w", examID, err)
	}
	return out, nil
}

// certificationExams fills EarnedBy and RenewedBy of each entry.
func certificationExams(ctx context.Context, r reader, list []*portal.Certification) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*portal.Certification, len(list))
	args := make([]any, 0, len(list))
	for _, c := range list {
		byID[c.ID] = c
		c.EarnedBy, c.RenewedBy = []string{}, []string{}
		args = append(args, c.ID)
	}
	var rows []struct {
		CertificationID int64
		Path            string
		Code            string
	}
	err := r.sel(ctx, &rows, `SELECT ce.certification_id, ce.path, e.code FROM certification_exams ce
		JOIN exams e ON e.id = ce.exam_id WHERE ce.certification_id IN (`+placeholders(len(args))+`) ORDER BY e.code`, args...)
	if err != nil {
		return fmt.Errorf("store: certification exams: %w", err)
	}
	for _, row := range rows {
		c := byID[row.CertificationID]
		if row.Path == PathEarn {
			c.EarnedBy = append(c.EarnedBy, row.Code)
		} else {
			c.RenewedBy = append(c.RenewedBy, row.Code)
		}
	}
	return nil
}
