package credentials_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// officer is a credential officer who proved the password and second
// factor now.
func (f *fixture) officer() portal.Actor {
	return testutil.StaffActor(9001, f.clock.Now(), portal.SetCredentialOfficer)
}

// bitSet reports the stored bit of a credential on its list of purpose.
func (f *fixture) bitSet(c *portal.Credential, purpose string) bool {
	f.t.Helper()
	e := c.Entry(purpose)
	list, err := f.st.GetStatusList(f.ctx, e.ListID)
	if err != nil {
		f.t.Fatal(err)
	}
	return list.Bits[e.Index/8]&(0x80>>(e.Index%8)) != 0
}

// credentialMails returns the queued credential mails of a status, in
// the order they were queued.
func (f *fixture) credentialMails(status string) []mail.Message {
	f.t.Helper()
	rows, err := f.st.DB().QueryContext(f.ctx, `SELECT args FROM job_outbox WHERE kind = 'mail.send' ORDER BY id`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []mail.Message
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			f.t.Fatal(err)
		}
		var m mail.Message
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			f.t.Fatal(err)
		}
		if m.Template == "credential" && m.Data["Status"] == status {
			out = append(out, m)
		}
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// mails counts the queued credential mails of a status to a holder.
func (f *fixture) mails(status, email string) int {
	f.t.Helper()
	n := 0
	for _, m := range f.credentialMails(status) {
		if m.To == email {
			n++
		}
	}
	return n
}

func (f *fixture) reload(c *portal.Credential) *portal.Credential {
	f.t.Helper()
	out, err := f.st.GetCredential(f.ctx, c.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *fixture) holderEmail(c *portal.Credential) string {
	f.t.Helper()
	var email string
	err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
		row, err := tx.GetCredentialRow(f.ctx, c.ID)
		if err == nil {
			email = row.Email
		}
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return email
}

func TestOnlyCredentialOfficersWithARecentProofChangeCredentials(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.issue(f.earned())
		results := testutil.StaffActor(9002, f.clock.Now(), portal.SetResultsOfficer)
		stale := testutil.StaffActor(9001, f.clock.Now().Add(-portal.ReauthWindow-time.Minute), portal.SetCredentialOfficer)
		for name, try := range map[string]func(portal.Actor) error{
			"revoke":  func(a portal.Actor) error { return f.svc.Revoke(f.ctx, a, c.ID, portal.RevokeMisconduct, "") },
			"suspend": func(a portal.Actor) error { return f.svc.Suspend(f.ctx, a, c.ID, "") },
			"lift":    func(a portal.Actor) error { return f.svc.Lift(f.ctx, a, c.ID) },
		} {
			if err := try(results); !errors.Is(err, portal.ErrForbidden) {
				t.Errorf("%s by a results officer: err = %v, want forbidden", name, err)
			}
			if err := try(testutil.CandidateActor(1, f.clock.Now())); !errors.Is(err, portal.ErrForbidden) {
				t.Errorf("%s by a candidate: err = %v, want forbidden", name, err)
			}
			if err := try(stale); !errors.Is(err, portal.ErrReauthRequired) {
				t.Errorf("%s with a stale proof: err = %v, want reauth required", name, err)
			}
		}
		if _, err := f.svc.Search(f.ctx, results, string(c.CredentialID)); !errors.Is(err, portal.ErrForbidden) {
			t.Errorf("search by a results officer: err = %v", err)
		}
		got := f.reload(c)
		if got.RevokedAt != nil || got.SuspendedAt != nil || f.bitSet(c, portal.StatusRevocation) || f.bitSet(c, portal.StatusSuspension) {
			t.Error("a refused action changed the credential")
		}
		if n := f.count(`SELECT COUNT(*) FROM job_outbox WHERE kind = 'mail.send'`); n != 0 {
			t.Errorf("refused actions queued %d mails", n)
		}
		if err := f.svc.Revoke(f.ctx, f.officer(), c.ID, portal.RevokeMisconduct, ""); err != nil {
			t.Errorf("an officer with a recent proof revokes: %v", err)
		}
	})
}

