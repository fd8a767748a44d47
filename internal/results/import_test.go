package results_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
)

// importNow is the fake clock's start: Tuesday 2026-12-01, 12:00 UTC.
var importNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// importFixture is a results service over a fresh store on one engine,
// with two results officers, a scheduler, candidates, and an exam with
// two domains (passing score 720).
type importFixture struct {
	t        testing.TB
	ctx      context.Context
	st       *store.Store
	clock    *testutil.Clock
	svc      *results.Service
	officer  portal.Actor
	officer2 portal.Actor
	db       testdb.DB
	exam     *portal.Exam
	other    *portal.Exam
}

func newImportFixture(t testing.TB, engine string) *importFixture {
	t.Helper()
	db := testdb.Open(t, engine, importNow)
	f := &importFixture{t: t, ctx: context.Background(), db: db, st: db.Store, clock: db.Clock}
	cal := calendar.NewService(f.st)
	f.svc = results.New(f.st, f.clock, slog.New(slog.DiscardHandler), results.Config{
		Calendar: func(ctx context.Context) (results.Calendar, error) { return cal.Calendar(ctx) },
	})
	f.officer = f.staff(portal.SetResultsOfficer)
	f.officer2 = f.staff(portal.SetResultsOfficer)
	f.exam = f.createExam("SAA-C03", 720)
	f.other = f.createExam("DVA-C02", 700)
	return f
}

func (f *importFixture) createExam(code string, passing int) *portal.Exam {
	f.t.Helper()
	return f.db.Exam(f.t, portal.Exam{Code: code, Name: "Exam " + code, PassingScore: passing, RetakeWaitDays: 14,
		MaxReschedules: 2, ResultsDelayDays: 5, Active: true,
		Domains: []portal.ExamDomain{{Name: "Design", WeightPercent: 30}, {Name: "Security", WeightPercent: 70}}})
}

// user creates an account (email "" for a generated one); verified sets
// its email verified.
func (f *importFixture) user(role portal.Role, email string, verified bool) *portal.User {
	f.t.Helper()
	a := f.db.Users(f.t, testdb.User{Role: role, Email: email, Unverified: !verified}, 1)[0]
	return f.db.User(f.t, a)
}

func (f *importFixture) candidate() *portal.User { return f.user(portal.RoleCandidate, "", true) }

func (f *importFixture) staff(sets ...portal.PermissionSet) portal.Actor {
	u := f.user(portal.RoleStaff, "", true)
	return testutil.StaffActor(u.ID, importNow, sets...)
}

// booking creates a confirmed online booking of the exam for the
// candidate, starting at start.
func (f *importFixture) booking(u *portal.User, e *portal.Exam, ref string, start time.Time) {
	f.t.Helper()
	f.db.ConfirmedBooking(f.t, portal.Actor{UserID: u.ID, Role: u.Role}, e, start, ref)
}

// run uploads a file as the officer and runs the import's job as the
// job runner would; it returns the import's status.
func (f *importFixture) run(format, body string, apply bool) *results.ImportStatus {
	f.t.Helper()
	imp, err := f.svc.StartImport(f.ctx, f.officer, results.ImportUpload{FileName: "results." + format, Format: format,
		Body: strings.NewReader(body), Apply: apply})
	if err != nil {
		f.t.Fatalf("StartImport: %v", err)
	}
	if err := f.svc.RunImport(f.ctx, imp.ID, apply); err != nil {
		f.t.Fatalf("RunImport: %v", err)
	}
	return f.status(imp.ID)
}

func (f *importFixture) status(id int64) *results.ImportStatus {
	f.t.Helper()
	st, err := f.svc.ImportStatus(f.ctx, f.officer, id)
	if err != nil {
		f.t.Fatalf("ImportStatus: %v", err)
	}
	return st
}

