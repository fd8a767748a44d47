package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/config"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/uploads"
)

func (m *Main) loadConfig(name, synopsis string, args []string, extra func(fs *flag.FlagSet)) (*config.Config, error) {
	fs := m.flagSet(name, synopsis)
	loader := config.Register(fs)
	if extra != nil {
		extra(fs)
	}
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	return loader.Load(m.Getenv)
}

func (m *Main) runMigrate(ctx context.Context, args []string) error {
	cfg, err := m.loadConfig("migrate", "migrate [flags]", args, nil)
	if err != nil {
		return err
	}
	st, err := m.openMigrated(ctx, cfg, newLogger(m.Stderr, cfg))
	if err != nil {
		return err
	}
	return st.Close()
}

// openMigrated opens the configured database for a server or migration
// (taking SQLite's single-instance lock) and applies pending migrations.
func (m *Main) openMigrated(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, error) {
	st, err := openStore(ctx, cfg, m.Clock, log, false)
	if err != nil {
		return nil, err
	}
	n, err := migrate(ctx, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	if n > 0 {
		log.Info("database migrated", "applied", n, "engine", st.Engine())
	}
	fmt.Fprintf(m.Stdout, "database schema is up to date (%d migrations applied now)\n", n)
	return st, nil
}

func (m *Main) runAdmin(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(m.Stderr, "Usage: certportal admin create --email ADDRESS --first-name NAME --last-name NAME [flags]")
			return m.runAdminCreate(ctx, []string{"-h"})
		}
		fmt.Fprintln(m.Stderr, "Usage: certportal admin create --email ADDRESS --first-name NAME --last-name NAME [flags]")
		return errUsage
	}
	return m.runAdminCreate(ctx, args[1:])
}

func (m *Main) runAdminCreate(ctx context.Context, args []string) error {
	var email, first, last, lang *string
	cfg, err := m.loadConfig("admin create", "admin create --email ADDRESS --first-name NAME --last-name NAME [flags]", args, func(fs *flag.FlagSet) {
		email = fs.String("email", "", "the administrator's email address (required)")
		first = fs.String("first-name", "", "first name as on the government ID (required)")
		last = fs.String("last-name", "", "last name as on the government ID (required)")
		lang = fs.String("language", "en", "preferred language")
	})
	if err != nil {
		return err
	}
	log := newLogger(m.Stderr, cfg)
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
	svc := accounts.New(st, m.Clock, log, accounts.NewHasher(m.hashParams(), 1), accounts.Config{
		BaseURL: cfg.BaseURL, ProgramName: cfg.ProgramName, LoginIDPrefix: cfg.LoginIDPrefix,
		SessionIdle: cfg.SessionIdle, SessionLifetime: cfg.SessionLifetime,
	})
	user, link, err := svc.CreateAdmin(ctx, portal.SystemActor("cli"), accounts.AdminCreate{Email: *email, FirstName: *first, LastName: *last, Language: *lang})
	if err != nil {
		var pe *portal.Error
		if errors.As(err, &pe) && len(pe.Fields) > 0 {
			for _, f := range pe.Fields {
				fmt.Fprintf(m.Stderr, "--%s: %s\n", flagName(f.Field), cliMessage(f.Message))
			}
			return errUsage
		}
		return err
	}
	fmt.Fprintf(m.Stdout, "Created administrator %s (%s, login ID %s).\n", user.FullName(), user.Email, user.LoginID)
	fmt.Fprintf(m.Stdout, "Send them this one-time setup link; it expires at %s UTC:\n\n  %s\n\n",
		m.Clock.Now().Add(accounts.AdminSetupTTL).UTC().Format(time.DateTime), link)
	return nil
}

func flagName(field string) string {
	switch field {
	case "first_name":
		return "first-name"
	case "last_name":
		return "last-name"
	}
	return field
}

// cliMessage is the English text of a validation message for the command
// line.
func cliMessage(id string) string {
	switch id {
	case "field.email_required":
		return "an email address is required"
	case "field.invalid_email":
		return "not a valid email address"
	case "field.first_name_required", "field.last_name_required":
		return "required"
	case "field.invalid_name":
		return "use only letters, spaces, apostrophes, hyphens and periods"
	case "field.email_taken":
		return "an account with this email address already exists"
	}
	return id
}

func (m *Main) runBackup(ctx context.Context, args []string) error {
	var out *string
	cfg, err := m.loadConfig("backup", "backup --out FILE [flags]", args, func(fs *flag.FlagSet) {
		out = fs.String("out", "", "file to write the copy to (default: DATA_DIR/backups/certportal-TIMESTAMP.db)")
	})
	if err != nil {
		return err
	}
	if cfg.Engine() == config.EnginePostgres {
		return store.ErrBackupPostgres
	}
	dest := *out
	if dest == "" {
		dest = filepath.Join(cfg.DataDir, "backups", "certportal-"+m.Clock.Now().UTC().Format("20060102T150405Z")+".db")
	}
	// The backup reads through its own connection while a running portal
	// keeps writing; it does not take the instance lock.
	if err := store.BackupFile(ctx, cfg.SQLitePath(), dest); err != nil {
		return err
	}
	if err := store.IntegrityCheck(ctx, dest); err != nil {
		return err
	}
	// The uploaded files named by the copy's rows go beside it.
	blobs := uploads.BackupDir(dest)
	copied, dropped, err := uploads.BackupBlobs(ctx, dest, uploads.BlobDir(cfg.SQLitePath()), blobs)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "wrote a consistent copy of %s to %s (integrity check ok)\n", cfg.SQLitePath(), dest)
	fmt.Fprintf(m.Stdout, "copied %d uploaded files to %s", copied, blobs)
	if dropped > 0 {
		fmt.Fprintf(m.Stdout, " (%d uploads removed after the copy was taken left out)", dropped)
	}
	fmt.Fprintln(m.Stdout)
	return nil
}
