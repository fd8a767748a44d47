package credentials

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Certificate statuses. A revoked, suspended or pending credential has no
// certificate: Certificate refuses it with the reason instead.
const (
	CertificateValid      = "valid"
	CertificateExpired    = "expired"
	CertificateSuperseded = "superseded"
)

// Form fields of the certificate choice.
const (
	FieldPaper    = "paper"
	FieldLanguage = "language"
)

// Refusal messages of Certificate: the certificate page shows them in
// place of a certificate. The revoked ones name the reason category the
// holder was mailed, never the officer's note.
const (
	MsgCertificatePending   = "certificate.refused.pending"
	MsgCertificateSuspended = "certificate.refused.suspended"
	MsgCertificateWithdrawn = "certificate.refused.withdrawn"
	msgCertificateRevoked   = "certificate.refused.revoked."
)

// MsgCertificateRevoked is the refusal message of a credential revoked
// for reason.
func MsgCertificateRevoked(reason string) string { return msgCertificateRevoked + reason }

// Certificate is everything a certificate of one earned certification
// shows, built only from stored data (the status aside, which compares the
// stored expiry with now), so that the printed page and the PDF made from
// it carry the same dates and IDs however often they are made.
type Certificate struct {
	UserCertificationID int64
	// LegalName is the holder's legal name exactly as stored (given and
	// family name joined by one space, as on the credential); it is never
	// re-cased or reordered.
	LegalName         string
	CertificationName string
	CertificationCode string
	// IssuedOn and ExpiresOn are YYYY-MM-DD in the program's time zone;
	// ExpiresOn is the last valid day.
	IssuedOn  string
	ExpiresOn string
	// ExpiredOn is the first day after ExpiresOn, the date of the
	// "Expired on" stamp; "" until then.
	ExpiredOn string
	// IssuedAt is the stored issue instant of the credential; every date
	// and ID of a document made from the certificate derives from it.
	IssuedAt     time.Time
	CredentialID portal.CredentialID
	// VerificationURL is the credential's public page, exactly what the
	// QR code encodes.
	VerificationURL string
	ProgramName     string
	// LogoURL is the program's logo, "" when it has none.
	LogoURL string
	// Paper (portal.PaperA4 or PaperLetter) and Language are the holder's
	// stored choice when Chosen, else the defaults: the program's paper
	// size and the holder's language.
	Paper    string
	Language string
	Chosen   bool
	Status   string
	// SupersededBy is the credential ID of the successor of a superseded
	// certification.
	SupersededBy portal.CredentialID
}

// CertificateChoice is the paper size and language a holder makes a
// certificate in.
type CertificateChoice struct {
	Paper    string
	Language string
}

