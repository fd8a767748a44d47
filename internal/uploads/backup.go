package uploads

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"example.org/certportal/internal/store"
)

// BackupDir is where the blobs of the SQLite backup at dbPath go: beside
// it, named like it with ".uploads" for ".db".
func BackupDir(dbPath string) string {
	return strings.TrimSuffix(dbPath, ".db") + ".uploads"
}

// BackupBlobs completes a SQLite backup: after the database copy at
// backupDB was taken (VACUUM INTO), it copies from liveDir to destDir,
// synced, the blob of every upload row in the copy. The rows are the
// authority: blobs are never changed once written, and removed only after
// their row's deletion committed, so a blob missing now belonged to an
// unattached upload the sweep removed after the copy was taken; its row
// is dropped from the copy too. It returns how many blobs it copied and
// how many rows it dropped.
func BackupBlobs(ctx context.Context, backupDB, liveDir, destDir string) (copied, dropped int, err error) {
	keys, err := store.UploadBlobKeysInFile(ctx, backupDB)
	if err != nil {
		return 0, 0, err
	}
	if err := os.MkdirAll(destDir, 0o700); err != nil {
		return 0, 0, fmt.Errorf("uploads: backup: %w", err)
	}
	for _, key := range keys {
		if !validKey(key) {
			return copied, dropped, fmt.Errorf("uploads: backup: invalid blob key %q", key)
		}
		err := copyFile(filepath.Join(liveDir, key), filepath.Join(destDir, key))
		if errors.Is(err, fs.ErrNotExist) {
			if err := store.DropUploadInFile(ctx, backupDB, key); err != nil {
				return copied, dropped, err
			}
			dropped++
			continue
		}
		if err != nil {
			return copied, dropped, fmt.Errorf("uploads: backup: %w", err)
		}
		copied++
	}
	return copied, dropped, syncDir(destDir)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
