package console

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
	"example.org/certportal/internal/web/webtest"
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
	s := webtest.NewServer(t, Section())
	from := "2026-01-01"
	for _, lang := range s.Catalog.Languages() {
		l := s.Catalog.Localizer(lang)
		v1 := ceTestType()
		v1.CapActivity, v1.ActiveFrom, v1.CreatedAt = 450, &from, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
		v1.Group, v1.CountsFor, v1.DeadlineDays = portal.CEGroupOther, portal.CECountsList, 365
		v2 := *v1
		v2.Version, v2.MaxCredits = 3, 4500

		p := &consoleCECataloguePage{Groups: []ceCatalogueGroup{{Code: portal.CEGroupOfficial}, {Code: portal.CEGroupRecognised},
			{Code: portal.CEGroupOther, Types: []*portal.CEActivityType{&v2}}}}
		p.T, p.Lang, p.Path = l, lang, "/console/ce/catalogue"
		p.Tabs = ceAdminTabs(&p.BasePage)
		doc := webtest.RenderAs(t, s, "/console/ce/catalogue", lang, "console_ce_catalogue", "console.ce_admin.catalogue_title", p, webtest.MayAll)
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
		f.SetError(credits.FieldCountsList, l.T("credits.error.counts_list_empty", nil))
		tp := &consoleCETypePage{Form: f, Type: &v2, Versions: []*portal.CEActivityType{&v2, v1},
			Certifications: []*portal.Certification{{ID: 1, Code: "SAA", Name: "Solutions Architect"}}}
		tp.T, tp.Lang, tp.Path = l, lang, "/console/ce/catalogue/types/conference_talk"
		tp.Tabs = ceAdminTabs(&tp.BasePage)
		doc = webtest.RenderAs(t, s, tp.Path, lang, "console_ce_type", "console.ce_admin.edit_title", tp, webtest.MayAll)
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
	s := webtest.NewServer(t, Section())
	ex, err := credits.Examples()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range s.Catalog.Languages() {
		l := s.Catalog.Localizer(lang)
		cert := &portal.Certification{ID: 4, Code: "SAA", Name: "Solutions Architect", Level: portal.LevelAssociate}
		rp := &consoleCERequirementsPage{}
		rp.T, rp.Lang, rp.Path = l, lang, "/console/ce/catalogue/requirements"
		req := ex["isc2_style"].Default
		req.Alternatives[0].Conditions[0].TypeMax = map[string]int{"published_article": 2550}
		rp.Rows = []ceRequirementRow{{Certification: cert, Summary: ceRequirementText(&rp.BasePage, req, map[string]string{"published_article": "Article"}), Own: true}}
		rp.Tabs = ceAdminTabs(&rp.BasePage)
		doc := webtest.RenderAs(t, s, rp.Path, lang, "console_ce_requirements", "console.ce_admin.requirements_title", rp, webtest.MayAll)
		got := doc.TextOf(".ce-req-summary")
		for _, want := range []string{l.T("console.ce_admin.req.credits", map[string]any{"Credits": "120"}),
			l.T("console.ce_admin.req.type_max", map[string]any{"Credits": credits.FormatCreditsIn(2550, lang), "Type": "Article"}),
			l.T("console.ce_admin.req.yearly", map[string]any{"Credits": "40"})} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: requirement %q lacks %q", lang, got, want)
			}
		}
		noMessageIDs(t, lang, doc.Text())

		three := threeAlternatives()
		qp := &consoleCERequirementPage{Certification: cert, Draft: ceDraftOf(three, lang), Types: []*portal.CEActivityType{ceTestType()}}
		qp.Form = qp.Draft.form()
		qp.Form.SetError("a2c0_exams", "bad exams")
		qp.T, qp.Lang, qp.Path = l, lang, "/console/ce/catalogue/requirements/4"
		qp.Tabs = ceAdminTabs(&qp.BasePage)
		doc = webtest.RenderAs(t, s, qp.Path, lang, "console_ce_requirement", "console.ce_admin.requirement_title", qp, webtest.MayAll)
		if n := doc.Count("fieldset.ce-alternative"); n != 3 {
			t.Errorf("%s: %d alternatives shown, want 3", lang, n)
		}
		if n := doc.Count("fieldset#a0 fieldset.ce-condition"); n != 2 {
			t.Errorf("%s: %d conditions in the first alternative, want 2", lang, n)
		}
		// Two group minimums and an empty row to add one; the retired
		// type's maximum stays editable.
		if n := doc.Count("fieldset#a0c0 .ce-group-row"); n != 3 || !doc.Has("#a0c0_max_conference_talk") || !doc.Has("#a0c0_max_retired_type") {
			t.Errorf("%s: the credits condition has %d group rows, or lacks a type maximum", lang, n)
		}
		if got := doc.TextOf("fieldset#a2c0 #a2c0_exams-error"); got != "bad exams" || !doc.Has("fieldset#a2c0 #a2c0_paths[checked]") {
			t.Errorf("%s: the third alternative's exam error %q, or its renewal paths not ticked", lang, got)
		}
		for _, label := range []string{l.T("console.ce_admin.req.remove_alt", map[string]any{"Number": 3}),
			l.T("console.ce_admin.req.remove_cond", map[string]any{"Number": 1, "Condition": 2}),
			l.T("console.ce_admin.req.add_alt_exam", nil)} {
			if !slices.Contains(doc.Texts("button[name=op]"), label) {
				t.Errorf("%s: no button %q", lang, label)
			}
		}
		if doc.Has("fieldset#a1 button[value^=remove_cond]") {
			t.Errorf("%s: an alternative's only condition has a remove button", lang)
		}
		if got := doc.TextOf(".ce-admin-tabs a[aria-current=page]"); got != l.T("console.ce_admin.tab.requirements", nil) {
			t.Errorf("%s: current tab %q", lang, got)
		}
		noMessageIDs(t, lang, doc.Text())

		op := &consoleCEOptionsPage{Form: web.NewForm(), Example: web.NewForm(), Examples: ex}
		op.T, op.Lang, op.Path = l, lang, "/console/ce/catalogue/options"
		op.Tabs = ceAdminTabs(&op.BasePage)
		doc = webtest.RenderAs(t, s, op.Path, lang, "console_ce_options", "console.ce_admin.options_title", op, webtest.MayAll)
		if n := doc.Count("#example option"); n != len(ex)+1 {
			t.Errorf("%s: %d example choices, want %d", lang, n, len(ex)+1)
		}
		for _, id := range []string{"reminder_months", "carry_over_credits"} {
			if !doc.Has("form.ce-options input#"+id+`[aria-describedby="`+id+`-hint"]`) || doc.TextOf("#"+id+"-hint") == "" {
				t.Errorf("%s: the options form lacks %s with its hint", lang, id)
			}
		}
		noMessageIDs(t, lang, doc.Text())

		ip := &consoleCEImportPage{Form: web.NewForm(), Preview: &credits.ImportPreview{Added: []string{"mentoring"},
			Changed:   []credits.TypeChange{{Code: "teaching_course", Changes: []portal.FieldChange{{Field: "max_credits", Before: "10000", After: "9000"}}}},
			Unchanged: []string{"a", "b"}, Base: "abc"}, File: "e30=", Base: "abc",
			Problems: []ceImportProblem{{Path: "types[0].code", Message: "bad"}}}
		ip.T, ip.Lang, ip.Path = l, lang, "/console/ce/catalogue/import"
		ip.Tabs = ceAdminTabs(&ip.BasePage)
		doc = webtest.RenderAs(t, s, ip.Path, lang, "console_ce_import", "console.ce_admin.import_title", ip, webtest.MayAll)
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

