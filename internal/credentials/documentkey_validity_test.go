package credentials_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/pades"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// signatureTime is the signing time a signed PDF claims (/M of its
// signature dictionary), to the second.
func signatureTime(t *testing.T, data []byte) time.Time {
	t.Helper()
	m := regexp.MustCompile(`/M\s*\(D:(\d{14})`).FindSubmatch(data)
	if m == nil {
		t.Fatal("no /M in the signed file")
	}
	at, err := time.Parse("20060102150405", string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// signingCertificate is the certificate of the document key recorded
// with the file of the document of kind whose subject is subjectID.
func (f *docFixture) signingCertificate(kind string, subjectID int64) *x509.Certificate {
	f.t.Helper()
	var der []byte
	err := f.st.DB().QueryRowContext(f.ctx, testutil.Rebind(f.engine, `SELECT k.certificates FROM document_files df
		JOIN documents d ON d.id = df.document_id JOIN document_keys k ON k.id = df.document_key_id
		WHERE d.kind = ? AND d.subject_id = ?`), kind, subjectID).Scan(&der)
	if err != nil {
		f.t.Fatal(err)
	}
	chain, err := x509.ParseCertificates(der)
	if err != nil {
		f.t.Fatal(err)
	}
	return chain[0]
}

// checkInsideValidity fails unless the file's signing time lies inside
// the validity of the certificate that signed it, and pdfsig reports the
// signature valid.
func checkInsideValidity(t *testing.T, data []byte, cert *x509.Certificate) time.Time {
	t.Helper()
	at := signatureTime(t, data)
	if at.Before(cert.NotBefore) || at.After(cert.NotAfter) {
		t.Errorf("the signature claims %v, outside its certificate's validity %v to %v", at, cert.NotBefore, cert.NotAfter)
	}
	if ok, out := pdfsigValid(t, data); !ok {
		t.Errorf("pdfsig does not report a valid signature:\n%s", out)
	}
	return at
}

// shortOperatorSigner is an operator's certificate valid from notBefore
// to notAfter, checked as a start checks it at checkedAt.
func shortOperatorSigner(t *testing.T, notBefore, notAfter, checkedAt time.Time) pades.Signer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pades.SelfSigned(key, "Operator documents", notBefore, notAfter)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pades.NewSigner([]*x509.Certificate{cert}, key, checkedAt)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A self-signed key made on the first document, a year after a
// credential was issued, still signs that credential's certificate at its
// stored issue instant, inside its validity.
func TestGeneratedKeyCoversCredentialsIssuedBeforeIt(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		uc, c := f.named("Ada", "Lovelace")
		f.clock.Advance(365 * 24 * time.Hour)
		if n := f.count(`SELECT COUNT(*) FROM document_keys`); n != 0 {
			t.Fatalf("%d document keys before the first document, want none", n)
		}
		file := f.certificatePDF(uc)
		cert := f.signingCertificate(portal.DocumentCertificate, c.ID)
		if !cert.NotBefore.Equal(credentials.GeneratedDocumentKeyNotBefore) {
			t.Errorf("generated certificate valid from %v, want %v", cert.NotBefore, credentials.GeneratedDocumentKeyNotBefore)
		}
		if want := f.clock.Now().Add(credentials.GeneratedDocumentKeyValidity).Truncate(time.Second); !cert.NotAfter.Equal(want) {
			t.Errorf("generated certificate valid until %v, want %v", cert.NotAfter, want)
		}
		if at := checkInsideValidity(t, file.Data, cert); !at.Equal(c.IssuedAt.UTC().Truncate(time.Second)) {
			t.Errorf("signed at %v, want the stored issue instant %v", at, c.IssuedAt.UTC())
		}
	})
}

// An operator's certificate newer than a credential signs its certificate
// at the start of the certificate's validity (not before it), and the
// file regenerates byte-identical.
func TestOperatorCertificateNewerThanTheCredential(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		uc, c := f.named("Ada", "Lovelace")
		f.clock.Advance(200 * 24 * time.Hour)
		now := f.clock.Now()
		op := shortOperatorSigner(t, now.Add(-time.Hour), now.AddDate(2, 0, 0), now)
		if _, err := f.svc.EnsureDocumentKey(f.ctx, &op); err != nil {
			t.Fatal(err)
		}
		file := f.certificatePDF(uc)
		cert := f.signingCertificate(portal.DocumentCertificate, c.ID)
		if !cert.Equal(op.Chain[0]) {
			t.Fatal("not signed with the operator's certificate")
		}
		if at := checkInsideValidity(t, file.Data, cert); !at.Equal(cert.NotBefore) {
			t.Errorf("signed at %v, want the start of the certificate's validity %v", at, cert.NotBefore)
		}
		f.db.Exec(t, `UPDATE document_files SET pdf = NULL`)
		if again := f.certificatePDF(uc); !bytes.Equal(again.Data, file.Data) {
			t.Error("the lost file regenerates differently")
		}
	})
}

