package credentials

import (
	"context"
	"crypto/rand"
	"errors"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Issue gives an earned certification's cycle its credential in the
// caller's transaction: a new credential ID, the current signing key, and
// a random free index on a revocation and a suspension list. It writes
// credential.issued. Calling it again for the same certification and cycle
// returns the credential already issued; a concurrent second issue fails
// on the unique index with portal.ErrConflict and its transaction rolls
// back. The documents stay empty until they are signed.
func (s *Service) Issue(ctx context.Context, tx *store.Tx, userCertificationID int64) (*portal.Credential, error) {
	uc, err := tx.GetUserCertification(ctx, userCertificationID)
	if err != nil {
		return nil, err
	}
	if uc.WithdrawnAt != nil {
		return nil, &portal.Error{Code: portal.EConflict, Message: "credentials.error.certification_withdrawn"}
	}
	if c, err := tx.FindCredentialByUserCertification(ctx, uc.ID, uc.Cycle); err == nil {
		return c, nil
	} else if !errors.Is(err, portal.ErrNotFound) {
		return nil, err
	}
	key, err := s.CurrentKey(ctx, tx)
	if err != nil {
		return nil, err
	}
	rev, revIdx, err := s.allocate(ctx, tx, portal.StatusRevocation)
	if err != nil {
		return nil, err
	}
	sus, susIdx, err := s.allocate(ctx, tx, portal.StatusSuspension)
	if err != nil {
		return nil, err
	}
	id, err := portal.NewCredentialID()
	if err != nil {
		return nil, err
	}
	salt := rand.Text()
	c, err := tx.InsertCredential(ctx, portal.Credential{CredentialID: id, UserCertificationID: uc.ID, Cycle: uc.Cycle,
		SigningKeyID: key.ID, RevocationListID: rev.ID, RevocationIndex: revIdx, SuspensionListID: sus.ID, SuspensionIndex: susIdx,
		IssuedAt: tx.Now(), SubjectSalt: salt})
	if err != nil {
		return nil, err
	}
	if err := tx.AppendEvent(portal.EventCredentialIssued, portal.SubjectCredential, c.ID, string(c.CredentialID), 0,
		map[string]any{"user_certification": uc.ID, "cycle": uc.Cycle, "user": uc.UserID, "key": key.Number}); err != nil {
		return nil, err
	}
	return c, nil
}
