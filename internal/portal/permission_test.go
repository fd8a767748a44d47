package portal

import (
	"errors"
	"testing"
	"time"
)

func TestEveryPermissionHasANameAndAnAdmin(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range AllPermissions() {
		name := p.String()
		if name == "" || seen[name] {
			t.Errorf("permission %d: name %q empty or repeated", p, name)
		}
		seen[name] = true
		if !SetAdmin.Permissions().Has(p) {
			t.Errorf("the admin set lacks %s", p)
		}
	}
	for _, set := range PermissionSets() {
		if !set.Valid() || !set.Permissions().Has(PermConsole) {
			t.Errorf("set %s: not valid or cannot open the console", set)
		}
	}
	if PermissionSet("root").Valid() || Grants([]PermissionSet{"root"}) != 0 {
		t.Error("an unknown set grants something")
	}
}

// TestSetsGrantWhatTheirNamesSay pins the rules staff can see: only admins
// manage staff, settings and the audit log; schedulers cannot reach user
// administration.
func TestSetsGrantWhatTheirNamesSay(t *testing.T) {
	for _, tc := range []struct {
		set        PermissionSet
		has, lacks []Permission
	}{
		{SetScheduler, []Permission{PermCentersManage, PermSessionsManage, PermRostersRead, PermVouchersManage, PermBookingsManage},
			[]Permission{PermUsersRead, PermUsersManage, PermStaffManage, PermSettingsManage, PermAuditRead, PermResultsEnter}},
		{SetSupport, []Permission{PermCasesManage, PermCandidateRead, PermUsersRead},
			[]Permission{PermUsersManage, PermStaffManage, PermCentersManage, PermCredentialsManage}},
		{SetResultsOfficer, []Permission{PermResultsEnter, PermResultsConfirm, PermResultsImport},
			[]Permission{PermCredentialsManage, PermStaffManage, PermUsersManage}},
		{SetCredentialOfficer, []Permission{PermCredentialsManage}, []Permission{PermResultsEnter, PermStaffManage}},
		{SetCEReviewer, []Permission{PermCEReview}, []Permission{PermUsersRead, PermStaffManage, PermResultsEnter}},
	} {
		for _, p := range tc.has {
			if !tc.set.Permissions().Has(p) {
				t.Errorf("%s lacks %s", tc.set, p)
			}
		}
		for _, p := range tc.lacks {
			if tc.set.Permissions().Has(p) {
				t.Errorf("%s has %s", tc.set, p)
			}
		}
	}
}

func TestAuthorize(t *testing.T) {
	scheduler := Actor{UserID: 7, Role: RoleStaff, Permissions: SetScheduler.Permissions(), SecondFactor: true}
	noFactor := scheduler
	noFactor.SecondFactor = false
	for _, tc := range []struct {
		name  string
		actor Actor
		perm  Permission
		want  error
	}{
		{"the system", SystemActor("job"), PermStaffManage, nil},
		{"a visitor", Actor{}, PermConsole, ErrUnauthorized},
		{"a candidate", Actor{UserID: 3, Role: RoleCandidate, SecondFactor: true}, PermConsole, ErrForbidden},
		{"staff with the permission", scheduler, PermCentersManage, nil},
		{"staff without it", scheduler, PermUsersRead, ErrForbidden},
		{"staff without a second factor", noFactor, PermCentersManage, ErrSecondFactorRequired},
		{"staff without factor or permission", noFactor, PermUsersRead, ErrForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.actor.Authorize(tc.perm); !errors.Is(got, tc.want) || (tc.want == nil) != (got == nil) {
				t.Errorf("Authorize(%s) = %v, want %v", tc.perm, got, tc.want)
			}
		})
	}
}

func TestRecentlyProved(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	proved := func(password, factor time.Time, hasFactor bool) Actor {
		return Actor{UserID: 1, PasswordAt: password, SecondFactorAt: factor, SecondFactor: hasFactor}
	}
	for _, tc := range []struct {
		name  string
		actor Actor
		want  bool
	}{
		{"just now", proved(now, now, true), true},
		{"29 minutes ago", proved(now.Add(-29*time.Minute), time.Time{}, false), true},
		{"exactly the window", proved(now.Add(-ReauthWindow), now.Add(-ReauthWindow), true), true},
		{"31 minutes ago", proved(now.Add(-31*time.Minute), time.Time{}, false), false},
		{"password recent, second factor old", proved(now, now.Add(-31*time.Minute), true), false},
		{"never", proved(time.Time{}, time.Time{}, false), false},
		{"in the future", proved(now.Add(time.Minute), now.Add(time.Minute), true), false},
		{"a visitor", Actor{}, false},
		{"the system", SystemActor("job"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.actor.RecentlyProved(now); got != tc.want {
				t.Errorf("RecentlyProved = %v, want %v", got, tc.want)
			}
			if err := tc.actor.RequireRecentProof(now); (err == nil) != tc.want || (err != nil && !errors.Is(err, ErrReauthRequired)) {
				t.Errorf("RequireRecentProof = %v", err)
			}
		})
	}
}

func TestOwnsOnBehalf(t *testing.T) {
	self := Actor{UserID: 5}
	guardian := Actor{UserID: 5, OnBehalfOf: 9}
	if !self.Owns(5) || self.Owns(9) || self.Owns(0) {
		t.Error("an actor owns exactly its own records")
	}
	if !guardian.Owns(9) || guardian.Owns(5) {
		t.Error("acting on behalf of 9, the actor owns 9's records, not its own")
	}
}

func TestSortSets(t *testing.T) {
	got := SortSets([]PermissionSet{SetSupport, SetAdmin, SetSupport, SetScheduler})
	want := []PermissionSet{SetAdmin, SetScheduler, SetSupport}
	if len(got) != len(want) {
		t.Fatalf("SortSets = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("SortSets = %v, want %v", got, want)
		}
	}
}
