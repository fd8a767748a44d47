package credentials

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"example.org/certportal/internal/pades"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// GeneratedDocumentKeyBits is the size of a generated document-signing
// key, and GeneratedDocumentKeyValidity how long its self-signed
// certificate is valid after it was made. DocumentKeyExpiryWarning is how
// long before a certificate expires staff are warned.
const (
	GeneratedDocumentKeyBits     = 3072
	GeneratedDocumentKeyValidity = 30 * 365 * 24 * time.Hour
	DocumentKeyExpiryWarning     = 30 * 24 * time.Hour
)

// GeneratedDocumentKeyNotBefore is where the validity of a generated
// certificate starts: a fixed early instant (the first of X.509's UTCTime,
// which every reader parses) rather than the moment it was made, because
// a document is signed at its stored instant, and credentials issued
// before the key existed (the key is made on the first document, or
// imported records) must still be signed inside the certificate's
// validity.
var GeneratedDocumentKeyNotBefore = time.Date(1950, time.January, 1, 0, 0, 0, 0, time.UTC)

// MsgDocumentSigningUnavailable refuses a document that would have to be
// signed with a certificate that has expired or is not yet valid.
const MsgDocumentSigningUnavailable = "documents.signing_unavailable"

// DocumentKey is a document-signing key opened for signing. Its private
// half is never shown or logged.
type DocumentKey struct {
	StoreID     int64
	Source      string
	Fingerprint string
	Signer      pades.Signer
}

// documentKeyAAD binds a sealed document key to its certificate: a sealed
// key copied to another row does not open there.
func documentKeyAAD(fingerprint string) []byte {
	return []byte("certportal/document_key/sha256:" + fingerprint)
}

// Fingerprint is the hex SHA-256 of a DER certificate, as openssl x509
// -fingerprint -sha256 shows it without colons.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

// EnsureDocumentKey makes sure there is a current document-signing key
// and returns it. With operator (the configured certificate and key,
// checked by pades.NewSigner) it becomes the current key unless it is
// already; the previous key is retired, kept for the documents it signed.
// Without operator the current key stays; when there is none, an RSA-3072
// key and a self-signed certificate are generated once: two instances
// starting at once store one and both use it. Called at start by the
// system.
func (s *Service) EnsureDocumentKey(ctx context.Context, operator *pades.Signer) (*portal.DocumentKey, error) {
	actor := portal.SystemActor("start")
	if operator != nil {
		k, err := s.sealDocumentKey(portal.DocumentKeyOperator, *operator)
		if err != nil {
			return nil, err
		}
		return s.storeDocumentKey(ctx, actor, k, true)
	}
	cur, err := s.st.GetCurrentDocumentKey(ctx)
	if err == nil {
		return cur, nil
	}
	if !errors.Is(err, portal.ErrNotFound) {
		return nil, err
	}
	// Generating takes a while: outside the transaction, so that the
	// writer is not held; a losing instance throws its key away.
	gen, err := s.generateDocumentKey()
	if err != nil {
		return nil, err
	}
	k, err := s.sealDocumentKey(portal.DocumentKeyGenerated, gen)
	if err != nil {
		return nil, err
	}
	return s.storeDocumentKey(ctx, actor, k, false)
}

// storeDocumentKey stores k as the current key. replace retires a current
// key with another fingerprint; otherwise an existing current key wins.
func (s *Service) storeDocumentKey(ctx context.Context, actor portal.Actor, k *portal.DocumentKey, replace bool) (*portal.DocumentKey, error) {
	var out *portal.DocumentKey
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.LockCurrentDocumentKey(ctx)
		switch {
		case errors.Is(err, portal.ErrNotFound):
		case err != nil:
			return err
		case cur.Fingerprint == k.Fingerprint || !replace:
			out = cur
			return nil
		default:
			if err := tx.RetireDocumentKey(ctx, cur.ID); err != nil {
				return err
			}
		}
		inserted, err := tx.InsertDocumentKey(ctx, *k)
		if err != nil {
			return err
		}
		if out, err = tx.LockCurrentDocumentKey(ctx); err != nil {
			return err
		}
		if !inserted {
			// Another instance stored its key first (PostgreSQL: after
			// our lock found none). Its key stands when it is the one
			// we meant to store or we only wanted a key at all.
			if replace && out.Fingerprint != k.Fingerprint {
				return fmt.Errorf("credentials: another instance stored document key %s at the same time", out.Fingerprint)
			}
			return nil
		}
		action := "credentials.document_key_generated"
		if k.Source == portal.DocumentKeyOperator {
			action = "credentials.document_key_imported"
		}
		return tx.Audit(ctx, actor, action, fmt.Sprintf("document_key:%d", out.ID), "sha256:"+out.Fingerprint, nil)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) generateDocumentKey() (pades.Signer, error) {
	key, err := rsa.GenerateKey(rand.Reader, GeneratedDocumentKeyBits)
	if err != nil {
		return pades.Signer{}, err
	}
	now := s.clock.Now()
	name := s.cfg.ProgramName
	if name == "" {
		name = "certportal"
	}
	cert, err := pades.SelfSigned(key, name+" documents (self-signed)", GeneratedDocumentKeyNotBefore, now.Add(GeneratedDocumentKeyValidity))
	if err != nil {
		return pades.Signer{}, err
	}
	return pades.Signer{Chain: []*x509.Certificate{cert}, Key: key}, nil
}

