package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// BulkInsert writes rows into table in one transaction, for the
// generator of program-sized databases (internal/loadgen), which writes
// millions of rows with their ids chosen in advance. On PostgreSQL it
// streams them with COPY; on SQLite it runs multi-row INSERTs prepared once
// per batch size through the one writer connection. Constraints and
// foreign keys are checked as for any write. Each value must be of a type
// both drivers take (int, int64, string, bool, []byte, time.Time, nil or a
// pointer to one). Table and column names come from the caller's code,
// never from input.
func (s *Store) BulkInsert(ctx context.Context, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if s.engine == Postgres {
		n, err := s.pool.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("store: copy %d rows into %s: %w", len(rows), table, translate(err))
		}
		if n != int64(len(rows)) {
			return fmt.Errorf("store: copy into %s wrote %d of %d rows", table, n, len(rows))
		}
		return nil
	}
	// SQLite binds at most 32,766 parameters per statement.
	per := max(1, min(256, 32000/len(columns)))
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: bulk insert into %s: %w", table, translate(err))
	}
	defer func() { _ = tx.Rollback() }()
	insert := func(n int) string {
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
		return "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
	}
	full, err := tx.PrepareContext(ctx, insert(per))
	if err != nil {
		return fmt.Errorf("store: bulk insert into %s: %w", table, translate(err))
	}
	defer full.Close()
	args := make([]any, 0, per*len(columns))
	for start := 0; start < len(rows); start += per {
		batch := rows[start:min(start+per, len(rows))]
		args = args[:0]
		for _, r := range batch {
			if len(r) != len(columns) {
				return fmt.Errorf("store: bulk insert into %s: a row of %d values for %d columns", table, len(r), len(columns))
			}
			args = append(args, r...)
		}
		if len(batch) == per {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insert(len(batch)), args...)
		}
		if err != nil {
			return fmt.Errorf("store: bulk insert into %s: %w", table, translate(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: bulk insert into %s: commit: %w", table, translate(err))
	}
	return nil
}

// identityTables are the tables whose id PostgreSQL generates.
var identityTables = []string{"users", "audit_log", "exams", "exam_domains", "test_centers", "slots", "vouchers",
	"payments", "bookings", "refunds", "booking_moves", "exam_attempts", "certifications", "user_certifications",
	"signing_keys", "status_lists", "credentials", "result_imports", "parked_results", "sessions", "user_tokens",
	"backup_codes", "sms_codes", "dev_messages", "due_work", "job_outbox"}

// Bulk is a bulk load in progress (StartBulk): what the store set aside
// to make BulkInsert fast, which Finish puts back.
type Bulk struct {
	s *Store
	// indexes are the definitions of the PostgreSQL indexes dropped for
	// the load, to create again.
	indexes []string
}

// bulkCacheKiB is the page cache of SQLite's writer during a bulk load
// (and its sorter's memory when the indexes are built again), over the
// default 2 MB.
const bulkCacheKiB = 256 << 10

// defaultCacheKiB is SQLite's own default page cache, put back after a
// bulk load.
const defaultCacheKiB = 2000

// StartBulk prepares the store for BulkInsert into an empty database, as
// a restore would: it drops the schema's secondary indexes (neither
// unique nor primary, so every constraint stays checked), which Finish
// creates again from their definitions in one sorted pass over the rows
// instead of row by row, and on SQLite it gives the writer a page cache of
// 256 MiB. A load that fails before Finish leaves a scratch database
// without those indexes: drop it and load again.
func (s *Store) StartBulk(ctx context.Context) (*Bulk, error) {
	b := &Bulk{s: s}
	var idx []struct {
		Name string `db:"name"`
		Def  string `db:"def"`
	}
	q := `SELECT quote_ident(ic.relname) AS name, pg_get_indexdef(i.indexrelid) AS def
		FROM pg_index i
		JOIN pg_class ic ON ic.oid = i.indexrelid
		JOIN pg_class tc ON tc.oid = i.indrelid
		JOIN pg_namespace n ON n.oid = tc.relnamespace
		WHERE n.nspname = current_schema() AND NOT i.indisunique AND NOT i.indisprimary
		ORDER BY ic.relname`
	if s.engine != Postgres {
		if _, err := s.wdb.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, bulkCacheKiB)); err != nil {
			return nil, fmt.Errorf("store: bulk cache: %w", translate(err))
		}
		// Indexes SQLite makes for constraints have no SQL; unique ones
		// check what is written.
		q = `SELECT '"' || name || '"' AS name, sql AS def FROM sqlite_master
			WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name`
	}
	if err := s.wdb.SelectContext(ctx, &idx, q); err != nil {
		return nil, fmt.Errorf("store: bulk: list indexes: %w", translate(err))
	}
	for _, ix := range idx {
		if _, err := s.wdb.ExecContext(ctx, `DROP INDEX `+ix.Name); err != nil {
			return nil, fmt.Errorf("store: bulk: drop index %s: %w", ix.Name, translate(err))
		}
		b.indexes = append(b.indexes, ix.Def)
	}
	return b, nil
}

