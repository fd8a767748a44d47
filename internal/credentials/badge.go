package credentials

import (
	"context"
	"errors"

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
		cert, err := tx.GetCertification(ctx, uc.CertificationID)
		if err != nil {
			return err
		}
		out, err = s.badgeOf(c, cert)
		return err
	})
	return out, err
}

// PublicBadge returns the badge of credential id for anyone, counted
// against VerifyLimit like a lookup; an unknown ID is an *UnknownError
// carrying the stand-in credential's badge, for the surface to draw and
// throw away.
func (s *Service) PublicBadge(ctx context.Context, clientIP string, id portal.CredentialID) (*Badge, error) {
	if err := s.allowLookup(ctx, clientIP); err != nil {
		return nil, err
	}
	out, unknown, err := readPublic(ctx, s, id, func(rec *publicRecord) (*Badge, error) {
		return s.badgeOf(rec.c, rec.cert)
	})
	switch {
	case unknown && (err == nil || errors.Is(err, portal.ErrNotFound)):
		return nil, &UnknownError{Badge: out}
	case err != nil:
		return nil, err
	}
	return out, nil
}

// badgeOf is the badge of a signed credential of cert; a credential not
// signed yet has none (portal.ErrNotFound).
func (s *Service) badgeOf(c *portal.Credential, cert *portal.Certification) (*Badge, error) {
	if c.DocumentJSONLD == "" {
		return nil, portal.ErrNotFound
	}
	return &Badge{CredentialID: c.CredentialID, Credential: c.DocumentJSONLD,
		Template: badge.Template{Code: cert.Code, Name: cert.Name, Level: cert.Level, ProgramName: s.cfg.ProgramName}}, nil
}
