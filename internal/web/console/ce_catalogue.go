package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// Continuing education's program configuration in the console (admins,
// settings.manage): the activity catalogue by group, a type's form and its
// versions, the requirement of each certification, the program options
// and the catalogue's JSON import and export. The credits service keeps
// the rules; these pages translate forms to its types and its refusals to
// messages next to the fields.

// Notices of the catalogue pages.
const (
	noticeCETypeSaved       web.Notice = "ce_type_saved"
	noticeCETypeUnchanged   web.Notice = "ce_type_unchanged"
	noticeCERequirementSet  web.Notice = "ce_requirement_saved"
	noticeCEOptionsSaved    web.Notice = "ce_options_saved"
	noticeCEExampleApplied  web.Notice = "ce_example_applied"
	noticeCECatalogueImport web.Notice = "ce_catalogue_imported"
)

const ceCataloguePath = "/console/ce/catalogue"

// ceAdminTab is one tab of the catalogue pages.
type ceAdminTab struct {
	Href, Label string
	Current     bool
}

// ceAdminTabs are the tabs of the catalogue pages, the current one marked.
func ceAdminTabs(b *web.BasePage) []ceAdminTab {
	tabs := []ceAdminTab{
		{Href: ceCataloguePath, Label: "console.ce_admin.tab.catalogue"},
		{Href: ceCataloguePath + "/requirements", Label: "console.ce_admin.tab.requirements"},
		{Href: ceCataloguePath + "/options", Label: "console.ce_admin.tab.options"},
		{Href: ceCataloguePath + "/import", Label: "console.ce_admin.tab.import"},
	}
	best := 0
	for i, t := range tabs {
		if b.Path == t.Href || strings.HasPrefix(b.Path, t.Href+"/") {
			best = i
		}
	}
	for i := range tabs {
		tabs[i].Label = b.T.T(tabs[i].Label, nil)
	}
	tabs[best].Current = true
	return tabs
}

// ceAdminRuleText says a type's credit rule in words.
func ceAdminRuleText(b *web.BasePage, t *portal.CEActivityType) string {
	c := func(n int) string { return credits.FormatCreditsIn(n, b.Lang) }
	switch t.Rule {
	case portal.CERulePerUnit:
		// The plural follows the credits: one for exactly 1 credit.
		n := 2
		if t.PerUnit == credits.Credit {
			n = 1
		}
		return b.T.T("console.ce_admin.rule_per_unit", map[string]any{"Credits": c(t.PerUnit), "Count": n,
			"Unit": b.T.T("console.ce_admin.unit_name."+strconv.Itoa(t.UnitMinutes), nil)})
	case portal.CERuleRange:
		return b.T.T("console.ce.rule.range", map[string]any{"Low": c(t.MinCredits), "High": c(t.MaxCredits)})
	}
	return b.T.T("console.ce.rule.fixed", map[string]any{"Credits": c(t.MinCredits)})
}

// ceCapsText says a type's caps in words.
func ceCapsText(b *web.BasePage, t *portal.CEActivityType) string {
	var parts []string
	if t.CapActivity > 0 {
		parts = append(parts, b.T.T("console.ce_admin.cap_activity", map[string]any{"Credits": credits.FormatCreditsIn(t.CapActivity, b.Lang)}))
	}
	if t.CapCycle > 0 {
		parts = append(parts, b.T.T("console.ce_admin.cap_cycle", map[string]any{"Credits": credits.FormatCreditsIn(t.CapCycle, b.Lang)}))
	}
	if len(parts) == 0 {
		return b.T.T("console.ce_admin.no_caps", nil)
	}
	return strings.Join(parts, "; ")
}

// ceActiveText says when a type accepts activities.
func ceActiveText(b *web.BasePage, t *portal.CEActivityType) string {
	switch {
	case t.ActiveFrom != nil && t.ActiveUntil != nil:
		return b.T.T("console.ce_admin.active_between", map[string]any{"From": web.Day(b.T, *t.ActiveFrom), "Until": web.Day(b.T, *t.ActiveUntil)})
	case t.ActiveFrom != nil:
		return b.T.T("console.ce_admin.active_from", map[string]any{"From": web.Day(b.T, *t.ActiveFrom)})
	case t.ActiveUntil != nil:
		return b.T.T("console.ce_admin.active_until", map[string]any{"Until": web.Day(b.T, *t.ActiveUntil)})
	}
	return b.T.T("console.ce_admin.active_always", nil)
}