// apply applies a checked import and runs the job.
func (f *importFixture) apply(id int64) *results.ImportStatus {
	f.t.Helper()
	if _, err := f.svc.ApplyImport(f.ctx, f.officer2, id); err != nil {
		f.t.Fatalf("ApplyImport: %v", err)
	}
	if err := f.svc.RunImport(f.ctx, id, false); err != nil {
		f.t.Fatalf("RunImport: %v", err)
	}
	return f.status(id)
}

// problems lists an import's problems as "row column message".
func (f *importFixture) problems(id int64) []string {
	f.t.Helper()
	ps, err := f.svc.ImportProblems(f.ctx, f.officer, id, 0, 1000)
	if err != nil {
		f.t.Fatalf("ImportProblems: %v", err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%d %s %s", p.Row, p.Column, p.Message))
	}
	return out
}

func (f *importFixture) attempts(u *portal.User) []*portal.AttemptDetail {
	f.t.Helper()
	list, err := f.st.ListAttempts(f.ctx, store.AttemptFilter{UserID: u.ID})
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

func (f *importFixture) countAttempts() int {
	f.t.Helper()
	list, err := f.st.ListAttempts(f.ctx, store.AttemptFilter{Limit: 100000})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(list)
}

const csvHeader = "login_id,email,exam_code,booking_reference,delivered_at,score,passed,domain:Design,domain:Security\n"

// delivered is a delivery instant a day before the fixture's now.
var delivered = importNow.Add(-24 * time.Hour).Format(time.RFC3339)

func TestImportReportsEveryBadRow(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newImportFixture(t, engine)
		ana, ben := f.candidate(), f.candidate()
		past := importNow.Add(-48 * time.Hour)
		f.booking(ana, f.exam, "BANA0001", past)
		f.booking(ben, f.exam, "BBEN0001", past)
		f.booking(ana, f.other, "BANA0002", past)
		// Stored attempts: one preliminary, one official.
		earlier := importNow.Add(-72 * time.Hour).Format(time.RFC3339)
		older := importNow.Add(-96 * time.Hour).Format(time.RFC3339)
		seed := f.run(portal.ImportCSV, csvHeader+
			ana.LoginID+",,SAA-C03,,"+earlier+",800,,,\n"+
			ana.LoginID+",,SAA-C03,,"+older+",500,,,\n", true)
		if seed.State != portal.ImportApplied {
			t.Fatalf("seed import state = %s, problems %v", seed.State, f.problems(seed.ID))
		}
		for _, a := range f.attempts(ana) {
			if a.TakenAt.Format(time.RFC3339) == older {
				publishForTest(t, f, a.ID)
			}
		}

		future := importNow.Add(time.Hour).Format(time.RFC3339)
		rows := []struct {
			name, line, want string
		}{
			{"good", ana.LoginID + ",,SAA-C03,BANA0001,,750,pass,meets,needs_improvement", ""},
			{"unknown login", "CP99999999,,SAA-C03,," + delivered + ",750,,,", "login_id results.import.unknown_login"},
			{"no candidate", ",,SAA-C03,," + delivered + ",750,,,", "login_id results.import.no_candidate"},
			{"bad email", ",not-an-email,SAA-C03,," + delivered + ",750,,,", "email results.import.bad_email"},
			{"unknown exam", ben.LoginID + ",,XXX-C01,," + delivered + ",750,,,", "exam_code results.error.unknown_exam"},
			{"booking of another candidate", ben.LoginID + ",,SAA-C03,BANA0001,,750,,,", "booking_reference results.error.booking_mismatch"},
			{"booking of another exam", ana.LoginID + ",,SAA-C03,BANA0002,,750,,,", "booking_reference results.error.booking_mismatch"},
			{"delivery in the future", ben.LoginID + ",,SAA-C03,," + future + ",750,,,", "delivered_at results.error.delivered_future"},
			{"delivery not RFC 3339", ben.LoginID + ",,SAA-C03,,2026-11-30 10:00,750,,,", "delivered_at results.import.bad_time"},
			{"score not an integer", ben.LoginID + ",,SAA-C03,," + delivered + ",72.5,,,", "score results.error.score_range"},
			{"score above range", ben.LoginID + ",,SAA-C03,," + delivered + ",1001,,,", "score results.error.score_range"},
			{"score below range", ben.LoginID + ",,SAA-C03,," + delivered + ",99,,,", "score results.error.score_range"},
			{"outcome contradicts", ben.LoginID + ",,SAA-C03,," + delivered + ",700,pass,,", "passed results.error.outcome_contradicts"},
			{"outcome unreadable", ben.LoginID + ",,SAA-C03,," + delivered + ",700,maybe,,", "passed results.import.bad_passed"},
			{"unknown band", ben.LoginID + ",,DVA-C02,," + delivered + ",700,,great,", "domains results.error.unknown_band"},
			{"duplicate of a stored attempt", ana.LoginID + ",,SAA-C03,," + earlier + ",800,,,", "delivered_at results.error.duplicate"},
			{"already official", ana.LoginID + ",,SAA-C03,," + older + ",500,,,", "delivered_at results.error.already_official"},
			{"first of two", ben.LoginID + ",,SAA-C03,BBEN0001,,650,,,", ""},
			{"duplicate in the file", ben.LoginID + ",,SAA-C03,BBEN0001,,650,,,", "delivered_at results.import.duplicate_row"},
		}
		var b strings.Builder
		b.WriteString(csvHeader)
		for _, r := range rows {
			b.WriteString(r.line + "\n")
		}
		before := f.countAttempts()
		st := f.run(portal.ImportCSV, b.String(), false)
		if st.State != portal.ImportChecked || st.RowsTotal != len(rows) {
			t.Fatalf("state %s rows %d, want checked %d", st.State, st.RowsTotal, len(rows))
		}
		got := map[int][]string{}
		for _, p := range f.problems(st.ID) {
			var row int
			var rest string
			_, _ = fmt.Sscanf(p, "%d", &row)
			rest = strings.TrimSpace(strings.TrimPrefix(p, fmt.Sprint(row)))
			got[row] = append(got[row], rest)
		}
		bad := 0
		for i, r := range rows {
			line := i + 2 // the header is line 1
			t.Run(r.name, func(t *testing.T) {
				if r.want == "" {
					if len(got[line]) > 0 {
						t.Errorf("line %d: problems %v, want none", line, got[line])
					}
					return
				}
				if len(got[line]) != 1 || got[line][0] != r.want {
					t.Errorf("line %d: problems %v, want [%s]", line, got[line], r.want)
				}
			})
			if r.want != "" {
				bad++
			}
		}
		if st.RowsBad != bad {
			t.Errorf("RowsBad = %d, want %d", st.RowsBad, bad)
		}
		_, err := f.svc.ApplyImport(f.ctx, f.officer, st.ID)
		var pe *portal.Error
		if !errors.As(err, &pe) || pe.Message != "results.import.has_problems" {
			t.Errorf("ApplyImport of a file with problems = %v, want results.import.has_problems", err)
		}
		if n := f.countAttempts(); n != before {
			t.Errorf("attempts = %d after a refused import, want %d", n, before)
		}
	})
}

