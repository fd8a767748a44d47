// Package testutil holds test helpers: databases on both engines, a fake
// clock, a real SMTP server, the running application and a browser. It is
// imported by tests only.
package testutil

import (
	"github.com/jmoiron/sqlx"

	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// PostgresURLEnv names the variable that enables the PostgreSQL run.
const PostgresURLEnv = "CERTPORTAL_TEST_POSTGRES_URL"

// CI reports whether the tests run in CI, where the PostgreSQL and browser
// suites are mandatory.
func CI() bool { return os.Getenv("CI") == "true" }

// Engines lists the engines every database test runs on: SQLite always,
// PostgreSQL when CERTPORTAL_TEST_POSTGRES_URL is set. In CI the variable is
// required.
func Engines(tb testing.TB) []string {
	tb.Helper()
	engines := []string{store.SQLite}
	if os.Getenv(PostgresURLEnv) != "" {
		engines = append(engines, store.Postgres)
	} else if CI() {
		tb.Fatalf("CI=true but %s is not set: the PostgreSQL suite is mandatory in CI", PostgresURLEnv)
	}
	return engines
}

// RequirePostgres is for a test that only PostgreSQL can run, such as
// several instances on one database (SQLite serves one by design): without
// CERTPORTAL_TEST_POSTGRES_URL it is skipped with why, or fails with
// CI=true.
func RequirePostgres(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv(PostgresURLEnv) != "" {
		return
	}
	if CI() {
		tb.Fatalf("CI=true but %s is not set: the PostgreSQL suite is mandatory in CI", PostgresURLEnv)
	}
	tb.Skipf("%s need PostgreSQL: set %s", why, PostgresURLEnv)
}

// ForEachEngine runs fn as a subtest per engine.
func ForEachEngine(t *testing.T, fn func(t *testing.T, engine string)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(e, func(t *testing.T) { fn(t, e) })
	}
}

// DatabaseURL returns, for engine, a fresh isolated database: a SQLite file
// path in a temporary directory, or a postgres:// URL whose search_path is a
// new schema dropped when the test ends.
func DatabaseURL(tb testing.TB, engine string) string {
	tb.Helper()
	if engine == store.SQLite {
		return filepath.Join(tb.TempDir(), "certportal.db")
	}
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		tb.Fatalf("%s is not set", PostgresURLEnv)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("PostgreSQL at %s is unreachable: %v", PostgresURLEnv, err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "cpt_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create test schema: %v", err)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			tb.Logf("drop test schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Logf("drop test schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", PostgresURLEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// StoreOptions returns options for a fresh, isolated database on engine.
func StoreOptions(tb testing.TB, engine string, clock portal.Clock) store.Options {
	tb.Helper()
	o := store.Options{Engine: engine, Clock: clock}
	if engine == store.SQLite {
		o.SQLitePath = DatabaseURL(tb, engine)
	} else {
		o.PostgresURL = DatabaseURL(tb, engine)
	}
	return o
}

// MustOpenStore opens a fresh, migrated store on engine, closed when the
// test ends.
func MustOpenStore(tb testing.TB, engine string, clock portal.Clock) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), StoreOptions(tb, engine, clock))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s
}

// Rebind writes query's ? placeholders as engine wants them ($n on
// PostgreSQL), for tests that query the database directly.
func Rebind(engine, query string) string {
	if engine == store.Postgres {
		return sqlx.Rebind(sqlx.DOLLAR, query)
	}
	return query
}
