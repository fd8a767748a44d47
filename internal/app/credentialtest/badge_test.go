package credentialtest

import (
	"bytes"
	"html"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/openbadges"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestBadgesBakedWithTheCredential: the holder downloads the badge of each
// credential as a 600×600 PNG and as an SVG, each baked with exactly the
// signed JSON credential; another candidate gets 404; the public page
// offers the same badges; the verify API and `certportal verify` accept
// the baked images; the Certifications page links LinkedIn's
// Add-to-Profile with the certification and never the holder.
func TestBadgesBakedWithTheCredential(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, holderEmail, hc, oc := demoHolders(t, engine)
		id := printedIDs(t, a)[0]
		page := apptest.Body(t, a.Get(t, hc, "/certifications"))
		links := regexp.MustCompile(`href="(/certifications/(\d+)/badge\.(png|svg))"`).FindAllStringSubmatch(page, -1)
		if len(links) < 4 {
			t.Fatalf("%d badge links on the Certifications page, want two per credential:\n%s", len(links), page)
		}
		dir := t.TempDir()
		for _, l := range links {
			resp := a.Get(t, hc, l[1])
			body := []byte(apptest.Body(t, resp))
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("holder GET %s: %d %v", l[1], resp.StatusCode, resp.Header)
			}
			want := apptest.Body(t, a.Get(t, hc, "/certifications/"+l[2]+"/credential.json"))
			got, err := openbadges.Unbake(body)
			if err != nil || got != want {
				t.Errorf("%s unbakes to %.80q, %v; want the JSON credential", l[1], got, err)
			}
			switch l[3] {
			case "png":
				if ct := resp.Header.Get("Content-Type"); ct != "image/png" {
					t.Errorf("%s Content-Type %q", l[1], ct)
				}
				img, err := png.Decode(bytes.NewReader(body))
				if err != nil || img.Bounds().Dx() != 600 || img.Bounds().Dy() != 600 {
					t.Errorf("%s is not a 600×600 PNG: %v", l[1], err)
				}
			case "svg":
				if ct := resp.Header.Get("Content-Type"); ct != "image/svg+xml" {
					t.Errorf("%s Content-Type %q", l[1], ct)
				}
			}
			if resp := a.Get(t, oc, l[1]); resp.StatusCode != http.StatusNotFound {
				t.Errorf("another candidate GET %s: %d, want 404", l[1], resp.StatusCode)
			}
		}

		// The public page's badges, through the verify API and offline.
		signedOut := a.Client()
		pub := apptest.Body(t, a.Get(t, signedOut, "/credentials/"+id))
		kit, _ := fetchKit(t, a, dir, "kit.json")
		for _, c := range []struct{ ext, ctype string }{{"png", "image/png"}, {"svg", "image/svg+xml"}} {
			path := "/credentials/" + id + "/badge." + c.ext
			if !strings.Contains(pub, `href="`+path+`"`) {
				t.Errorf("the verification page does not link %s", path)
			}
			resp := a.Get(t, signedOut, path)
			img := []byte(apptest.Body(t, resp))
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != c.ctype {
				t.Fatalf("GET %s: %d %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if v := mustVerify(t, a, c.ctype, img); !v.Verified || v.Form != openbadges.FormJSONLD {
				t.Errorf("verify API, baked %s: verified %v, failed %v: %+v", c.ext, v.Verified, v.Failed(), v.Checks)
			}
			if code, out, errOut := runCLI(t, a, "verify", writeFile(t, dir, "badge."+c.ext, img), "--kit", kit); code != 0 || !strings.Contains(out, "VERIFIED") {
				t.Errorf("certportal verify badge.%s: exit %d\n%s\n%s", c.ext, code, out, errOut)
			}
			// An image without a credential fails the schema check.
			if v := mustVerify(t, a, c.ctype, bakedless(c.ext)); v.Verified || v.Checks[0].OK {
				t.Errorf("an unbaked %s verified: %+v", c.ext, v.Checks)
			}
		}

		// Badges are drawn once per certification and logo, then baked
		// per request: each printed credential's public badge carries its
		// own credential, not one baked before it.
		ids := printedIDs(t, a)
		if len(ids) < 2 {
			t.Fatalf("the demo prints %d credentials, want several", len(ids))
		}
		for _, pid := range ids {
			path := "/credentials/" + pid + "/badge.png"
			resp := a.Get(t, signedOut, path)
			got, err := openbadges.Unbake([]byte(apptest.Body(t, resp)))
			if want := apptest.Body(t, a.Get(t, signedOut, "/credentials/"+pid+"/credential.json")); err != nil || got != want {
				t.Errorf("%s unbakes to %.80q, %v; want its own JSON credential", path, got, err)
			}
		}

		// LinkedIn: the certification and the credential, never the holder.
		m := regexp.MustCompile(`class="cert-linkedin" href="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no LinkedIn link on the Certifications page")
		}
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if u.Host != "www.linkedin.com" || q.Get("startTask") != "CERTIFICATION_NAME" || q.Get("certId") == "" || !strings.Contains(page, q.Get("name")) ||
			!strings.HasPrefix(q.Get("certUrl"), a.URL+"/credentials/") || q.Get("organizationName") == "" {
			t.Errorf("LinkedIn link %s", u)
		}
		if strings.Contains(m[1], "Noor") || strings.Contains(m[1], "Haddad") || strings.Contains(m[1], url.QueryEscape(holderEmail)) || strings.Contains(m[1], "certified%40") {
			t.Errorf("the LinkedIn link names the holder: %s", m[1])
		}
	})
}

// bakedless is a badge image of the given format without a credential.
func bakedless(ext string) []byte {
	if ext == "svg" {
		return []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>`)
	}
	return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x00IEND\xaeB`\x82")
}

// TestDemoRevokedCredential: serve --demo prints a revoked credential,
// whose public page says Revoked and whose credential fails the status
// check.
func TestDemoRevokedCredential(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		m := regexp.MustCompile(`/credentials/([0-9A-Z*~$=]{27})  \(revoked\)\n`).FindStringSubmatch(a.Stdout())
		if m == nil {
			t.Fatalf("the demo printed no revoked credential:\n%s", a.Stdout())
		}
		for _, good := range printedIDs(t, a) {
			if good == m[1] {
				t.Fatal("the revoked credential is printed among the valid ones")
			}
		}
		page := apptest.Body(t, a.Get(t, a.Client(), "/credentials/"+m[1]))
		if !strings.Contains(page, "Revoked") || strings.Contains(page, "issued in error") || strings.Contains(page, "issued_in_error") {
			t.Errorf("the revoked credential's page:\n%s", page)
		}
		doc := []byte(apptest.Body(t, a.Get(t, a.Client(), "/credentials/"+m[1]+"/credential.json")))
		if v := mustVerify(t, a, "application/ld+json", doc); v.Verified || strings.Join(v.Failed(), ",") != "status" {
			t.Errorf("the revoked credential: verified %v, failed %v", v.Verified, v.Failed())
		}
	})
}