// publishForTest makes an attempt official the way publication does, for
// tests that need one before the publication path exists.
func publishForTest(t *testing.T, f *importFixture, id int64) {
	t.Helper()
	err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
		state, now := portal.AttemptOfficial, tx.Now()
		pub := &now
		_, err := tx.UpdateAttempt(f.ctx, id, []string{portal.AttemptPreliminary, portal.AttemptOfficial},
			store.AttemptChange{State: &state, PublishedAt: &pub})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestImportAppliesEveryRowOrNone(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newImportFixture(t, engine)
		ana, ben := f.candidate(), f.candidate()
		body := csvHeader +
			ana.LoginID + ",,SAA-C03,," + delivered + ",750,true,meets,meets\n" +
			",," + ",,,,,,\n" + // blank rows are skipped
			"," + ben.Email + ",SAA-C03,," + delivered + ",600,fail,needs_improvement,meets\n"
		st := f.run(portal.ImportCSV, body, false)
		if st.State != portal.ImportChecked || st.RowsBad != 0 || st.RowsTotal != 2 || !st.Applicable() {
			t.Fatalf("checked import = %+v, problems %v", st.ResultImport, f.problems(st.ID))
		}
		if n := f.countAttempts(); n != 0 {
			t.Fatalf("a dry run recorded %d attempts", n)
		}

		// Between the check and the apply, another file records Ben's
		// result: applying records nothing and reports the row.
		other := f.run(portal.ImportCSV, csvHeader+ben.LoginID+",,SAA-C03,,"+delivered+",600,,,\n", true)
		if other.State != portal.ImportApplied {
			t.Fatalf("other import = %s", other.State)
		}
		st = f.apply(st.ID)
		if st.State != portal.ImportChecked || st.RowsBad != 1 {
			t.Fatalf("after a refused apply: %+v", st.ResultImport)
		}
		if got := f.problems(st.ID); len(got) != 1 || got[0] != "4 delivered_at results.error.duplicate" {
			t.Errorf("problems = %v", got)
		}
		if n := len(f.attempts(ana)); n != 0 {
			t.Errorf("Ana has %d attempts after a refused apply, want 0", n)
		}
		// Nor the publications and mails its rows gathered: only Ben's,
		// from the other file, are written.
		if n := f.db.Count(t, `SELECT COUNT(*) FROM due_work WHERE kind = ?`, results.KindPublish); n != 1 {
			t.Errorf("%d publications scheduled after a refused apply, want 1 (Ben's)", n)
		}
		if n := f.db.Count(t, `SELECT COUNT(*) FROM job_outbox WHERE unique_key LIKE 'mail.results:preliminary:%'`); n != 1 {
			t.Errorf("%d provisional-result mails after a refused apply, want 1 (Ben's)", n)
		}

		// A clean file applies wholly: every row an imported, preliminary
		// attempt with its snapshot.
		st = f.run(portal.ImportCSV, csvHeader+ana.LoginID+",,SAA-C03,,"+delivered+",750,true,meets,meets\n", false)
		st = f.apply(st.ID)
		if st.State != portal.ImportApplied || st.RowsApplied != 1 || st.AppliedAt == nil {
			t.Fatalf("applied import = %+v", st.ResultImport)
		}
		got := f.attempts(ana)
		if len(got) != 1 {
			t.Fatalf("Ana has %d attempts, want 1", len(got))
		}
		a := got[0]
		if a.State != portal.AttemptPreliminary || a.Source != portal.SourceImport || a.ImportID == nil || *a.ImportID != st.ID ||
			!a.Passed || a.Score != 750 || a.PassingScore != 720 || len(a.Domains) != 2 || *a.EnteredBy != f.officer.UserID {
			t.Errorf("attempt = %+v", a.Attempt)
		}
		// Its publication is due at its official instant, and Ana is told once.
		if n := f.db.Count(t, `SELECT COUNT(*) FROM due_work WHERE kind = ? AND key = ? AND state = 'pending' AND due_at = ?`,
			results.KindPublish, fmt.Sprintf("attempt:%d", a.ID), a.OfficialAt.UTC()); n != 1 {
			t.Errorf("publication of Ana's result scheduled %d times at %s, want 1", n, a.OfficialAt)
		}
		if n := f.db.Count(t, `SELECT COUNT(*) FROM job_outbox WHERE kind = 'mail.send' AND unique_key = ? AND args LIKE ?`,
			fmt.Sprintf("mail.results:preliminary:%d", a.ID), "%"+ana.Email+"%"); n != 1 {
			t.Errorf("%d provisional-result mails to Ana, want 1", n)
		}
	})
}

