package testutil

import (
	"context"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Databases that tests copy from live on the PostgreSQL server for the
// rest of the test process, which has no hook at its end: each is named
// with its creation time, and the next test process drops those older
// than staleTemplateAge, by then long out of use (the suite's timeout is
// 20 minutes). Copies are dropped when their test ends.
const (
	templatePrefix   = "cpt_tpl_"
	copyPrefix       = "cpt_copy_"
	staleTemplateAge = time.Hour
)

// NewPostgresTemplate creates an empty PostgreSQL database, with a schema,
// for a test process to fill once and copy many times (CopyPostgres), and
// returns its URL, whose search_path is that schema. Connections to it
// must be closed before it is copied.
func NewPostgresTemplate(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	base := postgresBase(tb)
	conn := connect(tb, base)
	defer conn.Close(ctx)
	dropStaleTemplates(tb, conn)
	name := templatePrefix + strconv.FormatInt(time.Now().Unix(), 10) + "_" + randomHex(4)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create template database: %v", err)
	}
	u := withDatabase(tb, base, name, "cpt_"+randomHex(6))
	c := connect(tb, u.String())
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+u.Query().Get("search_path")); err != nil {
		tb.Fatalf("create template schema: %v", err)
	}
	return u.String()
}

// CopyPostgres creates a copy of the database templateURL names
// (CREATE DATABASE … TEMPLATE), dropped when the test ends, and returns its
// URL with the template's search_path.
func CopyPostgres(tb testing.TB, templateURL string) string {
	tb.Helper()
	ctx := context.Background()
	base := postgresBase(tb)
	tu, err := url.Parse(templateURL)
	if err != nil {
		tb.Fatal(err)
	}
	name := copyPrefix + strconv.FormatInt(time.Now().Unix(), 10) + "_" + randomHex(6)
	conn := connect(tb, base)
	defer conn.Close(ctx)
	// An autovacuum worker in the template makes PostgreSQL refuse the
	// copy ("being accessed by other users") until it stops; PostgreSQL
	// stops it, so a second try succeeds.
	for try := 1; ; try++ {
		_, err = conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+strings.TrimPrefix(tu.Path, "/"))
		if err == nil {
			break
		}
		if try == 5 {
			tb.Fatalf("copy database %s: %v", tu.Path, err)
		}
		time.Sleep(time.Duration(try) * 200 * time.Millisecond)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			tb.Logf("drop test database %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("drop test database %s: %v", name, err)
		}
	})
	return withDatabase(tb, base, name, tu.Query().Get("search_path")).String()
}

// dropStaleTemplates drops the templates and copies earlier test processes
// left behind.
func dropStaleTemplates(tb testing.TB, conn *pgx.Conn) {
	tb.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'cpt\_tpl\_%' OR datname LIKE 'cpt\_copy\_%'`)
	if err != nil {
		tb.Fatalf("list test databases: %v", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		tb.Fatalf("list test databases: %v", err)
	}
	for _, name := range names {
		created, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(name, templatePrefix), copyPrefix), "_")
		unix, err := strconv.ParseInt(created, 10, 64)
		if err != nil || time.Since(time.Unix(unix, 0)) < staleTemplateAge {
			continue
		}
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("drop stale test database %s: %v", name, err)
		}
	}
}

func postgresBase(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		tb.Fatalf("%s is not set", PostgresURLEnv)
	}
	return base
}

func connect(tb testing.TB, u string) *pgx.Conn {
	tb.Helper()
	conn, err := pgx.Connect(context.Background(), u)
	if err != nil {
		tb.Fatalf("PostgreSQL at %s is unreachable: %v", PostgresURLEnv, err)
	}
	return conn
}

// withDatabase returns base naming database name, with search_path schema.
func withDatabase(tb testing.TB, base, name, schema string) *url.URL {
	tb.Helper()
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", PostgresURLEnv, err)
	}
	u.Path = "/" + name
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u
}
