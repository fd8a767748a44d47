package credits_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestDecideIsACompareAndSet: two reviewers deciding at once make one
// decision; the other gets "already decided", and the ledger holds the
// credits once.
func TestDecideIsACompareAndSet(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		s := f.submit(f.candidate, f.workshop(f.candidate, "Race", "8"))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, r := range []portal.Actor{f.reviewer, f.reviewer2} {
			wg.Go(func() {
				_, errs[i] = f.svc.Decide(f.ctx, r, s.ID, credits.Decision{Outcome: credits.OutcomeApprove})
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				wantCode(t, err, portal.EConflict, "credits.error.already_decided")
			}
		}
		if ok != 1 {
			t.Fatalf("decisions = %v", errs)
		}
		if got := f.ledger(f.candidate)[f.earned.ID]; got != 800 {
			t.Fatalf("ledger = %d, want 800", got)
		}
		if f.db.Events(t, portal.EventCEDecided, portal.SubjectCE, s.ID) != 1 || f.mails("decided", s.ID, 1) != 1 {
			t.Fatal("want one event and one mail")
		}
		_, err := f.svc.Decide(f.ctx, f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeDeny, ReasonCode: "other", ReasonText: "late"})
		wantCode(t, err, portal.EConflict, "credits.error.already_decided")
		f.invariants(t)
	})
}

// TestDecisionRules: who may decide (SECURITY.md AC-02: a reviewer who is
// also a candidate cannot decide their own submission), what each outcome
// needs, and the server's clamping of the credits sent.
func TestDecisionRules(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		t.Run("a candidate may not decide", func(t *testing.T) {
			s := f.submit(f.candidate, f.workshop(f.candidate, "Not yours", "8"))
			_, err := f.svc.Decide(f.ctx, f.db.Candidate(t), s.ID, credits.Decision{Outcome: credits.OutcomeApprove})
			wantCode(t, err, portal.EForbidden, "")
		})
		t.Run("nobody reviews their own submission", func(t *testing.T) {
			f.db.Earned(t, f.reviewer, f.exam, f.cert, time.Date(2025, 6, 1, 15, 0, 0, 0, time.UTC))
			s := f.submit(f.reviewer, f.workshop(f.reviewer, "My own", "8"))
			_, err := f.svc.Decide(f.ctx, f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeApprove})
			wantCode(t, err, portal.EForbidden, "credits.error.own_submission")
			_, err = f.svc.Claim(f.ctx, f.reviewer2, s.ID, f.reviewer.UserID)
			wantCode(t, err, portal.EForbidden, "credits.error.own_submission")
			f.decide(f.reviewer2, s.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		})
		t.Run("partial needs a reason", func(t *testing.T) {
			s := f.submit(f.candidate, f.workshop(f.candidate, "Partial", "8"))
			_, err := f.svc.Decide(f.ctx, f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomePartial, Credits: "5"})
			wantField(t, err, credits.FieldReasonText, "credits.error.reason_required")
			d := f.decide(f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomePartial, Credits: "5", ReasonText: "Half a day"})
			if d.State != portal.CEPartial || d.Granted != 500 {
				t.Fatalf("partial = %+v", d)
			}
		})
		t.Run("partial outside the range is refused by the credits field", func(t *testing.T) {
			s := f.submit(f.candidate, f.workshop(f.candidate, "Too low", "8"))
			for _, amount := range []string{"0.5", "3.99", "8.01", "80"} {
				_, err := f.svc.Decide(f.ctx, f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomePartial, Credits: amount, ReasonText: "Short"})
				wantField(t, err, credits.FieldCredits, "credits.error.partial_range")
				var pe *portal.Error
				if errors.As(err, &pe) && (pe.Fields[0].Data["Low"] != "4" || pe.Fields[0].Data["High"] != "8") {
					t.Errorf("%s credits: refused with %v, want between 4 and 8", amount, pe.Fields[0].Data)
				}
			}
			// The reason's problem comes with the range's, not after it.
			_, err := f.svc.Decide(f.ctx, f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomePartial, Credits: "1"})
			wantField(t, err, credits.FieldCredits, "credits.error.partial_range")
			wantField(t, err, credits.FieldReasonText, "credits.error.reason_required")
			d := f.decide(f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomePartial, Credits: "4", ReasonText: "Half a day"})
			if d.State != portal.CEPartial || d.Granted != 400 {
				t.Fatalf("partial at the minimum = %+v", d)
			}
		})
		t.Run("partial below one hundredth is refused for other rules", func(t *testing.T) {
			s := f.submit(f.candidate, f.review95(f.candidate, "Nothing counted"))
			_, err := f.svc.Decide(f.ctx, f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomePartial, Credits: "0", ReasonText: "None"})
			wantField(t, err, credits.FieldCredits, "credits.error.partial_range")
			_, err = f.svc.Decide(f.ctx, f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomePartial, Credits: "1.75", ReasonText: "More"})
			wantField(t, err, credits.FieldCredits, "credits.error.partial_range")
		})
		t.Run("partial above the claim within the range is an approval as claimed", func(t *testing.T) {
			s := f.submit(f.candidate, f.workshop(f.candidate, "Too high", "6"))
			d := f.decide(f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomePartial, Credits: "7", ReasonText: "Generous"})
			if d.Granted != 600 || d.State != portal.CEApproved {
				t.Fatalf("decision %+v", d)
			}
		})
		t.Run("deny needs a reason from the list and a text", func(t *testing.T) {
			s := f.submit(f.candidate, f.workshop(f.candidate, "Denied", "8"))
			_, err := f.svc.Decide(f.ctx, f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeDeny, ReasonCode: "whim", ReasonText: "x"})
			wantField(t, err, credits.FieldReasonCode, "credits.error.deny_reason")
			_, err = f.svc.Decide(f.ctx, f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeDeny, ReasonCode: "not_eligible"})
			wantField(t, err, credits.FieldReasonText, "credits.error.reason_required")
			d := f.decide(f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeDeny, ReasonCode: "not_eligible", ReasonText: "Vendor event"})
			if d.State != portal.CEDenied || d.Granted != 0 {
				t.Fatalf("deny = %+v", d)
			}
			if f.mails("decided", s.ID, 1) != 1 {
				t.Fatal("no decision mail")
			}
		})
		f.invariants(t)
	})
}

