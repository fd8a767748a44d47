package credentialtest

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/openbadges"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// demoCertifiedRe finds the demo certified candidate's email and password.
var demoCertifiedRe = regexp.MustCompile(`certified\s+email (\S+)\s+password (\S+)`)

// printedIDs are the credential IDs the demo printed with their URLs.
func printedIDs(t testing.TB, a *apptest.App) []string {
	t.Helper()
	var ids []string
	for _, m := range regexp.MustCompile(`/credentials/([0-9A-Z*~$=]{27})\n`).FindAllStringSubmatch(a.Stdout(), -1) {
		ids = append(ids, m[1])
	}
	if len(ids) == 0 {
		t.Fatalf("the demo printed no credential URL:\n%s", a.Stdout())
	}
	return ids
}

// demoHolders starts the demo and signs in its certified holder and
// another candidate; it returns the app, the holder's email and both
// clients.
func demoHolders(t *testing.T, engine string) (a *apptest.App, holderEmail string, hc, oc *http.Client) {
	t.Helper()
	a = apptest.Start(t, engine, apptest.WithArgs("--demo"))
	holder := demoCertifiedRe.FindStringSubmatch(a.Stdout())
	other := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
	hc, _ = a.SignIn(t, holder[1], holder[2])
	oc, _ = a.SignIn(t, other[1], other[2])
	return a, holder[1], hc, oc
}

// resolver reads the portal's DID document as an outside verifier would.
func resolver(t *testing.T, a *apptest.App) openbadges.KeyResolver {
	t.Helper()
	var doc struct {
		VerificationMethod []struct{ ID, PublicKeyMultibase string } `json:"verificationMethod"`
	}
	if err := json.Unmarshal([]byte(apptest.Body(t, a.Get(t, a.Client(), "/.well-known/did.json"))), &doc); err != nil {
		t.Fatal(err)
	}
	keys := map[string]ed25519.PublicKey{}
	for _, vm := range doc.VerificationMethod {
		pub, err := openbadges.DecodeMultikey(vm.PublicKeyMultibase)
		if err != nil {
			t.Fatal(err)
		}
		keys[vm.ID] = pub
	}
	return func(vm string) (ed25519.PublicKey, error) {
		if k, ok := keys[vm]; ok {
			return k, nil
		}
		return nil, fmt.Errorf("unknown key %s", vm)
	}
}

// TestHolderDownloadsBothFormsOthersGetNotFound: the Certifications page
// offers the holder both signed forms, which verify against the DID
// document; another candidate asking for them gets a 404.
func TestHolderDownloadsBothFormsOthersGetNotFound(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		holder := demoCertifiedRe.FindStringSubmatch(a.Stdout())
		other := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		hc, _ := a.SignIn(t, holder[1], holder[2])
		page := apptest.Body(t, a.Get(t, hc, "/certifications"))
		links := regexp.MustCompile(`href="(/certifications/\d+/credential\.(?:json|jwt))"`).FindAllStringSubmatch(page, -1)
		if len(links) < 4 {
			t.Fatalf("%d credential downloads on the Certifications page, want two per credential:\n%s", len(links), page)
		}
		if strings.Contains(page, "Verifiable credential: available soon") {
			t.Error("the credential placeholder is still shown")
		}
		resolve := resolver(t, a)
		oc, _ := a.SignIn(t, other[1], other[2])
		for _, l := range links {
			resp := a.Get(t, hc, l[1])
			body := apptest.Body(t, resp)
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("holder GET %s: %d %v", l[1], resp.StatusCode, resp.Header)
			}
			if r := openbadges.Verify([]byte(body), resolve, time.Now(), openbadges.NewLoader()); !r.Valid() {
				t.Errorf("%s does not verify: %+v", l[1], r.Checks)
			}
			if resp := a.Get(t, oc, l[1]); resp.StatusCode != http.StatusNotFound {
				t.Errorf("another candidate GET %s: %d, want 404", l[1], resp.StatusCode)
			}
		}
	})
}

