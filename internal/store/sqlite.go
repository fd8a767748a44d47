package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

func init() {
	sqlx.BindDriver("sqlite", sqlx.QUESTION)
}

// sqliteDSN is the one place SQLite is configured. The order matters:
//   - busy_timeout comes first so that every later pragma, journal_mode
//     included, waits for a lock instead of failing at once;
//   - journal_mode(WAL) lets readers run beside the one writer;
//   - foreign_keys(1) is per connection, so it is in the DSN, not run once;
//   - synchronous(FULL) makes every commit durable across power loss
//     (NORMAL in WAL mode may roll back the last commits; money is involved);
//   - _txlock=immediate takes the write lock at BEGIN, so a transaction
//     that reads then writes never fails with SQLITE_BUSY on upgrade;
//   - _time_format=sqlite stores times as text SQLite's date functions read;
//   - _timezone=UTC writes every time in UTC, because SQLite compares that
//     text as text: a time in another zone would compare wrongly.
func sqliteDSN(path, synchronous string) string {
	if synchronous == "" {
		synchronous = "FULL"
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous("+synchronous+")")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	q.Set("_timezone", "UTC")
	// The path is part of a URI: escape what SQLite's URI parser would read
	// as a query, a fragment or an escape.
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path) + "?" + q.Encode()
}

// SQLiteDSN is the DSN for a SQLite file, for code that needs a connection of
// its own beside the store's (River's single-connection pool, backups).
func SQLiteDSN(path string) string { return sqliteDSN(path, "") }

func (s *Store) openSQLite(ctx context.Context, o Options) error {
	path, err := filepath.Abs(o.SQLitePath)
	if err != nil {
		return fmt.Errorf("store: database path: %w", err)
	}
	s.path = path
	if err := ensureDir(path); err != nil {
		return fmt.Errorf("store: create the data directory: %w", err)
	}
	if err := refuseNetworkFS(filepath.Dir(path)); err != nil {
		return err
	}
	if !o.Shared {
		unlock, err := lockInstance(path + ".lock")
		if err != nil {
			return err
		}
		s.unlock = unlock
	}

	dsn := sqliteDSN(path, o.sqliteSynchronous)
	s.db, err = sqlx.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("store: open SQLite: %w", err)
	}
	s.db.SetMaxOpenConns(4)
	s.wdb, err = sqlx.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("store: open SQLite: %w", err)
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetConnMaxIdleTime(0)
	useSnakeCase(s.db)
	useSnakeCase(s.wdb)
	s.rstmts = newStmtCache(s.db)
	s.wstmts = newStmtCache(s.wdb)
	if err := s.checkSQLiteDurable(ctx); err != nil && !o.AcceptNonDurable {
		return err
	}
	return nil
}

// checkSQLiteDurable refuses to run unless WAL and synchronous=FULL took
// effect on the writer.
func (s *Store) checkSQLiteDurable(ctx context.Context) error {
	var mode string
	if err := s.wdb.GetContext(ctx, &mode, "PRAGMA journal_mode"); err != nil {
		return fmt.Errorf("store: open SQLite %s: %w", s.path, err)
	}
	var sync int
	if err := s.wdb.GetContext(ctx, &sync, "PRAGMA synchronous"); err != nil {
		return fmt.Errorf("store: open SQLite %s: %w", s.path, err)
	}
	if mode != "wal" || sync != 2 {
		return fmt.Errorf("store: SQLite runs with journal_mode=%s synchronous=%d; certportal needs WAL with synchronous=FULL (2) so acknowledged commits survive a power loss (or start with --accept-nondurable)", mode, sync)
	}
	return nil
}

// ErrLocked means another certportal process already serves this SQLite
// database.
var ErrLocked = errors.New("store: another certportal process is already using this data directory; SQLite serves one instance only (use PostgreSQL for several)")

// lockInstance takes an exclusive, non-blocking advisory lock on a file next
// to the database. The kernel releases it when the process exits, however it
// exits.
func lockInstance(path string) (func() error, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (lock %s is held)", ErrLocked, path)
		}
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	return func() error {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return f.Close()
	}, nil
}

// Filesystem magic numbers (statfs f_type) of network filesystems, where
// SQLite's locking is unreliable.
var networkFS = map[int64]string{
	0x6969:     "NFS",
	0x517B:     "SMB",
	0xFF534D42: "CIFS",
	0xFE534D42: "SMB2",
	0x5346414F: "AFS",
	0x00C36400: "CephFS",
	0x01021997: "9P",
	0x73757245: "Coda",
	0x0BD00BD0: "Lustre",
	0x47504653: "GPFS",
}

// NetworkFSName returns the name of the network filesystem with the given
// statfs type, or "" for a local one.
func NetworkFSName(fsType int64) string { return networkFS[fsType] }

func refuseNetworkFS(dir string) error {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return fmt.Errorf("store: inspect the filesystem of %s: %w", dir, err)
	}
	if name := NetworkFSName(int64(st.Type)); name != "" {
		return fmt.Errorf("store: the data directory %s is on a network filesystem (%s); SQLite's locks are unreliable there, so use a local disk or PostgreSQL", dir, name)
	}
	return nil
}

// openPlainSQLite opens a SQLite file without the instance lock, for
// inspecting backups.
func openPlainSQLite(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return db, nil
}
