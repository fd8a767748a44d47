package credentialtest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/openbadges"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// mustVerify posts a credential and checks that the 200 answer lists the
// five checks in order.
func mustVerify(t *testing.T, a *apptest.App, contentType string, body []byte) apptest.VerifyAnswer {
	t.Helper()
	v := a.Verify(t, contentType, body)
	if len(v.Checks) != 5 {
		t.Fatalf("checks = %+v, want schema, key, proof, status, dates", v.Checks)
	}
	for i, want := range []string{"schema", "key", "proof", "status", "dates"} {
		if v.Checks[i].Check != want {
			t.Errorf("check %d is %q, want %q", i, v.Checks[i].Check, want)
		}
	}
	return v
}

// runCLI runs the binary's Main with the app's environment and clock.
func runCLI(t *testing.T, a *apptest.App, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := maps.Clone(a.Env)
	env["CERTPORTAL_BASE_URL"] = a.URL
	m := apptest.Main(&out, &errOut, env)
	m.Clock = a.Clock
	code := m.Run(context.Background(), args)
	return code, out.String(), errOut.String()
}

// fetchKit downloads the offline kit into a file and returns its path and
// its time.
func fetchKit(t *testing.T, a *apptest.App, dir, name string) (string, string) {
	t.Helper()
	resp := a.Get(t, a.Client(), "/credentials/kit.json")
	body := apptest.Body(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("kit: %d\n%s", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("kit Access-Control-Allow-Origin = %q", got)
	}
	if got := resp.Header.Get("Cache-Control"); got != "public, max-age=300" {
		t.Errorf("kit Cache-Control = %q", got)
	}
	var kit struct {
		MadeAt      string `json:"made_at"`
		DIDDocument struct {
			VerificationMethod []any `json:"verificationMethod"`
		} `json:"did_document"`
		StatusLists []map[string]any `json:"status_lists"`
		Contexts    map[string]any   `json:"contexts"`
	}
	if err := json.Unmarshal([]byte(body), &kit); err != nil {
		t.Fatal(err)
	}
	if len(kit.DIDDocument.VerificationMethod) == 0 || len(kit.StatusLists) < 2 || kit.Contexts[openbadges.ContextOB] == nil {
		t.Fatalf("the kit lacks keys, lists or contexts: %.600s", body)
	}
	purposes := map[string]bool{}
	for _, l := range kit.StatusLists {
		subject, _ := l["credentialSubject"].(map[string]any)
		purpose, _ := subject["statusPurpose"].(string)
		purposes[purpose] = true
		if l["proof"] == nil {
			t.Errorf("kit list %v is not signed", l["id"])
		}
	}
	if !purposes[portal.StatusRevocation] || !purposes[portal.StatusSuspension] {
		t.Errorf("kit list purposes = %v", purposes)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, kit.MadeAt
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestVerifyAPIAndOfflineKit: a credential of this portal verifies through
// the API and offline with the kit, in both forms; a tampered one fails
// proof, one signed by a foreign key fails key, a revoked one fails
// status, an expired one fails dates; a credential signed before a key
// rotation still verifies after it. The API refuses bodies over 2 MiB,
// media types it does not read and browsers on other sites.
func TestVerifyAPIAndOfflineKit(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		dir := t.TempDir()
		id := printedIDs(t, a)[0]
		jsonld := []byte(apptest.Body(t, a.Get(t, a.Client(), "/credentials/"+id+"/credential.json")))
		jwt := []byte(apptest.Body(t, a.Get(t, a.Client(), "/credentials/"+id+"/credential.jwt")))

		// Good, both forms.
		for _, c := range []struct {
			contentType string
			body        []byte
			form        string
		}{
			{"application/ld+json", jsonld, openbadges.FormJSONLD},
			{"application/json", jsonld, openbadges.FormJSONLD},
			{"application/vc+jwt", jwt, openbadges.FormJWT},
			{"text/plain; charset=utf-8", jwt, openbadges.FormJWT},
		} {
			if v := mustVerify(t, a, c.contentType, c.body); !v.Verified || v.Form != c.form {
				t.Errorf("%s: verified %v form %q, failed %v: %+v", c.contentType, v.Verified, v.Form, v.Failed(), v.Checks)
			}
		}

		// Tampered: the holder's name changed after signing.
		tampered := bytes.Replace(jsonld, []byte("Noor Haddad"), []byte("Noor Hadad"), 1)
		if bytes.Equal(tampered, jsonld) {
			t.Fatal("the holder's name is not in the credential")
		}
		if v := mustVerify(t, a, "application/ld+json", tampered); v.Verified || strings.Join(v.Failed(), ",") != "proof" {
			t.Errorf("tampered: verified %v, failed %v", v.Verified, v.Failed())
		}

		// A foreign key under the issuer's DID.
		var doc map[string]any
		if err := json.Unmarshal(jsonld, &doc); err != nil {
			t.Fatal(err)
		}
		delete(doc, "proof")
		_, foreign, _ := ed25519.GenerateKey(rand.Reader)
		issuer := doc["issuer"].(map[string]any)["id"].(string)
		forged, err := openbadges.SignJWT(doc, openbadges.Signer{Key: foreign, VerificationMethod: issuer + "#key-99"}, openbadges.NewLoader())
		if err != nil {
			t.Fatal(err)
		}
		if v := mustVerify(t, a, "application/vc+jwt", []byte(forged)); v.Verified || v.Checks[1].OK {
			t.Errorf("foreign key: verified %v, failed %v", v.Verified, v.Failed())
		}

		// Offline with a kit from the app.
		kit, madeAt := fetchKit(t, a, dir, "kit.json")
		for name, data := range map[string][]byte{"good.json": jsonld, "good.jwt": jwt} {
			code, out, errOut := runCLI(t, a, "verify", writeFile(t, dir, name, data), "--kit", kit)
			if code != 0 || !strings.Contains(out, "status as of "+madeAt) || !strings.Contains(out, "VERIFIED") {
				t.Errorf("verify %s with the kit: exit %d\n%s\n%s", name, code, out, errOut)
			}
		}
		if code, out, _ := runCLI(t, a, "verify", "--kit", kit, writeFile(t, dir, "tampered.json", tampered)); code != 1 || !strings.Contains(out, "proof   FAIL") {
			t.Errorf("verify tampered with the kit: exit %d\n%s", code, out)
		}
		if code, out, _ := runCLI(t, a, "verify", writeFile(t, dir, "forged.jwt", []byte(forged)), "--kit", kit); code != 1 || !strings.Contains(out, "key     FAIL") {
			t.Errorf("verify forged with the kit: exit %d\n%s", code, out)
		}
		// Without a kit: against the portal's database.
		if code, out, errOut := runCLI(t, a, "verify", filepath.Join(dir, "good.json")); code != 0 || !strings.Contains(out, "VERIFIED") {
			t.Errorf("verify against the database: exit %d\n%s\n%s", code, out, errOut)
		}
		for _, args := range [][]string{{"verify"}, {"verify", "a.json", "b.json"}, {"verify", "--kit"}} {
			if code, _, errOut := runCLI(t, a, args...); code != 2 {
				t.Errorf("%v: exit %d, want 2\n%s", args, code, errOut)
			}
		}
		if code, _, errOut := runCLI(t, a, "verify", filepath.Join(dir, "good.json"), "--kit", filepath.Join(dir, "good.jwt")); code != 1 || !strings.Contains(errOut, "not an offline kit") {
			t.Errorf("a credential as the kit: exit %d\n%s", code, errOut)
		}

		// After a key rotation, what key-1 signed still verifies.
		if code, out, errOut := runCLI(t, a, "keys", "rotate"); code != 0 {
			t.Fatalf("keys rotate: exit %d\n%s\n%s", code, out, errOut)
		}
		if v := mustVerify(t, a, "application/ld+json", jsonld); !v.Verified {
			t.Errorf("after rotation: failed %v: %+v", v.Failed(), v.Checks)
		}
		rotatedKit, _ := fetchKit(t, a, dir, "kit-rotated.json")
		if code, out, _ := runCLI(t, a, "verify", filepath.Join(dir, "good.jwt"), "--kit", rotatedKit); code != 0 {
			t.Errorf("after rotation, with the new kit: exit %d\n%s", code, out)
		}

		// Revoked: the credential's bit set on its revocation list.
		a.Clock.Advance(time.Minute)
		st := a.OpenStore(t)
		revokeInStore(t, st, id)
		if v := mustVerify(t, a, "application/ld+json", jsonld); v.Verified || strings.Join(v.Failed(), ",") != "status" || !strings.Contains(v.Checks[3].Detail, "revoked") {
			t.Errorf("revoked: verified %v, checks %+v", v.Verified, v.Checks)
		}
		revokedKit, _ := fetchKit(t, a, dir, "kit-revoked.json")
		if code, out, _ := runCLI(t, a, "verify", filepath.Join(dir, "good.jwt"), "--kit", revokedKit); code != 1 || !strings.Contains(out, "status  FAIL revoked") {
			t.Errorf("revoked, with a kit made after: exit %d\n%s", code, out)
		}
		if code, out, _ := runCLI(t, a, "verify", filepath.Join(dir, "good.jwt"), "--kit", kit); code != 0 || !strings.Contains(out, "status as of "+madeAt) {
			t.Errorf("revoked, with a kit made before: exit %d\n%s", code, out)
		}

		// Expired: the clock past validUntil.
		until, err := time.Parse(time.RFC3339, doc["validUntil"].(string))
		if err != nil {
			t.Fatal(err)
		}
		a.Clock.Advance(until.Sub(a.Clock.Now()) + time.Hour)
		if v := mustVerify(t, a, "application/ld+json", jsonld); v.Verified || !strings.Contains(strings.Join(v.Failed(), ","), "dates") {
			t.Errorf("expired: verified %v, checks %+v", v.Verified, v.Checks)
		}

		// Refusals: too large, an image, a browser on another site.
		if resp, raw := a.PostVerify(t, "application/ld+json", bytes.Repeat([]byte(" "), openbadges.MaxCredentialSize+1)); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("over 2 MiB: %d\n%.300s", resp.StatusCode, raw)
		}
		for _, ct := range []string{"image/gif", ""} {
			if resp, raw := a.PostVerify(t, ct, []byte("x")); resp.StatusCode != http.StatusUnsupportedMediaType {
				t.Errorf("%q: %d\n%.300s", ct, resp.StatusCode, raw)
			}
		}
		if resp, raw := a.PostVerify(t, "application/ld+json", jsonld, "Origin", "https://elsewhere.example", "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a browser on another site: %d\n%.300s", resp.StatusCode, raw)
		}
	})
}

