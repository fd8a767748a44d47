package credentials_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/pades"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// documentKeyRow is every column of a document_keys row as stored.
func (f *fixture) documentKeyRows() [][]byte {
	f.t.Helper()
	rows, err := f.st.DB().QueryContext(f.ctx, `SELECT source, certificates, fingerprint, private_key_sealed FROM document_keys ORDER BY id`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var source, fp string
		var certs, sealed []byte
		if err := rows.Scan(&source, &certs, &fp, &sealed); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, bytes.Join([][]byte{[]byte(source), certs, []byte(fp), sealed}, nil))
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return out
}

func TestGeneratedDocumentKeyIsSealedAtRest(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		stored, err := f.svc.EnsureDocumentKey(f.ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Source != portal.DocumentKeyGenerated || stored.RetiredAt != nil {
			t.Fatalf("stored key %d from %s, retired %v; want a current generated key", stored.ID, stored.Source, stored.RetiredAt)
		}
		k, err := f.svc.CurrentDocumentKey(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		priv := k.Signer.Key.(*rsa.PrivateKey)
		c := k.Signer.Chain[0]
		if priv.N.BitLen() != 3072 || len(k.Signer.Chain) != 1 || c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) != nil {
			t.Fatalf("generated key of %d bits, chain %d, want RSA-3072 with a self-signed certificate", priv.N.BitLen(), len(k.Signer.Chain))
		}
		pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		secrets := map[string][]byte{
			"PKCS#8":           pkcs8,
			"PKCS#1":           x509.MarshalPKCS1PrivateKey(priv),
			"private exponent": priv.D.Bytes(),
			"prime":            priv.Primes[0].Bytes(),
		}
		rows := f.documentKeyRows()
		if len(rows) != 1 {
			t.Fatalf("%d rows, want 1", len(rows))
		}
		for name, secret := range secrets {
			// Any 32 bytes of the secret would betray it.
			if bytes.Contains(rows[0], secret[len(secret)-32:]) {
				t.Errorf("the stored row holds the key's %s in clear", name)
			}
		}

		// The key signs, and only the keyring that sealed it opens it.
		signed, err := pades.Sign(testutil.OnePagePDF("sealed"), k.Signer, fixtureNow)
		if err != nil || len(signed) == 0 {
			t.Fatalf("sign with the opened key: %v", err)
		}
		other := credentials.New(f.st, f.clock, slog.New(slog.DiscardHandler), credentials.Config{
			BaseURL: "https://certs.example.org", SecretKey: []byte("another key of thirty-two bytes!")})
		if _, err := other.CurrentDocumentKey(f.ctx); err == nil {
			t.Error("another secret key opened the document key")
		}
		// Starting again keeps the key.
		again, err := f.svc.EnsureDocumentKey(f.ctx, nil)
		if err != nil || again.ID != stored.ID {
			t.Errorf("a second start gave key %v, %v; want %d", again, err, stored.ID)
		}
	})
}

func TestFirstSigningGeneratesTheDocumentKey(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		k, err := f.svc.CurrentDocumentKey(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if k.Source != portal.DocumentKeyGenerated || f.count(`SELECT COUNT(*) FROM document_keys`) != 1 {
			t.Fatalf("first need gave a %s key; want one generated key", k.Source)
		}
		again, err := f.svc.CurrentDocumentKey(f.ctx)
		if err != nil || again.StoreID != k.StoreID || !again.Signer.Chain[0].Equal(k.Signer.Chain[0]) {
			t.Fatalf("second need: %v; want key %d again", err, k.StoreID)
		}
	})
}

