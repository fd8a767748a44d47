package accounts

import (
	"context"
	"errors"
	"fmt"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// AdminCreate asks for a new administrator account.
type AdminCreate struct {
	Email     string
	FirstName string
	LastName  string
	Language  string
}

// CreateAdmin creates a staff account holding the admin set, without a
// password, and returns the one-time setup link (valid AdminSetupTTL)
// where the owner sets one. There are never default credentials: this
// link is the only way in. Only the system (the command line) may call it;
// in the console admins invite staff instead (InviteStaff).
func (s *Service) CreateAdmin(ctx context.Context, actor portal.Actor, req AdminCreate) (*portal.User, string, error) {
	if !actor.IsSystem() {
		return nil, "", portal.ErrForbidden
	}
	var v portal.Validation
	email := validateEmail(&v, "email", req.Email)
	first := validateName(&v, "first_name", req.FirstName)
	last := validateName(&v, "last_name", req.LastName)
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	lang := req.Language
	if lang == "" {
		lang = "en"
	}
	var (
		user *portal.User
		link string
	)
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		user, err = s.createUser(ctx, tx, store.UserCreate{Email: email, FirstName: first, LastName: last, Role: portal.RoleStaff, Language: lang})
		if err != nil {
			return err
		}
		if err := tx.ReplaceStaffSets(ctx, user.ID, []portal.PermissionSet{portal.SetAdmin}, 0); err != nil {
			return err
		}
		token, hash := newToken()
		if _, err := tx.CreateToken(ctx, user.ID, store.TokenAdminSetup, hash, email, AdminSetupTTL, true); err != nil {
			return err
		}
		link = s.cfg.BaseURL + "/setup/" + token
		return audit(ctx, tx, actor, "account.admin_created", userSubject(user.ID), "")
	})
	if errors.Is(err, portal.ErrConflict) {
		return nil, "", &portal.Error{Code: portal.EConflict, Message: "field.email_taken", Fields: []portal.FieldError{{Field: "email", Message: "field.email_taken"}}}
	}
	if err != nil {
		return nil, "", fmt.Errorf("accounts: create admin: %w", err)
	}
	return user, link, nil
}

// SetupAccount returns the account a setup link belongs to, or
// portal.ErrNotFound when the link is unknown, used or expired.
func (s *Service) SetupAccount(ctx context.Context, token string) (*portal.User, error) {
	t, err := s.st.FindTokenByHash(ctx, store.TokenAdminSetup, hashToken(token))
	if err != nil {
		return nil, err
	}
	if t.UsedAt != nil || !s.clock.Now().Before(t.ExpiresAt) {
		return nil, portal.ErrNotFound
	}
	return s.st.GetUser(ctx, t.UserID)
}

// SetupRequest completes an account from its setup link.
type SetupRequest struct {
	Token    string
	Password string
	Confirm  string
}

// CompleteSetup sets the password of the account a setup link belongs to
// and consumes the link. The link works once: a second use, even
// concurrent, is portal.ErrNotFound.
func (s *Service) CompleteSetup(ctx context.Context, actor portal.Actor, req SetupRequest) (*portal.User, error) {
	user, err := s.SetupAccount(ctx, req.Token)
	if err != nil {
		return nil, err
	}
	var v portal.Validation
	s.checkPassword(&v, "password", req.Password, PasswordContext{
		ProgramName: s.cfg.ProgramName, FirstName: user.FirstName, LastName: user.LastName, Email: user.Email,
	})
	if !v.Has("password") && req.Password != req.Confirm {
		v.Add("confirm", "password.mismatch", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, req.Password)
	if err != nil {
		return nil, err
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		t, err := tx.UseToken(ctx, store.TokenAdminSetup, hashToken(req.Token))
		if err != nil {
			return err
		}
		now := tx.Now()
		user, err = tx.UpdateUser(ctx, t.UserID, store.UserUpdate{PasswordHash: &hash, EmailVerifiedAt: &now})
		if err != nil {
			return err
		}
		// A new password ends every session the account had.
		if _, err := tx.DeleteUserSessions(ctx, user.ID, 0); err != nil {
			return err
		}
		actor.UserID = user.ID
		return audit(ctx, tx, actor, "account.setup_completed", userSubject(user.ID), "")
	})
	if err != nil {
		return nil, err
	}
	return user, nil
}
