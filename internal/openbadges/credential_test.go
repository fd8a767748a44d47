package openbadges

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/mr-tron/base58"
	"github.com/piprate/json-gold/ld"
)

var (
	testIssued = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	testDID    = "did:web:certs.example.org"
	testVM     = testDID + "#key-1"
)

// testKey is a fixed Ed25519 key, so that failures reproduce.
func testKey(seed byte) ed25519.PrivateKey {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed + byte(i)
	}
	return ed25519.NewKeyFromSeed(s)
}

// sampleIssue has several objects without an id (the subject, its
// identifier, the criteria), which is where RDFC-1.0 and URGNA2012 differ.
func sampleIssue() Issue {
	return Issue{
		ID: "https://certs.example.org/credentials/7K3Q-2M9D-ZZ41-0HXC",
		Issuer: Issuer{
			DID:      testDID,
			Name:     "Example Certification Program",
			URL:      "https://certs.example.org/",
			ImageURL: "https://certs.example.org/logo.png",
		},
		ValidFrom:  testIssued,
		ValidUntil: testIssued.AddDate(3, 0, 0),
		Email:      "Ana.Garcia@example.com ",
		Salt:       "c2FsdC0xMjM0",
		LegalName:  "Ana García López",
		Achievement: AchievementInput{
			ID:          "https://certs.example.org/certifications/NET-101",
			Name:        "Certified Network Associate",
			Description: "Holds the NET-101 certification.",
			Criteria:    "Passed the NET-101 exam.\nProctored.",
			Type:        AchievementCertification,
			ImageURL:    "https://certs.example.org/certifications/NET-101/badge.png",
		},
		Status: []StatusInput{
			{Purpose: PurposeRevocation, ListURL: "https://certs.example.org/status/revocation/1", Index: 94567},
			{Purpose: PurposeSuspension, ListURL: "https://certs.example.org/status/suspension/1", Index: 23},
		},
	}
}

func sampleDoc(t testing.TB, edit func(*Issue)) map[string]any {
	t.Helper()
	in := sampleIssue()
	if edit != nil {
		edit(&in)
	}
	doc, err := Build(in).Document()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func testSigner() Signer { return Signer{Key: testKey(1), VerificationMethod: testVM} }

func resolverFor(keys map[string]ed25519.PrivateKey) KeyResolver {
	return func(vm string) (ed25519.PublicKey, error) {
		k, ok := keys[vm]
		if !ok {
			return nil, errors.New("unknown key")
		}
		return k.Public().(ed25519.PublicKey), nil
	}
}

func testResolver() KeyResolver {
	return resolverFor(map[string]ed25519.PrivateKey{testVM: testKey(1)})
}

// at walks a JSON path of keys and indexes ("credentialSubject", "0").
func at(doc map[string]any, path ...string) map[string]any {
	var v any = doc
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			var i int
			fmt.Sscan(p, &i)
			v = x[i]
		}
	}
	m, _ := v.(map[string]any)
	return m
}