// ceCatalogueGroup is one group of the catalogue with its types.
type ceCatalogueGroup struct {
	Code  string
	Types []*portal.CEActivityType
}

type consoleCECataloguePage struct {
	web.BasePage
	Tabs   []ceAdminTab
	Groups []ceCatalogueGroup
}

// Rule says a type's credit rule in words.
func (p *consoleCECataloguePage) Rule(t *portal.CEActivityType) string {
	return ceAdminRuleText(&p.BasePage, t)
}

// Caps says a type's caps in words.
func (p *consoleCECataloguePage) Caps(t *portal.CEActivityType) string {
	return ceCapsText(&p.BasePage, t)
}

// Active says when a type accepts activities.
func (p *consoleCECataloguePage) Active(t *portal.CEActivityType) string {
	return ceActiveText(&p.BasePage, t)
}

// Credits writes hundredths of a credit in the page's language.
func (p *consoleCECataloguePage) Credits(c int) string { return credits.FormatCreditsIn(c, p.Lang) }

// ceTypePath is the address of a type's page.
func ceTypePath(code string) string { return ceCataloguePath + "/types/" + url.PathEscape(code) }

// handleConsoleCECatalogue lists the activity types by group.
func (s *Pages) handleConsoleCECatalogue(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	if err := web.Actor(r).Authorize(portal.PermSettingsManage); err != nil {
		return err
	}
	list, err := s.Credits.ActivityTypes(r.Context())
	if err != nil {
		return err
	}
	p := &consoleCECataloguePage{}
	s.FillBase(r, &p.BasePage, "console.ce_admin.catalogue_title")
	p.Tabs = ceAdminTabs(&p.BasePage)
	for _, g := range portal.CEGroups() {
		grp := ceCatalogueGroup{Code: g}
		for _, t := range list {
			if t.Group == g {
				grp.Types = append(grp.Types, t)
			}
		}
		p.Groups = append(p.Groups, grp)
	}
	return s.Render(w, r, http.StatusOK, "console_ce_catalogue", p)
}

// Form fields of an activity type that the service names differently.
const (
	ceFieldNameES        = "name_es"
	ceFieldDescriptionEN = "description_en"
	ceFieldDescriptionES = "description_es"
	ceFieldAttestation   = "attestation"
)

// ceFormField is the form's name of a field the service names.
func ceFormField(name string) string { return strings.ReplaceAll(name, ".", "_") }

// ceTypeFields are the inputs of the type form.
var ceTypeFields = []string{credits.FieldCode, credits.FieldGroup, ceFormField(credits.FieldNameEN), ceFieldNameES,
	ceFieldDescriptionEN, ceFieldDescriptionES, credits.FieldRule, credits.FieldUnitMinutes, credits.FieldPerUnit,
	credits.FieldMinCredits, credits.FieldMaxCredits, credits.FieldCapActivity, credits.FieldCapCycle, credits.FieldMinEvidence,
	ceFieldAttestation, credits.FieldCountsFor, credits.FieldActiveFrom, credits.FieldActiveUntil, credits.FieldDeadlineDays}

// ceRequirable are the submission fields a type can require, each a
// checkbox "req_<field>"; the duration is required by every per-unit rule.
var ceRequirable = []string{portal.CEFieldProvider, portal.CEFieldURL, portal.CEFieldNotes}

var ceLevels = []string{portal.LevelFoundational, portal.LevelAssociate, portal.LevelProfessional, portal.LevelSpecialty}

type consoleCETypePage struct {
	web.BasePage
	Tabs []ceAdminTab
	Form *web.Form
	// Type is the current version; nil for a new type.
	Type           *portal.CEActivityType
	Versions       []*portal.CEActivityType
	Certifications []*portal.Certification
}

