package uploads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

type scanArgs struct {
	UploadID int64 `json:"upload_id"`
}

// HandleScanJob is the handler of KindScan: it scans one upload and
// records the verdict. Idempotent: a file no longer pending is left as it
// is. A scanner error makes the job retry, the file staying pending.
func (s *Service) HandleScanJob(ctx context.Context, raw json.RawMessage) error {
	var a scanArgs
	if err := json.Unmarshal(raw, &a); err != nil || a.UploadID == 0 {
		return fmt.Errorf("uploads: scan job arguments %s", raw)
	}
	u, err := s.st.FindUploadByID(ctx, a.UploadID)
	if errors.Is(err, portal.ErrNotFound) {
		return nil // removed meanwhile
	}
	if err != nil {
		return err
	}
	return s.scan(ctx, u)
}

// scan scans u if it is waiting for a scanner and records the verdict.
func (s *Service) scan(ctx context.Context, u *portal.Upload) error {
	if s.scanner == nil || (u.ScanStatus != portal.ScanPending && u.ScanStatus != portal.ScanUnscanned) {
		return nil
	}
	r, err := s.blobs.Open(ctx, u.BlobKey)
	if err != nil {
		return fmt.Errorf("uploads: scan upload %d: %w", u.ID, err)
	}
	v, err := func() (Verdict, error) {
		defer r.Close()
		return s.scanner.Scan(ctx, r)
	}()
	if err != nil {
		return fmt.Errorf("uploads: scan upload %d: %w", u.ID, err)
	}
	to, detail := portal.ScanClean, ""
	if v.Infected {
		to, detail = portal.ScanQuarantined, v.Signature
		if detail == "" {
			detail = "detected"
		}
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		done, err := tx.SetUploadScanResult(ctx, u.ID, u.ScanStatus, to, detail)
		if err != nil || !done {
			return err
		}
		if v.Infected {
			s.log.WarnContext(ctx, "upload quarantined", "upload_id", u.ID, "owner_id", u.OwnerID, "signature", detail)
		}
		return nil
	})
}

// SweepScans scans, a batch at a time, the files still pending an
// OrphanAge after upload (their job failed for good, or the scanner was
// down for longer than its retries), and, once a scanner is configured,
// the files stored unscanned before. It returns how many it scanned.
func (s *Service) SweepScans(ctx context.Context) (int, error) {
	if s.scanner == nil {
		return 0, nil
	}
	before := s.clock.Now().Add(-s.cfg.OrphanAge)
	us, err := s.st.ListUploadsToScan(ctx, []string{portal.ScanPending, portal.ScanUnscanned}, before, 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range us {
		if err := s.scan(ctx, u); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// SweepOrphans removes uploads attached to nothing UnattachedFor after
// they were made (row and blob), blobs that no row names and temporary
// files, both older than OrphanAge, so a file in flight is never touched.
// It returns how many uploads, blobs and files it removed.
func (s *Service) SweepOrphans(ctx context.Context) (int, error) {
	now := s.clock.Now()
	removed := 0
	stale, err := s.st.ListUnattachedUploads(ctx, now.Add(-s.cfg.UnattachedFor), 500)
	if err != nil {
		return 0, err
	}
	for _, u := range stale {
		var gone bool
		err := s.st.Transact(ctx, func(tx *store.Tx) error {
			var err error
			if gone, err = tx.DeleteUnattachedUpload(ctx, u.ID); err != nil || !gone {
				return err
			}
			return s.blobs.Forget(ctx, tx, u.BlobKey)
		})
		if err != nil {
			return removed, err
		}
		if gone {
			if err := s.blobs.Remove(ctx, u.BlobKey); err != nil {
				return removed, err
			}
			removed++
		}
	}
	cutoff := now.Add(-s.cfg.OrphanAge)
	n, err := s.blobs.Sweep(ctx, s.st, cutoff)
	removed += n
	if err != nil {
		return removed, err
	}
	n, err = sweepTemp(s.cfg.TempDir, cutoff)
	return removed + n, err
}

// sweepTemp removes staging files older than cutoff.
func sweepTemp(dir string, cutoff time.Time) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("uploads: sweep %s: %w", dir, err)
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err == nil {
			n++
		}
	}
	return n, nil
}
