package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"example.org/certportal/internal/config"
	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/pades"
	"example.org/certportal/internal/portal"
)

// operatorDocumentSigner reads and checks the operator's document-signing
// certificate chain and key; configured is false when none is set. Every
// refusal names the flag and says why, so that a start with a bad file
// stops before anything is served.
func operatorDocumentSigner(cfg *config.Config, now time.Time) (s pades.Signer, configured bool, err error) {
	if cfg.DocumentCert == "" {
		return pades.Signer{}, false, nil
	}
	const certFlag = "config: --document-cert ($CERTPORTAL_DOCUMENT_CERT)"
	const keyFlag = "config: --document-key ($CERTPORTAL_DOCUMENT_KEY)"
	certPEM, err := os.ReadFile(cfg.DocumentCert)
	if err != nil {
		return pades.Signer{}, true, fmt.Errorf("%s: cannot read %s: %v", certFlag, cfg.DocumentCert, errors.Unwrap(err))
	}
	chain, err := pades.ParseChain(certPEM)
	if err != nil {
		return pades.Signer{}, true, fmt.Errorf("%s: %s: %w", certFlag, cfg.DocumentCert, err)
	}
	keyPEM, err := os.ReadFile(cfg.DocumentKey)
	if err != nil {
		return pades.Signer{}, true, fmt.Errorf("%s: cannot read %s: %v", keyFlag, cfg.DocumentKey, errors.Unwrap(err))
	}
	key, err := pades.ParsePrivateKey(keyPEM, []byte(cfg.DocumentKeyPassword))
	if errors.Is(err, pades.ErrWrongPassword) {
		return pades.Signer{}, true, fmt.Errorf("%s: %s: %w: --document-key-password ($CERTPORTAL_DOCUMENT_KEY_PASSWORD) does not open it", keyFlag, cfg.DocumentKey, err)
	}
	if err != nil {
		return pades.Signer{}, true, fmt.Errorf("%s: %s: %w", keyFlag, cfg.DocumentKey, err)
	}
	s, err = pades.NewSigner(chain, key, now)
	if err != nil {
		return pades.Signer{}, true, fmt.Errorf("config: --document-cert and --document-key: %w", err)
	}
	return s, true, nil
}

// startDocumentKey imports the operator's document-signing key when one
// is configured, and says in the log when documents are, or will be,
// signed with a self-signed certificate.
func startDocumentKey(ctx context.Context, creds *credentials.Service, op pades.Signer, configured bool, log *slog.Logger) error {
	if configured {
		k, err := creds.EnsureDocumentKey(ctx, &op)
		if err != nil {
			return fmt.Errorf("document-signing key: %w", err)
		}
		log.InfoContext(ctx, "documents are signed with the operator's certificate",
			"subject", op.Chain[0].Subject.String(), "sha256", k.Fingerprint, "not_after", op.Chain[0].NotAfter.UTC())
		return nil
	}
	c, err := creds.DocumentCertificate(ctx, portal.SystemActor("start"))
	if err != nil && !errors.Is(err, portal.ErrNotFound) {
		return fmt.Errorf("document-signing key: %w", err)
	}
	if err != nil || c.Untrusted {
		log.WarnContext(ctx, "documents are signed with a self-signed certificate that PDF readers do not trust; configure --document-cert and --document-key")
	}
	return nil
}
