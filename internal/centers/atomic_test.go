package centers_test

import (
	"context"
	"fmt"
	"testing"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
)

// TestCenterChangesAreAllOrNothing: creating and changing a test center,
// generating its sessions and changing a session's seats each write in
// one transaction: whichever of their writes fails, the change returns the
// failure and leaves nothing of itself; with the failure gone, it
// succeeds.
func TestCenterChangesAreAllOrNothing(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		svc, st := newCenterService(t, engine)
		db := testdb.DB{Engine: engine, Store: st, Clock: nil}
		state := func() string {
			return fmt.Sprintf("seats=%d capacity=%d", db.Count(t, `SELECT COALESCE(SUM(seats), 0) FROM test_centers`),
				db.Count(t, `SELECT COALESCE(SUM(capacity), 0) FROM slots`)) + db.RowCounts(t, "test_centers", "slots", "audit_log")
		}
		w := func(table, op string) testdb.Write { return testdb.Write{Table: table, Op: op} }

		db.AllOrNothing(t, []testdb.Write{w("test_centers", "INSERT"), w("audit_log", "INSERT")}, state, func() error {
			_, err := svc.CreateCenter(ctx, centerAdmin, validCenter())
			return err
		})
		c, err := svc.Centers(ctx, store.CenterFilter{})
		if err != nil || len(c) != 1 {
			t.Fatalf("centers = %v, %v", c, err)
		}
		changed := *c[0]
		changed.Seats, changed.Active = 30, false
		db.AllOrNothing(t, []testdb.Write{w("test_centers", "UPDATE"), w("audit_log", "INSERT")}, state, func() error {
			_, err := svc.UpdateCenter(ctx, centerAdmin, changed)
			return err
		})
		changed.Active = true
		if _, err := svc.UpdateCenter(ctx, centerAdmin, changed); err != nil {
			t.Fatal(err)
		}
		db.AllOrNothing(t, []testdb.Write{w("slots", "INSERT")}, state, func() error {
			_, err := svc.GenerateSlots(ctx)
			return err
		})
		slots, err := st.ListSlots(ctx, store.SlotFilter{CenterID: &c[0].ID, From: st.Clock().Now(), To: st.Clock().Now().AddDate(1, 0, 0)})
		if err != nil || len(slots) == 0 {
			t.Fatalf("slots = %v, %v", slots, err)
		}
		db.AllOrNothing(t, []testdb.Write{w("slots", "UPDATE"), w("audit_log", "INSERT")}, state, func() error {
			return svc.SetCapacity(ctx, centerAdmin, slots[0].ID, 3)
		})
	})
}
