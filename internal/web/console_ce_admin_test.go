package web

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
)

var messageID = regexp.MustCompile(`\b(console|credits|notice|exams)\.[a-z_]+(\.[a-z_]+)*`)

// noMessageIDs fails when a message ID shows on a page instead of its text.
func noMessageIDs(t *testing.T, lang, text string) {
	t.Helper()
	if id := messageID.FindString(text); id != "" {
		t.Errorf("%s: the message ID %s shows on the page", lang, id)
	}
}

// TestConsoleCECataloguePages: in every language the catalogue lists each
// group with its types' rules and caps as decimals, and a type's page
// lists its versions and puts the error of an empty certification list by
// the certifications, not the levels.
func TestConsoleCECataloguePages(t *testing.T) {
	s := newTestServer(t)
	from := "2026-01-01"
	for _, lang := range s.catalog.Languages() {
		l := s.catalog.Localizer(lang)
		v1 := ceTestType()
		v1.CapActivity, v1.ActiveFrom, v1.CreatedAt = 450, &from, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
		v1.Group, v1.CountsFor, v1.DeadlineDays = portal.CEGroupOther, portal.CECountsList, 365
		v2 := *v1
		v2.Version, v2.MaxCredits = 3, 4500

		p := &consoleCECataloguePage{Groups: []ceCatalogueGroup{{Code: portal.CEGroupOfficial}, {Code: portal.CEGroupRecognised},
			{Code: portal.CEGroupOther, Types: []*portal.CEActivityType{&v2}}}}
		p.T, p.Lang, p.Path = l, lang, "/console/ce/catalogue"
		p.Tabs = ceAdminTabs(&p.BasePage)
		doc := renderAs(t, s, "/console/ce/catalogue", lang, "console_ce_catalogue", "console.ce_admin.catalogue_title", p, mayAll)
		row := doc.TextOf("#type-conference_talk")
		for _, want := range []string{credits.FormatCreditsIn(4500, lang), credits.FormatCreditsIn(450, lang), "3"} {
			if !strings.Contains(row, want) {
				t.Errorf("%s: catalogue row %q lacks %q", lang, row, want)
			}
		}
		if doc.Count(".ce-group") != 3 || doc.Count(".ce-types") != 1 {
			t.Errorf("%s: %d groups, %d tables; want 3 groups, one with types", lang, doc.Count(".ce-group"), doc.Count(".ce-types"))
		}
		if got := doc.TextOf(".ce-admin-tabs a[aria-current=page]"); got != l.T("console.ce_admin.tab.catalogue", nil) {
			t.Errorf("%s: current tab %q", lang, got)
		}
		noMessageIDs(t, lang, doc.Text())

		f := ceTypeForm(&v2, lang)
		f.setError(credits.FieldCountsList, l.T("credits.error.counts_list_empty", nil))
		tp := &consoleCETypePage{Form: f, Type: &v2, Versions: []*portal.CEActivityType{&v2, v1},
			Certifications: []*portal.Certification{{ID: 1, Code: "SAA", Name: "Solutions Architect"}}}
		tp.T, tp.Lang, tp.Path = l, lang, "/console/ce/catalogue/types/conference_talk"
		tp.Tabs = ceAdminTabs(&tp.BasePage)
		doc = renderAs(t, s, tp.Path, lang, "console_ce_type", "console.ce_admin.edit_title", tp, mayAll)
		if doc.Count(".ce-version") != 2 {
			t.Errorf("%s: %d versions listed, want 2", lang, doc.Count(".ce-version"))
		}
		if got := doc.AttrOf("#max_credits", "value"); got != credits.FormatCreditsIn(4500, lang) {
			t.Errorf("%s: max credits shown %q", lang, got)
		}
		if !doc.Has("fieldset#counts_list #cert_SAA") || doc.Has("fieldset#counts_list #level_associate") {
			t.Errorf("%s: the list's error is not by the certifications", lang)
		}
		if doc.Has("#code") {
			t.Errorf("%s: a saved type's code is editable", lang)
		}
		noMessageIDs(t, lang, doc.Text())
	}
}

