// Package exams is the exam catalog: the exams, their domains, prices,
// languages, delivery methods and retake and reschedule rules. Where and
// when an exam is given is the centers package's; selling a seat and the
// booking rules (eligibility, retake waits) are the booking package's.
// Results will be a service of their own.
//
// Contract: reading the active catalog (Catalog, ActiveExam) is open to
// anyone, including anonymous visitors. Reading the whole catalog with
// retired exams (ListAll, Exam) is for staff, admins and the system;
// changing it (CreateExam, UpdateExam, SetExamActive) is for admins and the
// system. Anyone else gets portal.ErrForbidden. Invalid input is an invalid
// *portal.Error whose Fields name the form fields; an unknown exam is
// portal.ErrNotFound; a code already in use is a conflict. Anything else is
// internal.
package exams

import (
	"context"
	"errors"
	"log/slog"
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

// MayManageExams refuses unless actor may create, edit, retire and
// reactivate exams (portal.PermExamsManage). Pages call it to refuse
// before showing a form; the methods that change the catalog check it
// themselves.
func (s *Service) MayManageExams(actor portal.Actor) error {
	return actor.Authorize(portal.PermExamsManage)
}

// mayReadAll refuses unless actor may read retired exams too
// (portal.PermExamsRead).
func mayReadAll(actor portal.Actor) error {
	return actor.Authorize(portal.PermExamsRead)
}

// ListAll lists every exam, active and retired, with its domains, ordered
// by level and code. Staff and admins.
func (s *Service) ListAll(ctx context.Context, actor portal.Actor) ([]*portal.Exam, error) {
	if err := mayReadAll(actor); err != nil {
		return nil, err
	}
	return s.st.ListExams(ctx, store.ExamFilter{})
}

// Exam returns one exam, active or retired, with its domains, or
// portal.ErrNotFound. Staff and admins.
func (s *Service) Exam(ctx context.Context, actor portal.Actor, id int64) (*portal.Exam, error) {
	if err := mayReadAll(actor); err != nil {
		return nil, err
	}
	return s.st.GetExam(ctx, id)
}

// CreateExam adds an exam to the catalog. Admins and the system only.
func (s *Service) CreateExam(ctx context.Context, actor portal.Actor, e portal.Exam) (*portal.Exam, error) {
	if err := s.MayManageExams(actor); err != nil {
		return nil, err
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
		return audit(ctx, tx, actor, "catalog.exam_created", e.Code, "")
	})
	if errors.Is(err, portal.ErrConflict) {
		return nil, &portal.Error{Code: portal.EConflict, Message: "exams.code_taken", Fields: []portal.FieldError{{Field: "code", Message: "exams.code_taken"}}}
	}
	return out, err
}

// UpdateExam saves every field of exam id, domains included (they are
// replaced), from e, except two:
//
//   - the code never changes after creation: vouchers name the exams they
//     apply to by code, and links, mails and reports show it. e.Code is
//     ignored; to correct a code, retire the exam and create another.
//   - the active flag is left alone: SetExamActive retires and reactivates.
//
// Admins and the system only. Bookings keep the price, currency, language
// and refund policy they were bought with; the other values (reschedule
// limit and fee, retake wait, duration, …) apply to what happens after the
// change.
func (s *Service) UpdateExam(ctx context.Context, actor portal.Actor, id int64, e portal.Exam) (*portal.Exam, error) {
	if err := s.MayManageExams(actor); err != nil {
		return nil, err
	}
	cur, err := s.st.GetExam(ctx, id)
	if err != nil {
		return nil, err
	}
	e.ID, e.Code, e.Active = id, cur.Code, cur.Active
	if err := validateExam(&e); err != nil {
		return nil, err
	}
	var out *portal.Exam
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.LockExam(ctx, id)
		if err != nil {
			return err
		}
		if out, err = tx.UpdateExam(ctx, e); err != nil {
			return err
		}
		changes := portal.Diff(before, out)
		detail := ""
		if len(changes) == 0 {
			detail = "no changes"
		}
		return audit(ctx, tx, actor, "catalog.exam_updated", cur.Code, detail, changes...)
	})
	return out, err
}

// SetExamActive retires an exam (active false) or lists it again (true).
// A retired exam leaves the public catalog and cannot be held, bought or
// moved into; bookings already made stay valid. Setting the state the exam
// already has changes nothing and writes no audit event. It returns the
// exam without its domains. Admins and the system only.
func (s *Service) SetExamActive(ctx context.Context, actor portal.Actor, id int64, active bool) (*portal.Exam, error) {
	if err := s.MayManageExams(actor); err != nil {
		return nil, err
	}
	var out *portal.Exam
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.LockExam(ctx, id)
		if err != nil {
			return err
		}
		if cur.Active == active {
			out = cur
			return nil
		}
		if out, err = tx.SetExamActive(ctx, id, active); err != nil {
			return err
		}
		out.Domains = cur.Domains // retiring and reactivating leave them as they are
		action := "catalog.exam_retired"
		if active {
			action = "catalog.exam_activated"
		}
		return audit(ctx, tx, actor, action, cur.Code, "", portal.Diff(cur, out)...)
	})
	return out, err
}

func audit(ctx context.Context, tx *store.Tx, actor portal.Actor, action, code, detail string, changes ...portal.FieldChange) error {
	return tx.Audit(ctx, actor, action, "exam:"+code, detail, changes)
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
