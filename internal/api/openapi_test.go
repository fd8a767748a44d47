package api

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"example.org/certportal/internal/i18n"
)

// openAPI is the part of the document the tests read.
type openAPI struct {
	OpenAPI string                                `json:"openapi"`
	Servers []struct{ URL string }                `json:"servers"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
}

type openAPIOperation struct {
	Parameters []struct {
		Ref string `json:"$ref"`
	} `json:"parameters"`
	RequestBody *json.RawMessage           `json:"requestBody"`
	Responses   map[string]json.RawMessage `json:"responses"`
	Security    []map[string][]string      `json:"security"`
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}

func mustParseOpenAPI(t *testing.T) openAPI {
	t.Helper()
	var doc openAPI
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return doc
}

// readOnlyPOST lists the POST operations that change nothing and so take
// no Idempotency-Key: the verify API reads an uploaded credential (a POST
// only because a credential does not fit in a URL).
var readOnlyPOST = map[string]bool{
	"post /credentials/verify": true,
}

// TestAPIRoutesAreDocumented: every route of the table is an operation of
// the OpenAPI document and every documented operation is a route, with
// the parameters, responses and security its kind needs.
func TestAPIRoutesAreDocumented(t *testing.T) {
	doc := mustParseOpenAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != Prefix {
		t.Errorf("servers = %+v, want the one relative URL %s", doc.Servers, Prefix)
	}
	inTable := map[string]route{}
	for _, rt := range routes {
		key := strings.ToLower(rt.Method) + " " + rt.Path
		if _, dup := inTable[key]; dup {
			t.Errorf("route %s appears twice in the table", key)
		}
		inTable[key] = rt
		raw, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("route %s %s is not documented in openapi.json", rt.Method, rt.Path)
			continue
		}
		var op openAPIOperation
		if err := json.Unmarshal(raw, &op); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if _, ok := op.Responses["500"]; !ok && rt.Path != "/openapi.json" {
			t.Errorf("%s documents no 500 response", key)
		}
		if rt.Access.signedIn != (len(op.Security) > 0) {
			t.Errorf("%s: signed in %v but the document's security is %v", key, rt.Access.signedIn, op.Security)
		}
		if _, ok := op.Responses["401"]; rt.Access.signedIn && !ok {
			t.Errorf("%s needs a session but documents no 401", key)
		}
		if _, ok := op.Responses["403"]; rt.Access.perm != 0 && !ok {
			t.Errorf("%s needs the %s permission but documents no 403", key, rt.Access.perm)
		}
		if rt.Method == "PUT" || rt.Method == "DELETE" {
			// They set a state, so a repeat is harmless: the server reads no
			// key and the document promises none.
			for _, p := range op.Parameters {
				if p.Ref == "#/components/parameters/IdempotencyKey" {
					t.Errorf("%s is idempotent but documents the Idempotency-Key header", key)
				}
			}
		}
		if rt.Method == "POST" {
			if op.RequestBody == nil {
				t.Errorf("%s documents no request body", key)
			}
			hasKey := false
			for _, p := range op.Parameters {
				hasKey = hasKey || p.Ref == "#/components/parameters/IdempotencyKey"
			}
			statuses := []string{"400", "409", "413", "415", "422"}
			if readOnlyPOST[key] {
				// It changes nothing: no key to replay, nothing to conflict
				// with, no fields to name.
				if hasKey {
					t.Errorf("%s changes nothing but documents the Idempotency-Key header", key)
				}
				statuses = []string{"400", "413", "415"}
			} else if !hasKey {
				t.Errorf("%s does not document the Idempotency-Key header", key)
			}
			for _, status := range statuses {
				if _, ok := op.Responses[status]; !ok {
					t.Errorf("%s documents no %s response", key, status)
				}
			}
		}
	}
	for path, item := range doc.Paths {
		for method := range item {
			if !httpMethods[method] {
				continue
			}
			if _, ok := inTable[method+" "+path]; !ok {
				t.Errorf("openapi.json documents %s %s, which is not a route", strings.ToUpper(method), path)
			}
		}
	}
}

// TestAPIOpenAPIReferencesResolve: every $ref points at a component that
// exists.
func TestAPIOpenAPIReferencesResolve(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	var refs []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if s, ok := y.(string); ok && k == "$ref" {
					refs = append(refs, s)
				}
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(doc)
	if len(refs) == 0 {
		t.Fatal("no $ref found")
	}
	for _, ref := range refs {
		parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
		var cur any = doc
		for _, p := range parts {
			m, ok := cur.(map[string]any)
			if !ok {
				cur = nil
				break
			}
			cur = m[p]
		}
		if cur == nil {
			t.Errorf("$ref %s does not resolve", ref)
		}
	}
}

// TestAPIMessagesExist: every message ID this package names is in the
// English catalog or has the package's English fallback, so no response
// shows a bare [message.id].
func TestAPIMessagesExist(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`"((?:api|idempotency|error)\.[a-z0-9_.]+)"`)
	var missing []string
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !cat.Has(m[1]) {
				missing = append(missing, p+": "+m[1])
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("message %s is not in the catalog", m)
	}
}
