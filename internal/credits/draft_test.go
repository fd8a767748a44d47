package credits_test

import (
	"testing"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestDraftReopensForItsCandidateOnly: a draft is read back to edit by
// its candidate with its evidence, not by another candidate or a reviewer;
// once sent it is no longer a draft to edit (credits.error.not_editable).
func TestDraftReopensForItsCandidateOnly(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		form := f.review95(f.candidate, "Half-read paper")
		form.Notes = "Chapters 1 to 3"
		d, err := f.svc.SaveDraft(f.ctx, f.candidate, form)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Draft(f.ctx, f.candidate, d.ID)
		if err != nil || got.Title != "Half-read paper" || got.Notes != "Chapters 1 to 3" || got.DurationMinutes != 95 ||
			len(got.Evidence) != 1 || got.Evidence[0] != form.Evidence[0] {
			t.Fatalf("draft = %+v, %v", got, err)
		}
		_, err = f.svc.Draft(f.ctx, f.db.Candidate(t), d.ID)
		wantCode(t, err, portal.ENotFound, "")
		_, err = f.svc.Draft(f.ctx, f.reviewer, d.ID)
		wantCode(t, err, portal.ENotFound, "")
		_, err = f.svc.Draft(f.ctx, portal.Actor{}, d.ID)
		wantCode(t, err, portal.EUnauthorized, "")

		// Saved again without its file: the file is released.
		form.ID, form.Evidence = d.ID, nil
		if _, err := f.svc.SaveDraft(f.ctx, f.candidate, form); err != nil {
			t.Fatal(err)
		}
		if got, err = f.svc.Draft(f.ctx, f.candidate, d.ID); err != nil || len(got.Evidence) != 0 {
			t.Fatalf("after removing the file: %+v, %v", got, err)
		}

		form.Evidence = []int64{f.upload(f.candidate, "notes")}
		f.submit(f.candidate, form)
		_, err = f.svc.Draft(f.ctx, f.candidate, d.ID)
		wantCode(t, err, portal.EConflict, "credits.error.not_editable")
	})
}

// TestCertificationsOfferedAndKeptOnADraft: the certifications a candidate
// may choose are those held in force; a draft naming one the candidate
// does not hold is refused on the certification field.
func TestCertificationsOfferedAndKeptOnADraft(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		exam2 := f.db.Exam(t, portal.Exam{Code: "DVA-C02", Name: "Developer", Active: true})
		cert2 := f.db.Certification(t, portal.Certification{Code: "DVA", Name: "Developer – Associate", EarnedBy: []string{"DVA-C02"}})
		exam3 := f.db.Exam(t, portal.Exam{Code: "OLD-C01", Name: "Old", Active: true})
		cert3 := f.db.Certification(t, portal.Certification{Code: "OLD", Name: "Old – Associate", EarnedBy: []string{"OLD-C01"}})
		f.db.Earned(t, f.candidate, exam2, cert2, time.Date(2025, 9, 1, 15, 0, 0, 0, time.UTC))
		f.db.Earned(t, f.candidate, exam3, cert3, time.Date(2020, 9, 1, 15, 0, 0, 0, time.UTC)) // expired

		held, err := f.svc.Certifications(f.ctx, f.candidate)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, c := range held {
			codes = append(codes, c.Code)
		}
		if len(codes) != 2 || codes[0] != "DVA" || codes[1] != "SAA" {
			t.Fatalf("certifications in force = %v, want DVA and SAA", codes)
		}
		if _, err := f.svc.Certifications(f.ctx, portal.Actor{}); err == nil {
			t.Fatal("a visitor listed certifications")
		}

		form := f.workshop(f.candidate, "Chosen workshop", "5")
		for _, id := range []int64{cert3.ID, -1, 1 << 40} {
			form.CertificationID = id
			_, err = f.svc.SaveDraft(f.ctx, f.candidate, form)
			wantField(t, err, credits.FieldCertification, "credits.error.choose_certification")
		}
		form.CertificationID = cert2.ID
		d, err := f.svc.SaveDraft(f.ctx, f.candidate, form)
		if err != nil || d.CertificationID == nil || *d.CertificationID != cert2.ID {
			t.Fatalf("draft = %+v, %v", d, err)
		}
	})
}
