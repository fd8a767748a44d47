package accounts

import (
	"context"
	"errors"
	"fmt"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// UserCreate is an account made by an admin or the system (demo data,
// imports), with a password and, optionally, a verified email.
type UserCreate struct {
	Email     string
	FirstName string
	LastName  string
	Role      portal.Role
	Language  string
	Password  string
	Verified  bool
	Sets      []portal.PermissionSet // a staff account's permission sets
}

// CreateUser creates an account directly, for the system (demo data,
// imports) or an actor with portal.PermStaffManage; staff accounts hold
// Sets (at least one), candidates none. The password must pass the policy
// like any other.
func (s *Service) CreateUser(ctx context.Context, actor portal.Actor, req UserCreate) (*portal.User, error) {
	if err := actor.Authorize(portal.PermStaffManage); err != nil {
		return nil, err
	}
	var v portal.Validation
	var sets []portal.PermissionSet
	switch {
	case req.Role == portal.RoleStaff:
		sets = validateSets(&v, req.Sets)
	case len(req.Sets) > 0:
		v.Add("sets", "console.staff.error.sets_invalid", nil)
	}
	email := validateEmail(&v, "email", req.Email)
	first := validateName(&v, "first_name", req.FirstName)
	last := validateName(&v, "last_name", req.LastName)
	if !req.Role.Valid() {
		v.Add("role", "field.invalid_role", nil)
	}
	s.checkPassword(&v, "password", req.Password, PasswordContext{ProgramName: s.cfg.ProgramName, FirstName: first, LastName: last, Email: email})
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, req.Password)
	if err != nil {
		return nil, err
	}
	lang := req.Language
	if lang == "" {
		lang = "en"
	}
	var user *portal.User
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		c := store.UserCreate{Email: email, FirstName: first, LastName: last, Role: req.Role, Language: lang, PasswordHash: hash}
		if req.Verified {
			now := tx.Now()
			c.EmailVerifiedAt = &now
		}
		var err error
		if user, err = s.createUser(ctx, tx, c); err != nil {
			return err
		}
		if len(sets) > 0 {
			if err := tx.ReplaceStaffSets(ctx, user.ID, sets, actor.UserID); err != nil {
				return err
			}
		}
		return audit(ctx, tx, actor, "account.created", userSubject(user.ID), string(req.Role))
	})
	if errors.Is(err, portal.ErrConflict) {
		return nil, &portal.Error{Code: portal.EConflict, Message: "field.email_taken", Fields: []portal.FieldError{{Field: "email", Message: "field.email_taken"}}}
	}
	if err != nil {
		return nil, fmt.Errorf("accounts: create user: %w", err)
	}
	return user, nil
}
