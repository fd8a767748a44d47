package credentialtest

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/openbadges"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// crosscheckResult is one line of tools/npm/verify-credentials.mjs.
type crosscheckResult struct {
	Name    string `json:"name"`
	Form    string `json:"form"`
	Unbaked string `json:"unbaked"`
	Error   string `json:"error"`
	Checks  map[string]struct {
		OK        bool   `json:"ok"`
		Error     string `json:"error"`
		Revoked   bool   `json:"revoked"`
		Suspended bool   `json:"suspended"`
	} `json:"checks"`
}

// failed lists the checks that did not pass, in name order.
func (r crosscheckResult) failed() []string {
	var out []string
	for name, c := range r.Checks {
		if !c.OK {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// crosscheckFile is a file for verify-credentials.mjs: a name, the file
// written in the run's directory and its form.
type crosscheckFile struct {
	name, form string
	data       []byte
}

// crosscheck writes the DID document, the status lists and the files into
// a new directory with a manifest, runs verify-credentials.mjs on them and
// returns its results by name.
func crosscheck(t *testing.T, node, script string, now time.Time, did []byte, lists [][]byte, files []crosscheckFile) map[string]crosscheckResult {
	t.Helper()
	dir := t.TempDir()
	schema, err := filepath.Abs(filepath.Join("..", "..", "openbadges", "schema", "ob_v3p0_achievementcredential_schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	manifest := map[string]any{
		"did_document": writeFile(t, dir, "did.json", did),
		"schema":       schema,
		"now":          now.UTC().Format(time.RFC3339),
	}
	contexts := map[string]string{}
	for i, url := range openbadges.ContextURLs() {
		data, err := openbadges.ContextDocument(url)
		if err != nil {
			t.Fatal(err)
		}
		contexts[url] = writeFile(t, dir, "context-"+string(rune('a'+i))+".json", data)
	}
	manifest["contexts"] = contexts
	var listPaths []string
	for i, l := range lists {
		listPaths = append(listPaths, writeFile(t, dir, "list-"+string(rune('a'+i))+".json", l))
	}
	manifest["status_lists"] = listPaths
	var creds []map[string]string
	for _, f := range files {
		creds = append(creds, map[string]string{"name": f.name, "form": f.form, "path": writeFile(t, dir, f.name, f.data)})
	}
	manifest["credentials"] = creds
	data, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script, writeFile(t, dir, "manifest.json", data))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s\n%s", filepath.Base(script), err, out, stderr.String())
	}
	results := map[string]crosscheckResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r crosscheckResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		results[r.Name] = r
	}
	for _, f := range files {
		r, ok := results[f.name]
		if !ok || r.Error != "" {
			t.Fatalf("%s: no result (%q)\n%s\n%s", f.name, r.Error, out, stderr.String())
		}
		want := []string{"proof", "schema", "status"}
		if f.form == "status-list" {
			want = []string{"proof"}
		}
		for _, c := range want {
			if _, ok := r.Checks[c]; !ok {
				t.Fatalf("%s: no %s check: %+v", f.name, c, r)
			}
		}
	}
	return results
}

// statusLists downloads every status list the credentials name.
func statusLists(t *testing.T, a *apptest.App, creds [][]byte) [][]byte {
	t.Helper()
	seen := map[string]bool{}
	var lists [][]byte
	for _, c := range creds {
		var doc struct {
			CredentialStatus []struct{ StatusListCredential string } `json:"credentialStatus"`
		}
		if err := json.Unmarshal(c, &doc); err != nil {
			t.Fatal(err)
		}
		for _, st := range doc.CredentialStatus {
			if seen[st.StatusListCredential] {
				continue
			}
			seen[st.StatusListCredential] = true
			lists = append(lists, download(t, a, strings.TrimPrefix(st.StatusListCredential, a.URL)))
		}
	}
	if len(lists) < 2 {
		t.Fatalf("%d status lists named, want one per purpose at least", len(lists))
	}
	return lists
}

// download GETs a public path and fails unless it is a 200.
func download(t *testing.T, a *apptest.App, path string) []byte {
	t.Helper()
	resp := a.Get(t, a.Client(), path)
	body := apptest.Body(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%.300s", path, resp.StatusCode, body)
	}
	return []byte(body)
}

// TestCredentialsVerifyWithIndependentLibraries: every kind of document
// the portal signs (each credential as JSON-LD, as VC-JWT and baked in its
// PNG and SVG badges, unbaked by the script itself; both status lists)
// passes Digital Bazaar's Data Integrity libraries, jose and the
// 1EdTech schema in ajv, offline (tools/npm/verify-credentials.mjs). There,
// a credential whose holder name was changed fails the proof (also
// baked in a badge, and a badge whose chunk CRC is wrong does not unbake), one signed by
// a foreign key fails it, a revoked one reads as revoked from its status
// list, and those signed before `keys rotate` still verify after it.
func TestCredentialsVerifyWithIndependentLibraries(t *testing.T) {
	node, script := testutil.NodeTool(t, "verify-credentials.mjs",
		"@digitalbazaar/vc", "@digitalbazaar/data-integrity", "@digitalbazaar/eddsa-rdfc-2022-cryptosuite",
		"@digitalbazaar/ed25519-multikey", "jose", "ajv", "ajv-formats")
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		ids := printedIDs(t, a)
		var files []crosscheckFile
		var jsonlds [][]byte
		for i, id := range ids {
			jsonld := download(t, a, "/credentials/"+id+"/credential.json")
			jwt := download(t, a, "/credentials/"+id+"/credential.jwt")
			jsonlds = append(jsonlds, jsonld)
			files = append(files,
				crosscheckFile{name: "c" + string(rune('0'+i)) + ".json", form: "json-ld", data: jsonld},
				crosscheckFile{name: "c" + string(rune('0'+i)) + ".jwt", form: "vc-jwt", data: jwt},
				crosscheckFile{name: "c" + string(rune('0'+i)) + ".png", form: "png", data: download(t, a, "/credentials/"+id+"/badge.png")},
				crosscheckFile{name: "c" + string(rune('0'+i)) + ".svg", form: "svg", data: download(t, a, "/credentials/"+id+"/badge.svg")})
		}
		did := download(t, a, "/.well-known/did.json")
		lists := statusLists(t, a, jsonlds)
		genuine := slices.Clone(files)
		for i, l := range lists {
			genuine = append(genuine, crosscheckFile{name: "list" + string(rune('0'+i)) + ".json", form: "status-list", data: l})
		}

		// Tampered: the holder's name changed after signing.
		tampered := bytes.Replace(jsonlds[0], []byte("Noor Haddad"), []byte("Noor Hadad"), 1)
		if bytes.Equal(tampered, jsonlds[0]) {
			t.Fatal("the holder's name is not in the credential")
		}
		// Foreign: the same credential signed, in both forms, by a key
		// that is not the portal's, under the portal's key ID.
		var doc map[string]any
		if err := json.Unmarshal(jsonlds[0], &doc); err != nil {
			t.Fatal(err)
		}
		vm := doc["proof"].([]any)[0].(map[string]any)["verificationMethod"].(string)
		delete(doc, "proof")
		_, foreignKey, _ := ed25519.GenerateKey(rand.Reader)
		foreign := openbadges.Signer{Key: foreignKey, VerificationMethod: vm}
		forged, err := openbadges.Sign(doc, foreign, a.Clock.Now(), openbadges.NewLoader())
		if err != nil {
			t.Fatal(err)
		}
		forgedJSON, err := json.Marshal(forged)
		if err != nil {
			t.Fatal(err)
		}
		forgedJWT, err := openbadges.SignJWT(doc, foreign, openbadges.NewLoader())
		if err != nil {
			t.Fatal(err)
		}
		// Baked badges whose credential was changed after signing: in the
		// PNG with the chunk's CRC made right again, in the SVG's text.
		tamperedPNG, err := openbadges.BakePNG(files[2].data, string(tampered))
		if err != nil {
			t.Fatal(err)
		}
		tamperedSVG := bytes.Replace(files[3].data, []byte("Noor Haddad"), []byte("Noor Hadad"), 1)
		if bytes.Equal(tamperedSVG, files[3].data) {
			t.Fatal("the holder's name is not in the baked SVG")
		}
		bad := []crosscheckFile{
			{name: "tampered.json", form: "json-ld", data: tampered},
			{name: "foreign.json", form: "json-ld", data: forgedJSON},
			{name: "foreign.jwt", form: "vc-jwt", data: []byte(forgedJWT)},
			{name: "tampered.png", form: "png", data: tamperedPNG},
			{name: "tampered.svg", form: "svg", data: tamperedSVG},
		}
		// A baked PNG whose credential chunk was changed without fixing its
		// CRC does not unbake.
		i := bytes.Index(files[2].data, []byte("Noor Haddad"))
		if i < 0 {
			t.Fatal("the holder's name is not in the baked PNG")
		}
		broken := slices.Clone(files[2].data)
		broken[i] = 'M'

		results := crosscheck(t, node, script, a.Clock.Now(), did, lists,
			append(append(slices.Clone(genuine), bad...), crosscheckFile{name: "broken.png", form: "png", data: broken}))
		for _, f := range genuine {
			if r := results[f.name]; len(r.failed()) > 0 {
				t.Errorf("%s (%s) fails %v with the npm libraries: %+v", f.name, f.form, r.failed(), r.Checks)
			}
			if r := results[f.name]; (f.form == "png" || f.form == "svg") && r.Unbaked != "json-ld" {
				t.Errorf("%s unbaked to %q, want the JSON-LD credential", f.name, r.Unbaked)
			}
		}
		if r := results["broken.png"]; r.Checks["proof"].OK || !strings.Contains(r.Checks["proof"].Error, "CRC") {
			t.Errorf("a PNG with a wrong CRC: %+v, want the proof check failing on the CRC", r.Checks)
		}
		for _, f := range bad {
			if r := results[f.name]; strings.Join(r.failed(), ",") != "proof" {
				t.Errorf("%s: failed %v, want proof alone: %+v", f.name, r.failed(), r.Checks)
			}
		}

		// Rotate the key, then revoke the first credential: its bit is set
		// on its revocation list, which is signed again with the new key.
		if code, out, errOut := runCLI(t, a, "keys", "rotate"); code != 0 {
			t.Fatalf("keys rotate: exit %d\n%s\n%s", code, out, errOut)
		}
		a.Clock.Advance(time.Minute)
		st := a.OpenStore(t)
		revokeInStore(t, st, ids[0])
		rotatedDID := download(t, a, "/.well-known/did.json")
		if bytes.Equal(rotatedDID, did) {
			t.Fatal("the DID document did not change with the rotation")
		}
		rotatedLists := statusLists(t, a, jsonlds)
		for i, l := range rotatedLists {
			if bytes.Contains(l, []byte(`"`+vm+`"`)) {
				t.Errorf("status list %d is still signed with %s after the rotation", i, vm)
			}
			files = append(files, crosscheckFile{name: "list" + string(rune('0'+i)) + ".json", form: "status-list", data: l})
		}
		results = crosscheck(t, node, script, a.Clock.Now(), rotatedDID, rotatedLists, files)
		for _, f := range files {
			r := results[f.name]
			got := strings.Join(r.failed(), ",")
			revoked := strings.HasPrefix(f.name, "c0.")
			switch {
			case revoked && (got != "status" || !r.Checks["status"].Revoked):
				t.Errorf("%s after revocation: failed %q, want status (revoked): %+v", f.name, got, r.Checks)
			case !revoked && got != "":
				t.Errorf("%s after the rotation: failed %q with the npm libraries: %+v", f.name, got, r.Checks)
			}
		}
	})
}
