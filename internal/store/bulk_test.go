package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// indexDefs lists the definitions of the schema's indexes.
func indexDefs(t *testing.T, st *store.Store) []string {
	t.Helper()
	q := `SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`
	if st.Engine() == store.Postgres {
		q = `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`
	}
	rows, err := st.ReadDB().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func writerCacheSize(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.WriteDB().QueryRowContext(context.Background(), `PRAGMA cache_size`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBulkLoadPutsBackWhatItSetAside: StartBulk drops the secondary
// indexes (unique ones stay) and widens SQLite's writer cache;
// after the load Finish has every index back as it was, the usual cache,
// and the event counter past the events loaded.
func TestBulkLoadPutsBackWhatItSetAside(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
		st := testutil.MustOpenStore(t, engine, testutil.NewClock(now))
		before := indexDefs(t, st)
		if len(before) < 20 {
			t.Fatalf("%d indexes before the load", len(before))
		}
		b, err := st.StartBulk(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range indexDefs(t, st) {
			if !strings.Contains(strings.ToUpper(d), "UNIQUE") {
				t.Errorf("during the load a secondary index stays: %s", d)
			}
		}
		if engine == store.SQLite {
			if got := writerCacheSize(t, st); got != -256<<10 {
				t.Errorf("writer cache during the load = %d, want -262144 (256 MiB)", got)
			}
		}
		var rows [][]any
		for id := int64(1); id <= 300; id++ {
			rows = append(rows, []any{id, string(portal.EventResultPublished), portal.SubjectAttempt, id, "", nil, "{}", now})
		}
		if err := st.BulkInsert(ctx, "events", []string{"id", "type", "subject_kind", "subject_id", "subject_ref", "actor_id", "payload", "created_at"}, rows); err != nil {
			t.Fatal(err)
		}
		if err := b.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		if after := indexDefs(t, st); !slices.Equal(after, before) {
			t.Errorf("indexes after the load differ:\n before %q\n  after %q", before, after)
		}
		if engine == store.SQLite {
			if got := writerCacheSize(t, st); got != -2000 {
				t.Errorf("writer cache after the load = %d, want -2000", got)
			}
		}
		err = st.Transact(ctx, func(tx *store.Tx) error {
			return tx.AppendEvent(portal.EventResultPublished, portal.SubjectAttempt, 301, "", 0, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		if last, err := st.GetLastEventID(ctx); err != nil || last != 301 {
			t.Errorf("the event after the load got id %d (%v), want 301", last, err)
		}
	})
}