// TestPublicVerificationPage: anyone, signed out, sees status, holder,
// certification and issuer of a credential, never the holder's email,
// login ID or scores; the page needs no script and asks not to be
// indexed; an ID in another case or spacing redirects to the canonical
// one; unknown IDs are not found; the form reports a bad ID next to its
// field.
func TestPublicVerificationPage(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		ids := printedIDs(t, a)
		holder := demoCertifiedRe.FindStringSubmatch(a.Stdout())
		c := a.Client()
		resp := a.Get(t, c, "/credentials/"+ids[0])
		page := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("verification page: %d\n%s", resp.StatusCode, page)
		}
		for _, want := range []string{"Noor Haddad", `<meta name="robots" content="noindex">`, "Valid", "did:web:",
			"/credentials/" + ids[0] + "/credential.json", "/credentials/" + ids[0] + "/credential.jwt"} {
			if !strings.Contains(page, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		u, err := a.OpenStore(t).FindUserByEmail(context.Background(), holder[1])
		if err != nil {
			t.Fatal(err)
		}
		// The scores of the demo's passes, outside the ID (random digits).
		rest := strings.ReplaceAll(strings.ReplaceAll(page, ids[0], ""), portal.CredentialID(ids[0]).String(), "")
		for _, leak := range []string{holder[1], u.LoginID, "<script", "812", "765"} {
			if strings.Contains(rest, leak) {
				t.Errorf("the page shows %q", leak)
			}
		}
		for _, form := range []string{"json", "jwt"} {
			resp := a.Get(t, c, "/credentials/"+ids[0]+"/credential."+form)
			if body := apptest.Body(t, resp); resp.StatusCode != http.StatusOK || strings.Contains(body, holder[1]) {
				t.Errorf("public %s download: %d", form, resp.StatusCode)
			}
		}
		// Any case and spacing: a redirect to the canonical form.
		sloppy := strings.ToLower(ids[0][:4]) + "-" + ids[0][4:8] + " " + ids[0][8:]
		resp = a.Get(t, c, "/credentials/"+strings.ReplaceAll(sloppy, " ", "%20"))
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/credentials/"+ids[0] {
			t.Errorf("sloppy ID: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		// Unknown and malformed IDs.
		unknown, err := portal.NewCredentialID()
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/credentials/" + string(unknown), "/credentials/" + flipLast(ids[0]), "/credentials/nonsense"} {
			if resp := a.Get(t, c, path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
			}
		}
		// The language switch returns to the page asked for, known or not.
		for path, status := range map[string]int{"/credentials/" + ids[0]: http.StatusOK, "/credentials/" + string(unknown): http.StatusNotFound} {
			if next := a.GetPage(t, c, path, status).AttrOf(`form.language-form input[name="next"]`, "value"); next != path {
				t.Errorf("GET %s: the language form returns to %q", path, next)
			}
		}
		// The form.
		resp = a.Get(t, c, "/credentials?id="+strings.ToLower(ids[0]))
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/credentials/"+ids[0] {
			t.Errorf("form with a good ID: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		doc := a.GetPage(t, c, "/credentials", http.StatusOK)
		if doc.Find(`input[name="id"]`) == nil {
			t.Error("no ID field on the form")
		}
		bad := apptest.Body(t, a.Get(t, c, "/credentials?id="+flipLast(ids[0])))
		if !regexp.MustCompile(`id="id-error"`).MatchString(bad) || !strings.Contains(bad, "not a valid credential ID") {
			t.Errorf("a mistyped ID is not reported next to the field:\n%s", bad)
		}
	})
}

// flipLast changes the check character of an ID, so that it no longer
// parses.
func flipLast(id string) string {
	last := id[len(id)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return id[:len(id)-1] + string(repl)
}

// TestVerificationIsRateLimitedPerAddress: after 60 lookups in a minute
// an address gets 429.
func TestVerificationIsRateLimitedPerAddress(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		id := printedIDs(t, a)[0]
		c := a.Client()
		limited := 0
		for i := range 70 {
			resp := a.Get(t, c, "/credentials/"+id)
			_ = apptest.Body(t, resp)
			switch resp.StatusCode {
			case http.StatusOK:
				if limited > 0 {
					t.Fatalf("lookup %d passed after the limit", i+1)
				}
			case http.StatusTooManyRequests:
				limited++
			default:
				t.Fatalf("lookup %d: %d", i+1, resp.StatusCode)
			}
		}
		if limited == 0 || limited > 10 {
			t.Errorf("%d of 70 lookups refused, want those over 60 (one window boundary may reset the count)", limited)
		}
	})
}

// TestStatusListsAreServedSignedToAnyOrigin: the status list a credential
// names is served signed, to any origin, cacheable for 5 minutes.
func TestStatusListsAreServedSignedToAnyOrigin(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		id := printedIDs(t, a)[0]
		var cred struct {
			CredentialStatus []struct{ StatusListCredential string } `json:"credentialStatus"`
		}
		if err := json.Unmarshal([]byte(apptest.Body(t, a.Get(t, a.Client(), "/credentials/"+id+"/credential.json"))), &cred); err != nil {
			t.Fatal(err)
		}
		if len(cred.CredentialStatus) != 2 {
			t.Fatalf("credentialStatus = %+v", cred.CredentialStatus)
		}
		resolve := resolver(t, a)
		for _, st := range cred.CredentialStatus {
			path := strings.TrimPrefix(st.StatusListCredential, a.URL)
			resp := a.Get(t, a.Client(), path)
			body := apptest.Body(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", path, resp.StatusCode)
			}
			if got := resp.Header.Get("Cache-Control"); got != "public, max-age=300" {
				t.Errorf("%s Cache-Control = %q", path, got)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("%s Access-Control-Allow-Origin = %q", path, got)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatal(err)
			}
			proof := doc["proof"].([]any)[0].(map[string]any)
			pub, err := resolve(proof["verificationMethod"].(string))
			if err != nil {
				t.Fatal(err)
			}
			if err := openbadges.VerifyProof(doc, pub, openbadges.NewLoader()); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		}
		if resp := a.Get(t, a.Client(), "/credentials/status/revocation/9"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("an unknown list: %d", resp.StatusCode)
		}
	})
}

// TestVerificationAPI: GET /api/v1/credentials/{id} answers anyone with
// the page's fields, for an ID in any case and spacing, and nothing of
// the holder beyond the name.
func TestVerificationAPI(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		id := printedIDs(t, a)[0]
		holder := demoCertifiedRe.FindStringSubmatch(a.Stdout())
		r := a.API(t, a.Client(), http.MethodGet, "/api/v1/credentials/"+strings.ToLower(id[:4])+"-"+id[4:], "")
		apptest.WantStatus(t, r, http.StatusOK)
		raw := r.JSON
		if raw["id"] != id || raw["status"] != "active" || raw["holder_name"] != "Noor Haddad" || raw["documents"] == nil {
			t.Errorf("credential = %v", raw)
		}
		if strings.Contains(r.Raw, holder[1]) || strings.Contains(r.Raw, "score") {
			t.Errorf("the API shows more than the page: %s", r.Raw)
		}
		unknown, _ := portal.NewCredentialID()
		apptest.WantStatus(t, a.API(t, a.Client(), http.MethodGet, "/api/v1/credentials/"+string(unknown), ""), http.StatusNotFound)
	})
}
