package credentialtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// appNow is the apptest clock's start.
var appNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// writeOperatorFiles writes a certificate for key, valid from notBefore to
// notAfter, and key (PKCS#8, in clear) into dir; it returns both paths.
func writeOperatorFiles(t *testing.T, dir, name string, key crypto.Signer, notBefore, notAfter time.Time) (certPath, keyPath string) {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name, Organization: []string{"Cloud Certification Program"}},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath
}

func mustRSA(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestConsoleWarnsOfASelfSignedDocumentKey: without the operator's
// certificate a credential officer's console says that PDF readers will
// not trust the documents' signatures; after a restart with the
// operator's certificate and key the warning is gone and the console
// names the certificate.
func TestConsoleWarnsOfASelfSignedDocumentKey(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		officer := demoOfficerRe.FindStringSubmatch(a.Stdout())
		if officer == nil {
			t.Fatalf("the demo printed no credential officer:\n%s", a.Stdout())
		}
		if !strings.Contains(a.Stderr(), "self-signed certificate that PDF readers do not trust") {
			t.Errorf("the start logged no warning about the self-signed document key:\n%s", a.Stderr())
		}
		oc, _ := a.SignIn(t, officer[1], officer[2])
		a.EnrolTOTP(t, oc, true)
		page := a.GetPage(t, oc, "/console/credentials", http.StatusOK)
		if got := page.TextOf("#document-signing-warning"); !strings.Contains(got, "PDF readers will not trust it") {
			t.Fatalf("no self-signed warning on the console: %q\n%s", got, page.Text())
		}

		certPath, keyPath := writeOperatorFiles(t, t.TempDir(), "Program Documents", mustRSA(t, 3072), appNow.AddDate(0, -1, 0), appNow.AddDate(2, 0, 0))
		a.Env["CERTPORTAL_DOCUMENT_CERT"], a.Env["CERTPORTAL_DOCUMENT_KEY"] = certPath, keyPath
		a.Restart(t)
		page = a.GetPage(t, oc, "/console/credentials", http.StatusOK)
		if page.Has("#document-signing-warning") {
			t.Errorf("the warning stays with the operator's certificate: %q", page.TextOf("#document-signing-warning"))
		}
		if got := page.TextOf("#document-certificate"); !strings.Contains(got, "CN=Program Documents") || !strings.Contains(got, "Your organization's certificate") {
			t.Errorf("the console does not name the operator's certificate: %q", got)
		}

		// The command line shows the same certificate.
		code, out, errOut := apptest.Run(t, a.Env, "keys", "document")
		if code != 0 || !strings.Contains(out, "Subject:     CN=Program Documents") || !strings.Contains(out, "SHA-256:") || strings.Contains(out, "self-signed") {
			t.Errorf("keys document: exit %d\n%s\n%s", code, out, errOut)
		}
	})
}

// TestStartRefusesBadDocumentSigningFiles: each bad certificate or key
// stops the start with a message that names the flag and the reason.
func TestStartRefusesBadDocumentSigningFiles(t *testing.T) {
	dir := t.TempDir()
	key := mustRSA(t, 3072)
	goodCert, goodKey := writeOperatorFiles(t, dir, "good", key, appNow.AddDate(0, -1, 0), appNow.AddDate(2, 0, 0))
	expiredCert, _ := writeOperatorFiles(t, dir, "expired", key, appNow.AddDate(-3, 0, 0), appNow.AddDate(0, 0, -1))
	_, otherKey := writeOperatorFiles(t, dir, "other", mustRSA(t, 3072), appNow.AddDate(0, -1, 0), appNow.AddDate(2, 0, 0))
	smallCert, smallKey := writeOperatorFiles(t, dir, "small", mustRSA(t, 2048), appNow.AddDate(0, -1, 0), appNow.AddDate(2, 0, 0))
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecCert, ecKey := writeOperatorFiles(t, dir, "ec", ec, appNow.AddDate(0, -1, 0), appNow.AddDate(2, 0, 0))
	// An encrypted PKCS#8 key made by openssl, whose password is
	// "correct horse battery staple".
	encrypted, err := filepath.Abs("../../pades/testdata/key-aes256.pem")
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"missing certificate file", map[string]string{"CERTPORTAL_DOCUMENT_CERT": filepath.Join(dir, "nowhere.crt"), "CERTPORTAL_DOCUMENT_KEY": goodKey},
			"--document-cert ($CERTPORTAL_DOCUMENT_CERT): cannot read " + filepath.Join(dir, "nowhere.crt") + ": no such file or directory"},
		{"certificate without key", map[string]string{"CERTPORTAL_DOCUMENT_CERT": goodCert},
			"--document-cert ($CERTPORTAL_DOCUMENT_CERT) and --document-key ($CERTPORTAL_DOCUMENT_KEY) go together"},
		{"a key as certificate", map[string]string{"CERTPORTAL_DOCUMENT_CERT": goodKey, "CERTPORTAL_DOCUMENT_KEY": goodKey},
			"--document-cert ($CERTPORTAL_DOCUMENT_CERT): " + goodKey + ": no certificate: the file holds no PEM block \"CERTIFICATE\""},
		{"certificate of another key", map[string]string{"CERTPORTAL_DOCUMENT_CERT": goodCert, "CERTPORTAL_DOCUMENT_KEY": otherKey},
			"certificate does not match the key: the first certificate of the chain (CN=good,O=Cloud Certification Program) holds another public key"},
		{"expired certificate", map[string]string{"CERTPORTAL_DOCUMENT_CERT": expiredCert, "CERTPORTAL_DOCUMENT_KEY": goodKey},
			"certificate expired: the certificate expired on " + appNow.AddDate(0, 0, -1).Format(time.RFC3339)},
		{"wrong password", map[string]string{"CERTPORTAL_DOCUMENT_CERT": goodCert, "CERTPORTAL_DOCUMENT_KEY": encrypted, "CERTPORTAL_DOCUMENT_KEY_PASSWORD": "not the password"},
			"wrong key password: --document-key-password ($CERTPORTAL_DOCUMENT_KEY_PASSWORD) does not open it"},
		{"no password", map[string]string{"CERTPORTAL_DOCUMENT_CERT": goodCert, "CERTPORTAL_DOCUMENT_KEY": encrypted},
			"the key is encrypted: give its password with --document-key-password"},
		{"RSA-2048", map[string]string{"CERTPORTAL_DOCUMENT_CERT": smallCert, "CERTPORTAL_DOCUMENT_KEY": smallKey},
			"the document-signing key is RSA with 2048 bits; it must have 3072 to 4096 bits"},
		{"ECDSA P-256", map[string]string{"CERTPORTAL_DOCUMENT_CERT": ecCert, "CERTPORTAL_DOCUMENT_KEY": ecKey},
			"the document-signing key is ECDSA P-256; it must be RSA with 3072 to 4096 bits, since only RSA signatures are deterministic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"CERTPORTAL_DATA_DIR": t.TempDir(), "CERTPORTAL_ADDR": "127.0.0.1:0"}
			for k, v := range tc.env {
				env[k] = v
			}
			code, _, errOut := apptest.Run(t, env, "serve", "--dev")
			if code != 1 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, want 1 saying %q:\n%s", code, tc.want, errOut)
			}
			if _, err := os.Stat(filepath.Join(env["CERTPORTAL_DATA_DIR"], "certportal.db")); err == nil {
				t.Error("the refused start created the database")
			}
		})
	}
}
