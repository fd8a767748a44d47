package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
)

// ErrBackupPostgres explains how to back up a PostgreSQL database.
var ErrBackupPostgres = errors.New("store: certportal does not copy PostgreSQL itself; use pg_dump, which takes a consistent snapshot while the portal runs:\n" +
	"  pg_dump --format=custom --file=certportal.dump \"$CERTPORTAL_DATABASE_URL\"\n" +
	"and restore with pg_restore --clean --if-exists --dbname=URL certportal.dump (see docs/operations.md)")

// Backup writes a consistent copy of the live SQLite database to dest with
// VACUUM INTO, which reads inside one transaction while writers continue.
// dest must not exist. Copying the database file itself is never safe while
// the portal runs.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if s.engine != SQLite {
		return ErrBackupPostgres
	}
	return vacuumInto(ctx, s.db.DB, dest)
}

// BackupFile copies the SQLite database at src to dest like Backup, through
// a connection of its own, so it works while a portal serves src.
func BackupFile(ctx context.Context, src, dest string) error {
	db, err := openPlainSQLite(src)
	if err != nil {
		return err
	}
	defer db.Close()
	return vacuumInto(ctx, db, dest)
}

func vacuumInto(ctx context.Context, db *sql.DB, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("store: backup: %s already exists", dest)
	}
	if err := ensureDir(dest); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return fmt.Errorf("store: backup to %s: %w", dest, err)
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check on a SQLite database file and
// returns nil when it reports ok.
func IntegrityCheck(ctx context.Context, path string) error {
	db, err := openPlainSQLite(path)
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("store: integrity check of %s: %w", path, err)
	}
	if res != "ok" {
		return fmt.Errorf("store: integrity check of %s: %s", path, res)
	}
	return nil
}

// UploadBlobKeysInFile returns the blob keys of the upload rows in the
// SQLite database file at path (a backup copy), in key order.
func UploadBlobKeysInFile(ctx context.Context, path string) ([]string, error) {
	db, err := openPlainSQLite(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT blob_key FROM uploads ORDER BY blob_key`)
	if err != nil {
		return nil, fmt.Errorf("store: list upload blobs of %s: %w", path, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("store: list upload blobs of %s: %w", path, err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// DropUploadInFile deletes the upload row of a blob key from the SQLite
// database file at path (a backup copy whose upload was removed from the
// live database after the copy was taken).
func DropUploadInFile(ctx context.Context, path, key string) error {
	db, err := openPlainSQLite(path)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.ExecContext(ctx, `DELETE FROM uploads WHERE blob_key = ? AND attached_at IS NULL`, key)
	if err != nil {
		return fmt.Errorf("store: drop upload %s from %s: %w", key, path, err)
	}
	if n, err := r.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: the upload of blob %s is attached but its blob is missing (%v)", key, err)
	}
	return nil
}