// sealDocumentKey seals the private key of sg for storage.
func (s *Service) sealDocumentKey(source string, sg pades.Signer) (*portal.DocumentKey, error) {
	der, err := x509.MarshalPKCS8PrivateKey(sg.Key)
	if err != nil {
		return nil, fmt.Errorf("credentials: document key: %w", err)
	}
	kr, err := s.keyring()
	if err != nil {
		return nil, err
	}
	fp := Fingerprint(sg.Chain[0])
	sealed, err := kr.Seal(der, documentKeyAAD(fp))
	if err != nil {
		return nil, err
	}
	var certs bytes.Buffer
	for _, c := range sg.Chain {
		certs.Write(c.Raw)
	}
	return &portal.DocumentKey{Source: source, Certificates: certs.Bytes(), Fingerprint: fp, Sealed: sealed, NotAfter: sg.Chain[0].NotAfter}, nil
}

// CurrentDocumentKey opens the current document-signing key. Without
// one (no operator key was configured) it generates one on this first
// need, as EnsureDocumentKey does, so that servers and tests that sign
// nothing never pay for an RSA key.
func (s *Service) CurrentDocumentKey(ctx context.Context) (*DocumentKey, error) {
	k, err := s.st.GetCurrentDocumentKey(ctx)
	if errors.Is(err, portal.ErrNotFound) {
		k, err = s.EnsureDocumentKey(ctx, nil)
	}
	if err != nil {
		return nil, err
	}
	return s.openDocumentKey(k)
}