func TestBuildShape(t *testing.T) {
	c := Build(sampleIssue())
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(doc["@context"]); got != fmt.Sprint([]any{ContextVC, ContextOB, ContextOBExtensions}) {
		t.Errorf("@context = %s", got)
	}
	if got := fmt.Sprint(doc["type"]); got != "[VerifiableCredential OpenBadgeCredential]" {
		t.Errorf("type = %s", got)
	}
	if got := at(doc, "issuer")["id"]; got != testDID {
		t.Errorf("issuer id = %v", got)
	}
	if doc["validFrom"] != "2026-11-02T09:30:00Z" || doc["validUntil"] != "2029-11-02T09:30:00Z" {
		t.Errorf("dates = %v, %v", doc["validFrom"], doc["validUntil"])
	}
	ident := at(doc, "credentialSubject", "identifier", "0")
	// The address is trimmed and lower-cased before hashing with the salt.
	if want := IdentityHash("ana.garcia@example.com", "c2FsdC0xMjM0"); ident["identityHash"] != want || ident["hashed"] != true || ident["salt"] != "c2FsdC0xMjM0" {
		t.Errorf("identifier = %v, want hash %s", ident, want)
	}
	if !strings.HasPrefix(ident["identityHash"].(string), "sha256$") || len(ident["identityHash"].(string)) != 7+64 {
		t.Errorf("identityHash = %v", ident["identityHash"])
	}
	if IdentityHash("ana.garcia@example.com", "other") == ident["identityHash"] {
		t.Error("the salt does not change the hash")
	}
	ach := at(doc, "credentialSubject", "achievement")
	if ach["achievementType"] != "Certification" || at(ach, "criteria")["narrative"] == nil || at(ach, "image")["type"] != "Image" {
		t.Errorf("achievement = %v", ach)
	}
	status, ok := doc["credentialStatus"].([]any)
	if !ok || len(status) != 2 {
		t.Fatalf("credentialStatus = %v", doc["credentialStatus"])
	}
	rev := status[0].(map[string]any)
	if rev["type"] != "BitstringStatusListEntry" || rev["statusPurpose"] != "revocation" || rev["statusListIndex"] != "94567" ||
		rev["id"] != "https://certs.example.org/status/revocation/1#94567" {
		t.Errorf("revocation entry = %v", rev)
	}
	if at(doc, "credentialSchema", "0")["type"] != SchemaType || at(doc, "credentialSchema", "0")["id"] != SchemaURL {
		t.Errorf("credentialSchema = %v", doc["credentialSchema"])
	}
	// Never a score, login ID, birth date or the address in clear.
	lower := strings.ToLower(string(data))
	for _, banned := range []string{"score", "login", "birth", "example.com"} {
		if strings.Contains(lower, banned) {
			t.Errorf("credential contains %q: %s", banned, data)
		}
	}
	// One entry serializes as an object.
	one := sampleIssue()
	one.Status = one.Status[:1]
	d1, _ := json.Marshal(Build(one))
	if !strings.Contains(string(d1), `"credentialStatus":{"id"`) {
		t.Errorf("one status entry: %s", d1)
	}
}

func TestSampleCredentialPassesCheck(t *testing.T) {
	if err := Check(sampleDoc(t, nil), NewLoader()); err != nil {
		t.Fatal(err)
	}
	micro := sampleDoc(t, func(in *Issue) {
		in.Achievement.Type = AchievementMicroCredential
		in.ValidUntil = time.Time{}
		in.Issuer.ImageURL = ""
		in.Achievement.ImageURL = ""
		in.Status = in.Status[:1]
	})
	if err := Check(micro, NewLoader()); err != nil {
		t.Fatal(err)
	}
}

// TestSchemaRequires: the fields the 1EdTech schema demands, each removed
// or reordered, make Check fail.
func TestSchemaRequires(t *testing.T) {
	cases := map[string]func(doc map[string]any){
		"credential id":         func(d map[string]any) { delete(d, "id") },
		"validFrom":             func(d map[string]any) { delete(d, "validFrom") },
		"contexts out of order": func(d map[string]any) { d["@context"] = []any{ContextOB, ContextVC, ContextOBExtensions} },
		"credentialStatus id":   func(d map[string]any) { delete(at(d, "credentialStatus", "1"), "id") },
		"single status id": func(d map[string]any) {
			d["credentialStatus"] = at(d, "credentialStatus", "0")
			delete(at(d, "credentialStatus"), "id")
		},
		"achievement id":        func(d map[string]any) { delete(at(d, "credentialSubject", "achievement"), "id") },
		"achievement type":      func(d map[string]any) { delete(at(d, "credentialSubject", "achievement"), "type") },
		"achievement name":      func(d map[string]any) { delete(at(d, "credentialSubject", "achievement"), "name") },
		"achievement desc":      func(d map[string]any) { delete(at(d, "credentialSubject", "achievement"), "description") },
		"achievement criteria":  func(d map[string]any) { delete(at(d, "credentialSubject", "achievement"), "criteria") },
		"proof not an array":    func(d map[string]any) { d["proof"] = map[string]any{"type": ProofType} },
		"empty status array":    func(d map[string]any) { d["credentialStatus"] = []any{} },
		"OpenBadgeCredential":   func(d map[string]any) { d["type"] = []any{"VerifiableCredential"} },
		"identity hash missing": func(d map[string]any) { delete(at(d, "credentialSubject", "identifier", "0"), "identityHash") },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			doc := sampleDoc(t, nil)
			edit(doc)
			err := checkSchema(doc)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "schema") {
				t.Fatalf("checkSchema = %v, want a schema refusal", err)
			}
		})
	}
}

