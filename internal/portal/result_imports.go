package portal

import "time"

// Result import states. A file's rows are staged and checked (staging),
// then wait for an officer (checked); applying records every row in one
// transaction and ends applied. A file that was already applied, or whose
// upload broke off, is discarded.
const (
	ImportStaging   = "staging"
	ImportChecked   = "checked"
	ImportApplying  = "applying"
	ImportApplied   = "applied"
	ImportDiscarded = "discarded"
)

// Result import formats.
const (
	ImportCSV  = "csv"
	ImportJSON = "json"
)

// ResultImport is one file of results: its content hash (hex SHA-256),
// its progress and its outcome. RowsBad counts the rows (and the file
// itself, as row 0) with a problem; a file with any cannot be applied.
type ResultImport struct {
	ID          int64
	ContentHash string
	FileName    string
	Format      string
	State       string
	RowsTotal   int
	RowsBad     int
	RowsApplied int
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	AppliedAt   *time.Time
}

// ParkedResult is an imported row whose email matched no account with a
// verified address; it becomes an attempt when one appears.
type ParkedResult struct {
	ID         int64
	ImportID   int64
	RowNumber  int
	Email      string
	Data       string
	AttemptID  *int64
	CreatedAt  time.Time
	AttachedAt *time.Time
}
