package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// NodeTool finds node and the npm test tools (tools/npm, installed with
// `npm ci --prefix tools/npm`) and returns node's path and the absolute path
// of script under tools/npm. Each of packages must be installed there. When
// something is missing the test is skipped, or fails with CI=true, where the
// checks that need node are mandatory.
func NodeTool(t *testing.T, script string, packages ...string) (node, path string) {
	t.Helper()
	fix := "install Node.js and run `npm ci --prefix tools/npm` at the module root"
	node, err := exec.LookPath("node")
	if err != nil {
		skipOrFailNode(t, "node not found", fix)
	}
	root, err := findModuleRoot()
	if err != nil {
		skipOrFailNode(t, "module root not found", err.Error())
	}
	dir := filepath.Join(root, "tools", "npm")
	for _, p := range packages {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", filepath.FromSlash(p), "package.json")); err != nil {
			skipOrFailNode(t, fmt.Sprintf("npm package %s not installed", p), fix)
		}
	}
	path = filepath.Join(dir, script)
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	return node, path
}

func skipOrFailNode(t *testing.T, problem, fix string) {
	t.Helper()
	if CI() {
		t.Fatalf("%s: the checks with node are mandatory with CI=true; %s", problem, fix)
	}
	t.Skipf("%s: skipped; %s", problem, fix)
}
