package accounts

import (
	"context"
	"errors"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// EmailChangeTTL is how long the link to confirm a new address works.
const EmailChangeTTL = 24 * time.Hour

// checkCurrentPassword verifies the password of the acting user; a wrong
// one counts as a sign-in failure (and so towards the lock).
func (s *Service) checkCurrentPassword(ctx context.Context, actor portal.Actor, user *portal.User, password string) error {
	if password == "" {
		return &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid",
			Fields: []portal.FieldError{{Field: "current_password", Message: "password.current_required"}}}
	}
	ok, _, err := s.hasher.Verify(ctx, user.PasswordHash, password)
	if err != nil {
		return err
	}
	if !ok {
		if err := s.recordFailure(ctx, RequestMeta{IP: actor.IP, RequestID: actor.RequestID}, user.Email, user); err != nil {
			return err
		}
		return &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid",
			Fields: []portal.FieldError{{Field: "current_password", Message: "password.current_wrong"}}}
	}
	return nil
}

// PasswordChange is the change-password form.
type PasswordChange struct {
	Current string
	New     string
	Confirm string
}

// ChangePassword sets a new password after checking the current one, and
// signs out every other session of the account before it returns.
func (s *Service) ChangePassword(ctx context.Context, actor portal.Actor, sessionID int64, req PasswordChange) error {
	user, err := s.st.GetUser(ctx, actor.UserID)
	if err != nil {
		return err
	}
	if err := s.checkCurrentPassword(ctx, actor, user, req.Current); err != nil {
		return err
	}
	var v portal.Validation
	s.checkPassword(&v, "new_password", req.New, PasswordContext{ProgramName: s.cfg.ProgramName, FirstName: user.FirstName, LastName: user.LastName, Email: user.Email})
	if !v.Has("new_password") && req.New != req.Confirm {
		v.Add("confirm", "password.mismatch", nil)
	}
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, req.New)
	if err != nil {
		return err
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		now := tx.Now()
		u, err := tx.UpdateUser(ctx, user.ID, store.UserUpdate{PasswordHash: &hash, PasswordChangedAt: &now})
		if err != nil {
			return err
		}
		if err := tx.InvalidateTokens(ctx, u.ID, store.TokenPasswordReset); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessions(ctx, u.ID, sessionID); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "account.password_changed", userSubject(u.ID), ""); err != nil {
			return err
		}
		return s.notify(ctx, tx, u, "password_changed", nil)
	})
	if err == nil {
		s.kick()
	}
	return err
}

// EmailChange is the change-email form.
type EmailChange struct {
	NewEmail        string
	CurrentPassword string
}

// RequestEmailChange mails a confirmation link to the new address. The
// address changes only when that link is used. When the new address already
// has an account, its owner is told instead, and the caller sees the same
// outcome.
func (s *Service) RequestEmailChange(ctx context.Context, actor portal.Actor, req EmailChange) error {
	user, err := s.st.GetUser(ctx, actor.UserID)
	if err != nil {
		return err
	}
	var v portal.Validation
	addr := validateEmail(&v, "new_email", req.NewEmail)
	if addr != "" && addr == user.Email {
		v.Add("new_email", "field.email_same", nil)
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.checkCurrentPassword(ctx, actor, user, req.CurrentPassword); err != nil {
		return err
	}
	if err := s.allow(ctx, LimitEmailChangePerDay, userSubject(user.ID)); err != nil {
		return err
	}
	other, err := s.st.FindUserByEmail(ctx, addr)
	if err != nil && !errors.Is(err, portal.ErrNotFound) {
		return err
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		if err := audit(ctx, tx, actor, "account.email_change_requested", userSubject(user.ID), ""); err != nil {
			return err
		}
		if other != nil {
			return s.sendMail(ctx, tx, other, other.Email, "account_exists", map[string]any{
				"Link": s.cfg.BaseURL + "/signin", "ResetLink": s.cfg.BaseURL + "/password/forgot",
			})
		}
		token, hash := newToken()
		t, err := tx.CreateToken(ctx, user.ID, store.TokenEmailChange, hash, addr, EmailChangeTTL, true)
		if err != nil {
			return err
		}
		return s.sendMail(ctx, tx, user, addr, "account_email_change", map[string]any{
			"Link": s.cfg.BaseURL + "/email/confirm/" + token, "ExpiresAt": t.ExpiresAt.Format(time.RFC3339),
		})
	})
	if err == nil {
		s.kick()
	}
	return err
}

// ConfirmEmailChange makes the address a change link was sent to the
// account's address (already verified: the link proves it), invalidates
// links sent to the old address, and tells the old address.
func (s *Service) ConfirmEmailChange(ctx context.Context, meta RequestMeta, token string) (*portal.User, error) {
	t, old, err := s.validToken(ctx, store.TokenEmailChange, token)
	if errors.Is(err, portal.ErrNotFound) {
		return nil, errLinkInvalid
	}
	if err != nil {
		return nil, err
	}
	var user *portal.User
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.UseToken(ctx, store.TokenEmailChange, hashToken(token)); err != nil {
			return err
		}
		now := tx.Now()
		var err error
		user, err = tx.UpdateUser(ctx, old.ID, store.UserUpdate{Email: &t.SentTo, EmailVerifiedAt: &now})
		if err != nil {
			return err
		}
		if err := tx.InvalidateTokens(ctx, user.ID, store.TokenEmailVerify, store.TokenPasswordReset, store.TokenEmailChange); err != nil {
			return err
		}
		a := meta.actor()
		a.UserID = user.ID
		if err := audit(ctx, tx, a, "account.email_changed", userSubject(user.ID), ""); err != nil {
			return err
		}
		return s.sendMail(ctx, tx, user, old.Email, "account_notice", map[string]any{
			"Event": "email_changed", "ResetLink": s.cfg.BaseURL + "/password/forgot",
		})
	})
	if errors.Is(err, portal.ErrNotFound) {
		return nil, errLinkInvalid
	}
	if errors.Is(err, portal.ErrConflict) {
		return nil, &portal.Error{Code: portal.EConflict, Message: "field.email_taken"}
	}
	if err == nil {
		s.kick()
	}
	return user, err
}
