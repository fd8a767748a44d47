package uploads_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/uploads"
)

// TestRealClamd scans through a real clamd (Debian's clamav-daemon,
// loaded with a signature of the EICAR test string): the adapter's
// INSTREAM framing is what the daemon reads, a string that straddles two
// chunks is found, a clean file passes, and through the pipeline on both
// engines the infected upload is quarantined under clamd's name for it
// while the clean one is clean.
func TestRealClamd(t *testing.T) {
	c := &uploads.Clamd{Addr: testutil.StartClamd(t), Timeout: 30 * time.Second}
	ctx := context.Background()

	clean := bytes.Repeat([]byte("0123456789abcdef"), 5000) // three chunks
	if v, err := c.Scan(ctx, bytes.NewReader(clean)); err != nil || v.Infected {
		t.Fatalf("clean file: %+v, %v", v, err)
	}
	// EICAR across the first chunk boundary (32 KiB).
	straddling := append(bytes.Repeat([]byte{' '}, 32<<10-30), []byte(eicarString)...)
	v, err := c.Scan(ctx, bytes.NewReader(straddling))
	if err != nil || !v.Infected || v.Signature != testutil.ClamdEICARSignature {
		t.Fatalf("EICAR across two chunks: %+v, %v", v, err)
	}

	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, c, uploads.Config{})
		bad := f.mustAccept(t, "evidence.pdf", pdfWith("% "+eicarString))
		good := f.mustAccept(t, "clean.pdf", testdbPDF())
		if err := f.runScanJobs(t); err != nil {
			t.Fatal(err)
		}
		bad, good = f.reload(t, bad), f.reload(t, good)
		if bad.ScanStatus != portal.ScanQuarantined || bad.ScanDetail != testutil.ClamdEICARSignature {
			t.Errorf("infected upload = %+v", bad)
		}
		if good.ScanStatus != portal.ScanClean {
			t.Errorf("clean upload = %+v", good)
		}
	})
}