func TestRevocationNeedsAValidReason(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.issue(f.earned())
		for _, tc := range []struct{ reason, note, field, msg string }{
			{"", "", "reason", "credentials.manage.error.reason_required"},
			{"cheating", "", "reason", "credentials.manage.error.reason_invalid"},
			{portal.RevokeOther, "  ", "note", "credentials.manage.error.note_required"},
			{portal.RevokeMisconduct, strings.Repeat("x", 2001), "note", "credentials.manage.error.note_long"},
		} {
			err := f.svc.Revoke(f.ctx, f.officer(), c.ID, tc.reason, tc.note)
			if got := testutil.FieldErrors(t, err); got[tc.field] != tc.msg {
				t.Errorf("reason %q note %q: fields = %v, want %s: %s", tc.reason, tc.note, got, tc.field, tc.msg)
			}
		}
		if f.reload(c).RevokedAt != nil {
			t.Fatal("an invalid reason revoked")
		}
		if err := f.svc.Revoke(f.ctx, f.officer(), c.ID, portal.RevokeOther, "Shared the exam content online."); err != nil {
			t.Fatalf("other with a note: %v", err)
		}
		if got := f.reload(c); got.RevokedAt == nil || got.RevocationReason != portal.RevokeOther {
			t.Errorf("after revocation: revoked %v, reason %q", got.RevokedAt, got.RevocationReason)
		}
	})
}

func TestRevocationIsFinalAndMailedOnce(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c, other := f.issue(f.earned()), f.issue(f.earned())
		email := f.holderEmail(c)
		f.clock.Advance(time.Hour)
		revokedAt := f.clock.Now()
		if err := f.svc.Revoke(f.ctx, f.officer(), c.ID, portal.RevokePolicyViolation, "Broke the candidate agreement."); err != nil {
			t.Fatal(err)
		}
		got := f.reload(c)
		if got.RevokedAt == nil || !got.RevokedAt.Equal(revokedAt) || got.RevocationReason != portal.RevokePolicyViolation {
			t.Errorf("revoked at %v reason %q, want %v policy_violation", got.RevokedAt, got.RevocationReason, revokedAt)
		}
		if !f.bitSet(c, portal.StatusRevocation) || f.bitSet(other, portal.StatusRevocation) || f.bitSet(c, portal.StatusSuspension) {
			t.Error("the revocation list does not show exactly the revoked credential")
		}
		f.clock.Advance(time.Minute)
		for name, err := range map[string]error{
			"revoke again": f.svc.Revoke(f.ctx, f.officer(), c.ID, portal.RevokeMisconduct, ""),
			"suspend":      f.svc.Suspend(f.ctx, f.officer(), c.ID, ""),
			"lift":         f.svc.Lift(f.ctx, f.officer(), c.ID),
		} {
			var pe *portal.Error
			if !errors.As(err, &pe) || pe.Message != "credentials.manage.error.revoked" {
				t.Errorf("%s after revocation: err = %v", name, err)
			}
		}
		if again := f.reload(c); again.RevocationReason != portal.RevokePolicyViolation || !again.RevokedAt.Equal(revokedAt) || again.SuspendedAt != nil {
			t.Errorf("a refused action changed the revoked credential: %+v", again)
		}
		if n := f.mails("revoked", email); n != 1 {
			t.Errorf("revocation mails = %d, want 1", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM job_outbox WHERE kind = 'mail.send' AND args LIKE ?`, `%policy_violation%`); n != 1 {
			t.Errorf("mails stating the reason = %d, want 1", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'credential.revoked' AND subject_id = ? AND actor_id = 9001`, c.ID); n != 1 {
			t.Errorf("credential.revoked events = %d, want 1", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'credential.revoked' AND subject = ? AND actor_id = 9001
			AND detail = 'Broke the candidate agreement.' AND changes LIKE '%policy_violation%'`, "credential:"+itoa(c.ID)); n != 1 {
			t.Errorf("revocation audit entries = %d, want 1", n)
		}
		v, err := f.svc.Lookup(f.ctx, "203.0.113.9", c.CredentialID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != "revoked" || v.StatusSince == nil || !v.StatusSince.Equal(revokedAt) {
			t.Errorf("public status %q since %v, want revoked since %v", v.Status, v.StatusSince, revokedAt)
		}
	})
}

func TestSuspensionCanBeLifted(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.issue(f.earned())
		email := f.holderEmail(c)
		if err := f.svc.Lift(f.ctx, f.officer(), c.ID); !isMessage(err, "credentials.manage.error.not_suspended") {
			t.Errorf("lift an active credential: err = %v", err)
		}
		for round := 1; round <= 2; round++ {
			f.clock.Advance(time.Hour)
			if err := f.svc.Suspend(f.ctx, f.officer(), c.ID, "Under investigation."); err != nil {
				t.Fatalf("round %d: suspend: %v", round, err)
			}
			if got := f.reload(c); got.SuspendedAt == nil || !f.bitSet(c, portal.StatusSuspension) || f.bitSet(c, portal.StatusRevocation) {
				t.Fatalf("round %d: suspended at %v, bit %v", round, got.SuspendedAt, f.bitSet(c, portal.StatusSuspension))
			}
			if v, err := f.svc.Lookup(f.ctx, "203.0.113.9", c.CredentialID); err != nil || v.Status != "suspended" {
				t.Errorf("round %d: public status %v, %v", round, v, err)
			}
			if err := f.svc.Suspend(f.ctx, f.officer(), c.ID, ""); !isMessage(err, "credentials.manage.error.suspended") {
				t.Errorf("round %d: suspend twice: err = %v", round, err)
			}
			f.clock.Advance(time.Hour)
			if err := f.svc.Lift(f.ctx, f.officer(), c.ID); err != nil {
				t.Fatalf("round %d: lift: %v", round, err)
			}
			if got := f.reload(c); got.SuspendedAt != nil || f.bitSet(c, portal.StatusSuspension) {
				t.Fatalf("round %d: after lifting: suspended at %v, bit %v", round, got.SuspendedAt, f.bitSet(c, portal.StatusSuspension))
			}
			if v, err := f.svc.Lookup(f.ctx, "203.0.113.9", c.CredentialID); err != nil || v.Status != "active" {
				t.Errorf("round %d: public status %v, %v", round, v, err)
			}
			if n := f.mails("suspended", email); n != round {
				t.Errorf("round %d: suspension mails = %d", round, n)
			}
			if n := f.mails("reinstated", email); n != round {
				t.Errorf("round %d: reinstatement mails = %d", round, n)
			}
		}
		for typ, want := range map[string]int{"credential.suspended": 2, "credential.reinstated": 2} {
			if n := f.count(`SELECT COUNT(*) FROM events WHERE type = ? AND subject_id = ?`, typ, c.ID); n != want {
				t.Errorf("%s events = %d, want %d", typ, n, want)
			}
			if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND subject = ? AND changes LIKE '%suspended_at%'`,
				typ, "credential:"+itoa(c.ID)); n != want {
				t.Errorf("%s audit entries = %d, want %d", typ, n, want)
			}
		}
		// A suspended credential may still be revoked; then it is final.
		if err := f.svc.Suspend(f.ctx, f.officer(), c.ID, ""); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Revoke(f.ctx, f.officer(), c.ID, portal.RevokeMisconduct, ""); err != nil {
			t.Fatalf("revoke a suspended credential: %v", err)
		}
		if err := f.svc.Lift(f.ctx, f.officer(), c.ID); !isMessage(err, "credentials.manage.error.revoked") {
			t.Errorf("lift a revoked credential: err = %v", err)
		}
	})
}

