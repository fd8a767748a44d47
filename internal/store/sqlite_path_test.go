package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

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
