package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// A certification's requirement in the console: the whole list of
// alternatives, each with its conditions, in one form that plain posts
// edit. Alternative i is the fieldset a{i}, its condition j the fieldset
// a{i}c{j}, and a condition's fields are named after it: a0c1_credits,
// a0c1_g0 (a group minimum: a0c1_g0_credits and a box per group),
// a0c1_max_conference_talk, a0c1_exams, a0c1_paths. Hidden counts say how
// many alternatives, conditions and group rows the form holds. A button
// named op reshapes the form (adds or removes an alternative or a
// condition) and shows it again, unsaved; the plain submit saves.
const (
	ceReqYearly    = "yearly_target"
	ceReqAlts      = "alternatives"
	ceReqOp        = "op"
	ceReqMaxAlts   = 8
	ceReqMaxConds  = 4
	ceReqMaxGroups = 6
)

// ceTypeCode is the shape of an activity type's code in a field name.
var ceTypeCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

func ceAltName(i int) string     { return "a" + strconv.Itoa(i) }
func ceCondName(i, j int) string { return fmt.Sprintf("a%dc%d", i, j) }
func ceGroupName(cond string, k int) string {
	return cond + "_g" + strconv.Itoa(k)
}

// ceReqDraft is a requirement as the form holds it: text as typed.
type ceReqDraft struct {
	Yearly string
	Alts   []ceAltDraft
}

type ceAltDraft struct{ Conds []ceCondDraft }

type ceCondDraft struct {
	Kind    string
	Credits string
	Groups  []ceGroupDraft
	TypeMax map[string]string // by activity type code
	Exams   string
	Paths   bool // the certification's own exams and renewal paths
}

type ceGroupDraft struct {
	Credits string
	Groups  []string
}

func (g ceGroupDraft) blank() bool { return strings.TrimSpace(g.Credits) == "" && len(g.Groups) == 0 }

// ceDraftOf is the form of a stored requirement, amounts in lang.
func ceDraftOf(req credits.Requirement, lang string) ceReqDraft {
	c := func(n int) string { return credits.FormatCreditsIn(n, lang) }
	var d ceReqDraft
	if req.YearlyTarget > 0 {
		d.Yearly = c(req.YearlyTarget)
	}
	for _, a := range req.Alternatives {
		var ad ceAltDraft
		for _, cond := range a.Conditions {
			cd := ceCondDraft{Kind: cond.Kind, Exams: strings.Join(cond.Exams, ", "), Paths: cond.RenewalPaths, TypeMax: map[string]string{}}
			if cond.Kind == credits.CondCredits {
				cd.Credits = c(cond.Credits)
			}
			for _, g := range cond.GroupMin {
				cd.Groups = append(cd.Groups, ceGroupDraft{Credits: c(g.Credits), Groups: slices.Clone(g.Groups)})
			}
			for code, m := range cond.TypeMax {
				cd.TypeMax[code] = c(m)
			}
			ad.Conds = append(ad.Conds, cd)
		}
		d.Alts = append(d.Alts, ad)
	}
	return d
}

// ceDraftFromForm reads the form as posted, within the form's limits.
// Blank group rows (no credits, no group ticked) are dropped.
func ceDraftFromForm(v url.Values) ceReqDraft {
	count := func(name string, most int) int { return min(max(formNumber(v.Get(name)), 0), most) }
	d := ceReqDraft{Yearly: v.Get(ceReqYearly)}
	for i := range count(ceReqAlts, ceReqMaxAlts) {
		var a ceAltDraft
		for j := range count(ceAltName(i)+"_conds", ceReqMaxConds) {
			cn := ceCondName(i, j)
			c := ceCondDraft{Kind: v.Get(cn + "_kind"), Credits: v.Get(cn + "_credits"), Exams: v.Get(cn + "_exams"),
				Paths: v.Get(cn+"_paths") == "on", TypeMax: map[string]string{}}
			for k := range count(cn+"_groups", ceReqMaxGroups) {
				gn := ceGroupName(cn, k)
				g := ceGroupDraft{Credits: v.Get(gn + "_credits")}
				for _, x := range portal.CEGroups() {
					if v.Get(gn+"_"+x) == "on" {
						g.Groups = append(g.Groups, x)
					}
				}
				if !g.blank() {
					c.Groups = append(c.Groups, g)
				}
			}
			for key := range v {
				if code, ok := strings.CutPrefix(key, cn+"_max_"); ok && ceTypeCode.MatchString(code) {
					c.TypeMax[code] = v.Get(key)
				}
			}
			a.Conds = append(a.Conds, c)
		}
		d.Alts = append(d.Alts, a)
	}
	return d
}

