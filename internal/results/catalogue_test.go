package results_test

import (
	"errors"
	"testing"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestCatalogueValidation: each field of a catalogue entry is checked and
// named; validity defaults by kind; an exam earns at most one
// certification; only admins change the catalogue; changes are audited
// with before and after.
func TestCatalogueValidation(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		valid := func() portal.Certification {
			return portal.Certification{Code: "DEV", Name: "Developer", Level: portal.LevelAssociate, Kind: portal.CertKindCertification}
		}
		for _, tc := range []struct {
			name, field, message string
			edit                 func(*portal.Certification)
		}{
			{"code", "code", "results.certification.invalid_code", func(c *portal.Certification) { c.Code = "d ev!" }},
			{"name", "name", "results.certification.invalid_name", func(c *portal.Certification) { c.Name = "  " }},
			{"level", "level", "results.certification.invalid_level", func(c *portal.Certification) { c.Level = "expert" }},
			{"kind", "kind", "results.certification.invalid_kind", func(c *portal.Certification) { c.Kind = "badge" }},
			{"validity 121", "validity_months", "results.certification.invalid_validity", func(c *portal.Certification) { c.ValidityMonths = 121 }},
			{"validity -1", "validity_months", "results.certification.invalid_validity", func(c *portal.Certification) { c.ValidityMonths = -1 }},
			{"unknown exam", "earned_by", "results.certification.unknown_exam", func(c *portal.Certification) { c.EarnedBy = []string{"NOPE-1"} }},
			{"unknown renewal exam", "renewed_by", "results.certification.unknown_exam", func(c *portal.Certification) { c.RenewedBy = []string{"NOPE-1"} }},
			{"exam earns another", "earned_by", "results.certification.exam_earns_other", func(c *portal.Certification) { c.EarnedBy = []string{"saa-c03"} }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := valid()
				tc.edit(&c)
				_, err := f.svc.CreateCertification(f.ctx, f.admin, c)
				if got := testutil.FieldErrors(t, err)[tc.field]; got != tc.message {
					t.Fatalf("%s: %q, want %q (err %v)", tc.field, got, tc.message, err)
				}
			})
		}

		t.Run("defaults by kind", func(t *testing.T) {
			if f.cert.ValidityMonths != 36 || f.microCert.ValidityMonths != 12 {
				t.Fatalf("validity = %d and %d, want 36 and 12", f.cert.ValidityMonths, f.microCert.ValidityMonths)
			}
			c := valid()
			c.ValidityMonths = 120
			out, err := f.svc.CreateCertification(f.ctx, f.admin, c)
			if err != nil || out.ValidityMonths != 120 {
				t.Fatalf("create with 120 months = %+v, %v", out, err)
			}
		})

		t.Run("code taken", func(t *testing.T) {
			c := valid()
			c.Code = "saa"
			_, err := f.svc.CreateCertification(f.ctx, f.admin, c)
			wantCode(t, err, portal.EConflict, "results.certification.code_taken")
		})

		t.Run("admins only", func(t *testing.T) {
			if _, err := f.svc.CreateCertification(f.ctx, f.officer, valid()); !errors.Is(err, portal.ErrForbidden) {
				t.Fatalf("officer creates: %v, want forbidden", err)
			}
			if _, err := f.svc.Certification(f.ctx, f.candidate, f.cert.ID); !errors.Is(err, portal.ErrForbidden) {
				t.Fatalf("candidate reads the console entry: %v, want forbidden", err)
			}
			if got, err := f.svc.Certification(f.ctx, f.officer, f.cert.ID); err != nil || got.Code != "SAA" {
				t.Fatalf("officer reads: %+v, %v", got, err)
			}
		})

		t.Run("update keeps the code, moves an exam and is audited", func(t *testing.T) {
			c := *f.cert
			c.Code, c.Name, c.ValidityMonths, c.EarnedBy = "OTHER", "Solutions Architect", 24, []string{"SAA-C04"}
			out, err := f.svc.UpdateCertification(f.ctx, f.admin, c)
			if err != nil {
				t.Fatal(err)
			}
			if out.Code != "SAA" || out.Name != "Solutions Architect" || out.ValidityMonths != 24 || len(out.EarnedBy) != 1 {
				t.Fatalf("updated = %+v", out)
			}
			// SAA-C03 is free again: another certification may take it.
			m := *f.microCert
			m.EarnedBy = []string{"MCR-101", "SAA-C03"}
			if _, err := f.svc.UpdateCertification(f.ctx, f.admin, m); err != nil {
				t.Fatalf("take the freed exam: %v", err)
			}
			// And then it is taken.
			c.EarnedBy = []string{"SAA-C03", "SAA-C04"}
			_, err = f.svc.UpdateCertification(f.ctx, f.admin, c)
			if got := testutil.FieldErrors(t, err)["earned_by"]; got != "results.certification.exam_earns_other" {
				t.Fatalf("earned_by = %q (%v)", got, err)
			}
			list, _, err := f.st.ListAudit(f.ctx, portal.AuditFilter{Action: "catalog.certification_updated", Subject: "certification:SAA", Limit: 10})
			if err != nil || len(list) != 1 {
				t.Fatalf("audit = %d entries, %v", len(list), err)
			}
			if ch := change(t, list[0], "validity_months"); ch.Before != "36" || ch.After != "24" {
				t.Fatalf("validity change = %+v", ch)
			}
			if ch := change(t, list[0], "earned_by"); ch.Before != "SAA-C03, SAA-C04" || ch.After != "SAA-C04" {
				t.Fatalf("earned_by change = %+v", ch)
			}
			if _, err := f.svc.UpdateCertification(f.ctx, f.officer, c); !errors.Is(err, portal.ErrForbidden) {
				t.Fatalf("officer updates: %v, want forbidden", err)
			}
		})

		t.Run("catalogue lists every entry", func(t *testing.T) {
			list, err := f.svc.Catalogue(f.ctx)
			if err != nil || len(list) < 2 {
				t.Fatalf("catalogue = %d, %v", len(list), err)
			}
		})
	})
}
