package console

import (
	"errors"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"

	"example.org/certportal/internal/csvsafe"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/web"
)

// Results imports in the console, for staff with results.import (the
// results service decides): the list and the upload form, an import's
// progress and report, applying it, and its problems as CSV.

// resultsImportBodyLimit is the upload's body limit: the largest file the
// service reads plus room for the multipart envelope.
const resultsImportBodyLimit = results.MaxImportBytes + 64<<10

// importProblemsShown is how many problems the report page lists; the
// CSV download has them all.
const importProblemsShown = 500

// importRefreshSeconds is how often the page of a running import reloads.
const importRefreshSeconds = 3

type consoleResultsImportsPage struct {
	web.BasePage
	Form    *web.Form
	Imports []*portal.ResultImport
	Columns []string
	MaxRows int
	MaxMiB  int
}

func (s *Pages) handleConsoleResultsImports(w http.ResponseWriter, r *http.Request) error {
	return s.renderResultsImports(w, r, http.StatusOK, web.NewForm())
}

func (s *Pages) renderResultsImports(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	list, err := s.Results.Imports(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	p := &consoleResultsImportsPage{Form: f, Imports: list, Columns: results.ImportColumns,
		MaxRows: results.MaxImportRows, MaxMiB: results.MaxImportBytes >> 20}
	s.FillBase(r, &p.BasePage, "results.import.title")
	if msg := f.Error("file"); msg != "" {
		p.Errors = append(p.Errors, web.SummaryItem{Field: "file", Message: msg})
	}
	return s.Render(w, r, status, "console_results_imports", p)
}

// handleConsoleResultsImportUpload streams the uploaded file into the
// service without holding it: the multipart body is read part by part,
// and the file part straight into the import.
func (s *Pages) handleConsoleResultsImportUpload(w http.ResponseWriter, r *http.Request) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return web.ErrBadRequest
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return err
		}
		if err != nil {
			return web.ErrBadRequest
		}
		if part.FormName() != "file" {
			continue
		}
		name := part.FileName()
		if name == "" {
			break
		}
		imp, err := s.Results.StartImport(r.Context(), web.Actor(r), results.ImportUpload{
			FileName: path.Base(name), Format: importFormat(name, part.Header.Get("Content-Type")), Body: part})
		if errors.As(err, &maxErr) {
			return err
		}
		if err != nil {
			return err
		}
		http.Redirect(w, r, "/console/results/imports/"+strconv.FormatInt(imp.ID, 10), http.StatusSeeOther)
		return nil
	}
	f, b := web.NewForm(), &web.BasePage{}
	s.FillBase(r, b, "results.import.title")
	f.SetError("file", b.T.T("results.import.no_file", nil))
	return s.renderResultsImports(w, r, http.StatusUnprocessableEntity, f)
}

// importFormat is JSON for a .json file or a JSON content type, else CSV.
func importFormat(name, contentType string) string {
	if strings.EqualFold(path.Ext(name), ".json") || strings.HasPrefix(contentType, "application/json") {
		return portal.ImportJSON
	}
	return portal.ImportCSV
}

type consoleResultsImportPage struct {
	web.BasePage
	Import   *results.ImportStatus
	Problems []importRowProblem
	More     bool // more problems than the page lists
}

// importRowProblem is one line of the report, translated; Value is
// neutralised as in the CSV download.
type importRowProblem struct {
	Row     int
	Column  string
	Value   string
	Message string
}

func (s *Pages) resultsImportID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, portal.ErrNotFound
	}
	return id, nil
}

func (s *Pages) handleConsoleResultsImport(w http.ResponseWriter, r *http.Request) error {
	id, err := s.resultsImportID(r)
	if err != nil {
		return err
	}
	st, err := s.Results.ImportStatus(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	p := &consoleResultsImportPage{Import: st}
	s.FillBase(r, &p.BasePage, "results.import.report_title")
	if st.Busy() {
		p.Refresh = importRefreshSeconds
	}
	if st.State == portal.ImportChecked && st.RowsBad > 0 {
		ps, err := s.Results.ImportProblems(r.Context(), web.Actor(r), id, 0, importProblemsShown+1)
		if err != nil {
			return err
		}
		if len(ps) > importProblemsShown {
			ps, p.More = ps[:importProblemsShown], true
		}
		for _, pr := range ps {
			p.Problems = append(p.Problems, importRowProblem{Row: pr.Row, Column: pr.Column, Value: csvsafe.Cell(pr.Value),
				Message: p.T.T(pr.Message, pr.Data)})
		}
	}
	return s.Render(w, r, http.StatusOK, "console_results_import", p)
}

func (s *Pages) handleConsoleResultsImportApply(w http.ResponseWriter, r *http.Request) error {
	id, err := s.resultsImportID(r)
	if err != nil {
		return err
	}
	if _, err := s.Results.ApplyImport(r.Context(), web.Actor(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/results/imports/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// handleConsoleResultsImportProblems downloads every problem of an import
// as CSV, written a page at a time through csvsafe.
func (s *Pages) handleConsoleResultsImportProblems(w http.ResponseWriter, r *http.Request) error {
	id, err := s.resultsImportID(r)
	if err != nil {
		return err
	}
	ps, err := s.Results.ImportProblems(r.Context(), web.Actor(r), id, 0, importProblemsShown)
	if err != nil {
		return err
	}
	b := &web.BasePage{}
	s.FillBase(r, b, "results.import.report_title")
	t := b.T
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="results-import-`+strconv.FormatInt(id, 10)+`-problems.csv"`)
	cw := csvsafe.NewWriter(w)
	if err := cw.Write([]string{"row", "column", "value", "reason"}); err != nil {
		return err
	}
	for len(ps) > 0 {
		last := 0
		for _, p := range ps {
			if err := cw.Write([]string{strconv.Itoa(p.Row), p.Column, p.Value, t.T(p.Message, p.Data)}); err != nil {
				return err
			}
			last = p.Row
		}
		if len(ps) < importProblemsShown {
			break
		}
		if ps, err = s.Results.ImportProblems(r.Context(), web.Actor(r), id, last+1, importProblemsShown); err != nil {
			return err
		}
	}
	return cw.Flush()
}
