package api

import (
	"mime"
	"net/http"
	"strconv"
	"time"

	"example.org/certportal/internal/csvsafe"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
)

// importProblemsListed is how many problems an import's view lists.
const importProblemsListed = 1000

// handleResultsImportCreate streams a results file (text/csv or
// application/json) into a new import: ?dry_run=true (the default) checks
// it only; dry_run=false applies it too once every row checks clean. The
// work continues in the background; the answer is 202 with the import,
// which GET /results/imports/{id} follows.
func (s *server) handleResultsImportCreate(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return errUnsupportedMedia
	}
	var format string
	switch mt {
	case "text/csv":
		format = portal.ImportCSV
	case "application/json":
		format = portal.ImportJSON
	default:
		return errUnsupportedMedia
	}
	dryRun := true
	if raw := r.URL.Query().Get("dry_run"); raw != "" {
		b, err := strconv.ParseBool(raw)
		if err != nil {
			var v portal.Validation
			v.Add("dry_run", "api.dry_run_invalid", nil)
			return v.Err()
		}
		dryRun = b
	}
	imp, err := s.results.StartImport(r.Context(), a, results.ImportUpload{FileName: r.URL.Query().Get("file_name"),
		Format: format, Body: r.Body, Apply: !dryRun})
	if err != nil {
		return err
	}
	st, err := s.results.ImportStatus(r.Context(), a, imp.ID)
	if err != nil {
		return err
	}
	v, err := s.newImportView(r, a, st)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/results/imports/"+strconv.FormatInt(imp.ID, 10))
	s.writeJSON(w, r, http.StatusAccepted, v)
	return nil
}

// handleResultsImportShow returns an import: its progress, and once
// checked its problems.
func (s *server) handleResultsImportShow(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return portal.ErrNotFound
	}
	st, err := s.results.ImportStatus(r.Context(), a, id)
	if err != nil {
		return err
	}
	v, err := s.newImportView(r, a, st)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, v)
	return nil
}

type importView struct {
	ID                int64               `json:"id"`
	FileName          string              `json:"file_name"`
	Format            string              `json:"format"`
	State             string              `json:"state"`
	ContentHash       string              `json:"content_hash,omitempty"`
	RowsTotal         int                 `json:"rows_total"`
	RowsBad           int                 `json:"rows_bad"`
	RowsApplied       int                 `json:"rows_applied"`
	RowsParked        int                 `json:"rows_parked"`
	CreatedAt         time.Time           `json:"created_at"`
	AppliedAt         *time.Time          `json:"applied_at,omitempty"`
	SameFileImportID  *int64              `json:"same_file_import_id,omitempty"`
	Interrupted       bool                `json:"interrupted,omitempty"`
	Problems          []importProblemView `json:"problems"`
	ProblemsTruncated bool                `json:"problems_truncated,omitempty"`
}

type importProblemView struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Value   string `json:"value,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (s *server) newImportView(r *http.Request, a portal.Actor, st *results.ImportStatus) (importView, error) {
	v := importView{ID: st.ID, FileName: st.FileName, Format: st.Format, State: st.State, ContentHash: st.ContentHash,
		RowsTotal: st.RowsTotal, RowsBad: st.RowsBad, RowsApplied: st.RowsApplied, RowsParked: st.Parked,
		CreatedAt: st.CreatedAt.UTC(), AppliedAt: st.AppliedAt, Interrupted: st.Interrupted, Problems: []importProblemView{}}
	if st.SameFile != nil {
		v.SameFileImportID = &st.SameFile.ID
	}
	if st.RowsBad == 0 || st.State != portal.ImportChecked {
		return v, nil
	}
	ps, err := s.results.ImportProblems(r.Context(), a, st.ID, 0, importProblemsListed+1)
	if err != nil {
		return v, err
	}
	if len(ps) > importProblemsListed {
		ps, v.ProblemsTruncated = ps[:importProblemsListed], true
	}
	l := s.localizer(r)
	for _, p := range ps {
		v.Problems = append(v.Problems, importProblemView{Row: p.Row, Column: p.Column, Value: csvsafe.Cell(p.Value),
			Code: p.Message, Message: l.T(p.Message, p.Data)})
	}
	return v, nil
}
