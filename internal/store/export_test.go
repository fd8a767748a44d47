package store

import (
	"context"
	"database/sql"
)

// WithSynchronous lets the durability test open SQLite with another
// synchronous mode.
func WithSynchronous(o Options, mode string) Options {
	o.sqliteSynchronous = mode
	return o
}

// WriteDB is the writers' pool (on SQLite, its one connection), for the
// migration tests that check what a migration leaves on its connection.
func (s *Store) WriteDB() *sql.DB { return s.wdb.DB }

// PreparedWrites reports whether the writer has q prepared (SQLite), and
// how many statements it has.
func (s *Store) PreparedWrites(q string) (bool, int) {
	if s.wstmts == nil {
		return false, 0
	}
	s.wstmts.mu.RLock()
	defer s.wstmts.mu.RUnlock()
	_, ok := s.wstmts.m[q]
	return ok, len(s.wstmts.m)
}

// TxPrepared reports whether the transaction runs q prepared.
func (tx *Tx) TxPrepared(q string) bool {
	_, ok := tx.stmts[q]
	return ok
}

// CountEvents is a query of the statement tests.
const CountEvents = `SELECT COUNT(*) FROM events WHERE subject_id = ?`

// CountEventsIn runs CountEvents in the transaction.
func (tx *Tx) CountEventsIn(ctx context.Context, id int64) (int, error) {
	var n int
	err := tx.get(ctx, &n, CountEvents, id)
	return n, err
}

// ReadDB is the read pool (on PostgreSQL, every connection), for the tests
// that look at the schema itself.
func (s *Store) ReadDB() *sql.DB { return s.db.DB }
