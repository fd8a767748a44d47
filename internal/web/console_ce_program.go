package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
)

// The program's continuing-education options and the requirement of each
// certification, in the console (admins, settings.manage).

// ceExampleField is the example configuration chosen on the options page.
const ceExampleField = "example"

type consoleCEOptionsPage struct {
	BasePage
	Tabs     []ceAdminTab
	Form     *Form
	Example  *Form
	Examples map[string]credits.ProgramConfig
}

// CountModeField is the count mode.
func (p *consoleCEOptionsPage) CountModeField() Field {
	fl := field(p.T, p.Form, credits.FieldCountMode, "select", "console.ce_admin.field.count_mode", "hint=console.ce_admin.field.count_mode_hint")
	for _, m := range []string{credits.CountEvery, credits.CountChoose} {
		fl.Options = append(fl.Options, Option{Value: m, Label: p.T.T("console.ce_admin.count_mode."+m, nil), Selected: m == fl.Value})
	}
	return fl
}

// Field is a text input of the options form.
func (p *consoleCEOptionsPage) Field(name, label string, opts ...string) Field {
	return field(p.T, p.Form, name, "text", label, opts...)
}

// AttestationField is the attestation's wording.
func (p *consoleCEOptionsPage) AttestationField() textArea {
	return textArea{field(p.T, p.Form, "attestation_text", "textarea", "console.ce_admin.field.attestation_text",
		"hint=console.ce_admin.field.attestation_text_hint", "max=500", "optional"), 2}
}

// ExampleField chooses an example configuration.
func (p *consoleCEOptionsPage) ExampleField() Field {
	fl := field(p.T, p.Example, ceExampleField, "select", "console.ce_admin.field.example", "placeholder=field.choose")
	for _, n := range credits.ExampleNames() {
		fl.Options = append(fl.Options, Option{Value: n, Label: p.Examples[n].Name, Selected: n == fl.Value})
	}
	return fl
}

// ExampleNames lists the example configurations in order.
func (p *consoleCEOptionsPage) ExampleNames() []string { return credits.ExampleNames() }

func (s *Server) newCEOptionsPage(r *http.Request, f, example *Form) (*consoleCEOptionsPage, error) {
	ex, err := credits.Examples()
	if err != nil {
		return nil, err
	}
	p := &consoleCEOptionsPage{Form: f, Example: example, Examples: ex}
	s.fillBase(r, &p.BasePage, "console.ce_admin.options_title")
	p.Tabs = ceAdminTabs(&p.BasePage)
	if p.Form == nil {
		o, err := s.credits.Options(r.Context())
		if err != nil {
			return nil, err
		}
		p.Form = newForm()
		p.Form.Values[credits.FieldCountMode] = o.CountMode
		p.Form.Values[credits.FieldReviewDays] = strconv.Itoa(o.ReviewBusinessDays)
		p.Form.Values[credits.FieldInfoDays] = strconv.Itoa(o.InfoDays)
		p.Form.Values[credits.FieldMaxOpen] = strconv.Itoa(o.MaxOpen)
		p.Form.Values["attestation_text"] = o.AttestationText
		p.Form.Values[credits.FieldReminders] = formatMonths(o.ReminderMonths)
		p.Form.Values[credits.FieldCarryOver] = credits.FormatCreditsIn(o.CarryOverCredits, p.Lang)
	}
	if p.Example == nil {
		p.Example = newForm()
	}
	return p, nil
}

// handleConsoleCEOptions shows the program options.
func (s *Server) handleConsoleCEOptions(w http.ResponseWriter, r *http.Request) error {
	if s.credits == nil {
		return portal.ErrNotFound
	}
	if err := actor(r).Authorize(portal.PermSettingsManage); err != nil {
		return err
	}
	p, err := s.newCEOptionsPage(r, nil, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "console_ce_options", p)
}

// formatMonths writes reminder months as the form reads them.
func formatMonths(ms []int) string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = strconv.Itoa(m)
	}
	return strings.Join(out, ", ")
}

