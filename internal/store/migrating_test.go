package store_test

import (
	"context"
	"testing"

	"github.com/pressly/goose/v3"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// migratedTo opens a fresh store of the engine with its migrations applied
// up to version, and returns it with a provider to move it further. The
// provider runs on the writer's pool: on SQLite one connection, the one a
// migration's pragmas run on.
func migratedTo(t *testing.T, engine string, version int64) (*store.Store, *goose.Provider) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, testutil.StoreOptions(t, engine, testutil.NewClock(t0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	sub, err := store.MigrationsFS(engine)
	if err != nil {
		t.Fatal(err)
	}
	dialect := goose.DialectSQLite3
	if engine == store.Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, s.WriteDB(), sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		t.Fatal(err)
	}
	return s, p
}
