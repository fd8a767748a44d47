package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestWriteStatementsArePrepared: on SQLite a query a transaction runs is
// prepared on the writer after it ends and bound by the transactions after
// it; one run twice in a transaction is prepared there for the rest of it.
// Either way the answers are those of the unprepared query, and events
// written several to a statement keep their order. PostgreSQL keeps its
// own statement cache and prepares nothing here.
func TestWriteStatementsArePrepared(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		st := testutil.MustOpenStore(t, engine, testutil.NewClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)))
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		count := func(wantPrepared bool, times int, id int64) int {
			t.Helper()
			var n int
			err := st.Transact(ctx, func(tx *store.Tx) error {
				for range times {
					var err error
					if n, err = tx.CountEventsIn(ctx, id); err != nil {
						return err
					}
				}
				if got := tx.TxPrepared(store.CountEvents); got != wantPrepared {
					return fmt.Errorf("prepared in the transaction = %v, want %v", got, wantPrepared)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		sqlite := engine == store.SQLite
		// Twice in one transaction: prepared in it from the second run.
		if n := count(sqlite, 2, 7); n != 0 {
			t.Fatalf("count = %d", n)
		}
		if ok, _ := st.PreparedWrites(store.CountEvents); ok != sqlite {
			t.Fatalf("prepared on the writer after the first run = %v, want %v", ok, sqlite)
		}
		// 130 events about subject 7: three INSERTs of at most 64.
		err := st.Transact(ctx, func(tx *store.Tx) error {
			for i := range 130 {
				if err := tx.AppendEvent(portal.EventResultRecorded, portal.SubjectAttempt, 7, fmt.Sprint(i), 0, nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(sqlite, 1, 7); n != 130 {
			t.Fatalf("count = %d, want 130", n)
		}
		events, err := st.ListEvents(ctx, portal.EventFilter{SubjectID: 7, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range events {
			if e.SubjectRef != fmt.Sprint(i) || (i > 0 && e.ID != events[i-1].ID+1) {
				t.Fatalf("event %d = id %d ref %s after id %d", i, e.ID, e.SubjectRef, events[max(i-1, 0)].ID)
			}
		}
		if len(events) != 130 {
			t.Fatalf("%d events", len(events))
		}
	})
}
