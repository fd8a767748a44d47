package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrations are embedded, append-only SQL files, one directory per engine
// with the same version numbers in both. Each runs in one transaction and is
// recorded in goose_db_version. Never edit a shipped file: add a new one.
//
//go:embed migrations
var migrationsFS embed.FS

// MigrationsFS returns the migrations of one engine.
func MigrationsFS(engine string) (fs.FS, error) {
	return fs.Sub(migrationsFS, "migrations/"+engine)
}

func (s *Store) provider(ctx context.Context) (*goose.Provider, error) {
	sub, err := MigrationsFS(s.engine)
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.engine == Postgres {
		dialect = goose.DialectPostgres
		// Several instances may start at once: a session-level advisory
		// lock lets exactly one of them migrate while the others wait,
		// polling each second (for five minutes). The key includes the
		// schema, so instances of one deployment serialise while
		// deployments (and test schemas) in one database do not.
		var id int64
		if err := s.wdb.QueryRowContext(ctx, `SELECT hashtext('certportal.migrate.' || current_schema())`).Scan(&id); err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, s.wdb.DB, sub, opts...)
}

// Migrate applies every pending migration and returns how many ran.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	p, err := s.provider(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("store: migrate: %w", err)
	}
	if s.engine == SQLite && len(res) > 0 {
		if _, err := s.wdb.ExecContext(ctx, "ANALYZE"); err != nil {
			return len(res), fmt.Errorf("store: analyze: %w", err)
		}
	}
	return len(res), nil
}

// Migrated reports nil when the schema is at the newest version.
func (s *Store) Migrated(ctx context.Context) error {
	p, err := s.provider(ctx)
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("store: schema version: %w", err)
	}
	if current != target {
		return fmt.Errorf("store: schema at version %d, binary expects %d: run certportal migrate", current, target)
	}
	return nil
}
