package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"example.org/certportal/internal/web"
	"example.org/certportal/internal/web/candidate"
	"example.org/certportal/internal/web/console"
	"example.org/certportal/internal/web/webtest"
)

// siteDirs are the source directories of the kit and of its sections.
var siteDirs = []string{".", "candidate", "console"}

// siteGoFiles are the Go files of the kit and of its sections.
func siteGoFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range siteDirs {
		fs, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	return files
}

// isNoticeType reports whether e names the type web.Notice.
func isNoticeType(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "Notice"
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && x.Name == "web" && e.Sel.Name == "Notice"
	}
	return false
}

// declaredNotices parses the source of the kit and of its sections and
// returns the value of every constant declared with the type web.Notice,
// by constant name.
func declaredNotices(t *testing.T) map[string]web.Notice {
	t.Helper()
	files := siteGoFiles(t)
	out := map[string]web.Notice{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if !isNoticeType(vs.Type) {
					continue
				}
				for i, name := range vs.Names {
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok {
						t.Fatalf("%s: notice %s is not a string literal", f, name.Name)
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out[name.Name] = web.Notice(v)
				}
			}
		}
	}
	return out
}

// TestEveryNoticeRenders walks every notice constant: each is shown by the
// layout, in every language, as a message of that language (never a
// bracketed ID or an English fallback), and each has one key of its own.
// A key that is no notice shows nothing.
func TestEveryNoticeRenders(t *testing.T) {
	s := webtest.NewServer(t, candidate.Section(), console.Section())
	notices := s.Notices()
	declared := declaredNotices(t)
	if len(declared) < 40 {
		t.Fatalf("found %d notice constants; the source scan is broken", len(declared))
	}
	keys := map[web.Notice]string{}
	for name, n := range declared {
		if other, dup := keys[n]; dup {
			t.Errorf("notices %s and %s share the key %q", name, other, n)
		}
		keys[n] = name
		if _, ok := notices[n]; !ok {
			t.Errorf("notice %s (%q) has no message in the notices map: its confirmation would never show", name, n)
		}
	}
	for n := range notices {
		if _, ok := keys[n]; !ok {
			t.Errorf("the notices map lists %q, which is no notice constant", n)
		}
	}
	for _, lang := range s.Catalog.Languages() {
		own := map[string]bool{}
		for _, id := range s.Catalog.MessageIDs(lang) {
			own[id] = true
		}
		for n, id := range notices {
			r := web.WithLang(httptest.NewRequest("GET", web.WithNotice("/console/users/7", n), nil), lang)
			var b web.BasePage
			s.FillBase(r, &b, "home.title")
			if b.Notice == "" || strings.HasPrefix(b.Notice, "[") || !own[id] {
				t.Errorf("%s: notice %q shows %q (message %s in %s: %v)", lang, n, b.Notice, id, lang, own[id])
			}
		}
		r := web.WithLang(httptest.NewRequest("GET", "/?notice=You+won+a+prize", nil), lang)
		var b web.BasePage
		s.FillBase(r, &b, "home.title")
		if b.Notice != "" {
			t.Errorf("%s: an unknown key shows %q", lang, b.Notice)
		}
	}
}

// TestRedirectsNameNoticesByConstant: no source file of the kit or of a
// section but the kit's notices.go writes "notice=" itself, so every
// notice in a redirect is a constant of the notice type, which
// TestEveryNoticeRenders checks.
func TestRedirectsNameNoticesByConstant(t *testing.T) {
	files := siteGoFiles(t)
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "notices.go" {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.Contains(lit.Value, "notice=") {
				t.Errorf("%s: %s writes a notice key by hand; use web.WithNotice and a notice constant", fset.Position(lit.Pos()), lit.Value)
			}
			return true
		})
	}
}
