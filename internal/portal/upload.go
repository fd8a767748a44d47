package portal

import "time"

// Purposes of uploads: what a file is for, and so which service owns it.
const (
	UploadCEEvidence = "ce_evidence" // proof attached to a continuing-education submission
)

// Scan states of an upload.
const (
	ScanPending     = "pending"     // waiting for the scanner; nobody on staff may open it
	ScanClean       = "clean"       // the scanner found nothing
	ScanQuarantined = "quarantined" // the scanner found something; never served again
	ScanUnscanned   = "unscanned"   // no scanner was configured; staff open it only after a warning
)

// Upload is a file someone uploaded. Its bytes live in the blob store
// under BlobKey, a random key the server made; DisplayName is only text to
// show. ContentType was decided from the bytes, and SHA256 is the hash of
// the bytes as stored (images re-encoded). ScanDetail is what the scanner
// found, for staff only. AttachedAt is when the owning service took the
// file in; nil while it is attached to nothing.
type Upload struct {
	ID          int64
	OwnerID     int64
	Purpose     string
	DisplayName string
	ContentType string
	SizeBytes   int64
	SHA256      string `db:"sha256"`
	BlobKey     string
	ScanStatus  string
	ScanDetail  string
	ScannedAt   *time.Time
	AttachedAt  *time.Time
	CreatedAt   time.Time
}
