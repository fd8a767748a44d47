package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// The program's continuing-education options and the requirement of each
// certification, in the console (admins, settings.manage).

// ceExampleField is the example configuration chosen on the options page.
const ceExampleField = "example"

type consoleCEOptionsPage struct {
	web.BasePage
	Tabs     []ceAdminTab
	Form     *web.Form
	Example  *web.Form
	Examples map[string]credits.ProgramConfig
}

// CountModeField is the count mode.
func (p *consoleCEOptionsPage) CountModeField() web.Field {
	fl := web.NewField(p.T, p.Form, credits.FieldCountMode, "select", "console.ce_admin.field.count_mode", "hint=console.ce_admin.field.count_mode_hint")
	for _, m := range []string{credits.CountEvery, credits.CountChoose} {
		fl.Options = append(fl.Options, web.Option{Value: m, Label: p.T.T("console.ce_admin.count_mode."+m, nil), Selected: m == fl.Value})
	}
	return fl
}

// Field is a text input of the options form.
func (p *consoleCEOptionsPage) Field(name, label string, opts ...string) web.Field {
	return web.NewField(p.T, p.Form, name, "text", label, opts...)
}

// AttestationField is the attestation's wording.
func (p *consoleCEOptionsPage) AttestationField() textArea {
	return textArea{web.NewField(p.T, p.Form, "attestation_text", "textarea", "console.ce_admin.field.attestation_text",
		"hint=console.ce_admin.field.attestation_text_hint", "max=500", "optional"), 2}
}

// ExampleField chooses an example configuration.
func (p *consoleCEOptionsPage) ExampleField() web.Field {
	fl := web.NewField(p.T, p.Example, ceExampleField, "select", "console.ce_admin.field.example", "placeholder=field.choose")
	for _, n := range credits.ExampleNames() {
		fl.Options = append(fl.Options, web.Option{Value: n, Label: p.Examples[n].Name, Selected: n == fl.Value})
	}
	return fl
}

// ExampleNames lists the example configurations in order.
func (p *consoleCEOptionsPage) ExampleNames() []string { return credits.ExampleNames() }

func (s *Pages) newCEOptionsPage(r *http.Request, f, example *web.Form) (*consoleCEOptionsPage, error) {
	ex, err := credits.Examples()
	if err != nil {
		return nil, err
	}
	p := &consoleCEOptionsPage{Form: f, Example: example, Examples: ex}
	s.FillBase(r, &p.BasePage, "console.ce_admin.options_title")
	p.Tabs = ceAdminTabs(&p.BasePage)
	if p.Form == nil {
		o, err := s.Credits.Options(r.Context())
		if err != nil {
			return nil, err
		}
		p.Form = web.NewForm()
		p.Form.Values[credits.FieldCountMode] = o.CountMode
		p.Form.Values[credits.FieldReviewDays] = strconv.Itoa(o.ReviewBusinessDays)
		p.Form.Values[credits.FieldInfoDays] = strconv.Itoa(o.InfoDays)
		p.Form.Values[credits.FieldMaxOpen] = strconv.Itoa(o.MaxOpen)
		p.Form.Values["attestation_text"] = o.AttestationText
		p.Form.Values[credits.FieldReminders] = formatMonths(o.ReminderMonths)
		p.Form.Values[credits.FieldCarryOver] = credits.FormatCreditsIn(o.CarryOverCredits, p.Lang)
	}
	if p.Example == nil {
		p.Example = web.NewForm()
	}
	return p, nil
}

// handleConsoleCEOptions shows the program options.
func (s *Pages) handleConsoleCEOptions(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	if err := web.Actor(r).Authorize(portal.PermSettingsManage); err != nil {
		return err
	}
	p, err := s.newCEOptionsPage(r, nil, nil)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "console_ce_options", p)
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
func (s *Pages) handleConsoleCEOptionsSave(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	if err := web.Actor(r).Authorize(portal.PermSettingsManage); err != nil {
		return err
	}
	f := web.FormFrom(r, ceOptionFields...)
	stored, err := s.Credits.Options(r.Context())
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
		_, err = s.Credits.SetOptions(r.Context(), web.Actor(r), o)
	}
	if err != nil {
		p, perr := s.newCEOptionsPage(r, f, nil)
		if perr != nil {
			return perr
		}
		if !s.ApplyError(&p.BasePage, p.Form, err, credits.FieldCountMode) {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "console_ce_options", p)
	}
	http.Redirect(w, r, web.WithNotice(ceCataloguePath+"/options", noticeCEOptionsSaved), http.StatusSeeOther)
	return nil
}

// handleConsoleCEExampleApply applies an example configuration: options,
// every certification's requirement, and the deadline and attestation of
// every type.
func (s *Pages) handleConsoleCEExampleApply(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, ceExampleField)
	ex, err := credits.Examples()
	if err != nil {
		return err
	}
	cfg, ok := ex[f.Value(ceExampleField)]
	if !ok {
		if err := web.Actor(r).Authorize(portal.PermSettingsManage); err != nil {
			return err
		}
		var v portal.Validation
		v.Add(ceExampleField, "console.ce_admin.error.example", nil)
		err = v.Err()
	} else {
		err = s.Credits.ApplyProgramConfig(r.Context(), web.Actor(r), cfg)
	}
	if err != nil {
		p, perr := s.newCEOptionsPage(r, nil, f)
		if perr != nil {
			return perr
		}
		if !s.ApplyError(&p.BasePage, p.Example, err, ceExampleField) {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "console_ce_options", p)
	}
	http.Redirect(w, r, web.WithNotice(ceCataloguePath+"/options", noticeCEExampleApplied), http.StatusSeeOther)
	return nil
}

// ceRequirementRow is one certification with its requirement in words.
type ceRequirementRow struct {
	Certification *portal.Certification
	Summary       string
	Own           bool // the certification has a requirement of its own
}

type consoleCERequirementsPage struct {
	web.BasePage
	Tabs []ceAdminTab
	Rows []ceRequirementRow
}

// ceRequirementText says a requirement in words.
func ceRequirementText(b *web.BasePage, req credits.Requirement, names map[string]string) string {
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
				exams := map[string]any{"Exams": strings.Join(cond.Exams, ", ")}
				switch {
				case cond.RenewalPaths && len(cond.Exams) == 0:
					conds = append(conds, b.T.T("console.ce_admin.req.exam_paths", nil))
				case cond.RenewalPaths:
					conds = append(conds, b.T.T("console.ce_admin.req.exam_pass_or_paths", exams))
				default:
					conds = append(conds, b.T.T("console.ce_admin.req.exam_pass", exams))
				}
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
func (s *Pages) ceTypeNames(r *http.Request, lang string) ([]*portal.CEActivityType, map[string]string, error) {
	types, err := s.Credits.ActivityTypes(r.Context())
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
func (s *Pages) ceCertifications(r *http.Request) ([]*portal.Certification, error) {
	if s.Results == nil {
		return nil, nil
	}
	list, err := s.Results.Catalogue(r.Context())
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(list, func(c *portal.Certification) bool { return c.Microcredential() }), nil
}

// handleConsoleCERequirements lists the certifications with their
// requirements.
func (s *Pages) handleConsoleCERequirements(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	if err := web.Actor(r).Authorize(portal.PermSettingsManage); err != nil {
		return err
	}
	p := &consoleCERequirementsPage{}
	s.FillBase(r, &p.BasePage, "console.ce_admin.requirements_title")
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
		req, err := s.Credits.Requirement(r.Context(), c.ID)
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
	return s.Render(w, r, http.StatusOK, "console_ce_requirements", p)
}