// TestCapsBoundTheLedger: the per-activity cap bounds a claim, the type's
// cap per cycle and the requirement's maximum per type bound what reaches
// the ledger, whatever was approved.
func TestCapsBoundTheLedger(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		// Documentation review: 0.25 per 15 minutes, at most 4 an activity.
		long := f.review95(f.candidate, "Long review")
		long.Duration = "10h"
		s := f.submit(f.candidate, long)
		if s.Claimed != 400 {
			t.Fatalf("claimed %d, want the cap 400", s.Claimed)
		}
		// A cap per cycle of 10 credits on workshops.
		w, err := f.svc.ActivityType(f.ctx, "official_workshop")
		if err != nil {
			t.Fatal(err)
		}
		w.CapCycle = 1000
		if _, err := f.svc.SaveActivityType(f.ctx, f.admin, *w); err != nil {
			t.Fatal(err)
		}
		a := f.submit(f.candidate, f.workshop(f.candidate, "Workshop A", "8"))
		b := f.submit(f.candidate, f.workshop(f.candidate, "Workshop B", "8"))
		f.decide(f.reviewer, a.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		f.decide(f.reviewer, b.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		if got := f.ledger(f.candidate)[f.earned.ID]; got != 1000 {
			t.Fatalf("ledger %d, want the cycle cap 1000", got)
		}
		// The requirement counts at most 2 credits of partner training.
		req := credits.DefaultRequirement()
		req.Alternatives[0].Conditions[0].TypeMax = map[string]int{"partner_training": 200}
		if err := f.svc.SetRequirement(f.ctx, f.admin, f.cert.ID, req); err != nil {
			t.Fatal(err)
		}
		p := f.submit(f.candidate, credits.Submission{TypeCode: "partner_training", Title: "Partner", CompletedOn: "2026-11-20",
			Duration: "5h", Evidence: []int64{f.upload(f.candidate, "partner")}})
		f.decide(f.reviewer, p.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		if got := f.ledger(f.candidate)[f.earned.ID]; got != 1200 {
			t.Fatalf("ledger %d, want 1200", got)
		}
		f.invariants(t)
	})
}

// TestMoreInformation: asking pauses the target clock and schedules the
// close; a reply resumes it and moves the target; no reply within 30 days
// closes the submission as denied.
func TestMoreInformation(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		s := f.submit(f.candidate, f.workshop(f.candidate, "Unclear", "8"))
		_, err := f.svc.Decide(f.ctx, f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeInfo})
		wantField(t, err, credits.FieldReasonText, "credits.error.info_question")
		asked := f.decide(f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeInfo, ReasonText: "Which day was it?"})
		if asked.State != portal.CEInfo || f.mails("info", s.ID, 1) != 1 {
			t.Fatalf("asked = %+v", asked)
		}
		due, err := f.st.FindDueWorkByKey(f.ctx, credits.KindInfoExpiry, "ce_submission:"+itoa(s.ID)+":1")
		if err != nil || !due.DueAt.Equal(fixtureNow.AddDate(0, 0, 30)) {
			t.Fatalf("due work = %+v, %v", due, err)
		}
		// Ten days later (2026-12-11, Friday) the candidate replies: the
		// 20 business days left at the pause count from now.
		f.clock.Set(fixtureNow.AddDate(0, 0, 10))
		r, err := f.svc.Respond(f.ctx, f.candidate, s.ID, "It was on 20 November.", []int64{f.upload(f.candidate, "agenda")})
		if err != nil || r.State != portal.CEPending || len(r.Evidence) != 2 {
			t.Fatalf("respond = %+v, %v", r, err)
		}
		if *r.TargetOn != "2027-01-08" {
			t.Fatalf("target %s, want 2027-01-08", *r.TargetOn)
		}
		if due, _ := f.st.FindDueWorkByKey(f.ctx, credits.KindInfoExpiry, "ce_submission:"+itoa(s.ID)+":1"); due.State == "pending" {
			t.Fatal("the close is still scheduled after the reply")
		}
		_, err = f.svc.Respond(f.ctx, f.candidate, s.ID, "again", nil)
		wantCode(t, err, portal.EConflict, "credits.error.no_question")

		// Asked again and left unanswered: closed as denied.
		again := f.decide(f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeInfo, ReasonText: "And the agenda's author?"})
		args, _ := json.Marshal(map[string]any{"submission_id": s.ID, "decisions": again.Decisions})
		f.clock.Set(f.clock.Now().AddDate(0, 0, 30))
		if err := f.svc.HandleInfoExpiryJob(f.ctx, args); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.HandleInfoExpiryJob(f.ctx, args); err != nil {
			t.Fatal(err)
		}
		got, err := f.st.GetCESubmission(f.ctx, s.ID)
		if err != nil || got.State != portal.CEDenied || got.ReasonCode != credits.ReasonNoReply || got.Decisions != again.Decisions+1 {
			t.Fatalf("after the wait: %+v, %v", got, err)
		}
		if f.db.Events(t, portal.EventCEDecided, portal.SubjectCE, s.ID) != 1 {
			t.Fatal("the close wrote no single event")
		}
		h, err := f.svc.History(f.ctx, f.candidate, "en")
		if err != nil || h[0].ReviewerRole != "system" {
			t.Fatalf("history = %+v, %v", h, err)
		}
	})
}