// Action is where the form posts.
func (p *consoleCETypePage) Action() string {
	if p.Type == nil {
		return ceCataloguePath
	}
	return ceTypePath(p.Type.Code)
}

// Rule says a version's credit rule in words.
func (p *consoleCETypePage) Rule(t *portal.CEActivityType) string {
	return ceAdminRuleText(&p.BasePage, t)
}

// Caps says a version's caps in words.
func (p *consoleCETypePage) Caps(t *portal.CEActivityType) string { return ceCapsText(&p.BasePage, t) }

// Active says when a version accepts activities.
func (p *consoleCETypePage) Active(t *portal.CEActivityType) string {
	return ceActiveText(&p.BasePage, t)
}

// Credits writes hundredths of a credit in the page's language.
func (p *consoleCETypePage) Credits(c int) string { return credits.FormatCreditsIn(c, p.Lang) }

// Field is a text input of the form.
func (p *consoleCETypePage) Field(name, typ, label string, opts ...string) web.Field {
	return web.NewField(p.T, p.Form, name, typ, label, opts...)
}

// GroupField is the group select.
func (p *consoleCETypePage) GroupField() web.Field {
	fl := web.NewField(p.T, p.Form, credits.FieldGroup, "select", "console.ce_admin.field.group", "placeholder=field.choose")
	for _, g := range portal.CEGroups() {
		fl.Options = append(fl.Options, web.Option{Value: g, Label: p.T.T("credits.group."+g, nil), Selected: g == fl.Value})
	}
	return fl
}

// RuleField is the credit rule select.
func (p *consoleCETypePage) RuleField() web.Field {
	fl := web.NewField(p.T, p.Form, credits.FieldRule, "select", "console.ce_admin.field.rule", "placeholder=field.choose",
		"hint=console.ce_admin.field.rule_hint")
	for _, r := range []string{portal.CERulePerUnit, portal.CERuleRange, portal.CERuleFixed} {
		fl.Options = append(fl.Options, web.Option{Value: r, Label: p.T.T("console.ce_admin.rule."+r, nil), Selected: r == fl.Value})
	}
	return fl
}

// UnitField is the unit of a per-unit rule.
func (p *consoleCETypePage) UnitField() web.Field {
	fl := web.NewField(p.T, p.Form, credits.FieldUnitMinutes, "select", "console.ce_admin.field.unit_minutes")
	for _, u := range []string{"60", "15"} {
		fl.Options = append(fl.Options, web.Option{Value: u, Label: p.T.T("console.ce_admin.unit."+u, nil), Selected: u == fl.Value})
	}
	return fl
}

// CountsForField is which certifications the type counts for.
func (p *consoleCETypePage) CountsForField() web.Field {
	fl := web.NewField(p.T, p.Form, credits.FieldCountsFor, "select", "console.ce_admin.field.counts_for")
	for _, c := range []string{portal.CECountsAll, portal.CECountsLevels, portal.CECountsList} {
		fl.Options = append(fl.Options, web.Option{Value: c, Label: p.T.T("console.ce_admin.counts."+c, nil), Selected: c == fl.Value})
	}
	return fl
}

// DescriptionField is a description's textarea.
func (p *consoleCETypePage) DescriptionField(name, label string) textArea {
	return textArea{web.NewField(p.T, p.Form, name, "textarea", label, "max=2000", "optional"), 3}
}

// ceChoice is a checkbox of a group of choices.
type ceChoice struct {
	Name, Label string
	Checked     bool
}

// ceChoiceGroup is a fieldset of checkboxes: Name is the fieldset's id,
// the field its error belongs to.
type ceChoiceGroup struct {
	Name, Legend, Hint, Error, Empty string
	Choices                          []ceChoice
}

func (p *consoleCETypePage) choiceGroup(name, legend, hint string, choices []ceChoice) ceChoiceGroup {
	return ceChoiceGroup{Name: name, Legend: p.T.T(legend, nil), Hint: p.T.T(hint, nil), Error: p.Form.Error(name), Choices: choices}
}

