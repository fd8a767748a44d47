package accounts

import (
	"context"
	"errors"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// EmailVerifyTTL is how long a verification link works.
const EmailVerifyTTL = 24 * time.Hour

// validToken returns a token of purpose that is unused, unexpired and still
// bound to the address its user has now (for email_change: the address it
// was sent to must still be free), with its user.
func (s *Service) validToken(ctx context.Context, purpose, token string) (*store.UserToken, *portal.User, error) {
	t, err := s.st.FindTokenByHash(ctx, purpose, hashToken(token))
	if err != nil {
		return nil, nil, err
	}
	if t.UsedAt != nil || !s.clock.Now().Before(t.ExpiresAt) {
		return nil, nil, portal.ErrNotFound
	}
	user, err := s.st.GetUser(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	if purpose != store.TokenEmailChange && t.SentTo != user.Email {
		return nil, nil, portal.ErrNotFound
	}
	if user.DisabledAt != nil {
		return nil, nil, portal.ErrNotFound
	}
	return t, user, nil
}

// errLinkInvalid is the answer for an unknown, used, expired or superseded
// link.
var errLinkInvalid = &portal.Error{Code: portal.ENotFound, Message: "link.invalid"}

// CheckVerificationLink reports whether an email-verification link is
// usable, for the confirmation page.
func (s *Service) CheckVerificationLink(ctx context.Context, token string) (*portal.User, error) {
	_, user, err := s.validToken(ctx, store.TokenEmailVerify, token)
	if errors.Is(err, portal.ErrNotFound) {
		return nil, errLinkInvalid
	}
	return user, err
}

// VerifyEmail consumes a verification link and marks the address
// verified. The link works once and only for the address it was sent to.
func (s *Service) VerifyEmail(ctx context.Context, meta RequestMeta, token string) (*portal.User, error) {
	if _, _, err := s.validToken(ctx, store.TokenEmailVerify, token); err != nil {
		if errors.Is(err, portal.ErrNotFound) {
			return nil, errLinkInvalid
		}
		return nil, err
	}
	var user *portal.User
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		t, err := tx.UseToken(ctx, store.TokenEmailVerify, hashToken(token))
		if err != nil {
			return err
		}
		u, err := tx.GetUser(ctx, t.UserID)
		if err != nil {
			return err
		}
		if u.Email != t.SentTo {
			return portal.ErrNotFound
		}
		now := tx.Now()
		if user, err = tx.UpdateUser(ctx, u.ID, store.UserUpdate{EmailVerifiedAt: &now}); err != nil {
			return err
		}
		a := meta.actor()
		a.UserID = u.ID
		return audit(ctx, tx, a, "account.email_verified", userSubject(u.ID), "")
	})
	if errors.Is(err, portal.ErrNotFound) {
		return nil, errLinkInvalid
	}
	return user, err
}

// ResendVerification mails a new verification link to the signed-in,
// unverified user, at most once a minute and ten times a day.
func (s *Service) ResendVerification(ctx context.Context, actor portal.Actor) error {
	user, err := s.st.GetUser(ctx, actor.UserID)
	if err != nil {
		return err
	}
	if user.EmailVerifiedAt != nil {
		return nil
	}
	key := userSubject(user.ID)
	if err := s.allow(ctx, LimitVerifyPerAccount, key); err != nil {
		return err
	}
	if err := s.allow(ctx, LimitVerifyPerDay, key); err != nil {
		return err
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		if err := audit(ctx, tx, actor, "account.verification_resent", key, ""); err != nil {
			return err
		}
		return s.sendVerification(ctx, tx, user)
	})
	if err == nil {
		s.kick()
	}
	return err
}

// sendVerification replaces any earlier verification link of the user with
// a new one, bound to the current address.
func (s *Service) sendVerification(ctx context.Context, tx *store.Tx, user *portal.User) error {
	token, hash := newToken()
	t, err := tx.CreateToken(ctx, user.ID, store.TokenEmailVerify, hash, user.Email, EmailVerifyTTL, true)
	if err != nil {
		return err
	}
	return s.sendMail(ctx, tx, user, user.Email, "account_verify_email", map[string]any{
		"Link": s.cfg.BaseURL + "/verify/" + token, "ExpiresAt": t.ExpiresAt.Format(time.RFC3339),
	})
}
