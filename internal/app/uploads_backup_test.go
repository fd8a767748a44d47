package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil/apptest"
	"example.org/certportal/internal/uploads"
)

// TestBackupAndRestoreKeepEveryUpload pins SECURITY.md CRASH-03 for
// uploads on SQLite: `certportal backup` writes the database copy and,
// beside it, the file of every upload row in the copy; restored into a
// fresh data directory (the copy as certportal.db, its .uploads directory
// as uploads), every upload row has its file with the hash the row
// records, and the portal serves on it. (PostgreSQL keeps the bytes in
// the database, so pg_dump holds them.)
func TestBackupAndRestoreKeepEveryUpload(t *testing.T) {
	ctx := context.Background()
	a := apptest.Start(t, store.SQLite)
	st := a.OpenStore(t)
	var owner *portal.User
	err := st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		owner, err = tx.CreateUser(ctx, store.UserCreate{LoginID: "CP00000901", Email: "files@example.org",
			FirstName: "Files", LastName: "Owner", Role: portal.RoleCandidate, Language: "en", Country: "US"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := uploads.BlobsFor(st)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := uploads.New(st, blobs, uploads.EICARScanner{}, a.Clock, nil, uploads.Config{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{} // blob key -> sha256
	for i := range 5 {
		pdf := []byte("%PDF-1.4\n% evidence " + strings.Repeat("x", i*1000) + "\ntrailer << >>\n%%EOF\n")
		u, err := svc.Accept(ctx, owner.ID, portal.UploadCEEvidence, "evidence.pdf", bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		want[u.BlobKey] = u.SHA256
	}

	dest := filepath.Join(t.TempDir(), "copy.db")
	code, out, errOut := apptest.Run(t, map[string]string{"CERTPORTAL_DATA_DIR": a.DataDir}, "backup", "--out", dest)
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "copied 5 uploaded files to "+uploads.BackupDir(dest)) {
		t.Errorf("backup output:\n%s", out)
	}

	// Restore into a fresh data directory.
	fresh := t.TempDir()
	mustCopy(t, dest, filepath.Join(fresh, "certportal.db"))
	if err := os.MkdirAll(filepath.Join(fresh, "uploads"), 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(uploads.BackupDir(dest))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		mustCopy(t, filepath.Join(uploads.BackupDir(dest), e.Name()), filepath.Join(fresh, "uploads", e.Name()))
	}
	restored, err := store.Open(ctx, store.Options{Engine: store.SQLite, SQLitePath: filepath.Join(fresh, "certportal.db"), Shared: true})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	rblobs, err := uploads.BlobsFor(restored)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := restored.ListUploadsByKey(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) {
		t.Fatalf("%d upload rows restored, want %d", len(rows), len(want))
	}
	for _, u := range rows {
		r, err := rblobs.Open(ctx, u.BlobKey)
		if err != nil {
			t.Errorf("upload %d: %v", u.ID, err)
			continue
		}
		h := sha256.New()
		_, err = io.Copy(h, r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != u.SHA256 || got != want[u.BlobKey] {
			t.Errorf("upload %d: restored file hashes to %s, row says %s", u.ID, got, u.SHA256)
		}
	}
	code, out, errOut = apptest.Run(t, map[string]string{"CERTPORTAL_DATA_DIR": fresh}, "migrate")
	if code != 0 {
		t.Fatalf("migrate the restored copy: exit %d\n%s%s", code, out, errOut)
	}
}

func mustCopy(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