// OpenDocumentKey opens document key id, current or retired, so that a
// document regenerates with the key that first signed it.
func (s *Service) OpenDocumentKey(ctx context.Context, id int64) (*DocumentKey, error) {
	k, err := s.st.GetDocumentKey(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.openDocumentKey(k)
}

func (s *Service) openDocumentKey(k *portal.DocumentKey) (*DocumentKey, error) {
	chain, err := x509.ParseCertificates(k.Certificates)
	if err != nil || len(chain) == 0 {
		return nil, fmt.Errorf("credentials: document key %d: certificates: %v", k.ID, err)
	}
	if Fingerprint(chain[0]) != k.Fingerprint {
		return nil, fmt.Errorf("credentials: document key %d: the certificate does not match its fingerprint", k.ID)
	}
	kr, err := s.keyring()
	if err != nil {
		return nil, err
	}
	der, err := kr.Open(k.Sealed, documentKeyAAD(k.Fingerprint))
	if err != nil {
		return nil, fmt.Errorf("credentials: open document key %d: %w", k.ID, err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("credentials: document key %d: %w", k.ID, err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(chain[0].PublicKey) {
		return nil, fmt.Errorf("credentials: document key %d: the sealed key does not match its certificate", k.ID)
	}
	return &DocumentKey{StoreID: k.ID, Source: k.Source, Fingerprint: k.Fingerprint, Signer: pades.Signer{Chain: chain, Key: key}}, nil
}

// DocumentCertificate describes the current document-signing certificate
// for the console and the command line.
type DocumentCertificate struct {
	Source      string
	Subject     string
	Issuer      string
	Fingerprint string
	NotBefore   time.Time
	NotAfter    time.Time
	// Untrusted is true for a generated, self-signed certificate: PDF
	// readers show its signatures as valid but of unknown origin.
	Untrusted bool
	// Validity is the certificate's state now: DocumentKeyValid,
	// DocumentKeyExpiresSoon (within DocumentKeyExpiryWarning),
	// DocumentKeyExpired or DocumentKeyNotYetValid. No new document is
	// made while it is expired or not yet valid.
	Validity string
}

// The states of a document-signing certificate's validity.
const (
	DocumentKeyValid       = "valid"
	DocumentKeyExpiresSoon = "expires_soon"
	DocumentKeyExpired     = "expired"
	DocumentKeyNotYetValid = "not_yet_valid"
)

// documentKeyValidity is the state of a certificate's validity at now.
func documentKeyValidity(c *x509.Certificate, now time.Time) string {
	switch {
	case now.Before(c.NotBefore):
		return DocumentKeyNotYetValid
	case now.After(c.NotAfter):
		return DocumentKeyExpired
	case now.Add(DocumentKeyExpiryWarning).After(c.NotAfter):
		return DocumentKeyExpiresSoon
	}
	return DocumentKeyValid
}

// signingTime is the time a document of stored instant at claims when key
// signs it. It is at, unless at precedes the certificate's validity (an
// operator's certificate newer than the record): then the start of the
// validity, so that no signature claims a time its certificate does not
// cover. It depends only on stored data (the instant and the key recorded
// with the file), so a lost file is made again with the same time.
func signingTime(key *DocumentKey, at time.Time) time.Time {
	at = at.UTC()
	if nb := key.Signer.Chain[0].NotBefore.UTC(); at.Before(nb) {
		return nb
	}
	return at
}

// checkSigningKey refuses to make a new file with a certificate that is
// not valid now: the holder reads that the document cannot be made yet,
// staff see the console warning and the log says why. A certificate
// expiring within DocumentKeyExpiryWarning is logged (CheckDocumentKey
// warns ahead, too).
func (s *Service) checkSigningKey(ctx context.Context, key *DocumentKey) error {
	c := key.Signer.Chain[0]
	switch documentKeyValidity(c, s.clock.Now()) {
	case DocumentKeyExpired, DocumentKeyNotYetValid:
		s.log.ErrorContext(ctx, "credentials: the document-signing certificate is not valid now; no new document is made until a valid one is configured with --document-cert and --document-key",
			"sha256", key.Fingerprint, "not_before", c.NotBefore.UTC(), "not_after", c.NotAfter.UTC())
		return &portal.Error{Code: portal.EConflict, Message: MsgDocumentSigningUnavailable}
	}
	return nil
}

// CheckDocumentKey logs the state of the current document-signing
// certificate for operators: a warning from DocumentKeyExpiryWarning
// before it expires, an error once it has expired or while it is not yet
// valid (no new document is made then). It returns the state; "" when
// there is no key yet. Run at start and periodically.
func (s *Service) CheckDocumentKey(ctx context.Context) (string, error) {
	c, err := s.DocumentCertificate(ctx, portal.SystemActor("documents.key_expiry"))
	if errors.Is(err, portal.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	attrs := []any{"sha256", c.Fingerprint, "source", c.Source, "not_before", c.NotBefore, "not_after", c.NotAfter}
	switch c.Validity {
	case DocumentKeyExpiresSoon:
		s.log.WarnContext(ctx, "credentials: the document-signing certificate expires soon; configure its renewal with --document-cert and --document-key, or no new document is made from then", attrs...)
	case DocumentKeyExpired:
		s.log.ErrorContext(ctx, "credentials: the document-signing certificate has expired; no new document is made until a valid one is configured with --document-cert and --document-key", attrs...)
	case DocumentKeyNotYetValid:
		s.log.ErrorContext(ctx, "credentials: the document-signing certificate is not valid yet; no new document is made until it is", attrs...)
	}
	return c.Validity, nil
}

// DocumentCertificate returns the current document-signing certificate.
// It needs portal.PermCredentialsManage (the system always may);
// portal.ErrNotFound before there is one, which means a self-signed one
// will be generated on first need.
func (s *Service) DocumentCertificate(ctx context.Context, actor portal.Actor) (*DocumentCertificate, error) {
	if err := actor.Authorize(portal.PermCredentialsManage); err != nil {
		return nil, err
	}
	k, err := s.st.GetCurrentDocumentKey(ctx)
	if err != nil {
		return nil, err
	}
	chain, err := x509.ParseCertificates(k.Certificates)
	if err != nil || len(chain) == 0 {
		return nil, fmt.Errorf("credentials: document key %d: certificates: %v", k.ID, err)
	}
	c := chain[0]
	return &DocumentCertificate{Source: k.Source, Subject: c.Subject.String(), Issuer: c.Issuer.String(), Fingerprint: k.Fingerprint,
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), Untrusted: k.Source == portal.DocumentKeyGenerated,
		Validity: documentKeyValidity(c, s.clock.Now())}, nil
}
