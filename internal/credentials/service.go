// Package credentials owns what makes an earned certification checkable by
// anyone: its public credential ID, the program's Ed25519 signing keys
// (sealed with the shared keyring, so every instance signs with the same
// key), the program's did:web identity and DID document, the Bitstring
// Status Lists for revocation and suspension, and the key that signs PDF
// documents.
//
// Contract:
//   - Issue runs in the caller's transaction (results publication or a
//     reaction to certification.issued) and takes no actor: the caller has
//     decided. It gives an earned certification's cycle its credential once;
//     calling it again returns the same credential.
//   - RotateKey needs portal.PermCredentialsManage (the system, for the
//     command line, always may); anyone else gets the refusal Authorize
//     gives. It is audited as credentials.key_rotated.
//   - DIDDocument, StatusListCredential and CredentialStatus are public
//     reads for anyone, as is Directory. Lookup, Document and PublicBadge
//     are too, limited per address; an unknown ID is an *UnknownError
//     (portal.ErrNotFound) after the work of a known one.
//   - JoinDirectory and LeaveDirectory are the holder's alone (anyone
//     else gets portal.ErrNotFound, a visitor portal.ErrUnauthorized);
//     each change is audited.
//   - Certificate and ChooseCertificate serve the holder alone
//     (Actor.Owns); anyone else gets portal.ErrNotFound.
//   - SigningKey opens a key's private half for the signing code; it is
//     never shown or logged.
//   - CertificatePDF, ScoreReportPDF, TranscriptPDF and CETranscriptPDF
//     serve the holder
//     alone (Actor.Owns; anyone else gets portal.ErrNotFound) a signed
//     PDF, stored with its document and made again byte for byte when
//     lost (documents.go). CertificateProblem needs
//     portal.PermCredentialsManage.
//   - The document-signing key (RSA, X.509, docs/documents.md) is apart
//     from the credential keys: EnsureDocumentKey, run by the system at
//     start, imports the operator's key or keeps the current one;
//     CurrentDocumentKey and OpenDocumentKey open one for the documents
//     code (generating the self-signed key on first need), never shown or
//     logged; DocumentCertificate needs portal.PermCredentialsManage.
package credentials

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"example.org/certportal/internal/certdoc"
	"example.org/certportal/internal/openbadges"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/sealing"
	"example.org/certportal/internal/store"
)

// StatusListSize is the number of entries of each status list: the
// Bitstring Status List minimum (16 KiB), so one credential hides among
// 131,072.
const StatusListSize = 131072

// Config is what the service needs from the start-up configuration.
type Config struct {
	// BaseURL is the portal's public origin; the program's did:web and
	// every public URL of credentials derive from it.
	BaseURL string
	// SecretKey is the 32-byte key of the shared keyring that seals the
	// signing keys.
	SecretKey []byte
	// ProgramName names the issuer in every credential.
	ProgramName string
	// LogoURL returns the absolute URL of the program's logo, or "" when
	// it has none (the program settings); nil for none.
	LogoURL func(ctx context.Context) (string, error)
	// Kick asks the job relay to forward the outbox now; nil for none.
	Kick func()
	// PaperSize returns the program's default paper size of certificates
	// (portal.PaperA4 or PaperLetter, the program settings); nil for A4.
	PaperSize func(ctx context.Context) (string, error)
	// Languages are the languages certificates are made in, the default
	// first; nil for English alone.
	Languages []string
	// Documents lays out the PDF documents (one per process, so fonts
	// load once); nil when this instance makes none.
	Documents *certdoc.Renderer
	// Logo returns the program's logo as PNG (portal.ErrNotFound when the
	// program has none); nil for no logo on documents.
	Logo func(ctx context.Context) ([]byte, error)
	// TimeZone returns the program's time zone, in which documents give
	// days; nil for UTC.
	TimeZone func(ctx context.Context) (*time.Location, error)
	// CETranscript reads the acting candidate's continuing-education record
	// with names in lang, and the instant of its latest stored change
	// (credits.Service.Transcript); nil when this instance makes no such
	// transcript.
	CETranscript func(ctx context.Context, actor portal.Actor, lang string) (certdoc.CETranscript, time.Time, error)
}

// Service is the credentials service.
type Service struct {
	st    *store.Store
	clock portal.Clock
	log   *slog.Logger
	cfg   Config
	// loader serves the bundled JSON-LD contexts and nothing else.
	loader *openbadges.Loader
	lists  listCache
	// standInID is the credential public lookups read in place of an
	// unknown ID (resolve).
	standInID atomic.Pointer[portal.CredentialID]
	// limits counts public lookups per address (limit.go).
	limits lookupLimiter
}

// New returns the service.
func New(st *store.Store, clock portal.Clock, log *slog.Logger, cfg Config) *Service {
	return &Service{st: st, clock: clock, log: log, cfg: cfg, loader: openbadges.NewLoader()}
}

// sealKeyVersion is the version of Config.SecretKey in the keyring, as in
// accounts.
const sealKeyVersion = 1

func (s *Service) keyring() (*sealing.Keyring, error) {
	return sealing.New(sealKeyVersion, map[byte][]byte{sealKeyVersion: s.cfg.SecretKey})
}
