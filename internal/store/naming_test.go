package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// storeMethod is an exported method of *Store or *Tx, with its source.
type storeMethod struct {
	file, recv, name, body string
}

func storeMethods(t *testing.T) []storeMethod {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []storeMethod
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() || fn.Body == nil {
				continue
			}
			star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			recv := star.X.(*ast.Ident).Name
			if recv != "Store" && recv != "Tx" {
				continue
			}
			body := string(src[fset.Position(fn.Body.Pos()).Offset:fset.Position(fn.Body.End()).Offset])
			out = append(out, storeMethod{file: path, recv: recv, name: fn.Name.Name, body: body})
		}
	}
	return out
}

var (
	writeSQL   = regexp.MustCompile(`(?i)\b(INSERT|UPDATE|DELETE)\b`)
	readCall   = regexp.MustCompile(`\b(s|tx|r)\.(get|sel)\(`)
	readPrefix = regexp.MustCompile(`^(Get|List|Lock|Count)[A-Z]|^Find[A-Za-z]*By[A-Z]`)
)

// TestReadsFollowTheNamingRule: a method that only reads is named Get…
// (by primary key), Find…By… (by another key), List… (many rows), Lock…
// (a read that locks until the transaction ends) or Count…; a read that
// locks is always Lock….
func TestReadsFollowTheNamingRule(t *testing.T) {
	infrastructure := map[string]bool{"Migrated": true, "IntegrityCheck": true}
	for _, m := range storeMethods(t) {
		delegates := regexp.MustCompile(`^\{\s*return [a-z]\w*\(ctx, (s|tx)[,)]`).MatchString(m.body)
		reads := readCall.MatchString(m.body) || delegates
		if !reads || writeSQL.MatchString(m.body) || infrastructure[m.name] {
			continue
		}
		if !readPrefix.MatchString(m.name) {
			t.Errorf("%s: (*%s).%s reads; name it Get…, Find…By…, List…, Lock… or Count…", m.file, m.recv, m.name)
		}
		if (strings.Contains(m.body, "forUpdate(") || strings.Contains(m.body, "forShare(")) && !strings.HasPrefix(m.name, "Lock") {
			t.Errorf("%s: (*%s).%s locks what it reads; name it Lock…", m.file, m.recv, m.name)
		}
	}
}

// TestReadsAreWrittenOnce: a read offered both on the pool (*Store) and in
// a transaction (*Tx) is one query, shared: both methods only call the
// same function with their own reader, so the two cannot drift apart.
func TestReadsAreWrittenOnce(t *testing.T) {
	byName := map[string][]storeMethod{}
	for _, m := range storeMethods(t) {
		byName[m.name] = append(byName[m.name], m)
	}
	for name, ms := range byName {
		if len(ms) < 2 || name == "Engine" {
			continue
		}
		var callee []string
		for _, m := range ms {
			c := regexp.MustCompile(`^\{\s*return ([a-z]\w*)\(ctx, (s|tx)[,)]`).FindStringSubmatch(m.body)
			if c == nil {
				t.Errorf("%s: (*%s).%s has a query of its own; share one function with the other receiver", m.file, m.recv, name)
				continue
			}
			callee = append(callee, c[1])
		}
		if len(callee) == 2 && callee[0] != callee[1] {
			t.Errorf("%s: the two receivers call %s and %s", name, callee[0], callee[1])
		}
	}
}
