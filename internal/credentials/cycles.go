package credentials

import (
	"context"
	"errors"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Statuses of a cycle in a certification's history.
const (
	CycleCurrent    = "current"
	CycleSuperseded = "superseded"
)

// CertificateCycle is one cycle of a renewed certification as its holder's
// history lists it: the cycle's period (for a cycle a renewal closed, the
// old period the renewal kept), the signed credential that attests it, and
// whether that credential is the current one or was superseded by the
// renewal. Each has its certificate (CycleCertificatePDF) and its public
// verification page.
type CertificateCycle struct {
	UserCertificationID int64
	Cycle               int
	// IssuedOn and ExpiresOn are YYYY-MM-DD in the program's time zone.
	IssuedOn, ExpiresOn string
	CredentialID        portal.CredentialID
	Status              string // CycleCurrent or CycleSuperseded
}

// CertificateCycles returns the holder's certifications renewed at least
// once with their cycles, oldest first, by earned certification. A cycle
// is listed with the last credential that attested it, when that
// credential is signed and not revoked (a revoked credential has no
// certificate); the current cycle only with its current credential. A
// certification never renewed has no history and is not in the map. Only
// the holder's own certifications are read.
func (s *Service) CertificateCycles(ctx context.Context, actor portal.Actor) (map[int64][]CertificateCycle, error) {
	out := map[int64][]CertificateCycle{}
	if actor.Subject() == 0 {
		return out, nil
	}
	renewals, err := s.st.ListRenewals(ctx, store.RenewalFilter{UserID: actor.Subject()})
	if err != nil || len(renewals) == 0 {
		return out, err
	}
	certs, err := s.st.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: actor.Subject()})
	if err != nil {
		return nil, err
	}
	creds, err := s.st.ListCredentialsByUser(ctx, actor.Subject())
	if err != nil {
		return nil, err
	}
	type key struct {
		uc    int64
		cycle int
	}
	period := map[key]*portal.Renewal{}
	for _, r := range renewals {
		period[key{r.UserCertificationID, r.Cycle}] = r
	}
	last := map[key]*portal.Credential{} // the last credential of each cycle (credentials come oldest first)
	for _, c := range creds {
		last[key{c.UserCertificationID, c.Cycle}] = c
	}
	for _, uc := range certs {
		if uc.Cycle < 2 {
			continue
		}
		var list []CertificateCycle
		for cycle := 1; cycle <= uc.Cycle; cycle++ {
			c := last[key{uc.ID, cycle}]
			if c == nil || c.RevokedAt != nil || c.DocumentJSONLD == "" {
				continue
			}
			row := CertificateCycle{UserCertificationID: uc.ID, Cycle: cycle, CredentialID: c.CredentialID,
				IssuedOn: uc.IssuedOn, ExpiresOn: uc.ExpiresOn, Status: CycleCurrent}
			if cycle < uc.Cycle {
				r := period[key{uc.ID, cycle}]
				if r == nil || c.SupersededAt == nil {
					continue
				}
				row.IssuedOn, row.ExpiresOn, row.Status = r.OldIssuedOn, r.OldExpiresOn, CycleSuperseded
			} else if c.SupersededAt != nil || c.SuspendedAt != nil {
				continue
			}
			list = append(list, row)
		}
		if len(list) > 0 {
			out[uc.ID] = list
		}
	}
	return out, nil
}

// CycleCertificatePDF returns the signed certificate of one cycle of the
// holder's earned certification. The current cycle's is CertificatePDF's.
// An earlier cycle's is made from the credential that attested it when the
// renewal superseded it: it prints that cycle's period (kept on the
// renewal), never the certification's new one, says "superseded" with the
// successor's credential ID, and is stored and signed at the credential's
// issue instant like every certificate, so each download is the same file.
// To anyone but the holder (staff included), and for a cycle the
// certification has not had, portal.ErrNotFound; a revoked credential is
// refused as for Certificate, one not signed yet is being prepared.
func (s *Service) CycleCertificatePDF(ctx context.Context, actor portal.Actor, userCertificationID int64, cycle int) (*File, error) {
	logo, err := s.logo(ctx)
	if err != nil {
		return nil, err
	}
	return s.serveDocument(ctx, func(tx *store.Tx) (*plan, error) {
		uc, c, err := s.cycleCredential(ctx, tx, actor, userCertificationID, cycle)
		if err != nil {
			return nil, err
		}
		return s.certificatePlan(ctx, tx, uc, c, logo)
	})
}

// cycleCredential returns the holder's earned certification with the
// period of cycle and the credential that attests that cycle, locked on
// PostgreSQL as in CertificatePDF, or the refusal.
func (s *Service) cycleCredential(ctx context.Context, tx *store.Tx, actor portal.Actor, ucID int64, cycle int) (*portal.UserCertification, *portal.Credential, error) {
	uc, err := tx.GetUserCertification(ctx, ucID)
	if err != nil {
		return nil, nil, err
	}
	if !actor.Owns(uc.UserID) || cycle < 1 || cycle > uc.Cycle {
		return nil, nil, portal.ErrNotFound
	}
	if cycle == uc.Cycle {
		return s.certificateCredential(ctx, tx, actor, ucID, true)
	}
	r, err := tx.FindRenewalByCycle(ctx, uc.ID, cycle)
	if err != nil {
		return nil, nil, err
	}
	list, err := tx.ListCredentialsByUserCertification(ctx, uc.ID)
	if err != nil {
		return nil, nil, err
	}
	var c *portal.Credential
	for _, x := range list {
		if x.Cycle == cycle {
			c = x
		}
	}
	if c == nil {
		// The cycle closed before credentials were issued for it.
		return nil, nil, portal.ErrNotFound
	}
	if c, err = tx.LockCredential(ctx, c.ID); err != nil {
		return nil, nil, err
	}
	switch {
	case c.RevokedAt != nil:
		return nil, nil, &portal.Error{Code: portal.EGone, Message: MsgCertificateRevoked(c.RevocationReason), Data: map[string]any{"Date": isoDay(*c.RevokedAt)}}
	case c.DocumentJSONLD == "":
		return nil, nil, &portal.Error{Code: portal.EConflict, Message: MsgCertificatePending}
	}
	closed := *uc
	closed.Cycle = cycle
	closed.IssuedOn, closed.ExpiresOn, closed.IssuedAt, closed.ExpiresAt = r.OldIssuedOn, r.OldExpiresOn, r.OldIssuedAt, r.OldExpiresAt
	return &closed, c, nil
}

// successorID is the credential ID of the credential that superseded c,
// "" when c was not superseded.
func successorID(ctx context.Context, tx *store.Tx, c *portal.Credential) (portal.CredentialID, error) {
	if c.SupersededBy == nil {
		return "", nil
	}
	next, err := tx.GetCredential(ctx, *c.SupersededBy)
	if errors.Is(err, portal.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return next.CredentialID, nil
}
