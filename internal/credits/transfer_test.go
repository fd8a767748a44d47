package credits_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestCatalogueExportImport: an export imports back unchanged; an edited
// file previews its differences, applies in one transaction, audited, and
// a preview made before another change is refused.
func TestCatalogueExportImport(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		if _, err := f.svc.ExportCatalogue(f.ctx, f.reviewer); err == nil {
			t.Fatal("a reviewer exported the catalogue")
		}
		b, err := f.svc.ExportCatalogue(f.ctx, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.svc.PreviewImport(f.ctx, f.admin, b)
		if err != nil || len(p.Unchanged) != 10 || len(p.Added)+len(p.Changed) != 0 {
			t.Fatalf("round trip preview = %+v, %v", p, err)
		}
		var file credits.CatalogueFile
		if err := json.Unmarshal(b, &file); err != nil {
			t.Fatal(err)
		}
		for i := range file.Types {
			if file.Types[i].Code == "documentation_review" {
				file.Types[i].CapActivity = "5"
				file.Types[i].Texts["es"] = portal.CEText{Name: "Lectura de documentación"}
			}
		}
		file.Types = append(file.Types, credits.TypeJSON{Code: "podcast", Group: portal.CEGroupOther, Rule: portal.CERuleFixed,
			MinCredits: "2", MinEvidence: 1, CountsFor: portal.CECountsAll, DeadlineDays: 180,
			Texts: map[string]portal.CEText{"en": {Name: "Podcast episode"}}})
		edited, _ := json.Marshal(file)
		p, err = f.svc.PreviewImport(f.ctx, f.admin, edited)
		if err != nil || len(p.Added) != 1 || p.Added[0] != "podcast" || len(p.Changed) != 1 || len(p.Unchanged) != 9 {
			t.Fatalf("preview = %+v, %v", p, err)
		}
		fields := map[string]portal.FieldChange{}
		for _, c := range p.Changed[0].Changes {
			fields[c.Field] = c
		}
		if fields["cap_activity"].Before != "400" || fields["cap_activity"].After != "500" || fields["texts"].After == "" {
			t.Fatalf("changes = %+v", p.Changed[0].Changes)
		}
		if n := f.db.Count(t, `SELECT COUNT(*) FROM ce_activity_types`); n != 10 {
			t.Fatalf("the preview changed the catalogue: %d types", n)
		}
		// Someone edits the catalogue after the preview.
		typ, _ := f.svc.ActivityType(f.ctx, "teaching_course")
		typ.DeadlineDays = 200
		if _, err := f.svc.SaveActivityType(f.ctx, f.admin, *typ); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.ApplyImport(f.ctx, f.admin, edited, p.Base)
		wantCode(t, err, portal.EConflict, "credits.error.catalogue_changed")
		p, err = f.svc.PreviewImport(f.ctx, f.admin, edited)
		if err != nil || len(p.Changed) != 2 {
			t.Fatalf("second preview = %+v, %v", p, err)
		}
		if _, err := f.svc.ApplyImport(f.ctx, f.admin, edited, p.Base); err != nil {
			t.Fatal(err)
		}
		review, _ := f.svc.ActivityType(f.ctx, "documentation_review")
		if review.CapActivity != 500 || review.Version != 2 || review.Name("es") != "Lectura de documentación" {
			t.Fatalf("after the import: %+v", review)
		}
		if len(f.db.Audit(t, "ce.catalogue_imported", "ce:catalogue")) != 1 || len(f.db.Audit(t, "ce.activity_type_created", "ce_activity_type:podcast")) != 1 {
			t.Fatal("the import was not audited")
		}
	})
}

func TestImportErrorsNameThePath(t *testing.T) {
	tests := []struct {
		name, json, path, message string
	}{
		{"another format", `{"format": "x", "types": []}`, "format", "credits.error.import_format"},
		{"a bad rule", `{"format": "certportal.ce-catalogue/1", "types": [{"code": "aa", "group": "other", "texts": {"en": {"name": "A"}},
			"rule": "magic", "min_evidence": 1, "counts_for": "all", "deadline_days": 10}]}`, "types[0].rule", "credits.error.unknown_rule"},
		{"bad credits", `{"format": "certportal.ce-catalogue/1", "types": [{"code": "aa", "group": "other", "texts": {"en": {"name": "A"}},
			"rule": "fixed", "min_credits": 1.234, "min_evidence": 1, "counts_for": "all", "deadline_days": 10}]}`, "types[0].min_credits", "credits.error.credits_format"},
		{"no English name", `{"format": "certportal.ce-catalogue/1", "types": [{"code": "aa", "group": "other", "texts": {"es": {"name": "A"}},
			"rule": "fixed", "min_credits": 1, "min_evidence": 1, "counts_for": "all", "deadline_days": 10}]}`, "types[0].name.en", "credits.error.name_en_required"},
		{"a repeated code", `{"format": "certportal.ce-catalogue/1", "types": [
			{"code": "aa", "group": "other", "texts": {"en": {"name": "A"}}, "rule": "fixed", "min_credits": 1, "min_evidence": 1, "counts_for": "all", "deadline_days": 10},
			{"code": "aa", "group": "other", "texts": {"en": {"name": "A"}}, "rule": "fixed", "min_credits": 1, "min_evidence": 1, "counts_for": "all", "deadline_days": 10}]}`,
			"types[1].code", "credits.error.import_repeated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := credits.DecodeCatalogue([]byte(tc.json))
			wantField(t, err, tc.path, tc.message)
		})
	}
	_, err := credits.DecodeCatalogue([]byte(`{"format": "certportal.ce-catalogue/1", "types": [], "x": 1}`))
	wantCode(t, err, portal.EInvalid, "credits.error.json")
	_, err = credits.DecodeCatalogue(bytes.Repeat([]byte(" "), credits.MaxCatalogueBytes+1))
	wantCode(t, err, portal.EInvalid, "credits.error.import_too_large")
}

// FuzzDecodeCatalogue: whatever the bytes, decoding never panics, refuses
// with an invalid error, or accepts types that validate and survive a
// round trip through the export format.
func FuzzDecodeCatalogue(f *testing.F) {
	f.Add([]byte(`{"format": "certportal.ce-catalogue/1", "types": [{"code": "aa", "group": "other", "texts": {"en": {"name": "A"}}, "rule": "fixed", "min_credits": 1, "min_evidence": 1, "counts_for": "all", "deadline_days": 10}]}`))
	f.Add([]byte(`{"format": "certportal.ce-catalogue/1", "types": [{"code": "rev", "group": "recognised", "texts": {"en": {"name": "R"}, "es": {"name": "S"}}, "rule": "per_unit", "unit_minutes": 15, "per_unit": 0.25, "cap_activity": 4, "min_evidence": 1, "counts_for": "levels", "counts_list": ["associate"], "active_from": "2026-01-01", "deadline_days": 365}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		types, err := credits.DecodeCatalogue(b)
		if err != nil {
			wantCode(t, err, portal.EInvalid, "")
			return
		}
		var file credits.CatalogueFile
		file.Format = credits.CatalogueFormat
		for i := range types {
			if err := credits.ValidateActivityType(&types[i]); err != nil {
				t.Fatalf("accepted an invalid type: %v", err)
			}
			file.Types = append(file.Types, credits.TypeToJSON(&types[i]))
		}
		out, _ := json.Marshal(file)
		again, err := credits.DecodeCatalogue(out)
		if err != nil || len(again) != len(types) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
