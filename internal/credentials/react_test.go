package credentials_test

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/openbadges"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// didResolver resolves verification methods from the service's DID
// document only, as an outside verifier would.
func (f *fixture) didResolver() openbadges.KeyResolver {
	f.t.Helper()
	doc, err := f.svc.DIDDocument(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	keys := map[string]ed25519.PublicKey{}
	for _, vm := range doc.VerificationMethod {
		pub, err := openbadges.DecodeMultikey(vm.PublicKeyMultibase)
		if err != nil {
			f.t.Fatal(err)
		}
		keys[vm.ID] = pub
	}
	return func(vm string) (ed25519.PublicKey, error) {
		if k, ok := keys[vm]; ok {
			return k, nil
		}
		return nil, fmt.Errorf("unknown key %s", vm)
	}
}

func TestReactIssuesAndSignsEachCertificationOnce(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		ucs := []*portal.UserCertification{f.earned(), f.earned()}
		if n := f.react(); n != 2 {
			t.Errorf("react handled %d events, want 2", n)
		}
		if n := f.react(); n != 0 {
			t.Errorf("a second react handled %d events, want 0", n)
		}
		resolve := f.didResolver()
		for _, uc := range ucs {
			list := f.credentialsOf(uc)
			if len(list) != 1 {
				t.Fatalf("%d credentials of certification %d, want 1", len(list), uc.ID)
			}
			c := list[0]
			if c.DocumentJSONLD == "" || c.DocumentJWT == "" || c.SubjectSalt == "" {
				t.Fatalf("credential not signed: %+v", c)
			}
			for form, doc := range map[string]string{"json-ld": c.DocumentJSONLD, "jwt": c.DocumentJWT} {
				r := openbadges.Verify([]byte(doc), resolve, fixtureNow, openbadges.NewLoader())
				if !r.Valid() {
					t.Errorf("%s form does not verify: %+v", form, r.Checks)
				}
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(c.DocumentJSONLD), &doc); err != nil {
				t.Fatal(err)
			}
			if doc["id"] != "https://certs.example.org/credentials/"+string(c.CredentialID) {
				t.Errorf("id = %v", doc["id"])
			}
			if doc["validFrom"] != uc.IssuedAt.UTC().Format(time.RFC3339) || doc["validUntil"] != uc.ExpiresAt.UTC().Format(time.RFC3339) {
				t.Errorf("validity %v – %v, want the certification's %s – %s", doc["validFrom"], doc["validUntil"], uc.IssuedAt, uc.ExpiresAt)
			}
			issuer := doc["issuer"].(map[string]any)
			if issuer["id"] != "did:web:certs.example.org" || issuer["name"] != "Cloud Certification Program" || issuer["url"] != "https://certs.example.org" {
				t.Errorf("issuer = %v", issuer)
			}
			subj := doc["credentialSubject"].(map[string]any)
			ach := subj["achievement"].(map[string]any)
			if ach["name"] != f.cert.Name || ach["achievementType"] != "Certification" ||
				!strings.Contains(ach["criteria"].(map[string]any)["narrative"].(string), "SAA-C03") {
				t.Errorf("achievement = %v", ach)
			}
			if !strings.HasPrefix(subj["name"].(string), "Casey Person") {
				t.Errorf("holder name = %v", subj["name"])
			}
			u, err := f.st.GetUser(f.ctx, uc.UserID)
			if err != nil {
				t.Fatal(err)
			}
			id := subj["identifier"].([]any)[0].(map[string]any)
			if id["salt"] != c.SubjectSalt || id["identityHash"] != openbadges.IdentityHash(u.Email, c.SubjectSalt) {
				t.Errorf("identifier = %v, want the email hashed with the stored salt", id)
			}
			for _, leak := range []string{u.Email, u.LoginID, `"score"`, ":800"} {
				if strings.Contains(c.DocumentJSONLD, leak) {
					t.Errorf("the document carries %q", leak)
				}
			}
			status := doc["credentialStatus"].([]any)
			if len(status) != 2 || status[0].(map[string]any)["statusPurpose"] != "revocation" ||
				status[0].(map[string]any)["statusListIndex"] != fmt.Sprint(c.RevocationIndex) {
				t.Errorf("credentialStatus = %v", status)
			}
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'credential.issued'`); n != 2 {
			t.Errorf("%d credential.issued events, want 2", n)
		}
	})
}

func TestConcurrentReactionsIssueOnce(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		var ucs []*portal.UserCertification
		for range 6 {
			ucs = append(ucs, f.earned())
		}
		// Instances with their own service over the same store.
		var wg sync.WaitGroup
		handled := make([]int, 4)
		errs := make([]error, 4)
		for i := range 4 {
			svc := credentials.New(f.st, f.clock, slog.New(slog.DiscardHandler), credentials.Config{BaseURL: "https://certs.example.org",
				SecretKey: secretKey, ProgramName: "Cloud Certification Program"})
			wg.Add(1)
			go func() {
				defer wg.Done()
				handled[i], errs[i] = svc.React(f.ctx)
			}()
		}
		wg.Wait()
		total := 0
		for i := range 4 {
			if errs[i] != nil {
				t.Errorf("react %d: %v", i, errs[i])
			}
			total += handled[i]
		}
		if total != len(ucs) {
			t.Errorf("the reactions handled %d events together, want %d (each once)", total, len(ucs))
		}
		for _, uc := range ucs {
			list := f.credentialsOf(uc)
			if len(list) != 1 || list[0].DocumentJSONLD == "" {
				t.Errorf("certification %d: %d credentials (%+v), want 1 signed", uc.ID, len(list), list)
			}
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'credential.issued'`); n != len(ucs) {
			t.Errorf("%d credential.issued events, want %d", n, len(ucs))
		}
		if n := f.count(`SELECT COUNT(*) FROM signing_keys`); n != 1 {
			t.Errorf("%d signing keys, want 1", n)
		}
	})
}

