package accounts_test

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// Only an admin who signed in within the last 30 minutes changes what a
// staff member may do; each change is audited and mailed to the account.
func TestStaffSetsChangeOnlyByARecentAdmin(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		admin := f.newStaff("admin@example.org", portal.SetAdmin)
		sched := f.newStaff("sched@example.org", portal.SetScheduler)
		support := f.newStaff("support@example.org", portal.SetSupport, portal.SetScheduler)
		cand := f.newUser("cand@example.org", "en")

		for _, tc := range []struct {
			name  string
			actor portal.Actor
			want  *portal.Error
		}{
			{"a candidate", cand.actor, portal.ErrForbidden},
			{"a scheduler", sched.actor, portal.ErrForbidden},
			{"support", support.actor, portal.ErrForbidden},
			{"a visitor", portal.Actor{}, portal.ErrUnauthorized},
		} {
			if err := f.svc.SetStaffSets(f.ctx, tc.actor, sched.ID, []portal.PermissionSet{portal.SetAdmin}); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
			}
		}
		wantErr(t, f.svc.SetStaffSets(f.ctx, admin.actor, cand.ID, []portal.PermissionSet{portal.SetSupport}),
			&portal.Error{Code: portal.EConflict, Message: "console.staff.not_staff"})
		assertField(t, f.svc.SetStaffSets(f.ctx, admin.actor, sched.ID, nil), "sets", "console.staff.error.sets_required")
		assertField(t, f.svc.SetStaffSets(f.ctx, admin.actor, sched.ID, []portal.PermissionSet{"root"}), "sets", "console.staff.error.sets_invalid")

		mails := len(f.mails())
		if err := f.svc.SetStaffSets(f.ctx, admin.actor, sched.ID, []portal.PermissionSet{portal.SetSupport, portal.SetScheduler}); err != nil {
			t.Fatal(err)
		}
		f.signInAgain(sched)
		if !sched.actor.Can(portal.PermCasesManage) || !sched.actor.Can(portal.PermCentersManage) || sched.actor.Can(portal.PermStaffManage) {
			t.Fatalf("after the change the account may: %b", sched.actor.Permissions)
		}
		got := f.mails()
		if len(got) != mails+1 || got[mails].Template != "staff_permissions" || got[mails].To != sched.Email {
			t.Fatalf("mail: %+v", got[mails:])
		}
		events, _, err := f.st.ListAudit(f.ctx, portal.AuditFilter{Action: "staff.permissions_changed", Subject: "user:" + strconv.FormatInt(sched.ID, 10)})
		if err != nil {
			t.Fatal(err)
		}
		want := []portal.FieldChange{{Field: "permission_sets", Before: "scheduler", After: "scheduler, support"}}
		if len(events) != 1 || events[0].ActorID != admin.ID || !reflect.DeepEqual(events[0].Changes, want) {
			t.Fatalf("audit of the change: %+v", events)
		}
		// The same sets again change nothing and tell nobody.
		if err := f.svc.SetStaffSets(f.ctx, admin.actor, sched.ID, []portal.PermissionSet{portal.SetScheduler, portal.SetSupport}); err != nil {
			t.Fatal(err)
		}
		if len(f.mails()) != mails+1 {
			t.Fatal("an unchanged set of permissions was mailed")
		}

		// A stale sign-in must be renewed first.
		f.clock.Advance(portal.ReauthWindow + time.Second)
		wantErr(t, f.svc.SetStaffSets(f.ctx, admin.actor, sched.ID, []portal.PermissionSet{portal.SetScheduler}), accounts.ErrReauthRequired)
	})
}

// The last enabled admin can be neither demoted nor disabled, not even by
// two admins demoting each other at the same moment.
func TestTheLastAdminStays(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		a := f.newStaff("a@example.org", portal.SetAdmin)
		b := f.newStaff("b@example.org", portal.SetAdmin)
		lastAdmin := &portal.Error{Code: portal.EConflict, Message: "console.staff.last_admin"}

		for range 3 {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, pair := range [][2]*mfaUser{{a, b}, {b, a}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = f.svc.SetStaffSets(f.ctx, pair[0].actor, pair[1].ID, []portal.PermissionSet{portal.SetSupport})
				}()
			}
			wg.Wait()
			if n := f.count(`SELECT COUNT(*) FROM staff_permission_sets WHERE set_name = 'admin'`); n != 1 {
				t.Fatalf("%d admins left after two admins demoted each other (errors %v)", n, errs)
			}
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else if !errors.Is(err, lastAdmin) {
					t.Fatalf("unexpected refusal: %v", err)
				}
			}
			if ok != 1 {
				t.Fatalf("%d of two crossing demotions succeeded, want 1", ok)
			}
			// Restore both admins for the next round.
			for _, u := range []*mfaUser{a, b} {
				if err := f.svc.SetStaffSets(f.ctx, portal.SystemActor("test"), u.ID, []portal.PermissionSet{portal.SetAdmin}); err != nil {
					t.Fatal(err)
				}
			}
		}

		// A disabled admin does not count: the other one is then the last.
		if err := f.svc.SetUserDisabled(f.ctx, a.actor, b.ID, true); err != nil {
			t.Fatal(err)
		}
		wantErr(t, f.svc.SetStaffSets(f.ctx, a.actor, a.ID, []portal.PermissionSet{portal.SetScheduler}), lastAdmin)
		wantErr(t, f.svc.SetUserDisabled(f.ctx, portal.SystemActor("test"), a.ID, true), lastAdmin)
		if err := f.svc.SetUserDisabled(f.ctx, a.actor, b.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetUserDisabled(f.ctx, portal.SystemActor("test"), a.ID, true); err != nil {
			t.Fatalf("disabling one of two admins: %v", err)
		}
	})
}

