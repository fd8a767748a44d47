package testdb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/uploads"
)

// SamplePDF is a small valid PDF with one empty page.
var SamplePDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
	"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" +
	"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n" +
	"trailer << /Root 1 0 R >>\n%%EOF\n")

// Upload describes an upload to create; zero fields get defaults.
type Upload struct {
	Owner       portal.Actor // required
	Purpose     string       // portal.UploadCEEvidence
	Name        string       // "evidence.pdf"
	ContentType string       // "application/pdf"
	Content     []byte       // SamplePDF
	ScanStatus  string       // portal.ScanClean
	ScanDetail  string
	Attached    bool
}

// Blobs returns the blob store of the database's engine, the one the
// uploads service uses (uploads.BlobsFor).
func (d DB) Blobs(tb testing.TB) uploads.BlobStore {
	tb.Helper()
	b, err := uploads.BlobsFor(d.Store)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// Upload inserts an upload row with its blob in place (as the pipeline
// would leave it, without the checks), in the given scan state.
func (d DB) Upload(tb testing.TB, u Upload) *portal.Upload {
	tb.Helper()
	setDefault(&u.Purpose, portal.UploadCEEvidence)
	setDefault(&u.Name, "evidence.pdf")
	setDefault(&u.ContentType, "application/pdf")
	setDefault(&u.ScanStatus, portal.ScanClean)
	if u.Content == nil {
		u.Content = SamplePDF
	}
	blobs := d.Blobs(tb)
	sum := sha256.Sum256(u.Content)
	key := uploads.NewKey()
	if err := blobs.Prepare(context.Background(), key, bytes.NewReader(u.Content)); err != nil {
		tb.Fatal(err)
	}
	return transact(tb, d, "create upload", func(ctx context.Context, tx *store.Tx) (*portal.Upload, error) {
		if err := blobs.Put(ctx, tx, key, bytes.NewReader(u.Content)); err != nil {
			return nil, err
		}
		out, err := tx.CreateUpload(ctx, store.UploadCreate{OwnerID: u.Owner.UserID, Purpose: u.Purpose,
			DisplayName: u.Name, ContentType: u.ContentType, SizeBytes: int64(len(u.Content)),
			SHA256: hex.EncodeToString(sum[:]), BlobKey: key, ScanStatus: portal.ScanPending})
		if err != nil {
			return nil, err
		}
		if u.ScanStatus != portal.ScanPending {
			if _, err := tx.SetUploadScanResult(ctx, out.ID, portal.ScanPending, u.ScanStatus, u.ScanDetail); err != nil {
				return nil, err
			}
		}
		if u.Attached {
			if err := tx.AttachUpload(ctx, out.ID, u.Owner.UserID, u.Purpose); err != nil {
				return nil, err
			}
		}
		return tx.FindUploadByID(ctx, out.ID)
	})
}