// TestAppealOnceToAnotherReviewer: one appeal per denial, with a comment
// and new evidence, decided by a reviewer other than the one who denied.
func TestAppealOnceToAnotherReviewer(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		s := f.submit(f.candidate, f.workshop(f.candidate, "Appealed", "8"))
		_, err := f.svc.Appeal(f.ctx, f.candidate, s.ID, "Please", []int64{f.upload(f.candidate, "x")})
		wantCode(t, err, portal.EConflict, "credits.error.not_appealable")
		f.decide(f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeDeny, ReasonCode: "insufficient_evidence", ReasonText: "No certificate"})
		_, err = f.svc.Appeal(f.ctx, f.candidate, s.ID, "", []int64{f.upload(f.candidate, "y")})
		wantField(t, err, credits.FieldComment, "credits.error.appeal_comment")
		_, err = f.svc.Appeal(f.ctx, f.candidate, s.ID, "Here it is", nil)
		wantField(t, err, credits.FieldEvidence, "credits.error.evidence_count")
		_, err = f.svc.Appeal(f.ctx, f.candidate, s.ID, "The same file again", s.Evidence)
		wantField(t, err, credits.FieldEvidence, "credits.error.evidence_in_use")
		a, err := f.svc.Appeal(f.ctx, f.candidate, s.ID, "Here is the certificate", []int64{f.upload(f.candidate, "certificate")})
		if err != nil || a.State != portal.CEAppealed {
			t.Fatalf("appeal = %+v, %v", a, err)
		}
		_, err = f.svc.Decide(f.ctx, f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		wantCode(t, err, portal.EForbidden, "credits.error.appeal_same_reviewer")
		d := f.decide(f.reviewer2, s.ID, credits.Decision{Outcome: credits.OutcomeDeny, ReasonCode: "not_eligible", ReasonText: "Still no"})
		if f.mails("appeal", s.ID, d.Decisions) != 1 {
			t.Fatal("no appeal mail")
		}
		_, err = f.svc.Appeal(f.ctx, f.candidate, s.ID, "Again", []int64{f.upload(f.candidate, "z")})
		wantCode(t, err, portal.EConflict, "credits.error.appealed_once")
		if len(f.db.Audit(t, "ce.appeal_decided", "ce_submission:"+itoa(s.ID))) != 1 {
			t.Fatal("appeal decision not audited")
		}
	})
}

