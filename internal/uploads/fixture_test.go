package uploads_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil/testdb"
	"example.org/certportal/internal/uploads"
)

type fixture struct {
	testdb.DB
	ctx   context.Context
	svc   *uploads.Service
	blobs uploads.BlobStore
	temp  string
	owner portal.Actor
}

// newFixture opens a fresh store on engine with the pipeline over it;
// scanner nil means none is configured.
func newFixture(t *testing.T, engine string, scanner uploads.Scanner, cfg uploads.Config) *fixture {
	t.Helper()
	d := testdb.Open(t, engine, time.Now().UTC().Truncate(time.Second))
	f := &fixture{DB: d, ctx: context.Background(), blobs: d.Blobs(t), temp: t.TempDir()}
	cfg.TempDir = f.temp
	svc, err := uploads.New(d.Store, f.blobs, scanner, d.Clock, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	f.owner = d.Candidate(t)
	return f
}

func (f *fixture) accept(t *testing.T, name string, content []byte) (*portal.Upload, error) {
	t.Helper()
	return f.svc.Accept(f.ctx, f.owner.UserID, portal.UploadCEEvidence, name, bytes.NewReader(content))
}

func (f *fixture) mustAccept(t *testing.T, name string, content []byte) *portal.Upload {
	t.Helper()
	u, err := f.accept(t, name, content)
	if err != nil {
		t.Fatalf("accept %q: %v", name, err)
	}
	return u
}

// stored returns the bytes of u's blob.
func (f *fixture) stored(t *testing.T, u *portal.Upload) []byte {
	t.Helper()
	r, err := f.blobs.Open(f.ctx, u.BlobKey)
	if err != nil {
		t.Fatalf("open blob of upload %d: %v", u.ID, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// blobCount is how many blobs the engine's store holds.
func (f *fixture) blobCount(t *testing.T) int {
	t.Helper()
	if d, ok := f.blobs.(*uploads.DirBlobs); ok {
		entries, err := os.ReadDir(d.Dir)
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	return f.Count(t, `SELECT COUNT(*) FROM upload_blobs`)
}

func (f *fixture) tempCount(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir(f.temp)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func (f *fixture) scanJobs(t *testing.T) []*store.OutboxJob {
	t.Helper()
	list, err := f.Store.ListPendingOutbox(f.ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []*store.OutboxJob
	for _, j := range list {
		if j.Kind == uploads.KindScan {
			out = append(out, j)
		}
	}
	return out
}

// runScanJobs runs every queued scan job as the job runner would.
func (f *fixture) runScanJobs(t *testing.T) error {
	t.Helper()
	var errs []error
	for _, j := range f.scanJobs(t) {
		errs = append(errs, f.svc.HandleScanJob(f.ctx, []byte(j.Args)))
	}
	return errors.Join(errs...)
}

func (f *fixture) reload(t *testing.T, u *portal.Upload) *portal.Upload {
	t.Helper()
	got, err := f.Store.FindUploadByID(f.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

var catalog = func() *i18n.Catalog {
	c, err := i18n.New()
	if err != nil {
		panic(err)
	}
	return c
}()

// message renders err's catalog message in lang.
func message(t *testing.T, lang string, err error) string {
	t.Helper()
	var pe *portal.Error
	if !errors.As(err, &pe) {
		t.Fatalf("%v is not a *portal.Error", err)
	}
	return catalog.Localizer(lang).T(pe.Message, pe.Data)
}

const eicarString = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// pdfWith returns the sample PDF with extra inserted before its trailer.
func pdfWith(extra string) []byte {
	return bytes.Replace(testdb.SamplePDF, []byte("trailer"), []byte(extra+"\ntrailer"), 1)
}

// encryptedPDF names an /Encrypt dictionary in its trailer.
var encryptedPDF = bytes.Replace(testdb.SamplePDF, []byte("trailer << /Root 1 0 R"),
	[]byte("4 0 obj << /Filter /Standard /V 2 /R 3 /O (x) /U (y) /P -4 >> endobj\ntrailer << /Root 1 0 R /Encrypt 4 0 R /ID [<00><00>]"), 1)

func testImage() image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, 16, 8))
	for x := range 16 {
		for y := range 8 {
			img.Set(x, y, color.NRGBA{R: uint8(x * 16), G: uint8(y * 32), B: 90, A: 255})
		}
	}
	return img
}

// pngWithMetadata is a PNG carrying a tEXt and an eXIf chunk after IHDR.
func pngWithMetadata(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage()); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	ihdrEnd := 8 + 4 + 4 + 13 + 4
	var extra []byte
	extra = append(extra, pngChunk("tEXt", []byte("Comment\x00GPS 48.8584 N 2.2945 E"))...)
	extra = append(extra, pngChunk("eXIf", []byte("MM\x00\x2aSECRET-EXIF"))...)
	return append(append(append([]byte{}, b[:ihdrEnd]...), extra...), b[ihdrEnd:]...)
}

func pngChunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// jpegWithExif is a JPEG carrying an APP1 Exif segment.
func jpegWithExif(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	payload := []byte("Exif\x00\x00MM\x00\x2aSECRET-EXIF")
	seg := append([]byte{0xff, 0xe1}, binary.BigEndian.AppendUint16(nil, uint16(len(payload)+2))...)
	seg = append(seg, payload...)
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

// hugePNG is a small file that claims a picture of 30000 × 30000 pixels.
func hugePNG() []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, 30000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 30000)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, pngChunk("IEND", nil)...)
}

// elf is the start of a Linux program.
var elf = append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 120)...)

// zipFile is an empty zip archive.
var zipFile = []byte("PK\x05\x06" + string(make([]byte, 18)))

type (
	storeTx        = store.Tx
	contextContext = context.Context
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func uploadSpec(owner portal.Actor, attached bool) testdb.Upload {
	return testdb.Upload{Owner: owner, Attached: attached, Content: pdfWith("% " + uploads.NewKey())}
}

// putBlob stores a blob that no row names, dated now on the fake clock.
func (f *fixture) putBlob(t *testing.T, key string) {
	t.Helper()
	if err := f.blobs.Prepare(f.ctx, key, bytes.NewReader(testdb.SamplePDF)); err != nil {
		t.Fatal(err)
	}
	err := f.Store.Transact(f.ctx, func(tx *store.Tx) error {
		return f.blobs.Put(f.ctx, tx, key, bytes.NewReader(testdb.SamplePDF))
	})
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := f.blobs.(*uploads.DirBlobs); ok {
		f.touch(t, filepath.Join(d.Dir, key))
	}
}

// touch dates a file now on the fake clock.
func (f *fixture) touch(t *testing.T, path string) {
	t.Helper()
	if err := os.Chtimes(path, f.Clock.Now(), f.Clock.Now()); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) wantBlob(t *testing.T, key string, want bool) {
	t.Helper()
	r, err := f.blobs.Open(f.ctx, key)
	if err == nil {
		r.Close()
	} else if !errors.Is(err, portal.ErrNotFound) {
		t.Fatal(err)
	}
	if got := err == nil; got != want {
		t.Errorf("blob %s exists = %v, want %v", key, got, want)
	}
}
