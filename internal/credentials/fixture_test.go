package credentials_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

var fixtureNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

var secretKey = []byte("0123456789abcdef0123456789abcdef")

// fixture is a credentials service over a fresh store on one engine, with
// an exam and the certification it earns.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	engine string
	st     *store.Store
	clock  *testutil.Clock
	svc    *credentials.Service
	exam   *portal.Exam
	cert   *portal.Certification
	users  *atomic.Int64
}

func newFixture(t *testing.T, engine string) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), engine: engine, clock: testutil.NewClock(fixtureNow), users: new(atomic.Int64)}
	f.st = testutil.MustOpenStore(t, engine, f.clock)
	f.svc = credentials.New(f.st, f.clock, slog.New(slog.DiscardHandler), credentials.Config{
		BaseURL: "https://certs.example.org", SecretKey: secretKey, ProgramName: "Cloud Certification Program"})
	err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
		var err error
		f.exam, err = tx.CreateExam(f.ctx, portal.Exam{Code: "SAA-C03", Name: "Solutions Architect Associate", Level: portal.LevelAssociate,
			Kind: portal.KindExam, PassingScore: 720, RetakeWaitDays: 14, ResultsDelayDays: 5, DurationMinutes: 120, Languages: "en",
			Delivery: portal.DeliveryOnline, Currency: "USD", PriceMinor: 15000, ValidityMonths: 36, Active: true})
		if err != nil {
			return err
		}
		f.cert, err = tx.CreateCertification(f.ctx, portal.Certification{Code: "SAA", Name: "Solutions Architect – Associate",
			Level: portal.LevelAssociate, Kind: portal.CertKindCertification, ValidityMonths: 36, Active: true, EarnedBy: []string{"SAA-C03"}})
		return err
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return f
}

// earned makes a new candidate who passed the exam and holds the
// certification, and returns the earned certification.
func (f *fixture) earned() *portal.UserCertification {
	f.t.Helper()
	var out *portal.UserCertification
	err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
		i := f.users.Add(1)
		u, err := tx.CreateUser(f.ctx, store.UserCreate{LoginID: fmt.Sprintf("CP%08d", i), Email: fmt.Sprintf("user%d@example.org", i),
			FirstName: "Casey", LastName: fmt.Sprintf("Person%d", i), Role: portal.RoleCandidate, Language: "en", Country: "US"})
		if err != nil {
			return err
		}
		taken := fixtureNow.Add(-10 * 24 * time.Hour)
		published := fixtureNow
		a, err := tx.InsertAttempt(f.ctx, portal.Attempt{UserID: u.ID, ExamID: f.exam.ID, ExamCode: f.exam.Code, CertificationID: &f.cert.ID,
			TakenAt: taken, Score: 800, Passed: true, PassingScore: 720, RetakeWaitDays: 14, State: portal.AttemptOfficial,
			Source: portal.SourceConsole, OfficialAt: published, PublishedAt: &published})
		if err != nil {
			return err
		}
		out, err = tx.InsertUserCertification(f.ctx, portal.UserCertification{UserID: u.ID, CertificationID: f.cert.ID, AttemptID: a.ID,
			Cycle: 1, Kind: portal.CertKindCertification, ValidityMonths: 36, IssuedOn: "2026-11-21", ExpiresOn: "2029-11-21",
			IssuedAt: taken, ExpiresAt: taken.AddDate(3, 0, 1)})
		if err != nil {
			return err
		}
		// As results do when they issue a certification.
		return tx.AppendEvent(portal.EventCertificationIssued, portal.SubjectCertification, out.ID, f.cert.Code, 0,
			map[string]any{"certification": f.cert.Code, "user": u.ID})
	})
	if err != nil {
		f.t.Fatalf("earned certification: %v", err)
	}
	return out
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
	var n int
	if err := f.st.DB().QueryRowContext(f.ctx, testutil.Rebind(f.engine, query), args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	return n
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
