// Package exams is the exam catalog and, as it grows, scheduling: slots,
// booking rules, eligibility and results.
//
// Contract: reading the active catalog is open to anyone, including
// anonymous visitors; changing it is for admins. Errors are *portal.Error
// values (invalid, not_found, forbidden, conflict); anything else is
// internal.
package exams

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Service is the catalog service.
type Service struct {
	st    *store.Store
	clock portal.Clock
	log   *slog.Logger
}

// New returns the service.
func New(st *store.Store, clock portal.Clock, log *slog.Logger) *Service {
	return &Service{st: st, clock: clock, log: log}
}

// Catalog lists the active exams for candidates and visitors.
func (s *Service) Catalog(ctx context.Context) ([]*portal.Exam, error) {
	return s.st.ListExams(ctx, store.ExamFilter{ActiveOnly: true})
}

// CreateExam adds an exam to the catalog. Admins and the system only.
func (s *Service) CreateExam(ctx context.Context, actor portal.Actor, e portal.Exam) (*portal.Exam, error) {
	if !actor.IsSystem() && actor.Role != portal.RoleAdmin {
		return nil, portal.ErrForbidden
	}
	if err := validateExam(&e); err != nil {
		return nil, err
	}
	var out *portal.Exam
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = tx.CreateExam(ctx, e); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, portal.AuditEvent{ActorID: actor.UserID, Action: "catalog.exam_created", Subject: "exam:" + e.Code, IP: actor.IP, RequestID: actor.RequestID})
	})
	if errors.Is(err, portal.ErrConflict) {
		return nil, &portal.Error{Code: portal.EConflict, Message: "exams.code_taken", Fields: []portal.FieldError{{Field: "code", Message: "exams.code_taken"}}}
	}
	return out, err
}

var examCode = regexp.MustCompile(`^[A-Z0-9]{2,6}(-[A-Z0-9]{2,6}){0,2}$`)

func validateExam(e *portal.Exam) error {
	var v portal.Validation
	e.Code = strings.ToUpper(strings.TrimSpace(e.Code))
	e.Name = strings.TrimSpace(e.Name)
	if !examCode.MatchString(e.Code) {
		v.Add("code", "exams.invalid_code", nil)
	}
	if e.Name == "" || len(e.Name) > 200 {
		v.Add("name", "exams.invalid_name", nil)
	}
	switch e.Level {
	case portal.LevelFoundational, portal.LevelAssociate, portal.LevelProfessional, portal.LevelSpecialty:
	default:
		v.Add("level", "exams.invalid_level", nil)
	}
	switch e.Kind {
	case portal.KindExam, portal.KindMicrocredential:
	default:
		v.Add("kind", "exams.invalid_kind", nil)
	}
	if e.DurationMinutes <= 0 || e.DurationMinutes > 600 {
		v.Add("duration_minutes", "exams.invalid_duration", nil)
	}
	if e.PriceMinor < 0 {
		v.Add("price", "exams.invalid_price", nil)
	}
	if len(e.Currency) != 3 || strings.ToUpper(e.Currency) != e.Currency {
		v.Add("currency", "exams.invalid_currency", nil)
	}
	if e.PassingScore < 100 || e.PassingScore > 1000 {
		v.Add("passing_score", "exams.invalid_passing_score", nil)
	}
	if e.RetakeWaitDays < 0 || e.MaxReschedules < 0 || e.ValidityMonths <= 0 {
		v.Add("rules", "exams.invalid_rules", nil)
	}
	total := 0
	for _, d := range e.Domains {
		total += d.WeightPercent
	}
	if len(e.Domains) > 0 && total != 100 {
		v.Add("domains", "exams.domain_weights", map[string]any{"Total": total})
	}
	return v.Err()
}

// ActiveExam returns an exam of the active catalog by code.
func (s *Service) ActiveExam(ctx context.Context, code string) (*portal.Exam, error) {
	e, err := s.st.FindExamByCode(ctx, strings.ToUpper(strings.TrimSpace(code)))
	if err != nil {
		return nil, err
	}
	if !e.Active {
		return nil, portal.ErrNotFound
	}
	return e, nil
}
