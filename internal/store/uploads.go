package store

import (
	"context"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
)

const uploadColumns = `id, owner_id, purpose, display_name, content_type, size_bytes, sha256, blob_key,
	scan_status, scan_detail, scanned_at, attached_at, created_at`

// UploadCreate is a new upload row. Its blob is in place before the row
// commits (the uploads package sees to it).
type UploadCreate struct {
	OwnerID     int64
	Purpose     string
	DisplayName string
	ContentType string
	SizeBytes   int64
	SHA256      string
	BlobKey     string
	ScanStatus  string // portal.ScanPending or portal.ScanUnscanned
}

// CreateUpload inserts an upload row.
func (tx *Tx) CreateUpload(ctx context.Context, u UploadCreate) (*portal.Upload, error) {
	var out portal.Upload
	err := tx.get(ctx, &out, `INSERT INTO uploads (owner_id, purpose, display_name, content_type, size_bytes, sha256,
			blob_key, scan_status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+uploadColumns,
		u.OwnerID, u.Purpose, u.DisplayName, u.ContentType, u.SizeBytes, u.SHA256, u.BlobKey, u.ScanStatus, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: create upload of user %d: %w", u.OwnerID, err)
	}
	return &out, nil
}

// FindUploadByID returns an upload, or portal.ErrNotFound.
func (s *Store) FindUploadByID(ctx context.Context, id int64) (*portal.Upload, error) {
	return findUploadByID(ctx, s, id)
}

// FindUploadByID is Store.FindUploadByID inside the transaction.
func (tx *Tx) FindUploadByID(ctx context.Context, id int64) (*portal.Upload, error) {
	return findUploadByID(ctx, tx, id)
}

func findUploadByID(ctx context.Context, r reader, id int64) (*portal.Upload, error) {
	var out portal.Upload
	if err := r.get(ctx, &out, `SELECT `+uploadColumns+` FROM uploads WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: find upload %d: %w", id, err)
	}
	return &out, nil
}

// CountUploadsByBlobKey returns how many upload rows name a blob key (0
// or 1): the orphan sweep keeps a blob file exactly while one does.
func (s *Store) CountUploadsByBlobKey(ctx context.Context, key string) (int, error) {
	var n int
	if err := s.get(ctx, &n, `SELECT COUNT(*) FROM uploads WHERE blob_key = ?`, key); err != nil {
		return 0, fmt.Errorf("store: count uploads of blob %s: %w", key, err)
	}
	return n, nil
}

// ListUploadsToScan returns up to limit uploads in one of states created
// at or before before, oldest first.
func (s *Store) ListUploadsToScan(ctx context.Context, states []string, before time.Time, limit int) ([]*portal.Upload, error) {
	var out []*portal.Upload
	if len(states) == 0 {
		return nil, nil
	}
	q := `SELECT ` + uploadColumns + ` FROM uploads WHERE scan_status IN (?` + repeatPlaceholder(len(states)-1) + `)
		AND created_at <= ? ORDER BY id LIMIT ?`
	args := make([]any, 0, len(states)+2)
	for _, st := range states {
		args = append(args, st)
	}
	args = append(args, before.UTC(), limit)
	if err := s.sel(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("store: list uploads to scan: %w", err)
	}
	return out, nil
}

func repeatPlaceholder(n int) string {
	out := ""
	for range n {
		out += ", ?"
	}
	return out
}

