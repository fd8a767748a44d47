package internal_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// testFunc is a test or fuzz function of the module.
type testFunc struct {
	dir  string // package directory, relative to the module
	both bool   // its body runs it on both engines (testutil.ForEachEngine)
}

// moduleTests finds every Test and Fuzz function in the module's _test.go
// files.
func moduleTests(t *testing.T) map[string][]testFunc {
	t.Helper()
	out := map[string][]testFunc{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && d.Name() != "..") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(strings.TrimPrefix(path, "../")))
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Body == nil || !(strings.HasPrefix(fn.Name.Name, "Test") || strings.HasPrefix(fn.Name.Name, "Fuzz")) {
				continue
			}
			body := string(src[fset.Position(fn.Body.Pos()).Offset:fset.Position(fn.Body.End()).Offset])
			out[fn.Name.Name] = append(out[fn.Name.Name], testFunc{dir: dir, both: strings.Contains(body, "ForEachEngine(")})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSecurityTablesNameRealTests: every test the README's security tables
// name exists in the package named before it, and every test marked
// "(both)" runs on both engines.
func TestSecurityTablesNameRealTests(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Security\n")
	if !ok {
		t.Fatal("README has no ## Security section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	tests := moduleTests(t)
	token := regexp.MustCompile("`([^`]+)`|\\(both\\)|;")
	name := regexp.MustCompile(`^(Test|Fuzz)\w+$`)
	named := 0
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if !strings.HasPrefix(line, "| ") || len(cells) < 4 || strings.HasPrefix(cells[1], "---") || strings.TrimSpace(cells[1]) == "Row" {
			continue
		}
		row := strings.TrimSpace(cells[1])
		pkg := ""
		var pending []string // tests since the package or the last "(both)"
		for _, m := range token.FindAllStringSubmatch(cells[len(cells)-2], -1) {
			switch tok := m[0]; {
			case tok == ";":
				pending = nil
			case tok == "(both)":
				for _, n := range pending {
					for _, f := range tests[n] {
						if f.dir == pkg && !f.both {
							t.Errorf("%s: %s is marked (both) but does not run on both engines", row, n)
						}
					}
				}
				pending = nil
			case strings.HasPrefix(m[1], "internal") || m[1] == "e2e":
				pkg, pending = m[1], nil
			case name.MatchString(m[1]):
				named++
				pending = append(pending, m[1])
				found := false
				for _, f := range tests[m[1]] {
					found = found || f.dir == pkg
				}
				if !found {
					t.Errorf("%s: no test %s in %q (found in %v)", row, m[1], pkg, tests[m[1]])
				}
			}
		}
	}
	if named < 50 {
		t.Errorf("found only %d test names in the security tables", named)
	}
}