// An admin invites staff: the account holds the chosen sets, has no
// password, and its owner gets a link that works once within 72 hours.
func TestInviteStaff(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		admin := f.newStaff("admin@example.org", portal.SetAdmin)
		sched := f.newStaff("sched@example.org", portal.SetScheduler)
		req := accounts.StaffInvite{Email: "New.Hire@Example.org", FirstName: "Noa", LastName: "Levi", Language: "es",
			Sets: []portal.PermissionSet{portal.SetResultsOfficer, portal.SetSupport}}

		_, err := f.svc.InviteStaff(f.ctx, sched.actor, req)
		wantErr(t, err, portal.ErrForbidden)
		bad := req
		bad.Sets = nil
		_, err = f.svc.InviteStaff(f.ctx, admin.actor, bad)
		assertField(t, err, "sets", "console.staff.error.sets_required")

		mails := len(f.mails())
		u, err := f.svc.InviteStaff(f.ctx, admin.actor, req)
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != portal.RoleStaff || u.PasswordHash != "" || u.Email != "new.hire@example.org" {
			t.Fatalf("invited account: %+v", u)
		}
		got := f.mails()
		if len(got) != mails+1 || got[mails].Template != "staff_invitation" || got[mails].Lang != "es" {
			t.Fatalf("mail: %+v", got[mails:])
		}
		link, _ := got[mails].Data["Link"].(string)
		token := link[strings.LastIndex(link, "/")+1:]
		if _, err := f.svc.SetupAccount(f.ctx, token); err != nil {
			t.Fatalf("fresh invitation: %v", err)
		}
		_, err = f.svc.InviteStaff(f.ctx, admin.actor, req)
		assertField(t, err, "email", "field.email_taken")

		// 72 hours and it is gone.
		f.clock.Advance(accounts.StaffInvitationTTL)
		if _, err := f.svc.SetupAccount(f.ctx, token); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("expired invitation: err = %v", err)
		}
		f.clock.Advance(-time.Minute)
		if _, err := f.svc.CompleteSetup(f.ctx, portal.Actor{}, accounts.SetupRequest{Token: token, Password: "Vq8#kLm2pXz!", Confirm: "Vq8#kLm2pXz!"}); err != nil {
			t.Fatalf("setup a minute before expiry: %v", err)
		}
		if _, err := f.svc.SetupAccount(f.ctx, token); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("used invitation: err = %v", err)
		}
		if n := f.count(`SELECT COUNT(*) FROM staff_permission_sets WHERE user_id = ?`, u.ID); n != 2 {
			t.Fatalf("the invited account holds %d sets", n)
		}
	})
}

// Every change of the account's own second factors needs a sign-in within
// ReauthWindow, decided in the service from the actor: a stale actor is
// refused and nothing changes.
func TestSecondFactorChangesNeedARecentProof(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ines@example.org", "en")
		f.enableTOTP(u)
		stale := u.actor
		f.clock.Advance(portal.ReauthWindow + time.Second)
		proof := accounts.Proof{Method: accounts.MethodTOTP, Code: "000000"}
		for name, call := range map[string]func() error{
			"BeginTOTP":   func() error { _, err := f.svc.BeginTOTP(f.ctx, stale, u.session, proof); return err },
			"ConfirmTOTP": func() error { _, err := f.svc.ConfirmTOTP(f.ctx, stale, u.session, "000000"); return err },
			"DisableTOTP": func() error { return f.svc.DisableTOTP(f.ctx, stale, u.session, proof) },
			"StartPhoneVerification": func() error {
				_, err := f.svc.StartPhoneVerification(f.ctx, stale, u.session, "+34600123456", proof)
				return err
			},
			"ConfirmPhone":    func() error { _, err := f.svc.ConfirmPhone(f.ctx, stale, u.session, "000000"); return err },
			"DisableSMS":      func() error { return f.svc.DisableSMS(f.ctx, stale, u.session, proof) },
			"SendConfirmCode": func() error { _, err := f.svc.SendConfirmCode(f.ctx, stale, u.session); return err },
			"RegenerateBackupCodes": func() error {
				_, err := f.svc.RegenerateBackupCodes(f.ctx, stale, u.session)
				return err
			},
		} {
			if err := call(); !errors.Is(err, accounts.ErrReauthRequired) {
				t.Errorf("%s with a stale sign-in: err = %v, want the sign-in again", name, err)
			}
		}
		if st := f.status(u.ID); !st.TOTP || st.SMS || st.BackupCodesLeft != 10 {
			t.Fatalf("a refused change changed the factors: %+v", st)
		}
	})
}
