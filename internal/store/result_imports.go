package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
)

const resultImportColumns = `id, content_hash, file_name, format, state, rows_total, rows_bad, rows_applied, created_by,
	created_at, updated_at, applied_at`

// ResultImportCreate is a new import, staging.
type ResultImportCreate struct {
	FileName  string
	Format    string
	CreatedBy int64
}

// CreateResultImport starts an import in state staging.
func (tx *Tx) CreateResultImport(ctx context.Context, c ResultImportCreate) (*portal.ResultImport, error) {
	var out portal.ResultImport
	err := tx.get(ctx, &out, `INSERT INTO result_imports (content_hash, file_name, format, state, created_by, created_at, updated_at)
		VALUES ('', ?, ?, ?, ?, ?, ?) RETURNING `+resultImportColumns,
		c.FileName, c.Format, portal.ImportStaging, c.CreatedBy, tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: create result import: %w", err)
	}
	return &out, nil
}

// ResultImportUpdate changes an import. Nil fields keep their value.
type ResultImportUpdate struct {
	State       *string
	ContentHash *string
	RowsTotal   *int
	RowsBad     *int
	RowsApplied *int
	AppliedAt   *time.Time
}

// UpdateResultImport applies u to the import if its state is one of from
// (any state when from is empty) and returns it as stored; otherwise
// portal.ErrNotFound. Moving a second import of the same file to applying
// is portal.ErrConflict (a unique index on the hash of applying and
// applied imports).
func (tx *Tx) UpdateResultImport(ctx context.Context, id int64, from []string, u ResultImportUpdate) (*portal.ResultImport, error) {
	sets := []string{"updated_at = ?"}
	args := []any{tx.now}
	set := func(col string, v any) { sets, args = append(sets, col+" = ?"), append(args, v) }
	if u.State != nil {
		set("state", *u.State)
	}
	if u.ContentHash != nil {
		set("content_hash", *u.ContentHash)
	}
	if u.RowsTotal != nil {
		set("rows_total", *u.RowsTotal)
	}
	if u.RowsBad != nil {
		set("rows_bad", *u.RowsBad)
	}
	if u.RowsApplied != nil {
		set("rows_applied", *u.RowsApplied)
	}
	if u.AppliedAt != nil {
		set("applied_at", u.AppliedAt.UTC())
	}
	q := `UPDATE result_imports SET ` + strings.Join(sets, ", ") + ` WHERE id = ?`
	args = append(args, id)
	if len(from) > 0 {
		q += ` AND state IN (` + placeholders(len(from)) + `)`
		for _, s := range from {
			args = append(args, s)
		}
	}
	var out portal.ResultImport
	if err := tx.get(ctx, &out, q+` RETURNING `+resultImportColumns, args...); err != nil {
		return nil, fmt.Errorf("store: update result import %d: %w", id, err)
	}
	return &out, nil
}

// GetResultImport returns an import or portal.ErrNotFound.
func (s *Store) GetResultImport(ctx context.Context, id int64) (*portal.ResultImport, error) {
	return getResultImport(ctx, s, id)
}

// GetResultImport is Store.GetResultImport inside the transaction.
func (tx *Tx) GetResultImport(ctx context.Context, id int64) (*portal.ResultImport, error) {
	return getResultImport(ctx, tx, id)
}

