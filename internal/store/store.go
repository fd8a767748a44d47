// Package store holds all of certportal's SQL. One Store runs the same
// portable queries on SQLite (embedded, one instance) and PostgreSQL (several
// instances sharing a database). Only this package knows there are two
// engines; it never decides authorization.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"

	"example.org/certportal/internal/portal"
)

// Engine names, as in config.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Options say which database to open.
type Options struct {
	Engine           string // SQLite or Postgres
	SQLitePath       string // database file for SQLite
	PostgresURL      string // postgres:// URL; a search_path parameter selects a schema
	Clock            portal.Clock
	Logger           *slog.Logger
	AcceptNonDurable bool // start although commits are not durable (tests of the check only)
	// Shared opens SQLite without the single-instance lock, for short
	// command-line actions (admin create) beside a running server. SQLite's
	// own locking keeps their writes safe on a local disk.
	Shared bool

	// sqliteSynchronous overrides synchronous(FULL); only the durability
	// check's own test sets it.
	sqliteSynchronous string
}

// Store is the database. It is safe for concurrent use.
type Store struct {
	engine string
	db     *sqlx.DB // reads and, on PostgreSQL, writes
	wdb    *sqlx.DB // writes: on SQLite one connection, so writers queue in Go instead of polling the busy handler
	// Prepared statements of the read pool on SQLite (stmtcache.go); nil
	// on PostgreSQL.
	rstmts *stmtCache
	// Prepared statements of the writer on SQLite; nil on PostgreSQL. The
	// writer's one connection belongs to the running transaction, so
	// nothing can prepare beside it: a transaction uses the statements
	// prepared already and notes the others, which are prepared once it
	// has ended (Tx.stmt).
	wstmts *stmtCache
	pool   *pgxpool.Pool
	clock  portal.Clock
	log    *slog.Logger
	unlock func() error
	path   string
	// recording receives every statement while on (RecordStatements).
	recording atomic.Pointer[recorder]
}

