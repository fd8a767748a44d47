package console

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// The catalogue's JSON import (upload, preview, apply) and export.

// ceImportBodyLimit is the body limit of the import's upload and of its
// apply form, which carries the previewed file back (base64, a third
// larger) with room for the rest of the form.
const ceImportBodyLimit = credits.MaxCatalogueBytes*4/3 + 64<<10

// ceImportProblem is one problem of an import file: where (its JSON
// path; empty for the whole file) and what.
type ceImportProblem struct {
	Path, Message string
}

type consoleCEImportPage struct {
	web.BasePage
	Tabs     []ceAdminTab
	Form     *web.Form
	Problems []ceImportProblem
	// Preview is what the previewed file would change; File and Base are
	// what the apply form sends back.
	Preview *credits.ImportPreview
	File    string
	Base    string
	// Refusal is why the apply was refused (the catalogue changed since
	// the preview); the preview shown is then a fresh one.
	Refusal string
}

// ceCreditFields are the fields of a type whose values are credits, in
// hundredths.
var ceCreditFields = map[string]bool{credits.FieldPerUnit: true, credits.FieldMinCredits: true, credits.FieldMaxCredits: true,
	credits.FieldCapActivity: true, credits.FieldCapCycle: true}

// ceFieldLabels name the fields of a type a preview lists.
var ceFieldLabels = map[string]string{
	"texts": "console.ce_admin.import.field.texts", "attestation": "console.ce_admin.import.field.attestation",
	"counts_list": "console.ce_admin.import.field.counts_list", "group": "console.ce_admin.field.group",
	"rule": "console.ce_admin.field.rule", "unit_minutes": "console.ce_admin.field.unit_minutes",
	"per_unit": "console.ce_admin.field.per_unit", "min_credits": "console.ce_admin.field.min_credits",
	"max_credits": "console.ce_admin.field.max_credits", "cap_activity": "console.ce_admin.field.cap_activity",
	"cap_cycle": "console.ce_admin.field.cap_cycle", "required_fields": "console.ce_admin.field.required_fields",
	"min_evidence": "console.ce_admin.field.min_evidence", "counts_for": "console.ce_admin.field.counts_for",
	"active_from": "console.ce_admin.field.active_from", "active_until": "console.ce_admin.field.active_until",
	"deadline_days": "console.ce_admin.field.deadline_days",
}

// FieldLabel names a changed field in the page's language.
func (p *consoleCEImportPage) FieldLabel(name string) string {
	if id, ok := ceFieldLabels[name]; ok {
		return p.T.T(id, nil)
	}
	return name
}

// FieldValue writes a changed field's value, credits as decimals.
func (p *consoleCEImportPage) FieldValue(name, v string) string {
	if n, err := strconv.Atoi(v); err == nil && ceCreditFields[name] {
		return credits.FormatCreditsIn(n, p.Lang)
	}
	return v
}

// HasChanges reports whether the preview changes anything.
func (p *consoleCEImportPage) HasChanges() bool {
	return p.Preview != nil && len(p.Preview.Added)+len(p.Preview.Changed) > 0
}

func (s *Pages) newCEImportPage(r *http.Request) *consoleCEImportPage {
	p := &consoleCEImportPage{Form: web.NewForm()}
	s.FillBase(r, &p.BasePage, "console.ce_admin.import_title")
	p.Tabs = ceAdminTabs(&p.BasePage)
	return p
}

// handleConsoleCEImportForm is the import's upload form.
func (s *Pages) handleConsoleCEImportForm(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	if err := web.Actor(r).Authorize(portal.PermSettingsManage); err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "console_ce_import", s.newCEImportPage(r))
}

