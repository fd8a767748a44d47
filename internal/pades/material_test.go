package pades_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/pades"
	"example.org/certportal/internal/testutil"
)

const testPassword = "correct horse battery staple"

func TestParsePrivateKey(t *testing.T) {
	want := testSigner(t).Key.Public().(*rsa.PublicKey)
	ecDER, err := x509.MarshalPKCS8PrivateKey(mustECKey(t))
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})
	for _, tc := range []struct {
		name     string
		file     []byte
		password string
		wantErr  error
		wantMsg  string
	}{
		{"PBES2 AES-256 HMAC-SHA-256", readFile(t, "key-aes256.pem"), testPassword, nil, ""},
		{"PBES2 AES-128 HMAC-SHA-1", readFile(t, "key-aes128-sha1.pem"), testPassword, nil, ""},
		{"PKCS#1 in clear", readFile(t, "key-pkcs1.pem"), "", nil, ""},
		{"wrong password", readFile(t, "key-aes256.pem"), "Tr0ub4dor&3", pades.ErrWrongPassword, "wrong key password"},
		{"no password", readFile(t, "key-aes256.pem"), "", pades.ErrPasswordNeeded, "give its password with --document-key-password"},
		{"scrypt", readFile(t, "key-scrypt.pem"), testPassword, pades.ErrKeyEncryption, "scrypt is not supported"},
		{"legacy PEM encryption", []byte("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00000000000000000000000000000000\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"), testPassword, pades.ErrKeyEncryption, "legacy OpenSSL PEM encryption"},
		{"a certificate, not a key", readFile(t, "cert.pem"), "", pades.ErrNoKey, "no PEM private key"},
		{"ECDSA parses, refused later", ecPEM, "", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, err := pades.ParsePrivateKey(tc.file, []byte(tc.password))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantMsg) {
					t.Fatalf("got %v, want %v saying %q", err, tc.wantErr, tc.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rsaPub, ok := key.Public().(*rsa.PublicKey); ok && !rsaPub.Equal(want) {
				t.Fatal("the key read is not the test key")
			}
		})
	}
}

func TestParseChain(t *testing.T) {
	chain, err := pades.ParseChain(readFile(t, "cert.pem"))
	if err != nil || len(chain) != 1 || chain[0].Subject.CommonName != "Test Program Documents" {
		t.Fatalf("got %v, %v", chain, err)
	}
	for name, file := range map[string][]byte{
		"empty":   nil,
		"a key":   readFile(t, "key-pkcs1.pem"),
		"garbage": []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := pades.ParseChain(file); !errors.Is(err, pades.ErrNoCertificate) && !errors.Is(err, pades.ErrBadCertificate) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestNewSignerRefuses(t *testing.T) {
	good := testSigner(t)
	leaf := good.Chain[0]
	other, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	ca := mustECKey(t)
	caCert := mustCert(t, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA"},
		NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, ca.Public(), nil, ca)
	issued := mustCert(t, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Issued"},
		NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter, KeyUsage: x509.KeyUsageDigitalSignature}, good.Key.Public(), caCert, ca)
	encipherOnly := mustCert(t, &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "Encipher"},
		NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter, KeyUsage: x509.KeyUsageKeyEncipherment}, good.Key.Public(), nil, good.Key)
	ecCert := mustCert(t, &x509.Certificate{SerialNumber: big.NewInt(4), Subject: pkix.Name{CommonName: "EC"},
		NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter, KeyUsage: x509.KeyUsageDigitalSignature}, ca.Public(), nil, ca)

	// A chain in order signs, and the CMS carries the issuer too.
	s, err := pades.NewSigner([]*x509.Certificate{issued, caCert}, good.Key, signedAt)
	if err != nil {
		t.Fatal(err)
	}
	signed := mustSign(t, testutil.OnePagePDF("issued"), s)
	if err := checkSignature(signed); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(signed, []byte(hex.EncodeToString(caCert.Raw))) {
		t.Error("the issuer's certificate is not in the signature")
	}

	for _, tc := range []struct {
		name    string
		chain   []*x509.Certificate
		key     crypto.Signer
		now     time.Time
		wantErr error
		wantMsg string
	}{
		{"issued chain in order", []*x509.Certificate{issued, caCert}, good.Key, signedAt, nil, ""},
		{"another key", good.Chain, other, signedAt, pades.ErrKeyMismatch, "holds another public key"},
		{"expired", good.Chain, good.Key, leaf.NotAfter.Add(time.Second), pades.ErrExpired, "the certificate expired on " + leaf.NotAfter.UTC().Format(time.RFC3339)},
		{"not yet valid", good.Chain, good.Key, leaf.NotBefore.Add(-time.Hour), pades.ErrNotYetValid, "is valid from"},
		{"issuer first", []*x509.Certificate{issued, caCert, leaf}, good.Key, signedAt, pades.ErrChainOrder, "certificate 2 (CN=Test CA) is not signed by certificate 3"},
		{"key usage", []*x509.Certificate{encipherOnly}, good.Key, signedAt, pades.ErrKeyUsage, "allows neither digital signature"},
		{"ECDSA key", []*x509.Certificate{ecCert}, ca, signedAt, pades.ErrKeyType, "must be RSA with 3072 to 4096 bits"},
		{"empty chain", nil, good.Key, signedAt, pades.ErrNoCertificate, "the chain is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pades.NewSigner(tc.chain, tc.key, tc.now)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("got %v, want %v saying %q", err, tc.wantErr, tc.wantMsg)
			}
		})
	}
}

func TestSelfSignedSigns(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pades.SelfSigned(key, "Program documents", signedAt.Add(-time.Hour), signedAt.AddDate(10, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	s, err := pades.NewSigner([]*x509.Certificate{cert}, key, signedAt)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkSignature(mustSign(t, testutil.OnePagePDF("self-signed"), s)); err != nil {
		t.Fatal(err)
	}
}

func mustECKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// mustCert issues tmpl for pub, signed by parentKey as parent (by
// parentKey alone, self-signed, when parent is nil).
func mustCert(t *testing.T, tmpl *x509.Certificate, pub crypto.PublicKey, parent *x509.Certificate, parentKey crypto.Signer) *x509.Certificate {
	t.Helper()
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
