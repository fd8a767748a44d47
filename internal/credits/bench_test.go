package credits_test

import (
	"fmt"
	"testing"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// seedSubmissions inserts n submissions of the candidate, of type typ,
// in state, all submitted at the same instant, straight into the tables.
func (f *fixture) seedSubmissions(c portal.Actor, typ *portal.CEActivityType, state string, n int, at time.Time, completedOn string) {
	f.t.Helper()
	granted := 0
	if state == portal.CEApproved {
		granted = 100
	}
	f.db.Exec(f.t, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO ce_submissions (user_id, type_id, version_id, state, title, completed_on, claimed, granted, target_on,
			submitted_at, decisions, created_at, updated_at)
		SELECT ?, ?, ?, ?, 'Activity ' || i, ?, 100, ?, ?, ?, 1, ?, ?
		FROM n`, n, c.UserID, typ.TypeID, typ.VersionID, state, completedOn, granted, "2027-01-01", at, at, at)
}

// BenchmarkDashboard: the progress of a candidate with 10 certifications
// and 500 approved activities, each counting toward all ten.
func BenchmarkDashboard(b *testing.B) {
	for _, engine := range testutil.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			f := newFixture(b, engine)
			for i := range 9 {
				e := f.db.Exam(b, portal.Exam{Code: fmt.Sprintf("EX%d-C01", i), Name: "Exam", Active: true})
				c := f.db.Certification(b, portal.Certification{Code: fmt.Sprintf("CX%d", i), Name: "Certification", EarnedBy: []string{e.Code}})
				f.db.Earned(b, f.candidate, e, c, time.Date(2025, 6, 1, 15, 0, 0, 0, time.UTC))
			}
			types, err := f.svc.ActivityTypes(f.ctx)
			if err != nil {
				b.Fatal(err)
			}
			for i, t := range types {
				f.seedSubmissions(f.candidate, t, portal.CEApproved, 50, fixtureNow.Add(-time.Duration(i)*time.Hour), "2026-11-01")
			}
			f.db.Exec(b, `INSERT INTO ce_ledger (user_id, user_certification_id, submission_id, type_id, kind, decision, credits, completed_on, created_at)
				SELECT s.user_id, uc.id, s.id, s.type_id, 'credit', 1, s.granted, s.completed_on, s.created_at
				FROM ce_submissions s JOIN user_certifications uc ON uc.user_id = s.user_id WHERE s.user_id = ?`, f.candidate.UserID)
			if n := f.db.Count(b, `SELECT COUNT(*) FROM ce_ledger WHERE user_id = ?`, f.candidate.UserID); n != 5000 {
				b.Fatalf("%d ledger rows", n)
			}
			b.Run("progress", func(b *testing.B) {
				for b.Loop() {
					p, err := f.svc.Progress(f.ctx, f.candidate, "en")
					if err != nil || len(p) != 10 || p[0].Approved != 50000 {
						b.Fatalf("progress = %d certifications, %v", len(p), err)
					}
				}
			})
			benchBare(b, f)
		})
	}
}

// BenchmarkReviewQueue: the first page, a page deep in the queue and a
// filtered page over 100,000 pending submissions.
func BenchmarkReviewQueue(b *testing.B) {
	for _, engine := range testutil.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			f := newFixture(b, engine)
			candidates := f.db.Users(b, testdbUser(), 100)
			types, err := f.svc.ActivityTypes(f.ctx)
			if err != nil {
				b.Fatal(err)
			}
			for i, c := range candidates {
				f.seedSubmissions(c, types[i%len(types)], portal.CEPending, 1000, fixtureNow.Add(-time.Duration(100-i)*time.Hour), "2026-11-01")
			}
			if engine == "postgres" {
				f.db.Exec(b, `ANALYZE ce_submissions`)
			}
			deep, err := f.svc.Queue(f.ctx, f.reviewer, credits.QueueFilter{Limit: 50})
			if err != nil {
				b.Fatal(err)
			}
			// A cursor half way through.
			var mid string
			for range 1000 {
				p, err := f.svc.Queue(f.ctx, f.reviewer, credits.QueueFilter{Limit: 50, Cursor: deep.NextCursor})
				if err != nil {
					b.Fatal(err)
				}
				deep, mid = p, p.NextCursor
			}
			for _, bc := range []struct {
				name string
				f    credits.QueueFilter
			}{
				{"first", credits.QueueFilter{Limit: 50}},
				{"deep", credits.QueueFilter{Limit: 50, Cursor: mid}},
				{"by_type", credits.QueueFilter{Limit: 50, TypeCode: types[3].Code}},
				{"flagged_none", credits.QueueFilter{Limit: 50, Flagged: true}},
			} {
				b.Run(bc.name, func(b *testing.B) {
					for b.Loop() {
						p, err := f.svc.Queue(f.ctx, f.reviewer, bc.f)
						if err != nil || (len(p.Items) != 50 && !bc.f.Flagged) {
							b.Fatalf("page = %d, %v", len(p.Items), err)
						}
					}
				})
			}
			benchBare(b, f)
		})
	}
}

// benchBare is the yardstick the figures are read against: one submission
// read by its key through the store, on the same database.
func benchBare(b *testing.B, f *fixture) {
	var id int64
	if err := f.st.DB().QueryRowContext(f.ctx, `SELECT MIN(id) FROM ce_submissions`).Scan(&id); err != nil {
		b.Fatal(err)
	}
	b.Run("bare", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.st.GetCESubmission(f.ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})
}
