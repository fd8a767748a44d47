package accounts

import (
	"context"

	"example.org/certportal/internal/portal"
)

// AuditPage is one page of audit events.
type AuditPage struct {
	Events []*portal.AuditEvent
	Total  int
}

// ListAudit returns audit events for the console. portal.PermAuditRead.
func (s *Service) ListAudit(ctx context.Context, actor portal.Actor, f portal.AuditFilter) (*AuditPage, error) {
	if err := actor.Authorize(portal.PermAuditRead); err != nil {
		return nil, err
	}
	events, total, err := s.st.ListAudit(ctx, f)
	if err != nil {
		return nil, err
	}
	return &AuditPage{Events: events, Total: total}, nil
}

// ListDevMessages returns the development mailbox, newest first.
// portal.PermOpsRead.
func (s *Service) ListDevMessages(ctx context.Context, actor portal.Actor, limit int) ([]*portal.DevMessage, error) {
	if err := actor.Authorize(portal.PermOpsRead); err != nil {
		return nil, err
	}
	return s.st.ListDevMessages(ctx, "", limit)
}

// FindDevMessage returns one message of the development mailbox.
// portal.PermOpsRead.
func (s *Service) FindDevMessage(ctx context.Context, actor portal.Actor, id int64) (*portal.DevMessage, error) {
	if err := actor.Authorize(portal.PermOpsRead); err != nil {
		return nil, err
	}
	return s.st.GetDevMessage(ctx, id)
}
