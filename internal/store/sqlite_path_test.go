package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"example.org/certportal/internal/store"
)

// TestSQLitePathWithURICharacters: a data directory whose name holds #, ?
// or % opens the database in that directory, not a file cut short at the
// first special character.
func TestSQLitePathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a#b?c%d")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), store.Options{Engine: store.SQLite, SQLitePath: filepath.Join(dir, "x.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := os.Stat(filepath.Join(dir, "x.db")); err != nil {
		t.Fatal(err)
	}
}

// TestSQLiteComparesInstantsWhateverTheZone: SQLite compares stored times
// as text, so every time is written in UTC; a time given in another zone
// still compares as the instant it is.
func TestSQLiteComparesInstantsWhateverTheZone(t *testing.T) {
	st, err := store.Open(context.Background(), store.Options{Engine: store.SQLite, SQLitePath: filepath.Join(t.TempDir(), "tz.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db := st.DB()
	if _, err := db.Exec(`CREATE TABLE tz_probe (at TIMESTAMP NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	noon := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	east, west := time.FixedZone("UTC+2", 2*3600), time.FixedZone("UTC-5", -5*3600)
	if _, err := db.Exec(`INSERT INTO tz_probe (at) VALUES (?)`, noon.In(west)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query string
		arg   time.Time
	}{
		{`SELECT COUNT(*) FROM tz_probe WHERE at > ?`, noon.Add(-time.Hour).In(east)},
		{`SELECT COUNT(*) FROM tz_probe WHERE at < ?`, noon.Add(time.Hour).In(west)},
		{`SELECT COUNT(*) FROM tz_probe WHERE at = ?`, noon.In(east)},
	} {
		var n int
		if err := db.QueryRow(tc.query, tc.arg).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%s with %s: %d rows, want 1", tc.query, tc.arg, n)
		}
	}
}
