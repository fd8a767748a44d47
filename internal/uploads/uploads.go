// Package uploads is the one pipeline for files people upload: it
// accepts a stream for an owner and a purpose (checks its type and size,
// strips image metadata, stores the bytes under a random key in the blob
// store and the row in the database), has every file scanned for malware
// by a job queued with the row, serves a file back with safe headers, and
// sweeps away what nothing names. See docs/uploads.md.
//
// Services own the files of their purpose and decide who may open which
// (the actor's permissions, ownership); this package does the mechanics
// and enforces the rules of a file's state, which hold whoever asks: a
// quarantined file is never served, a pending one never to staff, an
// unscanned one to staff only after they acknowledge the warning.
package uploads

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"example.org/certportal/internal/failpoint"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// KindScan is the job that scans one upload.
const KindScan = "uploads.scan"

// Defaults of Config.
const (
	DefaultMaxBytes      = 10 << 20
	DefaultRateLimit     = 60
	DefaultRateWindow    = time.Hour
	DefaultUnattachedFor = 7 * 24 * time.Hour
	DefaultOrphanAge     = time.Hour
)

// Config sets the limits. Zero fields take the defaults.
type Config struct {
	MaxBytes      int64         // largest file accepted, in bytes (10 MiB)
	RateLimit     int           // files one owner may upload per RateWindow (60)
	RateWindow    time.Duration // (an hour)
	UnattachedFor time.Duration // an upload attached to nothing this long is removed (7 days)
	OrphanAge     time.Duration // a blob or temporary file without a row is removed after this (an hour)
	TempDir       string        // where streams are staged before they are checked; os.TempDir() if empty
	ImageWorkers  int           // images decoded at once (each may take up to 4 bytes a pixel); 2
	// Notify is called after a transaction that queued a scan, so the
	// job leaves at once (jobs.Runner.Notify); optional.
	Notify func()
}

func (c *Config) defaults() {
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.RateLimit <= 0 {
		c.RateLimit = DefaultRateLimit
	}
	if c.RateWindow <= 0 {
		c.RateWindow = DefaultRateWindow
	}
	if c.UnattachedFor <= 0 {
		c.UnattachedFor = DefaultUnattachedFor
	}
	if c.OrphanAge <= 0 {
		c.OrphanAge = DefaultOrphanAge
	}
	if c.TempDir == "" {
		c.TempDir = os.TempDir()
	}
	if c.ImageWorkers <= 0 {
		c.ImageWorkers = 2
	}
}

// Service runs the pipeline. Scanner nil means no scanner is configured:
// files are stored as unscanned.
type Service struct {
	st      *store.Store
	blobs   BlobStore
	scanner Scanner
	clock   portal.Clock
	log     *slog.Logger
	cfg     Config
	images  chan struct{} // a slot per image being decoded
}