// TestReversal: an admin reverses an approval with a reason: the ledger
// takes the credits back, or, when a renewal already used them, flags
// the renewal and leaves it; the candidate is told either way.
func TestReversal(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		// 14 credits renew SAA: a (8) alone does not, a and b (6) do.
		if err := f.svc.SetRequirement(f.ctx, f.admin, f.cert.ID, credits.Requirement{Alternatives: []credits.Alternative{
			{Conditions: []credits.Condition{{Kind: credits.CondCredits, Credits: 1400}}}}}); err != nil {
			t.Fatal(err)
		}
		a := f.submit(f.candidate, f.workshop(f.candidate, "Reversed", "8"))
		b := f.submit(f.candidate, f.workshop(f.candidate, "Consumed", "6"))
		c := f.submit(f.candidate, f.workshop(f.candidate, "Renewing", "8"))
		f.decide(f.reviewer, a.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		_, err := f.svc.Reverse(f.ctx, f.reviewer, a.ID, "Fraud")
		wantCode(t, err, portal.EForbidden, "")
		_, err = f.svc.Reverse(f.ctx, f.admin, a.ID, " ")
		wantField(t, err, credits.FieldReasonText, "credits.error.reason_required")
		r, err := f.svc.Reverse(f.ctx, f.admin, a.ID, "The event was cancelled")
		if err != nil || r.State != portal.CEDenied || r.ReasonCode != credits.ReasonReversed {
			t.Fatalf("reverse = %+v, %v", r, err)
		}
		if got := f.ledger(f.candidate)[f.earned.ID]; got != 0 {
			t.Fatalf("ledger %d, want 0", got)
		}
		if f.mails("reversed", a.ID, r.Decisions) != 1 || len(f.db.Audit(t, "ce.decision_reversed", "ce_submission:"+itoa(a.ID))) != 1 {
			t.Fatal("reversal not mailed or audited")
		}
		// b and c reach 14 credits: the renewal consumes both.
		f.decide(f.reviewer, b.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		f.decide(f.reviewer, c.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		ren, err := f.st.FindRenewalByCycle(f.ctx, f.earned.ID, 1)
		if err != nil || ren.CreditsConsumed != 1400 {
			t.Fatalf("renewal = %+v, %v", ren, err)
		}
		var creditID int64
		if err := f.st.DB().QueryRowContext(f.ctx, testutil.Rebind(engine, `SELECT id FROM ce_ledger WHERE submission_id = ? AND kind = 'credit'`), b.ID).Scan(&creditID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Reverse(f.ctx, f.admin, b.ID, "Duplicate of another claim"); err != nil {
			t.Fatal(err)
		}
		if n, err := f.st.CountCERenewalFlags(f.ctx, b.ID); err != nil || n != 1 {
			t.Fatalf("renewal flags = %d, %v", n, err)
		}
		if n := f.db.Count(t, `SELECT COUNT(*) FROM ce_renewal_flags WHERE renewal_id = ? AND submission_id = ?`, ren.ID, b.ID); n != 1 {
			t.Fatalf("%d flags of renewal %d, want 1", n, ren.ID)
		}
		if n := f.db.Count(t, `SELECT COUNT(*) FROM ce_ledger WHERE reverses_id = ?`, creditID); n != 0 {
			t.Fatal("the consumed credits were undone")
		}
		if uc, err := f.st.FindRenewalByCycle(f.ctx, f.earned.ID, 1); err != nil || uc.ID != ren.ID {
			t.Fatalf("the renewal is gone: %+v, %v", uc, err)
		}
		_, err = f.svc.Reverse(f.ctx, f.admin, b.ID, "Again")
		wantCode(t, err, portal.EConflict, "credits.error.not_reversible")
		// A credit row is consumed once.
		err = f.st.Transact(f.ctx, func(tx *store.Tx) error {
			_, err := tx.InsertCELedgerEntry(f.ctx, portal.CELedgerEntry{UserID: f.candidate.UserID, UserCertificationID: f.earned.ID,
				SubmissionID: b.ID, TypeID: b.TypeID, Kind: portal.CELedgerConsumption, Decision: 1, Credits: 600,
				CompletedOn: b.CompletedOn, ConsumesID: &creditID, RenewalID: &ren.ID})
			return err
		})
		if !errors.Is(err, portal.ErrConflict) {
			t.Fatalf("a second consumption of one credit: %v", err)
		}
		f.invariants(t)
	})
}

// TestVersionKeptBySubmission: editing a type writes a new version; a
// submission made before keeps the version it was made under.
func TestVersionKeptBySubmission(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		old := f.submit(f.candidate, f.review95(f.candidate, "Under version 1"))
		typ, err := f.svc.ActivityType(f.ctx, "documentation_review")
		if err != nil {
			t.Fatal(err)
		}
		typ.PerUnit, typ.CapActivity = 10, 100
		v2, err := f.svc.SaveActivityType(f.ctx, f.admin, *typ)
		if err != nil || v2.Version != 2 {
			t.Fatalf("v2 = %+v, %v", v2, err)
		}
		same, err := f.svc.SaveActivityType(f.ctx, f.admin, *v2)
		if err != nil || same.Version != 2 {
			t.Fatalf("an unchanged save made a version: %+v, %v", same, err)
		}
		if _, err := f.svc.SaveActivityType(f.ctx, f.reviewer, *typ); err == nil {
			t.Fatal("a reviewer edited the catalogue")
		}
		d := f.decide(f.reviewer, old.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		if d.Granted != 150 {
			t.Fatalf("granted %d under version 1's rule, want 150", d.Granted)
		}
		n := f.submit(f.candidate, f.review95(f.candidate, "Under version 2"))
		if n.Claimed != 60 || n.VersionID != v2.VersionID {
			t.Fatalf("new submission = %+v", n)
		}
		if ch := f.db.Audit(t, "ce.activity_type_changed", "ce_activity_type:documentation_review"); len(ch) != 1 || len(ch[0].Changes) == 0 {
			t.Fatalf("audit = %+v", ch)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestConcurrentApprovalsKeepTheCycleCap: two reviewers approving two
// activities of a capped type at once (8 credits each against a cap of
// 10) leave the ledger at the cap: the second approval counts only the 2
// credits left.
//
// The test makes the two approvals meet where the cap is decided: the
// first to read what the ledger holds waits, at that read, until the
// other approval reads it too, or has asked for the candidate's row lock
// that queues approvals of one candidate (credits.credit), where it then
// waits until the first commits. Without that lock both read an empty
// ledger and both count 8 credits. On SQLite the one writer runs the
// transactions one after the other, so they cannot meet and the
// approvals just run.
func TestConcurrentApprovalsKeepTheCycleCap(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		w, err := f.svc.ActivityType(f.ctx, "official_workshop")
		if err != nil {
			t.Fatal(err)
		}
		w.CapCycle = 1000
		if _, err := f.svc.SaveActivityType(f.ctx, f.admin, *w); err != nil {
			t.Fatal(err)
		}
		subs := []*portal.CESubmission{
			f.submit(f.candidate, f.workshop(f.candidate, "Workshop A", "8")),
			f.submit(f.candidate, f.workshop(f.candidate, "Workshop B", "8")),
		}
		var m *ledgerMeeting
		if engine == store.Postgres {
			m = newLedgerMeeting(len(subs))
			stop := f.st.RecordStatements(m.observe)
			defer stop()
			defer m.release()
		}
		var wg sync.WaitGroup
		errs := make([]error, len(subs))
		start := make(chan struct{})
		for i, s := range subs {
			r := []portal.Actor{f.reviewer, f.reviewer2}[i%2]
			wg.Go(func() {
				<-start
				_, errs[i] = f.svc.Decide(f.ctx, r, s.ID, credits.Decision{Outcome: credits.OutcomeApprove})
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if m != nil && m.timedOut() {
			t.Errorf("the approvals neither met at the ledger nor queued at the candidate's lock within %s", meetingTimeout)
		}
		if got := f.ledger(f.candidate)[f.earned.ID]; got != 1000 {
			t.Fatalf("ledger %d, want the cap 1000", got)
		}
		f.invariants(t)
	})
}

// ledgerMeeting holds each approval at its read of the ledger until all
// n approvals are there, or the others have asked for the candidate's row
// lock (PostgreSQL: SELECT ... FROM users ... FOR UPDATE), which they
// cannot get before the waiting one commits. The first n reads meet; a
// read after them passes.
type ledgerMeeting struct {
	n       int
	mu      sync.Mutex
	changed *sync.Cond
	reads   int // ledger reads seen
	locks   int // requests of the candidate's lock seen
	done    bool
	expired bool // a read waited meetingTimeout
}

func (m *ledgerMeeting) timedOut() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.expired
}

func newLedgerMeeting(n int) *ledgerMeeting {
	m := &ledgerMeeting{n: n}
	m.changed = sync.NewCond(&m.mu)
	return m
}

// meetingTimeout bounds the wait of a read that nobody joins: a lock
// other than the one the meeting knows would leave it waiting.
const meetingTimeout = 30 * time.Second

func (m *ledgerMeeting) observe(st store.Statement) {
	q := strings.ToLower(st.Query)
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case strings.Contains(q, "from users where id =") && strings.Contains(q, "for update"):
		m.locks++
		m.changed.Broadcast()
	case strings.HasPrefix(strings.TrimSpace(q), "select") && strings.Contains(q, "from ce_ledger"):
		m.reads++
		if m.reads > m.n {
			return
		}
		m.changed.Broadcast()
		timer := time.AfterFunc(meetingTimeout, func() {
			m.mu.Lock()
			m.expired = true
			m.mu.Unlock()
			m.release()
		})
		defer timer.Stop()
		// The reads so far and the lock requests of approvals that have
		// not read yet: the meeting is complete when they cover all.
		for !m.done && m.reads < m.n && m.reads+max(0, m.locks-m.reads) < m.n {
			m.changed.Wait()
		}
	}
}

// release lets every waiting read go.
func (m *ledgerMeeting) release() {
	m.mu.Lock()
	m.done = true
	m.changed.Broadcast()
	m.mu.Unlock()
}

// TestApprovedAfterExpiryStillCounts: an activity of the cycle submitted
// before expiry counts toward that cycle when it is approved after it; a
// new submission after expiry is refused.
func TestApprovedAfterExpiryStillCounts(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.clock.Set(time.Date(2028, 5, 20, 15, 0, 0, 0, time.UTC))
		form := f.workshop(f.candidate, "Late in the cycle", "8")
		form.CompletedOn = "2028-05-15"
		s := f.submit(f.candidate, form)
		f.clock.Set(time.Date(2028, 6, 10, 15, 0, 0, 0, time.UTC))
		late := f.workshop(f.candidate, "After expiry", "8")
		late.CompletedOn = "2028-05-16"
		_, err := f.svc.Submit(f.ctx, f.candidate, late)
		wantField(t, err, credits.FieldCompletedOn, "credits.error.outside_cycles")
		f.decide(f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		if got := f.ledger(f.candidate)[f.earned.ID]; got != 800 {
			t.Fatalf("ledger %d, want 800", got)
		}
		f.invariants(t)
	})
}
