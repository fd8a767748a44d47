package results

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/failpoint"
	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// KindImport is the job that checks a staged import, or applies it: the
// import's state says which, so running it again after a crash resumes.
const KindImport = "results.import"

// importArgs are the arguments of an import job. Apply asks that the file
// be applied as soon as it checks clean (the API without a dry run).
type importArgs struct {
	ImportID int64 `json:"import_id"`
	Apply    bool  `json:"apply,omitempty"`
}

// importBatch is how many rows one staging or checking transaction holds.
const importBatch = 1000

// ImportUpload is a results file as an officer sends it.
type ImportUpload struct {
	FileName string
	Format   string // portal.ImportCSV or portal.ImportJSON
	Body     io.Reader
	// Apply applies the file once it checks clean; otherwise it waits,
	// checked, for ApplyImport (a dry run).
	Apply bool
}

// ImportStatus is an import with what its pages show.
type ImportStatus struct {
	portal.ResultImport
	// Parked counts rows kept for an email no account has.
	Parked int
	// SameFile is the import that applied the same file, when this one
	// was discarded for it.
	SameFile *portal.ResultImport
	// Interrupted is true when the upload broke off before its end.
	Interrupted bool
}

// Checking reports whether the file is read and its rows are being
// checked.
func (st *ImportStatus) Checking() bool {
	return st.State == portal.ImportStaging && st.ContentHash != ""
}

// Busy reports whether work on the import is under way, for a page that
// refreshes until it is done.
func (st *ImportStatus) Busy() bool {
	return st.State == portal.ImportStaging || st.State == portal.ImportApplying
}

// Applicable reports whether the import may be applied now.
func (st *ImportStatus) Applicable() bool {
	return st.State == portal.ImportChecked && st.RowsBad == 0 && st.RowsTotal > 0
}

// StartImport reads a results file (PermResultsImport): it streams the
// body, hashes it, and stages its rows in batches, then queues the job
// that checks every row as recording would. The returned import is
// staging; ImportStatus follows it. Problems with the file are reported
// as the import's row 0, never as an error; the error return is for
// forbidden, invalid format and internal errors.
func (s *Service) StartImport(ctx context.Context, actor portal.Actor, up ImportUpload) (*portal.ResultImport, error) {
	if err := actor.Authorize(portal.PermResultsImport); err != nil {
		return nil, err
	}
	if up.Format != portal.ImportCSV && up.Format != portal.ImportJSON {
		return nil, refused(portal.EInvalid, "results.import.bad_format", "file")
	}
	name := cut(strings.TrimSpace(up.FileName))
	if name == "" {
		name = "results." + up.Format
	}
	var imp *portal.ResultImport
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		imp, err = tx.CreateResultImport(ctx, store.ResultImportCreate{FileName: name, Format: up.Format, CreatedBy: actor.UserID})
		return err
	})
	if err != nil {
		return nil, err
	}

	h := sha256.New()
	src, err := newRowSource(up.Format, io.TeeReader(&limitedReader{r: up.Body, n: MaxImportBytes}, h))
	if err != nil {
		return nil, err
	}
	var batch []store.ResultImportRow
	total := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.st.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.InsertResultImportRows(ctx, imp.ID, batch); err != nil {
				return err
			}
			failpoint.Inject(failpoint.ImportRowsStaged)
			n := total + len(batch)
			_, err := tx.UpdateResultImport(ctx, imp.ID, []string{portal.ImportStaging}, store.ResultImportUpdate{RowsTotal: &n})
			return err
		})
		if err != nil {
			return err
		}
		total += len(batch)
		batch = batch[:0]
		return nil
	}
	var fileErr *fileProblem
	for {
		pr, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.As(err, &fileErr) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("results: read import %d: %w", imp.ID, err)
		}
		data, err := json.Marshal(pr.row)
		if err != nil {
			return nil, err
		}
		batch = append(batch, store.ResultImportRow{RowNumber: pr.num, Data: string(data)})
		if len(batch) == importBatch {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if fileErr == nil {
		// The hash covers the whole file, whatever follows the last row.
		if _, err := io.Copy(io.Discard, io.TeeReader(&limitedReader{r: up.Body, n: MaxImportBytes}, h)); err != nil &&
			!errors.Is(err, errTooLarge) {
			return nil, fmt.Errorf("results: read import %d: %w", imp.ID, err)
		}
	}
	hash := hex.EncodeToString(h.Sum(nil))
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		if fileErr != nil {
			p, err := json.Marshal([]RowProblem{fileErr.RowProblem})
			if err != nil {
				return err
			}
			if err := tx.InsertResultImportRows(ctx, imp.ID, []store.ResultImportRow{{RowNumber: 0, Data: "{}", Problem: string(p)}}); err != nil {
				return err
			}
		} else if _, err := tx.FindResultImportByHash(ctx, hash); err == nil {
			// The same file was applied before: nothing to do.
			if err := tx.DeleteResultImportRows(ctx, imp.ID, 0); err != nil {
				return err
			}
			state := portal.ImportDiscarded
			imp, err = tx.UpdateResultImport(ctx, imp.ID, nil, store.ResultImportUpdate{State: &state, ContentHash: &hash})
			return err
		} else if !errors.Is(err, portal.ErrNotFound) {
			return err
		}
		var err error
		if imp, err = tx.UpdateResultImport(ctx, imp.ID, []string{portal.ImportStaging}, store.ResultImportUpdate{ContentHash: &hash}); err != nil {
			return err
		}
		return jobs.Enqueue(ctx, tx, KindImport, importArgs{ImportID: imp.ID, Apply: up.Apply},
			jobs.UniqueKey("results.import:"+strconv.FormatInt(imp.ID, 10)+":check"))
	})
	if err != nil {
		return nil, err
	}
	s.kick()
	return imp, nil
}

