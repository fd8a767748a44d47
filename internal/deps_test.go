package internal_test

import (
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "example.org/certportal/"

// layer ranks the packages: a package may import only packages of a lower
// rank (STYLE.md, "Dependency direction"). Services share a rank and do not
// import one another; jobs and mail import no service and not each other.
var layer = map[string]int{
	"internal/portal": 0,
	"internal/i18n":   0,
	"internal/config": 0,
	"internal/geo":    0,
	// crash-test points: a leaf any layer may call
	"internal/failpoint": 0,
	// CSV that spreadsheets open as data
	"internal/csvsafe": 0,
	// encryption at rest and purpose-bound keys
	"internal/sealing": 0,
	// Open Badges 3.0 documents and their proofs, no database or network
	"internal/openbadges": 0,
	// PAdES signatures of finished PDFs, no database
	"internal/pades": 0,
	// trace spans to a collector over OTLP/HTTP (JSON)
	"internal/otlp":  0,
	"internal/badge": 1,
	// fonts, bidi and shaping; and the PDF writer that draws with them
	"internal/typeset": 0,
	"internal/pdf":     1,
	// the certificate, score report and transcript layouts
	"internal/certdoc": 2,
	"internal/store":   1,
	"internal/jobs":    2,
	"internal/mail":    2,
	// the upload pipeline: blob store, scanner, sweeps; services own the files
	"internal/uploads": 2,
	// renewal of earned certifications: the requirement, the ledger's
	// consumption and the extension, in the caller's transaction (credits
	// and results both renew); above jobs and mail, whose work it queues
	"internal/renewal": 3,
	// replay of repeated requests, for both surfaces
	"internal/idempotency": 2,
	// payment providers: adapters with no knowledge of bookings
	"internal/payments": 2,
	// services
	"internal/accounts": 4,
	"internal/exams":    4,
	// the test-center catalogue, and a seat and what was paid for it
	"internal/centers": 4,
	"internal/booking": 4,
	// next (docs/architecture.md, "Services and their contracts")
	"internal/results":     4,
	"internal/credentials": 4,
	"internal/credits":     4,
	"internal/support":     4,
	"internal/ops":         4,
	"internal/calendar":    4,
	"internal/program":     4,
	// surfaces: the site's page kit (web) and the JSON API
	"internal/web": 5,
	"internal/api": 5,
	// the site's page packages, on the kit; neither imports the other
	"internal/web/candidate": 6,
	"internal/web/console":   6,
	// a generated program-sized database, for load tests and benchmarks
	"internal/loadgen": 5,
	// composition root
	"internal/app":   7,
	"cmd/certportal": 8,
}

// forbidden are imports that the ranks would allow but the design does not.
var forbidden = map[string][]string{
	"internal/web":           {"internal/store"},
	"internal/web/candidate": {"internal/store"},
	"internal/web/console":   {"internal/store"},
	"internal/api":           {"internal/store"},
}

// isTestHelper reports whether pkg helps tests only: internal/testutil and
// the page packages' internal/web/webtest. Tests may import them; no
// package may.
func isTestHelper(pkg string) bool {
	return strings.HasPrefix(pkg, "internal/testutil") || pkg == "internal/web/webtest"
}

func TestImportsOnlyGoDown(t *testing.T) {
	imports := map[string]map[string]bool{}
	root := ".."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if name == "testdata" || name == "node_modules" || (strings.HasPrefix(name, ".") && path != root) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		// Skip files the build excludes, such as //go:build ignore generators.
		if ok, err := build.Default.MatchFile(filepath.Dir(path), d.Name()); err != nil || !ok {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		if imports[pkg] == nil {
			imports[pkg] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, module) {
				imports[pkg][strings.TrimPrefix(p, module)] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		if isTestHelper(pkg) || pkg == "e2e" {
			continue // test helpers may reach anything
		}
		rank, ok := layer[pkg]
		if !ok {
			t.Errorf("package %s has no layer: add it to the table in internal/deps_test.go", pkg)
			continue
		}
		for imp := range imports[pkg] {
			if isTestHelper(imp) {
				t.Errorf("%s imports test helper %s", pkg, imp)
				continue
			}
			irank, ok := layer[imp]
			if !ok {
				t.Errorf("%s imports %s, which has no layer", pkg, imp)
				continue
			}
			if irank >= rank {
				t.Errorf("%s (layer %d) imports %s (layer %d): imports must go down", pkg, rank, imp, irank)
			}
			for _, f := range forbidden[pkg] {
				if imp == f {
					t.Errorf("%s must not import %s", pkg, imp)
				}
			}
		}
	}
}

// TestNoMathRandWhereSecretsAreMade: tokens, codes and IDs come from
// crypto/rand only (SECURITY.md RL-04). Every Go file of every package
// under internal/ and cmd/ (tests aside) is read; math/rand is allowed
// only in the files listed in mathRandAllowed, for values that are no
// secret.
func TestNoMathRandWhereSecretsAreMade(t *testing.T) {
	// mathRandAllowed: file (relative to the module) -> why it is no secret.
	mathRandAllowed := map[string]string{
		"internal/store/store.go":     "jitter of the retry back-off",
		"internal/loadgen/loadgen.go": "generated test data follows from its seed (docs/benchmarks.md); never a real program's",
	}
	// Packages that make tokens, codes, references or keys: each must
	// exist and be among the files read.
	mustRead := []string{"internal/accounts", "internal/api", "internal/app", "internal/exams", "internal/ops",
		"internal/payments", "internal/booking", "internal/web", "cmd/certportal"}
	read := map[string]bool{}
	usesMathRand := map[string]bool{}
	for _, root := range []string{".", "../cmd"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			rel := filepath.ToSlash(filepath.Join("internal", path))
			if root != "." {
				rel = filepath.ToSlash(strings.TrimPrefix(path, "../"))
			}
			read[filepath.ToSlash(filepath.Dir(rel))] = true
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if p != "math/rand" && !strings.HasPrefix(p, "math/rand/") {
					continue
				}
				usesMathRand[rel] = true
				if _, ok := mathRandAllowed[rel]; !ok {
					t.Errorf("%s imports %s; use crypto/rand", rel, p)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, dir := range mustRead {
		if !read[dir] {
			t.Errorf("%s: no Go file read there; the package is missing or the walk skipped it", dir)
		}
	}
	for file := range mathRandAllowed {
		if !usesMathRand[file] {
			t.Errorf("%s is allowed math/rand but does not import it (or does not exist): remove it from the list", file)
		}
	}
	if len(read) < 15 {
		t.Errorf("only %d packages read", len(read))
	}
}