func TestImportOfTheSameFileIsANoOp(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newImportFixture(t, engine)
		ana := f.candidate()
		body := csvHeader + ana.LoginID + ",,SAA-C03,," + delivered + ",750,,,\n"
		first := f.run(portal.ImportCSV, body, true)
		if first.State != portal.ImportApplied {
			t.Fatalf("first import = %s %v", first.State, f.problems(first.ID))
		}
		again := f.run(portal.ImportCSV, body, true)
		if again.State != portal.ImportDiscarded || again.SameFile == nil || again.SameFile.ID != first.ID {
			t.Fatalf("second import of the same file = %+v, same file %+v", again.ResultImport, again.SameFile)
		}
		if n := len(f.attempts(ana)); n != 1 {
			t.Errorf("Ana has %d attempts after the same file twice, want 1", n)
		}

		// Two dry runs of one file: the first applied, the second is
		// discarded when applied, naming the first.
		b1 := csvHeader + ana.LoginID + ",,DVA-C02,," + delivered + ",750,,,\n"
		d1, d2 := f.run(portal.ImportCSV, b1, false), f.run(portal.ImportCSV, b1, false)
		f.apply(d1.ID)
		st, err := f.svc.ApplyImport(f.ctx, f.officer, d2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.State != portal.ImportDiscarded || st.SameFile == nil || st.SameFile.ID != d1.ID {
			t.Errorf("applying the same file again = %+v", st.ResultImport)
		}
		if n := len(f.attempts(ana)); n != 2 {
			t.Errorf("Ana has %d attempts, want 2", n)
		}
	})
}