// kick asks the job relay to forward what was just committed.
func (s *Service) kick() {
	if s.cfg.Kick != nil {
		s.cfg.Kick()
	}
}

// ImportStatus returns an import and its counts (PermResultsImport).
func (s *Service) ImportStatus(ctx context.Context, actor portal.Actor, id int64) (*ImportStatus, error) {
	if err := actor.Authorize(portal.PermResultsImport); err != nil {
		return nil, err
	}
	imp, err := s.st.GetResultImport(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.importStatus(ctx, imp)
}

func (s *Service) importStatus(ctx context.Context, imp *portal.ResultImport) (*ImportStatus, error) {
	st := &ImportStatus{ResultImport: *imp}
	var err error
	if st.Parked, err = s.st.CountParkedResults(ctx, imp.ID); err != nil {
		return nil, err
	}
	if imp.State == portal.ImportDiscarded {
		if imp.ContentHash == "" {
			st.Interrupted = true
		} else {
			err := s.st.Transact(ctx, func(tx *store.Tx) error {
				same, err := tx.FindResultImportByHash(ctx, imp.ContentHash)
				if err == nil {
					st.SameFile = same
				}
				if errors.Is(err, portal.ErrNotFound) {
					return nil
				}
				return err
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return st, nil
}

// Imports lists the latest imports (PermResultsImport).
func (s *Service) Imports(ctx context.Context, actor portal.Actor) ([]*portal.ResultImport, error) {
	if err := actor.Authorize(portal.PermResultsImport); err != nil {
		return nil, err
	}
	return s.st.ListResultImports(ctx, 50)
}

// ImportProblems returns up to limit problems of an import after row
// after, in row order (PermResultsImport). Values are as the file had
// them; whoever writes them to a CSV file neutralises them (csvsafe).
func (s *Service) ImportProblems(ctx context.Context, actor portal.Actor, id int64, after, limit int) ([]RowProblem, error) {
	if err := actor.Authorize(portal.PermResultsImport); err != nil {
		return nil, err
	}
	rows, err := s.st.ListResultImportRows(ctx, id, after-1, limit, true)
	if err != nil {
		return nil, err
	}
	var out []RowProblem
	for _, r := range rows {
		var ps []RowProblem
		if err := json.Unmarshal([]byte(r.Problem), &ps); err != nil {
			return nil, fmt.Errorf("results: import %d row %d: %w", id, r.RowNumber, err)
		}
		for _, p := range ps {
			if r.RowNumber != 0 { // row 0 holds the file's problem, at the line it names
				p.Row = r.RowNumber
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// ApplyImport applies a checked import with no problems
// (PermResultsImport): it moves it to applying and queues the job that
// records every row in one transaction. A file applied already (the same
// content hash) is not applied again: the import is discarded and the
// status names the one that applied it.
func (s *Service) ApplyImport(ctx context.Context, actor portal.Actor, id int64) (*ImportStatus, error) {
	if err := actor.Authorize(portal.PermResultsImport); err != nil {
		return nil, err
	}
	var imp *portal.ResultImport
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if imp, err = tx.LockResultImport(ctx, id); err != nil {
			return err
		}
		switch {
		case imp.State == portal.ImportApplying || imp.State == portal.ImportApplied || imp.State == portal.ImportDiscarded:
			return nil
		case imp.State != portal.ImportChecked:
			return &portal.Error{Code: portal.EConflict, Message: "results.import.not_checked"}
		case imp.RowsBad > 0 || imp.RowsTotal == 0:
			return &portal.Error{Code: portal.EConflict, Message: "results.import.has_problems", Data: map[string]any{"Count": imp.RowsBad}}
		}
		imp, err = s.takeForApply(ctx, tx, actor, imp)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.kick()
	return s.importStatus(ctx, imp)
}

// takeForApply moves a checked import to applying and queues the job, or
// discards it when the same file is applying or applied already.
func (s *Service) takeForApply(ctx context.Context, tx *store.Tx, actor portal.Actor, imp *portal.ResultImport) (*portal.ResultImport, error) {
	if _, err := tx.FindResultImportByHash(ctx, imp.ContentHash); err == nil {
		discarded := portal.ImportDiscarded
		return tx.UpdateResultImport(ctx, imp.ID, []string{portal.ImportChecked}, store.ResultImportUpdate{State: &discarded})
	} else if !errors.Is(err, portal.ErrNotFound) {
		return nil, err
	}
	state := portal.ImportApplying
	out, err := tx.UpdateResultImport(ctx, imp.ID, []string{portal.ImportChecked}, store.ResultImportUpdate{State: &state})
	if errors.Is(err, portal.ErrConflict) {
		// Another import of the same file is being applied this instant.
		return nil, &portal.Error{Code: portal.EConflict, Message: "results.import.same_file_applying"}
	}
	if err != nil {
		return nil, err
	}
	if err := tx.Audit(ctx, actor, "results.import_applied", importSubject(imp.ID), imp.FileName, nil); err != nil {
		return nil, err
	}
	return out, jobs.Enqueue(ctx, tx, KindImport, importArgs{ImportID: imp.ID},
		jobs.UniqueKey("results.import:"+strconv.FormatInt(imp.ID, 10)+":apply"))
}

func importSubject(id int64) string { return "result_import:" + strconv.FormatInt(id, 10) }

// HandleImportJob runs an import job: it checks a staged import, or
// applies an applying one; in any other state it does nothing.
func (s *Service) HandleImportJob(ctx context.Context, args json.RawMessage) error {
	var a importArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return jobs.Permanent(err)
	}
	return s.RunImport(ctx, a.ImportID, a.Apply)
}

// RunImport takes an import as far as it can go: a staged file is
// checked (and applied when apply is set and every row is good); an
// applying one is applied. It is safe to run again at any point.
func (s *Service) RunImport(ctx context.Context, id int64, apply bool) error {
	imp, err := s.st.GetResultImport(ctx, id)
	if err != nil {
		return err
	}
	switch imp.State {
	case portal.ImportStaging:
		if imp.ContentHash == "" {
			return nil // still uploading, or broke off (ResumeImports)
		}
		if imp, err = s.checkImport(ctx, imp, apply); err != nil || imp.State != portal.ImportApplying {
			return err
		}
		return s.applyImport(ctx, id)
	case portal.ImportApplying:
		return s.applyImport(ctx, id)
	}
	return nil
}

// creator is the officer who uploaded an import: the rows are theirs.
func creator(imp *portal.ResultImport) portal.Actor {
	return portal.Actor{UserID: imp.CreatedBy, Role: portal.RoleStaff, RequestID: importSubject(imp.ID)}
}

// checkImport checks every staged row in batches and stores its
// problems; the import becomes checked. Checking again starts over.
//
// With apply, a file whose rows all check clean is taken for applying in
// the same transaction, so nobody sees it checked and waiting in between.
func (s *Service) checkImport(ctx context.Context, imp *portal.ResultImport, apply bool) (*portal.ResultImport, error) {
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error { return tx.ClearResultImportProblems(ctx, imp.ID, 1) })
	if err != nil {
		return nil, err
	}
	c := newRowChecker(s, cal, imp)
	after := 0
	for {
		more := false
		err := s.st.Transact(ctx, func(tx *store.Tx) error {
			rows, err := tx.ListResultImportRows(ctx, imp.ID, after, importBatch, false)
			if err != nil {
				return err
			}
			more = len(rows) == importBatch
			if err := c.readUsers(ctx, tx, rows); err != nil {
				return err
			}
			problems := map[int]string{}
			for _, r := range rows {
				after = r.RowNumber
				if r.RowNumber == 0 {
					continue
				}
				var row stagedRow
				if err := json.Unmarshal([]byte(r.Data), &row); err != nil {
					return fmt.Errorf("results: import %d row %d: %w", imp.ID, r.RowNumber, err)
				}
				_, _, ps, err := c.check(ctx, tx, r.RowNumber, row, false)
				if err != nil {
					return err
				}
				if len(ps) > 0 {
					b, err := json.Marshal(ps)
					if err != nil {
						return err
					}
					problems[r.RowNumber] = string(b)
				}
			}
			if err := tx.SetResultImportProblems(ctx, imp.ID, problems); err != nil {
				return err
			}
			// Touched, so ResumeImports leaves a running check alone.
			_, err = tx.UpdateResultImport(ctx, imp.ID, []string{portal.ImportStaging}, store.ResultImportUpdate{})
			if errors.Is(err, portal.ErrNotFound) {
				return nil
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
	}
	var out *portal.ResultImport
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		bad, err := tx.CountResultImportProblems(ctx, imp.ID)
		if err != nil {
			return err
		}
		state := portal.ImportChecked
		out, err = tx.UpdateResultImport(ctx, imp.ID, []string{portal.ImportStaging}, store.ResultImportUpdate{State: &state, RowsBad: &bad})
		if errors.Is(err, portal.ErrNotFound) {
			out, err = tx.GetResultImport(ctx, imp.ID)
			return err
		}
		if err != nil || !apply || bad > 0 || out.RowsTotal == 0 {
			return err
		}
		out, err = s.takeForApply(ctx, tx, creator(out), out)
		return err
	})
	return out, err
}

// errImportChanged rolls an apply back: a row that checked clean no
// longer does (another import or officer recorded it meanwhile).
var errImportChanged = errors.New("results: an import's rows changed since they were checked")

// applyImport records every row of an applying import in one
// transaction, parking rows for unknown emails, and marks it applied. If
// any row no longer passes, nothing is recorded: the import is checked
// again and waits with its problems.
func (s *Service) applyImport(ctx context.Context, id int64) error {
	cal, err := s.calendar(ctx)
	if err != nil {
		return err
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		imp, err := tx.LockResultImport(ctx, id)
		if err != nil {
			return err
		}
		if imp.State != portal.ImportApplying {
			return nil
		}
		c := newRowChecker(s, cal, imp)
		c.later = &jobs.Deferred{}
		applied, after := 0, 0
		for {
			rows, err := tx.ListResultImportRows(ctx, id, after, importBatch, false)
			if err != nil {
				return err
			}
			if err := c.readUsers(ctx, tx, rows); err != nil {
				return err
			}
			for _, r := range rows {
				after = r.RowNumber
				var row stagedRow
				if err := json.Unmarshal([]byte(r.Data), &row); err != nil {
					return fmt.Errorf("results: import %d row %d: %w", id, r.RowNumber, err)
				}
				_, _, ps, err := c.check(ctx, tx, r.RowNumber, row, true)
				if err != nil {
					return err
				}
				if len(ps) > 0 {
					return errImportChanged
				}
				applied++
				if applied == 1 {
					failpoint.Inject(failpoint.ImportFirstRowApplied)
				}
			}
			// The batch's publications and mails, several to a statement.
			if err := c.later.Flush(ctx, tx); err != nil {
				return err
			}
			if len(rows) < importBatch {
				break
			}
		}
		failpoint.Inject(failpoint.ImportRowsApplied)
		state, now := portal.ImportApplied, tx.Now()
		_, err = tx.UpdateResultImport(ctx, id, []string{portal.ImportApplying},
			store.ResultImportUpdate{State: &state, RowsApplied: &applied, AppliedAt: &now})
		return err
	})
	if !errors.Is(err, errImportChanged) {
		if err == nil {
			s.kick()
		}
		return err
	}
	var imp *portal.ResultImport
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		state := portal.ImportStaging
		imp, err = tx.UpdateResultImport(ctx, id, []string{portal.ImportApplying}, store.ResultImportUpdate{State: &state})
		return err
	})
	if errors.Is(err, portal.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.checkImport(ctx, imp, false)
	return err
}

// ResumeImports is the periodic sweep that keeps imports moving after a
// restart: an upload that broke off (staging without a hash, untouched
// for stalledAfter) is discarded; a check or an apply left unfinished is
// run again.
func (s *Service) ResumeImports(ctx context.Context) (int, error) {
	before := s.clock.Now().Add(-stalledAfter)
	list, err := s.st.ListResultImportsStalled(ctx, []string{portal.ImportStaging, portal.ImportApplying}, before)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, imp := range list {
		if imp.State == portal.ImportStaging && imp.ContentHash == "" {
			err := s.st.Transact(ctx, func(tx *store.Tx) error {
				state := portal.ImportDiscarded
				_, err := tx.UpdateResultImport(ctx, imp.ID, []string{portal.ImportStaging}, store.ResultImportUpdate{State: &state})
				if errors.Is(err, portal.ErrNotFound) {
					return nil
				}
				if err != nil {
					return err
				}
				return tx.DeleteResultImportRows(ctx, imp.ID, 0)
			})
			if err != nil {
				return n, err
			}
			n++
			continue
		}
		if err := s.RunImport(ctx, imp.ID, false); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// stalledAfter is how long an import may sit untouched in staging or
// applying before ResumeImports takes it up.
const stalledAfter = 5 * time.Minute
