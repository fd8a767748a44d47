package credits_test

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// talk is the form of a conference talk (25–50 credits) claiming credits,
// completed on day.
func (f *fixture) talk(c portal.Actor, title, claimed, day string) credits.Submission {
	return credits.Submission{TypeCode: "conference_talk", Title: title, CompletedOn: day, Claimed: claimed,
		Evidence: []int64{f.upload(c, title)}}
}

// renewals counts the rows, events, mails and issue jobs of a renewal of
// the fixture's certification's cycle.
func (f *fixture) renewalCounts(t *testing.T, cycle int) (rows, events, mails, jobs int) {
	t.Helper()
	rows = f.db.Count(t, `SELECT COUNT(*) FROM renewals WHERE user_certification_id = ? AND cycle = ?`, f.earned.ID, cycle)
	events = f.db.Count(t, `SELECT COUNT(*) FROM events WHERE type = 'certification.renewed' AND subject_id = ?`, f.earned.ID)
	mails = f.db.Count(t, `SELECT COUNT(*) FROM job_outbox WHERE kind = 'mail.send' AND unique_key = ?`,
		fmt.Sprintf("mail.renewal:%d:%d", f.earned.ID, cycle))
	jobs = f.db.Count(t, `SELECT COUNT(*) FROM job_outbox WHERE kind = 'renewal.issue' AND unique_key = ?`,
		fmt.Sprintf("renewal:%d:%d", f.earned.ID, cycle+1))
	return rows, events, mails, jobs
}

func (f *fixture) current(t *testing.T) *portal.UserCertificationDetail {
	t.Helper()
	list, err := f.st.ListUserCertifications(f.ctx, store.UserCertificationFilter{UserID: f.candidate.UserID})
	if err != nil || len(list) != 1 {
		t.Fatalf("certifications = %v, %v", list, err)
	}
	return list[0]
}

// TestApprovalReachingTheRequirementRenews: the decision whose approved
// credits reach 100 renews at once, in its transaction: one renewal row,
// the certification in its next cycle from the old expiry for one
// validity, every credit of the cycle consumed once, the event, audit,
// mail and the issue job; the new cycle starts from nothing.
func TestApprovalReachingTheRequirementRenews(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		a := f.submit(f.candidate, f.talk(f.candidate, "Talk one", "50", "2026-11-20"))
		b := f.submit(f.candidate, f.talk(f.candidate, "Talk two", "50", "2026-11-21"))
		w := f.submit(f.candidate, f.workshop(f.candidate, "Workshop", "4"))
		f.decide(f.reviewer, a.ID, credits.Decision{Outcome: credits.OutcomePartial, Credits: "49.99", ReasonText: "Shorter"})
		f.decide(f.reviewer, b.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		if rows, _, _, _ := f.renewalCounts(t, 1); rows != 0 {
			t.Fatal("99.99 credits renewed the certification")
		}
		if c := f.current(t); c.Cycle != 1 || c.ExpiresOn != "2028-06-01" {
			t.Fatalf("before the requirement is met: %+v", c)
		}
		f.decide(f.reviewer, w.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		if rows, events, mails, jobs := f.renewalCounts(t, 1); rows != 1 || events != 1 || mails != 1 || jobs != 1 {
			t.Fatalf("renewal rows %d, events %d, mails %d, issue jobs %d; want 1 each", rows, events, mails, jobs)
		}
		c := f.current(t)
		ny, _ := time.LoadLocation("America/New_York")
		if c.Cycle != 2 || c.IssuedOn != "2028-06-02" || c.ExpiresOn != "2031-06-01" ||
			!c.ExpiresAt.Equal(time.Date(2031, 6, 2, 0, 0, 0, 0, ny)) || !c.IssuedAt.Equal(f.earned.ExpiresAt) {
			t.Fatalf("renewed = cycle %d %s..%s (%s..%s)", c.Cycle, c.IssuedOn, c.ExpiresOn, c.IssuedAt, c.ExpiresAt)
		}
		r, err := f.st.FindRenewalByCycle(f.ctx, f.earned.ID, 1)
		if err != nil || r.Cause != portal.RenewalByCredits || r.SubmissionID == nil || *r.SubmissionID != w.ID ||
			r.CreditsConsumed != 10399 || r.CreditsCarried != 0 || r.OldExpiresOn != "2028-06-01" {
			t.Fatalf("renewal = %+v, %v", r, err)
		}
		if n := f.db.Count(t, `SELECT COUNT(*) FROM ce_ledger WHERE kind = 'consumption' AND renewal_id = ?`, r.ID); n != 3 {
			t.Fatalf("%d consumption rows, want 3", n)
		}
		if len(f.db.Audit(t, "certification.renewed", fmt.Sprintf("user_certification:%d", f.earned.ID))) != 1 {
			t.Fatal("renewal not audited")
		}
		p, err := f.svc.Progress(f.ctx, f.candidate, "en")
		if err != nil || len(p) != 1 || p[0].Approved != 0 || p[0].ExpiresOn != "2031-06-01" || p[0].Met {
			t.Fatalf("progress of the new cycle = %+v, %v", p, err)
		}
		f.invariants(t)
	})
}

