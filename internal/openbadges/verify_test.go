package openbadges

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

func readGolden(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func signedJSON(t testing.TB) []byte {
	t.Helper()
	signed, err := Sign(sampleDoc(t, nil), testSigner(), testIssued, NewLoader())
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(signed)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func signedJWT(t testing.TB) string {
	t.Helper()
	tok, err := SignJWT(sampleDoc(t, nil), testSigner(), NewLoader())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestJWT(t *testing.T) {
	tok := signedJWT(t)
	// Any JOSE library reads it: go-jose's JWT API with EdDSA only.
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	h := parsed.Headers[0]
	if h.Algorithm != "EdDSA" || h.KeyID != testVM || h.ExtraHeaders[jose.HeaderType] != "vc+jwt" {
		t.Errorf("header = %+v", h)
	}
	var claims map[string]any
	if err := parsed.Claims(testKey(1).Public(), &claims); err != nil {
		t.Fatal(err)
	}
	if claims["id"] != sampleIssue().ID || claims["proof"] != nil || at(claims, "issuer")["id"] != testDID {
		t.Errorf("claims = %v", claims)
	}
	r := Verify([]byte(tok), testResolver(), testIssued, NewLoader())
	if !r.Valid() || r.Form != FormJWT || r.VerificationMethod != testVM {
		t.Fatalf("report = %+v", r)
	}
	if _, err := SignJWT(map[string]any{"proof": []any{}}, testSigner(), NewLoader()); !errors.Is(err, ErrInvalid) {
		t.Errorf("SignJWT with a proof: %v", err)
	}
}

// tamperJWT replaces the payload, keeping header and signature.
func tamperJWT(t *testing.T, tok string, edit func(map[string]any)) string {
	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	raw, _ = json.Marshal(doc)
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

func tamperJSON(t *testing.T, data []byte, edit func(map[string]any)) []byte {
	doc, err := decodeDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	edit(doc)
	out, _ := json.Marshal(doc)
	return out
}

// TestVerifyReports: each way a credential can be wrong fails the check
// it belongs to, in both forms.
func TestVerifyReports(t *testing.T) {
	ld, jwtTok := signedJSON(t), signedJWT(t)
	foreign := resolverFor(map[string]ed25519.PrivateKey{testVM: testKey(9)})
	rename := func(d map[string]any) { at(d, "credentialSubject")["name"] = "Mallory" }
	otherIssuer := func(d map[string]any) { at(d, "issuer")["id"] = "did:web:evil.example" }
	now := testIssued.Add(time.Hour)
	cases := []struct {
		name    string
		input   []byte
		resolve KeyResolver
		now     time.Time
		failing string
	}{
		{"json-ld tampered", tamperJSON(t, ld, rename), testResolver(), now, CheckProof},
		{"jwt tampered", []byte(tamperJWT(t, jwtTok, rename)), testResolver(), now, CheckProof},
		{"json-ld foreign key", ld, foreign, now, CheckProof},
		{"jwt foreign key", []byte(jwtTok), foreign, now, CheckProof},
		{"json-ld unknown key", ld, resolverFor(nil), now, CheckKey},
		{"jwt unknown key", []byte(jwtTok), resolverFor(nil), now, CheckKey},
		{"json-ld other issuer", tamperJSON(t, ld, otherIssuer), testResolver(), now, CheckKey},
		{"jwt other issuer", []byte(tamperJWT(t, jwtTok, otherIssuer)), testResolver(), now, CheckKey},
		{"json-ld expired", ld, testResolver(), testIssued.AddDate(3, 0, 0), CheckDates},
		{"jwt expired", []byte(jwtTok), testResolver(), testIssued.AddDate(4, 0, 0), CheckDates},
		{"json-ld not yet valid", ld, testResolver(), testIssued.Add(-time.Second), CheckDates},
		{"json-ld undefined term", tamperJSON(t, ld, func(d map[string]any) { d["score"] = 99.0 }), testResolver(), now, CheckSchema},
		{"json-ld proof object", tamperJSON(t, ld, func(d map[string]any) { d["proof"] = at(d, "proof", "0") }), testResolver(), now, CheckSchema},
		{"json-ld wrong cryptosuite", tamperJSON(t, ld, func(d map[string]any) { at(d, "proof", "0")["cryptosuite"] = "ecdsa-rdfc-2019" }), testResolver(), now, CheckKey},
		{"json-ld no proof", tamperJSON(t, ld, func(d map[string]any) { delete(d, "proof") }), testResolver(), now, CheckKey},
		{"not json", []byte("{not json"), testResolver(), now, CheckSchema},
		{"jwt alg none", []byte(noneJWT(t, jwtTok)), testResolver(), now, CheckSchema},
		{"jwt wrong typ", []byte(retypedJWT(t)), testResolver(), now, CheckSchema},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Verify(c.input, c.resolve, c.now, NewLoader())
			if r.Valid() {
				t.Fatal("report valid")
			}
			got := r.Check(c.failing)
			if got.Err == nil {
				t.Fatalf("check %s passed; report %+v", c.failing, r.Checks)
			}
			for _, other := range r.Checks {
				if other.Name != c.failing && other.Err != nil && c.failing != CheckSchema && !(c.failing == CheckKey && other.Name == CheckProof) {
					t.Errorf("check %s failed too: %v", other.Name, other.Err)
				}
			}
		})
	}
	// The expired credential still has a good proof: only dates fail.
	r := Verify(ld, testResolver(), testIssued.AddDate(3, 0, 0), NewLoader())
	if !errors.Is(r.Check(CheckDates).Err, ErrExpired) || r.Check(CheckProof).Err != nil {
		t.Errorf("expired: %+v", r.Checks)
	}
	if r := Verify(ld, nil, now, NewLoader()); r.Check(CheckKey).Err == nil {
		t.Error("nil resolver passed the key check")
	}
	big := make([]byte, MaxCredentialSize+1)
	if r := Verify(big, testResolver(), now, NewLoader()); r.Check(CheckSchema).Err == nil {
		t.Error("oversized input accepted")
	}
}

func noneJWT(t *testing.T, tok string) string {
	parts := strings.Split(tok, ".")
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"vc+jwt","kid":"` + testVM + `"}`))
	return h + "." + parts[1] + "."
}

func retypedJWT(t *testing.T) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: testKey(1), KeyID: testVM}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(sampleDoc(t, nil))
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := jws.CompactSerialize()
	return s
}

func TestMultikey(t *testing.T) {
	pub := testKey(3).Public().(ed25519.PublicKey)
	mk := EncodeMultikey(pub)
	if !strings.HasPrefix(mk, "z6Mk") {
		t.Errorf("multikey %s: an Ed25519 Multikey starts z6Mk (0xed01 prefix)", mk)
	}
	got, err := DecodeMultikey(mk)
	if err != nil || !got.Equal(pub) {
		t.Fatalf("DecodeMultikey = %x, %v", got, err)
	}
	for _, bad := range []string{"", "z", "u" + mk[1:], mk[:len(mk)-2], "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"} {
		if _, err := DecodeMultikey(bad); !errors.Is(err, ErrKey) {
			t.Errorf("DecodeMultikey(%q) = %v", bad, err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(signedJSON(f))
	f.Add([]byte(signedJWT(f)))
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"proof":{}}`))
	f.Add([]byte(`{"@context":{"@vocab":"x:"},"a":[{"@id":""}]}`))
	f.Add([]byte("a.b.c"))
	loader := NewLoader()
	resolve := testResolver()
	f.Fuzz(func(t *testing.T, input []byte) {
		r := Verify(input, resolve, testIssued, loader)
		if len(r.Checks) != 4 {
			t.Fatalf("%d checks", len(r.Checks))
		}
	})
}

func BenchmarkSignDataIntegrity(b *testing.B) {
	doc := sampleDoc(b, nil)
	loader := NewLoader()
	for b.Loop() {
		if _, err := Sign(doc, testSigner(), testIssued, loader); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignJWT(b *testing.B) {
	doc := sampleDoc(b, nil)
	loader := NewLoader()
	for b.Loop() {
		if _, err := SignJWT(doc, testSigner(), loader); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyDataIntegrity(b *testing.B) {
	data := signedJSON(b)
	loader := NewLoader()
	for b.Loop() {
		if r := Verify(data, testResolver(), testIssued, loader); !r.Valid() {
			b.Fatal(r.Checks)
		}
	}
}