// New returns the pipeline over st with its blob store and scanner.
func New(st *store.Store, blobs BlobStore, scanner Scanner, clock portal.Clock, log *slog.Logger, cfg Config) (*Service, error) {
	cfg.defaults()
	if err := os.MkdirAll(cfg.TempDir, 0o700); err != nil {
		return nil, fmt.Errorf("uploads: temporary directory: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, blobs: blobs, scanner: scanner, clock: clock, log: log, cfg: cfg,
		images: make(chan struct{}, cfg.ImageWorkers)}, nil
}

// Config returns the limits in force.
func (s *Service) Config() Config { return s.cfg }

// Refusals a caller may test for with errors.Is.
var (
	// ErrQuarantined: the scanner found something; nobody opens the file.
	ErrQuarantined = &portal.Error{Code: portal.EForbidden, Message: "upload.quarantined"}
	// ErrScanPending: staff may not open a file before it is scanned.
	ErrScanPending = &portal.Error{Code: portal.EConflict, Message: "upload.scan_pending"}
	// ErrUnscannedWarning: no scanner looked at the file; staff must
	// acknowledge the warning (Access.AcknowledgeUnscanned) to open it.
	ErrUnscannedWarning = &portal.Error{Code: portal.EConflict, Message: "upload.unscanned_warning"}
	// ErrEmpty: a file of zero bytes.
	ErrEmpty = &portal.Error{Code: portal.EInvalid, Message: "upload.empty"}
)

// tooLarge is a refusal of a file over the limit: 413 by its kind, with a
// message that names the file and the limit.
type tooLarge struct{ err *portal.Error }

func (e *tooLarge) Error() string   { return "upload too large: " + e.err.Error() }
func (e *tooLarge) Unwrap() []error { return []error{portal.ErrTooLarge, e.err} }

// ErrTooLarge returns the refusal of a file over max bytes.
func ErrTooLarge(name string, max int64) error {
	return &tooLarge{&portal.Error{Code: portal.EInvalid, Message: "upload.too_large",
		Data: map[string]any{"Name": name, "Count": int(max >> 20)}}}
}

// Accept reads one file from body for owner and purpose and stores it:
// the display name is sanitised; the stream is staged to a temporary file
// without ever holding more than the limit, and refused once it passes
// it; the type is decided from the content and must agree with the
// name's ending; an encrypted PDF is refused; images are re-encoded. The
// row, the blob (durable before the row commits), the rate-limit count
// and the scan job are one transaction. The returned upload is pending
// (or unscanned without a scanner) and attached to nothing until the
// owning service calls Attach.
func (s *Service) Accept(ctx context.Context, ownerID int64, purpose, name string, body io.Reader) (*portal.Upload, error) {
	if purpose != portal.UploadCEEvidence {
		return nil, fmt.Errorf("uploads: unknown purpose %q", purpose)
	}
	display := SanitizeName(name)
	if display == "" {
		return nil, invalid("upload.name_missing", nil)
	}
	staged, err := s.stage(ctx, display, body)
	if err != nil {
		return nil, err
	}
	defer staged.discard()
	u, err := s.store(ctx, ownerID, purpose, display, staged)
	if err != nil {
		return nil, err
	}
	failpoint.Inject(failpoint.UploadRowCommitted)
	if s.cfg.Notify != nil && u.ScanStatus == portal.ScanPending {
		s.cfg.Notify()
	}
	return u, nil
}

// CreateTemp makes a temporary file in the pipeline's staging directory,
// named as its own staging files are, for a surface that must hold a
// stream before handing it to Accept (to hash it for an idempotency key):
// the orphan sweep removes it OrphanAge after a crash left it behind. The
// caller closes and removes it.
func (s *Service) CreateTemp() (*os.File, error) {
	f, err := os.CreateTemp(s.cfg.TempDir, tempPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("uploads: temporary file: %w", err)
	}
	return f, nil
}

// stagedFile is a checked file on disk, ready to be stored.
type stagedFile struct {
	files       []*os.File // removed by discard
	final       *os.File
	contentType string
	size        int64
	sha256      string
}

func (f *stagedFile) discard() {
	for _, file := range f.files {
		_ = file.Close()
		_ = os.Remove(file.Name())
	}
}

// stage copies body to a temporary file (refusing it past the limit) and
// checks it.
func (s *Service) stage(ctx context.Context, name string, body io.Reader) (_ *stagedFile, err error) {
	f := &stagedFile{}
	defer func() {
		if err != nil {
			f.discard()
		}
	}()
	raw, err := os.CreateTemp(s.cfg.TempDir, tempPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("uploads: stage: %w", err)
	}
	f.files = append(f.files, raw)
	n, err := io.Copy(raw, io.LimitReader(body, s.cfg.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("uploads: stage %s: %w", name, err)
	}
	if n > s.cfg.MaxBytes {
		return nil, ErrTooLarge(name, s.cfg.MaxBytes)
	}
	if n == 0 {
		return nil, &portal.Error{Code: portal.EInvalid, Message: ErrEmpty.Message, Data: map[string]any{"Name": name}}
	}
	head := make([]byte, sniffLen)
	k, err := raw.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("uploads: stage %s: %w", name, err)
	}
	ct, err := CheckFile(name, head[:k])
	if err != nil {
		return nil, err
	}
	f.contentType, f.final = ct, raw
	switch ct {
	case "application/pdf":
		if _, err := raw.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("uploads: stage %s: %w", name, err)
		}
		enc, err := pdfEncrypted(raw)
		if err != nil {
			return nil, fmt.Errorf("uploads: stage %s: %w", name, err)
		}
		if enc {
			return nil, invalid("upload.pdf_encrypted", map[string]any{"Name": name})
		}
	default:
		if _, err := raw.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("uploads: stage %s: %w", name, err)
		}
		clean, err := os.CreateTemp(s.cfg.TempDir, tempPrefix+"*")
		if err != nil {
			return nil, fmt.Errorf("uploads: stage: %w", err)
		}
		f.files = append(f.files, clean)
		// Decoding is bounded in memory by the dimension check and in
		// concurrency by the image slots.
		select {
		case s.images <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		err = reencodeImage(name, ct, raw, clean)
		<-s.images
		if err != nil {
			return nil, err
		}
		f.final = clean
	}
	if _, err := f.final.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("uploads: stage %s: %w", name, err)
	}
	h := sha256.New()
	if f.size, err = io.Copy(h, f.final); err != nil {
		return nil, fmt.Errorf("uploads: stage %s: %w", name, err)
	}
	f.sha256 = hex.EncodeToString(h.Sum(nil))
	return f, nil
}

