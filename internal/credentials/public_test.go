package credentials_test

import (
	"errors"
	"reflect"
	"testing"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestHolderIsMailedOnceWhenTheCredentialIsSigned: no mail while the
// credential waits to be signed; one mail, in the holder's language, with
// the certification, the ID, the verification URL and the Certifications
// page, once it is signed; signing and reacting again send no other; the
// credential.issued event stays one.
func TestHolderIsMailedOnceWhenTheCredentialIsSigned(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		uc := f.earned()
		if _, err := f.st.DB().ExecContext(f.ctx, testutil.Rebind(engine, `UPDATE users SET language = 'es' WHERE id = ?`), uc.UserID); err != nil {
			t.Fatal(err)
		}
		c := f.issue(uc)
		if got := f.credentialMails("issued"); len(got) != 0 {
			t.Fatalf("%d issue mails before signing, want 0", len(got))
		}
		f.react()
		if err := f.svc.Sign(f.ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		f.react()
		got := f.credentialMails("issued")
		if len(got) != 1 {
			t.Fatalf("%d issue mails, want 1", len(got))
		}
		m := got[0]
		want := map[string]any{"Certification": f.cert.Name, "CredentialID": c.CredentialID.String(),
			"VerifyURL": "https://certs.example.org/credentials/" + string(c.CredentialID), "Link": "https://certs.example.org/certifications"}
		for k, v := range want {
			if m.Data[k] != v {
				t.Errorf("mail %s = %v, want %v", k, m.Data[k], v)
			}
		}
		if m.Lang != "es" || m.To != f.holderEmail(c) {
			t.Errorf("mail to %s in %q, want the holder in es", m.To, m.Lang)
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = ? AND subject_id = ?`, string(portal.EventCredentialIssued), c.ID); n != 1 {
			t.Errorf("%d credential.issued events, want 1", n)
		}
	})
}

// TestUnknownIDsDoTheWorkOfAKnownOne: a public lookup, badge or download
// of an unknown ID is not found, after reading the oldest credential with
// the same queries and building the same answer (the refusal carries it,
// equal to that credential's own answer); with no credential at all it is
// a plain not found.
func TestUnknownIDsDoTheWorkOfAKnownOne(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		unknown, err := portal.NewCredentialID()
		if err != nil {
			t.Fatal(err)
		}
		var ue *credentials.UnknownError
		if _, err := f.svc.Lookup(f.ctx, "192.0.2.9", unknown); !errors.Is(err, portal.ErrNotFound) || errors.As(err, &ue) {
			t.Errorf("lookup with no credential at all: %v, want a plain not found", err)
		}
		first := f.issue(f.earned())
		f.issue(f.earned())
		f.react()

		known, err := f.svc.Lookup(f.ctx, "192.0.2.9", first.CredentialID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Lookup(f.ctx, "192.0.2.9", unknown)
		if !errors.Is(err, portal.ErrNotFound) || !errors.As(err, &ue) || ue.Verification == nil {
			t.Fatalf("lookup of an unknown ID: %v, want not found with the stand-in's answer", err)
		}
		if !reflect.DeepEqual(ue.Verification, known) {
			t.Errorf("stand-in answer %+v, want the oldest credential's %+v", ue.Verification, known)
		}

		badge, err := f.svc.PublicBadge(f.ctx, "192.0.2.9", first.CredentialID)
		if err != nil {
			t.Fatal(err)
		}
		ue = nil
		if _, err := f.svc.PublicBadge(f.ctx, "192.0.2.9", unknown); !errors.As(err, &ue) || !reflect.DeepEqual(ue.Badge, badge) {
			t.Errorf("badge of an unknown ID: %v, want not found carrying the stand-in's badge", err)
		}
		doc, err := f.svc.Document(f.ctx, "192.0.2.9", first.CredentialID, credentials.FormJWT)
		if err != nil {
			t.Fatal(err)
		}
		ue = nil
		if _, err := f.svc.Document(f.ctx, "192.0.2.9", unknown, credentials.FormJWT); !errors.As(err, &ue) || ue.Document != doc {
			t.Errorf("document of an unknown ID: %v, want not found carrying the stand-in's document", err)
		}
	})
}