// apply reshapes the draft as a button asks: add_alt:KIND, remove_alt:I,
// add_cond:I:KIND, remove_cond:I:J; it ignores any other.
func (d *ceReqDraft) apply(op string) {
	parts := strings.Split(op, ":")
	index := func(k, n int) (int, bool) {
		if k >= len(parts) {
			return 0, false
		}
		i, err := strconv.Atoi(parts[k])
		return i, err == nil && i >= 0 && i < n
	}
	kind := func(k int) (string, bool) {
		ok := k < len(parts) && (parts[k] == credits.CondCredits || parts[k] == credits.CondExamPass)
		if !ok {
			return "", false
		}
		return parts[k], true
	}
	switch parts[0] {
	case "add_alt":
		if k, ok := kind(1); ok && len(d.Alts) < ceReqMaxAlts {
			d.Alts = append(d.Alts, ceAltDraft{Conds: []ceCondDraft{{Kind: k, TypeMax: map[string]string{}}}})
		}
	case "remove_alt":
		if i, ok := index(1, len(d.Alts)); ok {
			d.Alts = slices.Delete(d.Alts, i, i+1)
		}
	case "add_cond":
		if i, ok := index(1, len(d.Alts)); ok {
			if k, ok := kind(2); ok && len(d.Alts[i].Conds) < ceReqMaxConds {
				d.Alts[i].Conds = append(d.Alts[i].Conds, ceCondDraft{Kind: k, TypeMax: map[string]string{}})
			}
		}
	case "remove_cond":
		if i, ok := index(1, len(d.Alts)); ok {
			if j, ok := index(2, len(d.Alts[i].Conds)); ok {
				d.Alts[i].Conds = slices.Delete(d.Alts[i].Conds, j, j+1)
			}
		}
	}
}

// form writes the draft into a form's values, under the names above.
func (d ceReqDraft) form() *web.Form {
	f := web.NewForm()
	f.Values[ceReqYearly] = d.Yearly
	for i, a := range d.Alts {
		for j, c := range a.Conds {
			cn := ceCondName(i, j)
			f.Values[cn+"_kind"] = c.Kind
			f.Values[cn+"_credits"] = c.Credits
			f.Values[cn+"_exams"] = c.Exams
			if c.Paths {
				f.Values[cn+"_paths"] = "on"
			}
			for k, g := range c.Groups {
				gn := ceGroupName(cn, k)
				f.Values[gn+"_credits"] = g.Credits
				for _, x := range g.Groups {
					f.Values[gn+"_"+x] = "on"
				}
			}
			for code, m := range c.TypeMax {
				f.Values[cn+"_max_"+code] = m
			}
		}
	}
	return f
}