// RequiredGroup are the submission fields the type may require.
func (p *consoleCETypePage) RequiredGroup() ceChoiceGroup {
	var out []ceChoice
	for _, f := range ceRequirable {
		out = append(out, ceChoice{Name: "req_" + f, Label: p.T.T("console.ce_admin.required."+f, nil), Checked: p.Form.Value("req_"+f) == "on"})
	}
	return p.choiceGroup(credits.FieldRequiredFields, "console.ce_admin.field.required_fields", "console.ce_admin.field.required_fields_hint", out)
}

// LevelGroup are the levels the type may count for. It carries the list's
// error unless the type counts for listed certifications.
func (p *consoleCETypePage) LevelGroup() ceChoiceGroup {
	var out []ceChoice
	for _, l := range ceLevels {
		out = append(out, ceChoice{Name: "level_" + l, Label: p.T.T("exams.level."+l, nil), Checked: p.Form.Value("level_"+l) == "on"})
	}
	name := credits.FieldCountsList
	if p.Form.Value(credits.FieldCountsFor) == portal.CECountsList {
		name = "counts_levels"
	}
	return p.choiceGroup(name, "console.ce_admin.field.levels", "console.ce_admin.field.levels_hint", out)
}

// CertificationGroup are the certifications the type may count for. It
// carries the list's error when the type counts for listed
// certifications.
func (p *consoleCETypePage) CertificationGroup() ceChoiceGroup {
	var out []ceChoice
	for _, c := range p.Certifications {
		out = append(out, ceChoice{Name: "cert_" + c.Code, Label: c.Code + " " + c.Name, Checked: p.Form.Value("cert_"+c.Code) == "on"})
	}
	name := "counts_certifications"
	if p.Form.Value(credits.FieldCountsFor) == portal.CECountsList {
		name = credits.FieldCountsList
	}
	g := p.choiceGroup(name, "console.ce_admin.field.certifications", "console.ce_admin.field.certifications_hint", out)
	g.Empty = p.T.T("console.ce_admin.no_certifications", nil)
	return g
}

// Attestation is the attestation checkbox.
func (p *consoleCETypePage) Attestation() web.Field {
	return web.Checkbox(p.T, p.Form, ceFieldAttestation, "console.ce_admin.field.attestation")
}

// ceTypeForm fills the form from a saved version.
func ceTypeForm(t *portal.CEActivityType, lang string) *web.Form {
	f := web.NewForm()
	c := func(n int) string {
		if n == 0 {
			return ""
		}
		return credits.FormatCreditsIn(n, lang)
	}
	for k, v := range map[string]string{
		credits.FieldCode: t.Code, credits.FieldGroup: t.Group, credits.FieldRule: t.Rule,
		ceFormField(credits.FieldNameEN): t.Texts["en"].Name, ceFieldDescriptionEN: t.Texts["en"].Description,
		ceFieldNameES: t.Texts["es"].Name, ceFieldDescriptionES: t.Texts["es"].Description,
		credits.FieldUnitMinutes: strconv.Itoa(t.UnitMinutes), credits.FieldPerUnit: c(t.PerUnit),
		credits.FieldMinCredits: c(t.MinCredits), credits.FieldMaxCredits: c(t.MaxCredits),
		credits.FieldCapActivity: c(t.CapActivity), credits.FieldCapCycle: c(t.CapCycle),
		credits.FieldMinEvidence: strconv.Itoa(t.MinEvidence), credits.FieldCountsFor: t.CountsFor,
		credits.FieldDeadlineDays: strconv.Itoa(t.DeadlineDays),
	} {
		f.Values[k] = v
	}
	if t.UnitMinutes == 0 {
		f.Values[credits.FieldUnitMinutes] = "60"
	}
	if t.ActiveFrom != nil {
		f.Values[credits.FieldActiveFrom] = *t.ActiveFrom
	}
	if t.ActiveUntil != nil {
		f.Values[credits.FieldActiveUntil] = *t.ActiveUntil
	}
	if t.Attestation {
		f.Values[ceFieldAttestation] = "on"
	}
	for _, r := range strings.Split(t.RequiredFields, ",") {
		if r != "" && r != portal.CEFieldDuration {
			f.Values["req_"+r] = "on"
		}
	}
	prefix := "cert_"
	if t.CountsFor == portal.CECountsLevels {
		prefix = "level_"
	}
	for _, x := range strings.Split(t.CountsList, ",") {
		if x != "" {
			f.Values[prefix+x] = "on"
		}
	}
	return f
}

