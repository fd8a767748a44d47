package credits_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestTranscriptRecord: the transcript's record holds the totals the
// dashboard shows and every submitted activity (no draft, no withdrawn
// one), oldest completion first, with its credits, decision day in the
// program's time zone and the certifications its credits went to (none
// after a reversal); its
// instant is the latest stored change, the same when read again later and
// newer after a decision; it is always the actor's own.
func TestTranscriptRecord(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		early := f.workshop(f.candidate, "Early workshop", "8")
		early.CompletedOn = "2026-10-02"
		a := f.submit(f.candidate, early)
		b := f.submit(f.candidate, f.review95(f.candidate, "Whitepaper"))
		c := f.submit(f.candidate, f.workshop(f.candidate, "Pending workshop", "5"))
		d := f.submit(f.candidate, f.workshop(f.candidate, "Denied workshop", "4"))
		w := f.submit(f.candidate, f.workshop(f.candidate, "Withdrawn workshop", "6"))
		if _, err := f.svc.Withdraw(f.ctx, f.candidate, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SaveDraft(f.ctx, f.candidate, f.workshop(f.candidate, "Draft workshop", "6")); err != nil {
			t.Fatal(err)
		}
		// Decided at 02:00 UTC on 2 December: still 1 December in New York.
		f.clock.Set(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
		f.decide(f.reviewer, a.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		f.decide(f.admin, b.ID, credits.Decision{Outcome: credits.OutcomePartial, Credits: "1", ReasonText: "Only one hour counted"})
		f.decide(f.reviewer, d.ID, credits.Decision{Outcome: credits.OutcomeDeny, ReasonCode: "not_eligible", ReasonText: "Sales event"})
		decided := f.clock.Now()

		f.clock.Set(time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC))
		rec, at, err := f.svc.Transcript(f.ctx, f.candidate, "es")
		if err != nil {
			t.Fatal(err)
		}
		if !at.Equal(decided) {
			t.Errorf("instant = %v, want the last decision's %v", at, decided)
		}
		progress, err := f.svc.Progress(f.ctx, f.candidate, "es")
		if err != nil || len(progress) != 1 {
			t.Fatalf("progress = %+v, %v", progress, err)
		}
		p := progress[0]
		want := []struct {
			title, state     string
			claimed, granted int
			decided          string
			counts           []string
		}{
			{"Early workshop", portal.CEApproved, 800, 800, "2026-12-01", []string{"SAA"}},
			{"Whitepaper", portal.CEPartial, b.Claimed, 100, "2026-12-01", []string{"SAA"}},
			{"Pending workshop", portal.CEPending, 500, 0, "", nil},
			{"Denied workshop", portal.CEDenied, 400, 0, "2026-12-01", nil},
		}
		if len(rec.Certifications) != 1 {
			t.Fatalf("certifications = %+v", rec.Certifications)
		}
		got := rec.Certifications[0]
		if got.Code != "SAA" || got.Approved != p.Approved || got.Pending != p.Pending || got.Needed != p.Needed ||
			got.Missing != p.Missing || got.IssuedOn != f.earned.IssuedOn || got.ExpiresOn != f.earned.ExpiresOn {
			t.Errorf("totals = %+v, want the dashboard's %+v", got, p)
		}
		if got.Approved != 900 || got.Pending != 500 || got.Needed != 10000 || got.Missing != 9100 {
			t.Errorf("totals = %+v", got)
		}
		if len(rec.Activities) != len(want) {
			t.Fatalf("activities = %+v", rec.Activities)
		}
		for i, w := range want {
			a := rec.Activities[i]
			if a.Title != w.title || a.State != w.state || a.Claimed != w.claimed || a.Granted != w.granted || a.DecidedOn != w.decided ||
				!slices.Equal(a.CountsFor, w.counts) {
				t.Errorf("activity %d = %+v, want %+v", i, a, w)
			}
		}
		if rec.Activities[0].Type != "Taller o evento oficial" {
			t.Errorf("type = %q, want its Spanish name", rec.Activities[0].Type)
		}

		// The same record a day later: the same instant.
		f.clock.Set(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
		if _, again, err := f.svc.Transcript(f.ctx, f.candidate, "es"); err != nil || !again.Equal(at) {
			t.Errorf("instant a day later = %v, %v; want %v", again, err, at)
		}
		f.decide(f.reviewer2, c.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		rec, later, err := f.svc.Transcript(f.ctx, f.candidate, "en")
		if err != nil || !later.Equal(f.clock.Now()) || rec.Certifications[0].Approved != 1400 || rec.Certifications[0].Pending != 0 {
			t.Errorf("after another decision: instant %v (want %v), totals %+v, %v", later, f.clock.Now(), rec.Certifications, err)
		}

		// A reversal takes the credits back: the activity is denied and
		// counts toward nothing, and the record has a newer instant.
		f.clock.Advance(time.Hour)
		if _, err := f.svc.Reverse(f.ctx, f.admin, a.ID, "Evidence was not genuine"); err != nil {
			t.Fatal(err)
		}
		rec, reversed, err := f.svc.Transcript(f.ctx, f.candidate, "en")
		if err != nil || !reversed.Equal(f.clock.Now()) || rec.Certifications[0].Approved != 600 {
			t.Fatalf("after the reversal: instant %v, totals %+v, %v", reversed, rec.Certifications, err)
		}
		if first := rec.Activities[0]; first.Title != "Early workshop" || first.State != portal.CEDenied || first.CountsFor != nil {
			t.Errorf("the reversed activity = %+v", first)
		}

		// Another candidate sees only their own, empty record.
		other := f.db.Candidate(t)
		rec, _, err = f.svc.Transcript(f.ctx, other, "en")
		if err != nil || len(rec.Activities) != 0 || len(rec.Certifications) != 0 {
			t.Errorf("another candidate's record = %+v, %v", rec, err)
		}
		if _, _, err := f.svc.Transcript(f.ctx, portal.Actor{}, "en"); !errors.Is(err, portal.ErrUnauthorized) {
			t.Errorf("a visitor's record: %v, want unauthorized", err)
		}
	})
}
