package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/program"
)

// The program settings in the console (the program service decides who
// may change them): support contact, default paper size and the logo; and
// the logo itself at its public address.

// logoPath is where the program's logo is served to everyone (the
// route in routes.go).
const logoPath = "/logo.png"

// logoUploadLimit is the logo upload's body limit: the largest file the
// service reads plus room for the multipart envelope.
const logoUploadLimit = program.MaxLogoBytes + 64<<10

type consoleSettingsPage struct {
	BasePage
	Settings program.Settings
	Form     *Form // support contact and paper size
	LogoForm *Form
	LogoURL  string
}

// PaperField is the paper size select.
func (p *consoleSettingsPage) PaperField() Field {
	fl := NewField(p.T, p.Form, "paper_size", "select", "settings.field.paper_size", "hint=settings.field.paper_size_hint")
	for _, size := range program.PaperSizes() {
		fl.Options = append(fl.Options, Option{Value: string(size), Label: p.T.T("settings.paper."+string(size), nil),
			Selected: string(size) == fl.Value})
	}
	return fl
}

// programSettings are the shared program settings, or the zero settings
// when the server runs without the program service.
func (s *Server) programSettings(r *http.Request) (program.Settings, error) {
	if s.Program == nil {
		return program.Settings{PaperSize: program.PaperA4}, nil
	}
	return s.Program.Settings(r.Context())
}

// renderSettings shows the page; with a failure, the form f (which is
// "settings" or "logo") shows its problems next to its fields.
func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, which string, f *Form, failure error) error {
	set, err := s.Program.Manage(r.Context(), Actor(r))
	if err != nil {
		return err
	}
	p := &consoleSettingsPage{Settings: set, Form: NewForm(), LogoForm: NewForm()}
	s.FillBase(r, &p.BasePage, "settings.title")
	if set.HasLogo() {
		p.LogoURL = logoPath + "?v=" + set.Logo.ETag
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
	return s.Render(w, r, FormStatus(failure), "console_settings", p)
}

func (s *Server) handleConsoleSettings(w http.ResponseWriter, r *http.Request) error {
	return s.renderSettings(w, r, "", nil, nil)
}

// handleConsoleSettingsSave saves the support contact, the paper size and
// the LinkedIn organization ID.
func (s *Server) handleConsoleSettingsSave(w http.ResponseWriter, r *http.Request) error {
	if err := ParseForm(r); err != nil {
		return err
	}
	f := FormFrom(r, "support_email", "support_url", "paper_size", "linkedin_organization_id")
	_, err := s.Program.Update(r.Context(), Actor(r), program.Update{SupportEmail: f.Value("support_email"),
		SupportURL: f.Value("support_url"), PaperSize: program.PaperSize(f.Value("paper_size")),
		LinkedInOrganizationID: f.Value("linkedin_organization_id")})
	if err != nil {
		return s.renderSettings(w, r, "settings", f, err)
	}
	http.Redirect(w, r, WithNotice("/console/settings", noticeSettingsSaved), http.StatusSeeOther)
	return nil
}

// handleConsoleLogoUpload stores an uploaded logo (the route limits the
// body).
func (s *Server) handleConsoleLogoUpload(w http.ResponseWriter, r *http.Request) error {
	if err := s.Program.MayManage(Actor(r)); err != nil {
		return err
	}
	f := NewForm()
	logoErr := func(msg string, data map[string]any) error {
		return s.renderSettings(w, r, "logo", f, fieldProblem("logo", msg, data))
	}
	err := r.ParseMultipartForm(program.MaxLogoBytes)
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return logoErr("program.error.logo_too_large", map[string]any{"Count": program.MaxLogoBytes >> 20})
	case err != nil:
		return ErrBadRequest
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	file, _, err := r.FormFile("logo")
	if errors.Is(err, http.ErrMissingFile) {
		return logoErr("program.error.logo_missing", nil)
	}
	if err != nil {
		return ErrBadRequest
	}
	defer func() { _ = file.Close() }()
	if _, err := s.Program.SetLogo(r.Context(), Actor(r), file); err != nil {
		return s.renderSettings(w, r, "logo", f, err)
	}
	http.Redirect(w, r, WithNotice("/console/settings", noticeLogoSaved), http.StatusSeeOther)
	return nil
}

// handleConsoleLogoRemove removes the logo.
func (s *Server) handleConsoleLogoRemove(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Program.RemoveLogo(r.Context(), Actor(r)); err != nil {
		return err
	}
	http.Redirect(w, r, WithNotice("/console/settings", noticeLogoRemoved), http.StatusSeeOther)
	return nil
}

// logoMaxAge is how long a browser keeps the logo at its plain address
// before asking again; the layout links a versioned address (?v=ETag)
// that may be kept for good.
const logoMaxAge = 5 * time.Minute

// logoPolicy is the Content-Security-Policy of the logo opened on its own:
// nothing loads, nothing runs.
const logoPolicy = "default-src 'none'; img-src 'self'; style-src 'none'; script-src 'none'; object-src 'none'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"

// handleLogo serves the program's logo to everyone: a PNG the service
// re-encoded, with an ETag, never sniffed as anything else.
func (s *Server) handleLogo(w http.ResponseWriter, r *http.Request) error {
	if s.Program == nil {
		return portal.ErrNotFound
	}
	data, info, err := s.Program.Logo(r.Context())
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", logoPolicy)
	h.Set("Content-Disposition", `inline; filename="logo.png"`)
	h.Set("ETag", `"`+info.ETag+`"`)
	if v := r.URL.Query().Get("v"); v != "" && v == info.ETag {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(logoMaxAge.Seconds())))
	}
	http.ServeContent(w, r, "logo.png", time.Time{}, bytes.NewReader(data))
	return nil
}
