package results_test

import (
	"context"
	"log/slog"
	"testing"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestMicrocredentialRetakeAddsTwelveMonths: a microcredential retaken
// and passed within its validity renews: 12 more months from the old
// expiry, one certification, no second voucher.
func TestMicrocredentialRetakeAddsTwelveMonths(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.published(f.candidate, f.micro, ny(2026, 11, 30, 10, 0), 800)
		f.clock.Set(ny(2027, 9, 10, 12, 0))
		f.published(f.candidate, f.micro, ny(2027, 9, 10, 10, 0), 780)
		certs := f.certifications(f.candidate)
		if len(certs) != 1 {
			t.Fatalf("%d certifications, want 1", len(certs))
		}
		if c := certs[0]; c.Cycle != 2 || c.ExpiresOn != "2028-11-30" || c.IssuedOn != "2027-12-01" || c.Kind != portal.CertKindMicrocredential {
			t.Fatalf("renewed microcredential = %+v", c)
		}
		if n := f.count(`SELECT COUNT(*) FROM certification_vouchers`); n != 1 {
			t.Fatalf("%d vouchers, want 1", n)
		}
		f.invariants(t)
	})
}

// TestARenewalPathPassRenews: a pass of an exam the catalogue lists as a
// renewal path of a certification the candidate holds renews it (and
// earns its own certification).
func TestARenewalPathPassRenews(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sap := f.createExam(portal.Exam{Code: "SAP-C02", Name: "Solutions Architect Professional", PassingScore: 750,
			RetakeWaitDays: 14, ResultsDelayDays: 5})
		if _, err := f.svc.CreateCertification(f.ctx, f.admin, portal.Certification{Code: "SAP", Name: "Solutions Architect – Professional",
			Level: portal.LevelProfessional, Kind: portal.CertKindCertification, Active: true, EarnedBy: []string{"SAP-C02"}}); err != nil {
			t.Fatal(err)
		}
		f.cert.RenewedBy = []string{"SAP-C02"}
		if _, err := f.svc.UpdateCertification(f.ctx, f.admin, *f.cert); err != nil {
			t.Fatal(err)
		}
		f.published(f.candidate, f.saa, ny(2026, 11, 30, 10, 0), 800)
		f.clock.Set(ny(2028, 3, 1, 12, 0))
		p := f.published(f.candidate, sap, ny(2028, 3, 1, 10, 0), 800)
		certs := f.certifications(f.candidate)
		if len(certs) != 2 {
			t.Fatalf("%d certifications, want 2 (SAP earned, SAA renewed)", len(certs))
		}
		for _, c := range certs {
			switch c.Code {
			case "SAA":
				if c.Cycle != 2 || c.ExpiresOn != "2032-11-30" {
					t.Fatalf("SAA after the renewal path = %+v", c)
				}
				r, err := f.st.FindRenewalByCycle(f.ctx, c.ID, 1)
				if err != nil || r.AttemptID == nil || *r.AttemptID != p.ID {
					t.Fatalf("renewal = %+v, %v", r, err)
				}
			case "SAP":
				if c.Cycle != 1 || c.AttemptID != p.ID {
					t.Fatalf("SAP = %+v", c)
				}
			}
		}
		f.invariants(t)
	})
}

// TestAnotherExamPassCountsAsAnActivity: a pass of another exam of the
// program is recorded as an approved "another technical certification"
// activity of 50 credits toward each other certification in force, so
// exams and continuing education mix: two such passes reach 100 credits
// and renew.
func TestAnotherExamPassCountsAsAnActivity(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		ce := credits.New(f.st, f.clock, slog.New(slog.DiscardHandler), credits.Config{})
		if err := ce.InstallDefaultCatalogue(context.Background()); err != nil {
			t.Fatal(err)
		}
		dva := f.createExam(portal.Exam{Code: "DVA-C02", Name: "Developer Associate", PassingScore: 720, RetakeWaitDays: 14, ResultsDelayDays: 5})
		sec := f.createExam(portal.Exam{Code: "SCS-C02", Name: "Security Specialty", PassingScore: 750, RetakeWaitDays: 14, ResultsDelayDays: 5})
		for code, exam := range map[string]string{"DVA": "DVA-C02", "SCS": "SCS-C02"} {
			if _, err := f.svc.CreateCertification(f.ctx, f.admin, portal.Certification{Code: code, Name: code, Level: portal.LevelAssociate,
				Kind: portal.CertKindCertification, Active: true, EarnedBy: []string{exam}}); err != nil {
				t.Fatal(err)
			}
		}
		// A microcredential's pass is no technical certification.
		f.clock.Set(ny(2026, 12, 20, 12, 0))
		f.published(f.candidate, f.saa, ny(2026, 11, 30, 10, 0), 800)
		f.published(f.candidate, f.micro, ny(2026, 12, 20, 10, 0), 800)
		if n := f.count(`SELECT COUNT(*) FROM ce_ledger`); n != 0 {
			t.Fatalf("%d ledger rows after a microcredential's pass, want 0", n)
		}
		var saa *portal.UserCertificationDetail
		for _, c := range f.certifications(f.candidate) {
			if c.Code == "SAA" {
				saa = c
			}
		}
		f.clock.Set(ny(2027, 2, 1, 12, 0))
		first := f.published(f.candidate, dva, ny(2027, 2, 1, 10, 0), 800)
		if n := f.count(`SELECT COUNT(*) FROM ce_ledger WHERE user_certification_id = ? AND kind = 'credit' AND credits = 5000`, saa.ID); n != 1 {
			t.Fatalf("%d 50-credit rows after another exam's pass, want 1", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM ce_ledger`); n != 1 {
			t.Fatalf("%d ledger rows, want 1 (DVA's own certification gets none)", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM ce_submissions WHERE user_id = ? AND state = 'approved' AND decided_role = 'system' AND completed_on = '2027-02-01'`,
			f.candidate.UserID); n != 1 {
			t.Fatalf("%d approved system activities, want 1 (attempt %d)", n, first.ID)
		}
		if n := f.count(`SELECT COUNT(*) FROM renewals`); n != 0 {
			t.Fatal("50 credits renewed")
		}
		f.clock.Set(ny(2027, 5, 3, 12, 0))
		f.published(f.candidate, sec, ny(2027, 5, 3, 10, 0), 800)
		r, err := f.st.FindRenewalByCycle(f.ctx, saa.ID, 1)
		if err != nil || r.Cause != portal.RenewalByCredits || r.CreditsConsumed != 10000 {
			t.Fatalf("renewal = %+v, %v", r, err)
		}
		f.invariants(t)
	})
}