// requirement reads the requirement the draft says; amounts that are not
// decimal credits are problems of their fields.
func (d ceReqDraft) requirement() (credits.Requirement, portal.Validation) {
	var bad portal.Validation
	amount := func(field, v string) int {
		n, err := credits.ParseCredits(v)
		if err != nil {
			bad.Add(field, "credits.error.credits_format", nil)
		}
		return n
	}
	var req credits.Requirement
	if strings.TrimSpace(d.Yearly) != "" {
		req.YearlyTarget = amount(ceReqYearly, d.Yearly)
	}
	for i, a := range d.Alts {
		alt := credits.Alternative{Conditions: []credits.Condition{}}
		for j, c := range a.Conds {
			cn := ceCondName(i, j)
			cond := credits.Condition{Kind: c.Kind}
			switch c.Kind {
			case credits.CondCredits:
				cond.Credits = amount(cn+"_credits", c.Credits)
				for k, g := range c.Groups {
					gn := ceGroupName(cn, k)
					if strings.TrimSpace(g.Credits) == "" {
						// Kept without credits, so the service's paths of
						// the later rows still name their rows.
						bad.Add(gn+"_credits", "console.ce_admin.error.group_credits", nil)
						cond.GroupMin = append(cond.GroupMin, credits.GroupMinimum{Groups: g.Groups})
						continue
					}
					cond.GroupMin = append(cond.GroupMin, credits.GroupMinimum{Groups: g.Groups, Credits: amount(gn+"_credits", g.Credits)})
				}
				for code, m := range c.TypeMax {
					if strings.TrimSpace(m) == "" {
						continue
					}
					if cond.TypeMax == nil {
						cond.TypeMax = map[string]int{}
					}
					cond.TypeMax[code] = amount(cn+"_max_"+code, m)
				}
			case credits.CondExamPass:
				for _, e := range strings.Split(c.Exams, ",") {
					if e = strings.ToUpper(strings.TrimSpace(e)); e != "" && !slices.Contains(cond.Exams, e) {
						cond.Exams = append(cond.Exams, e)
					}
				}
				cond.RenewalPaths = c.Paths
			}
			alt.Conditions = append(alt.Conditions, cond)
		}
		req.Alternatives = append(req.Alternatives, alt)
	}
	return req, bad
}

var ceReqPath = regexp.MustCompile(`^alternatives\[(\d+)\](?:\.conditions(?:\[(\d+)\](?:\.(credits|exams|kind|group_min\[(\d+)\]\.(credits|groups)|type_max\.(.+)))?)?)?$`)

// ceRequirementField is the form field, or fieldset, of a requirement's
// path as the service names it.
func ceRequirementField(path string) string {
	if path == ceReqYearly {
		return ceReqYearly
	}
	m := ceReqPath.FindStringSubmatch(path)
	if m == nil {
		return ceReqAlts
	}
	i, _ := strconv.Atoi(m[1])
	if m[2] == "" {
		return ceAltName(i)
	}
	j, _ := strconv.Atoi(m[2])
	cn := ceCondName(i, j)
	switch {
	case m[4] != "" && m[5] == "credits":
		k, _ := strconv.Atoi(m[4])
		return ceGroupName(cn, k) + "_credits"
	case m[4] != "":
		k, _ := strconv.Atoi(m[4])
		return ceGroupName(cn, k)
	case m[6] != "":
		return cn + "_max_" + m[6]
	case m[3] == "credits" || m[3] == "exams":
		return cn + "_" + m[3]
	}
	return cn
}

type consoleCERequirementPage struct {
	web.BasePage
	Tabs          []ceAdminTab
	Certification *portal.Certification
	Types         []*portal.CEActivityType
	// Saved is the stored requirement in words.
	Saved string
	Draft ceReqDraft
	Form  *web.Form
}

// Action is where the form posts.
func (p *consoleCERequirementPage) Action() string {
	return ceCataloguePath + "/requirements/" + strconv.FormatInt(p.Certification.ID, 10)
}

// YearlyField is the suggested credits a year.
func (p *consoleCERequirementPage) YearlyField() web.Field {
	return web.NewField(p.T, p.Form, ceReqYearly, "text", "console.ce_admin.req.yearly_field", "hint=console.ce_admin.req.yearly_hint",
		"max=12", "autocomplete=off", "optional")
}

// AltsError is the problem of the list of alternatives as a whole.
func (p *consoleCERequirementPage) AltsError() string { return p.Form.Error(ceReqAlts) }

// CanAddAlt reports whether another alternative fits.
func (p *consoleCERequirementPage) CanAddAlt() bool { return len(p.Draft.Alts) < ceReqMaxAlts }

