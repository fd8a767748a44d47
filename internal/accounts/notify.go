package accounts

import (
	"context"
	"fmt"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// notify queues a security notice about event (password_changed,
// password_reset, email_changed, locked, …) to the account's address, in
// the same transaction as the change it reports.
func (s *Service) notify(ctx context.Context, tx *store.Tx, user *portal.User, event string, data map[string]any) error {
	return s.sendMail(ctx, tx, user, user.Email, "account_notice", withData(data, map[string]any{
		"Event": event, "ResetLink": s.cfg.BaseURL + "/password/forgot",
	}))
}

// sendMail queues one templated mail to an address in the user's
// language.
func (s *Service) sendMail(ctx context.Context, tx *store.Tx, user *portal.User, to, template string, data map[string]any) error {
	err := jobs.Enqueue(ctx, tx, mail.KindSend, mail.Message{
		To: to, ToName: user.FullName(), Lang: user.Language, Template: template,
		Data: withData(data, map[string]any{"Name": user.FirstName}),
	})
	if err != nil {
		return fmt.Errorf("accounts: queue %s mail: %w", template, err)
	}
	return nil
}

func withData(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