// newCETypeForm is the form of a new type, with the usual rules.
func newCETypeForm() *web.Form {
	f := web.NewForm()
	for k, v := range map[string]string{credits.FieldRule: portal.CERuleRange, credits.FieldUnitMinutes: "60",
		credits.FieldMinEvidence: "1", credits.FieldCountsFor: portal.CECountsAll,
		credits.FieldDeadlineDays: strconv.Itoa(credits.DefaultDeadlineDays)} {
		f.Values[k] = v
	}
	return f
}

// ceTypeFromForm reads a type from the form. Amounts that are not decimal
// credits and counts that are not whole numbers are refused on their
// fields (problems); everything else is for the service to judge.
func ceTypeFromForm(r *http.Request, f *web.Form, code string) (portal.CEActivityType, portal.Validation) {
	var bad portal.Validation
	for _, k := range []string{"req_provider", "req_url", "req_notes", "level_foundational", "level_associate",
		"level_professional", "level_specialty"} {
		f.Values[k] = r.PostForm.Get(k)
	}
	for k := range r.PostForm {
		if strings.HasPrefix(k, "cert_") {
			f.Values[k] = r.PostForm.Get(k)
		}
	}
	t := portal.CEActivityType{Code: code, Group: f.Value(credits.FieldGroup), Rule: f.Value(credits.FieldRule),
		CountsFor: f.Value(credits.FieldCountsFor), Attestation: f.Value(ceFieldAttestation) == "on",
		Texts: map[string]portal.CEText{
			"en": {Name: f.Value(ceFormField(credits.FieldNameEN)), Description: f.Value(ceFieldDescriptionEN)},
			"es": {Name: f.Value(ceFieldNameES), Description: f.Value(ceFieldDescriptionES)},
		}}
	amount := func(field string, out *int, required bool) {
		v := strings.TrimSpace(f.Value(field))
		if v == "" && !required {
			return
		}
		c, err := credits.ParseCredits(v)
		if err != nil {
			bad.Add(field, "credits.error.credits_format", nil)
		}
		*out = c
	}
	switch t.Rule {
	case portal.CERulePerUnit:
		t.UnitMinutes = formNumber(f.Value(credits.FieldUnitMinutes))
		amount(credits.FieldPerUnit, &t.PerUnit, true)
	case portal.CERuleRange:
		amount(credits.FieldMinCredits, &t.MinCredits, true)
		amount(credits.FieldMaxCredits, &t.MaxCredits, true)
	case portal.CERuleFixed:
		amount(credits.FieldMinCredits, &t.MinCredits, true)
	}
	amount(credits.FieldCapActivity, &t.CapActivity, false)
	amount(credits.FieldCapCycle, &t.CapCycle, false)
	for _, d := range []struct {
		field string
		out   *int
	}{{credits.FieldMinEvidence, &t.MinEvidence}, {credits.FieldDeadlineDays, &t.DeadlineDays}} {
		n := formNumber(f.Value(d.field))
		if n < 0 {
			bad.Add(d.field, "console.ce_admin.error.whole_number", nil)
		}
		*d.out = n
	}
	var req []string
	for _, x := range ceRequirable {
		if f.Value("req_"+x) == "on" {
			req = append(req, x)
		}
	}
	t.RequiredFields = strings.Join(req, ",")
	var list []string
	switch t.CountsFor {
	case portal.CECountsLevels:
		for _, l := range ceLevels {
			if f.Value("level_"+l) == "on" {
				list = append(list, l)
			}
		}
	case portal.CECountsList:
		for k, v := range f.Values {
			if strings.HasPrefix(k, "cert_") && v == "on" {
				list = append(list, strings.TrimPrefix(k, "cert_"))
			}
		}
	}
	t.CountsList = strings.Join(list, ",")
	for _, d := range []struct {
		field string
		out   **string
	}{{credits.FieldActiveFrom, &t.ActiveFrom}, {credits.FieldActiveUntil, &t.ActiveUntil}} {
		if v := strings.TrimSpace(f.Value(d.field)); v != "" {
			*d.out = &v
		}
	}
	return t, bad
}

