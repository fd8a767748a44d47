package results_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
)

// fixtureNow is Tuesday 2026-12-01, 07:00 in New York (EST).
var fixtureNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

var newYork = mustLoadLocation("America/New_York")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// fixture is a results service over a fresh store on one engine, with a
// fake clock, the program calendar in New York (Monday to Friday), an
// admin, two results officers and a candidate, two versions of an exam
// earning one certification and a microcredential.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	engine string
	st     *store.Store
	clock  *testutil.Clock
	svc    *results.Service

	admin, officer, second, candidate portal.Actor
	saa, saa04, micro                 *portal.Exam
	cert, microCert                   *portal.Certification

	db testdb.DB
}

func newFixture(t *testing.T, engine string) *fixture {
	t.Helper()
	db := testdb.Open(t, engine, fixtureNow)
	f := &fixture{t: t, ctx: context.Background(), engine: engine, db: db, st: db.Store, clock: db.Clock}
	cal, err := calendar.New(calendar.Settings{TimeZone: "America/New_York",
		BusinessDays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = results.New(f.st, f.clock, slog.New(slog.DiscardHandler), results.Config{
		Calendar: func(context.Context) (results.Calendar, error) { return cal, nil }, BaseURL: "https://portal.example.org"})
	f.admin = f.newStaff(portal.SetAdmin)
	f.officer = f.newStaff(portal.SetResultsOfficer)
	f.second = f.newStaff(portal.SetResultsOfficer)
	f.candidate = f.newCandidate()
	domains := []portal.ExamDomain{{Position: 1, Name: "Design", WeightPercent: 60}, {Position: 2, Name: "Security", WeightPercent: 40}}
	f.saa = f.createExam(portal.Exam{Code: "SAA-C03", Name: "Solutions Architect Associate", PassingScore: 720, RetakeWaitDays: 14,
		ResultsDelayDays: 5, Domains: domains})
	f.saa04 = f.createExam(portal.Exam{Code: "SAA-C04", Name: "Solutions Architect Associate", PassingScore: 720, RetakeWaitDays: 14,
		ResultsDelayDays: 5, Domains: domains})
	f.micro = f.createExam(portal.Exam{Code: "MCR-101", Name: "Serverless Microcredential", Kind: portal.KindMicrocredential,
		Level: portal.LevelFoundational, PassingScore: 700, RetakeWaitDays: 25, ResultsDelayDays: 5})
	f.cert, err = f.svc.CreateCertification(f.ctx, f.admin, portal.Certification{Code: "SAA", Name: "Solutions Architect – Associate",
		Level: portal.LevelAssociate, Kind: portal.CertKindCertification, Active: true, EarnedBy: []string{"SAA-C03", "SAA-C04"},
		Benefits: "Lounge access at events\n\nDiscount on training"})
	if err != nil {
		t.Fatalf("create certification: %v", err)
	}
	f.microCert, err = f.svc.CreateCertification(f.ctx, f.admin, portal.Certification{Code: "MCR", Name: "Serverless",
		Level: portal.LevelFoundational, Kind: portal.CertKindMicrocredential, Active: true, EarnedBy: []string{"MCR-101"}})
	if err != nil {
		t.Fatalf("create microcredential: %v", err)
	}
	return f
}

func (f *fixture) in(t *testing.T) *fixture {
	g := *f
	g.t = t
	return &g
}

func (f *fixture) newCandidate() portal.Actor { return f.db.Candidate(f.t) }

func (f *fixture) newStaff(sets ...portal.PermissionSet) portal.Actor {
	return f.db.Staff(f.t, sets...)
}

// createExam inserts an active exam.
func (f *fixture) createExam(e portal.Exam) *portal.Exam {
	f.t.Helper()
	e.Active = true
	return f.db.Exam(f.t, e)
}

// loginID returns the candidate's login ID.
func (f *fixture) loginID(a portal.Actor) string { return f.db.LoginID(f.t, a) }

// enter has the first officer enter a result for the candidate.
func (f *fixture) enter(c portal.Actor, e *portal.Exam, takenAt time.Time, score int) *portal.Attempt {
	f.t.Helper()
	a, err := f.svc.Enter(f.ctx, f.officer, results.Entry{Candidate: f.loginID(c), ExamCode: e.Code, TakenAt: takenAt, Score: score})
	if err != nil {
		f.t.Fatalf("enter: %v", err)
	}
	return a
}

// counted enters a result and has the second officer confirm it: the
// result counts (preliminary).
func (f *fixture) counted(c portal.Actor, e *portal.Exam, takenAt time.Time, score int) *portal.Attempt {
	f.t.Helper()
	a, err := f.svc.Confirm(f.ctx, f.second, f.enter(c, e, takenAt, score).ID)
	if err != nil {
		f.t.Fatalf("confirm: %v", err)
	}
	return a
}

// published records a counting result, moves the clock to its official
// instant and publishes it.
func (f *fixture) published(c portal.Actor, e *portal.Exam, takenAt time.Time, score int) *portal.Attempt {
	f.t.Helper()
	a := f.counted(c, e, takenAt, score)
	if f.clock.Now().Before(a.OfficialAt) {
		f.clock.Set(a.OfficialAt)
	}
	if err := f.svc.Publish(f.ctx, a.ID); err != nil {
		f.t.Fatalf("publish: %v", err)
	}
	return f.attempt(a.ID)
}

func (f *fixture) attempt(id int64) *portal.Attempt {
	f.t.Helper()
	a, err := f.st.GetAttempt(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return &a.Attempt
}

// count runs a SELECT COUNT(*) whose ? placeholders take args.
func (f *fixture) count(query string, args ...any) int { return f.db.Count(f.t, query, args...) }

// mails counts the result mails of a cause queued for the attempt.
func (f *fixture) mails(cause string, attemptID int64) int {
	f.t.Helper()
	return f.count(`SELECT COUNT(*) FROM job_outbox WHERE kind = 'mail.send' AND unique_key = ?`,
		fmt.Sprintf("mail.results:%s:%d", cause, attemptID))
}

// events counts the events of type about the subject.
func (f *fixture) events(typ portal.EventType, kind string, id int64) int {
	return f.db.Events(f.t, typ, kind, id)
}

// certifications returns the candidate's earned certifications, withdrawn
// ones included.
func (f *fixture) certifications(c portal.Actor) []*portal.UserCertificationDetail {
	f.t.Helper()
	list, err := f.st.ListUserCertifications(f.ctx, store.UserCertificationFilter{UserID: c.UserID})
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

// audit returns the audit entries of action about the attempt.
func (f *fixture) audit(action string, attemptID int64) []*portal.AuditEvent {
	return f.db.Audit(f.t, action, fmt.Sprintf("attempt:%d", attemptID))
}

// change returns the audited change of a field, or fails.
func change(t *testing.T, e *portal.AuditEvent, field string) portal.FieldChange {
	t.Helper()
	for _, c := range e.Changes {
		if c.Field == field {
			return c
		}
	}
	t.Fatalf("audit %s has no change of %s: %+v", e.Action, field, e.Changes)
	return portal.FieldChange{}
}

// wantCode fails unless err is a *portal.Error with code and message.
func wantCode(t *testing.T, err error, code, message string) *portal.Error {
	t.Helper()
	var pe *portal.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want %s %s", err, code, message)
	}
	if pe.Code != code || (message != "" && pe.Message != message) {
		t.Fatalf("err = %s %s, want %s %s", pe.Code, pe.Message, code, message)
	}
	return pe
}

// ny is a wall-clock time in New York.
func ny(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, newYork)
}

func itoa(n int64) string { return fmt.Sprint(n) }

// confirmedBooking makes a paid booking of an online start, as checkout
// leaves it.
func (f *fixture) confirmedBooking(c portal.Actor, e *portal.Exam, start time.Time, ref string) *portal.Booking {
	return f.db.ConfirmedBooking(f.t, c, e, start, ref)
}

// invariants fails the test on any violation store.CheckInvariants finds.
func (f *fixture) invariants(t *testing.T) {
	t.Helper()
	v, err := f.st.CheckInvariants(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range v {
		t.Errorf("invariant violated: %s", s)
	}
}