// threeAlternatives is a requirement of every shape the form edits: 120
// credits with two group minimums and two type maximums (one of a type no
// longer in the catalogue) together with a pass of a listed exam; 80.5
// credits; or a pass of one of the certification's exams or renewal
// paths, or of a listed one.
func threeAlternatives() credits.Requirement {
	return credits.Requirement{YearlyTarget: 4000, Alternatives: []credits.Alternative{
		{Conditions: []credits.Condition{
			{Kind: credits.CondCredits, Credits: 12000, GroupMin: []credits.GroupMinimum{
				{Groups: []string{portal.CEGroupOfficial, portal.CEGroupRecognised}, Credits: 9000}, {Groups: []string{portal.CEGroupOther}, Credits: 1050}},
				TypeMax: map[string]int{"conference_talk": 2550, "retired_type": 500}},
			{Kind: credits.CondExamPass, Exams: []string{"SAA-C03", "DVA-C02"}}}},
		{Conditions: []credits.Condition{{Kind: credits.CondCredits, Credits: 8050}}},
		{Conditions: []credits.Condition{{Kind: credits.CondExamPass, Exams: []string{"SAP-C02"}, RenewalPaths: true}}},
	}}
}

// TestCERequirementFields: each path the service names in a requirement
// lands on the form field, or fieldset, that holds it.
func TestCERequirementFields(t *testing.T) {
	for path, want := range map[string]string{
		"alternatives":                                             "alternatives",
		"yearly_target":                                            "yearly_target",
		"alternatives[2]":                                          "a2",
		"alternatives[2].conditions":                               "a2",
		"alternatives[0].conditions[0].credits":                    "a0c0_credits",
		"alternatives[1].conditions[2].credits":                    "a1c2_credits",
		"alternatives[3].conditions[1].group_min[1].credits":       "a3c1_g1_credits",
		"alternatives[0].conditions[0].group_min[0].groups":        "a0c0_g0",
		"alternatives[2].conditions[0].type_max.published_article": "a2c0_max_published_article",
		"alternatives[1].conditions[0].exams":                      "a1c0_exams",
		"alternatives[1].conditions[1].kind":                       "a1c1",
		"something else":                                           "alternatives",
	} {
		if got := ceRequirementField(path); got != want {
			t.Errorf("%s: field %q, want %q", path, got, want)
		}
	}
}

