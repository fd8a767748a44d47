package credits_test

import (
	"time"

	"testing"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestSubmitDocumentationReview: a 95-minute documentation review claims
// 1.5 credits, waits in the queue with a target 20 business days ahead in
// the program calendar, is mailed and written as ce.submitted; another
// candidate gets not found for it (SECURITY.md AC-01).
func TestSubmitDocumentationReview(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		r, err := f.svc.Submit(f.ctx, f.candidate, f.review95(f.candidate, "Networking whitepaper"))
		if err != nil {
			t.Fatal(err)
		}
		s := r.Submission
		if s.State != portal.CEPending || s.Claimed != 150 || s.DurationMinutes != 95 || s.Flagged {
			t.Fatalf("submission = %+v", s)
		}
		// 2026-12-01 (Tue) + 20 business days = 2026-12-29 (Tue).
		if r.TargetOn != "2026-12-29" || *s.TargetOn != "2026-12-29" {
			t.Fatalf("target = %s", r.TargetOn)
		}
		if len(r.Certifications) != 1 || r.Certifications[0].Code != "SAA" {
			t.Fatalf("counts toward %+v", r.Certifications)
		}
		if f.mails("received", s.ID, 0) != 1 || f.db.Events(t, portal.EventCESubmitted, portal.SubjectCE, s.ID) != 1 {
			t.Fatal("no mail or event")
		}
		// Another candidate cannot see it; a reviewer can.
		if _, err := f.svc.Submission(f.ctx, f.db.Candidate(t), s.ID); err == nil {
			t.Fatal("another candidate read the submission")
		}
		if _, err := f.svc.Submission(f.ctx, f.reviewer, s.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSubmitRefusals: each rule of the form refuses with its reason on
// its field.
func TestSubmitRefusals(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		other := f.db.Candidate(t)
		theirs := f.upload(other, "not mine")
		quarantined := f.upload(f.candidate, "virus")
		f.db.Exec(t, `UPDATE uploads SET scan_status = 'quarantined' WHERE id = ?`, quarantined)
		used := f.review95(f.candidate, "Used file")
		f.submit(f.candidate, used)
		attested := portal.CEActivityType{Code: "attested_course", Group: portal.CEGroupOfficial, Rule: portal.CERuleFixed, MinCredits: 500,
			Attestation: true, CountsFor: portal.CECountsAll, MinEvidence: 1, RequiredFields: "provider",
			Texts: map[string]portal.CEText{"en": {Name: "Attested course"}}}
		if _, err := f.svc.SaveActivityType(f.ctx, f.admin, attested); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name           string
			edit           func(*credits.Submission)
			field, message string
		}{
			{"future date", func(s *credits.Submission) { s.CompletedOn = "2026-12-02" }, credits.FieldCompletedOn, "credits.error.future_date"},
			{"past the deadline after completion", func(s *credits.Submission) { s.CompletedOn = "2025-11-30" }, credits.FieldCompletedOn, "credits.error.past_deadline"},
			{"not a date", func(s *credits.Submission) { s.CompletedOn = "20/11/2026" }, credits.FieldCompletedOn, "credits.error.date"},
			{"no duration where the rule needs one", func(s *credits.Submission) { s.Duration = "" }, credits.FieldDuration, "credits.error.duration_format"},
			{"a duration too short for one unit", func(s *credits.Submission) { s.Duration = "14" }, credits.FieldDuration, "credits.error.no_credits"},
			{"no title", func(s *credits.Submission) { s.Title = " " }, credits.FieldTitle, "credits.error.title"},
			{"no evidence", func(s *credits.Submission) { s.Evidence = nil }, credits.FieldEvidence, "credits.error.evidence_count"},
			{"six files", func(s *credits.Submission) {
				for range 5 {
					s.Evidence = append(s.Evidence, f.upload(f.candidate, "extra"))
				}
			}, credits.FieldEvidence, "credits.error.evidence_count"},
			{"someone else's file", func(s *credits.Submission) { s.Evidence = []int64{theirs} }, credits.FieldEvidence, "credits.error.evidence_unknown"},
			{"a quarantined file", func(s *credits.Submission) { s.Evidence = []int64{quarantined} }, credits.FieldEvidence, "credits.error.evidence_quarantined"},
			{"a file already evidence of another activity", func(s *credits.Submission) { s.Evidence = used.Evidence }, credits.FieldEvidence, "credits.error.evidence_in_use"},
			{"an unknown type", func(s *credits.Submission) { s.TypeCode = "nope" }, credits.FieldType, "credits.error.unknown_type"},
			{"a bad URL", func(s *credits.Submission) { s.URL = "javascript:alert(1)" }, credits.FieldURL, "credits.error.url"},
			{"a range claim outside the range", func(s *credits.Submission) { s.TypeCode, s.Claimed = "official_workshop", "9" }, credits.FieldClaimed, "credits.error.claim_range"},
			{"no attestation where the type asks one", func(s *credits.Submission) { s.TypeCode, s.Provider = "attested_course", "ACME" }, credits.FieldAttested, "credits.error.attestation_required"},
			{"a required provider missing", func(s *credits.Submission) { s.TypeCode, s.Attested = "attested_course", true }, credits.FieldProvider, "credits.error.required"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				s := f.review95(f.candidate, "Refused "+tc.name)
				tc.edit(&s)
				_, err := f.svc.Submit(f.ctx, f.candidate, s)
				wantField(t, err, tc.field, tc.message)
			})
		}
		t.Run("outside every cycle", func(t *testing.T) {
			none := f.db.Candidate(t)
			_, err := f.svc.Submit(f.ctx, none, f.review95(none, "No certification"))
			wantField(t, err, credits.FieldCompletedOn, "credits.error.outside_cycles")
		})
		t.Run("before the cycle began", func(t *testing.T) {
			f.clock.Set(fixtureNow.AddDate(0, 0, -400))
			defer f.clock.Set(fixtureNow)
			s := f.review95(f.candidate, "Before the cycle")
			s.CompletedOn = "2025-05-30"
			_, err := f.svc.Submit(f.ctx, f.candidate, s)
			wantField(t, err, credits.FieldCompletedOn, "credits.error.outside_cycles")
		})
		t.Run("a type that does not count for the certification", func(t *testing.T) {
			only := portal.CEActivityType{Code: "pro_only", Group: portal.CEGroupOther, Rule: portal.CERuleFixed, MinCredits: 100,
				CountsFor: portal.CECountsLevels, CountsList: portal.LevelProfessional, MinEvidence: 1,
				Texts: map[string]portal.CEText{"en": {Name: "Professional only"}}}
			if _, err := f.svc.SaveActivityType(f.ctx, f.admin, only); err != nil {
				t.Fatal(err)
			}
			s := f.review95(f.candidate, "Wrong level")
			s.TypeCode = "pro_only"
			_, err := f.svc.Submit(f.ctx, f.candidate, s)
			wantField(t, err, credits.FieldCompletedOn, "credits.error.outside_cycles")
		})
	})
}

