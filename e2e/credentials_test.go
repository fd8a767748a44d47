package e2e_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/openbadges"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// credentialJourney is the credentials journey's browser and what it
// learnt on the way.
type credentialJourney struct {
	t *testing.T
	a *apptest.App
	b *testutil.Browser
	// cert is the selector of the SAA certification on the
	// Certifications page.
	cert string
	// jsonLD is the signed credential the holder downloaded.
	jsonLD []byte
	// statusURL and statusIndex name the credential's revocation bit.
	statusURL   string
	statusIndex int
}

// download saves the link sel of the SAA certification's entry and checks
// the name the browser offered it under ends in ext.
func (j *credentialJourney) download(sel, ext string) []byte {
	j.t.Helper()
	name, data := j.b.Download(j.cert + " " + sel)
	if !strings.HasSuffix(name, ext) {
		j.t.Errorf("%s downloads as %q, want a %s file", sel, name, ext)
	}
	return data
}

// revocationBit reads the served revocation list as a verifier whose
// cached copy has expired: it checks the list's proof against the key
// the portal's DID document lists and returns the credential's bit and
// the list's cache lifetime.
func (j *credentialJourney) revocationBit() (bool, time.Duration) {
	j.t.Helper()
	resp := j.a.Get(j.t, j.a.Client(), strings.TrimPrefix(j.statusURL, j.a.URL))
	raw := apptest.Body(j.t, resp)
	if resp.StatusCode != http.StatusOK {
		j.t.Fatalf("GET %s: %d\n%s", j.statusURL, resp.StatusCode, raw)
	}
	m := regexp.MustCompile(`max-age=(\d+)`).FindStringSubmatch(resp.Header.Get("Cache-Control"))
	if m == nil {
		j.t.Fatalf("%s has no cache lifetime: Cache-Control %q", j.statusURL, resp.Header.Get("Cache-Control"))
	}
	seconds, _ := strconv.Atoi(m[1])
	var list map[string]any
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		j.t.Fatal(err)
	}
	proofs, _ := list["proof"].([]any)
	if len(proofs) != 1 {
		j.t.Fatalf("%s carries %d proofs, want 1", j.statusURL, len(proofs))
	}
	method, _ := proofs[0].(map[string]any)["verificationMethod"].(string)
	if err := openbadges.VerifyProof(list, j.didKey(method), openbadges.NewLoader()); err != nil {
		j.t.Fatalf("the proof of %s: %v", j.statusURL, err)
	}
	subject, _ := list["credentialSubject"].(map[string]any)
	encoded, _ := subject["encodedList"].(string)
	bits, err := credentials.DecodeList(encoded)
	if err != nil {
		j.t.Fatalf("%s: %v", j.statusURL, err)
	}
	if j.statusIndex/8 >= len(bits) {
		j.t.Fatalf("index %d beyond the %d bits of %s", j.statusIndex, 8*len(bits), j.statusURL)
	}
	// Bit 0 is the most significant bit of the first byte.
	return bits[j.statusIndex/8]&(0x80>>(j.statusIndex%8)) != 0, time.Duration(seconds) * time.Second
}

// didKey is the public key of the verification method, as the portal's
// DID document lists it.
func (j *credentialJourney) didKey(method string) []byte {
	j.t.Helper()
	var doc struct {
		VerificationMethod []struct {
			ID                 string `json:"id"`
			PublicKeyMultibase string `json:"publicKeyMultibase"`
		} `json:"verificationMethod"`
	}
	if err := json.Unmarshal([]byte(apptest.Body(j.t, j.a.Get(j.t, j.a.Client(), "/.well-known/did.json"))), &doc); err != nil {
		j.t.Fatal(err)
	}
	for _, vm := range doc.VerificationMethod {
		if vm.ID == method {
			pub, err := openbadges.DecodeMultikey(vm.PublicKeyMultibase)
			if err != nil {
				j.t.Fatal(err)
			}
			return pub
		}
	}
	j.t.Fatalf("the DID document does not list %s", method)
	return nil
}

// yearMonth is the year and the month without a leading zero of a day
// as the pages show it ("Jan 2, 2006").
func yearMonth(t *testing.T, day string) (string, string) {
	t.Helper()
	d, err := time.Parse("Jan 2, 2006", day)
	if err != nil {
		t.Fatalf("day %q: %v", day, err)
	}
	return strconv.Itoa(d.Year()), strconv.Itoa(int(d.Month()))
}