func TestSupersededCredentialIsNeverRevokedOrSuspended(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.issue(f.earned())
		err := f.st.Transact(f.ctx, func(tx *store.Tx) error { return tx.SupersedeCredential(f.ctx, c.ID) })
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Revoke(f.ctx, f.officer(), c.ID, portal.RevokeMisconduct, ""); !isMessage(err, "credentials.manage.error.superseded") {
			t.Errorf("revoke a superseded credential: err = %v", err)
		}
		if err := f.svc.Suspend(f.ctx, f.officer(), c.ID, ""); !isMessage(err, "credentials.manage.error.superseded") {
			t.Errorf("suspend a superseded credential: err = %v", err)
		}
		if got := f.reload(c); got.RevokedAt != nil || got.SuspendedAt != nil || f.bitSet(c, portal.StatusRevocation) {
			t.Error("a superseded credential changed")
		}
		if err := f.svc.Revoke(f.ctx, f.officer(), 999999, portal.RevokeMisconduct, ""); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("revoke an unknown credential: err = %v", err)
		}
	})
}

func TestSearchFindsByIDLoginIDAndEmail(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c, other := f.issue(f.earned()), f.issue(f.earned())
		email := f.holderEmail(c)
		for _, q := range []string{c.CredentialID.String(), strings.ToLower(string(c.CredentialID)), email, strings.ToUpper(email), "cp00000001"} {
			rows, err := f.svc.Search(f.ctx, f.officer(), q)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0].ID != c.ID || rows[0].Email != email || rows[0].CertificationCode != "SAA" {
				t.Errorf("search %q = %d rows, want credential %d", q, len(rows), c.ID)
			}
		}
		if rows, err := f.svc.Search(f.ctx, f.officer(), "nobody@example.org"); err != nil || len(rows) != 0 {
			t.Errorf("search for nobody = %d rows, %v", len(rows), err)
		}
		_ = other
	})
}

func isMessage(err error, msg string) bool {
	var pe *portal.Error
	return errors.As(err, &pe) && pe.Message == msg
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