// Open connects, checks that commits are durable and returns the Store. It
// does not migrate; call Migrate.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Clock == nil {
		o.Clock = portal.SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{engine: o.Engine, clock: o.Clock, log: o.Logger}
	var err error
	switch o.Engine {
	case SQLite:
		err = s.openSQLite(ctx, o)
	case Postgres:
		err = s.openPostgres(ctx, o)
	default:
		err = fmt.Errorf("store: unknown engine %q", o.Engine)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openPostgres opens one small pgx pool; database/sql, River and the
// sessions share it. A hot row is served best by few connections (see
// docs/benchmarks.md), so the pool stays at pgxpool's default size.
func (s *Store) openPostgres(ctx context.Context, o Options) error {
	cfg, err := pgxpool.ParseConfig(o.PostgresURL)
	if err != nil {
		return fmt.Errorf("store: CERTPORTAL_DATABASE_URL is not a valid PostgreSQL URL: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	if cfg.ConnConfig.RuntimeParams["lock_timeout"] == "" {
		cfg.ConnConfig.RuntimeParams["lock_timeout"] = "5s"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	s.pool = pool
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		return fmt.Errorf("store: PostgreSQL at %s:%d is unreachable: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	db := sqlx.NewDb(stdlib.OpenDBFromPool(pool), "pgx")
	useSnakeCase(db)
	s.db, s.wdb = db, db
	if err := s.checkPostgresDurable(ctx); err != nil && !o.AcceptNonDurable {
		return err
	}
	return nil
}

// checkPostgresDurable refuses a server that may lose acknowledged commits.
func (s *Store) checkPostgresDurable(ctx context.Context) error {
	for _, name := range []string{"fsync", "full_page_writes", "synchronous_commit"} {
		var v string
		if err := s.db.QueryRowContext(ctx, "SHOW "+name).Scan(&v); err != nil {
			return fmt.Errorf("store: read PostgreSQL setting %s: %w", name, err)
		}
		if v != "on" {
			return fmt.Errorf("store: PostgreSQL has %s=%s; certportal needs it on so that acknowledged payments survive a crash (or start with --accept-nondurable)", name, v)
		}
	}
	return nil
}

// Engine is SQLite or Postgres.
func (s *Store) Engine() string { return s.engine }

// Clock is the store's clock.
func (s *Store) Clock() portal.Clock { return s.clock }

// DB is the read pool, for code that must hand a *sql.DB to a library.
func (s *Store) DB() *sql.DB { return s.db.DB }

// Pool is the PostgreSQL pool (nil on SQLite), for River.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// SQLitePath is the database file (empty on PostgreSQL).
func (s *Store) SQLitePath() string { return s.path }

// Ping checks the database is reachable.
func (s *Store) Ping(ctx context.Context) error {
	return s.db.PingContext(ctx)
}

// Close closes every connection and releases the instance lock.
func (s *Store) Close() error {
	var errs []error
	errs = append(errs, s.rstmts.close(), s.wstmts.close())
	if s.wdb != nil && s.wdb != s.db {
		errs = append(errs, s.wdb.Close())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	if s.pool != nil {
		s.pool.Close()
	}
	if s.unlock != nil {
		errs = append(errs, s.unlock())
		s.unlock = nil
	}
	return errors.Join(errs...)
}

// Tx is a write transaction. Its methods run SQL only.
type Tx struct {
	tx     *sqlx.Tx
	now    time.Time
	s      *Store
	events []portal.Event // written just before commit (events.go)
	// stmts are the writer's prepared statements bound to this
	// transaction, by query; misses count the queries it ran unprepared,
	// to prepare when it ends (SQLite only).
	stmts  map[string]*sqlx.Stmt
	misses map[string]int
}

// Now is the time frozen for this transaction: every row it writes carries
// the same instant.
func (tx *Tx) Now() time.Time { return tx.now }

// Engine is SQLite or Postgres.
func (tx *Tx) Engine() string { return tx.s.engine }

// Transact runs fn in one write transaction and commits when fn returns nil.
// It rolls back on error and on panic. Transactions do not nest. On
// PostgreSQL a serialization failure or deadlock is retried with jittered
// backoff, so fn must have no side effects outside the transaction (use the
// outbox for those).
func (s *Store) Transact(ctx context.Context, fn func(*Tx) error) error {
	const attempts = 5
	var err error
	for i := range attempts {
		err = s.transactOnce(ctx, fn)
		if err == nil || !isRetryable(err) || i == attempts-1 {
			return err
		}
		backoff := time.Duration(5<<i)*time.Millisecond + time.Duration(rand.Int64N(int64(5*time.Millisecond)))
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(backoff):
		}
		s.log.DebugContext(ctx, "retrying transaction", "attempt", i+2, "err", err)
	}
	return err
}

func (s *Store) transactOnce(ctx context.Context, fn func(*Tx) error) (err error) {
	sqltx, err := s.wdb.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", translate(err))
	}
	tx := &Tx{tx: sqltx, now: s.clock.Now().UTC(), s: s}
	defer func() {
		if p := recover(); p != nil {
			_ = sqltx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqltx.Rollback()
		}
		// The writer's connection is free again: prepare what the
		// transaction ran unprepared, for the transactions after it.
		for q := range tx.misses {
			s.wstmts.prepare(ctx, q)
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.writeEvents(ctx); err != nil {
		return err
	}
	if err = sqltx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", translate(err))
	}
	return nil
}

// exec, get and sel run a query inside the transaction with ? placeholders
// rebound for the engine, translating driver errors.
func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	q = tx.tx.Rebind(q)
	tx.s.note(q, args)
	if st := tx.stmt(ctx, q); st != nil {
		r, err := st.ExecContext(ctx, args...)
		return r, translate(err)
	}
	r, err := tx.tx.ExecContext(ctx, q, args...)
	return r, translate(err)
}

func (tx *Tx) get(ctx context.Context, dest any, q string, args ...any) error {
	q = tx.tx.Rebind(q)
	tx.s.note(q, args)
	if st := tx.stmt(ctx, q); st != nil {
		return translate(st.GetContext(ctx, dest, args...))
	}
	return translate(tx.tx.GetContext(ctx, dest, q, args...))
}

func (tx *Tx) sel(ctx context.Context, dest any, q string, args ...any) error {
	q = tx.tx.Rebind(q)
	tx.s.note(q, args)
	if st := tx.stmt(ctx, q); st != nil {
		return translate(st.SelectContext(ctx, dest, args...))
	}
	return translate(tx.tx.SelectContext(ctx, dest, q, args...))
}

// maxTxMisses bounds the queries one transaction notes for preparing
// after it: a transaction running many queries built at run time leaves
// the rest unprepared.
const maxTxMisses = 64

// stmt returns the writer's prepared statement of q bound to this
// transaction, or nil on PostgreSQL (pgx keeps its own cache) and when q
// is not prepared yet: it is then noted and prepared after the
// transaction, since the transaction holds the writer's one connection.
// A statement is bound once per transaction and kept for its next runs.
func (tx *Tx) stmt(ctx context.Context, q string) *sqlx.Stmt {
	if tx.s.wstmts == nil {
		return nil
	}
	if st, ok := tx.stmts[q]; ok {
		return st
	}
	if tx.stmts == nil {
		tx.stmts = make(map[string]*sqlx.Stmt)
	}
	if st := tx.s.wstmts.lookup(q); st != nil {
		bound := tx.tx.StmtxContext(ctx, st)
		tx.stmts[q] = bound
		return bound
	}
	if tx.misses == nil {
		tx.misses = make(map[string]int)
	}
	if _, ok := tx.misses[q]; !ok && len(tx.misses) >= maxTxMisses {
		return nil
	}
	tx.misses[q]++
	if tx.misses[q] < 2 {
		return nil
	}
	// Run again in the same transaction (a long one, such as a results
	// import): prepared for the rest of it.
	st, err := tx.tx.PreparexContext(ctx, q)
	if err != nil {
		return nil // run unprepared: the driver reports the error
	}
	tx.stmts[q] = st
	return st
}

// get and sel read outside any transaction, from the read pool.
func (s *Store) get(ctx context.Context, dest any, q string, args ...any) error {
	q = s.db.Rebind(q)
	s.note(q, args)
	if st := s.rstmts.stmt(ctx, q); st != nil {
		return translate(st.GetContext(ctx, dest, args...))
	}
	return translate(s.db.GetContext(ctx, dest, q, args...))
}

func (s *Store) sel(ctx context.Context, dest any, q string, args ...any) error {
	q = s.db.Rebind(q)
	s.note(q, args)
	if st := s.rstmts.stmt(ctx, q); st != nil {
		return translate(st.SelectContext(ctx, dest, args...))
	}
	return translate(s.db.SelectContext(ctx, dest, q, args...))
}

// affected returns ErrNotFound when a conditional update changed no row.
func affected(r sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := r.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return portal.ErrNotFound
	}
	return nil
}

// ensureDir creates the directory holding a SQLite file.
func ensureDir(path string) error {
	return os.MkdirAll(filepath.Dir(path), 0o750)
}
