package program_test

import (
	"bytes"
	"testing"

	"example.org/certportal/internal/program"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
)

// TestSettingsChangesAreAllOrNothing: a change of the program's settings
// or logo and its audit entry are written together: whichever write
// fails, the settings stay as they were; with the failure gone, the
// change succeeds.
func TestSettingsChangesAreAllOrNothing(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		db := testdb.DB{Engine: engine, Store: f.st, Clock: f.clock}
		state := func() string {
			s, err := f.svc.Settings(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return s.SupportEmail + " " + string(s.PaperSize) + " " + s.Logo.ETag + db.RowCounts(t, "app_settings", "audit_log")
		}
		writes := []testdb.Write{{Table: "app_settings", Op: "INSERT"}, {Table: "audit_log", Op: "INSERT"}}
		db.AllOrNothing(t, writes, state, func() error {
			_, err := f.svc.Update(f.ctx, admin, program.Update{SupportEmail: "help@example.org", PaperSize: program.PaperLetter})
			return err
		})
		db.AllOrNothing(t, writes, state, func() error {
			_, err := f.svc.SetLogo(f.ctx, admin, bytes.NewReader(pngImage(t, 64, 32)))
			return err
		})
	})
}
