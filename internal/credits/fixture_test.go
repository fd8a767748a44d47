package credits_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
	"example.org/certportal/internal/uploads"
)

// fixtureNow is Tuesday 2026-12-01, 07:00 in New York.
var fixtureNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// fixture is the continuing-education service over a fresh store on one
// engine with the default catalogue, a New York Monday-to-Friday calendar,
// an admin, two CE reviewers and a candidate holding SAA (earned
// 2025-06-01, cycle to 2028-06-01).
type fixture struct {
	t     testing.TB
	ctx   context.Context
	db    testdb.DB
	st    *store.Store
	clock *testutil.Clock
	svc   *credits.Service

	admin, reviewer, reviewer2, candidate portal.Actor
	exam                                  *portal.Exam
	cert                                  *portal.Certification
	earned                                *portal.UserCertification
	up                                    *uploads.Service
	calendar                              func(context.Context) (credits.Calendar, error)
}

func newFixture(t testing.TB, engine string) *fixture {
	t.Helper()
	db := testdb.Open(t, engine, fixtureNow)
	f := &fixture{t: t, ctx: context.Background(), db: db, st: db.Store, clock: db.Clock}
	cal, err := calendar.New(calendar.Settings{TimeZone: "America/New_York",
		BusinessDays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}})
	if err != nil {
		t.Fatal(err)
	}
	f.up, err = uploads.New(f.st, db.Blobs(t), nil, f.clock, slog.New(slog.DiscardHandler), uploads.Config{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	f.calendar = func(context.Context) (credits.Calendar, error) { return cal, nil }
	f.svc = credits.New(f.st, f.clock, slog.New(slog.DiscardHandler), credits.Config{
		Calendar: f.calendar, BaseURL: "https://portal.example.org", Uploads: f.up})
	if err := f.svc.InstallDefaultCatalogue(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.admin = db.Staff(t, portal.SetAdmin)
	f.reviewer = db.Staff(t, portal.SetCEReviewer)
	f.reviewer2 = db.Staff(t, portal.SetCEReviewer)
	f.candidate = db.Candidate(t)
	f.exam = db.Exam(t, portal.Exam{Code: "SAA-C03", Name: "Solutions Architect Associate", Active: true})
	f.cert = db.Certification(t, portal.Certification{Code: "SAA", Name: "Solutions Architect – Associate", EarnedBy: []string{"SAA-C03"}})
	f.earned = db.Earned(t, f.candidate, f.exam, f.cert, time.Date(2025, 6, 1, 15, 0, 0, 0, time.UTC))
	return f
}

// upload stores an upload of the owner with its blob, as the upload
// pipeline leaves it, a PDF whose bytes name content (the same content,
// the same hash).
func (f *fixture) upload(owner portal.Actor, content string) int64 {
	f.t.Helper()
	return f.db.Upload(f.t, testdb.Upload{Owner: owner, Name: "certificate.pdf", Content: []byte("%PDF-1.4\n% " + content)}).ID
}

// review95 is the form of a 95-minute documentation review completed on
// 2026-11-20, with one new file.
func (f *fixture) review95(c portal.Actor, title string) credits.Submission {
	return credits.Submission{TypeCode: "documentation_review", Title: title, CompletedOn: "2026-11-20", Duration: "95",
		Evidence: []int64{f.upload(c, title)}}
}

// workshop is the form of an official workshop claiming credits.
func (f *fixture) workshop(c portal.Actor, title, claimed string) credits.Submission {
	return credits.Submission{TypeCode: "official_workshop", Title: title, CompletedOn: "2026-11-20", Claimed: claimed,
		Evidence: []int64{f.upload(c, title)}}
}

// submit sends a form and fails the test on an error.
func (f *fixture) submit(c portal.Actor, s credits.Submission) *portal.CESubmission {
	f.t.Helper()
	r, err := f.svc.Submit(f.ctx, c, s)
	if err != nil {
		f.t.Fatalf("submit %s: %v", s.Title, err)
	}
	return r.Submission
}

// decide has the reviewer decide and fails the test on an error.
func (f *fixture) decide(r portal.Actor, id int64, d credits.Decision) *portal.CESubmission {
	f.t.Helper()
	s, err := f.svc.Decide(f.ctx, r, id, d)
	if err != nil {
		f.t.Fatalf("decide %d %s: %v", id, d.Outcome, err)
	}
	return s
}

// ledger returns the net credits (credit rows not reversed) of the
// candidate per earned certification.
func (f *fixture) ledger(c portal.Actor) map[int64]int {
	f.t.Helper()
	rows, err := f.st.ListCELedger(f.ctx, store.CELedgerFilter{UserID: c.UserID})
	if err != nil {
		f.t.Fatal(err)
	}
	reversed := map[int64]bool{}
	for _, r := range rows {
		if r.ReversesID != nil {
			reversed[*r.ReversesID] = true
		}
	}
	out := map[int64]int{}
	for _, r := range rows {
		if r.Kind == portal.CELedgerCredit && !reversed[r.ID] {
			out[r.UserCertificationID] += r.Credits
		}
	}
	return out
}

func (f *fixture) mails(cause string, id int64, decision int) int {
	return f.db.Count(f.t, `SELECT COUNT(*) FROM job_outbox WHERE kind = 'mail.send' AND unique_key = ?`,
		fmt.Sprintf("mail.credits:%s:%d:%d", cause, id, decision))
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

// wantField fails unless err is invalid with a problem of field whose
// message is message.
func wantField(t *testing.T, err error, field, message string) {
	t.Helper()
	pe := wantCode(t, err, portal.EInvalid, "")
	for _, fe := range pe.Fields {
		if fe.Field == field && fe.Message == message {
			return
		}
	}
	t.Fatalf("fields = %+v, want %s %s", pe.Fields, field, message)
}

// invariants fails the test on any violation of the ledger's invariants
// (the results' own need vouchers these fixtures do not make).
func (f *fixture) invariants(t *testing.T) {
	t.Helper()
	v, err := f.st.CheckInvariants(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range v {
		if strings.HasPrefix(s, store.CEInvariantPrefix) {
			t.Errorf("invariant violated: %s", s)
		}
	}
}

func testdbUser() testdb.User { return testdb.User{} }
