package credentials_test

import (
	"fmt"
	"strings"
	"testing"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
)

// snapshot describes, as text, everything an officer's or a holder's
// action on credentials may change: the credentials by status, every
// status list's bits, the directory and the rows of the tables written.
func (f *fixture) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "revoked=%d suspended=%d signed=%d;",
		f.db.Count(t, `SELECT COUNT(*) FROM credentials WHERE revoked_at IS NOT NULL`),
		f.db.Count(t, `SELECT COUNT(*) FROM credentials WHERE suspended_at IS NOT NULL`),
		f.db.Count(t, `SELECT COUNT(*) FROM credentials WHERE document_jsonld <> ''`))
	lists, err := f.st.ListStatusLists(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lists {
		set := 0
		for _, c := range l.Bits {
			for ; c != 0; c &= c - 1 {
				set++
			}
		}
		fmt.Fprintf(&b, " list %d: %d set;", l.ID, set)
	}
	b.WriteString(f.db.RowCounts(t, "credentials", "status_list_entries", "credential_directory", "audit_log", "events", "job_outbox"))
	return b.String()
}

// TestCredentialActionsAreAllOrNothing: issuing a credential, an officer's
// revocation, suspension and lift, and a holder's joining or leaving the
// directory each write in one transaction. Whichever of their writes
// fails, the action returns the failure, the credential keeps its state
// and its status bits, and no mail, event or audit row is left of it; with
// the failure gone, it succeeds.
func TestCredentialActionsAreAllOrNothing(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		state := func() string { return f.snapshot(t) }
		w := func(table, op string) testdb.Write { return testdb.Write{Table: table, Op: op} }
		officerChange := []testdb.Write{w("credentials", "UPDATE"), w("status_lists", "UPDATE"), w("audit_log", "INSERT"),
			w("events", "INSERT"), w("job_outbox", "INSERT")}

		t.Run("issue", func(t *testing.T) {
			f.earned()
			f.db.AllOrNothing(t, []testdb.Write{w("credentials", "INSERT"), w("status_list_entries", "INSERT"), w("events", "INSERT")},
				state, func() error { _, err := f.svc.React(f.ctx); return err })
		})
		t.Run("revoke", func(t *testing.T) {
			c := f.issue(f.earned())
			f.db.AllOrNothing(t, officerChange, state, func() error {
				return f.svc.Revoke(f.ctx, f.officer(), c.ID, portal.RevokePolicyViolation, "Broke the candidate agreement.")
			})
		})
		t.Run("suspend and lift", func(t *testing.T) {
			c := f.issue(f.earned())
			f.db.AllOrNothing(t, officerChange, state, func() error { return f.svc.Suspend(f.ctx, f.officer(), c.ID, "Under review") })
			f.db.AllOrNothing(t, officerChange, state, func() error { return f.svc.Lift(f.ctx, f.officer(), c.ID) })
		})
		t.Run("join and leave the directory", func(t *testing.T) {
			uc := f.earned()
			f.react()
			f.db.AllOrNothing(t, []testdb.Write{w("credential_directory", "INSERT"), w("audit_log", "INSERT")}, state,
				func() error { return f.svc.JoinDirectory(f.ctx, holder(uc), uc.ID) })
			f.db.AllOrNothing(t, []testdb.Write{w("credential_directory", "DELETE"), w("audit_log", "INSERT")}, state,
				func() error { return f.svc.LeaveDirectory(f.ctx, holder(uc), uc.ID) })
		})
	})
}
