// Package ops is the operators' service behind the console's maintenance
// pages: failed background jobs and test mail.
//
// Contract: every method is for admins only and returns portal.ErrForbidden
// to anyone else.
package ops

import (
	"context"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Service is the operators' service.
type Service struct {
	st     *store.Store
	runner *jobs.Runner
}

// New returns the service.
func New(st *store.Store, runner *jobs.Runner) *Service {
	return &Service{st: st, runner: runner}
}

// FailedJobs lists jobs that failed for good, newest first.
func (s *Service) FailedJobs(ctx context.Context, actor portal.Actor, limit int) ([]jobs.FailedJob, error) {
	if err := actor.Authorize(portal.PermOpsRead); err != nil {
		return nil, err
	}
	return s.runner.Failed(ctx, limit)
}

// SendTestMail queues the test message to an address, through the same
// path as every other mail, and audits it.
func (s *Service) SendTestMail(ctx context.Context, actor portal.Actor, to string) error {
	if err := actor.Authorize(portal.PermOpsRead); err != nil {
		return err
	}
	addr, ok := portal.NormalizeEmail(to)
	if !ok {
		return &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid",
			Fields: []portal.FieldError{{Field: "to", Message: "field.invalid_email"}}}
	}
	user, err := s.st.GetUser(ctx, actor.UserID)
	if err != nil {
		return err
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		if err := jobs.Enqueue(ctx, tx, mail.KindSend, mail.Message{
			To: addr, Lang: user.Language, Template: "test_message", Data: map[string]any{"SentBy": user.FullName()},
		}); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "ops.test_mail_sent", "mail:"+addr, "", nil)
	})
	if err != nil {
		return err
	}
	s.runner.Notify()
	return nil
}