// TestAtMostThirtyPending: the 31st submission waiting for a decision is
// refused; a decision makes room.
func TestAtMostThirtyPending(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		var first *portal.CESubmission
		for i := range 30 {
			s := f.submit(f.candidate, f.review95(f.candidate, "Paper "+string(rune('A'+i))))
			if first == nil {
				first = s
			}
		}
		_, err := f.svc.Submit(f.ctx, f.candidate, f.review95(f.candidate, "Paper 31"))
		pe := wantCode(t, err, portal.EConflict, "credits.error.too_many_pending")
		if pe.Data["Count"] != 30 {
			t.Fatalf("data = %v", pe.Data)
		}
		f.decide(f.reviewer, first.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		f.submit(f.candidate, f.review95(f.candidate, "Paper 31"))
	})
}

// TestDuplicateWarnsUntilConfirmed: the same type, title and date twice is
// a warning the candidate confirms by sending again.
func TestDuplicateWarnsUntilConfirmed(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.submit(f.candidate, f.review95(f.candidate, "Same paper"))
		again := f.review95(f.candidate, "same PAPER")
		_, err := f.svc.Submit(f.ctx, f.candidate, again)
		wantCode(t, err, portal.EConflict, "credits.warning.duplicate")
		again.ConfirmDuplicate = true
		f.submit(f.candidate, again)
	})
}