// TestConsoleCEProgramPages: the requirements read in words in every
// language (decimals with the language's separator), a requirement the
// form cannot show whole is shown as JSON with a warning, the options
// page offers the example configurations, and the import page lists a
// preview's changes and a file's problems.
func TestConsoleCEProgramPages(t *testing.T) {
	s := newTestServer(t)
	ex, err := credits.Examples()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range s.catalog.Languages() {
		l := s.catalog.Localizer(lang)
		cert := &portal.Certification{ID: 4, Code: "SAA", Name: "Solutions Architect", Level: portal.LevelAssociate}
		rp := &consoleCERequirementsPage{}
		rp.T, rp.Lang, rp.Path = l, lang, "/console/ce/catalogue/requirements"
		req := ex["isc2_style"].Default
		req.Alternatives[0].Conditions[0].TypeMax = map[string]int{"published_article": 2550}
		rp.Rows = []ceRequirementRow{{Certification: cert, Summary: ceRequirementText(&rp.BasePage, req, map[string]string{"published_article": "Article"}), Own: true}}
		rp.Tabs = ceAdminTabs(&rp.BasePage)
		doc := renderAs(t, s, rp.Path, lang, "console_ce_requirements", "console.ce_admin.requirements_title", rp, mayAll)
		got := doc.TextOf(".ce-req-summary")
		for _, want := range []string{l.T("console.ce_admin.req.credits", map[string]any{"Credits": "120"}),
			l.T("console.ce_admin.req.type_max", map[string]any{"Credits": credits.FormatCreditsIn(2550, lang), "Type": "Article"}),
			l.T("console.ce_admin.req.yearly", map[string]any{"Credits": "40"})} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: requirement %q lacks %q", lang, got, want)
			}
		}
		noMessageIDs(t, lang, doc.Text())

		two := credits.Requirement{Alternatives: []credits.Alternative{
			{Conditions: []credits.Condition{{Kind: credits.CondCredits, Credits: 3000}, {Kind: credits.CondExamPass, Exams: []string{"X"}}}}}}
		form, rows, unusual := ceRequirementForm(two, lang, nil)
		if !unusual || rows != 2 || form.Value(ceReqCredits) != "30" {
			t.Errorf("%s: a credits-and-exam alternative: unusual %v, rows %d, credits %q", lang, unusual, rows, form.Value(ceReqCredits))
		}
		qp := &consoleCERequirementPage{Certification: cert, Form: form, Rows: rows, Unusual: "{}",
			Types: []*portal.CEActivityType{ceTestType()}}
		qp.T, qp.Lang, qp.Path = l, lang, "/console/ce/catalogue/requirements/4"
		qp.Tabs = ceAdminTabs(&qp.BasePage)
		doc = renderAs(t, s, qp.Path, lang, "console_ce_requirement", "console.ce_admin.requirement_title", qp, mayAll)
		if !doc.Has(".ce-unusual pre") || doc.Count(".ce-group-row") != 2 || !doc.Has("#type_max_conference_talk") {
			t.Errorf("%s: the requirement form lacks the warning, its rows or the type maximum", lang)
		}
		if got := doc.TextOf(".ce-admin-tabs a[aria-current=page]"); got != l.T("console.ce_admin.tab.requirements", nil) {
			t.Errorf("%s: current tab %q", lang, got)
		}
		noMessageIDs(t, lang, doc.Text())

		op := &consoleCEOptionsPage{Form: newForm(), Example: newForm(), Examples: ex}
		op.T, op.Lang, op.Path = l, lang, "/console/ce/catalogue/options"
		op.Tabs = ceAdminTabs(&op.BasePage)
		doc = renderAs(t, s, op.Path, lang, "console_ce_options", "console.ce_admin.options_title", op, mayAll)
		if n := doc.Count("#example option"); n != len(ex)+1 {
			t.Errorf("%s: %d example choices, want %d", lang, n, len(ex)+1)
		}
		noMessageIDs(t, lang, doc.Text())

		ip := &consoleCEImportPage{Form: newForm(), Preview: &credits.ImportPreview{Added: []string{"mentoring"},
			Changed:   []credits.TypeChange{{Code: "teaching_course", Changes: []portal.FieldChange{{Field: "max_credits", Before: "10000", After: "9000"}}}},
			Unchanged: []string{"a", "b"}, Base: "abc"}, File: "e30=", Base: "abc",
			Problems: []ceImportProblem{{Path: "types[0].code", Message: "bad"}}}
		ip.T, ip.Lang, ip.Path = l, lang, "/console/ce/catalogue/import"
		ip.Tabs = ceAdminTabs(&ip.BasePage)
		doc = renderAs(t, s, ip.Path, lang, "console_ce_import", "console.ce_admin.import_title", ip, mayAll)
		if !strings.Contains(doc.TextOf(".ce-preview-summary"), l.T("console.ce_admin.import.summary_unchanged", map[string]any{"Count": 2})) ||
			!doc.Has(".ce-apply") || doc.AttrOf("input[name=base]", "value") != "abc" || !strings.Contains(doc.TextOf(".ce-problems"), "types[0].code") {
			t.Errorf("%s: the import page lacks its summary, apply form or problems", lang)
		}
		if got := doc.TextOf(".ce-changes tbody tr"); !strings.Contains(got, l.T("console.ce_admin.field.max_credits", nil)) ||
			!strings.Contains(got, "100") || !strings.Contains(got, "90") || strings.Contains(got, "10000") {
			t.Errorf("%s: a changed maximum reads %q, want its label and decimal credits", lang, got)
		}
		noMessageIDs(t, lang, doc.Text())
	}
}

