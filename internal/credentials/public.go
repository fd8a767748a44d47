package credentials

import (
	"context"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Credential statuses on the public verification page.
const (
	StatusActive     = "active"
	StatusExpired    = "expired"
	StatusRevoked    = "revoked"
	StatusSuspended  = "suspended"
	StatusSuperseded = "superseded"
)

// VerifyLimit is how many verification lookups one address may make a
// minute; more are refused with rate_limited.
var VerifyLimit = struct {
	Max    int
	Window time.Duration
}{60, time.Minute}

// Verification is what anyone may learn of a credential: its status, the
// holder's name, the certification, the dates and the issuer. Never an
// email address, login ID, score or revocation reason.
type Verification struct {
	CredentialID      portal.CredentialID
	Status            string
	StatusSince       *time.Time // when revoked, suspended or superseded
	HolderName        string
	CertificationName string
	CertificationCode string
	ValidFrom         time.Time
	ValidUntil        time.Time
	IssuedOn          string // YYYY-MM-DD in the program's time zone
	ExpiresOn         string // YYYY-MM-DD, the last valid day
	IssuedAt          time.Time
	IssuerName        string
	IssuerDID         string
	IssuerURL         string
	// SupersededBy is the successor of a superseded credential.
	SupersededBy portal.CredentialID
	// Signed reports whether the documents are ready for download.
	Signed bool
}

// Lookup returns the public verification of credential id for a visitor
// from clientIP, counting the lookup against VerifyLimit per address.
// Unknown IDs are portal.ErrNotFound.
func (s *Service) Lookup(ctx context.Context, clientIP string, id portal.CredentialID) (*Verification, error) {
	if err := s.allowLookup(ctx, clientIP); err != nil {
		return nil, err
	}
	var out *Verification
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.FindCredentialByCredentialID(ctx, id)
		if err != nil {
			return err
		}
		uc, err := tx.GetUserCertification(ctx, c.UserCertificationID)
		if err != nil {
			return err
		}
		u, err := tx.GetUser(ctx, uc.UserID)
		if err != nil {
			return err
		}
		cert, err := tx.GetCertification(ctx, uc.CertificationID)
		if err != nil {
			return err
		}
		did, err := DID(s.cfg.BaseURL)
		if err != nil {
			return err
		}
		v := &Verification{CredentialID: c.CredentialID, HolderName: u.FullName(), CertificationName: cert.Name,
			CertificationCode: cert.Code, IssuedOn: uc.IssuedOn, ExpiresOn: uc.ExpiresOn, ValidFrom: uc.IssuedAt.UTC(), ValidUntil: uc.ExpiresAt.UTC(), IssuedAt: c.IssuedAt.UTC(),
			IssuerName: s.cfg.ProgramName, IssuerDID: did, IssuerURL: s.cfg.BaseURL, Signed: c.DocumentJSONLD != ""}
		switch {
		case c.RevokedAt != nil:
			v.Status, v.StatusSince = StatusRevoked, c.RevokedAt
		case c.SupersededAt != nil:
			v.Status, v.StatusSince = StatusSuperseded, c.SupersededAt
			if c.SupersededBy != nil {
				if next, err := tx.GetCredential(ctx, *c.SupersededBy); err == nil {
					v.SupersededBy = next.CredentialID
				}
			}
		case c.SuspendedAt != nil:
			v.Status, v.StatusSince = StatusSuspended, c.SuspendedAt
		case !tx.Now().Before(uc.ExpiresAt):
			v.Status = StatusExpired
		default:
			v.Status = StatusActive
		}
		out = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Forms of a credential document for download.
const (
	FormJSONLD = "json"
	FormJWT    = "jwt"
)

// Document returns a signed form (FormJSONLD or FormJWT) of credential id
// for anyone, counted against VerifyLimit like a lookup. A credential not
// signed yet is portal.ErrNotFound.
func (s *Service) Document(ctx context.Context, clientIP string, id portal.CredentialID, form string) (string, error) {
	if err := s.allowLookup(ctx, clientIP); err != nil {
		return "", err
	}
	c, err := s.st.FindCredentialByCredentialID(ctx, id)
	if err != nil {
		return "", err
	}
	return pick(c, form)
}

// HolderDocument returns a signed form of the current credential of an
// earned certification to its holder; to anyone else, as to an unknown
// certification, portal.ErrNotFound.
func (s *Service) HolderDocument(ctx context.Context, actor portal.Actor, userCertificationID int64, form string) (string, error) {
	var c *portal.Credential
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		uc, err := tx.GetUserCertification(ctx, userCertificationID)
		if err != nil {
			return err
		}
		if !actor.Owns(uc.UserID) {
			return portal.ErrNotFound
		}
		c, err = tx.FindCredentialByUserCertification(ctx, uc.ID, uc.Cycle)
		return err
	})
	if err != nil {
		return "", err
	}
	return pick(c, form)
}

// HolderCredentials returns the holder's current credentials by earned
// certification.
func (s *Service) HolderCredentials(ctx context.Context, actor portal.Actor) (map[int64]*portal.Credential, error) {
	out := map[int64]*portal.Credential{}
	if actor.Subject() == 0 {
		return out, nil
	}
	list, err := s.st.ListCredentialsByUser(ctx, actor.Subject())
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if c.SupersededAt == nil {
			out[c.UserCertificationID] = c
		}
	}
	return out, nil
}

func pick(c *portal.Credential, form string) (string, error) {
	var doc string
	switch form {
	case FormJSONLD:
		doc = c.DocumentJSONLD
	case FormJWT:
		doc = c.DocumentJWT
	}
	if doc == "" {
		return "", portal.ErrNotFound
	}
	return doc, nil
}

// allowLookup counts one lookup of clientIP and refuses it over the
// limit.
func (s *Service) allowLookup(ctx context.Context, clientIP string) error {
	var (
		n     int
		start time.Time
	)
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		n, start, err = tx.HitRateLimit(ctx, "credentials-verify-ip:"+clientIP, VerifyLimit.Window)
		return err
	})
	if err != nil {
		return err
	}
	if n > VerifyLimit.Max {
		secs := max(int(start.Add(VerifyLimit.Window).Sub(s.clock.Now()).Round(time.Second).Seconds()), 1)
		return &portal.Error{Code: portal.ERateLimited, Message: "error.rate_limited", Data: map[string]any{"RetryAfter": secs}}
	}
	return nil
}