// enqueueScan writes the scan job of an upload to the job outbox in the
// transaction that inserts the upload, one per upload, as jobs.Enqueue
// does (this package shares the jobs package's rank, so it writes the
// outbox row through the store itself; the runner relays and runs it like
// any other job).
func enqueueScan(ctx context.Context, tx *store.Tx, id int64) error {
	args, err := json.Marshal(scanArgs{UploadID: id})
	if err != nil {
		return fmt.Errorf("uploads: scan job: %w", err)
	}
	if _, err := tx.InsertOutbox(ctx, KindScan, string(args), KindScan+":"+strconv.FormatInt(id, 10)); err != nil {
		return fmt.Errorf("uploads: enqueue scan of upload %d: %w", id, err)
	}
	return nil
}

// rateBucket is the rate-limit counter of an owner's uploads.
func rateBucket(ownerID int64) string { return "upload:" + strconv.FormatInt(ownerID, 10) }

// store writes the blob and the row in one transaction.
func (s *Service) store(ctx context.Context, ownerID int64, purpose, name string, f *stagedFile) (*portal.Upload, error) {
	status := portal.ScanUnscanned
	if s.scanner != nil {
		status = portal.ScanPending
	}
	key := NewKey()
	var out *portal.Upload
	if _, err := f.final.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("uploads: rewind: %w", err)
	}
	if err := s.blobs.Prepare(ctx, key, f.final); err != nil {
		return nil, err
	}
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		n, start, err := tx.HitRateLimit(ctx, rateBucket(ownerID), s.cfg.RateWindow)
		if err != nil {
			return err
		}
		if n > s.cfg.RateLimit {
			retry := int(start.Add(s.cfg.RateWindow).Sub(tx.Now()).Seconds()) + 1
			return &portal.Error{Code: portal.ERateLimited, Message: "upload.rate_limited",
				Data: map[string]any{"Count": s.cfg.RateLimit, "RetryAfter": retry}}
		}
		if _, err := f.final.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("uploads: rewind: %w", err)
		}
		if err := s.blobs.Put(ctx, tx, key, f.final); err != nil {
			return err
		}
		failpoint.Inject(failpoint.UploadBlobStored)
		u, err := tx.CreateUpload(ctx, store.UploadCreate{OwnerID: ownerID, Purpose: purpose, DisplayName: name,
			ContentType: f.contentType, SizeBytes: f.size, SHA256: f.sha256, BlobKey: key, ScanStatus: status})
		if err != nil {
			return err
		}
		if status == portal.ScanPending {
			if err := enqueueScan(ctx, tx, u.ID); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	if err != nil {
		// The blob may be in place with no row: remove it now rather
		// than leave it to the sweep, unless the row is there after all
		// (a commit that failed to answer).
		bg := context.WithoutCancel(ctx)
		if n, cerr := s.st.CountUploadsByBlobKey(bg, key); cerr == nil && n == 0 {
			if rerr := s.blobs.Remove(bg, key); rerr != nil {
				s.log.WarnContext(ctx, "uploads: remove blob of a failed upload", "err", rerr)
			}
		}
		return nil, err
	}
	return out, nil
}