// TestLateApprovalRenewsFromTheOldExpiry: a submission sent before expiry
// for an activity of the cycle counts when approved after expiry; when it
// completes the requirement the certification renews from its old expiry.
func TestLateApprovalRenewsFromTheOldExpiry(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.clock.Set(time.Date(2028, 5, 20, 15, 0, 0, 0, time.UTC))
		a := f.submit(f.candidate, f.talk(f.candidate, "Early", "50", "2028-05-01"))
		b := f.submit(f.candidate, f.talk(f.candidate, "Last week", "50", "2028-05-15"))
		f.decide(f.reviewer, a.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		f.clock.Set(time.Date(2028, 7, 10, 15, 0, 0, 0, time.UTC)) // expired on 2028-06-01
		if s := f.current(t).Status(f.clock.Now(), 6); s != portal.CertExpired {
			t.Fatalf("status %s before the late approval, want expired", s)
		}
		f.decide(f.reviewer, b.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		c := f.current(t)
		if c.Cycle != 2 || c.IssuedOn != "2028-06-02" || c.ExpiresOn != "2031-06-01" || c.Status(f.clock.Now(), 6) != portal.CertActive {
			t.Fatalf("after the late approval: %+v", c)
		}
		f.invariants(t)
	})
}

// TestNoCarryOverByDefaultAndTheProgramsAllowance: without the option a
// renewal consumes every credit of the cycle; with carry_over_credits the
// latest credits of the cycle's last 6 months, up to the allowance and
// beyond the requirement, count toward the next cycle.
func TestNoCarryOverByDefaultAndTheProgramsAllowance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		carry         int
		consumed, now int
	}{
		{"none", 0, 10800, 0},
		{"ten credits", 1000, 10000, 800},
		{"too small for the row", 500, 10800, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testutil.ForEachEngine(t, func(t *testing.T, engine string) {
				f := newFixture(t, engine)
				if tc.carry > 0 {
					o, err := f.svc.Options(f.ctx)
					if err != nil {
						t.Fatal(err)
					}
					o.CarryOverCredits = tc.carry
					if _, err := f.svc.SetOptions(f.ctx, f.admin, o); err != nil {
						t.Fatal(err)
					}
				}
				f.clock.Set(time.Date(2028, 3, 1, 15, 0, 0, 0, time.UTC))
				late := credits.Submission{TypeCode: "official_workshop", Title: "Late workshop", CompletedOn: "2028-02-10", Claimed: "8",
					Evidence: []int64{f.upload(f.candidate, "late")}}
				w := f.submit(f.candidate, late)
				a := f.submit(f.candidate, f.talk(f.candidate, "Talk", "50", "2027-06-01"))
				b := f.submit(f.candidate, f.talk(f.candidate, "Talk again", "50", "2027-07-01"))
				for _, s := range []*portal.CESubmission{w, a, b} {
					f.decide(f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeApprove})
				}
				r, err := f.st.FindRenewalByCycle(f.ctx, f.earned.ID, 1)
				if err != nil || r.CreditsConsumed != tc.consumed || r.CreditsCarried != tc.now {
					t.Fatalf("renewal = %+v, %v; want %d consumed, %d carried", r, err, tc.consumed, tc.now)
				}
				p, err := f.svc.Progress(f.ctx, f.candidate, "en")
				if err != nil || len(p) != 1 || p[0].Approved != tc.now {
					t.Fatalf("progress = %+v, %v; want %d approved", p, err, tc.now)
				}
				f.invariants(t)
			})
		})
	}
	_, err := credits.New(nil, nil, nil, credits.Config{}).SetOptions(t.Context(), portal.SystemActor("t"),
		credits.Options{CountMode: credits.CountEvery, ReviewBusinessDays: 20, InfoDays: 30, MaxOpen: 30, CarryOverCredits: -1})
	wantField(t, err, credits.FieldCarryOver, "credits.error.carry_over")
}

