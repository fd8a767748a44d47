package credits_test

import (
	"testing"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// grant writes the permission sets of a staff actor into the database, as
// an admin's change of them does.
func (f *fixture) grant(a portal.Actor, sets ...portal.PermissionSet) {
	f.t.Helper()
	if err := f.st.Transact(f.ctx, func(tx *store.Tx) error { return tx.ReplaceStaffSets(f.ctx, a.UserID, sets, 0) }); err != nil {
		f.t.Fatal(err)
	}
}

// TestAssignToAnotherReviewer: a reviewer assigns a submission to another
// CE reviewer (audited); an account without the CE review permission, a
// disabled reviewer, a candidate and, for an appeal, the reviewer who
// denied it cannot be chosen, each refused on the reviewer field; the
// list to choose from holds exactly the enabled staff who review.
func TestAssignToAnotherReviewer(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.grant(f.admin, portal.SetAdmin)
		f.grant(f.reviewer, portal.SetCEReviewer)
		f.grant(f.reviewer2, portal.SetCEReviewer)
		scheduler := f.db.Staff(t, portal.SetScheduler)
		f.grant(scheduler, portal.SetScheduler)
		gone := f.db.Staff(t, portal.SetCEReviewer)
		f.grant(gone, portal.SetCEReviewer)
		f.db.Exec(t, `UPDATE users SET disabled_at = ? WHERE id = ?`, f.clock.Now(), gone.UserID)

		s := f.submit(f.candidate, f.workshop(f.candidate, "Assigned", "8"))
		got, err := f.svc.Claim(f.ctx, f.reviewer, s.ID, f.reviewer2.UserID)
		if err != nil || got.AssigneeID == nil || *got.AssigneeID != f.reviewer2.UserID {
			t.Fatalf("assign to reviewer2 = %+v, %v", got, err)
		}
		if len(f.db.Audit(t, "ce.submission_assigned", "ce_submission:"+itoa(s.ID))) != 1 {
			t.Error("the assignment is not audited")
		}
		for name, who := range map[string]int64{"scheduler": scheduler.UserID, "disabled reviewer": gone.UserID,
			"another candidate": f.db.Candidate(t).UserID, "nobody": 999999} {
			_, err := f.svc.Claim(f.ctx, f.reviewer, s.ID, who)
			wantField(t, err, credits.FieldReviewer, "credits.error.not_reviewer")
			if cur, _ := f.st.GetCESubmission(f.ctx, s.ID); *cur.AssigneeID != f.reviewer2.UserID {
				t.Errorf("%s: the refused assignment changed the assignee", name)
			}
		}
		_, err = f.svc.Claim(f.ctx, f.reviewer, s.ID, f.candidate.UserID)
		wantCode(t, err, portal.EForbidden, "credits.error.own_submission")
		_, err = f.svc.Claim(f.ctx, scheduler, s.ID, f.reviewer.UserID)
		wantCode(t, err, portal.EForbidden, "")

		f.decide(f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeDeny, ReasonCode: "other", ReasonText: "No proof"})
		if _, err := f.svc.Appeal(f.ctx, f.candidate, s.ID, "Proof", []int64{f.upload(f.candidate, "proof")}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Claim(f.ctx, f.reviewer2, s.ID, f.reviewer.UserID)
		wantField(t, err, credits.FieldReviewer, "credits.error.appeal_same_reviewer")
		if _, err := f.svc.Claim(f.ctx, f.reviewer2, s.ID, f.admin.UserID); err != nil {
			t.Fatalf("the appeal assigned to an admin: %v", err)
		}

		list, err := f.svc.Reviewers(f.ctx, f.reviewer)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[int64]bool{}
		for _, r := range list {
			ids[r.ID] = true
		}
		if len(list) != 3 || !ids[f.admin.UserID] || !ids[f.reviewer.UserID] || !ids[f.reviewer2.UserID] {
			t.Errorf("reviewers %+v, want the admin and the two enabled reviewers", list)
		}
		_, err = f.svc.Reviewers(f.ctx, scheduler)
		wantCode(t, err, portal.EForbidden, "")
	})
}