func (s *Pages) newCETypePage(r *http.Request, t *portal.CEActivityType, f *web.Form) (*consoleCETypePage, error) {
	p := &consoleCETypePage{Form: f, Type: t}
	title := "console.ce_admin.new_title"
	if t != nil {
		title = "console.ce_admin.edit_title"
	}
	s.FillBase(r, &p.BasePage, title)
	p.Tabs = ceAdminTabs(&p.BasePage)
	if s.Results != nil {
		var err error
		if p.Certifications, err = s.Results.Catalogue(r.Context()); err != nil {
			return nil, err
		}
	}
	if t != nil {
		var err error
		if p.Versions, err = s.Credits.ActivityTypeVersions(r.Context(), web.Actor(r), t.Code); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// handleConsoleCETypeNew is the form of a new activity type.
func (s *Pages) handleConsoleCETypeNew(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	if err := web.Actor(r).Authorize(portal.PermSettingsManage); err != nil {
		return err
	}
	p, err := s.newCETypePage(r, nil, newCETypeForm())
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "console_ce_type", p)
}

// handleConsoleCEType is a type's form with its versions.
func (s *Pages) handleConsoleCEType(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	if err := web.Actor(r).Authorize(portal.PermSettingsManage); err != nil {
		return err
	}
	t, err := s.Credits.ActivityType(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	p, err := s.newCETypePage(r, t, nil)
	if err != nil {
		return err
	}
	p.Form = ceTypeForm(t, p.Lang)
	return s.Render(w, r, http.StatusOK, "console_ce_type", p)
}

// handleConsoleCETypeCreate saves a new type (version 1).
func (s *Pages) handleConsoleCETypeCreate(w http.ResponseWriter, r *http.Request) error {
	return s.saveCEType(w, r, nil)
}

// handleConsoleCETypeSave saves a type's form as a new version (nothing
// when the rules did not change).
func (s *Pages) handleConsoleCETypeSave(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	cur, err := s.Credits.ActivityType(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.saveCEType(w, r, cur)
}

func (s *Pages) saveCEType(w http.ResponseWriter, r *http.Request, cur *portal.CEActivityType) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, ceTypeFields...)
	code := f.Value(credits.FieldCode)
	if cur != nil {
		code = cur.Code
	}
	t, bad := ceTypeFromForm(r, f, code)
	var err error
	if len(bad.Fields) > 0 {
		// The service is not asked to save what the form could not
		// read; its checks of the rest are shown beside.
		if err := web.Actor(r).Authorize(portal.PermSettingsManage); err != nil {
			return err
		}
		var verr *portal.Error
		if errors.As(credits.ValidateActivityType(&t), &verr) {
			bad.Fields = append(bad.Fields, verr.Fields...)
		}
		err = bad.Err()
	} else {
		var saved *portal.CEActivityType
		if cur == nil {
			saved, err = s.Credits.CreateActivityType(r.Context(), web.Actor(r), t)
		} else {
			saved, err = s.Credits.SaveActivityType(r.Context(), web.Actor(r), t)
		}
		if err == nil {
			n := noticeCETypeSaved
			if cur != nil && saved.Version == cur.Version {
				n = noticeCETypeUnchanged
			}
			http.Redirect(w, r, web.WithNotice(ceTypePath(saved.Code), n), http.StatusSeeOther)
			return nil
		}
	}
	p, perr := s.newCETypePage(r, cur, f)
	if perr != nil {
		return perr
	}
	var pe *portal.Error
	if errors.As(err, &pe) {
		for i := range pe.Fields {
			pe.Fields[i].Field = ceFormField(pe.Fields[i].Field)
		}
	}
	if !s.ApplyError(&p.BasePage, p.Form, err, credits.FieldCode) {
		return err
	}
	return s.Render(w, r, web.FormStatus(err), "console_ce_type", p)
}
