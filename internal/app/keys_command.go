package app

import (
	"context"
	"fmt"
	"time"

	"example.org/certportal/internal/config"
	"example.org/certportal/internal/pades"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/portal"
)

const (
	keysSynopsis         = "keys rotate|document [flags]"
	keysRotateSynopsis   = "keys rotate [flags]"
	keysDocumentSynopsis = "keys document [flags]"
)

func (m *Main) runKeys(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "rotate":
			return m.runKeysRotate(ctx, args[1:])
		case "document":
			return m.runKeysDocument(ctx, args[1:])
		}
	}
	fmt.Fprintln(m.Stderr, "Usage: certportal "+keysSynopsis)
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		return m.runKeysRotate(ctx, []string{"-h"})
	}
	return errUsage
}

// runKeysRotate makes a new credential signing key current. The old key
// is retired, not deleted: the DID document keeps listing it, so the
// credentials it signed keep verifying. Like admin create, it may run
// beside a running server.
func (m *Main) runKeysRotate(ctx context.Context, args []string) error {
	cfg, err := m.loadConfig("keys rotate", keysRotateSynopsis, args, nil)
	if err != nil {
		return err
	}
	svc, closeStore, err := m.credentialsService(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	k, err := svc.RotateKey(ctx, portal.SystemActor("cli"))
	if err != nil {
		return err
	}
	did, err := credentials.DID(cfg.BaseURL)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "New credentials are now signed with %s.\n", credentials.KeyID(did, k.Number))
	if k.Number > 1 {
		fmt.Fprintf(m.Stdout, "The previous keys stay in %s/.well-known/did.json, so credentials they signed keep verifying.\n", cfg.BaseURL)
	}
	return nil
}

// credentialsService opens the configured database, migrated, for a
// command that may run beside a running server.
func (m *Main) credentialsService(ctx context.Context, cfg *config.Config) (*credentials.Service, func(), error) {
	log := newLogger(m.Stderr, cfg)
	key, err := loadSecretKey(cfg)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, cfg, m.Clock, log, true)
	if err != nil {
		return nil, nil, err
	}
	if err := st.Migrated(ctx); err != nil {
		if _, err := migrate(ctx, st); err != nil {
			st.Close()
			return nil, nil, err
		}
	}
	svc := credentials.New(st, m.Clock, log, credentials.Config{BaseURL: cfg.BaseURL, SecretKey: key, ProgramName: cfg.ProgramName})
	return svc, func() { st.Close() }, nil
}

// runKeysDocument shows the certificate that signs PDF documents. With
// --document-cert and --document-key it first checks and imports them, as
// a start does; without any key yet it generates the self-signed one, so
// that its fingerprint can be published before the first document.
func (m *Main) runKeysDocument(ctx context.Context, args []string) error {
	cfg, err := m.loadConfig("keys document", keysDocumentSynopsis, args, nil)
	if err != nil {
		return err
	}
	op, configured, err := operatorDocumentSigner(cfg, m.Clock.Now())
	if err != nil {
		return err
	}
	svc, closeStore, err := m.credentialsService(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	var operator *pades.Signer
	if configured {
		operator = &op
	}
	if _, err := svc.EnsureDocumentKey(ctx, operator); err != nil {
		return err
	}
	c, err := svc.DocumentCertificate(ctx, portal.SystemActor("cli"))
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Subject:     %s\nIssuer:      %s\nSHA-256:     %s\nValid from:  %s\nValid until: %s\n",
		c.Subject, c.Issuer, c.Fingerprint, c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339))
	if c.Untrusted {
		fmt.Fprintln(m.Stdout, "This certificate is self-signed: PDF readers show its signatures as of unknown origin. Configure --document-cert and --document-key with a certificate from a trusted authority.")
	}
	return nil
}
