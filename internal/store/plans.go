package store

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Statement is one SQL statement the store ran through its query helpers,
// as sent to the engine (placeholders rebound), with its arguments.
type Statement struct {
	Query string
	Args  []any
}

// recorder receives the statements run while a recording is on.
type recorder struct {
	fn func(Statement)
}

// RecordStatements calls fn with every statement the store runs through
// its query helpers until stop is called, for the test that explains
// the queries of pages and API routes. fn must be safe for concurrent
// use.
func (s *Store) RecordStatements(fn func(Statement)) (stop func()) {
	s.recording.Store(&recorder{fn: fn})
	return func() { s.recording.Store(nil) }
}

// note passes a statement to the recording, if one is on.
func (s *Store) note(q string, args []any) {
	if r := s.recording.Load(); r != nil {
		r.fn(Statement{Query: q, Args: append([]any(nil), args...)})
	}
}

// Plan is how the engine would run a statement.
type Plan struct {
	Lines []string // the engine's plan, one step a line
	// Scans are the tables the plan reads in full: SQLite's "SCAN t";
	// on PostgreSQL, with sequential scans disabled, a Seq Scan or an
	// index scan without an index condition.
	Scans []string
}

var (
	sqliteScan = regexp.MustCompile(`^SCAN (\w+)`)
	// tableRef finds "FROM t a", "JOIN t AS a", "UPDATE t" and "INTO t":
	// SQLite's plan names a table by its alias.
	tableRef = regexp.MustCompile(`(?i)\b(?:from|join|update|into)\s+(\w+)(?:\s+(?:as\s+)?(\w+))?`)
)

// tablesOf maps each table name and alias of a query to its table.
func tablesOf(q string) map[string]string {
	out := map[string]string{}
	for _, m := range tableRef.FindAllStringSubmatch(q, -1) {
		out[m[1]] = m[1]
		if a := m[2]; a != "" && !keyword[strings.ToLower(a)] {
			out[a] = m[1]
		}
	}
	return out
}

// keyword are words that may follow a table name and are no alias.
var keyword = map[string]bool{"where": true, "join": true, "left": true, "inner": true, "on": true, "order": true,
	"group": true, "limit": true, "set": true, "values": true, "using": true, "union": true, "select": true,
	"returning": true, "for": true, "having": true, "cross": true, "natural": true, "as": true}

// Explain returns the plan of a recorded statement without running it
// (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL), in a transaction
// rolled back at the end.
func (s *Store) Explain(ctx context.Context, st Statement) (*Plan, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	if s.engine == Postgres {
		return explainPostgres(ctx, tx, st)
	}
	tables := tablesOf(st.Query)
	rows, err := tx.QueryxContext(ctx, "EXPLAIN QUERY PLAN "+st.Query, st.Args...)
	if err != nil {
		return nil, fmt.Errorf("store: explain %q: %w", st.Query, err)
	}
	defer rows.Close()
	var out Plan
	for rows.Next() {
		var (
			id, parent, unused int
			detail             string
		)
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		out.Lines = append(out.Lines, detail)
		if m := sqliteScan.FindStringSubmatch(detail); m != nil {
			if t, ok := tables[m[1]]; ok {
				out.Scans = append(out.Scans, t)
			}
		}
	}
	return &out, rows.Err()
}

// pgNode is one node of PostgreSQL's JSON plan.
type pgNode struct {
	NodeType  string   `json:"Node Type"`
	Relation  string   `json:"Relation Name"`
	Index     string   `json:"Index Name"`
	IndexCond string   `json:"Index Cond"`
	Filter    string   `json:"Filter"`
	Plans     []pgNode `json:"Plans"`
}

// explainPostgres explains with sequential scans disabled, so that one is
// left only where no index can serve; an index scan without an index
// condition reads the whole table too, unless its index is partial.
func explainPostgres(ctx context.Context, tx *sqlx.Tx, st Statement) (*Plan, error) {
	if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		return nil, err
	}
	var raw string
	if err := tx.QueryRowxContext(ctx, "EXPLAIN (FORMAT JSON) "+st.Query, st.Args...).Scan(&raw); err != nil {
		return nil, fmt.Errorf("store: explain %q: %w", st.Query, err)
	}
	var doc []struct {
		Plan pgNode `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil || len(doc) == 0 {
		return nil, fmt.Errorf("store: explain %q: plan %q: %w", st.Query, raw, err)
	}
	// A partial index holds only the rows of its condition (live holds,
	// unsigned credentials), so reading all of it is no scan of the table.
	var names []string
	if err := tx.SelectContext(ctx, &names, `SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indpred IS NOT NULL`); err != nil {
		return nil, err
	}
	partial := map[string]bool{}
	for _, n := range names {
		partial[n] = true
	}
	var out Plan
	var walk func(n pgNode, depth int)
	walk = func(n pgNode, depth int) {
		line := strings.Repeat("  ", depth) + n.NodeType
		if n.Relation != "" {
			line += " on " + n.Relation
		}
		if n.Index != "" {
			line += " using " + n.Index
		}
		if n.IndexCond != "" {
			line += " (" + n.IndexCond + ")"
		}
		if n.Filter != "" {
			line += " filter " + n.Filter
		}
		out.Lines = append(out.Lines, line)
		switch n.NodeType {
		case "Seq Scan":
			out.Scans = append(out.Scans, n.Relation)
		case "Index Scan", "Index Only Scan":
			if n.IndexCond == "" && !partial[n.Index] {
				out.Scans = append(out.Scans, n.Relation)
			}
		}
		for _, c := range n.Plans {
			walk(c, depth+1)
		}
	}
	walk(doc[0].Plan, 0)
	return &out, nil
}
