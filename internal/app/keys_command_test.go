package app_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// didDocument is what a verifier reads of /.well-known/did.json.
type didDocument struct {
	ID                 string `json:"id"`
	VerificationMethod []struct {
		ID, Type, Controller, PublicKeyMultibase string
	} `json:"verificationMethod"`
	AssertionMethod []string `json:"assertionMethod"`
}

// TestKeysRotateAndDIDDocument: `keys rotate` beside a running server
// makes a new current key; the DID document lists every key, current and
// retired, as Multikeys any site may read and cache.
func TestKeysRotateAndDIDDocument(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithEnv("CERTPORTAL_BASE_URL", "https://certs.example.org:8443"))
		getDoc := func() (*http.Response, didDocument) {
			resp := a.Get(t, a.Client(), "/.well-known/did.json")
			var doc didDocument
			if err := json.Unmarshal([]byte(apptest.Body(t, resp)), &doc); err != nil {
				t.Fatalf("did.json: %v", err)
			}
			return resp, doc
		}
		resp, doc := getDoc()
		if resp.StatusCode != http.StatusOK || doc.ID != "did:web:certs.example.org%3A8443" || len(doc.VerificationMethod) != 0 {
			t.Fatalf("before any key: %d %+v", resp.StatusCode, doc)
		}
		env := maps.Clone(a.Env)
		for i, want := range []string{"#key-1", "#key-2"} {
			code, out, errOut := apptest.Run(t, env, "keys", "rotate")
			if code != 0 || !strings.Contains(out, "did:web:certs.example.org%3A8443"+want) {
				t.Fatalf("rotation %d: exit %d\n%s\n%s", i+1, code, out, errOut)
			}
		}
		resp, doc = getDoc()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("Access-Control-Allow-Origin = %q", got)
		}
		if got := resp.Header.Get("Cache-Control"); got != "public, max-age=300" {
			t.Errorf("Cache-Control = %q", got)
		}
		if got := resp.Header.Get("Content-Type"); got != "application/did+json" {
			t.Errorf("Content-Type = %q", got)
		}
		want := []string{doc.ID + "#key-1", doc.ID + "#key-2"}
		if len(doc.VerificationMethod) != 2 || strings.Join(doc.AssertionMethod, " ") != strings.Join(want, " ") {
			t.Fatalf("after two rotations: %+v", doc)
		}
		for i, vm := range doc.VerificationMethod {
			if vm.ID != want[i] || vm.Type != "Multikey" || vm.Controller != doc.ID || !strings.HasPrefix(vm.PublicKeyMultibase, "z6Mk") {
				t.Errorf("key %d: %+v", i+1, vm)
			}
		}
		if doc.VerificationMethod[0].PublicKeyMultibase == doc.VerificationMethod[1].PublicKeyMultibase {
			t.Error("rotation kept the same key")
		}
		if code, _, errOut := apptest.Run(t, env, "keys"); code != 2 || !strings.Contains(errOut, "keys rotate") {
			t.Errorf("keys without rotate: exit %d\n%s", code, errOut)
		}
		if code, _, errOut := apptest.Run(t, env, "help", "keys"); code != 0 || !strings.Contains(errOut, "keys rotate") {
			t.Errorf("help keys: exit %d\n%s", code, errOut)
		}
	})
}
