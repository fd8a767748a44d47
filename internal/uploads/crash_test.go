package uploads_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/failpoint"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/uploads"
)

// The crash child: the test binary started again with these variables
// uploads one file and dies where it is told.
const (
	crashChildEnv = "CERTPORTAL_UPLOADS_CRASH_CHILD" // engine
	crashDBEnv    = "CERTPORTAL_UPLOADS_CRASH_DB"    // SQLite path or PostgreSQL URL
	crashOwnerEnv = "CERTPORTAL_UPLOADS_CRASH_OWNER"
	crashTempEnv  = "CERTPORTAL_UPLOADS_CRASH_TEMP"
	crashStallEnv = "CERTPORTAL_UPLOADS_CRASH_STALL" // stall mid-stream, to be killed
)

func TestMain(m *testing.M) {
	if engine := os.Getenv(crashChildEnv); engine != "" {
		os.Exit(crashChild(engine))
	}
	os.Exit(m.Run())
}

// crashUploadSize is the size of the crash test's upload (20 MB).
const crashUploadSize = 20 << 20

// stallingPDF streams a PDF of crashUploadSize bytes, and with stall set
// says so on standard output half way and waits to be killed.
type stallingPDF struct {
	endlessPDF
	stall bool
}

func (s *stallingPDF) Read(p []byte) (int, error) {
	if s.stall && s.read >= s.limit/2 {
		fmt.Println("streaming")
		select {}
	}
	return s.endlessPDF.Read(p)
}

