package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
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
//
// Like every API POST it needs an Idempotency-Key: the request is the
// query and the file's SHA-256, so a repeat of the same upload with the
// same key gets the first answer (Idempotent-Replayed: true) and starts no
// second import, and another file under the same key is refused. To hash
// the file before anything starts, the body is first copied to a
// temporary file (at most one byte over the size limit, so that a file
// too large is still reported as the import's problem), then read from
// there.
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
	key, err := idempotencyKey(r)
	if err != nil {
		return err
	}
	file, sum, err := spoolImport(r.Body)
	if err != nil {
		return err
	}
	defer func() {
		file.Close()
		os.Remove(file.Name())
	}()
	fileName := r.URL.Query().Get("file_name")
	fp := fingerprint{Method: r.Method, Path: r.URL.Path,
		Body: importRequest{Format: format, DryRun: dryRun, FileName: fileName, SHA256: sum}}
	stored, replayed, err := s.runOnce(r, a, key, fp, func(ctx context.Context) (int, any, error) {
		imp, err := s.results.StartImport(ctx, a, results.ImportUpload{FileName: fileName, Format: format, Body: file, Apply: !dryRun})
		if err != nil {
			return 0, nil, err
		}
		st, err := s.results.ImportStatus(ctx, a, imp.ID)
		if err != nil {
			return 0, nil, err
		}
		v, err := s.newImportView(r, a, st)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusAccepted, v, nil
	})
	if err != nil {
		return err
	}
	if stored.Status == http.StatusAccepted {
		var v struct {
			ID int64 `json:"id"`
		}
		if json.Unmarshal([]byte(stored.Body), &v) == nil && v.ID > 0 {
			w.Header().Set("Location", Prefix+"/results/imports/"+strconv.FormatInt(v.ID, 10))
		}
	}
	writeStored(w, stored, replayed)
	return nil
}

// importRequest is the idempotency fingerprint of an import: what was
// asked and the file's hash, never the file.
type importRequest struct {
	Format   string `json:"format"`
	DryRun   bool   `json:"dry_run"`
	FileName string `json:"file_name"`
	SHA256   string `json:"sha256"`
}

// readFailure marks an error reading the request body, apart from one
// writing the temporary file.
type readFailure struct {
	r   io.Reader
	err error
}

func (e *readFailure) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
		return n, e
	}
	return n, err
}

func (e *readFailure) Error() string { return "read request body: " + e.err.Error() }

// spoolImport copies an uploaded file to a temporary file, at most one
// byte over results.MaxImportBytes, and returns it rewound with the
// SHA-256 of what it holds.
func spoolImport(body io.Reader) (*os.File, string, error) {
	f, err := os.CreateTemp("", "certportal-import-*")
	if err != nil {
		return nil, "", fmt.Errorf("api: spool import: %w", err)
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), io.LimitReader(&readFailure{r: body}, results.MaxImportBytes+1))
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		var rf *readFailure
		if errors.As(err, &rf) {
			return nil, "", errBodyIncomplete // the upload broke off
		}
		return nil, "", fmt.Errorf("api: spool import: %w", err)
	}
	return f, hex.EncodeToString(h.Sum(nil)), nil
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