func TestConcurrentStartsGenerateOneDocumentKey(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		const n = 2
		got := make([]*portal.DocumentKey, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			// Each instance has its own service, as on two machines.
			svc := credentials.New(f.st, f.clock, slog.New(slog.DiscardHandler), credentials.Config{
				BaseURL: "https://certs.example.org", SecretKey: secretKey, ProgramName: "Cloud Certification Program"})
			wg.Go(func() {
				<-start
				got[i], errs[i] = svc.EnsureDocumentKey(f.ctx, nil)
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil || got[i].ID != got[0].ID || got[i].Fingerprint != got[0].Fingerprint {
				t.Errorf("instance %d: key %d, %v; want key %d", i, keyID(got[i]), errs[i], keyID(got[0]))
			}
		}
		if c := f.count(`SELECT COUNT(*) FROM document_keys`); c != 1 {
			t.Errorf("%d document keys, want 1", c)
		}
		if c := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'credentials.document_key_generated'`); c != 1 {
			t.Errorf("%d audit entries for the generation, want 1", c)
		}
	})
}

func keyID(k *portal.DocumentKey) int64 {
	if k == nil {
		return 0
	}
	return k.ID
}

// operatorSigner is an operator's certificate and RSA-3072 key, checked
// as the start-up checks them.
func operatorSigner(t *testing.T) pades.Signer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pades.SelfSigned(key, "Operator documents", fixtureNow.Add(-time.Hour), fixtureNow.AddDate(3, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	s, err := pades.NewSigner([]*x509.Certificate{cert}, key, fixtureNow)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOperatorDocumentKeyReplacesTheGeneratedOne(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		generated, err := f.svc.EnsureDocumentKey(f.ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		admin := portal.SystemActor("test")
		if c, err := f.svc.DocumentCertificate(f.ctx, admin); err != nil || !c.Untrusted || c.Source != portal.DocumentKeyGenerated {
			t.Fatalf("before import: %+v, %v; want an untrusted generated certificate", c, err)
		}

		op := operatorSigner(t)
		imported, err := f.svc.EnsureDocumentKey(f.ctx, &op)
		if err != nil {
			t.Fatal(err)
		}
		if imported.ID == generated.ID || imported.Source != portal.DocumentKeyOperator || imported.Fingerprint != credentials.Fingerprint(op.Chain[0]) {
			t.Fatalf("imported key %d from %s, %s; want a new operator key", imported.ID, imported.Source, imported.Fingerprint)
		}
		cur, err := f.svc.CurrentDocumentKey(f.ctx)
		if err != nil || !cur.Signer.Chain[0].Equal(op.Chain[0]) || !cur.Signer.Key.(*rsa.PrivateKey).Equal(op.Key) {
			t.Fatalf("current key is not the operator's (%v)", err)
		}
		c, err := f.svc.DocumentCertificate(f.ctx, admin)
		if err != nil || c.Untrusted || c.Subject != "CN=Operator documents" || c.Fingerprint != imported.Fingerprint || !c.NotAfter.Equal(fixtureNow.AddDate(3, 0, 0)) {
			t.Fatalf("after import: %+v, %v", c, err)
		}
		// The generated key is retired, not lost: what it signed
		// regenerates with it.
		if old, err := f.svc.OpenDocumentKey(f.ctx, generated.ID); err != nil || old.Fingerprint != generated.Fingerprint {
			t.Errorf("open the retired key: %v", err)
		}

		// The same files at the next start change nothing, and neither does
		// a start without them.
		for _, again := range []*pades.Signer{&op, nil} {
			k, err := f.svc.EnsureDocumentKey(f.ctx, again)
			if err != nil || k.ID != imported.ID {
				t.Errorf("restart: key %d, %v; want %d", keyID(k), err, imported.ID)
			}
		}
		if n := f.count(`SELECT COUNT(*) FROM document_keys`); n != 2 {
			t.Errorf("%d document keys, want 2", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'credentials.document_key_imported'`); n != 1 {
			t.Errorf("%d import audit entries, want 1", n)
		}
		for _, row := range f.documentKeyRows() {
			pkcs8, err := x509.MarshalPKCS8PrivateKey(op.Key)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(row, pkcs8[len(pkcs8)-32:]) {
				t.Error("the operator's key is stored in clear")
			}
		}
	})
}

func TestConcurrentImportsOfTheSameOperatorKeyStoreOne(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		op := operatorSigner(t)
		const n = 4
		ids := make([]int64, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				k, err := f.svc.EnsureDocumentKey(f.ctx, &op)
				if err == nil {
					ids[i] = k.ID
				}
				errs[i] = err
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Errorf("instance %d: key %d, %v; want %d", i, ids[i], errs[i], ids[0])
			}
		}
		if c := f.count(`SELECT COUNT(*) FROM document_keys`); c != 1 {
			t.Errorf("%d document keys, want 1", c)
		}
	})
}

func TestDocumentCertificateNeedsCredentialsManage(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		if _, err := f.svc.DocumentCertificate(f.ctx, portal.SystemActor("test")); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("before any key: %v, want not found", err)
		}
		if _, err := f.svc.EnsureDocumentKey(f.ctx, nil); err != nil {
			t.Fatal(err)
		}
		for name, tc := range map[string]struct {
			actor portal.Actor
			want  error
		}{
			"candidate":          {testutil.CandidateActor(7, fixtureNow), portal.ErrForbidden},
			"scheduler":          {testutil.StaffActor(8, fixtureNow, portal.SetScheduler), portal.ErrForbidden},
			"credential officer": {testutil.StaffActor(9, fixtureNow, portal.SetCredentialOfficer), nil},
		} {
			t.Run(name, func(t *testing.T) {
				if _, err := f.svc.DocumentCertificate(f.ctx, tc.actor); !errors.Is(err, tc.want) {
					t.Errorf("got %v, want %v", err, tc.want)
				}
			})
		}
	})
}
