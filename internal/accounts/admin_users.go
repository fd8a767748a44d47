package accounts

import (
	"context"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// UserPage is one page of the console's account list.
type UserPage struct {
	Users []*portal.User
	Total int
}

// UserQuery is the console's account search.
type UserQuery struct {
	Search string // email, name or login ID
	Role   portal.Role
	Limit  int
	Offset int
}

// ListUsers searches accounts for the console. Staff and admins.
func (s *Service) ListUsers(ctx context.Context, actor portal.Actor, q UserQuery) (*UserPage, error) {
	if !actor.Role.IsStaff() {
		return nil, portal.ErrForbidden
	}
	users, total, err := s.st.ListUsers(ctx, store.UserFilter{Search: q.Search, Role: q.Role, Limit: q.Limit, Offset: q.Offset})
	if err != nil {
		return nil, err
	}
	return &UserPage{Users: users, Total: total}, nil
}

// UserDetail is one account as the console shows it.
type UserDetail struct {
	User     *portal.User
	MFA      *MFAStatus
	Sessions int
}

// FindUser returns one account for the console. Staff and admins.
func (s *Service) FindUser(ctx context.Context, actor portal.Actor, id int64) (*UserDetail, error) {
	if !actor.Role.IsStaff() {
		return nil, portal.ErrForbidden
	}
	u, err := s.st.FindUserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	mfa, err := s.MFAStatus(ctx, id)
	if err != nil {
		return nil, err
	}
	sessions, err := s.st.ListUserSessions(ctx, id, s.cfg.SessionIdle)
	if err != nil {
		return nil, err
	}
	return &UserDetail{User: u, MFA: mfa, Sessions: len(sessions)}, nil
}

// SetUserDisabled disables or re-enables an account; disabling ends its
// sessions at once. Admins only, and never their own account.
func (s *Service) SetUserDisabled(ctx context.Context, actor portal.Actor, id int64, disabled bool) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	if id == actor.UserID {
		return &portal.Error{Code: portal.EConflict, Message: "console.users.not_yourself"}
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.SetUserDisabled(ctx, id, disabled); err != nil {
			return err
		}
		action := "account.enabled"
		if disabled {
			action = "account.disabled"
		}
		return audit(ctx, tx, actor, action, userSubject(id), "")
	})
}

// RevokeSessions signs an account out everywhere. Admins only.
func (s *Service) RevokeSessions(ctx context.Context, actor portal.Actor, id int64) (int64, error) {
	if err := requireAdmin(actor); err != nil {
		return 0, err
	}
	var n int64
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.FindUserByID(ctx, id); err != nil {
			return err
		}
		var err error
		if n, err = tx.DeleteUserSessions(ctx, id, 0); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "auth.sessions_revoked", userSubject(id), "")
	})
	return n, err
}
