package store

import "database/sql"

// WithSynchronous lets the durability test open SQLite with another
// synchronous mode.
func WithSynchronous(o Options, mode string) Options {
	o.sqliteSynchronous = mode
	return o
}

// WriteDB is the writers' pool (on SQLite, its one connection), for the
// migration tests that check what a migration leaves on its connection.
func (s *Store) WriteDB() *sql.DB { return s.wdb.DB }
