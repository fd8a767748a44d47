package credentials

import (
	"context"
	"errors"
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
	// Listed reports whether the public directory shows the credential
	// (its holder joined it for the certification and it is valid): only
	// then may search engines index its page.
	Listed bool
}

// UnknownError is the refusal of a public lookup of an ID no credential
// has: portal.ErrNotFound to errors.Is. So that an unknown ID is answered
// in the time of a known one, the lookup reads another credential (the
// oldest) with the same queries and builds the same answer from it, which
// the error carries for the surface to render and throw away as it would
// have rendered the real one. What it carries is never shown.
type UnknownError struct {
	// Verification, Badge and Document hold what Lookup, PublicBadge and
	// Document built from the stand-in credential; nil or empty when there
	// is no credential at all.
	Verification *Verification
	Badge        *Badge
	Document     string
}

func (e *UnknownError) Error() string { return "credentials: no credential has this ID" }

// Unwrap makes the refusal a portal.ErrNotFound.
func (e *UnknownError) Unwrap() error { return portal.ErrNotFound }

// publicRecord is what a public lookup reads of a credential: the
// credential, its earned certification, holder and certification, whether
// the certification is listed in the directory, and its successor.
type publicRecord struct {
	c         *portal.Credential
	uc        *portal.UserCertification
	u         *portal.User
	cert      *portal.Certification
	listed    bool
	successor portal.CredentialID
}

// resolve reads the public record of credential id from the read pool in
// one query, outside any transaction: the page only reads, and a write
// transaction would queue it behind every writer (on SQLite for the one
// writer connection, on both for a commit). For an ID no credential has it
// reads the stand-in credential instead, with the same query, and reports
// unknown; it fails with portal.ErrNotFound only when there is no
// credential at all.
func (s *Service) resolve(ctx context.Context, id portal.CredentialID) (rec *publicRecord, unknown bool, err error) {
	rec, err = s.readPublic(ctx, id)
	if !errors.Is(err, portal.ErrNotFound) {
		return rec, false, err
	}
	stand, err := s.standIn(ctx)
	if err != nil {
		return nil, true, err
	}
	rec, err = s.readPublic(ctx, stand)
	return rec, true, err
}

// standIn returns the public ID read in place of an unknown one: the
// oldest credential's, remembered once found (credentials are never
// deleted).
func (s *Service) standIn(ctx context.Context) (portal.CredentialID, error) {
	if id := s.standInID.Load(); id != nil {
		return *id, nil
	}
	ids, err := s.st.ListOldestCredentialIDs(ctx, 1)
	if err != nil {
		return "", err
	}
	if len(ids) == 0 {
		return "", portal.ErrNotFound
	}
	s.standInID.Store(&ids[0])
	return ids[0], nil
}

func (s *Service) readPublic(ctx context.Context, id portal.CredentialID) (*publicRecord, error) {
	pc, err := s.st.FindPublicCredentialByCredentialID(ctx, id)
	if err != nil {
		return nil, err
	}
	rec := &publicRecord{c: &pc.Credential, uc: &pc.UserCertification, u: &pc.Holder, cert: &pc.Certification, listed: pc.Listed}
	if pc.CycleIssuedOn != nil && pc.CycleExpiresOn != nil && pc.CycleIssuedAt != nil && pc.CycleExpiresAt != nil {
		// A credential of a renewed cycle attests that cycle's period,
		// not the certification's current one.
		uc := pc.UserCertification
		uc.IssuedOn, uc.ExpiresOn, uc.IssuedAt, uc.ExpiresAt = *pc.CycleIssuedOn, *pc.CycleExpiresOn, *pc.CycleIssuedAt, *pc.CycleExpiresAt
		rec.uc = &uc
	}
	if pc.Successor != nil {
		rec.successor = *pc.Successor
	}
	return rec, nil
}

