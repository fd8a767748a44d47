package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"example.org/certportal/internal/openbadges"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// signBatch is how many unsigned credentials one pass signs.
const signBatch = 50

// CredentialURL is the public URL of a credential, its verification page
// and the id of its document.
func (s *Service) CredentialURL(id portal.CredentialID) string {
	return s.cfg.BaseURL + "/credentials/" + string(id)
}

// AchievementURL identifies a certification of the catalogue in the
// documents (the achievement's id).
func (s *Service) AchievementURL(code string) string {
	return s.cfg.BaseURL + "/achievements/" + code
}

// build returns the unsigned Open Badges document of credential c: the
// program as issuer, the certification as achievement, the holder's legal
// name and salted email hash, the certification's issue and expiry
// instants, and the credential's two status entries.
func (s *Service) build(ctx context.Context, tx *store.Tx, c *portal.Credential, logo string) (map[string]any, error) {
	uc, err := tx.GetUserCertification(ctx, c.UserCertificationID)
	if err != nil {
		return nil, err
	}
	if c.Cycle < uc.Cycle {
		// A credential of a cycle a renewal closed (signed late) attests
		// that cycle's period, kept on the renewal.
		r, err := tx.FindRenewalByCycle(ctx, uc.ID, c.Cycle)
		if err != nil {
			return nil, err
		}
		uc.IssuedAt, uc.ExpiresAt = r.OldIssuedAt, r.OldExpiresAt
	}
	u, err := tx.GetUser(ctx, uc.UserID)
	if err != nil {
		return nil, err
	}
	cert, err := tx.GetCertification(ctx, uc.CertificationID)
	if err != nil {
		return nil, err
	}
	did, err := DID(s.cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	status, err := s.CredentialStatus(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	in := openbadges.Issue{
		ID:         s.CredentialURL(c.CredentialID),
		Issuer:     openbadges.Issuer{DID: did, Name: s.cfg.ProgramName, URL: s.cfg.BaseURL, ImageURL: logo},
		ValidFrom:  uc.IssuedAt,
		ValidUntil: uc.ExpiresAt,
		Email:      u.Email,
		Salt:       c.SubjectSalt,
		LegalName:  u.FullName(),
		Achievement: openbadges.AchievementInput{
			ID:          s.AchievementURL(cert.Code),
			Name:        cert.Name,
			Description: achievementDescription(cert),
			Criteria:    criteria(cert),
			Type:        achievementType(cert),
			ImageURL:    logo,
		},
	}
	for _, st := range status {
		var idx int
		if _, err := fmt.Sscan(st.StatusListIndex, &idx); err != nil {
			return nil, err
		}
		in.Status = append(in.Status, openbadges.StatusInput{Purpose: st.StatusPurpose, ListURL: st.StatusListCredential, Index: idx})
	}
	return openbadges.Build(in).Document()
}

func achievementDescription(c *portal.Certification) string {
	if d := strings.TrimSpace(c.Description); d != "" {
		return d
	}
	return c.Name
}

// criteria is the achievement's criteria narrative: how the certification
// is earned.
func criteria(c *portal.Certification) string {
	if len(c.EarnedBy) == 0 {
		return "Earned by passing the program's official certification exam."
	}
	return "Earned by passing the official exam " + strings.Join(c.EarnedBy, " or ") + "."
}

func achievementType(c *portal.Certification) string {
	if c.Microcredential() {
		return openbadges.AchievementMicroCredential
	}
	return openbadges.AchievementCertification
}

// Sign signs the documents of credential id with the key it was issued
// under, unless they are signed already; the first signer's documents
// stay, and with them the holder's mail that the credential is issued
// (once per credential). The data is read in one short transaction, signed outside any,
// and stored in another. Nothing inside a transaction reads through the
// pool, so transactions never wait for a second connection.
func (s *Service) Sign(ctx context.Context, id int64) error {
	var (
		doc  map[string]any
		key  *Key
		c    *portal.Credential
		logo string
	)
	if s.cfg.LogoURL != nil {
		var err error
		if logo, err = s.cfg.LogoURL(ctx); err != nil {
			return err
		}
	}
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if c, err = tx.GetCredential(ctx, id); err != nil {
			return err
		}
		if c.DocumentJSONLD != "" {
			return nil
		}
		if doc, err = s.build(ctx, tx, c, logo); err != nil {
			return err
		}
		key, err = s.SigningKey(ctx, tx, c.SigningKeyID)
		return err
	})
	if err != nil || doc == nil {
		return err
	}
	signer := openbadges.Signer{Key: key.Private, VerificationMethod: key.KeyID}
	signed, err := openbadges.Sign(doc, signer, c.IssuedAt, s.loader)
	if err != nil {
		return fmt.Errorf("credentials: sign credential %s: %w", c.CredentialID, err)
	}
	jwt, err := openbadges.SignJWT(doc, signer, s.loader)
	if err != nil {
		return fmt.Errorf("credentials: sign credential %s as a VC-JWT: %w", c.CredentialID, err)
	}
	jsonld, err := json.Marshal(signed)
	if err != nil {
		return err
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		stored, err := tx.UpdateUnsignedCredentialDocuments(ctx, c.ID, string(jsonld), jwt)
		if err != nil || !stored {
			return err
		}
		// The holder hears of the credential once it can be downloaded and
		// verified; only the signer whose documents stayed mails.
		return s.mailHolder(ctx, tx, c, mailIssued, fmt.Sprintf("mail.credential:%s:%d", mailIssued, c.ID))
	})
}

// SignPending signs every credential whose documents are not signed yet,
// and returns how many it signed. A credential that cannot be signed is
// logged and left for the next pass; the others go on.
func (s *Service) SignPending(ctx context.Context) (int, error) {
	var (
		signed int
		after  int64
		errs   []error
	)
	for {
		list, err := s.st.ListUnsignedCredentials(ctx, after, signBatch)
		if err != nil {
			return signed, err
		}
		for _, c := range list {
			after = c.ID
			if err := s.Sign(ctx, c.ID); err != nil {
				s.log.ErrorContext(ctx, "credentials: signing failed", "credential", string(c.CredentialID), "error", err)
				errs = append(errs, err)
				continue
			}
			signed++
		}
		if len(list) < signBatch {
			if signed > 0 && s.cfg.Kick != nil {
				s.cfg.Kick()
			}
			return signed, errors.Join(errs...)
		}
	}
}
