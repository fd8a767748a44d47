package store

import (
	"context"
	"sync"

	"github.com/jmoiron/sqlx"
)

// maxCachedStatements bounds a statement cache. The store's queries are
// constants, a few hundred in all; queries built at run time (lists of
// placeholders) may add more, and past the bound they simply run without
// the cache.
const maxCachedStatements = 1024

// stmtCache keeps one prepared statement per query text on a SQLite
// database. SQLite compiles every statement it runs, and compiling costs
// about as much as running the indexed reads a page issues, so pages that
// read the same few queries again and again spend a third of their time
// there without it. database/sql prepares a cached statement on each
// connection the first time that connection runs it and keeps it there.
//
// PostgreSQL does not use it: pgx already keeps a statement cache per
// connection that, unlike a database/sql statement, is invalidated when a
// migration of another instance changes a table under it.
type stmtCache struct {
	db *sqlx.DB
	mu sync.RWMutex
	m  map[string]*sqlx.Stmt // by rebound query text
}

func newStmtCache(db *sqlx.DB) *stmtCache {
	return &stmtCache{db: db, m: make(map[string]*sqlx.Stmt)}
}

// stmt returns the prepared statement of q (already rebound), preparing it
// once, or nil when the cache is full or the query does not prepare (the
// caller then runs q directly and reports the driver's error).
func (c *stmtCache) stmt(ctx context.Context, q string) *sqlx.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	st, ok := c.m[q]
	c.mu.RUnlock()
	if ok {
		return st
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st
	}
	if len(c.m) >= maxCachedStatements {
		return nil
	}
	// Prepared outside any request's deadline: the statement outlives it.
	st, err := c.db.PreparexContext(context.WithoutCancel(ctx), q)
	if err != nil {
		return nil
	}
	c.m[q] = st
	return st
}

// lookup returns the prepared statement of q, or nil when it is not
// prepared yet; it never prepares.
func (c *stmtCache) lookup(q string) *sqlx.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[q]
}

// prepare prepares q for later lookups, unless it is prepared already or
// the cache is full. Unlike stmt it holds no lock while preparing: on the
// writer, preparing waits for the one connection, which a transaction
// looking statements up may hold.
func (c *stmtCache) prepare(ctx context.Context, q string) {
	if c == nil {
		return
	}
	c.mu.RLock()
	_, ok := c.m[q]
	full := len(c.m) >= maxCachedStatements
	c.mu.RUnlock()
	if ok || full {
		return
	}
	st, err := c.db.PreparexContext(context.WithoutCancel(ctx), q)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[q]; ok || len(c.m) >= maxCachedStatements {
		_ = st.Close()
		return
	}
	c.m[q] = st
}

// close closes every cached statement.
func (c *stmtCache) close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for q, st := range c.m {
		if err := st.Close(); err != nil && first == nil {
			first = err
		}
		delete(c.m, q)
	}
	return first
}