// ceAltView is one alternative of the form.
type ceAltView struct {
	Index      int
	Name       string
	Legend     string
	Error      string
	Conditions []ceCondView
	CanAdd     bool
	// Buttons' labels, numbered so each names its alternative.
	AddCredits, AddExam, Remove string
}

// ceCondView is one condition of an alternative.
type ceCondView struct {
	Alt, Index int
	Name       string
	Kind       string
	Legend     string
	Error      string
	Credits    web.Field
	Groups     []ceGroupRow
	TypeMax    []web.Field
	TypeMaxSet int
	Exams      web.Field
	Paths      web.Field
	Remove     string // the remove button's label; "" when it is the alternative's only condition
}

// ceGroupRow is one group minimum of a credits condition.
type ceGroupRow struct {
	Name    string // the fieldset's id and the row's error field
	Legend  string
	Error   string
	Credits web.Field
	Groups  []ceChoice
}

// Alternatives are the form's alternatives.
func (p *consoleCERequirementPage) Alternatives() []ceAltView {
	var out []ceAltView
	for i, a := range p.Draft.Alts {
		n := map[string]any{"Number": i + 1}
		av := ceAltView{Index: i, Name: ceAltName(i), Legend: p.T.T("console.ce_admin.req.alternative", n), Error: p.Form.Error(ceAltName(i)),
			CanAdd: len(a.Conds) < ceReqMaxConds, AddCredits: p.T.T("console.ce_admin.req.add_cond_credits", n),
			AddExam: p.T.T("console.ce_admin.req.add_cond_exam", n), Remove: p.T.T("console.ce_admin.req.remove_alt", n)}
		for j, c := range a.Conds {
			av.Conditions = append(av.Conditions, p.condition(i, j, c, len(a.Conds) > 1))
		}
		out = append(out, av)
	}
	return out
}

func (p *consoleCERequirementPage) condition(i, j int, c ceCondDraft, removable bool) ceCondView {
	cn := ceCondName(i, j)
	n := map[string]any{"Number": j + 1}
	cv := ceCondView{Alt: i, Index: j, Name: cn, Kind: c.Kind, Error: p.Form.Error(cn)}
	if removable {
		cv.Remove = p.T.T("console.ce_admin.req.remove_cond", map[string]any{"Number": i + 1, "Condition": j + 1})
	}
	switch c.Kind {
	case credits.CondCredits:
		cv.Legend = p.T.T("console.ce_admin.req.condition_credits", n)
		cv.Credits = web.NewField(p.T, p.Form, cn+"_credits", "text", "console.ce_admin.req.credits_field", "hint=console.ce_admin.req.credits_hint",
			"max=12", "autocomplete=off")
		for k := range min(len(c.Groups)+1, ceReqMaxGroups) {
			gn := ceGroupName(cn, k)
			row := ceGroupRow{Name: gn, Legend: p.T.T("console.ce_admin.req.group_row", map[string]any{"Number": k + 1}), Error: p.Form.Error(gn),
				Credits: web.NewField(p.T, p.Form, gn+"_credits", "text", "console.ce_admin.req.group_credits", "max=12", "autocomplete=off", "optional")}
			for _, g := range portal.CEGroups() {
				row.Groups = append(row.Groups, ceChoice{Name: gn + "_" + g, Label: p.T.T("credits.group."+g, nil), Checked: p.Form.Value(gn+"_"+g) == "on"})
			}
			cv.Groups = append(cv.Groups, row)
		}
		codes := make([]string, 0, len(p.Types)+len(c.TypeMax))
		names := map[string]string{}
		for _, t := range p.Types {
			codes = append(codes, t.Code)
			names[t.Code] = t.Name(p.Lang)
		}
		var gone []string
		for code := range c.TypeMax {
			if _, ok := names[code]; !ok {
				gone = append(gone, code)
			}
		}
		slices.Sort(gone)
		for _, code := range append(codes, gone...) {
			fl := web.NewField(p.T, p.Form, cn+"_max_"+code, "text", "console.ce_admin.req.type_max_field", "max=12", "autocomplete=off", "optional")
			if fl.Label = names[code]; fl.Label == "" {
				fl.Label = p.T.T("console.ce_admin.req.type_gone", map[string]any{"Code": code})
			}
			if strings.TrimSpace(fl.Value) != "" || fl.Error != "" {
				cv.TypeMaxSet++
			}
			cv.TypeMax = append(cv.TypeMax, fl)
		}
	case credits.CondExamPass:
		cv.Legend = p.T.T("console.ce_admin.req.condition_exam", n)
		cv.Exams = web.NewField(p.T, p.Form, cn+"_exams", "text", "console.ce_admin.req.exams_field", "hint=console.ce_admin.req.exams_hint",
			"max=200", "autocomplete=off", "optional")
		cv.Paths = web.NewField(p.T, p.Form, cn+"_paths", "checkbox", "console.ce_admin.req.paths_field")
	default:
		cv.Legend = p.T.T("console.ce_admin.req.condition", n)
	}
	return cv
}