// TestCERequirementFields: each path the service names in a requirement
// lands on the form field that holds it.
func TestCERequirementFields(t *testing.T) {
	for path, want := range map[string]string{
		"alternatives":                          "credits",
		"yearly_target":                         "yearly_target",
		"alternatives[0].conditions[0].credits": "credits",
		"alternatives[0].conditions[0].group_min[1].credits":       "group_min_1_credits",
		"alternatives[0].conditions[0].group_min[0].groups":        "group_min_0",
		"alternatives[0].conditions[0].type_max.published_article": "type_max_published_article",
		"alternatives[1].conditions[0].exams":                      "exams",
		"alternatives[1].conditions[0].kind":                       "exams",
	} {
		if got := ceRequirementField(path); got != want {
			t.Errorf("%s: field %q, want %q", path, got, want)
		}
	}
}

// TestCERequirementFormRoundTrip: what the form shows of a requirement
// reads back as the same requirement.
func TestCERequirementFormRoundTrip(t *testing.T) {
	ex, err := credits.Examples()
	if err != nil {
		t.Fatal(err)
	}
	types := []*portal.CEActivityType{{Code: "published_article"}, {Code: "conference_talk"}}
	if _, _, unusual := ceRequirementForm(credits.Requirement{Alternatives: []credits.Alternative{{Conditions: []credits.Condition{
		{Kind: credits.CondCredits, Credits: 100, TypeMax: map[string]int{"retired_type": 50}}}}}}, "en", types); !unusual {
		t.Error("a maximum for a type not in the catalogue is not shown as JSON")
	}
	for _, name := range credits.ExampleNames() {
		for _, lang := range []string{"en", "es"} {
			want := ex[name].Default
			f, rows, unusual := ceRequirementForm(want, lang, types)
			if unusual {
				t.Errorf("%s: the example's default is unusual to the form", name)
				continue
			}
			got, bad := ceRequirementFromForm(f, rows, types)
			if len(bad.Fields) > 0 || !sameRequirement(got, want) {
				t.Errorf("%s %s: read back %+v (%v), want %+v", name, lang, got, bad.Fields, want)
			}
		}
	}
}

func sameRequirement(a, b credits.Requirement) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
