package credentials

import (
	"context"

	"example.org/certportal/internal/badge"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Badge is what a credential's badge image shows and carries: the
// certification's template (without the program's logo, which the caller
// adds from the program settings) and the signed JSON credential to bake.
type Badge struct {
	CredentialID portal.CredentialID
	Template     badge.Template
	Credential   string
}

// HolderBadge returns the badge of the current credential of an earned
// certification to its holder; to anyone else, as to an unknown
// certification or a credential not signed yet, portal.ErrNotFound.
func (s *Service) HolderBadge(ctx context.Context, actor portal.Actor, userCertificationID int64) (*Badge, error) {
	var out *Badge
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		uc, err := tx.GetUserCertification(ctx, userCertificationID)
		if err != nil {
			return err
		}
		if !actor.Owns(uc.UserID) {
			return portal.ErrNotFound
		}
		c, err := tx.FindCredentialByUserCertification(ctx, uc.ID, uc.Cycle)
		if err != nil {
			return err
		}
		out, err = s.badge(ctx, tx, c, uc.CertificationID)
		return err
	})
	return out, err
}

// PublicBadge returns the badge of credential id for anyone, counted
// against VerifyLimit like a lookup.
func (s *Service) PublicBadge(ctx context.Context, clientIP string, id portal.CredentialID) (*Badge, error) {
	if err := s.allowLookup(ctx, clientIP); err != nil {
		return nil, err
	}
	var out *Badge
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.FindCredentialByCredentialID(ctx, id)
		if err != nil {
			return err
		}
		uc, err := tx.GetUserCertification(ctx, c.UserCertificationID)
		if err != nil {
			return err
		}
		out, err = s.badge(ctx, tx, c, uc.CertificationID)
		return err
	})
	return out, err
}

func (s *Service) badge(ctx context.Context, tx *store.Tx, c *portal.Credential, certificationID int64) (*Badge, error) {
	if c.DocumentJSONLD == "" {
		return nil, portal.ErrNotFound
	}
	cert, err := tx.GetCertification(ctx, certificationID)
	if err != nil {
		return nil, err
	}
	return &Badge{CredentialID: c.CredentialID, Credential: c.DocumentJSONLD,
		Template: badge.Template{Code: cert.Code, Name: cert.Name, Level: cert.Level, ProgramName: s.cfg.ProgramName}}, nil
}
