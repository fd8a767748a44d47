package accounts_test

import (
	"reflect"
	"strings"
	"testing"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// A profile update is audited with the fields it changed, before and
// after, and never with the password or its hash, in the event or the
// stored row.
func TestProfileUpdateAuditsChangesButNoSecret(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		cand := f.newUser("pia@example.org", "en")
		update := accounts.ProfileUpdate{FirstName: "Ana", LastName: "Test-Lund", Country: "VA", City: " Oslo ",
			Phone: "+47 412 34 567", Language: "en", NewsOptIn: true}
		if _, err := f.svc.UpdateProfile(f.ctx, cand.actor, update); err != nil {
			t.Fatal(err)
		}
		events, _, err := f.st.ListAudit(f.ctx, portal.AuditFilter{Action: "account.profile_updated"})
		if err != nil || len(events) != 1 {
			t.Fatalf("audit: %+v, %v", events, err)
		}
		want := []portal.FieldChange{
			{Field: "last_name", Before: "Test", After: "Test-Lund"},
			{Field: "country", Before: "", After: "VA"},
			{Field: "phone", Before: "", After: "+4741234567"},
			{Field: "city", Before: "", After: "Oslo"},
			{Field: "news_opt_in", Before: "false", After: "true"},
		}
		if e := events[0]; !reflect.DeepEqual(e.Changes, want) || e.Detail != "legal name changed" || e.ActorID != cand.ID {
			t.Fatalf("profile audit = %+v\nchanges %+v\nwant    %+v", e, e.Changes, want)
		}

		var hash, stored string
		if err := f.st.DB().QueryRowContext(f.ctx, f.query(`SELECT password_hash FROM users WHERE id = ?`), cand.ID).Scan(&hash); err != nil || hash == "" {
			t.Fatalf("hash %q: %v", hash, err)
		}
		if err := f.st.DB().QueryRowContext(f.ctx, f.query(`SELECT changes FROM audit_log WHERE id = ?`), events[0].ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, hash) || strings.Contains(stored, "password") || strings.Contains(stored, "Vq8#kLm2pXz!") {
			t.Fatalf("the stored changes hold a secret: %s", stored)
		}
	})
}

// Disabling and re-enabling an account is audited with the disabled flag
// before and after.
func TestDisableAndEnableAuditTheFlag(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		cand := f.newUser("ola@example.org", "en")
		admin := f.newStaff("admin@example.org", portal.SetAdmin)
		for _, disabled := range []bool{true, false} {
			if err := f.svc.SetUserDisabled(f.ctx, admin.actor, cand.ID, disabled); err != nil {
				t.Fatal(err)
			}
		}
		events, _, err := f.st.ListAudit(f.ctx, portal.AuditFilter{Action: "account."})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range events {
			if e.Action == "account.disabled" || e.Action == "account.enabled" {
				for _, c := range e.Changes {
					got = append(got, e.Action+" "+c.Field+" "+c.Before+"->"+c.After)
				}
			}
		}
		want := []string{"account.enabled disabled true->false", "account.disabled disabled false->true"}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("audit = %q, want %q", got, want)
		}
	})
}