func TestWithdrawalRevokesTheCredential(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		uc, other := f.earned(), f.earned()
		f.react()
		f.withdraw(uc)
		f.react()
		c := f.credentialsOf(uc)[0]
		if c.RevokedAt == nil || c.RevocationReason != portal.RevokeIssuedInError {
			t.Fatalf("after withdrawal: revoked %v, reason %q; want revoked, issued in error", c.RevokedAt, c.RevocationReason)
		}
		kept := f.credentialsOf(other)[0]
		if kept.RevokedAt != nil {
			t.Errorf("another holder's credential was revoked")
		}
		list, err := f.svc.StatusListCredential(f.ctx, portal.StatusRevocation, 1)
		if err != nil {
			t.Fatal(err)
		}
		bits := decodeList(t, list.CredentialSubject.EncodedList)
		on := func(i int) bool { return bits[i/8]&(0x80>>(i%8)) != 0 }
		if !on(c.RevocationIndex) || on(kept.RevocationIndex) {
			t.Errorf("revocation bits: revoked %v, kept %v; want true, false", on(c.RevocationIndex), on(kept.RevocationIndex))
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'credential.revoked' AND subject_id = ?`, c.ID); n != 1 {
			t.Errorf("%d credential.revoked events, want 1", n)
		}
	})
}

func TestCertificationWithdrawnBeforeTheReactionGetsNoCredential(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		uc := f.earned()
		f.withdraw(uc)
		f.react()
		if list := f.credentialsOf(uc); len(list) != 0 {
			t.Errorf("a withdrawn certification got %d credentials", len(list))
		}
	})
}

func TestSignedStatusListsVerifyAndCarryTheBits(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		uc, other := f.earned(), f.earned()
		f.react()
		read := func(purpose string) map[string]any {
			t.Helper()
			data, err := f.svc.SignedStatusList(f.ctx, purpose, 1)
			if err != nil {
				t.Fatalf("%s list: %v", purpose, err)
			}
			var doc map[string]any
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			proof := doc["proof"].([]any)[0].(map[string]any)
			pub, err := f.didResolver()(proof["verificationMethod"].(string))
			if err != nil {
				t.Fatalf("the list's key is not in the DID document: %v", err)
			}
			if err := openbadges.VerifyProof(doc, pub, openbadges.NewLoader()); err != nil {
				t.Fatalf("%s list proof: %v", purpose, err)
			}
			if doc["id"] != "https://certs.example.org/credentials/status/"+purpose+"/1" {
				t.Errorf("list id = %v", doc["id"])
			}
			return doc
		}
		bitOf := func(doc map[string]any, i int) bool {
			bits := decodeList(t, doc["credentialSubject"].(map[string]any)["encodedList"].(string))
			return bits[i/8]&(0x80>>(i%8)) != 0
		}
		c := f.credentialsOf(uc)[0]
		if bitOf(read(portal.StatusRevocation), c.RevocationIndex) {
			t.Fatal("revocation bit set before any revocation")
		}
		f.clock.Advance(time.Minute)
		f.withdraw(uc)
		f.react()
		rev := read(portal.StatusRevocation)
		if !bitOf(rev, c.RevocationIndex) || bitOf(rev, f.credentialsOf(other)[0].RevocationIndex) {
			t.Error("the signed revocation list does not show exactly the revoked credential")
		}
		if bitOf(read(portal.StatusSuspension), c.SuspensionIndex) {
			t.Error("a revocation set the suspension bit")
		}
		// A tampered list fails its proof.
		rev["credentialSubject"].(map[string]any)["encodedList"] = "uH4sIAAAAAAAA"
		proof := rev["proof"].([]any)[0].(map[string]any)
		pub, _ := f.didResolver()(proof["verificationMethod"].(string))
		if err := openbadges.VerifyProof(rev, pub, openbadges.NewLoader()); err == nil {
			t.Error("a tampered status list verifies")
		}
		for _, bad := range []struct {
			purpose string
			n       int
		}{{"revocation", 2}, {"expiry", 1}} {
			if _, err := f.svc.SignedStatusList(f.ctx, bad.purpose, bad.n); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s/%d: err = %v, want not found", bad.purpose, bad.n, err)
			}
		}
	})
}

func TestReinstatedCertificationGetsANewCredentialThatSupersedesTheRevokedOne(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		uc := f.earned()
		f.react()
		f.withdraw(uc)
		f.react()
		err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
			if _, err := tx.ReinstateUserCertification(f.ctx, uc.ID); err != nil {
				return err
			}
			return tx.AppendEvent(portal.EventCertificationIssued, portal.SubjectCertification, uc.ID, "", 0, map[string]any{"reinstated": true})
		})
		if err != nil {
			t.Fatal(err)
		}
		f.react()
		list := f.credentialsOf(uc)
		if len(list) != 2 {
			t.Fatalf("%d credentials, want the revoked one and its successor", len(list))
		}
		old, next := list[0], list[1]
		if old.RevokedAt == nil || old.SupersededAt == nil || old.SupersededBy == nil || *old.SupersededBy != next.ID {
			t.Errorf("old credential: revoked %v, superseded %v by %v; want revoked and superseded by %d", old.RevokedAt, old.SupersededAt, old.SupersededBy, next.ID)
		}
		if next.RevokedAt != nil || next.DocumentJSONLD == "" || next.CredentialID == old.CredentialID {
			t.Errorf("new credential = %+v, want a signed, unrevoked one with its own ID", next)
		}
		// The public page of the old credential says it was revoked
		// and names its successor.
		v, err := f.svc.Lookup(f.ctx, "192.0.2.50", old.CredentialID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != credentials.StatusRevoked || v.SupersededBy != next.CredentialID || v.Listed {
			t.Errorf("public verification of the old credential: status %q, successor %q, listed %v; want revoked, %q, unlisted",
				v.Status, v.SupersededBy, v.Listed, next.CredentialID)
		}
		if v, err := f.svc.Lookup(f.ctx, "192.0.2.50", next.CredentialID); err != nil || v.Status != credentials.StatusActive || v.SupersededBy != "" {
			t.Errorf("public verification of the successor: %+v, %v; want active with no successor", v, err)
		}
	})
}
