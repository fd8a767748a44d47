package credits_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
)

// snapshotTables are the tables the review actions write.
var snapshotTables = []string{"ce_submissions", "ce_ledger", "ce_evidence", "ce_renewal_flags", "renewals",
	"user_certifications", "audit_log", "events", "job_outbox"}

// snapshot describes, as text, everything a review action on submission id
// may change: the submission's decision fields, the row count of each
// table it writes and the pending due work.
func (f *fixture) snapshot(t *testing.T, id int64) string {
	t.Helper()
	s, err := f.st.GetCESubmission(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "state=%s decisions=%d granted=%d evidence=%d flagged=%t assignee=%v notes=%q;",
		s.State, s.Decisions, s.Granted, len(s.Evidence), s.Flagged, s.AssigneeID != nil, s.Notes)
	b.WriteString(f.db.RowCounts(t, snapshotTables...))
	fmt.Fprintf(&b, " due=%d expires=%d", f.db.Count(t, `SELECT COUNT(*) FROM due_work WHERE state = 'pending'`),
		f.db.Count(t, `SELECT COUNT(*) FROM user_certifications WHERE expires_on > '2028-06-01'`))
	return b.String()
}

// TestReviewActionsAreAllOrNothing: every action on a submission (claim,
// each decision, a renewal the credits complete, the reply, the appeal,
// the reversal and the close of an unanswered question) writes in one
// transaction. Whichever of its writes fails, the action returns the
// failure and the database holds what it held before; with the failure
// gone, the same action succeeds.
func TestReviewActionsAreAllOrNothing(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		// 8 credits renew SAA: an approval of the workshop completes the
		// cycle and renews it in the same transaction.
		if err := f.svc.SetRequirement(f.ctx, f.admin, f.cert.ID, credits.Requirement{Alternatives: []credits.Alternative{
			{Conditions: []credits.Condition{{Kind: credits.CondCredits, Credits: 800}}}}}); err != nil {
			t.Fatal(err)
		}
		n := 0
		pending := func() int64 {
			n++
			return f.submit(f.candidate, f.workshop(f.candidate, fmt.Sprint("Workshop ", n), "8")).ID
		}
		asked := func() int64 {
			id := pending()
			f.decide(f.reviewer, id, credits.Decision{Outcome: credits.OutcomeInfo, ReasonText: "Which day?"})
			return id
		}
		denied := func() int64 {
			id := pending()
			f.decide(f.reviewer, id, credits.Decision{Outcome: credits.OutcomeDeny, ReasonCode: "not_eligible", ReasonText: "No"})
			return id
		}
		approved := func() int64 {
			n++
			id := f.submit(f.candidate, f.workshop(f.candidate, fmt.Sprint("Workshop ", n), "4")).ID
			f.decide(f.reviewer2, id, credits.Decision{Outcome: credits.OutcomeApprove})
			return id
		}
		w := func(table, op string) testdb.Write { return testdb.Write{Table: table, Op: op} }
		expiry := func(id int64) []byte {
			s, err := f.st.GetCESubmission(f.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(map[string]any{"submission_id": id, "decisions": s.Decisions})
			return b
		}
		actions := []struct {
			name   string
			writes []testdb.Write
			ready  func() int64
			act    func(id int64) error
		}{
			{"claim", []testdb.Write{w("ce_submissions", "UPDATE"), w("audit_log", "INSERT")}, pending,
				func(id int64) error { _, err := f.svc.Claim(f.ctx, f.reviewer, id, 0); return err }},
			{"ask for more information", []testdb.Write{w("ce_submissions", "UPDATE"), w("due_work", "INSERT"), w("audit_log", "INSERT"),
				w("job_outbox", "INSERT")}, pending,
				func(id int64) error {
					_, err := f.svc.Decide(f.ctx, f.reviewer, id, credits.Decision{Outcome: credits.OutcomeInfo, ReasonText: "When?"})
					return err
				}},
			{"deny an open question", []testdb.Write{w("due_work", "UPDATE"), w("ce_submissions", "UPDATE"), w("audit_log", "INSERT"),
				w("events", "INSERT"), w("job_outbox", "INSERT")}, asked,
				func(id int64) error {
					_, err := f.svc.Decide(f.ctx, f.reviewer, id, credits.Decision{Outcome: credits.OutcomeDeny,
						ReasonCode: "insufficient_evidence", ReasonText: "No agenda"})
					return err
				}},
			{"reply", []testdb.Write{w("due_work", "UPDATE"), w("ce_submissions", "UPDATE"), w("ce_evidence", "INSERT"), w("audit_log", "INSERT")}, asked,
				func(id int64) error {
					_, err := f.svc.Respond(f.ctx, f.candidate, id, "On the 20th.", []int64{f.upload(f.candidate, fmt.Sprint("reply ", id))})
					return err
				}},
			{"close an unanswered question", []testdb.Write{w("ce_submissions", "UPDATE"), w("audit_log", "INSERT"), w("events", "INSERT"),
				w("job_outbox", "INSERT")}, asked,
				func(id int64) error { return f.svc.HandleInfoExpiryJob(f.ctx, expiry(id)) }},
			{"appeal", []testdb.Write{w("ce_submissions", "UPDATE"), w("ce_evidence", "INSERT"), w("audit_log", "INSERT")}, denied,
				func(id int64) error {
					_, err := f.svc.Appeal(f.ctx, f.candidate, id, "Here it is", []int64{f.upload(f.candidate, fmt.Sprint("appeal ", id))})
					return err
				}},
			{"reverse", []testdb.Write{w("ce_submissions", "UPDATE"), w("ce_ledger", "INSERT"), w("audit_log", "INSERT"), w("events", "INSERT"),
				w("job_outbox", "INSERT")}, approved,
				func(id int64) error {
					_, err := f.svc.Reverse(f.ctx, f.admin, id, "The event was cancelled")
					return err
				}},
			{"approve and renew", []testdb.Write{w("ce_submissions", "UPDATE"), w("ce_ledger", "INSERT"), w("renewals", "INSERT"),
				w("user_certifications", "UPDATE"), w("audit_log", "INSERT"), w("events", "INSERT"), w("job_outbox", "INSERT"), testdb.QueuedMail}, pending,
				func(id int64) error {
					_, err := f.svc.Decide(f.ctx, f.reviewer, id, credits.Decision{Outcome: credits.OutcomeApprove})
					return err
				}},
		}
		for _, a := range actions {
			t.Run(a.name, func(t *testing.T) {
				id := a.ready()
				f.db.AllOrNothing(t, a.writes, func() string { return f.snapshot(t, id) }, func() error { return a.act(id) })
				f.invariants(t)
			})
		}
	})
}

