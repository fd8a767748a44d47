package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"example.org/certportal/internal/failpoint"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/uploads"
)

// The upload pipeline's failpoints (failpoint.UploadPoints) in the
// portal's crash test: a candidate sends an evidence file to the JSON
// API's upload route and the portal dies with the blob stored but the
// row not committed, or just after the commit. Either way every upload
// row has its whole file; what the death left behind (on SQLite the blob
// file written before the transaction, the staged and spooled copies in
// the data directory's tmp) is an orphan the upload sweep removes once
// it is an hour old, after which every blob has its row and nothing is
// left in tmp.
func init() {
	crashScenarios = append(crashScenarios,
		crashScenario{point: failpoint.UploadBlobStored, step: stepUpload, check: uploadNotRecorded, recovered: uploadsSwept},
		crashScenario{point: failpoint.UploadRowCommitted, step: stepUpload, check: uploadRecorded, recovered: uploadsSwept},
	)
}

// crashEvidence is the file the upload scenarios send.
var crashEvidence = testutil.OnePagePDF("Crash-tested evidence")

var (
	stepUpload = func(w *crashWorld, base string, c *crashCandidate) holdResult {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		part, err := mw.CreateFormFile("file", "evidence.pdf")
		if err == nil {
			_, err = part.Write(crashEvidence)
		}
		if err == nil {
			err = mw.Close()
		}
		if err != nil {
			return holdResult{err: err}
		}
		ctx, cancel := context.WithTimeout(w.ctx, 30*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/uploads", &body)
		if err != nil {
			return holdResult{err: err}
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Idempotency-Key", fmt.Sprintf("crash-upload-%d", time.Now().UnixNano()))
		req.AddCookie(&http.Cookie{Name: "certportal_session", Value: c.token})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return holdResult{err: err}
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return holdResult{status: resp.StatusCode, raw: string(raw)}
	}
	// uploadNotRecorded: the transaction never committed: no row.
	uploadNotRecorded = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		if n := w.count(t, `SELECT COUNT(*) FROM uploads WHERE owner_id = ?`, c.actor.UserID); n != 0 {
			t.Fatalf("an upload cut short before its commit left %d rows", n)
		}
		w.everyUploadHasItsBlob(t)
	}
	// uploadRecorded: the row committed with its whole file.
	uploadRecorded = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		if n := w.count(t, `SELECT COUNT(*) FROM uploads WHERE owner_id = ?`, c.actor.UserID); n != 1 {
			t.Fatalf("an upload that died after its commit left %d rows, want 1", n)
		}
		w.everyUploadHasItsBlob(t)
	}
	// uploadsSwept: the sweep an hour later leaves exactly the rows'
	// blobs and no temporary file; the rows keep their files.
	uploadsSwept = func(t *testing.T, w *crashWorld, c *crashCandidate) {
		w.clock.Set(time.Now().UTC().Add(2 * time.Hour))
		defer w.clock.Set(time.Now().UTC())
		if _, err := w.uploads(t).SweepOrphans(w.ctx); err != nil {
			t.Fatalf("upload sweep: %v", err)
		}
		w.everyUploadHasItsBlob(t)
		if rows, blobs := w.count(t, `SELECT COUNT(*) FROM uploads`), w.blobCount(t); rows != blobs {
			t.Errorf("%d upload rows and %d blobs after the sweep", rows, blobs)
		}
		entries, err := os.ReadDir(filepath.Join(w.dir, "tmp"))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, e := range entries {
			t.Errorf("%s left in the data directory's tmp after the sweep", e.Name())
		}
	}
)

// uploads is the portal's upload pipeline over the shared database, on
// the test's clock, as the portal configures it (its blobs and tmp in the
// data directory).
func (w *crashWorld) uploads(t *testing.T) *uploads.Service {
	t.Helper()
	blobs, err := uploads.BlobsFor(w.st)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := uploads.New(w.st, blobs, nil, w.clock, slog.New(slog.DiscardHandler), uploads.Config{TempDir: filepath.Join(w.dir, "tmp")})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// everyUploadHasItsBlob: each upload row's blob exists, whole.
func (w *crashWorld) everyUploadHasItsBlob(t *testing.T) {
	t.Helper()
	blobs, err := uploads.BlobsFor(w.st)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := w.st.ListUploadsByKey(w.ctx, "", 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range rows {
		r, err := blobs.Open(w.ctx, u.BlobKey)
		if err != nil {
			t.Errorf("upload %d has no blob: %v", u.ID, err)
			continue
		}
		h := sha256.New()
		n, err := io.Copy(h, r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != u.SHA256 || n != u.SizeBytes {
			t.Errorf("upload %d: blob of %d bytes hashing to %s, the row says %d bytes, %s", u.ID, n, got, u.SizeBytes, u.SHA256)
		}
	}
}

// blobCount is how many blobs the store holds: files in the blob
// directory on SQLite (temporary ones included: they are orphans too),
// rows of upload_blobs on PostgreSQL.
func (w *crashWorld) blobCount(t *testing.T) int {
	t.Helper()
	if w.st.Engine() == store.SQLite {
		entries, err := os.ReadDir(uploads.BlobDir(w.st.SQLitePath()))
		if os.IsNotExist(err) {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	return w.count(t, `SELECT COUNT(*) FROM upload_blobs`)
}
