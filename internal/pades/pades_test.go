package pades_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/pdfsign/verify"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"example.org/certportal/internal/pades"
	"example.org/certportal/internal/testutil"
)

// signedAt is the claimed signing time of the tests: after the test
// certificate's start of validity.
var signedAt = time.Date(2027, 3, 14, 9, 26, 53, 0, time.UTC)

// testSigner is the operator-style key and certificate of testdata.
func testSigner(t testing.TB) pades.Signer {
	t.Helper()
	chain, err := pades.ParseChain(readFile(t, "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := pades.ParsePrivateKey(readFile(t, "key-pkcs1.pem"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pades.NewSigner(chain, key, signedAt)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustSign(t testing.TB, in []byte, s pades.Signer) []byte {
	t.Helper()
	out, err := pades.Sign(in, s, signedAt)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var byteRangeRE = regexp.MustCompile(`/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]`)

// checkSignature verifies the last signature of a signed PDF by itself,
// without pdfsign or its CMS library: the byte range covers the whole file
// but the /Contents hole, the CMS is a detached SignedData whose message
// digest is the SHA-256 of that range, its RSA PKCS#1 v1.5 signature over
// the signed attributes verifies with the embedded certificate, the
// signing-certificate-v2 attribute names that certificate, there is no
// signing-time attribute, and the SubFilter is ETSI.CAdES.detached.
func checkSignature(signed []byte) error {
	all := byteRangeRE.FindAllSubmatchIndex(signed, -1)
	if len(all) == 0 {
		return errors.New("no /ByteRange")
	}
	m := all[len(all)-1]
	var br [4]int
	for i := range br {
		n, err := strconv.Atoi(string(signed[m[2+2*i]:m[3+2*i]]))
		if err != nil {
			return err
		}
		br[i] = n
	}
	a, b, c := br[1], br[2], br[3]
	if br[0] != 0 || b+c != len(signed) || a >= b || signed[a] != '<' || signed[b-1] != '>' || m[1] > a {
		return fmt.Errorf("byte range %v does not cover the file but the contents", br)
	}
	dict := signed[bytes.LastIndex(signed[:m[0]], []byte(" obj")):a]
	if !bytes.Contains(dict, []byte("/SubFilter /ETSI.CAdES.detached")) {
		return errors.New("SubFilter is not ETSI.CAdES.detached")
	}
	raw, err := hex.DecodeString(string(signed[a+1 : b-1]))
	if err != nil {
		return fmt.Errorf("contents: %w", err)
	}
	digest := sha256.New()
	digest.Write(signed[:a])
	digest.Write(signed[b:])

	in := cryptobyte.String(raw)
	var ci, sd, certs, infos, info, attrsContent, sig cryptobyte.String
	var oid asn1.ObjectIdentifier
	var version int
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}) ||
		!ci.ReadASN1(&sd, cbasn1.Tag(0).Constructed().ContextSpecific()) || !sd.ReadASN1(&sd, cbasn1.SEQUENCE) ||
		!sd.ReadASN1Integer(&version) || !sd.SkipASN1(cbasn1.SET) {
		return errors.New("not a CMS SignedData")
	}
	var encap cryptobyte.String
	if !sd.ReadASN1(&encap, cbasn1.SEQUENCE) || !encap.ReadASN1ObjectIdentifier(&oid) || !encap.Empty() {
		return errors.New("encapsulated content is not detached")
	}
	if !sd.ReadASN1(&certs, cbasn1.Tag(0).Constructed().ContextSpecific()) || !sd.ReadASN1(&infos, cbasn1.SET) || !infos.ReadASN1(&info, cbasn1.SEQUENCE) {
		return errors.New("no certificates or signer info")
	}
	var certDER cryptobyte.String
	if !certs.ReadASN1Element(&certDER, cbasn1.SEQUENCE) {
		return errors.New("no certificate")
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return err
	}
	var attrsElem cryptobyte.String
	if !info.ReadASN1Integer(&version) || !info.SkipASN1(cbasn1.SEQUENCE) || !info.SkipASN1(cbasn1.SEQUENCE) ||
		!info.ReadASN1Element(&attrsElem, cbasn1.Tag(0).Constructed().ContextSpecific()) || !info.SkipASN1(cbasn1.SEQUENCE) ||
		!info.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return errors.New("malformed signer info")
	}
	// The signature covers the attributes under the SET tag.
	signedAttrs := append([]byte{0x31}, attrsElem[1:]...)
	attrsContent = cryptobyte.String(attrsElem)
	if !attrsContent.ReadASN1(&attrsContent, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return errors.New("malformed signed attributes")
	}
	found := map[string][]byte{}
	for !attrsContent.Empty() {
		var attr, values, value cryptobyte.String
		if !attrsContent.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) || !attr.ReadASN1(&values, cbasn1.SET) {
			return errors.New("malformed attribute")
		}
		value = values
		found[oid.String()] = value
	}
	if _, ok := found["1.2.840.113549.1.9.5"]; ok {
		return errors.New("a signing-time attribute is present")
	}
	md := cryptobyte.String(found["1.2.840.113549.1.9.4"])
	var got []byte
	if !md.ReadASN1Bytes(&got, cbasn1.OCTET_STRING) || !bytes.Equal(got, digest.Sum(nil)) {
		return errors.New("message digest does not match the signed byte range")
	}
	certHash := sha256.Sum256(cert.Raw)
	if !bytes.Contains(found["1.2.840.113549.1.9.16.2.47"], certHash[:]) {
		return errors.New("signing-certificate-v2 does not name the signer's certificate")
	}
	h := sha256.Sum256(signedAttrs)
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("not an RSA certificate")
	}
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	return nil
}

