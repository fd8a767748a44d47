package app_test

import (
	"os"
	"testing"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestMultiInstanceHoldsNeverOversell pins SECURITY.md CONC-02: three app
// instances share one PostgreSQL database (the first one's
// CERTPORTAL_DATABASE_URL and CERTPORTAL_SECRET_KEY). 200 verified
// candidates are signed in (accounts.Service.SignIn in the test process,
// with a cheap password hash: 200 production hashes would take 15 s or
// more on two cores) and then released at once on one slot with 10 seats
// through the JSON API, spread round-robin over the three instances.
// Exactly 10 holds succeed (201) and 190 are refused as full (409
// schedule.hold.full), no answer is a 5xx or a lock error, the slot's
// taken count is 10 and equals its live bookings, and
// store.CheckInvariants finds nothing. SQLite serves one instance only
// (CONC-03; TestSecondInstanceOnSameDataDirRefused), so this runs on
// PostgreSQL only. It logs the burst's timing and asserts none.
func TestMultiInstanceHoldsNeverOversell(t *testing.T) {
	if os.Getenv(testutil.PostgresURLEnv) == "" {
		if testutil.CI() {
			t.Fatalf("CI=true but %s is not set: the PostgreSQL suite is mandatory in CI", testutil.PostgresURLEnv)
		}
		t.Skipf("several instances need PostgreSQL: set %s", testutil.PostgresURLEnv)
	}
	const candidates, seats = 200, 10
	apps := startHoldApps(t, store.Postgres, 3)
	w := prepareHolds(t, apps[0], candidates, seats, candidates, fastHash)
	w.signInDirect(t, apps[0], fastHash)
	race := w.burst(t, apps, w.race, "race")
	race.check(t, w, seats, candidates-seats)
	w.checkInvariants(t)
	checkAppLogs(t, apps)
	race.log(t, "3 instances, 10 seats", 0)
	t.Logf("  %d sign-ins in %.1f s", candidates, w.signInTime.Seconds())
}

// fastHash is a deliberately cheap argon2id for test accounts that must
// sign in by the hundred: never for real passwords.
var fastHash = accounts.HashParams{Time: 1, Memory: 64, Threads: 1, KeyLen: 32}
