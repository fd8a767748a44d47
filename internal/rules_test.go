package internal_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// ruleIdentifiers are what a rule about who may do what is made of: roles
// compared, permission bits read, proof times and windows measured. The
// services decide with them (through portal.Actor's methods); the web and
// API surfaces must only ask (Authorize, Can, RecentlyProved, Owns) and
// translate the answer.
var ruleIdentifiers = map[string]string{
	"RoleStaff":       "a role compared",
	"RoleCandidate":   "a role compared",
	"Permissions":     "permission bits read",
	"AuthenticatedAt": "a proof time measured",
	"PasswordAt":      "a proof time measured",
	"SecondFactorAt":  "a proof time measured",
	"ReauthWindow":    "a proof window measured",
	"OnBehalfOf":      "delegation decided",
}

// TestSurfacesHoldNoRules: web (the kit and its page packages) and api name none of the rule-making
// identifiers outside tests, so every rule is decided once, in a service
// or in portal.Actor.
func TestSurfacesHoldNoRules(t *testing.T) {
	for _, dir := range []string{"web", "web/candidate", "web/console", "api"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if why, bad := ruleIdentifiers[sel.Sel.Name]; bad {
					t.Errorf("%s: uses %s (%s); ask the actor or the service instead", path, sel.Sel.Name, why)
				}
				return true
			})
			// A role read and compared directly.
			ast.Inspect(f, func(n ast.Node) bool {
				be, ok := n.(*ast.BinaryExpr)
				if !ok || (be.Op != token.EQL && be.Op != token.NEQ) {
					return true
				}
				for _, side := range []ast.Expr{be.X, be.Y} {
					if sel, ok := side.(*ast.SelectorExpr); ok && sel.Sel.Name == "Role" {
						t.Errorf("%s: compares a role; ask the actor or the service instead", path)
					}
				}
				return true
			})
		}
	}
}