func TestImportParksUnknownEmailsUntilAVerifiedAccountAppears(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newImportFixture(t, engine)
		st := f.run(portal.ImportCSV, csvHeader+",New.Person@Example.org,SAA-C03,,"+delivered+",750,,,\n", true)
		if st.State != portal.ImportApplied || st.Parked != 1 || st.RowsApplied != 1 {
			t.Fatalf("import = %+v parked %d, problems %v", st.ResultImport, st.Parked, f.problems(st.ID))
		}
		if n := f.countAttempts(); n != 0 {
			t.Fatalf("%d attempts for a parked row", n)
		}
		// An account with an unverified address does not claim it.
		u := f.user(portal.RoleCandidate, "new.person@example.org", false)
		if n, err := f.svc.AttachParked(f.ctx); err != nil || n != 0 {
			t.Fatalf("AttachParked before verification = %d, %v", n, err)
		}
		err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
			now := tx.Now()
			_, err := tx.UpdateUser(f.ctx, u.ID, store.UserUpdate{EmailVerifiedAt: &now})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := f.svc.AttachParked(f.ctx); err != nil || n != 1 {
			t.Fatalf("AttachParked = %d, %v, want 1", n, err)
		}
		got := f.attempts(u)
		if len(got) != 1 || got[0].Source != portal.SourceImport || got[0].ImportID == nil || *got[0].ImportID != st.ID ||
			got[0].State != portal.AttemptPreliminary {
			t.Fatalf("attempts = %+v", got)
		}
		if n, err := f.svc.AttachParked(f.ctx); err != nil || n != 0 {
			t.Errorf("AttachParked again = %d, %v, want 0", n, err)
		}
		parked, err := f.st.ListParkedResults(f.ctx, st.ID, 10)
		if err != nil || len(parked) != 1 || parked[0].AttemptID == nil || *parked[0].AttemptID != got[0].ID {
			t.Errorf("parked = %+v, %v", parked, err)
		}
	})
}

