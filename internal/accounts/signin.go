package accounts

import (
	"context"
	"errors"
	"strings"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// RequestMeta is what the web layer knows about an anonymous request.
type RequestMeta struct {
	IP        string
	UserAgent string
	RequestID string
}

func (m RequestMeta) actor() portal.Actor { return portal.Actor{IP: m.IP, RequestID: m.RequestID} }

// SignInRequest is the sign-in form.
type SignInRequest struct {
	Email    string
	Password string
}

// errSignIn is the one answer for an unknown email, a wrong password and an
// account that cannot sign in, so the form reveals nothing about accounts.
var errSignIn = &portal.Error{Code: portal.EUnauthorized, Message: "signin.failed"}

// SignIn checks an email and password and starts a session, returning its
// cookie value. An unknown email costs the same one hash as a known one.
func (s *Service) SignIn(ctx context.Context, meta RequestMeta, req SignInRequest) (string, *portal.User, error) {
	var v portal.Validation
	if strings.TrimSpace(req.Email) == "" {
		v.Add("email", "field.email_required", nil)
	}
	if req.Password == "" {
		v.Add("password", "password.required", nil)
	}
	if len(req.Password) > 4*DefaultPolicy.MaxLength {
		return "", nil, errSignIn
	}
	if err := v.Err(); err != nil {
		return "", nil, err
	}
	email, _ := portal.NormalizeEmail(req.Email)
	user, err := s.st.FindUserByEmail(ctx, email)
	if err != nil && !errors.Is(err, portal.ErrNotFound) {
		return "", nil, err
	}
	hash := ""
	if user != nil {
		hash = user.PasswordHash
	}
	ok, rehash, err := s.hasher.Verify(ctx, hash, req.Password)
	if err != nil {
		return "", nil, err
	}
	if !ok || user.DisabledAt != nil {
		if err := s.st.Transact(ctx, func(tx *store.Tx) error {
			subject := ""
			if user != nil {
				subject = userSubject(user.ID)
			}
			return audit(ctx, tx, meta.actor(), "auth.signin_failed", subject, "password")
		}); err != nil {
			return "", nil, err
		}
		return "", nil, errSignIn
	}
	var newHash string
	if rehash {
		if newHash, err = s.hasher.Hash(ctx, req.Password); err != nil {
			return "", nil, err
		}
	}
	var token string
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		if newHash != "" {
			if _, err := tx.UpdateUser(ctx, user.ID, store.UserUpdate{PasswordHash: &newHash}); err != nil {
				return err
			}
		}
		var err error
		if token, err = s.startSession(ctx, tx, user.ID, store.SessionActive, meta); err != nil {
			return err
		}
		a := meta.actor()
		a.UserID = user.ID
		return audit(ctx, tx, a, "auth.signed_in", userSubject(user.ID), "password")
	})
	if err != nil {
		return "", nil, err
	}
	return token, user, nil
}