// TestCredentialJourney walks the credentials journey in a browser on the
// demo data, whose certified candidate's credentials came the real way: a
// passed result, published, issued a certification, which the credentials
// reaction signed. The holder opens Certifications and downloads the
// JSON-LD credential, the VC-JWT and the badge as PNG and SVG: each
// verifies, and each badge unbakes to the credential. The LinkedIn link
// carries the certification, the organization, the months of issue and
// expiry, the verification page and the credential ID, and nothing of the
// holder. Signed out, the verification page says valid, with the holder's
// name and the certification, no email or login ID, and asks not to be
// indexed. A credential officer finds the credential in the console and
// revokes it with a reason after signing in again; the public page then
// says revoked with the date and never the reason, the verify API fails
// its status, and the served revocation list has the bit set once a
// verifier's cached copy has expired. Every page passes the
// accessibility check at desktop and phone sizes.
func TestCredentialJourney(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		j := &credentialJourney{t: t, a: a, b: testutil.NewBrowser(t)}
		b := j.b
		email, password := demoAccount(t, a, "certified")
		loginID := demoLoginID(t, a, "certified")

		// 1. The holder's Certifications page.
		signInAs(t, a, b, email, password)
		follow(b, `nav.main-nav a[href="/certifications"]`)
		j.cert = entryWith(t, b, "ul.cert-list > li", "h2 code", "SAA")
		if !b.HasElement(j.cert + " a.cert-linkedin") {
			t.Fatalf("the SAA certification offers no signed credential: %q", b.Text(j.cert))
		}
		checkPage(t, b, "certifications")

		// Both forms of the credential verify.
		j.jsonLD = j.download(`li.cert-credential a[href$="/credential.json"]`, ".json")
		jwt := j.download(`li.cert-credential a[href$="/credential.jwt"]`, ".jwt")
		for _, c := range []struct {
			ctype, form string
			body        []byte
		}{{"application/ld+json", openbadges.FormJSONLD, j.jsonLD}, {"application/vc+jwt", openbadges.FormJWT, jwt}} {
			if v := j.a.Verify(j.t, c.ctype, c.body); !v.Verified || v.Form != c.form {
				t.Errorf("the downloaded %s: verified %v as %q, failed %v", c.form, v.Verified, v.Form, v.Failed())
			}
		}
		var cred struct {
			ID                string `json:"id"`
			CredentialSubject struct {
				Name        string `json:"name"`
				Achievement struct {
					Name string `json:"name"`
				} `json:"achievement"`
			} `json:"credentialSubject"`
			CredentialStatus []struct {
				StatusPurpose        string `json:"statusPurpose"`
				StatusListIndex      string `json:"statusListIndex"`
				StatusListCredential string `json:"statusListCredential"`
			} `json:"credentialStatus"`
		}
		if err := json.Unmarshal(j.jsonLD, &cred); err != nil {
			t.Fatalf("the JSON-LD download: %v", err)
		}
		certName := strings.TrimSpace(strings.TrimSuffix(b.Text(j.cert+" h2"), "SAA"))
		if cred.CredentialSubject.Name != "Noor Haddad" || cred.CredentialSubject.Achievement.Name != certName {
			t.Errorf("the credential is of %q for %q, want %q for Noor Haddad", cred.CredentialSubject.Achievement.Name,
				cred.CredentialSubject.Name, certName)
		}
		for _, st := range cred.CredentialStatus {
			if st.StatusPurpose == "revocation" {
				j.statusURL = st.StatusListCredential
				j.statusIndex, _ = strconv.Atoi(st.StatusListIndex)
			}
		}
		if j.statusURL == "" {
			t.Fatalf("the credential names no revocation list: %+v", cred.CredentialStatus)
		}

		// The badges: a 600×600 PNG and an SVG, each baked with the
		// credential the holder downloaded.
		for _, ext := range []string{".png", ".svg"} {
			img := j.download(`li.cert-badge a[href$="/badge`+ext+`"]`, ext)
			if got, err := openbadges.Unbake(img); err != nil || got != string(j.jsonLD) {
				t.Errorf("the %s badge unbakes to %.80q, %v; want the downloaded credential", ext, got, err)
			}
			if ext == ".png" {
				if pic, err := png.Decode(bytes.NewReader(img)); err != nil || pic.Bounds().Dx() != 600 || pic.Bounds().Dy() != 600 {
					t.Errorf("the PNG badge is not a 600×600 PNG: %v", err)
				}
			} else if !bytes.Contains(img, []byte("<svg")) {
				t.Errorf("the SVG badge has no svg element: %.200q", img)
			}
		}

		// LinkedIn's Add-to-Profile link: the certification, never the
		// holder.
		href := b.Attr(j.cert+" a.cert-linkedin", "href")
		link, err := url.Parse(href)
		if err != nil {
			t.Fatal(err)
		}
		q := link.Query()
		issuedYear, issuedMonth := yearMonth(t, b.Text(j.cert+" .cert-issued"))
		expiresYear, expiresMonth := yearMonth(t, strings.SplitN(b.Text(j.cert+" .cert-expires"), " · ", 2)[0])
		for key, want := range map[string]string{
			"startTask": "CERTIFICATION_NAME", "name": certName,
			"issueYear": issuedYear, "issueMonth": issuedMonth, "expirationYear": expiresYear, "expirationMonth": expiresMonth,
			"certUrl": cred.ID,
		} {
			if got := q.Get(key); got != want {
				t.Errorf("LinkedIn link %s = %q, want %q", key, got, want)
			}
		}
		if link.Scheme != "https" || link.Host != "www.linkedin.com" || link.Path != "/profile/add" {
			t.Errorf("LinkedIn link goes to %s://%s%s", link.Scheme, link.Host, link.Path)
		}
		decoded, _ := url.QueryUnescape(href)
		for _, leak := range []string{"Noor", "Haddad", email, loginID} {
			if strings.Contains(strings.ToLower(decoded), strings.ToLower(leak)) {
				t.Errorf("the LinkedIn link carries %q: %s", leak, href)
			}
		}
		b.Submit(`form[action="/signout"] button`)

		// 2. Signed out, the verification page the link names.
		b.Navigate(q.Get("certUrl"))
		if got := b.Text(".credential-status"); got != "Valid" {
			t.Errorf("verification page status %q, want Valid", got)
		}
		for sel, want := range map[string]string{
			".credential-holder": "Noor Haddad", ".credential-certification": certName + " SAA", ".credential-id": q.Get("certId"),
		} {
			if got := b.Text(sel); got != want {
				t.Errorf("verification page %s = %q, want %q", sel, got, want)
			}
		}
		if issuer := b.Text(".credential-issuer"); !strings.HasPrefix(issuer, q.Get("organizationName")+" did:web:") || q.Get("organizationName") == "" {
			t.Errorf("LinkedIn organizationName %q; the page's issuer %q", q.Get("organizationName"), issuer)
		}
		if !b.HasElement(`head meta[name="robots"][content="noindex"]`) {
			t.Error("the verification page does not ask not to be indexed")
		}
		j.noLeaks(email, loginID)
		// Anyone downloads the same signed credential there.
		if _, public := b.Download(`.credential-downloads a[href$="/credential.json"]`); !bytes.Equal(public, j.jsonLD) {
			t.Errorf("the public JSON-LD differs from the holder's")
		}
		checkPage(t, b, "verification")
		if on, _ := j.revocationBit(); on {
			t.Fatal("the revocation bit of a valid credential is set")
		}

		// 3. A credential officer finds the credential by its ID, typed
		// in lower case with spaces.
		officerKey := signInAsDemoStaff(t, a, b, "credential_officer")
		follow(b, `nav.main-nav a[href="/console/credentials"]`)
		checkPage(t, b, "console-credentials")
		b.Fill("#q", strings.ToLower(strings.ReplaceAll(q.Get("certId"), "-", " ")))
		b.Submit(`form[action="/console/credentials"] button[type=submit]`)
		if got := b.Text("main table tbody"); !strings.Contains(got, "Noor Haddad") || !strings.Contains(got, "SAA") ||
			b.HasElement("main table tbody tr:nth-child(2)") {
			t.Errorf("the search by credential ID found %q, want Noor Haddad's SAA credential alone", got)
		}
		checkPage(t, b, "console-credentials-found")
		follow(b, `main table tbody a[href^="/console/credentials/"]`)
		console := b.URL()
		if got := b.Text("#credential-status"); !strings.HasPrefix(got, "Valid") {
			t.Errorf("console status %q", got)
		}
		checkPage(t, b, "console-credential")

		// Half an hour after signing in, the revocation asks to sign in
		// again and comes back to the credential.
		a.Clock.Advance(31 * time.Minute)
		revoke := func() {
			t.Helper()
			b.Fill("#reason", "misconduct")
			b.Fill("#note", "Proxy testing confirmed.")
			b.Click("#confirm")
			b.Submit(`form[action$="/revoke"] button[type=submit]`)
		}
		revoke()
		if got := b.Text("h1"); got != "Sign in again to continue" {
			t.Fatalf("a stale revocation: h1 %q at %s", got, b.URL())
		}
		checkPage(t, b, "reauth")
		b.Submit(`form[action="/profile/security/reauth"] button[type=submit]`)
		officer, officerPassword := demoAccount(t, a, "credential_officer")
		b.Fill("#email", officer)
		b.Fill("#password", officerPassword)
		b.Submit("form button[type=submit]")
		b.Fill("#code", totpCode(t, a, officerKey))
		b.Submit(`form[action="/signin/mfa"] button[type=submit]`)
		if b.URL() != console {
			t.Fatalf("after signing in again: at %s, want %s", b.URL(), console)
		}
		if got := b.Text("#credential-status"); !strings.HasPrefix(got, "Valid") {
			t.Fatalf("the refused revocation changed the credential: %q", got)
		}
		revoke()
		if got := noticeText(b); !strings.Contains(got, "The credential is revoked") {
			t.Errorf("after revoking: notice %q at %s", got, b.URL())
		}
		revokedOn := a.Clock.Now().UTC().Format(time.DateOnly)
		if got := b.Text("#credential-status"); !strings.HasPrefix(got, "Revoked") {
			t.Errorf("console status after revoking %q", got)
		}
		if b.HasElement(`form[action$="/revoke"]`) || b.HasElement(`form[action$="/suspend"]`) {
			t.Error("a revoked credential still offers revocation or suspension")
		}
		checkPage(t, b, "console-revoked")
		b.Submit(`form[action="/signout"] button`)

		// 4. The public page says revoked, with the date, never why.
		b.Navigate(q.Get("certUrl"))
		if got := b.Text(".credential-status"); !strings.HasPrefix(got, "Revoked") {
			t.Errorf("verification page status after revocation %q, want Revoked", got)
		}
		if got := b.Attr(".credential-status time", "datetime"); got != revokedOn {
			t.Errorf("revoked since %q, want %s", got, revokedOn)
		}
		for _, leak := range []string{"Misconduct", "misconduct", "Proxy testing"} {
			if strings.Contains(b.Text("body"), leak) {
				t.Errorf("the public page shows the reason: %q", leak)
			}
		}
		j.noLeaks(email, loginID)
		checkPage(t, b, "verification-revoked")
		if v := j.a.Verify(j.t, "application/ld+json", j.jsonLD); v.Verified || strings.Join(v.Failed(), ",") != "status" {
			t.Errorf("the revoked credential: verified %v, failed %v; want the status check alone to fail", v.Verified, v.Failed())
		}
		// A verifier's cached list expires after its lifetime; fetched
		// again then, it has the bit set.
		_, lifetime := j.revocationBit()
		a.Clock.Advance(lifetime)
		if on, _ := j.revocationBit(); !on {
			t.Errorf("the revocation list served %v after the revocation has the bit clear", lifetime)
		}
	})
}

// noLeaks checks that the page at the browser's address, as seen and as
// served, names neither the holder's email address nor login ID.
func (j *credentialJourney) noLeaks(email, loginID string) {
	j.t.Helper()
	u, err := url.Parse(j.b.URL())
	if err != nil {
		j.t.Fatal(err)
	}
	served := apptest.Body(j.t, j.a.Get(j.t, j.a.Client(), u.RequestURI()))
	for _, leak := range []string{email, loginID} {
		if strings.Contains(j.b.Text("body"), leak) || strings.Contains(served, leak) {
			j.t.Errorf("the verification page shows %q", leak)
		}
	}
}