func TestImportNeedsTheImportPermission(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newImportFixture(t, engine)
		st := f.run(portal.ImportCSV, csvHeader+f.candidate().LoginID+",,SAA-C03,,"+delivered+",750,,,\n", false)
		cand := f.candidate()
		for name, a := range map[string]portal.Actor{
			"candidate": testutil.CandidateActor(cand.ID, importNow),
			"scheduler": f.staff(portal.SetScheduler),
			"support":   f.staff(portal.SetSupport),
		} {
			t.Run(name, func(t *testing.T) {
				_, err := f.svc.StartImport(f.ctx, a, results.ImportUpload{Format: portal.ImportCSV, Body: strings.NewReader(csvHeader)})
				if !errors.Is(err, portal.ErrForbidden) {
					t.Errorf("StartImport = %v, want forbidden", err)
				}
				if _, err := f.svc.ApplyImport(f.ctx, a, st.ID); !errors.Is(err, portal.ErrForbidden) {
					t.Errorf("ApplyImport = %v, want forbidden", err)
				}
				if _, err := f.svc.ImportStatus(f.ctx, a, st.ID); !errors.Is(err, portal.ErrForbidden) {
					t.Errorf("ImportStatus = %v, want forbidden", err)
				}
				if _, err := f.svc.ImportProblems(f.ctx, a, st.ID, 0, 10); !errors.Is(err, portal.ErrForbidden) {
					t.Errorf("ImportProblems = %v, want forbidden", err)
				}
			})
		}
		if got := f.status(st.ID); got.State != portal.ImportChecked {
			t.Errorf("import state = %s after refused calls", got.State)
		}
		// Nobody imports a result for their own account.
		self := f.user(portal.RoleStaff, "", true)
		selfActor := testutil.StaffActor(self.ID, importNow, portal.SetResultsOfficer)
		imp, err := f.svc.StartImport(f.ctx, selfActor, results.ImportUpload{Format: portal.ImportCSV,
			Body: strings.NewReader(csvHeader + self.LoginID + ",,SAA-C03,," + delivered + ",750,,,\n")})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RunImport(f.ctx, imp.ID, true); err != nil {
			t.Fatal(err)
		}
		if got := f.problems(imp.ID); len(got) != 1 || got[0] != "2 login_id results.error.own_account" {
			t.Errorf("own account: problems %v", got)
		}
	})
}

func TestImportJSON(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newImportFixture(t, engine)
		ana := f.candidate()
		body := `[
 {"login_id": "` + ana.LoginID + `", "exam_code": "SAA-C03", "delivered_at": "` + delivered + `", "score": 750, "passed": true,
  "domains": {"Design": "meets", "Security": "needs_improvement"}},
 {"login_id": "` + ana.LoginID + `", "exam_code": "DVA-C02", "delivered_at": "` + delivered + `", "score": "800"},
 {"login_id": "` + ana.LoginID + `", "exam_code": "SAA-C03", "delivered_at": "` + delivered + `", "score": {"x": 1}},
 {"login_id": "` + ana.LoginID + `", "exam_code": "SAA-C03", "delivered_at": "` + delivered + `", "score": 700, "item_7": "B"},
 {"login_id": "` + ana.LoginID + `", "exam_code": "SAA-C03", "delivered_at": "` + delivered + `", "score": 700, "domains": {"Networking": "meets"}},
 "not an object"
]`
		st := f.run(portal.ImportJSON, body, false)
		want := []string{
			"3 score results.import.bad_value",
			"4 item_7 results.import.unknown_column",
			"5 domains results.error.unknown_domain",
			"6  results.import.not_object",
		}
		if got := f.problems(st.ID); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("problems:\n got %q\nwant %q", got, want)
		}
		st = f.run(portal.ImportJSON, `[{"login_id": "`+ana.LoginID+`", "exam_code": "SAA-C03", "delivered_at": "`+delivered+`", "score": 750}]`, true)
		if st.State != portal.ImportApplied || len(f.attempts(ana)) != 1 {
			t.Errorf("JSON import = %+v, attempts %d", st.ResultImport, len(f.attempts(ana)))
		}
	})
}

