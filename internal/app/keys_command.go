package app

import (
	"context"
	"fmt"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/portal"
)

const keysSynopsis = "keys rotate [flags]"

func (m *Main) runKeys(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprintln(m.Stderr, "Usage: certportal "+keysSynopsis)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return m.runKeysRotate(ctx, []string{"-h"})
		}
		return errUsage
	}
	return m.runKeysRotate(ctx, args[1:])
}

// runKeysRotate makes a new credential signing key current. The old key
// is retired, not deleted: the DID document keeps listing it, so the
// credentials it signed keep verifying. Like admin create, it may run
// beside a running server.
func (m *Main) runKeysRotate(ctx context.Context, args []string) error {
	cfg, err := m.loadConfig("keys rotate", keysSynopsis, args, nil)
	if err != nil {
		return err
	}
	log := newLogger(m.Stderr, cfg)
	key, err := loadSecretKey(cfg)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, m.Clock, log, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrated(ctx); err != nil {
		if _, err := migrate(ctx, st); err != nil {
			return err
		}
	}
	svc := credentials.New(st, m.Clock, log, credentials.Config{BaseURL: cfg.BaseURL, SecretKey: key})
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