// ceOptionFields are the fields of the options form.
var ceOptionFields = []string{credits.FieldCountMode, credits.FieldReviewDays, credits.FieldInfoDays, credits.FieldMaxOpen,
	"attestation_text", credits.FieldReminders, credits.FieldCarryOver}

// ceOptionsFromForm reads the options the form sent over the stored ones
// o, so an option the form does not send keeps its value. Reminder months
// and credits that do not read as numbers are problems of their fields.
func ceOptionsFromForm(r *http.Request, o credits.Options) (credits.Options, portal.Validation) {
	var bad portal.Validation
	sent := func(name string) (string, bool) {
		v, ok := r.PostForm[name]
		if !ok || len(v) == 0 {
			return "", false
		}
		return strings.TrimSpace(v[0]), true
	}
	if v, ok := sent(credits.FieldCountMode); ok {
		o.CountMode = v
	}
	for name, n := range map[string]*int{credits.FieldReviewDays: &o.ReviewBusinessDays, credits.FieldInfoDays: &o.InfoDays, credits.FieldMaxOpen: &o.MaxOpen} {
		if v, ok := sent(name); ok {
			*n = formNumber(v)
		}
	}
	if v, ok := sent("attestation_text"); ok {
		o.AttestationText = v
	}
	if v, ok := sent(credits.FieldReminders); ok {
		ms, err := credits.ParseReminderMonths(v)
		if pe := (*portal.Error)(nil); errors.As(err, &pe) {
			bad.Fields = append(bad.Fields, pe.Fields...)
		}
		o.ReminderMonths = ms
	}
	if v, ok := sent(credits.FieldCarryOver); ok {
		o.CarryOverCredits = 0
		if v != "" {
			n, err := credits.ParseCredits(v)
			if err != nil {
				bad.Add(credits.FieldCarryOver, "credits.error.carry_over", map[string]any{"To": credits.FormatCredits(credits.MaxCarryOver)})
			}
			o.CarryOverCredits = n
		}
	}
	return o, bad
}

