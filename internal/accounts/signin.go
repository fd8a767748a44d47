package accounts

import (
	"context"
	"errors"
	"strings"
	"time"

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

// Lockout rule: after LockThreshold consecutive failures an address is
// locked for FirstLock; a second lock within LockMemory lasts SecondLock.
// Attempts during a lock neither count nor extend it; a success clears the
// count; a password reset clears the lock.
const (
	LockThreshold = 5
	FirstLock     = 5 * time.Minute
	SecondLock    = 10 * time.Minute
	LockMemory    = 24 * time.Hour
)

// errSignIn is the one answer for an unknown email, a wrong password, a
// locked or disabled account, so the form reveals nothing about accounts.
var errSignIn = &portal.Error{Code: portal.EUnauthorized, Message: "signin.failed"}

// SignInResult is a started session.
type SignInResult struct {
	Token string // the session cookie's value
	User  *portal.User
	// MFARequired means the session waits for a second factor and reaches
	// no page but the second step.
	MFARequired bool
}

// identifier is the lockout key for what was typed in the email field.
func identifier(email string) string {
	if e, ok := portal.NormalizeEmail(email); ok {
		return e
	}
	return strings.ToLower(strings.TrimSpace(email))
}

// SignIn checks an email and password and starts a session. Every failure
// (unknown email, wrong password, locked or disabled account) gives the same
// error and costs the same one password hash.
func (s *Service) SignIn(ctx context.Context, meta RequestMeta, req SignInRequest) (*SignInResult, error) {
	var v portal.Validation
	if strings.TrimSpace(req.Email) == "" {
		v.Add("email", "field.email_required", nil)
	}
	if req.Password == "" {
		v.Add("password", "password.required", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.allow(ctx, LimitSignInPerIP, meta.IP); err != nil {
		return nil, err
	}
	if len(req.Password) > 4*DefaultPolicy.MaxLength {
		return nil, errSignIn
	}
	id := identifier(req.Email)
	lock, err := s.st.FindLockoutByIdentifier(ctx, id)
	if err != nil {
		return nil, err
	}
	user, err := s.st.FindUserByEmail(ctx, id)
	if err != nil && !errors.Is(err, portal.ErrNotFound) {
		return nil, err
	}
	hash := ""
	if user != nil {
		hash = user.PasswordHash
	}
	ok, rehash, err := s.hasher.Verify(ctx, hash, req.Password)
	if err != nil {
		return nil, err
	}
	if lock.Locked(s.clock.Now()) {
		// Checked after hashing so a locked account takes as long to
		// refuse as any other failure.
		return nil, s.auditFailure(ctx, meta, user, "locked")
	}
	if !ok || user.DisabledAt != nil {
		if err := s.recordFailure(ctx, meta, id, user); err != nil {
			return nil, err
		}
		return nil, errSignIn
	}
	var newHash string
	if rehash {
		if newHash, err = s.hasher.Hash(ctx, req.Password); err != nil {
			return nil, err
		}
	}
	mfa, err := s.mfaRequired(ctx, user.ID)
	if err != nil {
		return nil, err
	}
	res := &SignInResult{User: user, MFARequired: mfa}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.ResetSigninFailures(ctx, id); err != nil {
			return err
		}
		if newHash != "" {
			if _, err := tx.UpdateUser(ctx, user.ID, store.UserUpdate{PasswordHash: &newHash}); err != nil {
				return err
			}
		}
		state, action := portal.SessionActive, "auth.signed_in"
		if mfa {
			state, action = portal.SessionMFAPending, "auth.password_accepted"
		}
		var err error
		if res.Token, err = s.startSession(ctx, tx, user.ID, state, meta); err != nil {
			return err
		}
		a := meta.actor()
		a.UserID = user.ID
		return audit(ctx, tx, a, action, userSubject(user.ID), "password")
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// recordFailure counts a failed attempt for the identifier, locks it at the
// threshold and, when this attempt set the lock on a real account, tells
// the owner once.
func (s *Service) recordFailure(ctx context.Context, meta RequestMeta, id string, user *portal.User) error {
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		l, err := tx.RecordSigninFailure(ctx, id)
		if err != nil {
			return err
		}
		subject := ""
		if user != nil {
			subject = userSubject(user.ID)
		}
		if err := audit(ctx, tx, meta.actor(), "auth.signin_failed", subject, "password"); err != nil {
			return err
		}
		if l.Failures < LockThreshold {
			return nil
		}
		d := FirstLock
		if l.LastLockedAt != nil && tx.Now().Sub(*l.LastLockedAt) < LockMemory {
			d = SecondLock
		}
		until := tx.Now().Add(d)
		locked, err := tx.LockIdentifier(ctx, id, LockThreshold, until)
		if err != nil || !locked {
			return err
		}
		if err := audit(ctx, tx, meta.actor(), "auth.locked", subject, d.String()); err != nil {
			return err
		}
		if user == nil {
			return nil
		}
		return s.notify(ctx, tx, user, "locked", map[string]any{"LockedUntil": until.Format(time.RFC3339)})
	})
}

func (s *Service) auditFailure(ctx context.Context, meta RequestMeta, user *portal.User, why string) error {
	subject := ""
	if user != nil {
		subject = userSubject(user.ID)
	}
	if err := s.st.Transact(ctx, func(tx *store.Tx) error {
		return audit(ctx, tx, meta.actor(), "auth.signin_failed", subject, why)
	}); err != nil {
		return err
	}
	return errSignIn
}