// handleConsoleCEImportPreview reads an uploaded catalogue file and shows
// what it would change, changing nothing.
func (s *Pages) handleConsoleCEImportPreview(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	if err := web.Actor(r).Authorize(portal.PermSettingsManage); err != nil {
		return err
	}
	p := s.newCEImportPage(r)
	err := r.ParseMultipartForm(credits.MaxCatalogueBytes)
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return s.ceImportRefused(w, r, p, http.StatusRequestEntityTooLarge,
			web.Localize(p.T, "credits.error.import_too_large", map[string]any{"Count": credits.MaxCatalogueBytes >> 10}))
	case err != nil:
		return web.ErrBadRequest
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	file, _, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		return s.ceImportRefused(w, r, p, http.StatusUnprocessableEntity, p.T.T("console.ce_admin.import.no_file", nil))
	}
	if err != nil {
		return web.ErrBadRequest
	}
	defer func() { _ = file.Close() }()
	b, err := io.ReadAll(io.LimitReader(file, credits.MaxCatalogueBytes+1))
	if err != nil {
		return err
	}
	return s.ceImportPreview(w, r, p, b, http.StatusOK)
}

// ceImportPreview previews b on the page, or shows its problems.
func (s *Pages) ceImportPreview(w http.ResponseWriter, r *http.Request, p *consoleCEImportPage, b []byte, status int) error {
	prev, err := s.Credits.PreviewImport(r.Context(), web.Actor(r), b)
	if err != nil {
		var pe *portal.Error
		if !errors.As(err, &pe) || pe.Code != portal.EInvalid {
			return err
		}
		for _, fe := range pe.Fields {
			p.Problems = append(p.Problems, ceImportProblem{Path: fe.Field, Message: web.Localize(p.T, fe.Message, fe.Data)})
		}
		if len(pe.Fields) == 0 {
			p.Problems = append(p.Problems, ceImportProblem{Message: web.Localize(p.T, pe.Message, pe.Data)})
		}
		return s.ceImportRefused(w, r, p, http.StatusUnprocessableEntity,
			p.T.T("console.ce_admin.import.invalid", map[string]any{"Count": len(p.Problems)}))
	}
	p.Preview, p.File, p.Base = prev, base64.StdEncoding.EncodeToString(b), prev.Base
	return s.Render(w, r, status, "console_ce_import", p)
}

// ceImportRefused shows the upload form with message next to the file
// field.
func (s *Pages) ceImportRefused(w http.ResponseWriter, r *http.Request, p *consoleCEImportPage, status int, message string) error {
	p.Form.SetError("file", message)
	p.Errors = append(p.Errors, web.SummaryItem{Field: "file", Message: message})
	return s.Render(w, r, status, "console_ce_import", p)
}

// handleConsoleCEImportApply applies a previewed file. A catalogue changed
// since the preview is refused and the file previewed again against it.
func (s *Pages) handleConsoleCEImportApply(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	b, err := base64.StdEncoding.DecodeString(r.PostForm.Get("file"))
	if err != nil || len(b) == 0 {
		return web.ErrBadRequest
	}
	_, err = s.Credits.ApplyImport(r.Context(), web.Actor(r), b, r.PostForm.Get("base"))
	if err == nil {
		http.Redirect(w, r, web.WithNotice(ceCataloguePath, noticeCECatalogueImport), http.StatusSeeOther)
		return nil
	}
	var pe *portal.Error
	if !errors.As(err, &pe) || pe.Code != portal.EConflict {
		if errors.As(err, &pe) && pe.Code == portal.EInvalid {
			// The file came back other than previewed: show its problems.
			return s.ceImportPreview(w, r, s.newCEImportPage(r), b, http.StatusUnprocessableEntity)
		}
		return err
	}
	p := s.newCEImportPage(r)
	p.Refusal = web.Localize(p.T, pe.Message, pe.Data)
	return s.ceImportPreview(w, r, p, b, http.StatusConflict)
}

// handleConsoleCEExport downloads the catalogue as JSON.
func (s *Pages) handleConsoleCEExport(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	b, err := s.Credits.ExportCatalogue(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="ce-catalogue.json"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, err = w.Write(b)
	return err
}