// Lookup returns the public verification of credential id for a visitor
// from clientIP, counting the lookup against VerifyLimit per address.
// Unknown IDs are an *UnknownError. It reads only what the page shows
// (store.FindCredentialVerificationByCredentialID), the stand-in's with
// the same query for an unknown ID.
func (s *Service) Lookup(ctx context.Context, clientIP string, id portal.CredentialID) (*Verification, error) {
	if err := s.allowLookup(ctx, clientIP); err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC()
	unknown := false
	cv, err := s.st.FindCredentialVerificationByCredentialID(ctx, id)
	if errors.Is(err, portal.ErrNotFound) {
		unknown = true
		var stand portal.CredentialID
		if stand, err = s.standIn(ctx); err == nil {
			cv, err = s.st.FindCredentialVerificationByCredentialID(ctx, stand)
		}
	}
	if err != nil {
		return nil, err
	}
	out, err := s.verification(cv, now)
	switch {
	case err != nil:
		return nil, err
	case unknown:
		return nil, &UnknownError{Verification: out}
	}
	return out, nil
}

// readPublic reads what anyone may learn of credential id with read. For
// an unknown ID it reads the stand-in credential (resolve) and reports
// unknown, so both do the same work.
func readPublic[T any](ctx context.Context, s *Service, id portal.CredentialID, read func(*publicRecord) (T, error)) (out T, unknown bool, err error) {
	rec, unknown, err := s.resolve(ctx, id)
	if err != nil {
		return out, unknown, err
	}
	out, err = read(rec)
	return out, unknown, err
}

// verification is what anyone may learn of credential cv at now.
func (s *Service) verification(cv *store.CredentialVerification, now time.Time) (*Verification, error) {
	did, err := DID(s.cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	holder := portal.User{FirstName: cv.HolderFirstName, LastName: cv.HolderLastName}
	v := &Verification{CredentialID: cv.CredentialID, HolderName: holder.FullName(), CertificationName: cv.CertificationName,
		CertificationCode: cv.CertificationCode, IssuedOn: cv.IssuedOn, ExpiresOn: cv.ExpiresOn, ValidFrom: cv.ValidFrom.UTC(),
		ValidUntil: cv.ValidUntil.UTC(), IssuedAt: cv.IssuedAt.UTC(), IssuerName: s.cfg.ProgramName, IssuerDID: did,
		IssuerURL: s.cfg.BaseURL, Signed: cv.Signed}
	if cv.Successor != nil {
		v.SupersededBy = *cv.Successor
	}
	switch {
	case cv.RevokedAt != nil:
		v.Status, v.StatusSince = StatusRevoked, cv.RevokedAt
	case cv.SupersededAt != nil:
		v.Status, v.StatusSince = StatusSuperseded, cv.SupersededAt
	case cv.SuspendedAt != nil:
		v.Status, v.StatusSince = StatusSuspended, cv.SuspendedAt
	case !now.Before(cv.ValidUntil):
		v.Status = StatusExpired
	default:
		v.Status = StatusActive
	}
	// Search engines may index the page only while the directory shows
	// the credential.
	v.Listed = cv.Listed && v.Status == StatusActive && v.Signed && !cv.CertificationWithdrawn && !cv.CertificationRevoked &&
		!cv.CertificationSuspended && !cv.HolderDisabled
	return v, nil
}

// Forms of a credential document for download.
const (
	FormJSONLD = "json"
	FormJWT    = "jwt"
)

// Document returns a signed form (FormJSONLD or FormJWT) of credential id
// for anyone, counted against VerifyLimit like a lookup. A credential not
// signed yet is portal.ErrNotFound, an unknown ID an *UnknownError.
func (s *Service) Document(ctx context.Context, clientIP string, id portal.CredentialID, form string) (string, error) {
	if err := s.allowLookup(ctx, clientIP); err != nil {
		return "", err
	}
	rec, unknown, err := s.resolve(ctx, id)
	if err != nil {
		return "", err
	}
	doc, err := pick(rec.c, form)
	if unknown {
		return "", &UnknownError{Document: doc}
	}
	return doc, err
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
