package testutil

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Tool returns the path of a command-line checker (poppler-utils'
// pdftotext, pdfinfo, pdftoppm; zbar-tools' zbarimg). Without it the test
// is skipped, or fails with CI=true, where .ci/run installs package.
func Tool(tb testing.TB, name, pkg string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if CI() {
			tb.Fatalf("%s not found: the checks with it are mandatory with CI=true; install %s", name, pkg)
		}
		tb.Skipf("%s not found: skipped; install %s", name, pkg)
	}
	return path
}

// RunTool runs a checker and returns what it printed; it fails the test
// when the command fails or writes to standard error.
func RunTool(tb testing.TB, name string, args ...string) string {
	tb.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("%s %v: %v: %s", name, args, err, stderr.String())
	}
	if stderr.Len() > 0 {
		tb.Fatalf("%s %v complained: %s", name, args, stderr.String())
	}
	return string(out)
}

// WriteTemp writes data to a file in a temporary directory and returns its
// path.
func WriteTemp(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// MatchGolden compares a PNG with the golden image at path, allowing one
// pixel in 200 to differ (anti-aliasing); with update it rewrites the
// golden instead. Look at a rewritten golden before committing it.
func MatchGolden(tb testing.TB, got []byte, path string, update bool) {
	tb.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run with -update to create it)", err)
	}
	if n, total := DifferingPixels(tb, got, want); n > total/200 {
		tb.Errorf("%d of %d pixels differ from %s", n, total, path)
	}
}

// DifferingPixels counts pixels of two PNGs of one size whose colour
// differs by more than a quarter in a channel: anti-aliasing noise stays
// under that, a moved or missing glyph does not.
func DifferingPixels(tb testing.TB, a, b []byte) (n, total int) {
	tb.Helper()
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		tb.Fatal(err)
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	if ia.Bounds() != ib.Bounds() {
		tb.Fatalf("size %v, golden %v", ia.Bounds(), ib.Bounds())
	}
	far := func(a, b uint32) bool {
		if a > b {
			a, b = b, a
		}
		return b-a > 0x4000
	}
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := ia.At(x, y).RGBA()
			r2, g2, b2, _ := ib.At(x, y).RGBA()
			if far(r1, r2) || far(g1, g2) || far(b1, b2) {
				n++
			}
		}
	}
	return n, r.Dx() * r.Dy()
}
