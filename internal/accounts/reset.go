package accounts

import (
	"context"
	"errors"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// PasswordResetTTL is how long a reset link works.
const PasswordResetTTL = time.Hour

// RequestPasswordReset mails a reset link when the address has an account.
// The answer is the same whether it has one, whether the address is over
// its per-address limit, or whether the account is locked: only the
// per-IP limit shows (as rate_limited).
func (s *Service) RequestPasswordReset(ctx context.Context, meta RequestMeta, email string) error {
	var v portal.Validation
	addr := validateEmail(&v, "email", email)
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.allow(ctx, LimitResetPerIP, meta.IP); err != nil {
		return err
	}
	if err := s.allow(ctx, LimitResetPerAddress, addr); err != nil {
		return nil // silently: a real address must look like any other
	}
	user, err := s.st.FindUserByEmail(ctx, addr)
	if errors.Is(err, portal.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if user.DisabledAt != nil {
		return nil
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		token, hash := newToken()
		t, err := tx.CreateToken(ctx, user.ID, store.TokenPasswordReset, hash, user.Email, PasswordResetTTL, true)
		if err != nil {
			return err
		}
		if err := audit(ctx, tx, meta.actor(), "account.reset_requested", userSubject(user.ID), ""); err != nil {
			return err
		}
		return s.sendMail(ctx, tx, user, user.Email, "account_password_reset", map[string]any{
			"Link": s.cfg.BaseURL + "/password/reset/" + token, "ExpiresAt": t.ExpiresAt.Format(time.RFC3339),
		})
	})
	if err == nil {
		s.kick()
	}
	return err
}

// ResetLink describes a usable reset link for its form.
type ResetLink struct {
	Email string
	MFA   *MFAStatus // which second factors the form must ask for; nil without MFA
}

// CheckResetLink reports whether a reset link is usable.
func (s *Service) CheckResetLink(ctx context.Context, token string) (*ResetLink, error) {
	_, user, err := s.validToken(ctx, store.TokenPasswordReset, token)
	if errors.Is(err, portal.ErrNotFound) {
		return nil, errLinkInvalid
	}
	if err != nil {
		return nil, err
	}
	link := &ResetLink{Email: user.Email}
	st, err := s.MFAStatus(ctx, user.ID)
	if err != nil {
		return nil, err
	}
	if st.Enabled() {
		link.MFA = st
	}
	return link, nil
}

// ResetRequest is the reset form.
type ResetRequest struct {
	Token    string
	Password string
	Confirm  string
	Method   string // second factor for an account with MFA: totp, sms or backup
	Code     string
	FlowID   int64 // for sms: the flow SendResetCode started
}

// SendResetCode texts a code for the reset of an account that has SMS as a
// factor. The code is bound to a flow of its own (a waiting session row
// that is never handed to a browser, ended by the reset with every other
// session) and returns its ID and the masked number.
func (s *Service) SendResetCode(ctx context.Context, meta RequestMeta, token string) (int64, string, error) {
	_, user, err := s.validToken(ctx, store.TokenPasswordReset, token)
	if errors.Is(err, portal.ErrNotFound) {
		return 0, "", errLinkInvalid
	}
	if err != nil {
		return 0, "", err
	}
	var flow int64
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		_, hash := newToken()
		sess, err := tx.CreateSession(ctx, store.SessionCreate{
			TokenHash: hash, UserID: user.ID, State: portal.SessionMFAPending, IP: meta.IP, UserAgent: "password reset", Lifetime: PasswordResetTTL,
		})
		if err != nil {
			return err
		}
		flow = sess.ID
		return nil
	})
	if err != nil {
		return 0, "", err
	}
	masked, err := s.SendSignInCode(ctx, flow)
	return flow, masked, err
}

// ResetPassword sets a new password from a reset link. For an account with
// MFA it also needs a second factor: the emailed link alone never restores
// such an account. It clears any sign-in lock and signs out every session.
func (s *Service) ResetPassword(ctx context.Context, meta RequestMeta, req ResetRequest) error {
	_, user, err := s.validToken(ctx, store.TokenPasswordReset, req.Token)
	if errors.Is(err, portal.ErrNotFound) {
		return errLinkInvalid
	}
	if err != nil {
		return err
	}
	var v portal.Validation
	s.checkPassword(&v, "password", req.Password, PasswordContext{ProgramName: s.cfg.ProgramName, FirstName: user.FirstName, LastName: user.LastName, Email: user.Email})
	if !v.Has("password") && req.Password != req.Confirm {
		v.Add("confirm", "password.mismatch", nil)
	}
	mfa, err := s.MFAStatus(ctx, user.ID)
	if err != nil {
		return err
	}
	if mfa.Enabled() && strings.TrimSpace(req.Code) == "" {
		v.Add("code", "mfa.code_required", nil)
	}
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, req.Password)
	if err != nil {
		return err
	}
	apply := func(tx *store.Tx) error {
		if _, err := tx.UseToken(ctx, store.TokenPasswordReset, hashToken(req.Token)); err != nil {
			return err
		}
		now := tx.Now()
		u, err := tx.UpdateUser(ctx, user.ID, store.UserUpdate{PasswordHash: &hash, PasswordChangedAt: &now})
		if err != nil {
			return err
		}
		if err := tx.InvalidateTokens(ctx, u.ID, store.TokenPasswordReset); err != nil {
			return err
		}
		if err := tx.ClearLockout(ctx, u.Email); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessions(ctx, u.ID, 0); err != nil {
			return err
		}
		a := meta.actor()
		a.UserID = u.ID
		if err := audit(ctx, tx, a, "account.password_reset", userSubject(u.ID), ""); err != nil {
			return err
		}
		return s.notify(ctx, tx, u, "password_reset", nil)
	}
	if !mfa.Enabled() {
		err = s.st.Transact(ctx, apply)
	} else {
		// The code is used up in the same transaction as the reset, so a
		// failed reset burns no code. A text-message code belongs to the
		// flow SendResetCode started.
		flow := int64(0)
		if req.Method == MethodSMS {
			flow = req.FlowID
		}
		err = s.verifySecondFactor(ctx, meta.actor(), user.ID, flow, req.Method, req.Code, apply)
		if errors.Is(err, ErrMFATooManyAttempts) || errors.Is(err, ErrMFALocked) {
			// Too many wrong codes end this reset link too.
			if ierr := s.st.Transact(ctx, func(tx *store.Tx) error {
				return tx.InvalidateTokens(ctx, user.ID, store.TokenPasswordReset)
			}); ierr != nil {
				return ierr
			}
		}
		if err != nil && !errors.Is(err, portal.ErrNotFound) {
			return fieldError("code", err)
		}
	}
	if errors.Is(err, portal.ErrNotFound) {
		return errLinkInvalid
	}
	if err == nil {
		s.kick()
	}
	return err
}

// fieldError attaches a service error's message to a form field.
func fieldError(field string, err error) error {
	var pe *portal.Error
	if errors.As(err, &pe) && len(pe.Fields) == 0 {
		return &portal.Error{Code: pe.Code, Message: pe.Message, Data: pe.Data,
			Fields: []portal.FieldError{{Field: field, Message: pe.Message, Data: pe.Data}}}
	}
	return err
}
