package store_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

var updateSchema = flag.Bool("update-schema", false, "rewrite schema/*.sql from the migrated databases")

// TestSchemaDumpsAreCurrent keeps schema/sqlite.sql and schema/postgres.sql,
// the reviewed picture of what the migrations build, in step with them. Run
// `go test ./internal/store -run SchemaDumps -update-schema` (with
// CERTPORTAL_TEST_POSTGRES_URL set) after adding a migration.
func TestSchemaDumpsAreCurrent(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		s := testutil.MustOpenStore(t, engine, testutil.NewClock(t0))
		got, err := dumpSchema(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("..", "..", "schema", engine+".sql")
		if *updateSchema {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update-schema to create it)", err)
		}
		if string(want) != got {
			t.Fatalf("%s is out of date with the migrations; rerun with -update-schema and review the diff", path)
		}
	})
}

// dumpSchema lists the application's tables, columns and indexes in a stable
// text form. River's tables are left out: River owns them.
func dumpSchema(ctx context.Context, s *store.Store) (string, error) {
	var b strings.Builder
	db := s.DB()
	if s.Engine() == store.SQLite {
		rows, err := db.QueryContext(ctx, `SELECT type, name, sql FROM sqlite_master
			WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'river_%' AND name <> 'goose_db_version'
			ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, name`)
		if err != nil {
			return "", err
		}
		defer rows.Close()
		for rows.Next() {
			var typ, name, sql string
			if err := rows.Scan(&typ, &name, &sql); err != nil {
				return "", err
			}
			fmt.Fprintf(&b, "-- %s %s\n%s;\n\n", typ, name, sql)
		}
		return b.String(), rows.Err()
	}
	rows, err := db.QueryContext(ctx, `SELECT table_name, column_name, data_type, is_nullable, COALESCE(column_default, '')
		FROM information_schema.columns WHERE table_schema = current_schema()
		AND table_name NOT LIKE 'river_%' AND table_name <> 'goose_db_version'
		ORDER BY table_name, ordinal_position`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	table := ""
	for rows.Next() {
		var tbl, col, typ, null, def string
		if err := rows.Scan(&tbl, &col, &typ, &null, &def); err != nil {
			return "", err
		}
		if tbl != table {
			if table != "" {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "-- table %s\n", tbl)
			table = tbl
		}
		line := "  " + col + " " + typ
		if null == "NO" {
			line += " NOT NULL"
		}
		if def != "" {
			line += " DEFAULT " + def
		}
		b.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	idx, err := db.QueryContext(ctx, `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
		AND tablename NOT LIKE 'river_%' AND tablename <> 'goose_db_version' ORDER BY indexname`)
	if err != nil {
		return "", err
	}
	defer idx.Close()
	b.WriteString("\n")
	for idx.Next() {
		var name, def string
		if err := idx.Scan(&name, &def); err != nil {
			return "", err
		}
		// The schema name differs per test run.
		if i := strings.Index(def, " ON "); i >= 0 {
			if j := strings.Index(def[i+4:], "."); j >= 0 && !strings.Contains(def[i+4:i+4+j], " ") {
				def = def[:i+4] + def[i+4+j+1:]
			}
		}
		fmt.Fprintf(&b, "-- index %s\n%s;\n", name, def)
	}
	return b.String(), idx.Err()
}