// Finish makes the database whole again after BulkInsert: the indexes
// StartBulk dropped are created again, SQLite's writer gets its usual page
// cache back, on PostgreSQL each identity sequence continues after the
// largest id written; the event counter continues after the last event on
// both engines; and the planner's statistics are refreshed (ANALYZE) so
// that the first queries after a load plan with the real row counts.
func (b *Bulk) Finish(ctx context.Context) error {
	s := b.s
	if len(b.indexes) > 0 {
		if err := s.createIndexes(ctx, b.indexes); err != nil {
			return fmt.Errorf("store: bulk: create the indexes again: %w", err)
		}
		b.indexes = nil
	}
	if s.engine == Postgres {
		for _, t := range identityTables {
			q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)`, t, t)
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("store: identity of %s: %w", t, translate(err))
			}
		}
	} else if _, err := s.wdb.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, defaultCacheKiB)); err != nil {
		return fmt.Errorf("store: bulk cache: %w", translate(err))
	}
	if _, err := s.wdb.ExecContext(ctx, `UPDATE event_counter SET last_id = (SELECT COALESCE(MAX(id), 0) FROM events)
		WHERE one = 1 AND last_id < (SELECT COALESCE(MAX(id), 0) FROM events)`); err != nil {
		return fmt.Errorf("store: event counter after a bulk load: %w", translate(err))
	}
	if _, err := s.wdb.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("store: analyze: %w", translate(err))
	}
	return nil
}

// createIndexes runs the index definitions defs in one transaction of the
// writer, on PostgreSQL with room to sort each index in memory. The
// statements bypass the statement cache: each runs once.
func (s *Store) createIndexes(ctx context.Context, defs []string) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return translate(err)
	}
	defer func() { _ = tx.Rollback() }()
	if s.engine == Postgres {
		if _, err := tx.ExecContext(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
			return translate(err)
		}
	}
	for _, def := range defs {
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("%s: %w", def, translate(err))
		}
	}
	return translate(tx.Commit())
}

// GetLastEventID is the id of the newest event, 0 for none.
func (s *Store) GetLastEventID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.get(ctx, &id, `SELECT COALESCE(MAX(id), 0) FROM events`); err != nil {
		return 0, fmt.Errorf("store: last event id: %w", err)
	}
	return id, nil
}

// GetLastCredentialID returns the highest credential id, 0 without any.
func (s *Store) GetLastCredentialID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.get(ctx, &id, `SELECT COALESCE(MAX(id), 0) FROM credentials`); err != nil {
		return 0, fmt.Errorf("store: last credential id: %w", err)
	}
	return id, nil
}

// SetSlotTaken sets the seats a slot's live bookings take, for a bulk
// load that wrote the bookings itself.
func (tx *Tx) SetSlotTaken(ctx context.Context, slotID int64, taken int) error {
	return affected(tx.exec(ctx, `UPDATE slots SET taken = ? WHERE id = ?`, taken, slotID))
}