// TestCERequirementFormRoundTrip: what the form shows of a requirement,
// posted back, reads as the same requirement, in every language: the
// example configurations and a requirement of three alternatives.
func TestCERequirementFormRoundTrip(t *testing.T) {
	ex, err := credits.Examples()
	if err != nil {
		t.Fatal(err)
	}
	reqs := map[string]credits.Requirement{"three alternatives": threeAlternatives(), "default": credits.DefaultRequirement()}
	for _, name := range credits.ExampleNames() {
		reqs[name] = ex[name].Default
		for level, r := range ex[name].ByLevel {
			reqs[name+" "+level] = r
		}
	}
	for name, want := range reqs {
		for _, lang := range []string{"en", "es"} {
			got, bad := ceDraftFromForm(posted(ceDraftOf(want, lang))).requirement()
			if len(bad.Fields) > 0 || !sameRequirement(got, want) {
				t.Errorf("%s %s: read back %+v (%v), want %+v", name, lang, got, bad.Fields, want)
			}
		}
	}
}

// posted is what a browser sends of the form of d: every value, the
// hidden counts (with the empty group row the form adds), no op.
func posted(d ceReqDraft) url.Values {
	v := url.Values{}
	for k, x := range d.form().Values {
		if x != "" {
			v.Set(k, x)
		}
	}
	v.Set(ceReqAlts, strconv.Itoa(len(d.Alts)))
	for i, a := range d.Alts {
		v.Set(ceAltName(i)+"_conds", strconv.Itoa(len(a.Conds)))
		for j, c := range a.Conds {
			v.Set(ceCondName(i, j)+"_groups", strconv.Itoa(min(len(c.Groups)+1, ceReqMaxGroups)))
		}
	}
	return v
}

// TestCERequirementFormOps: the buttons add and remove alternatives and
// conditions, within the form's limits, and leave the rest as typed.
func TestCERequirementFormOps(t *testing.T) {
	kinds := func(d ceReqDraft) string {
		var alts []string
		for _, a := range d.Alts {
			var cs []string
			for _, c := range a.Conds {
				cs = append(cs, c.Kind)
			}
			alts = append(alts, strings.Join(cs, "+"))
		}
		return strings.Join(alts, " | ")
	}
	for _, tc := range []struct{ op, want string }{
		{"add_alt:credits", "credits+exam_pass | credits | exam_pass | credits"},
		{"add_alt:exam_pass", "credits+exam_pass | credits | exam_pass | exam_pass"},
		{"add_alt:magic", "credits+exam_pass | credits | exam_pass"},
		{"remove_alt:0", "credits | exam_pass"},
		{"remove_alt:3", "credits+exam_pass | credits | exam_pass"},
		{"add_cond:1:exam_pass", "credits+exam_pass | credits+exam_pass | exam_pass"},
		{"add_cond:2:credits", "credits+exam_pass | credits | exam_pass+credits"},
		{"remove_cond:0:1", "credits | credits | exam_pass"},
		{"remove_cond:0:0", "exam_pass | credits | exam_pass"},
		{"remove_cond:1:x", "credits+exam_pass | credits | exam_pass"},
		{"save", "credits+exam_pass | credits | exam_pass"},
	} {
		d := ceDraftFromForm(posted(ceDraftOf(threeAlternatives(), "en")))
		d.apply(tc.op)
		if got := kinds(d); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.op, got, tc.want)
		}
		if tc.op == "remove_alt:0" && d.Alts[0].Conds[0].Credits != "80.5" {
			t.Errorf("%s: the next alternative's credits became %q", tc.op, d.Alts[0].Conds[0].Credits)
		}
	}
	d := ceReqDraft{}
	for range ceReqMaxAlts + 2 {
		d.apply("add_alt:credits")
	}
	for range ceReqMaxConds + 2 {
		d.apply("add_cond:0:exam_pass")
	}
	if len(d.Alts) != ceReqMaxAlts || len(d.Alts[0].Conds) != ceReqMaxConds {
		t.Errorf("%d alternatives, %d conditions; want at most %d and %d", len(d.Alts), len(d.Alts[0].Conds), ceReqMaxAlts, ceReqMaxConds)
	}
	// A posted form cannot ask for more than the limits either.
	v := url.Values{ceReqAlts: {"1000"}, "a0_conds": {"1000"}, "a0c0_kind": {"credits"}, "a0c0_groups": {"1000"}}
	if d := ceDraftFromForm(v); len(d.Alts) != ceReqMaxAlts || len(d.Alts[0].Conds) != ceReqMaxConds {
		t.Errorf("a posted form of %d alternatives, %d conditions", len(d.Alts), len(d.Alts[0].Conds))
	}
}
func sameRequirement(a, b credits.Requirement) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