// Access says who opens a file, as the owning service decided: the
// owner, or staff (who may have acknowledged the warning that an
// unscanned file was never checked).
type Access struct {
	Staff                bool
	AcknowledgeUnscanned bool
}

// Find returns an upload's row without opening it (to show its name and
// state).
func (s *Service) Find(ctx context.Context, id int64) (*portal.Upload, error) {
	return s.st.FindUploadByID(ctx, id)
}

// CheckOpen applies the rules of the file's state to access: a
// quarantined file opens for nobody; a pending one not for staff; an
// unscanned one for staff only with the acknowledgement.
func CheckOpen(u *portal.Upload, a Access) error {
	switch u.ScanStatus {
	case portal.ScanQuarantined:
		return ErrQuarantined
	case portal.ScanPending:
		if a.Staff {
			return ErrScanPending
		}
	case portal.ScanUnscanned:
		if a.Staff && !a.AcknowledgeUnscanned {
			return ErrUnscannedWarning
		}
	}
	return nil
}

// Open returns an upload and its bytes for access, after CheckOpen. The
// caller has decided that this actor may open this file at all; close
// the reader.
func (s *Service) Open(ctx context.Context, id int64, a Access) (*portal.Upload, io.ReadSeekCloser, error) {
	u, err := s.st.FindUploadByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := CheckOpen(u, a); err != nil {
		return nil, nil, err
	}
	r, err := s.blobs.Open(ctx, u.BlobKey)
	if err != nil {
		return nil, nil, fmt.Errorf("uploads: open upload %d: %w", id, err)
	}
	return u, r, nil
}

// Attach marks uploads as taken in by the service of purpose, inside
// that service's transaction: each must be owner's and of purpose, and
// not quarantined. An attached upload is kept; one never attached is
// removed UnattachedFor after it was uploaded.
func Attach(ctx context.Context, tx *store.Tx, ownerID int64, purpose string, ids ...int64) error {
	for _, id := range ids {
		// The update's conditions decide; the read after a refusal only
		// says which one failed.
		err := tx.AttachUpload(ctx, id, ownerID, purpose)
		if errors.Is(err, portal.ErrNotFound) {
			u, ferr := tx.FindUploadByID(ctx, id)
			if ferr == nil && u.OwnerID == ownerID && u.Purpose == purpose && u.ScanStatus == portal.ScanQuarantined {
				return ErrQuarantined
			}
			return fmt.Errorf("uploads: attach upload %d: %w", id, portal.ErrNotFound)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Detach marks an upload as attached to nothing again (its submission was
// deleted, say): the orphan sweep removes it UnattachedFor after it was
// uploaded.
func Detach(ctx context.Context, tx *store.Tx, id int64) error {
	return tx.DetachUpload(ctx, id)
}

// OwnerNotice is the catalog message that tells the uploader where their
// file stands: neutral about what a scanner found.
func OwnerNotice(u *portal.Upload) string {
	switch u.ScanStatus {
	case portal.ScanQuarantined:
		return "upload.status.quarantined"
	case portal.ScanPending:
		return "upload.status.pending"
	default:
		return "upload.status.received"
	}
}

// StaffNotice is the catalog message and data that tell staff about a
// file's state, with what the scanner found.
func StaffNotice(u *portal.Upload) (string, map[string]any) {
	switch u.ScanStatus {
	case portal.ScanQuarantined:
		return "upload.staff.quarantined", map[string]any{"Detail": u.ScanDetail}
	case portal.ScanPending:
		return "upload.staff.pending", nil
	case portal.ScanUnscanned:
		return "upload.staff.unscanned", nil
	default:
		return "upload.staff.clean", nil
	}
}