func getResultImport(ctx context.Context, r reader, id int64) (*portal.ResultImport, error) {
	var out portal.ResultImport
	if err := r.get(ctx, &out, `SELECT `+resultImportColumns+` FROM result_imports WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: get result import %d: %w", id, err)
	}
	return &out, nil
}

// LockResultImport returns an import and, on PostgreSQL, locks its row
// until the transaction ends, or portal.ErrNotFound.
func (tx *Tx) LockResultImport(ctx context.Context, id int64) (*portal.ResultImport, error) {
	var out portal.ResultImport
	if err := tx.get(ctx, &out, `SELECT `+resultImportColumns+` FROM result_imports WHERE id = ?`+tx.forUpdate("result_imports"), id); err != nil {
		return nil, fmt.Errorf("store: lock result import %d: %w", id, err)
	}
	return &out, nil
}

// FindResultImportByHash returns the applying or applied import of the
// file with that content hash, or portal.ErrNotFound.
func (tx *Tx) FindResultImportByHash(ctx context.Context, hash string) (*portal.ResultImport, error) {
	var out portal.ResultImport
	err := tx.get(ctx, &out, `SELECT `+resultImportColumns+` FROM result_imports WHERE content_hash = ? AND state IN (?, ?)`,
		hash, portal.ImportApplying, portal.ImportApplied)
	if err != nil {
		return nil, fmt.Errorf("store: find result import by hash: %w", err)
	}
	return &out, nil
}

// ListResultImports returns the latest imports, newest first.
func (s *Store) ListResultImports(ctx context.Context, limit int) ([]*portal.ResultImport, error) {
	if limit <= 0 {
		limit = 50
	}
	var out []*portal.ResultImport
	err := s.sel(ctx, &out, `SELECT `+resultImportColumns+` FROM result_imports ORDER BY created_at DESC, id DESC LIMIT `+fmt.Sprint(limit))
	if err != nil {
		return nil, fmt.Errorf("store: list result imports: %w", err)
	}
	return out, nil
}

// ListResultImportsStalled returns the imports in one of states that no
// transaction has touched since before.
func (s *Store) ListResultImportsStalled(ctx context.Context, states []string, before time.Time) ([]*portal.ResultImport, error) {
	args := []any{before.UTC()}
	for _, st := range states {
		args = append(args, st)
	}
	var out []*portal.ResultImport
	err := s.sel(ctx, &out, `SELECT `+resultImportColumns+` FROM result_imports WHERE updated_at < ? AND state IN (`+
		placeholders(len(states))+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list stalled result imports: %w", err)
	}
	return out, nil
}

// ResultImportRow is one staged row: the row as parsed (JSON) and its
// problems (JSON, empty when it has none).
type ResultImportRow struct {
	RowNumber int
	Data      string
	Problem   string
}

// importRowsPerStatement keeps a multi-row insert well under both
// engines' limits on bound parameters.
const importRowsPerStatement = 250

// InsertResultImportRows stages rows of an import.
func (tx *Tx) InsertResultImportRows(ctx context.Context, importID int64, rows []ResultImportRow) error {
	for len(rows) > 0 {
		n := min(len(rows), importRowsPerStatement)
		var b strings.Builder
		args := make([]any, 0, 4*n)
		b.WriteString(`INSERT INTO result_import_rows (import_id, row_number, data, problem) VALUES `)
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?)")
			args = append(args, importID, r.RowNumber, r.Data, r.Problem)
		}
		if _, err := tx.exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("store: insert result import rows: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// ListResultImportRows returns up to limit staged rows of an import after
// row number after, in order; problemsOnly keeps those with a problem.
func (s *Store) ListResultImportRows(ctx context.Context, importID int64, after, limit int, problemsOnly bool) ([]ResultImportRow, error) {
	return listResultImportRows(ctx, s, importID, after, limit, problemsOnly)
}

// ListResultImportRows is Store.ListResultImportRows inside the
// transaction.
func (tx *Tx) ListResultImportRows(ctx context.Context, importID int64, after, limit int, problemsOnly bool) ([]ResultImportRow, error) {
	return listResultImportRows(ctx, tx, importID, after, limit, problemsOnly)
}

func listResultImportRows(ctx context.Context, r reader, importID int64, after, limit int, problemsOnly bool) ([]ResultImportRow, error) {
	q := `SELECT row_number, data, problem FROM result_import_rows WHERE import_id = ? AND row_number > ?`
	if problemsOnly {
		q += ` AND problem <> ''`
	}
	var out []ResultImportRow
	if err := r.sel(ctx, &out, q+` ORDER BY row_number LIMIT `+fmt.Sprint(limit), importID, after); err != nil {
		return nil, fmt.Errorf("store: list result import rows: %w", err)
	}
	return out, nil
}

// SetResultImportProblems writes the problems of staged rows (row number →
// problem JSON, empty for none).
func (tx *Tx) SetResultImportProblems(ctx context.Context, importID int64, problems map[int]string) error {
	for row, p := range problems {
		if _, err := tx.exec(ctx, `UPDATE result_import_rows SET problem = ? WHERE import_id = ? AND row_number = ?`,
			p, importID, row); err != nil {
			return fmt.Errorf("store: set result import problem: %w", err)
		}
	}
	return nil
}

// ClearResultImportProblems empties the problems of an import's rows from
// row number from on, before they are checked again.
func (tx *Tx) ClearResultImportProblems(ctx context.Context, importID int64, from int) error {
	if _, err := tx.exec(ctx, `UPDATE result_import_rows SET problem = '' WHERE import_id = ? AND row_number >= ? AND problem <> ''`,
		importID, from); err != nil {
		return fmt.Errorf("store: clear result import problems: %w", err)
	}
	return nil
}

// CountResultImportProblems counts the rows of an import with a problem.
func (tx *Tx) CountResultImportProblems(ctx context.Context, importID int64) (int, error) {
	var n int
	if err := tx.get(ctx, &n, `SELECT COUNT(*) FROM result_import_rows WHERE import_id = ? AND problem <> ''`, importID); err != nil {
		return 0, fmt.Errorf("store: count result import problems: %w", err)
	}
	return n, nil
}

// DeleteResultImportRows removes the staged rows of an import from row
// number from on.
func (tx *Tx) DeleteResultImportRows(ctx context.Context, importID int64, from int) error {
	if _, err := tx.exec(ctx, `DELETE FROM result_import_rows WHERE import_id = ? AND row_number >= ?`, importID, from); err != nil {
		return fmt.Errorf("store: delete result import rows: %w", err)
	}
	return nil
}

// FindAttemptByDelivery returns an attempt of the booking (when bookingID
// is not nil) or of the candidate at the exam delivered at the instant, or
// portal.ErrNotFound.
func (tx *Tx) FindAttemptByDelivery(ctx context.Context, userID, examID int64, takenAt time.Time, bookingID *int64) (*portal.Attempt, error) {
	var out portal.Attempt
	err := tx.get(ctx, &out, `SELECT `+attemptColumns+` FROM exam_attempts
		WHERE (booking_id = ?) OR (user_id = ? AND exam_id = ? AND taken_at = ?) ORDER BY id LIMIT 1`,
		bookingID, userID, examID, takenAt.UTC())
	if err != nil {
		return nil, fmt.Errorf("store: find attempt by delivery: %w", err)
	}
	return decodeAttempt(&out)
}

// ListAttemptsByUsers returns every attempt of the given users, oldest id
// first: one read for a batch of rows whose duplicates are then found in
// memory (a results import), as FindAttemptByDelivery would find them.
func (tx *Tx) ListAttemptsByUsers(ctx context.Context, userIDs []int64) ([]*portal.Attempt, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	// Padded with the last id to a multiple of 250, so a few query texts
	// (and prepared statements) serve every batch.
	n := (len(userIDs) + 249) / 250 * 250
	args := make([]any, n)
	for i := range n {
		args[i] = userIDs[min(i, len(userIDs)-1)]
	}
	var out []*portal.Attempt
	if err := tx.sel(ctx, &out, `SELECT `+attemptColumns+` FROM exam_attempts WHERE user_id IN (`+placeholders(n)+`) ORDER BY id`, args...); err != nil {
		return nil, fmt.Errorf("store: list attempts by users: %w", err)
	}
	for _, a := range out {
		if _, err := decodeAttempt(a); err != nil {
			return nil, err
		}
	}
	return out, nil
}

const parkedResultColumns = `id, import_id, row_number, email, data, attempt_id, created_at, attached_at`

// InsertParkedResult keeps an imported row for an email no account has.
func (tx *Tx) InsertParkedResult(ctx context.Context, p portal.ParkedResult) (*portal.ParkedResult, error) {
	var out portal.ParkedResult
	err := tx.get(ctx, &out, `INSERT INTO parked_results (import_id, row_number, email, data, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING `+parkedResultColumns, p.ImportID, p.RowNumber, p.Email, p.Data, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: insert parked result: %w", err)
	}
	return &out, nil
}

// ListParkedResults returns the parked rows of an import (all imports
// when importID is 0), waiting ones first.
func (s *Store) ListParkedResults(ctx context.Context, importID int64, limit int) ([]*portal.ParkedResult, error) {
	q, args := `SELECT `+parkedResultColumns+` FROM parked_results`, []any{}
	if importID != 0 {
		q, args = q+` WHERE import_id = ?`, append(args, importID)
	}
	var out []*portal.ParkedResult
	if err := s.sel(ctx, &out, q+` ORDER BY attempt_id IS NOT NULL, id LIMIT `+fmt.Sprint(limit), args...); err != nil {
		return nil, fmt.Errorf("store: list parked results: %w", err)
	}
	return out, nil
}

// CountParkedResults counts the parked rows of an import.
func (s *Store) CountParkedResults(ctx context.Context, importID int64) (int, error) {
	var n int
	if err := s.get(ctx, &n, `SELECT COUNT(*) FROM parked_results WHERE import_id = ?`, importID); err != nil {
		return 0, fmt.Errorf("store: count parked results: %w", err)
	}
	return n, nil
}

// ListParkedResultsClaimable returns up to limit waiting parked rows whose
// email an account with a verified address now has.
func (s *Store) ListParkedResultsClaimable(ctx context.Context, limit int) ([]*portal.ParkedResult, error) {
	var out []*portal.ParkedResult
	err := s.sel(ctx, &out, `SELECT `+qualify("p", parkedResultColumns)+` FROM parked_results p
		JOIN users u ON u.email = p.email AND u.email_verified_at IS NOT NULL
		WHERE p.attempt_id IS NULL ORDER BY p.id LIMIT `+fmt.Sprint(limit))
	if err != nil {
		return nil, fmt.Errorf("store: list claimable parked results: %w", err)
	}
	return out, nil
}

// LockParkedResult returns a parked row and, on PostgreSQL, locks it until
// the transaction ends, or portal.ErrNotFound.
func (tx *Tx) LockParkedResult(ctx context.Context, id int64) (*portal.ParkedResult, error) {
	var out portal.ParkedResult
	if err := tx.get(ctx, &out, `SELECT `+parkedResultColumns+` FROM parked_results WHERE id = ?`+tx.forUpdate("parked_results"), id); err != nil {
		return nil, fmt.Errorf("store: lock parked result %d: %w", id, err)
	}
	return &out, nil
}

// AttachParkedResult links a waiting parked row to the attempt it became;
// portal.ErrNotFound when it is attached already.
func (tx *Tx) AttachParkedResult(ctx context.Context, id, attemptID int64) error {
	err := affected(tx.exec(ctx, `UPDATE parked_results SET attempt_id = ?, attached_at = ? WHERE id = ? AND attempt_id IS NULL`,
		attemptID, tx.now, id))
	if err != nil {
		return fmt.Errorf("store: attach parked result %d: %w", id, err)
	}
	return nil
}
