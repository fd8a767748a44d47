package results_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/testutil"
)

// TestEnterFindsTheCandidate: a result names its candidate by login ID or
// email; an unknown one, or the officer's own account, is refused on the
// candidate field; an entered result does not count yet.
func TestEnterFindsTheCandidate(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		taken := ny(2026, 11, 30, 10, 0)
		u, err := f.st.GetUser(f.ctx, f.candidate.UserID)
		if err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{u.LoginID, "  " + u.LoginID + " ", u.Email, " " + strings.ToUpper(u.Email)} {
			a, err := f.svc.Enter(f.ctx, f.officer, results.Entry{Candidate: who, ExamCode: "saa-c03", TakenAt: taken, Score: 800})
			if err != nil {
				t.Fatalf("enter for %q: %v", who, err)
			}
			if a.UserID != f.candidate.UserID || a.State != portal.AttemptEntered || a.Counts() {
				t.Fatalf("entered %+v", a)
			}
			taken = taken.Add(time.Minute)
		}
		for name, who := range map[string]string{"unknown": "CP99999999", "empty": " ", "unknown email": "nobody@example.org"} {
			_, err := f.svc.Enter(f.ctx, f.officer, results.Entry{Candidate: who, ExamCode: "SAA-C03", TakenAt: taken, Score: 800})
			if got := testutil.FieldErrors(t, err)[results.FieldCandidate]; got == "" {
				t.Errorf("%s: no candidate field error (%v)", name, err)
			}
		}
		_, err = f.svc.Enter(f.ctx, f.officer, results.Entry{Candidate: f.loginID(f.officer), ExamCode: "SAA-C03", TakenAt: taken, Score: 800})
		if got := testutil.FieldErrors(t, err)[results.FieldCandidate]; got != "results.error.own_account" {
			t.Fatalf("own account: %q (%v)", got, err)
		}
		if _, err := f.svc.Enter(f.ctx, f.candidate, results.Entry{Candidate: f.loginID(f.candidate)}); !errors.Is(err, portal.ErrForbidden) {
			t.Fatalf("candidate enters: %v, want forbidden", err)
		}
		_, err = f.svc.Enter(f.ctx, f.officer, results.Entry{Candidate: f.loginID(f.candidate), ExamCode: "SAA-C03", TakenAt: taken, Score: 99})
		if got := testutil.FieldErrors(t, err)[results.FieldScore]; got != "results.error.score_range" {
			t.Fatalf("score 99: %q", got)
		}
		if n := f.count(`SELECT COUNT(*) FROM due_work WHERE kind = ?`, results.KindPublish); n != 0 {
			t.Fatalf("%d publications scheduled for entered results", n)
		}
		h, err := f.svc.History(f.ctx, f.candidate)
		if err != nil || len(h) != 0 {
			t.Fatalf("history shows entered results: %+v, %v", h, err)
		}
		list, err := f.svc.Awaiting(f.ctx, f.second)
		if err != nil || len(list) != 4 {
			t.Fatalf("awaiting = %d, %v", len(list), err)
		}
	})
}

// TestConfirmNeedsASecondOfficer: the officer who entered a result cannot
// confirm it; another can, once, and then it counts: publication is
// scheduled at its official instant, the candidate is told, the event is
// written.
func TestConfirmNeedsASecondOfficer(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		a := f.enter(f.candidate, f.saa, ny(2026, 11, 30, 10, 0), 800)
		_, err := f.svc.Confirm(f.ctx, f.officer, a.ID)
		wantCode(t, err, portal.EForbidden, "results.error.same_officer")
		if _, err := f.svc.Confirm(f.ctx, f.candidate, a.ID); !errors.Is(err, portal.ErrForbidden) {
			t.Fatalf("candidate confirms: %v", err)
		}
		got, err := f.svc.Confirm(f.ctx, f.second, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != portal.AttemptPreliminary || got.ConfirmedBy == nil || *got.ConfirmedBy != f.second.UserID {
			t.Fatalf("confirmed = %+v", got)
		}
		// Monday 30 November plus 5 business days: Monday 7 December, from
		// midnight in New York.
		if want := ny(2026, 12, 7, 0, 0); !got.OfficialAt.Equal(want) {
			t.Fatalf("official at %s, want %s", got.OfficialAt, want)
		}
		if n := f.count(`SELECT COUNT(*) FROM due_work WHERE kind = ? AND key = ? AND state = 'pending' AND due_at = ?`,
			results.KindPublish, "attempt:"+itoa(a.ID), got.OfficialAt.UTC()); n != 1 {
			t.Fatalf("publication due work = %d, want 1 at the official instant", n)
		}
		if f.mails("preliminary", a.ID) != 1 || f.events(portal.EventResultRecorded, portal.SubjectAttempt, a.ID) != 1 {
			t.Fatalf("preliminary mail %d, recorded events %d", f.mails("preliminary", a.ID), f.events(portal.EventResultRecorded, portal.SubjectAttempt, a.ID))
		}
		_, err = f.svc.Confirm(f.ctx, f.admin, a.ID)
		wantCode(t, err, portal.EConflict, "results.error.not_entered")
	})
}

// TestRejectDiscardsAnEnteredResult: a reason is required; the result is
// gone and the audit log keeps what it said.
func TestRejectDiscardsAnEnteredResult(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		a := f.enter(f.candidate, f.saa, ny(2026, 11, 30, 10, 0), 650)
		err := f.svc.Reject(f.ctx, f.second, a.ID, "  ")
		if got := testutil.FieldErrors(t, err)[results.FieldReason]; got != "results.error.reason_required" {
			t.Fatalf("no reason: %q", got)
		}
		if err := f.svc.Reject(f.ctx, f.second, a.ID, "Score typed for the wrong candidate"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.GetAttempt(f.ctx, a.ID); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("rejected attempt still there: %v", err)
		}
		list := f.audit("results.rejected", a.ID)
		if len(list) != 1 || list[0].Detail != "Score typed for the wrong candidate" || change(t, list[0], "score").Before != "650" {
			t.Fatalf("audit = %+v", list)
		}
		if _, err := f.svc.Confirm(f.ctx, f.second, a.ID); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("confirm a rejected result: %v", err)
		}
		b := f.counted(f.candidate, f.saa, ny(2026, 11, 30, 11, 0), 650)
		wantCode(t, f.svc.Reject(f.ctx, f.second, b.ID, "late"), portal.EConflict, "results.error.not_entered")
	})
}
