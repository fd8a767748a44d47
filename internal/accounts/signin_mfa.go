package accounts

import (
	"context"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// mfaRequired reports whether the user has a second factor to present at
// sign-in.
func (s *Service) mfaRequired(ctx context.Context, userID int64) (bool, error) {
	st, err := s.MFAStatus(ctx, userID)
	if err != nil {
		return false, err
	}
	return st.Enabled(), nil
}

// CompleteSignIn finishes a sign-in that waits for its second factor: the
// pending session becomes a full one under a new token (returned), in the
// same transaction that uses up the code, so one code completes one flow.
// Errors are those of VerifySecondFactor.
func (s *Service) CompleteSignIn(ctx context.Context, meta RequestMeta, pending *Session, method, code string) (string, error) {
	if pending == nil || pending.Active() {
		return "", ErrMFAFlowExpired
	}
	token, hash := newToken()
	a := meta.actor()
	err := s.verifySecondFactor(ctx, a, pending.User.ID, pending.ID, method, code, func(tx *store.Tx) error {
		if err := tx.ActivateSession(ctx, pending.ID, hash); err != nil {
			return err
		}
		a.UserID = pending.User.ID
		return audit(ctx, tx, a, "auth.signed_in", userSubject(pending.User.ID), method)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// MFAStatusOf returns the acting user's second factors.
func (s *Service) MFAStatusOf(ctx context.Context, actor portal.Actor) (*MFAStatus, error) {
	return s.MFAStatus(ctx, actor.UserID)
}