// TestSubmissionsAndProgramChangesAreAllOrNothing: a candidate's
// submission, draft, submission of a draft and withdrawal, and an admin's
// change of a requirement, an activity type or the review options each
// write in one transaction: whichever of their writes fails, nothing of
// them is left; with the failure gone, they succeed.
func TestSubmissionsAndProgramChangesAreAllOrNothing(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		state := func() string {
			return fmt.Sprintf("drafts=%d withdrawn=%d;", f.db.Count(t, `SELECT COUNT(*) FROM ce_submissions WHERE state = 'draft'`),
				f.db.Count(t, `SELECT COUNT(*) FROM ce_submissions WHERE state = 'withdrawn'`)) +
				f.db.RowCounts(t, "ce_submissions", "ce_evidence", "ce_requirements", "ce_activity_types", "ce_activity_versions",
					"app_settings", "audit_log", "events", "job_outbox")
		}
		w := func(table, op string) testdb.Write { return testdb.Write{Table: table, Op: op} }

		t.Run("submit", func(t *testing.T) {
			form := f.workshop(f.candidate, "Submitted", "8")
			f.db.AllOrNothing(t, []testdb.Write{w("ce_submissions", "INSERT"), w("ce_evidence", "INSERT"), w("events", "INSERT")},
				state, func() error { _, err := f.svc.Submit(f.ctx, f.candidate, form); return err })
		})
		t.Run("draft, then submit it", func(t *testing.T) {
			form := f.workshop(f.candidate, "Drafted", "6")
			f.db.AllOrNothing(t, []testdb.Write{w("ce_submissions", "INSERT"), w("ce_evidence", "INSERT")},
				state, func() error { _, err := f.svc.SaveDraft(f.ctx, f.candidate, form); return err })
			drafts, err := f.st.ListCESubmissions(f.ctx, store.CESubmissionFilter{UserID: f.candidate.UserID, States: []string{portal.CEDraft}})
			if err != nil || len(drafts) != 1 {
				t.Fatalf("drafts = %v, %v", drafts, err)
			}
			f.db.AllOrNothing(t, []testdb.Write{w("ce_submissions", "UPDATE"), w("events", "INSERT")},
				state, func() error { _, err := f.svc.SubmitDraft(f.ctx, f.candidate, drafts[0].ID, false); return err })
		})
		t.Run("withdraw", func(t *testing.T) {
			s := f.submit(f.candidate, f.workshop(f.candidate, "Withdrawn", "4"))
			f.db.AllOrNothing(t, []testdb.Write{w("ce_submissions", "UPDATE"), w("audit_log", "INSERT")},
				state, func() error { _, err := f.svc.Withdraw(f.ctx, f.candidate, s.ID); return err })
		})
		t.Run("requirement", func(t *testing.T) {
			r := credits.Requirement{Alternatives: []credits.Alternative{{Conditions: []credits.Condition{{Kind: credits.CondCredits, Credits: 3000}}}}}
			f.db.AllOrNothing(t, []testdb.Write{w("ce_requirements", "INSERT"), w("audit_log", "INSERT")},
				state, func() error { return f.svc.SetRequirement(f.ctx, f.admin, f.cert.ID, r) })
		})
		t.Run("activity type", func(t *testing.T) {
			typ, err := f.svc.ActivityType(f.ctx, "official_workshop")
			if err != nil {
				t.Fatal(err)
			}
			typ.DeadlineDays += 10
			f.db.AllOrNothing(t, []testdb.Write{w("ce_activity_types", "UPDATE"), w("ce_activity_versions", "INSERT"), w("audit_log", "INSERT")},
				state, func() error { _, err := f.svc.SaveActivityType(f.ctx, f.admin, *typ); return err })
		})
		t.Run("options", func(t *testing.T) {
			o, err := f.svc.Options(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			o.InfoDays++
			f.db.AllOrNothing(t, []testdb.Write{w("app_settings", "INSERT"), w("audit_log", "INSERT")},
				state, func() error { _, err := f.svc.SetOptions(f.ctx, f.admin, o); return err })
		})
	})
}
