package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"testing"
)

// TestPagesDoNotShadowTheBase: a page struct that embeds BasePage and
// declares a field of the same name as one of BasePage's hides it from the
// layout, which then renders the page's value instead (a language switch
// that returned nowhere). Every page package's structs are read from
// source.
func TestPagesDoNotShadowTheBase(t *testing.T) {
	base := map[string]bool{}
	bt := reflect.TypeFor[BasePage]()
	for i := range bt.NumField() {
		base[bt.Field(i).Name] = true
	}
	fset := token.NewFileSet()
	pages := 0
	for _, dir := range []string{".", "candidate", "console"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, path := range files {
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				ts, ok := n.(*ast.TypeSpec)
				if !ok {
					return true
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok || !embedsBase(st) {
					return true
				}
				pages++
				for _, field := range st.Fields.List {
					for _, name := range field.Names {
						if base[name.Name] {
							t.Errorf("%s: %s.%s shadows BasePage.%s", fset.Position(name.Pos()), ts.Name.Name, name.Name, name.Name)
						}
					}
				}
				return true
			})
		}
	}
	if pages < 20 {
		t.Errorf("found %d page structs embedding BasePage; the walk is broken", pages)
	}
}

// embedsBase reports whether st embeds BasePage (web.BasePage outside
// this package).
func embedsBase(st *ast.StructType) bool {
	for _, f := range st.Fields.List {
		if len(f.Names) > 0 {
			continue
		}
		switch x := f.Type.(type) {
		case *ast.Ident:
			if x.Name == "BasePage" {
				return true
			}
		case *ast.SelectorExpr:
			if x.Sel.Name == "BasePage" {
				return true
			}
		}
	}
	return false
}