// SetUploadScanResult records what the scanner said of an upload, only
// while it is still in state from (a second scan of the same file changes
// nothing); it reports whether it did.
func (tx *Tx) SetUploadScanResult(ctx context.Context, id int64, from, to, detail string) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE uploads SET scan_status = ?, scan_detail = ?, scanned_at = ? WHERE id = ? AND scan_status = ?`,
		to, detail, tx.now, id, from)
	if err != nil {
		return false, fmt.Errorf("store: set scan result of upload %d: %w", id, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: set scan result of upload %d: %w", id, err)
	}
	return n == 1, nil
}

// AttachUpload marks an upload of owner and purpose as taken in by its
// service (the first time counts), or returns portal.ErrNotFound when no
// such upload is the owner's for that purpose and out of quarantine.
func (tx *Tx) AttachUpload(ctx context.Context, id, ownerID int64, purpose string) error {
	err := affected(tx.exec(ctx, `UPDATE uploads SET attached_at = COALESCE(attached_at, ?)
		WHERE id = ? AND owner_id = ? AND purpose = ? AND scan_status <> 'quarantined'`, tx.now, id, ownerID, purpose))
	if err != nil {
		return fmt.Errorf("store: attach upload %d: %w", id, err)
	}
	return nil
}

// DetachUpload marks an upload as attached to nothing again, so that the
// orphan sweep removes it in time.
func (tx *Tx) DetachUpload(ctx context.Context, id int64) error {
	if err := affected(tx.exec(ctx, `UPDATE uploads SET attached_at = NULL WHERE id = ?`, id)); err != nil {
		return fmt.Errorf("store: detach upload %d: %w", id, err)
	}
	return nil
}

// ListUnattachedUploads returns up to limit uploads attached to nothing
// and created before cutoff, oldest first.
func (s *Store) ListUnattachedUploads(ctx context.Context, cutoff time.Time, limit int) ([]*portal.Upload, error) {
	var out []*portal.Upload
	if err := s.sel(ctx, &out, `SELECT `+uploadColumns+` FROM uploads WHERE attached_at IS NULL AND created_at < ?
		ORDER BY created_at LIMIT ?`, cutoff.UTC(), limit); err != nil {
		return nil, fmt.Errorf("store: list unattached uploads: %w", err)
	}
	return out, nil
}

// DeleteUnattachedUpload removes an upload row while it is still attached
// to nothing (one attached meanwhile stays); it reports whether it did.
func (tx *Tx) DeleteUnattachedUpload(ctx context.Context, id int64) (bool, error) {
	r, err := tx.exec(ctx, `DELETE FROM uploads WHERE id = ? AND attached_at IS NULL`, id)
	if err != nil {
		return false, fmt.Errorf("store: delete upload %d: %w", id, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: delete upload %d: %w", id, err)
	}
	return n == 1, nil
}

// ListUploadsByKey returns the upload rows whose blob key follows
// after, up to limit, in key order (the restore check walks them).
func (s *Store) ListUploadsByKey(ctx context.Context, after string, limit int) ([]*portal.Upload, error) {
	var out []*portal.Upload
	if err := s.sel(ctx, &out, `SELECT `+uploadColumns+` FROM uploads WHERE blob_key > ? ORDER BY blob_key LIMIT ?`,
		after, limit); err != nil {
		return nil, fmt.Errorf("store: list upload blobs: %w", err)
	}
	return out, nil
}

// PutUploadBlob stores the bytes of an upload in the database
// (PostgreSQL's blob store), in the transaction that inserts its row.
func (tx *Tx) PutUploadBlob(ctx context.Context, key string, data []byte) error {
	if _, err := tx.exec(ctx, `INSERT INTO upload_blobs (blob_key, data, created_at) VALUES (?, ?, ?)
		ON CONFLICT (blob_key) DO UPDATE SET data = excluded.data`, key, data, tx.now); err != nil {
		return fmt.Errorf("store: put blob %s: %w", key, err)
	}
	return nil
}

// GetUploadBlob returns the bytes stored under key, or portal.ErrNotFound.
func (s *Store) GetUploadBlob(ctx context.Context, key string) ([]byte, error) {
	var data []byte
	if err := s.get(ctx, &data, `SELECT data FROM upload_blobs WHERE blob_key = ?`, key); err != nil {
		return nil, fmt.Errorf("store: get blob %s: %w", key, err)
	}
	return data, nil
}

// DeleteUploadBlob removes the bytes stored under key.
func (tx *Tx) DeleteUploadBlob(ctx context.Context, key string) error {
	if _, err := tx.exec(ctx, `DELETE FROM upload_blobs WHERE blob_key = ?`, key); err != nil {
		return fmt.Errorf("store: delete blob %s: %w", key, err)
	}
	return nil
}

// DeleteOrphanUploadBlobs removes stored bytes that no upload row names
// and that were stored before cutoff, and returns how many.
func (tx *Tx) DeleteOrphanUploadBlobs(ctx context.Context, cutoff time.Time) (int64, error) {
	r, err := tx.exec(ctx, `DELETE FROM upload_blobs WHERE created_at < ?
		AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.blob_key = upload_blobs.blob_key)`, cutoff.UTC())
	if err != nil {
		return 0, fmt.Errorf("store: delete orphan blobs: %w", err)
	}
	return r.RowsAffected()
}
