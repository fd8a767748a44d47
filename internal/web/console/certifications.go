package console

import (
	"net/http"
	"strconv"
	"strings"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// The certification catalogue in the console: staff who read the exam
// catalog read it; admins who manage exams create and edit entries (the
// results service decides).

type consoleCertificationsPage struct {
	web.BasePage
	Certifications []*portal.Certification
}

// handleConsoleCertifications lists the catalogue.
func (s *Pages) handleConsoleCertifications(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Results.Catalogue(r.Context())
	if err != nil {
		return err
	}
	p := &consoleCertificationsPage{Certifications: list}
	s.FillBase(r, &p.BasePage, "console.certifications.title")
	return s.Render(w, r, http.StatusOK, "console_certifications", p)
}

type consoleCertificationPage struct {
	web.BasePage
	Form          *web.Form
	Certification *portal.Certification // the saved entry; nil for a new one
}

// Action is where the form posts.
func (p *consoleCertificationPage) Action() string {
	if p.Certification == nil {
		return "/console/certifications"
	}
	return "/console/certifications/" + strconv.FormatInt(p.Certification.ID, 10)
}

// CanSave reports whether the viewer may save the form.
func (p *consoleCertificationPage) CanSave() bool {
	return p.May("POST " + certificationSavePattern(p.Certification))
}

func certificationSavePattern(c *portal.Certification) string {
	if c == nil {
		return "/console/certifications"
	}
	return "/console/certifications/{id}"
}

// LevelField is the level select.
func (p *consoleCertificationPage) LevelField() web.Field {
	fl := web.NewField(p.T, p.Form, "level", "select", "console.certifications.field.level", "placeholder=field.choose")
	for _, l := range []string{portal.LevelFoundational, portal.LevelAssociate, portal.LevelProfessional, portal.LevelSpecialty} {
		fl.Options = append(fl.Options, web.Option{Value: l, Label: p.T.T("exams.level."+l, nil), Selected: l == fl.Value})
	}
	return fl
}

// KindField is the kind select.
func (p *consoleCertificationPage) KindField() web.Field {
	fl := web.NewField(p.T, p.Form, "kind", "select", "console.certifications.field.kind", "placeholder=field.choose")
	for _, k := range []string{portal.CertKindCertification, portal.CertKindMicrocredential} {
		fl.Options = append(fl.Options, web.Option{Value: k, Label: p.T.T("console.certifications.kind."+k, nil), Selected: k == fl.Value})
	}
	return fl
}

// DescriptionField is the optional description.
func (p *consoleCertificationPage) DescriptionField() textArea {
	return textArea{web.NewField(p.T, p.Form, "description", "textarea", "console.certifications.field.description", "max=2000", "optional"), 3}
}

// BenefitsField lists what holding it gives, one a line.
func (p *consoleCertificationPage) BenefitsField() textArea {
	return textArea{web.NewField(p.T, p.Form, "benefits", "textarea", "console.certifications.field.benefits",
		"hint=console.certifications.field.benefits_hint", "max=2000", "optional"), 4}
}

// certificationFields are the form's inputs.
var certificationFields = []string{"code", "name", "description", "level", "kind", "validity_months",
	"earned_by", "renewed_by", "benefits", "active"}

func (s *Pages) newCertificationPage(r *http.Request, c *portal.Certification, f *web.Form) *consoleCertificationPage {
	p := &consoleCertificationPage{Form: f, Certification: c}
	title := "console.certifications.new_title"
	if c != nil {
		title = "console.certifications.edit_title"
	}
	s.FillBase(r, &p.BasePage, title)
	return p
}

// certificationForm fills a form from a saved entry.
func certificationForm(c *portal.Certification) *web.Form {
	f := web.NewForm()
	for k, v := range map[string]string{
		"code": c.Code, "name": c.Name, "description": c.Description, "level": c.Level, "kind": c.Kind,
		"validity_months": strconv.Itoa(c.ValidityMonths), "earned_by": strings.Join(c.EarnedBy, ", "),
		"renewed_by": strings.Join(c.RenewedBy, ", "), "benefits": c.Benefits,
	} {
		f.Values[k] = v
	}
	if c.Active {
		f.Values["active"] = "on"
	}
	return f
}

// newCertificationForm is the form of a new entry, with the usual
// validity filled in.
func newCertificationForm() *web.Form {
	f := web.NewForm()
	f.Values["kind"] = portal.CertKindCertification
	f.Values["validity_months"] = strconv.Itoa(portal.DefaultValidityMonths)
	f.Values["active"] = "on"
	return f
}

// codeList reads a list of exam codes separated by commas, spaces or
// lines.
func codeList(s string) []string {
	var out []string
	for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		out = append(out, strings.ToUpper(c))
	}
	return out
}

// formCertification reads an entry from a submitted form.
func formCertification(f *web.Form) portal.Certification {
	return portal.Certification{
		Code: f.Value("code"), Name: f.Value("name"), Description: f.Value("description"), Level: f.Value("level"),
		Kind: f.Value("kind"), ValidityMonths: formNumber(f.Value("validity_months")),
		EarnedBy: codeList(f.Value("earned_by")), RenewedBy: codeList(f.Value("renewed_by")),
		Benefits: strings.ReplaceAll(f.Value("benefits"), "\r\n", "\n"), Active: f.Value("active") == "on",
	}
}

// certificationID reads the {id} of the path; anything else is not found.
func certificationID(r *http.Request) (int64, error) { return web.PathID(r) }

func (s *Pages) handleConsoleCertificationNew(w http.ResponseWriter, r *http.Request) error {
	return s.Render(w, r, http.StatusOK, "console_certification", s.newCertificationPage(r, nil, newCertificationForm()))
}

func (s *Pages) handleConsoleCertificationCreate(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, certificationFields...)
	if _, err := s.Results.CreateCertification(r.Context(), web.Actor(r), formCertification(f)); err != nil {
		p := s.newCertificationPage(r, nil, f)
		if !s.ApplyError(&p.BasePage, p.Form, err, "code") {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "console_certification", p)
	}
	http.Redirect(w, r, web.WithNotice("/console/certifications", noticeCertificationSaved), http.StatusSeeOther)
	return nil
}

func (s *Pages) handleConsoleCertification(w http.ResponseWriter, r *http.Request) error {
	id, err := certificationID(r)
	if err != nil {
		return err
	}
	c, err := s.Results.Certification(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "console_certification", s.newCertificationPage(r, c, certificationForm(c)))
}

func (s *Pages) handleConsoleCertificationUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := certificationID(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, certificationFields...)
	c := formCertification(f)
	c.ID = id
	if _, err := s.Results.UpdateCertification(r.Context(), web.Actor(r), c); err != nil {
		cur, cerr := s.Results.Certification(r.Context(), web.Actor(r), id)
		if cerr != nil {
			return err
		}
		p := s.newCertificationPage(r, cur, f)
		if !s.ApplyError(&p.BasePage, p.Form, err, "name") {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "console_certification", p)
	}
	http.Redirect(w, r, web.WithNotice("/console/certifications", noticeCertificationSaved), http.StatusSeeOther)
	return nil
}