func TestImportFileProblems(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newImportFixture(t, engine)
		cases := []struct{ name, format, body, want string }{
			{"empty", portal.ImportCSV, "", "0  results.import.empty"},
			{"header only", portal.ImportCSV, csvHeader, "2  results.import.no_rows"},
			{"unknown column", portal.ImportCSV, "login_id,exam_code,score,delivered_at,item_1\n", "1 item_1 results.import.unknown_column"},
			{"missing column", portal.ImportCSV, "login_id,exam_code,delivered_at\n", "1 score results.import.missing_column"},
			{"repeated column", portal.ImportCSV, "login_id,exam_code,score,score,delivered_at\n", "1 score results.import.repeated_column"},
			{"broken quote", portal.ImportCSV, csvHeader + "\"CP1,,SAA-C03\n", "2  results.import.malformed_csv"},
			{"not an array", portal.ImportJSON, `{"login_id": "x"}`, "0  results.import.not_array"},
			{"truncated", portal.ImportJSON, `[{"login_id": "x"`, "1  results.import.malformed_json"},
			{"empty array", portal.ImportJSON, `[]`, "1  results.import.no_rows"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				st := f.run(c.format, c.body, true)
				if st.State != portal.ImportChecked || st.Applicable() {
					t.Errorf("state %s applicable %v, want checked, not applicable", st.State, st.Applicable())
				}
				if got := f.problems(st.ID); len(got) != 1 || got[0] != c.want {
					t.Errorf("problems = %q, want [%s]", got, c.want)
				}
			})
		}
	})
}

// failingReader returns its data, then fails: an upload that broke off.
type failingReader struct{ r io.Reader }

func (r *failingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err == io.EOF {
		return n, errors.New("connection reset")
	}
	return n, err
}

func TestImportResumesAfterARestart(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newImportFixture(t, engine)
		ana := f.candidate()
		body := csvHeader + ana.LoginID + ",,SAA-C03,," + delivered + ",750,,,\n"
		// Staged, then the process stopped before its job ran.
		imp, err := f.svc.StartImport(f.ctx, f.officer, results.ImportUpload{Format: portal.ImportCSV, Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		// An upload that broke off.
		_, err = f.svc.StartImport(f.ctx, f.officer, results.ImportUpload{Format: portal.ImportCSV, Body: &failingReader{strings.NewReader(body)}})
		if err == nil {
			t.Fatal("a broken upload gave no error")
		}
		if n, err := f.svc.ResumeImports(f.ctx); err != nil || n != 0 {
			t.Fatalf("ResumeImports at once = %d, %v; want 0 (nothing stalled yet)", n, err)
		}
		f.clock.Advance(6 * time.Minute)
		if n, err := f.svc.ResumeImports(f.ctx); err != nil || n != 2 {
			t.Fatalf("ResumeImports = %d, %v; want 2", n, err)
		}
		if st := f.status(imp.ID); st.State != portal.ImportChecked || !st.Applicable() {
			t.Errorf("resumed import = %+v", st.ResultImport)
		}
		list, err := f.svc.Imports(f.ctx, f.officer)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].State != portal.ImportDiscarded {
			t.Fatalf("imports = %+v", list)
		}
		if st := f.status(list[0].ID); !st.Interrupted {
			t.Errorf("broken upload status = %+v", st)
		}
		// An apply left unfinished runs again.
		if _, err := f.svc.ApplyImport(f.ctx, f.officer2, imp.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(6 * time.Minute)
		if n, err := f.svc.ResumeImports(f.ctx); err != nil || n != 1 {
			t.Fatalf("ResumeImports = %d, %v; want 1", n, err)
		}
		if st := f.status(imp.ID); st.State != portal.ImportApplied || len(f.attempts(ana)) != 1 {
			t.Errorf("resumed apply = %+v", st.ResultImport)
		}
	})
}