// TestConcurrentApprovalsRenewOnce: 20 approvals at once, crossing the
// requirement together, make one renewal, one event, one mail and one
// issue job; consumption never exceeds the credits. On PostgreSQL the
// approvals go through three service instances, each over its own
// connection pool to the same database, as three app instances would.
func TestConcurrentApprovalsRenewOnce(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		instances := []*credits.Service{f.svc}
		if engine == store.Postgres {
			for range 2 {
				st, err := store.Open(f.ctx, store.Options{Engine: store.Postgres, PostgresURL: f.st.Pool().Config().ConnString(), Clock: f.clock})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = st.Close() })
				instances = append(instances, credits.New(st, f.clock, slog.New(slog.DiscardHandler), credits.Config{
					Calendar: f.calendar, BaseURL: "https://portal.example.org", Uploads: f.up}))
			}
		}
		var subs []*portal.CESubmission
		for i := range 20 {
			subs = append(subs, f.submit(f.candidate, credits.Submission{TypeCode: "official_workshop",
				Title: fmt.Sprintf("Workshop %d", i), CompletedOn: "2026-11-20", Claimed: "8",
				Evidence: []int64{f.upload(f.candidate, fmt.Sprint("w", i))}}))
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(subs))
		for i, s := range subs {
			r := f.reviewer
			if i%2 == 1 {
				r = f.reviewer2
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := instances[i%len(instances)].Decide(f.ctx, r, s.ID, credits.Decision{Outcome: credits.OutcomeApprove})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if rows, events, mails, jobs := f.renewalCounts(t, 1); rows != 1 || events != 1 || mails != 1 || jobs != 1 {
			t.Fatalf("renewal rows %d, events %d, mails %d, issue jobs %d; want 1 each", rows, events, mails, jobs)
		}
		if n := f.db.Count(t, `SELECT COUNT(*) FROM renewals`); n != 1 {
			t.Fatalf("%d renewals, want 1", n)
		}
		if c := f.current(t); c.Cycle != 2 {
			t.Fatalf("cycle %d, want 2", c.Cycle)
		}
		f.invariants(t)
	})
}

// TestRenewalInvariantsDetect: the checker reports a second renewal of a
// cycle, a renewal of a cycle its certification has not left, a
// consumption naming no renewal of its certification, consumption above
// the approved credits and a renewal whose consumption differs from what
// it records; each corruption is undone before the next.
func TestRenewalInvariantsDetect(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		a := f.submit(f.candidate, f.talk(f.candidate, "One", "50", "2026-11-20"))
		b := f.submit(f.candidate, f.talk(f.candidate, "Two", "50", "2026-11-21"))
		f.decide(f.reviewer, a.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		f.decide(f.reviewer, b.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		r, err := f.st.FindRenewalByCycle(f.ctx, f.earned.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		f.invariants(t)
		report := func(name string) bool {
			v, err := f.st.CheckInvariants(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range v {
				if strings.HasPrefix(s, store.CEInvariantPrefix+name) {
					return true
				}
			}
			return false
		}
		// The database refuses a second renewal of the cycle.
		err = f.st.Transact(f.ctx, func(tx *store.Tx) error {
			again := *r
			_, err := tx.InsertRenewal(f.ctx, again)
			return err
		})
		if !errors.Is(err, portal.ErrConflict) {
			t.Fatalf("a second renewal of the cycle: %v", err)
		}
		for _, tc := range []struct {
			name, corrupt, undo string
		}{
			{"renewal out of its certification's cycles", `UPDATE user_certifications SET cycle = 1 WHERE id = ?`,
				`UPDATE user_certifications SET cycle = 2 WHERE id = ?`},
			{"consumption of no renewal of its certification", `UPDATE ce_ledger SET renewal_id = renewal_id + 1000 WHERE kind = 'consumption' AND user_certification_id = ?`,
				`UPDATE ce_ledger SET renewal_id = renewal_id - 1000 WHERE kind = 'consumption' AND user_certification_id = ?`},
			{"consumption above the approved credits", `UPDATE ce_ledger SET credits = credits + 1 WHERE kind = 'consumption' AND user_certification_id = ?`,
				`UPDATE ce_ledger SET credits = credits - 1 WHERE kind = 'consumption' AND user_certification_id = ?`},
			{"renewal consumed other than it records", `UPDATE renewals SET credits_consumed = credits_consumed + 1 WHERE user_certification_id = ?`,
				`UPDATE renewals SET credits_consumed = credits_consumed - 1 WHERE user_certification_id = ?`},
		} {
			f.db.Exec(t, tc.corrupt, f.earned.ID)
			if !report(tc.name) {
				t.Errorf("%s went unnoticed", tc.name)
			}
			f.db.Exec(t, tc.undo, f.earned.ID)
			f.invariants(t)
		}
		if engine == store.Postgres {
			// Without the unique index (as a buggy migration might leave
			// it), the checker still sees a second renewal.
			f.db.Exec(t, `ALTER TABLE renewals DROP CONSTRAINT renewals_user_certification_id_cycle_key`)
			f.db.Exec(t, `INSERT INTO renewals (user_certification_id, cycle, user_id, cause, submission_id, old_issued_on, old_expires_on,
				old_issued_at, old_expires_at, new_issued_on, new_expires_on, new_expires_at, created_at)
				SELECT user_certification_id, cycle, user_id, cause, submission_id, old_issued_on, old_expires_on, old_issued_at, old_expires_at,
				new_issued_on, new_expires_on, new_expires_at, created_at FROM renewals WHERE id = ?`, r.ID)
			if !report("more than one renewal of a cycle") {
				t.Error("a second renewal of a cycle went unnoticed")
			}
		}
	})
}