// Certificate returns the certificate of an earned certification to its
// holder (Actor.Owns); to anyone else, staff included, and for an unknown
// certification, portal.ErrNotFound. A certification without a
// certificate is refused with why: revoked (portal.EGone, the date and the
// reason category the holder was mailed), withdrawn without a credential
// (portal.EGone), suspended (portal.EConflict, until lifted) or not signed
// yet (portal.EConflict, available shortly).
func (s *Service) Certificate(ctx context.Context, actor portal.Actor, userCertificationID int64) (*Certificate, error) {
	var out *Certificate
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		uc, c, err := s.certificateCredential(ctx, tx, actor, userCertificationID, false)
		if err != nil {
			return err
		}
		out, err = s.certificate(ctx, tx, uc, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ChooseCertificate stores the paper size and language of the holder's
// certificate of an earned certification, making its document row the
// first time (with the credential's issue instant) and changing only the
// choice after that. Who may and which certifications have a certificate
// are as for Certificate; a paper size or language not offered is a field
// error.
func (s *Service) ChooseCertificate(ctx context.Context, actor portal.Actor, userCertificationID int64, ch CertificateChoice) (*Certificate, error) {
	var v portal.Validation
	if ch.Paper != portal.PaperA4 && ch.Paper != portal.PaperLetter {
		v.Add(FieldPaper, "certificate.error.paper", nil)
	}
	if !slices.Contains(s.languages(), ch.Language) {
		v.Add(FieldLanguage, "certificate.error.language", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *Certificate
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		// The credential is locked so that a revocation committing
		// meanwhile waits and the choice is never stored for a revoked
		// credential.
		uc, c, err := s.certificateCredential(ctx, tx, actor, userCertificationID, true)
		if err != nil {
			return err
		}
		if _, err := tx.SaveDocument(ctx, portal.Document{Kind: portal.DocumentCertificate, SubjectID: c.ID, UserID: uc.UserID,
			Paper: ch.Paper, Language: ch.Language, IssuedAt: c.IssuedAt}); err != nil {
			return err
		}
		out, err = s.certificate(ctx, tx, uc, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// certificateCredential returns the holder's earned certification and its
// current credential when it may have a certificate, else the refusal;
// lock locks the credential on PostgreSQL.
func (s *Service) certificateCredential(ctx context.Context, tx *store.Tx, actor portal.Actor, ucID int64, lock bool) (*portal.UserCertification, *portal.Credential, error) {
	uc, err := tx.GetUserCertification(ctx, ucID)
	if err != nil {
		return nil, nil, err
	}
	if !actor.Owns(uc.UserID) {
		return nil, nil, portal.ErrNotFound
	}
	c, err := tx.FindCredentialByUserCertification(ctx, uc.ID, uc.Cycle)
	switch {
	case errors.Is(err, portal.ErrNotFound) && uc.WithdrawnAt != nil:
		return nil, nil, &portal.Error{Code: portal.EGone, Message: MsgCertificateWithdrawn, Data: map[string]any{"Date": isoDay(*uc.WithdrawnAt)}}
	case errors.Is(err, portal.ErrNotFound):
		// Issued within the minute by the reaction to the results.
		return nil, nil, &portal.Error{Code: portal.EConflict, Message: MsgCertificatePending}
	case err != nil:
		return nil, nil, err
	}
	if lock {
		if c, err = tx.LockCredential(ctx, c.ID); err != nil {
			return nil, nil, err
		}
	}
	switch {
	case c.RevokedAt != nil:
		return nil, nil, &portal.Error{Code: portal.EGone, Message: MsgCertificateRevoked(c.RevocationReason), Data: map[string]any{"Date": isoDay(*c.RevokedAt)}}
	case c.SuspendedAt != nil:
		return nil, nil, &portal.Error{Code: portal.EConflict, Message: MsgCertificateSuspended, Data: map[string]any{"Date": isoDay(*c.SuspendedAt)}}
	case c.DocumentJSONLD == "":
		return nil, nil, &portal.Error{Code: portal.EConflict, Message: MsgCertificatePending}
	}
	return uc, c, nil
}

// certificate builds the certificate of a credential that may have one.
func (s *Service) certificate(ctx context.Context, tx *store.Tx, uc *portal.UserCertification, c *portal.Credential) (*Certificate, error) {
	u, err := tx.GetUser(ctx, uc.UserID)
	if err != nil {
		return nil, err
	}
	cert, err := tx.GetCertification(ctx, uc.CertificationID)
	if err != nil {
		return nil, err
	}
	out := &Certificate{UserCertificationID: uc.ID, LegalName: u.FullName(), CertificationName: cert.Name, CertificationCode: cert.Code,
		IssuedOn: uc.IssuedOn, ExpiresOn: uc.ExpiresOn, IssuedAt: c.IssuedAt.UTC(), CredentialID: c.CredentialID,
		VerificationURL: s.CredentialURL(c.CredentialID), ProgramName: s.cfg.ProgramName, Status: CertificateValid}
	if s.cfg.LogoURL != nil {
		if out.LogoURL, err = s.cfg.LogoURL(ctx); err != nil {
			return nil, err
		}
	}
	doc, err := tx.FindDocumentBySubject(ctx, portal.DocumentCertificate, c.ID)
	switch {
	case err == nil:
		out.Paper, out.Language, out.Chosen = doc.Paper, doc.Language, true
		out.IssuedAt = doc.IssuedAt.UTC()
	case errors.Is(err, portal.ErrNotFound):
		if out.Paper, err = s.defaultPaper(ctx); err != nil {
			return nil, err
		}
		out.Language = s.holderLanguage(u)
	default:
		return nil, err
	}
	switch {
	case c.SupersededAt != nil:
		// A credential of a cycle a renewal closed (uc holds that
		// cycle's period): its successor is the one to show.
		out.Status = CertificateSuperseded
		if out.SupersededBy, err = successorID(ctx, tx, c); err != nil {
			return nil, err
		}
	case uc.SupersededBy != nil:
		out.Status = CertificateSuperseded
		next, err := tx.GetUserCertification(ctx, *uc.SupersededBy)
		if err != nil {
			return nil, err
		}
		nc, err := tx.FindCredentialByUserCertification(ctx, next.ID, next.Cycle)
		if err != nil && !errors.Is(err, portal.ErrNotFound) {
			return nil, err
		}
		if nc != nil {
			out.SupersededBy = nc.CredentialID
		}
	case !tx.Now().Before(uc.ExpiresAt):
		out.Status = CertificateExpired
		last, err := time.Parse(time.DateOnly, uc.ExpiresOn)
		if err != nil {
			return nil, fmt.Errorf("credentials: expiry day of certification %d: %w", uc.ID, err)
		}
		out.ExpiredOn = last.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	return out, nil
}

// defaultPaper is the program's paper size of certificates, A4 when the
// settings cannot say.
func (s *Service) defaultPaper(ctx context.Context) (string, error) {
	if s.cfg.PaperSize == nil {
		return portal.PaperA4, nil
	}
	p, err := s.cfg.PaperSize(ctx)
	if err != nil {
		return "", err
	}
	if p != portal.PaperLetter {
		return portal.PaperA4, nil
	}
	return p, nil
}

// languages are the languages documents are made in, the default first.
func (s *Service) languages() []string {
	if len(s.cfg.Languages) == 0 {
		return []string{"en"}
	}
	return s.cfg.Languages
}

// isoDay is the UTC day of an instant, as refusal messages give it.
func isoDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }
