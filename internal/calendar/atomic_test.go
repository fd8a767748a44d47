package calendar_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
)

// TestCalendarChangesAreAllOrNothing: saving the week, adding, removing
// and importing holidays each write the calendar and its audit entry
// together: whichever write fails, the calendar stays as it was; with the
// failure gone, the change succeeds.
func TestCalendarChangesAreAllOrNothing(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		svc, st := newService(t, engine)
		db := testdb.DB{Engine: engine, Store: st}
		state := func() string {
			s, err := svc.Settings(ctx, admin)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(s.TimeZone, s.BusinessDays, s.Holidays) + db.RowCounts(t, "app_settings", "audit_log")
		}
		writes := []testdb.Write{{Table: "app_settings", Op: "INSERT"}, {Table: "audit_log", Op: "INSERT"}}
		for _, c := range []struct {
			name   string
			change func() error
		}{
			{"save", func() error {
				_, err := svc.Save(ctx, admin, "Europe/Madrid", []time.Weekday{time.Monday, time.Tuesday})
				return err
			}},
			{"add", func() error {
				_, err := svc.AddHoliday(ctx, admin, calendar.Holiday{Date: "2026-12-08", Name: "Inmaculada"})
				return err
			}},
			{"import", func() error { _, err := svc.ImportICS(ctx, admin, strings.NewReader(christmasICS)); return err }},
			{"remove", func() error { _, err := svc.RemoveHoliday(ctx, admin, "2026-12-25"); return err }},
		} {
			t.Run(c.name, func(t *testing.T) { db.AllOrNothing(t, writes, state, c.change) })
		}
	})
}
