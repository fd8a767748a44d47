package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"example.org/certportal/internal/store"
)

// River kinds. Every enqueued job travels as one kind, outboxKind, and is
// dispatched by its own kind inside the args; periodic runs travel as
// periodicKind.
const (
	outboxKind   = "certportal"
	periodicKind = "certportal.periodic"
)

// outboxArgs carry an outbox row into River. Only the outbox ID is part of
// River's unique key, so relaying the same row twice inserts one job.
type outboxArgs struct {
	OutboxID int64           `json:"outbox_id" river:"unique"`
	JobKind  string          `json:"kind"`
	Payload  json.RawMessage `json:"payload"`
}

func (outboxArgs) Kind() string { return outboxKind }

func (outboxArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// periodicArgs name one period of one periodic job: unique, so a period runs
// once however many schedulers (old leader, new leader, restart) insert it.
type periodicArgs struct {
	Name        string    `json:"name" river:"unique"`
	PeriodStart time.Time `json:"period_start" river:"unique"`
}

func (periodicArgs) Kind() string { return periodicKind }

func (periodicArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// queue is what the Runner needs of a River client. *river.Client[*sql.Tx]
// (SQLite) and *river.Client[pgx.Tx] (PostgreSQL) are different types; none
// of these methods mentions the transaction type, so both satisfy it and the
// rest of the package is engine-agnostic.
type queue interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	JobRetry(ctx context.Context, id int64) (*rivertype.JobRow, error)
	PeriodicJobs() *river.PeriodicJobBundle
}

// backend is River on the store's engine.
type backend struct {
	queue
	exec  riverdriver.Executor // engine-agnostic queries (counts)
	close func() error         // releases what the backend opened
}

// newBackend builds a River client for the store's engine.
func newBackend(st *store.Store, rc *river.Config) (*backend, error) {
	switch st.Engine() {
	case store.SQLite:
		db, err := openRiverSQLite(st)
		if err != nil {
			return nil, err
		}
		drv := riversqlite.New(db)
		c, err := river.NewClient(drv, rc)
		if err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("jobs: river client: %w", err)
		}
		return &backend{queue: c, exec: drv.GetExecutor(), close: db.Close}, nil
	case store.Postgres:
		drv := riverpgxv5.New(st.Pool())
		c, err := river.NewClient(drv, rc)
		if err != nil {
			return nil, fmt.Errorf("jobs: river client: %w", err)
		}
		return &backend{queue: c, exec: drv.GetExecutor(), close: func() error { return nil }}, nil
	default:
		return nil, fmt.Errorf("jobs: unknown engine %q", st.Engine())
	}
}

// openRiverSQLite opens River's own pool on the store's file. It has exactly
// one connection: River runs things in parallel that SQLite would answer
// with SQLITE_BUSY, and sharing the store's one-connection writer would
// deadlock when code holding a transaction queries outside it.
func openRiverSQLite(st *store.Store) (*sql.DB, error) {
	db, err := sql.Open("sqlite", store.SQLiteDSN(st.SQLitePath()))
	if err != nil {
		return nil, fmt.Errorf("jobs: open SQLite for River: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// Migrate creates or upgrades River's tables for the store's engine. Call it
// after store.Migrate. On PostgreSQL an advisory lock lets one of several
// starting instances migrate while the others wait.
func Migrate(ctx context.Context, st *store.Store) error {
	switch st.Engine() {
	case store.SQLite:
		db, err := openRiverSQLite(st)
		if err != nil {
			return err
		}
		defer func() { _ = db.Close() }()
		m, err := rivermigrate.New(riversqlite.New(db), nil)
		if err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		return nil
	case store.Postgres:
		conn, err := st.Pool().Acquire(ctx)
		if err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		defer conn.Release()
		// The key includes the schema, so instances of one deployment
		// serialise while test schemas in one database do not.
		const key = `hashtext('certportal.river_migrate.' || current_schema())`
		// Poll rather than block: a blocked pg_advisory_lock would hit the
		// store's lock_timeout while another instance runs a long migration.
		for {
			var locked bool
			if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+key+`)`).Scan(&locked); err != nil {
				return fmt.Errorf("jobs: migrate: lock: %w", err)
			}
			if locked {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("jobs: migrate: waiting for another instance to migrate: %w", ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
		defer func() {
			_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`)
		}()
		m, err := rivermigrate.New(riverpgxv5.New(st.Pool()), nil)
		if err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		return nil
	default:
		return fmt.Errorf("jobs: unknown engine %q", st.Engine())
	}
}

// retryDelay adapts Config.RetryDelay to River.
type retryDelay func(attempt int) time.Duration

func (f retryDelay) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().UTC().Add(f(job.Attempt))
}

// minLevel passes on records at or above a level: River reports every retry
// at info, which the workers already log with more context.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(attrs), h.level}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}
