package uploads_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/uploads"
)

// TestAcceptRefusesWhatIsNotAPDFJPEGOrPNG pins SECURITY.md IN-01: the
// type is decided from the bytes and checked against the name; HTML, a
// program, SVG, archives, an encrypted PDF and an empty file are refused
// with a 422 whose message names the file, in English and Spanish, and
// leave no row, no blob and no temporary file behind.
func TestAcceptRefusesWhatIsNotAPDFJPEGOrPNG(t *testing.T) {
	html := []byte("<!DOCTYPE html><html><script>alert(document.cookie)</script></html>")
	svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>`)
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, file string
		content    []byte
		message    string
		en, es     string // in the rendered message
	}{
		{"HTML renamed .pdf", "cv.pdf", html, "upload.type_unsupported", "“cv.pdf” is not really a PDF file", "«cv.pdf» no es realmente un archivo PDF"},
		{"ELF renamed .pdf", "tool.pdf", elf, "upload.type_unsupported", "“tool.pdf” is not really a PDF file", "«tool.pdf»"},
		{"SVG renamed .png", "badge.png", svg, "upload.type_unsupported", "“badge.png” is not really a PNG file", "archivo PNG"},
		{"zip renamed .pdf", "bundle.pdf", zipFile, "upload.type_unsupported", "“bundle.pdf” is not really a PDF", "«bundle.pdf»"},
		{"zip as .zip", "bundle.zip", zipFile, "upload.extension_unsupported", "“bundle.zip” cannot be uploaded", "No se puede subir «bundle.zip»"},
		{"SVG as .svg", "logo.svg", svg, "upload.extension_unsupported", "“logo.svg” cannot be uploaded", "«logo.svg»"},
		{"no ending", "scan", testdbPDF(), "upload.extension_unsupported", "“scan” cannot be uploaded", "«scan»"},
		{"JPEG named .pdf", "photo.pdf", jpg.Bytes(), "upload.type_mismatch", "“photo.pdf” is a JPEG file but its name ends in .pdf", "«photo.pdf» es un archivo JPEG"},
		{"encrypted PDF", "locked.pdf", encryptedPDF, "upload.pdf_encrypted", "“locked.pdf” is a password-protected PDF", "«locked.pdf» es un PDF protegido"},
		{"zero bytes", "empty.pdf", nil, "upload.empty", "“empty.pdf” is empty", "«empty.pdf» está vacío"},
		{"decompression bomb", "big.png", hugePNG(), "upload.image_too_big", "30000 × 30000 pixels", "30000 × 30000 píxeles"},
		{"broken PNG", "broken.png", []byte("\x89PNG\r\n\x1a\nnot really"), "upload.image_unreadable", "“broken.png” could not be read", "«broken.png»"},
		{"only control characters", "\x00\x1b\u202e", testdbPDF(), "upload.name_missing", "The file has no name", "no tiene nombre"},
	}
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, uploads.EICARScanner{}, uploads.Config{})
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.accept(t, c.file, c.content)
				if err == nil {
					t.Fatal("accepted")
				}
				if got := portal.HTTPStatus(err); got != http.StatusUnprocessableEntity {
					t.Errorf("status = %d, want 422 (%v)", got, err)
				}
				var pe *portal.Error
				if !errors.As(err, &pe) || pe.Message != c.message {
					t.Fatalf("err = %v, want message %s", err, c.message)
				}
				if got := message(t, "en", err); !strings.Contains(got, c.en) {
					t.Errorf("en = %q, want it to contain %q", got, c.en)
				}
				if got := message(t, "es", err); !strings.Contains(got, c.es) {
					t.Errorf("es = %q, want it to contain %q", got, c.es)
				}
			})
		}
		if n := f.Count(t, `SELECT COUNT(*) FROM uploads`); n != 0 {
			t.Errorf("%d upload rows after refusals", n)
		}
		if n := f.blobCount(t); n != 0 {
			t.Errorf("%d blobs after refusals", n)
		}
		if n := f.tempCount(t); n != 0 {
			t.Errorf("%d temporary files after refusals", n)
		}
	})
}

func testdbPDF() []byte { return pdfWith("") }

// endlessPDF is a stream that starts like a PDF and never ends, counting
// what was read from it.
type endlessPDF struct {
	read  int64
	limit int64
}

func (e *endlessPDF) Read(p []byte) (int, error) {
	if e.read >= e.limit {
		return 0, io.EOF
	}
	n := len(p)
	if int64(n) > e.limit-e.read {
		n = int(e.limit - e.read)
	}
	for i := range p[:n] {
		p[i] = ' '
	}
	if e.read == 0 {
		copy(p, "%PDF-1.7\n")
	}
	e.read += int64(n)
	return n, nil
}

// TestOversizedUploadIsRefusedWhileStreaming pins SECURITY.md IN-01: a
// 50 MB stream against the 10 MB default is cut off just past the limit
// (never read to its end, never held in memory) and refused with a 413
// that names the file and the limit; nothing is stored.
func TestOversizedUploadIsRefusedWhileStreaming(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, uploads.EICARScanner{}, uploads.Config{})
		body := &endlessPDF{limit: 50 << 20}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := f.svc.Accept(f.ctx, f.owner.UserID, portal.UploadCEEvidence, "huge.pdf", body)
		runtime.ReadMemStats(&after)
		if got := portal.HTTPStatus(err); got != http.StatusRequestEntityTooLarge {
			t.Fatalf("status = %d (%v), want 413", got, err)
		}
		if body.read > uploads.DefaultMaxBytes+64<<10 {
			t.Errorf("read %d bytes of the stream, want it cut off just past %d", body.read, uploads.DefaultMaxBytes)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
			t.Errorf("allocated %d bytes while streaming 10 MB: the file was buffered", alloc)
		}
		if got, want := message(t, "en", err), "“huge.pdf” is larger than 10 MB, the most a file may be."; got != want {
			t.Errorf("en = %q, want %q", got, want)
		}
		if got := message(t, "es", err); !strings.Contains(got, "supera 10 MB") {
			t.Errorf("es = %q", got)
		}
		if f.Count(t, `SELECT COUNT(*) FROM uploads`) != 0 || f.blobCount(t) != 0 || f.tempCount(t) != 0 {
			t.Error("something was stored")
		}
		// Exactly the limit is accepted; the limit is configurable.
		small := newFixture(t, engine, nil, uploads.Config{MaxBytes: 2048})
		if _, err := small.svc.Accept(f.ctx, small.owner.UserID, portal.UploadCEEvidence, "a.pdf", &endlessPDF{limit: 2048}); err != nil {
			t.Errorf("a file of exactly the limit: %v", err)
		}
		if _, err := small.svc.Accept(f.ctx, small.owner.UserID, portal.UploadCEEvidence, "a.pdf", &endlessPDF{limit: 2049}); portal.HTTPStatus(err) != http.StatusRequestEntityTooLarge {
			t.Errorf("a byte over the limit: %v", err)
		}
	})
}

// TestCleanPDFAndImagesAreAccepted: a PDF is stored byte for byte; PNG
// and JPEG files are re-encoded, which drops their text chunks and EXIF
// while keeping the picture; the row records the type from the content,
// the size and hash of the stored bytes, a random key, and the file
// waits for its scan job, queued with it.
func TestCleanPDFAndImagesAreAccepted(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, uploads.EICARScanner{}, uploads.Config{})
		pdf := testdbPDF()
		u := f.mustAccept(t, "Certificate of completion.PDF", pdf)
		if u.ContentType != "application/pdf" || u.ScanStatus != portal.ScanPending || u.AttachedAt != nil ||
			u.DisplayName != "Certificate of completion.PDF" || u.SizeBytes != int64(len(pdf)) || u.OwnerID != f.owner.UserID {
			t.Errorf("upload = %+v", u)
		}
		if got := f.stored(t, u); !bytes.Equal(got, pdf) {
			t.Error("the stored PDF differs from the upload")
		}
		sum := sha256.Sum256(pdf)
		if u.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("sha256 = %s", u.SHA256)
		}
		if len(u.BlobKey) != 32 || strings.Contains(u.BlobKey, "Certificate") {
			t.Errorf("blob key %q is not a random key", u.BlobKey)
		}
		if n := len(f.scanJobs(t)); n != 1 {
			t.Errorf("%d scan jobs queued, want 1", n)
		}

		for _, c := range []struct {
			name, ct string
			content  []byte
			secret   string
		}{
			{"photo.png", "image/png", pngWithMetadata(t), "GPS 48.8584"},
			{"photo.jpeg", "image/jpeg", jpegWithExif(t), "SECRET-EXIF"},
			{"photo.jpg", "image/jpeg", jpegWithExif(t), "Exif"},
		} {
			if !bytes.Contains(c.content, []byte(c.secret)) {
				t.Fatalf("%s: the test file lacks its metadata", c.name)
			}
			u := f.mustAccept(t, c.name, c.content)
			got := f.stored(t, u)
			if u.ContentType != c.ct {
				t.Errorf("%s: type %s", c.name, u.ContentType)
			}
			if bytes.Contains(got, []byte(c.secret)) || bytes.Contains(got, []byte("tEXt")) || bytes.Contains(got, []byte("eXIf")) {
				t.Errorf("%s: metadata kept", c.name)
			}
			sum := sha256.Sum256(got)
			if u.SHA256 != hex.EncodeToString(sum[:]) || u.SizeBytes != int64(len(got)) {
				t.Errorf("%s: hash and size are not those of the stored bytes", c.name)
			}
			var w, h int
			if c.ct == "image/png" {
				img, err := png.Decode(bytes.NewReader(got))
				if err != nil {
					t.Fatalf("%s: stored PNG does not decode: %v", c.name, err)
				}
				w, h = img.Bounds().Dx(), img.Bounds().Dy()
				if r, g, b, _ := img.At(3, 2).RGBA(); r>>8 != 48 || g>>8 != 64 || b>>8 != 90 {
					t.Errorf("%s: pixel changed", c.name)
				}
			} else {
				img, err := jpeg.Decode(bytes.NewReader(got))
				if err != nil {
					t.Fatalf("%s: stored JPEG does not decode: %v", c.name, err)
				}
				w, h = img.Bounds().Dx(), img.Bounds().Dy()
			}
			if w != 16 || h != 8 {
				t.Errorf("%s: %d×%d, want 16×8", c.name, w, h)
			}
		}
		if n := f.tempCount(t); n != 0 {
			t.Errorf("%d temporary files left", n)
		}
	})
}

// TestFileNamesAreTextAndKeysAreRandom pins SECURITY.md IN-02: a name
// with path parts, control and bidi characters is kept only as cleaned
// display text; the bytes go under a random key inside the blob store and
// nowhere else.
func TestFileNamesAreTextAndKeysAreRandom(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, uploads.EICARScanner{}, uploads.Config{})
		for _, c := range []struct{ raw, want string }{
			{"../../../etc/passwd.pdf", "passwd.pdf"},
			{`..\..\windows\system32\x.pdf`, "x.pdf"},
			{"a\"\r\nX: y.pdf", "a\"X: y.pdf"},
			{"invoice\u202eexe.pdf", "invoiceexe.pdf"},
			{".hidden.pdf", "hidden.pdf"},
			{"résumé ✓.pdf", "résumé ✓.pdf"},
			{strings.Repeat("long ", 100) + ".pdf", strings.TrimRight(strings.Repeat("long ", 100)[:uploads.MaxNameRunes-4], " ") + ".pdf"},
		} {
			u := f.mustAccept(t, c.raw, testdbPDF())
			if u.DisplayName != c.want {
				t.Errorf("%q: display name %q, want %q", c.raw, u.DisplayName, c.want)
			}
			if strings.ContainsAny(u.BlobKey, `./\`) || len(u.BlobKey) != 32 {
				t.Errorf("%q: key %q", c.raw, u.BlobKey)
			}
		}
		if d, ok := f.blobs.(*uploads.DirBlobs); ok {
			// Everything written is a key-named file in the blob directory.
			var files []string
			err := filepath.WalkDir(filepath.Dir(d.Dir), func(p string, e os.DirEntry, err error) error {
				if err == nil && !e.IsDir() && !strings.HasPrefix(e.Name(), "certportal.db") && !strings.HasSuffix(e.Name(), ".lock") {
					files = append(files, p)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range files {
				if filepath.Dir(p) != d.Dir || len(filepath.Base(p)) != 32 {
					t.Errorf("file %s outside the blob store", p)
				}
			}
		}
	})
}

// TestEICARIsQuarantinedAndNeverOpened pins SECURITY.md IN-04: the scan
// job finds the EICAR test file, the upload becomes quarantined with the
// finding for staff, it opens for nobody (403) and cannot be attached,
// and the uploader's notice is neutral.
func TestEICARIsQuarantinedAndNeverOpened(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, uploads.EICARScanner{}, uploads.Config{})
		bad := f.mustAccept(t, "evidence.pdf", pdfWith("% "+eicarString))
		good := f.mustAccept(t, "clean.pdf", testdbPDF())
		if err := f.runScanJobs(t); err != nil {
			t.Fatal(err)
		}
		bad, good = f.reload(t, bad), f.reload(t, good)
		if bad.ScanStatus != portal.ScanQuarantined || bad.ScanDetail != "Eicar-Test-Signature" || bad.ScannedAt == nil {
			t.Errorf("infected upload = %+v", bad)
		}
		if good.ScanStatus != portal.ScanClean || good.ScanDetail != "" {
			t.Errorf("clean upload = %+v", good)
		}
		for _, a := range []uploads.Access{{}, {Staff: true}, {Staff: true, AcknowledgeUnscanned: true}} {
			_, r, err := f.svc.Open(f.ctx, bad.ID, a)
			if !errors.Is(err, uploads.ErrQuarantined) || portal.HTTPStatus(err) != http.StatusForbidden {
				t.Errorf("open quarantined as %+v: %v, want 403 quarantined", a, err)
			}
			if r != nil {
				r.Close()
			}
		}
		// A second run of the job changes nothing.
		if err := f.svc.HandleScanJob(f.ctx, []byte(`{"upload_id":`+itoa(bad.ID)+`}`)); err != nil {
			t.Fatal(err)
		}
		if got := f.reload(t, bad); got.ScanStatus != portal.ScanQuarantined || !got.ScannedAt.Equal(*bad.ScannedAt) {
			t.Errorf("after a second scan: %+v", got)
		}
		if err := f.Store.Transact(f.ctx, func(tx *storeTx) error {
			return uploads.Attach(f.ctx, tx, f.owner.UserID, portal.UploadCEEvidence, bad.ID)
		}); !errors.Is(err, uploads.ErrQuarantined) {
			t.Errorf("attach quarantined: %v", err)
		}
		// The uploader hears neutrally; staff see the finding.
		for lang, want := range map[string]string{"en": "This file could not be accepted. Upload another copy.",
			"es": "No se pudo aceptar este archivo. Suba otra copia."} {
			got := catalog.Localizer(lang).T(uploads.OwnerNotice(bad), nil)
			if got != want || strings.Contains(strings.ToLower(got), "eicar") {
				t.Errorf("%s owner notice = %q, want %q", lang, got, want)
			}
		}
		id, data := uploads.StaffNotice(bad)
		if got := catalog.Localizer("en").T(id, data); !strings.Contains(got, "Eicar-Test-Signature") {
			t.Errorf("staff notice = %q", got)
		}
	})
}

// TestStaffOpenRulesFollowTheScanState: pending files never open for
// staff (409) though their owner may fetch them back; clean ones do;
// without a scanner files are unscanned and open for staff only with the
// acknowledgement; quarantined ones for nobody.
func TestStaffOpenRulesFollowTheScanState(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, uploads.EICARScanner{}, uploads.Config{})
		pending := f.mustAccept(t, "a.pdf", testdbPDF())
		staff, owner, acked := uploads.Access{Staff: true}, uploads.Access{}, uploads.Access{Staff: true, AcknowledgeUnscanned: true}
		open := func(id int64, a uploads.Access) error {
			u, r, err := f.svc.Open(f.ctx, id, a)
			if err != nil {
				return err
			}
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil || int64(len(b)) != u.SizeBytes {
				t.Errorf("read %d bytes, %v", len(b), err)
			}
			return nil
		}
		if err := open(pending.ID, staff); !errors.Is(err, uploads.ErrScanPending) || portal.HTTPStatus(err) != http.StatusConflict {
			t.Errorf("staff open pending: %v", err)
		}
		if err := open(pending.ID, acked); !errors.Is(err, uploads.ErrScanPending) {
			t.Errorf("staff open pending with acknowledgement: %v", err)
		}
		if err := open(pending.ID, owner); err != nil {
			t.Errorf("owner open pending: %v", err)
		}
		if err := f.runScanJobs(t); err != nil {
			t.Fatal(err)
		}
		if err := open(pending.ID, staff); err != nil {
			t.Errorf("staff open clean: %v", err)
		}

		none := newFixture(t, engine, nil, uploads.Config{})
		u := none.mustAccept(t, "b.pdf", testdbPDF())
		if u.ScanStatus != portal.ScanUnscanned || len(none.scanJobs(t)) != 0 {
			t.Errorf("without a scanner: %+v, %d jobs", u, len(none.scanJobs(t)))
		}
		open = func(id int64, a uploads.Access) error {
			_, r, err := none.svc.Open(none.ctx, id, a)
			if r != nil {
				r.Close()
			}
			return err
		}
		if err := open(u.ID, staff); !errors.Is(err, uploads.ErrUnscannedWarning) || portal.HTTPStatus(err) != http.StatusConflict {
			t.Errorf("staff open unscanned: %v", err)
		}
		if err := open(u.ID, acked); err != nil {
			t.Errorf("staff open unscanned with acknowledgement: %v", err)
		}
		if err := open(u.ID, owner); err != nil {
			t.Errorf("owner open unscanned: %v", err)
		}
		for _, err := range []error{uploads.ErrScanPending, uploads.ErrUnscannedWarning, uploads.ErrQuarantined} {
			for _, lang := range []string{"en", "es"} {
				if got := message(t, lang, err); got == "" || strings.HasPrefix(got, "upload.") {
					t.Errorf("%s: %v has no message", lang, err)
				}
			}
		}
		if _, _, err := f.svc.Open(f.ctx, 999999, owner); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("open a missing upload: %v", err)
		}
	})
}

// TestScannerOutageLeavesFilesPending: while the scanner fails the job
// fails (to be retried) and the file stays pending; the scan sweep
// catches up once the scanner answers, and scans files stored unscanned.
func TestScannerOutageLeavesFilesPending(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		sc := &flakyScanner{down: true}
		f := newFixture(t, engine, sc, uploads.Config{})
		u := f.mustAccept(t, "a.pdf", testdbPDF())
		if err := f.runScanJobs(t); err == nil {
			t.Fatal("the scan job succeeded with the scanner down")
		}
		if got := f.reload(t, u); got.ScanStatus != portal.ScanPending {
			t.Fatalf("status %s, want pending", got.ScanStatus)
		}
		sc.down = false
		if n, err := f.svc.SweepScans(f.ctx); err != nil || n != 0 {
			t.Errorf("sweep of a fresh file: %d, %v (the job has it)", n, err)
		}
		f.Clock.Advance(2 * time.Hour)
		if n, err := f.svc.SweepScans(f.ctx); err != nil || n != 1 {
			t.Errorf("sweep: %d, %v", n, err)
		}
		if got := f.reload(t, u); got.ScanStatus != portal.ScanClean {
			t.Errorf("status %s, want clean", got.ScanStatus)
		}
	})
}

type flakyScanner struct{ down bool }

func (s *flakyScanner) Scan(ctx contextContext, r io.ReadSeeker) (uploads.Verdict, error) {
	if s.down {
		return uploads.Verdict{}, errors.New("connection refused")
	}
	return uploads.EICARScanner{}.Scan(ctx, r)
}

// TestUploadRateLimit: an owner may upload RateLimit files an hour (60
// by default); the next is refused with 429, Retry-After and a message
// in English and Spanish; others are not affected; the next hour opens
// again.
func TestUploadRateLimit(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, uploads.EICARScanner{}, uploads.Config{RateLimit: 3})
		f.Clock.Set(f.Clock.Now().Truncate(time.Hour).Add(10 * time.Minute))
		for range 3 {
			f.mustAccept(t, "a.pdf", testdbPDF())
		}
		_, err := f.accept(t, "a.pdf", testdbPDF())
		if portal.HTTPStatus(err) != http.StatusTooManyRequests || portal.RetryAfter(err) != 50*60+1 {
			t.Fatalf("fourth upload: %v (status %d, retry %d)", err, portal.HTTPStatus(err), portal.RetryAfter(err))
		}
		if got, want := message(t, "en", err), "You have uploaded 3 files in the last hour, the most allowed. Try again later."; got != want {
			t.Errorf("en = %q, want %q", got, want)
		}
		if got := message(t, "es", err); !strings.Contains(got, "Ha subido 3 archivos") {
			t.Errorf("es = %q", got)
		}
		if n := f.Count(t, `SELECT COUNT(*) FROM uploads`); n != 3 {
			t.Errorf("%d rows, want 3", n)
		}
		if n := f.blobCount(t); n != 3 {
			t.Errorf("%d blobs, want 3 (the refused one removed)", n)
		}
		other := f.Candidate(t)
		if _, err := f.svc.Accept(f.ctx, other.UserID, portal.UploadCEEvidence, "a.pdf", bytes.NewReader(testdbPDF())); err != nil {
			t.Errorf("another owner: %v", err)
		}
		f.Clock.Advance(time.Hour)
		f.mustAccept(t, "a.pdf", testdbPDF())
		if uploads.DefaultRateLimit != 60 {
			t.Errorf("default rate limit %d, documented as 60", uploads.DefaultRateLimit)
		}
	})
}

// TestOrphanSweep pins the sweep half of SECURITY.md CRASH-04: blobs no
// row names and temporary files are removed once older than an hour
// (never younger, so an upload in flight survives); uploads attached to
// nothing go with their blob a week after upload; attached ones stay.
func TestOrphanSweep(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, uploads.EICARScanner{}, uploads.Config{})
		attached := f.Upload(t, uploadSpec(f.owner, true))
		loose := f.Upload(t, uploadSpec(f.owner, false))
		oldOrphan := uploads.NewKey()
		f.putBlob(t, oldOrphan)
		oldTemp := filepath.Join(f.temp, ".tmp-old")
		if err := os.WriteFile(oldTemp, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		f.Clock.Advance(2 * time.Hour)
		youngOrphan := uploads.NewKey()
		f.putBlob(t, youngOrphan)
		youngTemp := filepath.Join(f.temp, ".tmp-young")
		if err := os.WriteFile(youngTemp, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		f.touch(t, youngTemp)

		if _, err := f.svc.SweepOrphans(f.ctx); err != nil {
			t.Fatal(err)
		}
		f.wantBlob(t, oldOrphan, false)
		f.wantBlob(t, youngOrphan, true)
		f.wantBlob(t, attached.BlobKey, true)
		f.wantBlob(t, loose.BlobKey, true)
		if _, err := os.Stat(oldTemp); !os.IsNotExist(err) {
			t.Error("an old temporary file survived")
		}
		if _, err := os.Stat(youngTemp); err != nil {
			t.Error("a young temporary file was removed")
		}

		f.Clock.Advance(7 * 24 * time.Hour)
		f.touch(t, youngTemp)
		if _, err := f.svc.SweepOrphans(f.ctx); err != nil {
			t.Fatal(err)
		}
		f.wantBlob(t, loose.BlobKey, false)
		if _, err := f.Store.FindUploadByID(f.ctx, loose.ID); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("the unattached upload's row: %v", err)
		}
		f.wantBlob(t, attached.BlobKey, true)
		if _, err := f.Store.FindUploadByID(f.ctx, attached.ID); err != nil {
			t.Errorf("the attached upload's row: %v", err)
		}
		f.wantBlob(t, youngOrphan, false)
	})
}

// TestAttachTakesOnlyTheOwnersFiles: a service attaches only its owner's
// uploads (another account's is not found), the first attachment's time
// stands, and a detached upload is one the sweep will remove.
func TestAttachTakesOnlyTheOwnersFiles(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, uploads.EICARScanner{}, uploads.Config{})
		u := f.mustAccept(t, "a.pdf", testdbPDF())
		other := f.Candidate(t)
		attach := func(owner int64) error {
			return f.Store.Transact(f.ctx, func(tx *storeTx) error {
				return uploads.Attach(f.ctx, tx, owner, portal.UploadCEEvidence, u.ID)
			})
		}
		if err := attach(other.UserID); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("another account attaches the file: %v", err)
		}
		if got := f.reload(t, u); got.AttachedAt != nil {
			t.Error("attached by another account")
		}
		if err := attach(f.owner.UserID); err != nil {
			t.Fatal(err)
		}
		first := f.reload(t, u).AttachedAt
		if first == nil {
			t.Fatal("not attached")
		}
		f.Clock.Advance(time.Hour)
		if err := attach(f.owner.UserID); err != nil {
			t.Fatal(err)
		}
		if got := f.reload(t, u).AttachedAt; got == nil || !got.Equal(*first) {
			t.Errorf("attached at %v, then %v", first, got)
		}
		if err := f.Store.Transact(f.ctx, func(tx *storeTx) error { return uploads.Detach(f.ctx, tx, u.ID) }); err != nil {
			t.Fatal(err)
		}
		f.Clock.Advance(8 * 24 * time.Hour)
		if _, err := f.svc.SweepOrphans(f.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Store.FindUploadByID(f.ctx, u.ID); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("a detached upload a week on: %v", err)
		}
		f.wantBlob(t, u.BlobKey, false)
	})
}
