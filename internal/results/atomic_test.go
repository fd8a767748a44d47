package results_test

import (
	"fmt"
	"strings"
	"testing"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
)

// writtenTables are the tables the results operations write.
var writtenTables = []string{"exam_attempts", "user_certifications", "certification_vouchers", "vouchers",
	"result_imports", "due_work", "audit_log", "events", "job_outbox"}

// snapshot describes, as text, everything a results operation may change:
// attempts by state, standing certifications, pending due work and the
// rows of every table the operations write.
func snapshot(t *testing.T, db testdb.DB) string {
	t.Helper()
	var b strings.Builder
	for _, s := range []string{portal.AttemptEntered, portal.AttemptPreliminary, portal.AttemptHeld, portal.AttemptOfficial} {
		fmt.Fprintf(&b, "%s=%d ", s, db.Count(t, `SELECT COUNT(*) FROM exam_attempts WHERE state = ?`, s))
	}
	fmt.Fprintf(&b, "scores=%d withdrawn=%d due=%d applied=%d;",
		db.Count(t, `SELECT COALESCE(SUM(score), 0) FROM exam_attempts`),
		db.Count(t, `SELECT COUNT(*) FROM user_certifications WHERE withdrawn_at IS NOT NULL`),
		db.Count(t, `SELECT COUNT(*) FROM due_work WHERE state = 'pending'`),
		db.Count(t, `SELECT COUNT(*) FROM result_imports WHERE applied_at IS NOT NULL`))
	b.WriteString(db.RowCounts(t, writtenTables...))
	return b.String()
}

// TestResultOperationsAreAllOrNothing: entering, confirming, rejecting,
// holding, releasing, publishing and correcting a result each write in
// one transaction. Whichever of their writes fails, the operation returns
// the failure and leaves no attempt, certification, voucher, scheduled
// publication, mail, event or audit row of itself; with the failure gone,
// it succeeds.
func TestResultOperationsAreAllOrNothing(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		state := func() string { return snapshot(t, f.db) }
		w := func(table, op string) testdb.Write { return testdb.Write{Table: table, Op: op} }
		day := 0
		entered := func() *portal.Attempt {
			day++
			return f.in(t).enter(f.newCandidate(), f.saa, ny(2026, 11, day, 10, 0), 800)
		}
		counted := func() *portal.Attempt {
			day++
			return f.in(t).counted(f.newCandidate(), f.saa, ny(2026, 11, day, 10, 0), 800)
		}

		t.Run("enter", func(t *testing.T) {
			c := f.newCandidate()
			f.db.AllOrNothing(t, []testdb.Write{w("exam_attempts", "INSERT"), w("audit_log", "INSERT")}, state, func() error {
				_, err := f.svc.Enter(f.ctx, f.officer, results.Entry{Candidate: f.loginID(c), ExamCode: f.saa.Code,
					TakenAt: ny(2026, 11, 2, 10, 0), Score: 650})
				return err
			})
		})
		t.Run("confirm", func(t *testing.T) {
			a := entered()
			f.db.AllOrNothing(t, []testdb.Write{w("exam_attempts", "UPDATE"), w("due_work", "INSERT"), w("events", "INSERT"),
				w("job_outbox", "INSERT"), w("audit_log", "INSERT")}, state, func() error {
				_, err := f.svc.Confirm(f.ctx, f.second, a.ID)
				return err
			})
		})
		t.Run("reject", func(t *testing.T) {
			a := entered()
			f.db.AllOrNothing(t, []testdb.Write{w("exam_attempts", "DELETE"), w("audit_log", "INSERT")}, state, func() error {
				return f.svc.Reject(f.ctx, f.second, a.ID, "Wrong candidate")
			})
		})
		t.Run("hold and release", func(t *testing.T) {
			a := counted()
			f.db.AllOrNothing(t, []testdb.Write{w("exam_attempts", "UPDATE"), w("audit_log", "INSERT")}, state, func() error {
				_, err := f.svc.Hold(f.ctx, f.second, a.ID, "Irregularity reported by the proctor")
				return err
			})
			f.db.AllOrNothing(t, []testdb.Write{w("exam_attempts", "UPDATE"), w("audit_log", "INSERT")}, state, func() error {
				_, err := f.svc.Release(f.ctx, f.second, a.ID)
				return err
			})
		})
		t.Run("publish a pass", func(t *testing.T) {
			a := counted()
			f.clock.Set(a.OfficialAt)
			f.db.AllOrNothing(t, []testdb.Write{w("exam_attempts", "UPDATE"), w("due_work", "UPDATE"), w("user_certifications", "INSERT"),
				w("vouchers", "INSERT"), w("certification_vouchers", "INSERT"), w("events", "INSERT"), w("job_outbox", "INSERT"), testdb.QueuedMail},
				state, func() error { return f.svc.Publish(f.ctx, a.ID) })
		})
		t.Run("correct a pass into a fail", func(t *testing.T) {
			day++
			a := f.in(t).published(f.newCandidate(), f.saa, ny(2026, 11, day, 10, 0), 800)
			f.db.AllOrNothing(t, []testdb.Write{w("exam_attempts", "UPDATE"), w("user_certifications", "UPDATE"), w("events", "INSERT"),
				w("audit_log", "INSERT"), w("job_outbox", "INSERT")}, state, func() error {
				_, err := f.svc.Correct(f.ctx, f.admin, a.ID, results.Correction{Score: 650, Reason: "Scoring key error"})
				return err
			})
		})
		f.invariants(t)
	})
}

// TestImportApplyIsAllOrNothing: applying an import records its rows,
// their publications, mails and events and the import's own state in one
// transaction: whichever of these writes fails, no row of the file is
// recorded and the import can be applied again.
func TestImportApplyIsAllOrNothing(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newImportFixture(t, engine)
		ana, ben := f.candidate(), f.candidate()
		st := f.run(portal.ImportCSV, csvHeader+
			ana.LoginID+",,SAA-C03,,"+delivered+",750,true,meets,meets\n"+
			ben.LoginID+",,SAA-C03,,"+delivered+",600,false,needs_improvement,meets\n", false)
		if _, err := f.svc.ApplyImport(f.ctx, f.officer2, st.ID); err != nil {
			t.Fatal(err)
		}
		w := func(table, op string) testdb.Write { return testdb.Write{Table: table, Op: op} }
		f.db.AllOrNothing(t, []testdb.Write{w("exam_attempts", "INSERT"), w("due_work", "INSERT"), w("job_outbox", "INSERT"),
			w("events", "INSERT"), w("result_imports", "UPDATE")},
			func() string { return snapshot(t, f.db) }, func() error { return f.svc.RunImport(f.ctx, st.ID, false) })
		if got := f.status(st.ID); got.State != portal.ImportApplied || got.RowsApplied != 2 {
			t.Fatalf("import = %+v", got.ResultImport)
		}
	})
}