func crashChild(engine string) int {
	ctx := context.Background()
	o := store.Options{Engine: engine}
	if engine == store.SQLite {
		o.SQLitePath, o.Shared = os.Getenv(crashDBEnv), true
	} else {
		o.PostgresURL = os.Getenv(crashDBEnv)
	}
	st, err := store.Open(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	blobs, err := uploads.BlobsFor(st)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	svc, err := uploads.New(st, blobs, uploads.EICARScanner{}, portal.SystemClock{}, nil,
		uploads.Config{MaxBytes: 32 << 20, TempDir: os.Getenv(crashTempEnv)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	owner, _ := strconv.ParseInt(os.Getenv(crashOwnerEnv), 10, 64)
	body := &stallingPDF{endlessPDF: endlessPDF{limit: crashUploadSize}, stall: os.Getenv(crashStallEnv) != ""}
	if _, err := svc.Accept(ctx, owner, portal.UploadCEEvidence, "evidence.pdf", body); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

// TestCrashMidUploadLeavesNoRowWithoutItsBlob pins SECURITY.md CRASH-04:
// the test binary, built with the failpoints tag, uploads a 20 MB PDF in
// a child process that dies (exit 137, as after kill -9) at each point of
// failpoint.UploadPoints, or is killed with SIGKILL half way through the
// stream. After each death no upload row names a missing or partial blob
// (every blob hashes to its row's sha256); a death before the commit
// leaves no row, one after it leaves the row whole; and once the orphan
// sweep has run an hour later, no blob outlives its row and no temporary
// file is left. Both engines.
func TestCrashMidUploadLeavesNoRowWithoutItsBlob(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the test binary with failpoints")
	}
	bin := filepath.Join(t.TempDir(), "uploads-failpoints.test")
	cmd := exec.Command("go", "test", "-c", "-tags", "failpoints", "-o", bin, "example.org/certportal/internal/uploads")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test -c -tags failpoints: %v\n%s", err, out)
	}
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, uploads.EICARScanner{}, uploads.Config{})
		var dbArg string
		if engine == store.SQLite {
			dbArg = f.Store.SQLitePath()
		} else {
			dbArg = crashPostgresURL(t, f)
		}
		type scenario struct {
			point   string
			stall   bool
			wantRow bool
		}
		scenarios := []scenario{{point: "killed mid-stream", stall: true}}
		covered := map[string]bool{}
		for _, p := range failpoint.UploadPoints {
			scenarios = append(scenarios, scenario{point: p, wantRow: p == failpoint.UploadRowCommitted})
			covered[p] = true
		}
		for _, p := range []string{failpoint.UploadBlobStored, failpoint.UploadRowCommitted} {
			if !covered[p] {
				t.Errorf("failpoint %s is not in failpoint.UploadPoints", p)
			}
		}
		for _, sc := range scenarios {
			t.Run(sc.point, func(t *testing.T) {
				before := f.Count(t, `SELECT COUNT(*) FROM uploads`)
				c := exec.Command(bin)
				c.Env = append(os.Environ(), crashChildEnv+"="+engine, crashDBEnv+"="+dbArg,
					crashOwnerEnv+"="+strconv.FormatInt(f.owner.UserID, 10), crashTempEnv+"="+f.temp)
				if sc.stall {
					c.Env = append(c.Env, crashStallEnv+"=1")
				} else {
					c.Env = append(c.Env, failpoint.EnvVar+"="+sc.point)
				}
				var stderr bytes.Buffer
				c.Stderr = &stderr
				out, err := c.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				if err := c.Start(); err != nil {
					t.Fatal(err)
				}
				if sc.stall {
					line, _ := bufio.NewReader(out).ReadString('\n')
					if strings.TrimSpace(line) != "streaming" {
						_ = c.Process.Kill()
						t.Fatalf("child said %q:\n%s", line, stderr.String())
					}
					if err := c.Process.Kill(); err != nil {
						t.Fatal(err)
					}
					_ = c.Wait()
				} else {
					_, _ = io.Copy(io.Discard, out)
					err := c.Wait()
					if code := c.ProcessState.ExitCode(); code != failpoint.ExitCode {
						t.Fatalf("child exited %d (%v), want %d at %s:\n%s", code, err, failpoint.ExitCode, sc.point, stderr.String())
					}
				}
				after := f.Count(t, `SELECT COUNT(*) FROM uploads`)
				if want := before + map[bool]int{true: 1}[sc.wantRow]; after != want {
					t.Errorf("%d upload rows after the crash, want %d", after, want)
				}
				f.checkEveryRowHasItsBlob(t)
			})
		}
		// The crashes left a temporary file (the kill mid-stream) and, on
		// SQLite, an orphan blob file (the death before the commit; on
		// PostgreSQL the blob row rolled back with the upload row)...
		orphans := 0
		if engine == store.SQLite {
			orphans = 1
		}
		if rows, blobs := f.Count(t, `SELECT COUNT(*) FROM uploads`), f.blobCount(t); blobs != rows+orphans {
			t.Errorf("%d rows and %d blobs before the sweep, want %d orphans", rows, blobs, orphans)
		}
		if n := f.tempCount(t); n == 0 {
			t.Error("no temporary file left by the kill mid-stream")
		}
		// ...and the sweep an hour later leaves exactly the rows' blobs.
		if _, err := f.svc.SweepOrphans(f.ctx); err != nil {
			t.Fatal(err)
		}
		if n := f.tempCount(t); n == 0 {
			t.Error("the sweep removed a temporary file younger than an hour")
		}
		f.Clock.Advance(2 * time.Hour)
		if _, err := f.svc.SweepOrphans(f.ctx); err != nil {
			t.Fatal(err)
		}
		f.checkEveryRowHasItsBlob(t)
		if rows, blobs := f.Count(t, `SELECT COUNT(*) FROM uploads`), f.blobCount(t); rows != blobs {
			t.Errorf("%d rows and %d blobs after the sweep", rows, blobs)
		}
		if n := f.tempCount(t); n != 0 {
			t.Errorf("%d temporary files after the sweep", n)
		}
	})
}

// crashPostgresURL is the URL of the fixture's schema, for the child.
func crashPostgresURL(t *testing.T, f *fixture) string {
	t.Helper()
	var schema string
	if err := f.Store.DB().QueryRowContext(f.ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	base := os.Getenv(testutil.PostgresURLEnv)
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// checkEveryRowHasItsBlob: each upload row's blob exists, whole.
func (f *fixture) checkEveryRowHasItsBlob(t *testing.T) {
	t.Helper()
	rows, err := f.Store.ListUploadsByKey(f.ctx, "", 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range rows {
		r, err := f.blobs.Open(f.ctx, u.BlobKey)
		if err != nil {
			t.Errorf("upload %d: its blob: %v", u.ID, err)
			continue
		}
		h := sha256.New()
		n, err := io.Copy(h, r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != u.SHA256 || n != u.SizeBytes {
			t.Errorf("upload %d: blob of %d bytes hashing to %s, row says %d bytes, %s", u.ID, n, got, u.SizeBytes, u.SHA256)
		}
	}
}