// An operator's certificate that expires while the program runs: staff
// and the log are warned DocumentKeyExpiryWarning ahead; once it has
// expired no new file is made (the holder reads why not, the log says it),
// while stored files still serve and a lost one signed inside the
// certificate's validity regenerates byte-identical. A certificate not
// valid yet makes nothing either.
func TestExpiringOperatorCertificate(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		now := f.clock.Now()
		notAfter := now.Add(60 * 24 * time.Hour).Truncate(time.Second)
		op := shortOperatorSigner(t, now.Add(-time.Hour), notAfter, now)
		if _, err := f.svc.EnsureDocumentKey(f.ctx, &op); err != nil {
			t.Fatal(err)
		}
		admin := portal.SystemActor("test")
		validity := func() string {
			t.Helper()
			c, err := f.svc.DocumentCertificate(f.ctx, admin)
			if err != nil {
				t.Fatal(err)
			}
			return c.Validity
		}
		check := func(want, wantLog string) {
			t.Helper()
			f.log.take()
			got, err := f.svc.CheckDocumentKey(f.ctx)
			if err != nil || got != want {
				t.Errorf("CheckDocumentKey = %q, %v; want %q", got, err, want)
			}
			logged := f.log.take()
			if wantLog == "" && logged != "" || wantLog != "" && !strings.Contains(logged, wantLog) {
				t.Errorf("CheckDocumentKey logged %q, want %q", logged, wantLog)
			}
		}
		refused := func(uc *portal.UserCertification) {
			t.Helper()
			file, err := f.svc.CertificatePDF(f.ctx, holder(uc), uc.ID)
			if file != nil || err == nil {
				t.Fatal("a new file was made with a certificate not valid now")
			}
			if pe := refusal(t, err); pe.Code != portal.EConflict || pe.Message != credentials.MsgDocumentSigningUnavailable {
				t.Errorf("refusal %s %q, want conflict %q", pe.Code, pe.Message, credentials.MsgDocumentSigningUnavailable)
			}
		}

		first, _ := f.named("Ada", "Lovelace")
		later, _ := f.named("Grace", "Hopper")
		if v := validity(); v != credentials.DocumentKeyValid {
			t.Fatalf("validity %q, want valid", v)
		}
		check(credentials.DocumentKeyValid, "")
		stored := f.certificatePDF(first)

		// 31 days ahead: not yet warned; 29 days ahead: warned, still signing.
		f.clock.Set(notAfter.Add(-31 * 24 * time.Hour))
		check(credentials.DocumentKeyValid, "")
		f.clock.Set(notAfter.Add(-credentials.DocumentKeyExpiryWarning + 24*time.Hour))
		if v := validity(); v != credentials.DocumentKeyExpiresSoon {
			t.Errorf("validity %q a day into the warning, want %q", v, credentials.DocumentKeyExpiresSoon)
		}
		check(credentials.DocumentKeyExpiresSoon, "level=WARN msg=\"credentials: the document-signing certificate expires soon")

		// Expired: no new file, with the reason in the log.
		f.clock.Set(notAfter.Add(time.Second))
		if v := validity(); v != credentials.DocumentKeyExpired {
			t.Errorf("validity %q after expiry, want %q", v, credentials.DocumentKeyExpired)
		}
		check(credentials.DocumentKeyExpired, "level=ERROR msg=\"credentials: the document-signing certificate has expired")
		refused(later)
		if logged := f.log.take(); !strings.Contains(logged, "the document-signing certificate is not valid now") {
			t.Errorf("a refused document logged %q", logged)
		}
		if n := f.count(`SELECT COUNT(*) FROM document_files`); n != 1 {
			t.Errorf("%d stored files, want only the one made before expiry", n)
		}
		// The stored file still serves, and regenerates byte-identical.
		if again := f.certificatePDF(first); !bytes.Equal(again.Data, stored.Data) {
			t.Error("the stored file changed after expiry")
		}
		f.db.Exec(t, `UPDATE document_files SET pdf = NULL`)
		again := f.certificatePDF(first)
		if !bytes.Equal(again.Data, stored.Data) {
			t.Error("the lost file regenerates differently after expiry")
		}
		checkInsideValidity(t, again.Data, op.Chain[0])

		// Not valid yet (a clock before the certificate): nothing new either.
		f.clock.Set(now.Add(-2 * time.Hour))
		if v := validity(); v != credentials.DocumentKeyNotYetValid {
			t.Errorf("validity %q before the certificate, want %q", v, credentials.DocumentKeyNotYetValid)
		}
		check(credentials.DocumentKeyNotYetValid, "level=ERROR")
		refused(later)
	})
}
