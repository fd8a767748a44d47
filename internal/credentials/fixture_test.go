package credentials_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
)

var fixtureNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

var secretKey = []byte("0123456789abcdef0123456789abcdef")

// fixture is a credentials service over a fresh store on one engine, with
// an exam and the certification it earns.
type fixture struct {
	t      testing.TB
	ctx    context.Context
	engine string
	st     *store.Store
	clock  *testutil.Clock
	db     testdb.DB
	svc    *credentials.Service
	exam   *portal.Exam
	cert   *portal.Certification
}

func newFixture(t testing.TB, engine string) *fixture {
	t.Helper()
	db := testdb.Open(t, engine, fixtureNow)
	f := &fixture{t: t, ctx: context.Background(), engine: engine, db: db, st: db.Store, clock: db.Clock}
	f.svc = credentials.New(f.st, f.clock, slog.New(slog.DiscardHandler), credentials.Config{
		BaseURL: "https://certs.example.org", SecretKey: secretKey, ProgramName: "Cloud Certification Program"})
	f.exam = db.Exam(t, portal.Exam{Code: "SAA-C03", Name: "Solutions Architect Associate", PassingScore: 720,
		RetakeWaitDays: 14, ResultsDelayDays: 5, Active: true})
	f.cert = db.Certification(t, portal.Certification{Code: "SAA", Name: "Solutions Architect – Associate", EarnedBy: []string{"SAA-C03"}})
	return f
}

// earned makes a new candidate who passed the exam ten days ago and holds
// the certification, and returns the earned certification.
func (f *fixture) earned() *portal.UserCertification {
	f.t.Helper()
	return f.db.Earned(f.t, f.db.Candidate(f.t), f.exam, f.cert, fixtureNow.Add(-10*24*time.Hour))
}

// issue issues the credential of an earned certification in its own
// transaction.
func (f *fixture) issue(uc *portal.UserCertification) *portal.Credential {
	f.t.Helper()
	var c *portal.Credential
	err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
		var err error
		c, err = f.svc.Issue(f.ctx, tx, uc.ID)
		return err
	})
	if err != nil {
		f.t.Fatalf("issue: %v", err)
	}
	return c
}

// count runs a SELECT COUNT(*) whose ? placeholders take args.
func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	return f.db.Count(f.t, query, args...)
}

// withdraw withdraws an earned certification and writes
// certification.withdrawn, as a results correction does.
func (f *fixture) withdraw(uc *portal.UserCertification) {
	f.t.Helper()
	err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
		if _, err := tx.WithdrawUserCertification(f.ctx, uc.ID, "score corrected"); err != nil {
			return err
		}
		return tx.AppendEvent(portal.EventCertificationWithdrawn, portal.SubjectCertification, uc.ID, "", 0, nil)
	})
	if err != nil {
		f.t.Fatalf("withdraw: %v", err)
	}
}

// react runs the credentials reaction and fails the test on an error.
func (f *fixture) react() int {
	f.t.Helper()
	n, err := f.svc.React(f.ctx)
	if err != nil {
		f.t.Fatalf("react: %v", err)
	}
	return n
}

// credentialsOf returns every credential of an earned certification.
func (f *fixture) credentialsOf(uc *portal.UserCertification) []*portal.Credential {
	f.t.Helper()
	list, err := f.st.ListCredentialsByUserCertification(f.ctx, uc.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}
