package accounts_test

import (
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// newStaff is a staff account holding sets, with a second factor and a
// fresh signed-in session.
func (f *mfaFixture) newStaff(email string, sets ...portal.PermissionSet) *mfaUser {
	f.t.Helper()
	u, err := f.svc.CreateUser(f.ctx, portal.SystemActor("test"), accounts.UserCreate{
		Email: email, FirstName: "Sam", LastName: "Staff", Role: portal.RoleStaff, Language: "en", Password: "Vq8#kLm2pXz!", Verified: true, Sets: sets,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	mu := &mfaUser{User: u}
	f.signInAgain(mu)
	f.enableTOTP(mu)
	f.signInAgain(mu)
	return mu
}

// An admin removes the second factors of a candidate who lost them: only
// an admin, not on their own account, from a session signed in within the
// last 30 minutes; the candidate's factors, backup codes and sessions go,
// the audit log records before and after, and the candidate is told.
func TestAdminResetsASecondFactor(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		cand := f.newUser("ana@example.org", "es")
		_, codes := f.enableTOTP(cand)
		f.enableSMS(cand, "+34 600 123 456", accounts.Proof{Method: accounts.MethodBackup, Code: codes[0]})
		f.flow(cand)
		admin := f.newStaff("admin@example.org", portal.SetAdmin)
		staff := f.newStaff("staff@example.org", portal.SetScheduler, portal.SetSupport)
		unchanged := func(t *testing.T) {
			t.Helper()
			if st := f.status(cand.ID); !st.TOTP || !st.SMS || st.BackupCodesLeft != 9 {
				t.Fatalf("a refused reset changed the factors: %+v", st)
			}
		}

		f.clock.Advance(10 * time.Minute)
		for _, tc := range []struct {
			name   string
			actor  portal.Actor
			target int64
			want   *portal.Error
		}{
			{"staff", staff.actor, cand.ID, portal.ErrForbidden},
			{"candidate", cand.actor, cand.ID, portal.ErrForbidden},
			{"own account", admin.actor, admin.ID, &portal.Error{Code: portal.EConflict, Message: "console.users.not_yourself"}},
			{"unknown account", admin.actor, cand.ID + 1000, portal.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := f.svc.ResetSecondFactor(f.ctx, tc.actor, tc.target)
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				unchanged(t)
			})
		}

		// A sign-in older than 30 minutes must be renewed first.
		f.clock.Advance(20*time.Minute + time.Second)
		wantErr(t, f.svc.ResetSecondFactor(f.ctx, admin.actor, cand.ID), accounts.ErrReauthRequired)
		unchanged(t)

		f.signInAgain(admin)
		mails := len(f.mails())
		if err := f.svc.ResetSecondFactor(f.ctx, admin.actor, cand.ID); err != nil {
			t.Fatalf("reset: %v", err)
		}
		if st := f.status(cand.ID); st.Enabled() || st.BackupCodesLeft != 0 || st.TOTP || st.SMS {
			t.Fatalf("after the reset: %+v", st)
		}
		if n := f.count(`SELECT COUNT(*) FROM backup_codes WHERE user_id = ?`, cand.ID); n != 0 {
			t.Fatalf("%d backup codes left", n)
		}
		if ids := f.sessionIDs(cand.ID); len(ids) != 0 {
			t.Fatalf("the candidate kept sessions %v", ids)
		}
		subject := "user:" + strconv.FormatInt(cand.ID, 10)
		events, _, err := f.st.ListAudit(f.ctx, portal.AuditFilter{Action: "mfa.reset_by_admin", Subject: subject})
		if err != nil || len(events) != 1 {
			t.Fatalf("audit: %+v, %v", events, err)
		}
		wantChanges := []portal.FieldChange{{Field: "totp", Before: "true", After: "false"},
			{Field: "sms", Before: "true", After: "false"}, {Field: "backup_codes", Before: "9", After: "0"}}
		if e := events[0]; e.ActorID != admin.ID || !reflect.DeepEqual(e.Changes, wantChanges) {
			t.Fatalf("audit: actor %d changes %+v", e.ActorID, e.Changes)
		}
		if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'auth.sessions_revoked' AND subject = ?`, subject); n != 1 {
			t.Fatalf("%d session revocations audited", n)
		}
		got := f.mails()
		if len(got) != mails+1 || got[mails].Template != "security_mfa_reset" || got[mails].To != cand.Email || got[mails].Lang != "es" {
			t.Fatalf("mail: %+v", got[mails:])
		}
		if _, ok := got[mails].Data["IP"]; ok {
			t.Error("the notice names the admin's address")
		}

		// Nothing left to remove.
		wantErr(t, f.svc.ResetSecondFactor(f.ctx, admin.actor, cand.ID), accounts.ErrMFANotEnabled)
	})
}
