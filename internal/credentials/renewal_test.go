package credentials_test

import (
	"encoding/json"
	"testing"
	"time"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/renewal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// renew renews an earned certification by its own pass, as a pass within
// the cycle does, in one transaction.
func (f *fixture) renew(uc *portal.UserCertification) *portal.Renewal {
	f.t.Helper()
	var r *portal.Renewal
	err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
		var ok bool
		var err error
		r, ok, err = renewal.ByExam(f.ctx, tx, renewal.Config{Location: time.UTC, BaseURL: "https://certs.example.org"},
			portal.SystemActor("test"), uc.ID, uc.AttemptID, f.exam.Code, uc.IssuedAt.Add(24*time.Hour))
		if err == nil && !ok {
			f.t.Fatal("the pass renewed nothing")
		}
		return err
	})
	if err != nil {
		f.t.Fatalf("renew: %v", err)
	}
	return r
}

// TestALateSignedCredentialOfARenewedCycleKeepsItsPeriod: a credential
// issued but not yet signed when its cycle renews is signed with its own
// cycle's period, not the certification's new one.
func TestALateSignedCredentialOfARenewedCycleKeepsItsPeriod(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		uc := f.earned()
		c := f.issue(uc) // issued, unsigned
		r := f.renew(uc)
		f.react()
		var doc map[string]any
		got, err := f.st.ListCredentialsByUserCertification(f.ctx, uc.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range got {
			if x.ID == c.ID {
				if err := json.Unmarshal([]byte(x.DocumentJSONLD), &doc); err != nil {
					t.Fatalf("old credential not signed: %v", err)
				}
			}
		}
		if doc["validUntil"] != r.OldExpiresAt.UTC().Format(time.RFC3339) || doc["validFrom"] != r.OldIssuedAt.UTC().Format(time.RFC3339) {
			t.Fatalf("old credential signed for %v – %v, want its cycle's %s – %s", doc["validFrom"], doc["validUntil"], r.OldIssuedAt, r.OldExpiresAt)
		}
	})
}

// TestRenewalIssuesANewCredentialAndSupersedesTheOld: certification.renewed
// gives the new cycle its credential with a new ID; the old credential is
// superseded (still verifiable, pointing to the new one, never revoked)
// and keeps its own period; running again changes nothing.
func TestRenewalIssuesANewCredentialAndSupersedesTheOld(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		uc := f.earned()
		f.react()
		old := f.credentialsOf(uc)
		if len(old) != 1 {
			t.Fatalf("%d credentials before renewal, want 1", len(old))
		}
		r := f.renew(uc)
		// Between the renewal and the reaction, the old credential still
		// attests its own cycle.
		v, err := f.svc.Lookup(f.ctx, "192.0.2.1", old[0].CredentialID)
		if err != nil || v.Status != credentials.StatusActive || v.ExpiresOn != r.OldExpiresOn {
			t.Fatalf("old credential before the reaction = %+v, %v", v, err)
		}
		if n := f.react(); n != 1 {
			t.Fatalf("react handled %d events, want 1", n)
		}
		list := f.credentialsOf(uc)
		if len(list) != 2 {
			t.Fatalf("%d credentials after renewal, want 2", len(list))
		}
		var prev, next *portal.Credential
		for _, c := range list {
			if c.Cycle == 1 {
				prev = c
			} else {
				next = c
			}
		}
		if prev == nil || next == nil || next.Cycle != 2 || next.CredentialID == prev.CredentialID || next.DocumentJSONLD == "" {
			t.Fatalf("credentials = %+v", list)
		}
		if prev.SupersededAt == nil || prev.SupersededBy == nil || *prev.SupersededBy != next.ID || prev.RevokedAt != nil {
			t.Fatalf("old credential = %+v", prev)
		}
		v, err = f.svc.Lookup(f.ctx, "192.0.2.1", prev.CredentialID)
		if err != nil || v.Status != credentials.StatusSuperseded || v.SupersededBy != next.CredentialID ||
			v.ExpiresOn != r.OldExpiresOn || v.IssuedOn != r.OldIssuedOn {
			t.Fatalf("old credential's verification = %+v, %v", v, err)
		}
		v, err = f.svc.Lookup(f.ctx, "192.0.2.1", next.CredentialID)
		if err != nil || v.Status != credentials.StatusActive || v.ExpiresOn != r.NewExpiresOn || v.IssuedOn != r.NewIssuedOn {
			t.Fatalf("new credential's verification = %+v, %v", v, err)
		}
		if err := f.svc.Revoke(f.ctx, f.officer(), prev.ID, portal.RevokeMisconduct, ""); err == nil {
			t.Fatal("a superseded credential was revoked")
		}
		if n := f.react(); n != 0 || len(f.credentialsOf(uc)) != 2 {
			t.Fatalf("a second reaction handled %d events and left %d credentials", n, len(f.credentialsOf(uc)))
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'credential.issued'`); n != 2 {
			t.Fatalf("%d credential.issued events, want 2", n)
		}
	})
}

// A renewal extends the period of a suspended certification but does not
// lift the suspension: the new cycle's credential is issued suspended,
// on its verification page and in its status list, until an officer lifts
// it.
func TestRenewalKeepsASuspension(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		uc := f.earned()
		f.react()
		old := f.credentialsOf(uc)[0]
		if err := f.svc.Suspend(f.ctx, f.officer(), old.ID, "Under review"); err != nil {
			t.Fatal(err)
		}
		f.renew(uc)
		f.react()
		var next *portal.Credential
		for _, c := range f.credentialsOf(uc) {
			if c.Cycle == 2 {
				next = c
			}
		}
		if next == nil || next.SuspendedAt == nil {
			t.Fatalf("the new cycle's credential = %+v, want it suspended", next)
		}
		v, err := f.svc.Lookup(f.ctx, "192.0.2.1", next.CredentialID)
		if err != nil || v.Status != credentials.StatusSuspended {
			t.Fatalf("new credential's verification = %+v, %v; want suspended", v, err)
		}
		if err := f.svc.Lift(f.ctx, f.officer(), next.ID); err != nil {
			t.Fatalf("lift the new credential's suspension: %v", err)
		}
		v, err = f.svc.Lookup(f.ctx, "192.0.2.1", next.CredentialID)
		if err != nil || v.Status != credentials.StatusActive {
			t.Fatalf("after the lift = %+v, %v; want active", v, err)
		}
		if n := f.react(); n != 0 {
			t.Fatalf("a second reaction handled %d events", n)
		}
	})
}