// FuzzVerifyAPI: whatever the body, the verify API never answers 500.
func FuzzVerifyAPI(f *testing.F) {
	a := apptest.Start(f, store.SQLite, apptest.WithArgs("--demo"))
	id := printedIDs(f, a)[0]
	jsonld := apptest.Body(f, a.Get(f, a.Client(), "/credentials/"+id+"/credential.json"))
	jwt := apptest.Body(f, a.Get(f, a.Client(), "/credentials/"+id+"/credential.jwt"))
	f.Add("application/ld+json", []byte(jsonld))
	f.Add("application/vc+jwt", []byte(jwt))
	f.Add("application/json", []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"99999999","statusListCredential":"`+a.URL+`/credentials/status/revocation/1"}}`))
	f.Add("text/plain", []byte("eyJhbGciOiJFZERTQSJ9.e30.AAAA"))
	f.Add("application/json", []byte(`{"proof":[{},{}],"issuer":7}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		req, err := http.NewRequest(http.MethodPost, a.URL+"/api/v1/credentials/verify", bytes.NewReader(body))
		if err != nil {
			t.Skip()
		}
		for _, b := range []byte(contentType) {
			if (b < 0x20 && b != '\t') || b == 0x7f {
				t.Skip("the client does not send control characters in a header")
			}
		}
		req.Header.Set("Content-Type", contentType)
		resp, err := a.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw := apptest.Body(t, resp)
		if resp.StatusCode >= 500 {
			t.Fatalf("%q %.200q: %d\n%s", contentType, body, resp.StatusCode, raw)
		}
	})
}

// revokeInStore revokes a credential straight in the store, as an
// officer's revocation leaves it: the credential marked revoked and its
// bit set in the revocation list.
func revokeInStore(t *testing.T, st *store.Store, id string) {
	t.Helper()
	ctx := context.Background()
	err := st.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.FindCredentialByCredentialID(ctx, portal.CredentialID(id))
		if err != nil {
			return err
		}
		if _, err := tx.RevokeCredential(ctx, c.ID, "issued_in_error"); err != nil {
			return err
		}
		e := c.Entry(portal.StatusRevocation)
		list, err := tx.LockStatusList(ctx, e.ListID)
		if err != nil {
			return err
		}
		list.Bits[e.Index/8] |= 0x80 >> (e.Index % 8)
		return tx.UpdateStatusListBits(ctx, list.ID, list.Bits)
	})
	if err != nil {
		t.Fatal(err)
	}
}