// TestUndefinedTermRefused: a term no context defines is dropped by
// expansion (and so would go unsigned): Check refuses it, wherever it is.
func TestUndefinedTermRefused(t *testing.T) {
	cases := map[string]func(doc map[string]any){
		"top level":   func(d map[string]any) { d["score"] = 91.5 },
		"subject":     func(d map[string]any) { at(d, "credentialSubject")["loginId"] = "ana" },
		"achievement": func(d map[string]any) { at(d, "credentialSubject", "achievement")["passMark"] = "70" },
		"status":      func(d map[string]any) { at(d, "credentialStatus", "1")["note"] = "x" },
		"null value":  func(d map[string]any) { at(d, "issuer")["url"] = nil },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			doc := sampleDoc(t, nil)
			edit(doc)
			_, err := checkTerms(doc, NewLoader())
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "expansion kept") {
				t.Fatalf("checkTerms = %v, want a dropped-term refusal", err)
			}
			if _, err := Sign(doc, testSigner(), testIssued, NewLoader()); err == nil {
				t.Fatal("Sign accepted the document")
			}
		})
	}
	if _, err := checkTerms(sampleDoc(t, nil), NewLoader()); err != nil {
		t.Fatalf("sample: %v", err)
	}
}

// TestRelativeIRIRefused: relative and empty identifiers are dropped from
// what json-gold signs; Check refuses them.
func TestRelativeIRIRefused(t *testing.T) {
	cases := map[string]func(in *Issue){
		"relative image":     func(in *Issue) { in.Achievement.ImageURL = "images/badge.png" },
		"empty achievement":  func(in *Issue) { in.Achievement.ID = "" },
		"relative issuer":    func(in *Issue) { in.Issuer.ImageURL = "/logo.png" },
		"empty credential":   func(in *Issue) { in.ID = "" },
		"relative status":    func(in *Issue) { in.Status[0].ListURL = "status/1" },
		"space in IRI":       func(in *Issue) { in.Achievement.ID = "https://x.example/a b" },
		"blank node subject": func(in *Issue) { in.Achievement.ID = "_:b0" },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			doc := sampleDoc(t, edit)
			err := Check(doc, NewLoader())
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "absolute IRI") {
				t.Fatalf("Check = %v, want an IRI refusal", err)
			}
			if _, err := SignJWT(doc, testSigner(), NewLoader()); err == nil {
				t.Fatal("SignJWT accepted the document")
			}
		})
	}
}

func TestAbsoluteIRI(t *testing.T) {
	for s, want := range map[string]bool{
		"https://a.example/x": true, "did:web:a.example#k": true, "urn:uuid:1": true, "data:image/png;base64,AA": true,
		"": false, "a/b": false, "/x": false, ":x": false, "x:": false, "1http://x": false, "_:b0": false, "https://a b": false,
	} {
		if got := absoluteIRI(s); got != want {
			t.Errorf("absoluteIRI(%q) = %v", s, got)
		}
	}
}

