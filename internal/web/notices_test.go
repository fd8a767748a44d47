package web

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// declaredNotices parses the package's source and returns the value of
// every constant declared with the type notice, by constant name.
func declaredNotices(t *testing.T) map[string]Notice {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Notice{}
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
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Notice" {
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
					out[name.Name] = Notice(v)
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
	s := newTestServer(t)
	declared := declaredNotices(t)
	if len(declared) < 40 {
		t.Fatalf("found %d notice constants; the source scan is broken", len(declared))
	}
	keys := map[Notice]string{}
	for name, n := range declared {
		if other, dup := keys[n]; dup {
			t.Errorf("notices %s and %s share the key %q", name, other, n)
		}
		keys[n] = name
		if _, ok := s.notices[n]; !ok {
			t.Errorf("notice %s (%q) has no message in the notices map: its confirmation would never show", name, n)
		}
	}
	for n := range s.notices {
		if _, ok := keys[n]; !ok {
			t.Errorf("the notices map lists %q, which is no notice constant", n)
		}
	}
	for _, lang := range s.Catalog.Languages() {
		own := map[string]bool{}
		for _, id := range s.Catalog.MessageIDs(lang) {
			own[id] = true
		}
		for n, id := range s.notices {
			r := httptest.NewRequest("GET", WithNotice("/console/users/7", n), nil)
			r = r.WithContext(context.WithValue(r.Context(), infoKey{}, &reqInfo{Lang: lang}))
			var b BasePage
			s.FillBase(r, &b, "home.title")
			if b.Notice == "" || strings.HasPrefix(b.Notice, "[") || !own[id] {
				t.Errorf("%s: notice %q shows %q (message %s in %s: %v)", lang, n, b.Notice, id, lang, own[id])
			}
		}
		r := httptest.NewRequest("GET", "/?notice=You+won+a+prize", nil)
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, &reqInfo{Lang: lang}))
		var b BasePage
		s.FillBase(r, &b, "home.title")
		if b.Notice != "" {
			t.Errorf("%s: an unknown key shows %q", lang, b.Notice)
		}
	}
}

// TestRedirectsNameNoticesByConstant: no source file but notices.go
// writes "notice=" itself, so every notice in a redirect is a constant of
// the notice type, which TestEveryNoticeRenders checks.
func TestRedirectsNameNoticesByConstant(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
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
				t.Errorf("%s: %s writes a notice key by hand; use withNotice and a notice constant", fset.Position(lit.Pos()), lit.Value)
			}
			return true
		})
	}
}
