package accounts_test

import (
	"fmt"
	"testing"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
)

// TestAccountChangesAreAllOrNothing: an admin's change of a staff member's
// permission sets, an invitation, disabling an account, and an account
// holder's change of password and of profile each write in one
// transaction. Whichever of their writes fails, the change returns the
// failure and leaves no account, permission, link, session change, mail
// or audit row of itself; with the failure gone, it succeeds.
func TestAccountChangesAreAllOrNothing(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		db := testdb.DB{Engine: engine, Store: f.st, Clock: f.clock}
		state := func() string {
			return fmt.Sprintf("disabled=%d hashes=%d names=%d active=%d;",
				db.Count(t, `SELECT COUNT(*) FROM users WHERE disabled_at IS NOT NULL`),
				db.Count(t, `SELECT COUNT(DISTINCT password_hash) FROM users`),
				db.Count(t, `SELECT COUNT(DISTINCT first_name) FROM users`),
				db.Count(t, `SELECT COUNT(*) FROM sessions WHERE state = ?`, portal.SessionActive)) +
				db.RowCounts(t, "users", "staff_permission_sets", "user_tokens", "sessions", "audit_log", "job_outbox")
		}
		w := func(table, op string) testdb.Write { return testdb.Write{Table: table, Op: op} }
		admin := f.newStaff("admin@example.org", portal.SetAdmin)

		t.Run("permission sets", func(t *testing.T) {
			sched := f.newStaff("sched@example.org", portal.SetScheduler)
			db.AllOrNothing(t, []testdb.Write{w("staff_permission_sets", "INSERT"), w("audit_log", "INSERT"), w("job_outbox", "INSERT")},
				state, func() error {
					return f.svc.SetStaffSets(f.ctx, admin.actor, sched.ID, []portal.PermissionSet{portal.SetSupport, portal.SetScheduler})
				})
		})
		t.Run("invitation", func(t *testing.T) {
			db.AllOrNothing(t, []testdb.Write{w("users", "INSERT"), w("staff_permission_sets", "INSERT"), w("user_tokens", "INSERT"),
				w("audit_log", "INSERT"), w("job_outbox", "INSERT")}, state, func() error {
				_, err := f.svc.InviteStaff(f.ctx, admin.actor, accounts.StaffInvite{Email: "new.staff@example.org", FirstName: "Noor",
					LastName: "Staff", Language: "en", Sets: []portal.PermissionSet{portal.SetCEReviewer}})
				return err
			})
		})
		t.Run("disable an account", func(t *testing.T) {
			cand := f.newUser("disabled@example.org", "en")
			db.AllOrNothing(t, []testdb.Write{w("users", "UPDATE"), w("sessions", "DELETE"), w("audit_log", "INSERT")},
				state, func() error { return f.svc.SetUserDisabled(f.ctx, admin.actor, cand.ID, true) })
		})
		t.Run("change of password", func(t *testing.T) {
			cand := f.newUser("password@example.org", "en")
			other, _ := f.newSession(cand.ID, portal.SessionActive)
			db.AllOrNothing(t, []testdb.Write{w("users", "UPDATE"), w("sessions", "DELETE"), w("audit_log", "INSERT"), w("job_outbox", "INSERT")},
				state, func() error {
					return f.svc.ChangePassword(f.ctx, cand.actor, cand.session, accounts.PasswordChange{Current: "Vq8#kLm2pXz!",
						New: "Mq4!nRt7wYc&", Confirm: "Mq4!nRt7wYc&"})
				})
			if n := db.Count(t, `SELECT COUNT(*) FROM sessions WHERE id = ? AND state = ?`, other, portal.SessionActive); n != 0 {
				t.Fatal("the other session outlived the change of password")
			}
		})
		t.Run("profile", func(t *testing.T) {
			cand := f.newUser("profile@example.org", "en")
			db.AllOrNothing(t, []testdb.Write{w("users", "UPDATE"), w("audit_log", "INSERT")}, state, func() error {
				_, err := f.svc.UpdateProfile(f.ctx, cand.actor, accounts.ProfileUpdate{FirstName: "Anabel", LastName: "Test",
					Country: "US", Region: "US-NY", Language: "en"})
				return err
			})
		})
	})
}