// TestQueueTotalsSpanPages: the queue counts every submission its filter
// selects and those past their target on every page, not only the page
// shown, and names each candidate with their login ID.
func TestQueueTotalsSpanPages(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		for _, title := range []string{"One", "Two", "Three"} {
			f.submit(f.candidate, f.workshop(f.candidate, title, "8"))
		}
		info := f.submit(f.candidate, f.workshop(f.candidate, "Asked", "8"))
		f.decide(f.reviewer, info.ID, credits.Decision{Outcome: credits.OutcomeInfo, ReasonText: "Which day?"})
		page, err := f.svc.Queue(f.ctx, f.reviewer, credits.QueueFilter{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 2 || page.Total != 4 || page.PastTarget != 0 {
			t.Fatalf("first page: %d items, total %d, past %d; want 2, 4, 0", len(page.Items), page.Total, page.PastTarget)
		}
		u := f.db.User(t, f.candidate)
		if c := page.Items[0].Candidate; c.Name != u.FullName() || c.LoginID != u.LoginID {
			t.Errorf("candidate %+v, want %s %s", c, u.FullName(), u.LoginID)
		}
		f.clock.Advance(60 * 24 * time.Hour)
		next, err := f.svc.Queue(f.ctx, f.reviewer, credits.QueueFilter{Limit: 2, Cursor: page.NextCursor})
		if err != nil {
			t.Fatal(err)
		}
		// The request for information pauses its clock: three are late.
		if len(next.Items) != 2 || next.Total != 4 || next.PastTarget != 3 {
			t.Fatalf("second page: %d items, total %d, past %d; want 2, 4, 3", len(next.Items), next.Total, next.PastTarget)
		}
		flagged, err := f.svc.Queue(f.ctx, f.reviewer, credits.QueueFilter{Flagged: true})
		if err != nil || flagged.Total != 0 {
			t.Fatalf("flagged total %d, %v; want 0", flagged.Total, err)
		}
		c, err := f.svc.SubmissionCandidate(f.ctx, f.reviewer, info.ID)
		if err != nil || c.LoginID != u.LoginID {
			t.Fatalf("submission candidate %+v, %v", c, err)
		}
		_, err = f.svc.SubmissionCandidate(f.ctx, f.db.Candidate(t), info.ID)
		wantCode(t, err, portal.EForbidden, "")
	})
}

// TestCreateTypeAndListVersions: creating a type refuses a code already in
// the catalogue (it would otherwise write a version of that type); the
// versions of a type list newest first; only admins do either.
func TestCreateTypeAndListVersions(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		existing, err := f.svc.ActivityType(f.ctx, "conference_talk")
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.CreateActivityType(f.ctx, f.admin, *existing)
		wantField(t, err, credits.FieldCode, "credits.error.type_exists")
		mentoring := portal.CEActivityType{Code: "mentoring", Group: portal.CEGroupOther, Rule: portal.CERuleFixed, MinCredits: 300,
			CountsFor: portal.CECountsAll, MinEvidence: 1, Texts: map[string]portal.CEText{"en": {Name: "Mentoring"}}}
		_, err = f.svc.CreateActivityType(f.ctx, f.reviewer, mentoring)
		wantCode(t, err, portal.EForbidden, "")
		created, err := f.svc.CreateActivityType(f.ctx, f.admin, mentoring)
		if err != nil || created.Version != 1 || created.MaxCredits != 300 {
			t.Fatalf("created %+v, %v", created, err)
		}
		if len(f.db.Audit(t, "ce.activity_type_created", "ce_activity_type:mentoring")) != 1 {
			t.Error("the creation is not audited")
		}
		existing.MaxCredits = 4000
		if _, err := f.svc.SaveActivityType(f.ctx, f.admin, *existing); err != nil {
			t.Fatal(err)
		}
		list, err := f.svc.ActivityTypeVersions(f.ctx, f.admin, "conference_talk")
		if err != nil || len(list) != 2 || list[0].Version != 2 || list[0].MaxCredits != 4000 || list[1].MaxCredits != 5000 {
			t.Fatalf("versions %d, %v; want 2 newest first", len(list), err)
		}
		_, err = f.svc.ActivityTypeVersions(f.ctx, f.reviewer, "conference_talk")
		wantCode(t, err, portal.EForbidden, "")
		_, err = f.svc.ActivityTypeVersions(f.ctx, f.admin, "no_such_type")
		wantCode(t, err, portal.ENotFound, "")
	})
}
