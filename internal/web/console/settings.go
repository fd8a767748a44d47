package console

import (
	"errors"
	"net/http"

	"example.org/certportal/internal/program"
	"example.org/certportal/internal/web"
)

// The program settings in the console (the program service decides who
// may change them): support contact, default paper size and the logo; and
// the logo (the kit serves it at its public address, web.LogoPath).

// logoUploadLimit is the logo upload's body limit: the largest file the
// service reads plus room for the multipart envelope.
const logoUploadLimit = program.MaxLogoBytes + 64<<10

type consoleSettingsPage struct {
	web.BasePage
	Settings program.Settings
	Form     *web.Form // support contact and paper size
	LogoForm *web.Form
	LogoURL  string
}

// PaperField is the paper size select.
func (p *consoleSettingsPage) PaperField() web.Field {
	fl := web.NewField(p.T, p.Form, "paper_size", "select", "settings.field.paper_size", "hint=settings.field.paper_size_hint")
	for _, size := range program.PaperSizes() {
		fl.Options = append(fl.Options, web.Option{Value: string(size), Label: p.T.T("settings.paper."+string(size), nil),
			Selected: string(size) == fl.Value})
	}
	return fl
}

// renderSettings shows the page; with a failure, the form f (which is
// "settings" or "logo") shows its problems next to its fields.
func (s *Pages) renderSettings(w http.ResponseWriter, r *http.Request, which string, f *web.Form, failure error) error {
	set, err := s.Program.Manage(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	p := &consoleSettingsPage{Settings: set, Form: web.NewForm(), LogoForm: web.NewForm()}
	s.FillBase(r, &p.BasePage, "settings.title")
	if set.HasLogo() {
		p.LogoURL = web.LogoPath + "?v=" + set.Logo.ETag
	}
	p.Form.Values["support_email"] = set.SupportEmail
	p.Form.Values["support_url"] = set.SupportURL
	p.Form.Values["paper_size"] = string(set.PaperSize)
	p.Form.Values["linkedin_organization_id"] = set.LinkedInOrganizationID
	if failure == nil {
		return s.Render(w, r, http.StatusOK, "console_settings", p)
	}
	fallback := map[string]string{"settings": "support_email", "logo": "logo"}[which]
	if !s.ApplyError(&p.BasePage, f, failure, fallback) {
		return failure
	}
	if which == "logo" {
		p.LogoForm = f
	} else {
		p.Form = f
	}
	return s.Render(w, r, web.FormStatus(failure), "console_settings", p)
}

func (s *Pages) handleConsoleSettings(w http.ResponseWriter, r *http.Request) error {
	return s.renderSettings(w, r, "", nil, nil)
}

// handleConsoleSettingsSave saves the support contact, the paper size and
// the LinkedIn organization ID.
func (s *Pages) handleConsoleSettingsSave(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, "support_email", "support_url", "paper_size", "linkedin_organization_id")
	_, err := s.Program.Update(r.Context(), web.Actor(r), program.Update{SupportEmail: f.Value("support_email"),
		SupportURL: f.Value("support_url"), PaperSize: program.PaperSize(f.Value("paper_size")),
		LinkedInOrganizationID: f.Value("linkedin_organization_id")})
	if err != nil {
		return s.renderSettings(w, r, "settings", f, err)
	}
	http.Redirect(w, r, web.WithNotice("/console/settings", noticeSettingsSaved), http.StatusSeeOther)
	return nil
}

// handleConsoleLogoUpload stores an uploaded logo (the route limits the
// body).
func (s *Pages) handleConsoleLogoUpload(w http.ResponseWriter, r *http.Request) error {
	if err := s.Program.MayManage(web.Actor(r)); err != nil {
		return err
	}
	f := web.NewForm()
	logoErr := func(msg string, data map[string]any) error {
		return s.renderSettings(w, r, "logo", f, fieldProblem("logo", msg, data))
	}
	err := r.ParseMultipartForm(program.MaxLogoBytes)
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return logoErr("program.error.logo_too_large", map[string]any{"Count": program.MaxLogoBytes >> 20})
	case err != nil:
		return web.ErrBadRequest
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	file, _, err := r.FormFile("logo")
	if errors.Is(err, http.ErrMissingFile) {
		return logoErr("program.error.logo_missing", nil)
	}
	if err != nil {
		return web.ErrBadRequest
	}
	defer func() { _ = file.Close() }()
	if _, err := s.Program.SetLogo(r.Context(), web.Actor(r), file); err != nil {
		return s.renderSettings(w, r, "logo", f, err)
	}
	http.Redirect(w, r, web.WithNotice("/console/settings", noticeLogoSaved), http.StatusSeeOther)
	return nil
}

// handleConsoleLogoRemove removes the logo.
func (s *Pages) handleConsoleLogoRemove(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Program.RemoveLogo(r.Context(), web.Actor(r)); err != nil {
		return err
	}
	http.Redirect(w, r, web.WithNotice("/console/settings", noticeLogoRemoved), http.StatusSeeOther)
	return nil
}
