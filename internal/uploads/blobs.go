package uploads

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// BlobStore keeps the bytes of uploads under server-made keys. Storing is
// two steps around the transaction that inserts the upload row: Prepare
// before it begins (a file store writes and syncs the file there, so the
// single SQLite writer is not held during the disk work), Put inside it
// (a database store inserts the bytes there); either way the bytes are
// durable before the row commits. Forget runs inside the transaction
// that deletes the row, Remove after it commits. The rows are the
// authority: a blob that no row names is an orphan, removed by Sweep once
// it is older than the cutoff.
type BlobStore interface {
	// Prepare stores what r holds under key ahead of the transaction, or
	// does nothing when Put does the storing.
	Prepare(ctx context.Context, key string, r io.Reader) error
	// Put stores what r holds under key as part of tx, or does nothing
	// when Prepare did the storing.
	Put(ctx context.Context, tx *store.Tx, key string, r io.Reader) error
	// Open returns the bytes under key, or portal.ErrNotFound.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	// Forget is the part of removing key that belongs in the deleting
	// transaction; Remove the part that follows its commit.
	Forget(ctx context.Context, tx *store.Tx, key string) error
	Remove(ctx context.Context, key string) error
	// Sweep removes blobs older than cutoff that no upload row names,
	// and what an interrupted Put left behind; it returns how many.
	Sweep(ctx context.Context, st *store.Store, cutoff time.Time) (int, error)
}

// NewKey returns a random storage key: 32 hex digits from crypto/rand,
// never derived from anything the user sent.
func NewKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func validKey(key string) bool {
	if len(key) != 32 {
		return false
	}
	_, err := hex.DecodeString(key)
	return err == nil && strings.ToLower(key) == key
}

// tempPrefix starts the name of a file being written; a crash may leave
// one, which Sweep removes.
const tempPrefix = ".tmp-"

// DirBlobs keeps each blob as a file named by its key in one directory
// (SQLite: DATA_DIR/uploads). A file is written under a temporary name,
// synced, renamed to its key and the directory synced, all before the
// row's transaction commits.
type DirBlobs struct {
	Dir string
}

// NewDirBlobs returns the blob store in dir, creating dir (0700).
func NewDirBlobs(dir string) (*DirBlobs, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("uploads: blob directory: %w", err)
	}
	return &DirBlobs{Dir: dir}, nil
}

// Put does nothing: Prepare wrote the file.
func (d *DirBlobs) Put(context.Context, *store.Tx, string, io.Reader) error { return nil }

// Prepare writes r to the file key durably: a temporary file in the
// directory, synced, renamed to the key, the directory synced.
func (d *DirBlobs) Prepare(_ context.Context, key string, r io.Reader) (err error) {
	if !validKey(key) {
		return fmt.Errorf("uploads: invalid blob key %q", key)
	}
	f, err := os.CreateTemp(d.Dir, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("uploads: put blob: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err = io.Copy(f, r); err != nil {
		return fmt.Errorf("uploads: put blob: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("uploads: put blob: sync: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("uploads: put blob: %w", err)
	}
	if err = os.Rename(tmp, filepath.Join(d.Dir, key)); err != nil {
		return fmt.Errorf("uploads: put blob: %w", err)
	}
	return syncDir(d.Dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	df, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("uploads: sync %s: %w", dir, err)
	}
	defer df.Close()
	if err := df.Sync(); err != nil {
		return fmt.Errorf("uploads: sync %s: %w", dir, err)
	}
	return nil
}

// Open opens the file key.
func (d *DirBlobs) Open(_ context.Context, key string) (io.ReadSeekCloser, error) {
	if !validKey(key) {
		return nil, portal.ErrNotFound
	}
	f, err := os.Open(filepath.Join(d.Dir, key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("uploads: blob %s: %w", key, portal.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("uploads: open blob: %w", err)
	}
	return f, nil
}

// Forget does nothing: the file goes after the commit.
func (d *DirBlobs) Forget(context.Context, *store.Tx, string) error { return nil }

// Remove deletes the file key; a missing one is not an error.
func (d *DirBlobs) Remove(_ context.Context, key string) error {
	if !validKey(key) {
		return nil
	}
	if err := os.Remove(filepath.Join(d.Dir, key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("uploads: remove blob: %w", err)
	}
	return nil
}

// Sweep removes temporary files and files no row names, both older than
// cutoff (by modification time), so a Put in flight is never touched.
func (d *DirBlobs) Sweep(ctx context.Context, st *store.Store, cutoff time.Time) (int, error) {
	entries, err := os.ReadDir(d.Dir)
	if err != nil {
		return 0, fmt.Errorf("uploads: sweep blobs: %w", err)
	}
	removed := 0
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(cutoff) {
			continue
		}
		name := e.Name()
		if !strings.HasPrefix(name, tempPrefix) {
			if !validKey(name) {
				continue // not ours
			}
			n, err := st.CountUploadsByBlobKey(ctx, name)
			if err != nil {
				return removed, err
			}
			if n > 0 {
				continue
			}
		}
		if err := os.Remove(filepath.Join(d.Dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("uploads: sweep blobs: %w", err)
		}
		removed++
	}
	return removed, nil
}

// Keys lists the blob keys in the directory (for backups and checks).
func (d *DirBlobs) Keys() ([]string, error) {
	entries, err := os.ReadDir(d.Dir)
	if err != nil {
		return nil, fmt.Errorf("uploads: list blobs: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && validKey(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// DatabaseBlobs keeps blobs in the upload_blobs table (PostgreSQL), in the
// transaction of their row, so every instance serves every file and
// pg_dump holds them.
type DatabaseBlobs struct {
	Store *store.Store
}

// Prepare does nothing: the bytes go in with the row.
func (b DatabaseBlobs) Prepare(context.Context, string, io.Reader) error { return nil }

// Put inserts the bytes (at most the upload limit, read into memory).
func (b DatabaseBlobs) Put(ctx context.Context, tx *store.Tx, key string, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("uploads: put blob: %w", err)
	}
	return tx.PutUploadBlob(ctx, key, data)
}

// Open reads the bytes under key.
func (b DatabaseBlobs) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	data, err := b.Store.GetUploadBlob(ctx, key)
	if err != nil {
		return nil, err
	}
	return nopCloser{bytes.NewReader(data)}, nil
}

// Forget deletes the bytes in the deleting transaction.
func (b DatabaseBlobs) Forget(ctx context.Context, tx *store.Tx, key string) error {
	return tx.DeleteUploadBlob(ctx, key)
}

// Remove does nothing: Forget did it.
func (b DatabaseBlobs) Remove(context.Context, string) error { return nil }

// Sweep deletes rows of bytes no upload names.
func (b DatabaseBlobs) Sweep(ctx context.Context, st *store.Store, cutoff time.Time) (int, error) {
	var n int64
	err := st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.DeleteOrphanUploadBlobs(ctx, cutoff)
		return err
	})
	return int(n), err
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// BlobsFor returns the blob store of st's engine: on SQLite the directory
// "uploads" beside the database file (DATA_DIR/uploads by default), on
// PostgreSQL the upload_blobs table.
func BlobsFor(st *store.Store) (BlobStore, error) {
	if st.Engine() == store.SQLite {
		return NewDirBlobs(BlobDir(st.SQLitePath()))
	}
	return DatabaseBlobs{Store: st}, nil
}

// BlobDir is the blob directory of the SQLite database at dbPath.
func BlobDir(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), "uploads")
}