func TestSignVerifiesInGo(t *testing.T) {
	s := testSigner(t)
	in := testutil.OnePagePDF("Hello certportal")
	signed := mustSign(t, in, s)
	if !bytes.HasPrefix(signed, in) {
		t.Fatal("the signature is not an incremental update: the original bytes changed")
	}
	if err := checkSignature(signed); err != nil {
		t.Fatalf("own check: %v", err)
	}
	if !bytes.Contains(signed, []byte("/M (D:20270314092653+00'00')")) {
		t.Errorf("the signature's /M is not the time passed in:\n%s", signed[len(in):])
	}

	// pdfsign's verifier, with what a self-signed test certificate needs.
	opts := verify.DefaultVerifyOptions()
	opts.AllowUntrustedRoots = true
	opts.TrustSignatureTime = true
	opts.RequiredEKUs = nil
	opts.EnableExternalRevocationCheck = false
	resp, err := verify.VerifyWithOptions(bytes.NewReader(signed), int64(len(signed)), opts)
	if err != nil {
		t.Fatalf("pdfsign verify: %v", err)
	}
	if len(resp.Signers) != 1 || !resp.Signers[0].ValidSignature {
		t.Fatalf("pdfsign verify: %+v", resp)
	}
}

func TestSignIsDeterministic(t *testing.T) {
	s := testSigner(t)
	in := testutil.OnePagePDF("Same bytes")
	first, second := mustSign(t, in, s), mustSign(t, in, s)
	if !bytes.Equal(first, second) {
		t.Fatal("signing the same bytes twice gave different files")
	}
	later, err := pades.Sign(in, s, signedAt.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(first, later) {
		t.Fatal("the signing time passed in does not reach the file")
	}
}

// TestEveryByteIsCovered changes each byte of the signed range in turn:
// the signature must fail every time.
func TestEveryByteIsCovered(t *testing.T) {
	s := testSigner(t)
	signed := mustSign(t, testutil.OnePagePDF("Every byte"), s)
	m := byteRangeRE.FindAllSubmatch(signed, -1)
	a, _ := strconv.Atoi(string(m[len(m)-1][2]))
	b, _ := strconv.Atoi(string(m[len(m)-1][3]))
	changed := make([]byte, len(signed))
	for i := range signed {
		if i >= a && i < b {
			continue // the CMS itself, outside the signed range
		}
		copy(changed, signed)
		changed[i] ^= 0x01
		if err := checkSignature(changed); err == nil {
			t.Fatalf("a change at byte %d of %d left the signature valid", i, len(signed))
		}
	}
}

// pdfsig runs poppler's pdfsig on a file and returns what it printed.
func pdfsig(t *testing.T, pdf []byte) string {
	t.Helper()
	tool := testutil.Tool(t, "pdfsig", "poppler-utils")
	path := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command(tool, path).CombinedOutput()
	return string(out)
}

func TestPdfsigAcceptsTheSignature(t *testing.T) {
	out := pdfsig(t, mustSign(t, testutil.OnePagePDF("Checked by poppler"), testSigner(t)))
	for _, want := range []string{"Signature Validation: Signature is Valid.", "Signature Type: ETSI.CAdES.detached", "Signer Certificate Common Name: Test Program Documents", "Total document signed"} {
		if !strings.Contains(out, want) {
			t.Errorf("pdfsig does not say %q:\n%s", want, out)
		}
	}
}

// TestPdfsigFlagsAChange changes one byte at places spread over the
// signed range: the original document, the signature dictionary and the
// new trailer.
func TestPdfsigFlagsAChange(t *testing.T) {
	in := testutil.OnePagePDF("Original text")
	signed := mustSign(t, in, testSigner(t))
	places := []struct {
		name string
		at   int
	}{
		{"page text", bytes.Index(signed, []byte("Original"))},
		{"document title", bytes.Index(signed, []byte("Signed test"))},
		{"signing time", bytes.Index(signed, []byte("D:2027031409")) + 10},
		{"signature handler name", bytes.Index(signed, []byte("Digitorus"))},
		{"trailer ID", bytes.LastIndex(signed, []byte("0123456789abcdef")) + 3},
	}
	if out := pdfsig(t, signed); !strings.Contains(out, "Signature is Valid") {
		t.Fatalf("the unchanged file does not verify:\n%s", out)
	}
	for _, p := range places {
		t.Run(p.name, func(t *testing.T) {
			if p.at < 0 {
				t.Fatal("place not found")
			}
			changed := bytes.Clone(signed)
			changed[p.at] ^= 0x02
			out := pdfsig(t, changed)
			if strings.Contains(out, "Signature is Valid") || !strings.Contains(out, "Signature Validation:") {
				t.Fatalf("pdfsig does not flag a change at byte %d:\n%s", p.at, out)
			}
		})
	}
}

func TestSignRefusesKeysItWillNotUse(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	chain := testSigner(t).Chain
	for name, tc := range map[string]struct {
		key  crypto.Signer
		want string
	}{
		"ECDSA P-256": {ec, "is ECDSA P-256; it must be RSA with 3072 to 4096 bits"},
		"RSA-2048":    {small, "is RSA with 2048 bits; it must have 3072 to 4096 bits"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := pades.Sign(testutil.OnePagePDF("x"), pades.Signer{Chain: chain, Key: tc.key}, signedAt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSignRefusesWhatIsNotAPDF(t *testing.T) {
	for name, in := range map[string][]byte{
		"empty":     nil,
		"text":      []byte("not a pdf at all"),
		"truncated": testutil.OnePagePDF("cut")[:200],
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := pades.Sign(in, testSigner(t), signedAt); err == nil {
				t.Fatal("signed input that is not a PDF")
			}
		})
	}
}

func BenchmarkSignOnePage(b *testing.B) {
	s := testSigner(b)
	in := testutil.OnePagePDF("Benchmark")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pades.Sign(in, s, signedAt); err != nil {
			b.Fatal(err)
		}
	}
}