// TestSharedFileIsFlagged: a file with the same content as evidence of
// another submission flags the new one for the reviewer.
func TestSharedFileIsFlagged(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		other := f.db.Candidate(t)
		f.db.Earned(t, other, f.exam, f.cert, fixtureNow.AddDate(-1, 0, 0))
		f.submit(other, credits.Submission{TypeCode: "documentation_review", Title: "Theirs", CompletedOn: "2026-11-20", Duration: "60",
			Evidence: []int64{f.upload(other, "the same certificate")}})
		s := f.submit(f.candidate, credits.Submission{TypeCode: "documentation_review", Title: "Mine", CompletedOn: "2026-11-20", Duration: "60",
			Evidence: []int64{f.upload(f.candidate, "the same certificate")}})
		if !s.Flagged {
			t.Fatal("a shared file was not flagged")
		}
		page, err := f.svc.Queue(f.ctx, f.reviewer, credits.QueueFilter{Flagged: true})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != s.ID {
			t.Fatalf("flagged queue = %+v, %v", page, err)
		}
	})
}

// TestDraftsAreKeptAndSubmittedOnesAreNotEditable covers drafts,
// withdrawal and the end of editing.
func TestDraftsAreKeptAndSubmittedOnesAreNotEditable(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		form := f.review95(f.candidate, "Draft paper")
		form.Duration, form.CompletedOn = "", ""
		d, err := f.svc.SaveDraft(f.ctx, f.candidate, form)
		if err != nil || d.State != portal.CEDraft {
			t.Fatalf("draft = %+v, %v", d, err)
		}
		if _, err := f.svc.Submit(f.ctx, f.candidate, credits.Submission{ID: d.ID, TypeCode: form.TypeCode, Title: form.Title,
			Evidence: form.Evidence}); err == nil {
			t.Fatal("an incomplete draft was sent")
		}
		if _, err := f.svc.Submission(f.ctx, f.reviewer, d.ID); err == nil {
			t.Fatal("a reviewer read a draft")
		}
		form.ID, form.Duration, form.CompletedOn = d.ID, "1h 35m", "2026-11-20"
		r, err := f.svc.Submit(f.ctx, f.candidate, form)
		if err != nil || r.Submission.ID != d.ID || r.Submission.Claimed != 150 {
			t.Fatalf("submit the draft: %+v, %v", r, err)
		}
		_, err = f.svc.SaveDraft(f.ctx, f.candidate, form)
		wantCode(t, err, portal.EConflict, "credits.error.not_editable")
		_, err = f.svc.SaveDraft(f.ctx, f.db.Candidate(t), credits.Submission{ID: d.ID, TypeCode: form.TypeCode, Title: "Not mine"})
		wantCode(t, err, portal.ENotFound, "")

		w, err := f.svc.Withdraw(f.ctx, f.candidate, d.ID)
		if err != nil || w.State != portal.CEWithdrawn {
			t.Fatalf("withdraw = %+v, %v", w, err)
		}
		// Its file is free again.
		again := f.review95(f.candidate, "Again")
		again.Evidence = form.Evidence
		decided := f.submit(f.candidate, again)
		f.decide(f.reviewer, decided.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		_, err = f.svc.Withdraw(f.ctx, f.candidate, decided.ID)
		wantCode(t, err, portal.EConflict, "credits.error.not_withdrawable")
	})
}

// TestChooseOneCertification: with the program option "the candidate
// chooses", an activity counts toward the chosen certification only.
func TestChooseOneCertification(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		exam2 := f.db.Exam(t, portal.Exam{Code: "DVA-C02", Name: "Developer", Active: true})
		cert2 := f.db.Certification(t, portal.Certification{Code: "DVA", Name: "Developer – Associate", EarnedBy: []string{"DVA-C02"}})
		earned2 := f.db.Earned(t, f.candidate, exam2, cert2, time.Date(2025, 9, 1, 15, 0, 0, 0, time.UTC))

		every := f.submit(f.candidate, f.workshop(f.candidate, "Every", "6"))
		f.decide(f.reviewer, every.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		if got := f.ledger(f.candidate); got[f.earned.ID] != 600 || got[earned2.ID] != 600 {
			t.Fatalf("every: ledger = %v", got)
		}

		o := credits.DefaultOptions()
		o.CountMode = credits.CountChoose
		if _, err := f.svc.SetOptions(f.ctx, f.admin, o); err != nil {
			t.Fatal(err)
		}
		form := f.workshop(f.candidate, "Chosen", "5")
		_, err := f.svc.Submit(f.ctx, f.candidate, form)
		wantField(t, err, credits.FieldCertification, "credits.error.choose_certification")
		form.CertificationID = cert2.ID
		s := f.submit(f.candidate, form)
		f.decide(f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		if got := f.ledger(f.candidate); got[f.earned.ID] != 600 || got[earned2.ID] != 1100 {
			t.Fatalf("choose: ledger = %v", got)
		}
	})
}