// TestControlCharactersRefused: control characters other than \n \r \t
// are refused in any string, since processors escape them differently in
// the canonical form.
func TestControlCharactersRefused(t *testing.T) {
	for _, name := range []string{"Ana\x07", "Ana\x00López", "Ana\x1b[0m", "Ana\u0085", "Ana\x7f"} {
		doc := sampleDoc(t, func(in *Issue) { in.LegalName = name })
		if err := Check(doc, NewLoader()); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "control character") {
			t.Errorf("%q: Check = %v", name, err)
		}
	}
	doc := sampleDoc(t, func(in *Issue) { in.Achievement.Description = "line one\nline two\r\n\tindented" })
	if err := Check(doc, NewLoader()); err != nil {
		t.Errorf("newline and tab refused: %v", err)
	}
	doc = sampleDoc(t, nil)
	at(doc, "issuer")["na\x01me"] = "x"
	if err := checkCharacters(doc, ""); err == nil {
		t.Error("control character in a key accepted")
	}
}

// TestLoaderServesOnlyBundled: the loader refuses every other URL, and
// every expansion and canonicalization goes through it.
func TestLoaderServesOnlyBundled(t *testing.T) {
	l := NewLoader()
	for _, u := range ContextURLs() {
		if _, err := l.LoadDocument(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
		if _, err := ContextDocument(u); err != nil {
			t.Errorf("ContextDocument(%s): %v", u, err)
		}
	}
	for _, u := range []string{"https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
		"http://127.0.0.1:9/ctx", "file:///etc/passwd", "", "https://www.w3.org/ns/credentials/v2/"} {
		if _, err := l.LoadDocument(u); !errors.Is(err, ErrContext) {
			t.Errorf("LoadDocument(%q) = %v, want ErrContext", u, err)
		}
	}
	doc := sampleDoc(t, nil)
	doc["@context"] = []any{ContextVC, ContextOB, "http://127.0.0.1:9/extra.json"}
	if _, err := Canonicalize(doc, l); err == nil || !strings.Contains(err.Error(), ErrContext.Error()) {
		t.Errorf("Canonicalize with a foreign context = %v", err)
	}
	if err := Check(doc, l); !errors.Is(err, ErrContext) {
		t.Errorf("Check with a foreign context = %v", err)
	}
	if opts := ldOptions(l); opts.DocumentLoader != ld.DocumentLoader(l) {
		t.Error("ldOptions does not use the given loader")
	}
}

// TestCanonicalizationIsRDFC: the sample, with its objects without an id,
// canonicalizes differently under URGNA2012; Canonicalize gives the
// RDFC-1.0 form that jsonld.js gives (testdata/sample.nq).
func TestCanonicalizationIsRDFC(t *testing.T) {
	doc := blankNodeDoc(t)
	got, err := Canonicalize(doc, NewLoader())
	if err != nil {
		t.Fatal(err)
	}
	opts := ldOptions(NewLoader())
	opts.Algorithm = ld.AlgorithmURGNA2012
	old, err := ld.NewJsonLdProcessor().Normalize(doc, opts)
	if err != nil {
		t.Fatal(err)
	}
	if old == got {
		t.Fatal("the sample does not tell URGNA2012 from URDNA2015: give it more objects without an id")
	}
	if n := strings.Count(got, "_:c14n"); n < 3 {
		t.Errorf("only %d blank-node mentions in the canonical form", n)
	}
	want := readGolden(t, "sample.nq")
	if got != want {
		t.Errorf("canonical form differs from jsonld.js's:\n%s\nwant:\n%s", got, want)
	}
}

func TestSignAndVerifyDataIntegrity(t *testing.T) {
	doc := sampleDoc(t, nil)
	before := maps.Clone(doc)
	signed, err := Sign(doc, testSigner(), testIssued, NewLoader())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := doc["proof"]; ok || len(doc) != len(before) {
		t.Error("Sign changed its input")
	}
	proofs, ok := signed["proof"].([]any)
	if !ok || len(proofs) != 1 {
		t.Fatalf("proof = %#v, want an array of one", signed["proof"])
	}
	p := proofs[0].(map[string]any)
	if p["type"] != ProofType || p["cryptosuite"] != Cryptosuite || p["proofPurpose"] != ProofPurpose ||
		p["verificationMethod"] != testVM || p["created"] != "2026-11-02T09:30:00Z" || !strings.HasPrefix(p["proofValue"].(string), "z") {
		t.Errorf("proof = %v", p)
	}
	if _, ok := p["@context"]; ok {
		t.Error("the embedded proof carries @context")
	}
	data, _ := json.Marshal(signed)
	r := Verify(data, testResolver(), testIssued.Add(time.Hour), NewLoader())
	if !r.Valid() || r.Form != FormJSONLD || r.VerificationMethod != testVM || r.Issuer != testDID {
		t.Fatalf("report = %+v", r)
	}
	if _, err := Sign(signed, testSigner(), testIssued, NewLoader()); err == nil {
		t.Error("signed a document that has a proof")
	}
	if _, err := Sign(doc, Signer{Key: testKey(1), VerificationMethod: testDID}, testIssued, NewLoader()); !errors.Is(err, ErrKey) {
		t.Errorf("verification method without fragment: %v", err)
	}
}

// TestHashDataOrder: the signature covers SHA-256(proof configuration)
// then SHA-256(document); swapping the halves or signing the proof with its
// proofValue fails verification.
func TestHashDataOrder(t *testing.T) {
	loader := NewLoader()
	doc := sampleDoc(t, nil)
	signed, err := Sign(doc, testSigner(), testIssued, loader)
	if err != nil {
		t.Fatal(err)
	}
	p := at(signed, "proof", "0")
	cfg := proofConfig(p, doc)
	if _, ok := cfg["proofValue"]; ok {
		t.Fatal("proof configuration carries proofValue")
	}
	if !sameJSON(cfg["@context"], doc["@context"]) {
		t.Fatal("proof configuration lacks the document's @context")
	}
	data, err := hashData(doc, cfg, loader)
	if err != nil {
		t.Fatal(err)
	}
	swapped := append(append([]byte{}, data[32:]...), data[:32]...)
	resign := func(b []byte) map[string]any {
		s := maps.Clone(signed)
		q := maps.Clone(p)
		q["proofValue"] = "z" + base58.Encode(ed25519.Sign(testKey(1), b))
		s["proof"] = []any{q}
		return s
	}
	if err := verifyDataIntegrity(resign(data), testKey(1).Public().(ed25519.PublicKey), loader); err != nil {
		t.Fatalf("re-signed with the right order: %v", err)
	}
	if err := verifyDataIntegrity(resign(swapped), testKey(1).Public().(ed25519.PublicKey), loader); !errors.Is(err, ErrProof) {
		t.Errorf("halves swapped: %v", err)
	}
	noCtx := maps.Clone(cfg)
	delete(noCtx, "@context")
	if c, err := Canonicalize(noCtx, loader); err == nil && c != "" {
		t.Errorf("a proof configuration without @context canonicalizes to %q: the context matters", c)
	}
}

// blankNodeDoc is the sample with more objects without an id: two more
// identifiers beside the hashed address.
func blankNodeDoc(t testing.TB) map[string]any {
	doc := sampleDoc(t, nil)
	subject := at(doc, "credentialSubject")
	ids := subject["identifier"].([]any)
	for i, salt := range []string{"b3RoZXI", "dGhpcmQ"} {
		ids = append(ids, map[string]any{
			"type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
			"identityHash": IdentityHash(fmt.Sprintf("alt%d@example.org", i), salt), "salt": salt,
		})
	}
	subject["identifier"] = ids
	return doc
}

// TestGoldenInput: testdata/sample.json is the document whose canonical
// form jsonld.js wrote to testdata/sample.nq.
func TestGoldenInput(t *testing.T) {
	want, err := decodeDocument([]byte(readGolden(t, "sample.json")))
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(blankNodeDoc(t), want) {
		t.Error("blankNodeDoc changed: regenerate testdata/sample.json and sample.nq with jsonld.js (docs/credentials.md)")
	}
}
