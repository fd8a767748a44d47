package credentials_test

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/openbadges"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

func TestDIDFromBaseURL(t *testing.T) {
	for _, tc := range []struct {
		base, want string
	}{
		{"https://certs.example.org", "did:web:certs.example.org"},
		{"https://Certs.Example.org/", "did:web:certs.example.org"},
		{"https://certs.example.org:8443", "did:web:certs.example.org%3A8443"},
		{"https://certs.example.org:443", "did:web:certs.example.org"},
		{"http://127.0.0.1:8080", "did:web:127.0.0.1%3A8080"},
		{"http://localhost", "did:web:localhost"},
		{"https://example.org/programs/cloud", "did:web:example.org:programs:cloud"},
	} {
		t.Run(tc.base, func(t *testing.T) {
			got, err := credentials.DID(tc.base)
			if err != nil || got != tc.want {
				t.Errorf("DID(%q) = %q, %v; want %q", tc.base, got, err, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "ftp://example.org", "https://", "not a url"} {
		if got, err := credentials.DID(bad); err == nil {
			t.Errorf("DID(%q) = %q, want an error", bad, got)
		}
	}
}

func TestIssueGivesOneCredentialPerCertificationAndCycle(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		uc := f.earned()
		c := f.issue(uc)
		if _, err := portal.ParseCredentialID(string(c.CredentialID)); err != nil {
			t.Fatalf("credential ID %q: %v", c.CredentialID, err)
		}
		if c.UserCertificationID != uc.ID || c.Cycle != 1 || !c.IssuedAt.Equal(fixtureNow) || c.DocumentJSONLD != "" || c.DocumentJWT != "" {
			t.Errorf("credential = %+v", c)
		}
		if again := f.issue(uc); again.ID != c.ID || again.CredentialID != c.CredentialID {
			t.Errorf("a second Issue made %+v, want the first %s", again, c.CredentialID)
		}
		if n := f.count(`SELECT COUNT(*) FROM credentials WHERE user_certification_id = ?`, uc.ID); n != 1 {
			t.Errorf("%d credentials, want 1", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'credential.issued' AND subject_id = ?`, c.ID); n != 1 {
			t.Errorf("%d credential.issued events, want 1", n)
		}
		// The unique index stands behind the rule.
		err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
			id, _ := portal.NewCredentialID()
			d := *c
			d.CredentialID = id
			_, err := tx.InsertCredential(f.ctx, d)
			return err
		})
		if !errors.Is(err, portal.ErrConflict) {
			t.Errorf("a second current credential: err = %v, want a conflict", err)
		}
		found, err := f.st.FindCredentialByCredentialID(f.ctx, c.CredentialID)
		if err != nil || found.ID != c.ID {
			t.Errorf("find by credential ID: %+v, %v", found, err)
		}
	})
}

func TestIssueRefusesAWithdrawnCertification(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		uc := f.earned()
		err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
			if _, err := tx.WithdrawUserCertification(f.ctx, uc.ID, "corrected"); err != nil {
				return err
			}
			_, err := f.svc.Issue(f.ctx, tx, uc.ID)
			return err
		})
		var pe *portal.Error
		if !errors.As(err, &pe) || pe.Code != portal.EConflict || pe.Message != "credentials.error.certification_withdrawn" {
			t.Fatalf("err = %v, want the withdrawn refusal", err)
		}
	})
}

func TestSigningKeyIsSealed(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.issue(f.earned())
		var key *credentials.Key
		err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
			var err error
			key, err = f.svc.SigningKey(f.ctx, tx, c.SigningKeyID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if key.KeyID != "did:web:certs.example.org#key-1" || key.Retired {
			t.Errorf("key %s retired %v", key.KeyID, key.Retired)
		}
		// What the table holds: the public key, and the private key only
		// sealed.
		rows, err := f.st.DB().QueryContext(f.ctx, `SELECT * FROM signing_keys`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var b []byte
				switch v := v.(type) {
				case []byte:
					b = v
				case string:
					b = []byte(v)
				}
				for _, secret := range [][]byte{key.Private.Seed(), key.Private, []byte(base64.StdEncoding.EncodeToString(key.Private.Seed()))} {
					if len(b) > 0 && bytes.Contains(b, secret) {
						t.Errorf("column %s holds the private key in clear", cols[i])
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		// The key signs, and its signature verifies with the public key
		// the DID document lists.
		msg := []byte("credential")
		sig := ed25519.Sign(key.Private, msg)
		doc, err := f.svc.DIDDocument(f.ctx)
		if err != nil || len(doc.VerificationMethod) != 1 {
			t.Fatalf("did document %+v, %v", doc, err)
		}
		if doc.VerificationMethod[0].PublicKeyMultibase != openbadges.EncodeMultikey(key.Public) || !ed25519.Verify(key.Public, msg, sig) {
			t.Error("the opened key does not match the listed key")
		}
		// Another secret key does not open it.
		other := credentials.New(f.st, f.clock, slog.New(slog.DiscardHandler), credentials.Config{BaseURL: "https://certs.example.org",
			SecretKey: []byte("another secret key of 32 bytes!!")})
		err = f.st.Transact(f.ctx, func(tx *store.Tx) error {
			_, err := other.SigningKey(f.ctx, tx, c.SigningKeyID)
			return err
		})
		if err == nil {
			t.Error("a different secret key opened the signing key")
		}
	})
}

func TestConcurrentFirstKeyCreationsMakeOne(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		const n = 6
		ids := make([]int64, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = f.st.Transact(f.ctx, func(tx *store.Tx) error {
					k, err := f.svc.CurrentKey(f.ctx, tx)
					if err == nil {
						ids[i] = k.ID
					}
					return err
				})
			}()
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Errorf("creator %d: key %d, %v; want key %d", i, ids[i], errs[i], ids[0])
			}
		}
		if got := f.count(`SELECT COUNT(*) FROM signing_keys`); got != 1 {
			t.Errorf("%d signing keys, want 1", got)
		}
	})
}

func TestRotationKeepsOldKeysVerifiable(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		before := f.issue(f.earned())
		if _, err := f.svc.RotateKey(f.ctx, testutil.CandidateActor(99, fixtureNow)); !errors.Is(err, portal.ErrForbidden) {
			t.Errorf("a candidate rotates: err = %v, want forbidden", err)
		}
		k, err := f.svc.RotateKey(f.ctx, portal.SystemActor("cli"))
		if err != nil {
			t.Fatal(err)
		}
		if k.Number != 2 || k.RetiredAt != nil {
			t.Errorf("new key %+v, want key-2, current", k)
		}
		after := f.issue(f.earned())
		if after.SigningKeyID != k.ID || before.SigningKeyID == k.ID {
			t.Errorf("signed with key %d before and %d after, want the old then %d", before.SigningKeyID, after.SigningKeyID, k.ID)
		}
		doc, err := f.svc.DIDDocument(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"did:web:certs.example.org#key-1", "did:web:certs.example.org#key-2"}
		if doc.ID != "did:web:certs.example.org" || len(doc.VerificationMethod) != 2 || strings.Join(doc.AssertionMethod, " ") != strings.Join(want, " ") {
			t.Fatalf("did document %+v", doc)
		}
		for i, vm := range doc.VerificationMethod {
			if vm.ID != want[i] || vm.Type != "Multikey" || vm.Controller != doc.ID || !strings.HasPrefix(vm.PublicKeyMultibase, "z6Mk") {
				t.Errorf("verification method %d: %+v", i, vm)
			}
		}
		// The retired key still opens, and is marked retired.
		err = f.st.Transact(f.ctx, func(tx *store.Tx) error {
			old, err := f.svc.SigningKey(f.ctx, tx, before.SigningKeyID)
			if err == nil && (!old.Retired || old.KeyID != want[0]) {
				t.Errorf("old key %s retired %v", old.KeyID, old.Retired)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := f.count(`SELECT COUNT(*) FROM signing_keys WHERE retired_at IS NULL`); n != 1 {
			t.Errorf("%d current keys, want 1", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'credentials.key_rotated'`); n != 1 {
			t.Errorf("%d rotation audit entries, want 1", n)
		}
	})
}

func TestStatusIndicesAreRandomAndNeverReused(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		seen := map[string]map[int]bool{portal.StatusRevocation: {}, portal.StatusSuspension: {}}
		var first []*portal.Credential
		for range 40 {
			c := f.issue(f.earned())
			first = append(first, c)
			for _, p := range portal.StatusPurposes {
				e := c.Entry(p)
				if e.Index < 0 || e.Index >= credentials.StatusListSize || seen[p][e.Index] {
					t.Fatalf("%s index %d: out of range or given twice", p, e.Index)
				}
				seen[p][e.Index] = true
			}
		}
		// Random, not sequential: 40 draws from 131,072 all below 40
		// would be a counter.
		low := 0
		for idx := range seen[portal.StatusRevocation] {
			if idx < 40 {
				low++
			}
		}
		if low == 40 {
			t.Error("revocation indices are 0..39: allocation is sequential")
		}
		if n := f.count(`SELECT COUNT(*) FROM status_lists`); n != 2 {
			t.Errorf("%d status lists, want one per purpose", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM status_lists WHERE size >= 131072 AND size = 131072`); n != 2 {
			t.Errorf("lists of another size")
		}
		// A claimed index is never given again.
		var ok bool
		err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
			var err error
			ok, err = tx.ClaimStatusIndex(f.ctx, first[0].RevocationListID, first[0].RevocationIndex)
			return err
		})
		if err != nil || ok {
			t.Errorf("claiming a used index again: %v, %v", ok, err)
		}
	})
}

// fillList gives every index of the newest list of purpose but the ones
// in free.
func (f *fixture) fillList(listID int64, free ...int) {
	f.t.Helper()
	_, err := f.st.DB().ExecContext(f.ctx, testutil.Rebind(f.engine, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO status_list_entries (list_id, idx, created_at) SELECT ?, i, ? FROM n WHERE i NOT IN (?, ?)
		ON CONFLICT DO NOTHING`), credentials.StatusListSize-1, listID, fixtureNow, free[0], free[1])
	if err != nil {
		f.t.Fatalf("fill list: %v", err)
	}
}

func TestFullListTakesItsLastFreeIndicesThenStartsAnother(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.issue(f.earned())
		f.fillList(c.RevocationListID, 17, credentials.StatusListSize-1)
		got := map[int]bool{}
		for range 2 {
			d := f.issue(f.earned())
			if d.RevocationListID != c.RevocationListID {
				t.Fatalf("moved to list %d with free indices left on %d", d.RevocationListID, c.RevocationListID)
			}
			got[d.RevocationIndex] = true
		}
		if !got[17] || !got[credentials.StatusListSize-1] {
			t.Errorf("indices %v, want the two left free", got)
		}
		next := f.issue(f.earned())
		if next.RevocationListID == c.RevocationListID {
			t.Fatal("a full list gave another index")
		}
		status, err := f.svc.StatusListCredential(f.ctx, portal.StatusRevocation, 2)
		if err != nil || status.ID != "https://certs.example.org/credentials/status/revocation/2" {
			t.Errorf("second list %+v, %v", status, err)
		}
	})
}

// decodeList reverses encodedList.
func decodeList(t *testing.T, enc string) []byte {
	t.Helper()
	if !strings.HasPrefix(enc, "u") {
		t.Fatalf("encodedList %q lacks the multibase prefix u", enc[:min(len(enc), 10)])
	}
	gz, err := base64.RawURLEncoding.DecodeString(enc[1:])
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	bits, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return bits
}

func TestEncodedListCarriesTheRightBits(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		var creds []*portal.Credential
		for range 3 {
			creds = append(creds, f.issue(f.earned()))
		}
		revoked, suspended, lifted := creds[0], creds[1], creds[2]
		err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
			for _, m := range []struct {
				c       *portal.Credential
				purpose string
				on      bool
			}{
				{revoked, portal.StatusRevocation, true},
				{suspended, portal.StatusSuspension, true},
				{lifted, portal.StatusSuspension, true},
				{lifted, portal.StatusSuspension, false},
			} {
				if err := f.svc.MarkStatus(f.ctx, tx, m.c, m.purpose, m.on); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			purpose string
			set     *portal.Credential
		}{
			{portal.StatusRevocation, revoked},
			{portal.StatusSuspension, suspended},
		} {
			t.Run(tc.purpose, func(t *testing.T) {
				lc, err := f.svc.StatusListCredential(f.ctx, tc.purpose, 1)
				if err != nil {
					t.Fatal(err)
				}
				url := "https://certs.example.org/credentials/status/" + tc.purpose + "/1"
				if lc.ID != url || lc.Issuer != "did:web:certs.example.org" || lc.CredentialSubject.StatusPurpose != tc.purpose ||
					lc.CredentialSubject.Type != "BitstringStatusList" || strings.Join(lc.Type, " ") != "VerifiableCredential BitstringStatusListCredential" {
					t.Errorf("status list credential %+v", lc)
				}
				bits := decodeList(t, lc.CredentialSubject.EncodedList)
				if len(bits)*8 != credentials.StatusListSize {
					t.Fatalf("%d bits, want %d", len(bits)*8, credentials.StatusListSize)
				}
				want := tc.set.Entry(tc.purpose).Index
				for i := range credentials.StatusListSize {
					on := bits[i/8]&(0x80>>(i%8)) != 0
					if on != (i == want) {
						t.Fatalf("bit %d is %v; only bit %d should be set", i, on, want)
					}
				}
			})
		}
		// The credential's entries point at its lists and indices.
		err = f.st.Transact(f.ctx, func(tx *store.Tx) error {
			entries, err := f.svc.CredentialStatus(f.ctx, tx, revoked)
			if err != nil {
				return err
			}
			if len(entries) != 2 || entries[0].StatusPurpose != portal.StatusRevocation || entries[1].StatusPurpose != portal.StatusSuspension ||
				entries[0].StatusListCredential != "https://certs.example.org/credentials/status/revocation/1" ||
				entries[0].ID != entries[0].StatusListCredential+"#"+entries[0].StatusListIndex || entries[0].Type != "BitstringStatusListEntry" {
				t.Errorf("entries %+v", entries)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.StatusListCredential(f.ctx, "expiry", 1); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("unknown purpose: %v", err)
		}
	})
}