// TestExampleConfigurationsApply: applying the Cisco-style example sets a
// 90-day deadline and 40 credits for an associate certification; the
// CompTIA-style one asks the attestation and the choice of certification.
func TestExampleConfigurationsApply(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		ex, err := credits.Examples()
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ApplyProgramConfig(f.ctx, f.reviewer, ex["cisco_style"]); err == nil {
			t.Fatal("a reviewer applied a configuration")
		}
		if err := f.svc.ApplyProgramConfig(f.ctx, f.admin, ex["cisco_style"]); err != nil {
			t.Fatal(err)
		}
		old := f.review95(f.candidate, "Old reading")
		old.CompletedOn = "2026-08-31" // 92 days before 2026-12-01
		_, err = f.svc.Submit(f.ctx, f.candidate, old)
		pe := wantCode(t, err, portal.EInvalid, "")
		if pe.Fields[0].Message != "credits.error.past_deadline" || pe.Fields[0].Data["Count"] != 90 {
			t.Fatalf("fields = %+v", pe.Fields)
		}
		s := f.submit(f.candidate, f.workshop(f.candidate, "Workshop", "8"))
		f.decide(f.reviewer, s.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		p, err := f.svc.Progress(f.ctx, f.candidate, "en")
		if err != nil || p[0].Needed != 4000 || p[0].Missing != 3200 {
			t.Fatalf("progress = %+v, %v", p, err)
		}
		if err := f.svc.ApplyProgramConfig(f.ctx, f.admin, ex["comptia_style"]); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Submit(f.ctx, f.candidate, f.workshop(f.candidate, "Unattested", "5"))
		wantField(t, err, credits.FieldAttested, "credits.error.attestation_required")
		o, err := f.svc.Options(f.ctx)
		if err != nil || o.CountMode != credits.CountChoose || o.AttestationText == "" {
			t.Fatalf("options = %+v, %v", o, err)
		}
		typ, _ := f.svc.ActivityType(f.ctx, "official_workshop")
		v := typ.Version
		if err := f.svc.ApplyProgramConfig(f.ctx, f.admin, ex["comptia_style"]); err != nil {
			t.Fatal(err)
		}
		if typ, _ = f.svc.ActivityType(f.ctx, "official_workshop"); typ.Version != v {
			t.Fatalf("applying again made version %d", typ.Version)
		}
	})
}

// TestTypeScopeAndActiveDates: a type listing other certifications does
// not count for this one; a type accepts activities completed within its
// active dates only.
func TestTypeScopeAndActiveDates(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		until := "2026-11-01"
		for _, typ := range []portal.CEActivityType{
			{Code: "dva_only", Group: portal.CEGroupOther, Rule: portal.CERuleFixed, MinCredits: 100, CountsFor: portal.CECountsList,
				CountsList: "dva", MinEvidence: 1, Texts: map[string]portal.CEText{"en": {Name: "DVA only"}}},
			{Code: "saa_retired", Group: portal.CEGroupOther, Rule: portal.CERuleFixed, MinCredits: 100, CountsFor: portal.CECountsList,
				CountsList: "SAA", MinEvidence: 1, ActiveUntil: &until, Texts: map[string]portal.CEText{"en": {Name: "Retired"}}},
		} {
			if _, err := f.svc.SaveActivityType(f.ctx, f.admin, typ); err != nil {
				t.Fatal(err)
			}
		}
		form := f.review95(f.candidate, "Scoped")
		form.TypeCode = "dva_only"
		_, err := f.svc.Submit(f.ctx, f.candidate, form)
		wantField(t, err, credits.FieldCompletedOn, "credits.error.outside_cycles")
		form.TypeCode = "saa_retired"
		_, err = f.svc.Submit(f.ctx, f.candidate, form)
		wantField(t, err, credits.FieldType, "credits.error.type_inactive")
		form.CompletedOn = "2026-10-30"
		if s := f.submit(f.candidate, form); s.Claimed != 100 {
			t.Fatalf("claimed %d", s.Claimed)
		}
	})
}
