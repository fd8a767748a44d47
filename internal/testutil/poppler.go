package testutil

import (
	"os/exec"
	"testing"
)

// Poppler returns the path of a poppler-utils tool (pdfsig, pdftotext,
// pdftoppm…). Without it the test is skipped, or fails with CI=true,
// where the checks with independent PDF tools are mandatory (.ci/run
// installs poppler-utils).
func Poppler(t testing.TB, tool string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		if CI() {
			t.Fatalf("%s not found: the checks with poppler-utils are mandatory with CI=true", tool)
		}
		t.Skipf("%s not found: skipped; install poppler-utils", tool)
	}
	return path
}