// handleConsoleCEOptionsSave saves the program options. It starts from
// the stored options: an option the form does not send is kept, never
// reset to its default.
func (s *Server) handleConsoleCEOptionsSave(w http.ResponseWriter, r *http.Request) error {
	if s.credits == nil {
		return portal.ErrNotFound
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := actor(r).Authorize(portal.PermSettingsManage); err != nil {
		return err
	}
	f := formFrom(r, ceOptionFields...)
	stored, err := s.credits.Options(r.Context())
	if err != nil {
		return err
	}
	o, bad := ceOptionsFromForm(r, stored)
	if len(bad.Fields) > 0 {
		// Show every problem at once: those of the values that did not
		// read, and the service's of the others.
		var pe *portal.Error
		if errors.As(o.Validate(), &pe) {
			for _, fe := range pe.Fields {
				if !bad.Has(fe.Field) {
					bad.Fields = append(bad.Fields, fe)
				}
			}
		}
		err = bad.Err()
	} else {
		_, err = s.credits.SetOptions(r.Context(), actor(r), o)
	}
	if err != nil {
		p, perr := s.newCEOptionsPage(r, f, nil)
		if perr != nil {
			return perr
		}
		if !s.applyError(&p.BasePage, p.Form, err, credits.FieldCountMode) {
			return err
		}
		return s.render(w, r, formStatus(err), "console_ce_options", p)
	}
	http.Redirect(w, r, withNotice(ceCataloguePath+"/options", noticeCEOptionsSaved), http.StatusSeeOther)
	return nil
}

// handleConsoleCEExampleApply applies an example configuration: options,
// every certification's requirement, and the deadline and attestation of
// every type.
func (s *Server) handleConsoleCEExampleApply(w http.ResponseWriter, r *http.Request) error {
	if s.credits == nil {
		return portal.ErrNotFound
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := formFrom(r, ceExampleField)
	ex, err := credits.Examples()
	if err != nil {
		return err
	}
	cfg, ok := ex[f.Value(ceExampleField)]
	if !ok {
		if err := actor(r).Authorize(portal.PermSettingsManage); err != nil {
			return err
		}
		var v portal.Validation
		v.Add(ceExampleField, "console.ce_admin.error.example", nil)
		err = v.Err()
	} else {
		err = s.credits.ApplyProgramConfig(r.Context(), actor(r), cfg)
	}
	if err != nil {
		p, perr := s.newCEOptionsPage(r, nil, f)
		if perr != nil {
			return perr
		}
		if !s.applyError(&p.BasePage, p.Example, err, ceExampleField) {
			return err
		}
		return s.render(w, r, formStatus(err), "console_ce_options", p)
	}
	http.Redirect(w, r, withNotice(ceCataloguePath+"/options", noticeCEExampleApplied), http.StatusSeeOther)
	return nil
}

// ceRequirementRow is one certification with its requirement in words.
type ceRequirementRow struct {
	Certification *portal.Certification
	Summary       string
	Own           bool // the certification has a requirement of its own
}

type consoleCERequirementsPage struct {
	BasePage
	Tabs []ceAdminTab
	Rows []ceRequirementRow
}

// ceRequirementText says a requirement in words.
func ceRequirementText(b *BasePage, req credits.Requirement, names map[string]string) string {
	c := func(n int) string { return credits.FormatCreditsIn(n, b.Lang) }
	var alts []string
	for _, a := range req.Alternatives {
		var conds []string
		for _, cond := range a.Conditions {
			switch cond.Kind {
			case credits.CondCredits:
				parts := []string{b.T.T("console.ce_admin.req.credits", map[string]any{"Credits": c(cond.Credits)})}
				for _, g := range cond.GroupMin {
					var gs []string
					for _, x := range g.Groups {
						gs = append(gs, b.T.T("credits.group."+x, nil))
					}
					parts = append(parts, b.T.T("console.ce_admin.req.group_min", map[string]any{"Credits": c(g.Credits), "Groups": strings.Join(gs, " + ")}))
				}
				codes := make([]string, 0, len(cond.TypeMax))
				for code := range cond.TypeMax {
					codes = append(codes, code)
				}
				slices.Sort(codes)
				for _, code := range codes {
					name := names[code]
					if name == "" {
						name = code
					}
					parts = append(parts, b.T.T("console.ce_admin.req.type_max", map[string]any{"Credits": c(cond.TypeMax[code]), "Type": name}))
				}
				conds = append(conds, strings.Join(parts, ", "))
			case credits.CondExamPass:
				conds = append(conds, b.T.T("console.ce_admin.req.exam_pass", map[string]any{"Exams": strings.Join(cond.Exams, ", ")}))
			}
		}
		alts = append(alts, strings.Join(conds, " + "))
	}
	out := strings.Join(alts, b.T.T("console.ce_admin.req.or", nil))
	if req.YearlyTarget > 0 {
		out += ". " + b.T.T("console.ce_admin.req.yearly", map[string]any{"Credits": c(req.YearlyTarget)})
	}
	return out
}

// ceTypeNames maps type codes to their names in lang.
func (s *Server) ceTypeNames(r *http.Request, lang string) ([]*portal.CEActivityType, map[string]string, error) {
	types, err := s.credits.ActivityTypes(r.Context())
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	for _, t := range types {
		names[t.Code] = t.Name(lang)
	}
	return types, names, nil
}

// ceCertifications are the certifications that take continuing education
// (microcredentials do not).
func (s *Server) ceCertifications(r *http.Request) ([]*portal.Certification, error) {
	if s.results == nil {
		return nil, nil
	}
	list, err := s.results.Catalogue(r.Context())
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(list, func(c *portal.Certification) bool { return c.Microcredential() }), nil
}

// handleConsoleCERequirements lists the certifications with their
// requirements.
func (s *Server) handleConsoleCERequirements(w http.ResponseWriter, r *http.Request) error {
	if s.credits == nil {
		return portal.ErrNotFound
	}
	if err := actor(r).Authorize(portal.PermSettingsManage); err != nil {
		return err
	}
	p := &consoleCERequirementsPage{}
	s.fillBase(r, &p.BasePage, "console.ce_admin.requirements_title")
	p.Tabs = ceAdminTabs(&p.BasePage)
	_, names, err := s.ceTypeNames(r, p.Lang)
	if err != nil {
		return err
	}
	certs, err := s.ceCertifications(r)
	if err != nil {
		return err
	}
	def, err := json.Marshal(credits.DefaultRequirement())
	if err != nil {
		return err
	}
	for _, c := range certs {
		req, err := s.credits.Requirement(r.Context(), c.ID)
		if err != nil {
			return err
		}
		own, err := json.Marshal(req)
		if err != nil {
			return err
		}
		p.Rows = append(p.Rows, ceRequirementRow{Certification: c, Summary: ceRequirementText(&p.BasePage, req, names),
			Own: string(own) != string(def)})
	}
	return s.render(w, r, http.StatusOK, "console_ce_requirements", p)
}

// The requirement form: the credits needed, a yearly target, group
// minimums (rows of group checkboxes and credits), a maximum per type and
// exams whose pass is the other way to meet it.
const (
	ceReqCredits  = "credits"
	ceReqYearly   = "yearly_target"
	ceReqExams    = "exams"
	ceReqRows     = "group_rows"
	ceReqMaxRows  = 6
	ceReqTypeMax  = "type_max_"
	ceReqGroupMin = "group_min_"
)

type consoleCERequirementPage struct {
	BasePage
	Tabs          []ceAdminTab
	Certification *portal.Certification
	Form          *Form
	Types         []*portal.CEActivityType
	Rows          int
	// Unusual is the stored requirement as JSON when the form cannot show
	// it whole (saving the form replaces it).
	Unusual string
}

// Field is a text input of the form.
func (p *consoleCERequirementPage) Field(name, label string, opts ...string) Field {
	return field(p.T, p.Form, name, "text", label, opts...)
}

// ceGroupRow is one group-minimum row of the form.
type ceGroupRow struct {
	Index   int
	Name    string // the fieldset's id and the row's error field
	Legend  string
	Error   string
	Credits Field
	Groups  []ceChoice
}

// GroupRows are the form's group-minimum rows.
func (p *consoleCERequirementPage) GroupRows() []ceGroupRow {
	var out []ceGroupRow
	for i := range p.Rows {
		prefix := ceReqGroupMin + strconv.Itoa(i)
		row := ceGroupRow{Index: i, Name: prefix, Legend: p.T.T("console.ce_admin.req.group_row", map[string]any{"Number": i + 1}),
			Error:   p.Form.Error(prefix),
			Credits: field(p.T, p.Form, prefix+"_credits", "text", "console.ce_admin.req.group_credits", "max=12", "optional")}
		for _, g := range portal.CEGroups() {
			n := prefix + "_" + g
			row.Groups = append(row.Groups, ceChoice{Name: n, Label: p.T.T("credits.group."+g, nil), Checked: p.Form.Value(n) == "on"})
		}
		out = append(out, row)
	}
	return out
}

// TypeMaxField is the maximum of one type.
func (p *consoleCERequirementPage) TypeMaxField(t *portal.CEActivityType) Field {
	fl := field(p.T, p.Form, ceReqTypeMax+t.Code, "text", "console.ce_admin.req.type_max_field", "max=12", "optional")
	fl.Label = t.Name(p.Lang)
	return fl
}

// ceRequirementForm fills the form from a requirement; unusual reports a
// shape the form cannot show whole: more than one credits condition,
// alternatives other than one of credits and one of exam passes, or a
// maximum for a type no longer in the catalogue (types).
func ceRequirementForm(req credits.Requirement, lang string, types []*portal.CEActivityType) (f *Form, rows int, unusual bool) {
	f = newForm()
	c := func(n int) string { return credits.FormatCreditsIn(n, lang) }
	if req.YearlyTarget > 0 {
		f.Values[ceReqYearly] = c(req.YearlyTarget)
	}
	seenCredits, seenExams := false, false
	for _, a := range req.Alternatives {
		if len(a.Conditions) != 1 {
			unusual = true
		}
		for _, cond := range a.Conditions {
			switch {
			case cond.Kind == credits.CondCredits && !seenCredits:
				seenCredits = true
				f.Values[ceReqCredits] = c(cond.Credits)
				for i, g := range cond.GroupMin {
					prefix := ceReqGroupMin + strconv.Itoa(i)
					f.Values[prefix+"_credits"] = c(g.Credits)
					for _, x := range g.Groups {
						f.Values[prefix+"_"+x] = "on"
					}
				}
				rows = len(cond.GroupMin)
				for code, m := range cond.TypeMax {
					f.Values[ceReqTypeMax+code] = c(m)
					if !slices.ContainsFunc(types, func(t *portal.CEActivityType) bool { return t.Code == code }) {
						unusual = true
					}
				}
			case cond.Kind == credits.CondExamPass && !seenExams:
				seenExams = true
				f.Values[ceReqExams] = strings.Join(cond.Exams, ", ")
			default:
				unusual = true
			}
		}
	}
	return f, min(max(2, rows+1), ceReqMaxRows), unusual
}

// ceRequirementFromForm reads a requirement from the form; amounts that
// are not decimal credits are problems of their fields.
func ceRequirementFromForm(f *Form, rows int, types []*portal.CEActivityType) (credits.Requirement, portal.Validation) {
	var bad portal.Validation
	amount := func(field string, required bool) int {
		v := strings.TrimSpace(f.Value(field))
		if v == "" && !required {
			return 0
		}
		n, err := credits.ParseCredits(v)
		if err != nil {
			bad.Add(field, "credits.error.credits_format", nil)
		}
		return n
	}
	cond := credits.Condition{Kind: credits.CondCredits, Credits: amount(ceReqCredits, true)}
	for i := range rows {
		prefix := ceReqGroupMin + strconv.Itoa(i)
		var groups []string
		for _, g := range portal.CEGroups() {
			if f.Value(prefix+"_"+g) == "on" {
				groups = append(groups, g)
			}
		}
		if strings.TrimSpace(f.Value(prefix+"_credits")) == "" {
			if len(groups) > 0 {
				bad.Add(prefix+"_credits", "console.ce_admin.error.group_credits", nil)
			}
			continue
		}
		cond.GroupMin = append(cond.GroupMin, credits.GroupMinimum{Groups: groups, Credits: amount(prefix+"_credits", true)})
	}
	for _, t := range types {
		if m := amount(ceReqTypeMax+t.Code, false); m != 0 || strings.TrimSpace(f.Value(ceReqTypeMax+t.Code)) != "" {
			if cond.TypeMax == nil {
				cond.TypeMax = map[string]int{}
			}
			cond.TypeMax[t.Code] = m
		}
	}
	req := credits.Requirement{Alternatives: []credits.Alternative{{Conditions: []credits.Condition{cond}}},
		YearlyTarget: amount(ceReqYearly, false)}
	var exams []string
	for _, e := range strings.Split(f.Value(ceReqExams), ",") {
		if e = strings.ToUpper(strings.TrimSpace(e)); e != "" && !slices.Contains(exams, e) {
			exams = append(exams, e)
		}
	}
	if len(exams) > 0 {
		req.Alternatives = append(req.Alternatives, credits.Alternative{Conditions: []credits.Condition{{Kind: credits.CondExamPass, Exams: exams}}})
	}
	return req, bad
}

var ceReqPath = regexp.MustCompile(`^alternatives\[(\d+)\]\.conditions\[\d+\]\.(credits|exams|kind|group_min\[(\d+)\]\.(credits|groups)|type_max\.(.+))$`)

// ceRequirementField is the form field of a requirement's path.
func ceRequirementField(path string) string {
	if path == ceReqYearly {
		return ceReqYearly
	}
	m := ceReqPath.FindStringSubmatch(path)
	switch {
	case m == nil:
		return ceReqCredits
	case m[3] != "" && m[4] == "credits":
		return ceReqGroupMin + m[3] + "_credits"
	case m[3] != "":
		return ceReqGroupMin + m[3]
	case m[5] != "":
		return ceReqTypeMax + m[5]
	case m[2] == "exams" || m[1] != "0":
		return ceReqExams
	}
	return ceReqCredits
}

func (s *Server) newCERequirementPage(r *http.Request) (*consoleCERequirementPage, error) {
	if err := actor(r).Authorize(portal.PermSettingsManage); err != nil {
		return nil, err
	}
	id, err := examID(r)
	if err != nil {
		return nil, err
	}
	certs, err := s.ceCertifications(r)
	if err != nil {
		return nil, err
	}
	p := &consoleCERequirementPage{}
	for _, c := range certs {
		if c.ID == id {
			p.Certification = c
		}
	}
	if p.Certification == nil {
		return nil, portal.ErrNotFound
	}
	s.fillBase(r, &p.BasePage, "console.ce_admin.requirement_title")
	p.Tabs = ceAdminTabs(&p.BasePage)
	if p.Types, _, err = s.ceTypeNames(r, p.Lang); err != nil {
		return nil, err
	}
	return p, nil
}

// handleConsoleCERequirement is a certification's requirement form.
func (s *Server) handleConsoleCERequirement(w http.ResponseWriter, r *http.Request) error {
	if s.credits == nil {
		return portal.ErrNotFound
	}
	p, err := s.newCERequirementPage(r)
	if err != nil {
		return err
	}
	req, err := s.credits.Requirement(r.Context(), p.Certification.ID)
	if err != nil {
		return err
	}
	var unusual bool
	p.Form, p.Rows, unusual = ceRequirementForm(req, p.Lang, p.Types)
	if unusual {
		b, err := json.MarshalIndent(req, "", "  ")
		if err != nil {
			return err
		}
		p.Unusual = string(b)
	}
	return s.render(w, r, http.StatusOK, "console_ce_requirement", p)
}

// handleConsoleCERequirementSave saves a certification's requirement.
func (s *Server) handleConsoleCERequirementSave(w http.ResponseWriter, r *http.Request) error {
	if s.credits == nil {
		return portal.ErrNotFound
	}
	if err := parseForm(r); err != nil {
		return err
	}
	p, err := s.newCERequirementPage(r)
	if err != nil {
		return err
	}
	p.Rows = min(max(formNumber(r.PostForm.Get(ceReqRows)), 1), ceReqMaxRows)
	p.Form = newForm()
	for k := range r.PostForm {
		p.Form.Values[k] = r.PostForm.Get(k)
	}
	req, bad := ceRequirementFromForm(p.Form, p.Rows, p.Types)
	if len(bad.Fields) > 0 {
		err = bad.Err()
	} else if err = s.credits.SetRequirement(r.Context(), actor(r), p.Certification.ID, req); err == nil {
		http.Redirect(w, r, withNotice(ceCataloguePath+"/requirements", noticeCERequirementSet), http.StatusSeeOther)
		return nil
	} else if pe := (*portal.Error)(nil); errors.As(err, &pe) {
		// The service names the requirement's JSON paths.
		for i := range pe.Fields {
			pe.Fields[i].Field = ceRequirementField(pe.Fields[i].Field)
		}
	}
	if !s.applyError(&p.BasePage, p.Form, err, ceReqCredits) {
		return err
	}
	return s.render(w, r, formStatus(err), "console_ce_requirement", p)
}