func (s *Pages) newCERequirementPage(r *http.Request) (*consoleCERequirementPage, error) {
	if err := web.Actor(r).Authorize(portal.PermSettingsManage); err != nil {
		return nil, err
	}
	id, err := web.PathID(r)
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
	s.FillBase(r, &p.BasePage, "console.ce_admin.requirement_title")
	p.Tabs = ceAdminTabs(&p.BasePage)
	types, names, err := s.ceTypeNames(r, p.Lang)
	if err != nil {
		return nil, err
	}
	p.Types = types
	req, err := s.Credits.Requirement(r.Context(), p.Certification.ID)
	if err != nil {
		return nil, err
	}
	p.Saved = ceRequirementText(&p.BasePage, req, names)
	p.Draft = ceDraftOf(req, p.Lang)
	return p, nil
}

// handleConsoleCERequirement is a certification's requirement form.
func (s *Pages) handleConsoleCERequirement(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	p, err := s.newCERequirementPage(r)
	if err != nil {
		return err
	}
	p.Form = p.Draft.form()
	return s.Render(w, r, http.StatusOK, "console_ce_requirement", p)
}

// handleConsoleCERequirementSave saves a certification's requirement, or,
// for a button that reshapes the form, shows the reshaped form unsaved.
func (s *Pages) handleConsoleCERequirementSave(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	p, err := s.newCERequirementPage(r)
	if err != nil {
		return err
	}
	p.Draft = ceDraftFromForm(r.PostForm)
	if op := r.PostForm.Get(ceReqOp); op != "" {
		p.Draft.apply(op)
		p.Form = p.Draft.form()
		return s.Render(w, r, http.StatusOK, "console_ce_requirement", p)
	}
	p.Form = p.Draft.form()
	req, bad := p.Draft.requirement()
	if len(bad.Fields) > 0 {
		// Show every problem at once: the amounts that did not read, and
		// the service's problems of the rest.
		err = bad.Err()
		if pe := (*portal.Error)(nil); errors.As(req.Validate(), &pe) {
			for _, fe := range pe.Fields {
				if fe.Field = ceRequirementField(fe.Field); !bad.Has(fe.Field) {
					bad.Fields = append(bad.Fields, fe)
				}
			}
			err = bad.Err()
		}
	} else if err = s.Credits.SetRequirement(r.Context(), web.Actor(r), p.Certification.ID, req); err == nil {
		http.Redirect(w, r, web.WithNotice(ceCataloguePath+"/requirements", noticeCERequirementSet), http.StatusSeeOther)
		return nil
	} else if pe := (*portal.Error)(nil); errors.As(err, &pe) {
		// The service names the requirement's paths.
		for i := range pe.Fields {
			pe.Fields[i].Field = ceRequirementField(pe.Fields[i].Field)
		}
	}
	if !s.ApplyError(&p.BasePage, p.Form, err, ceReqAlts) {
		return err
	}
	return s.Render(w, r, web.FormStatus(err), "console_ce_requirement", p)
}
