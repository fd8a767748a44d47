package testutil

import (
	"errors"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
)

// StaffActor is a staff member holding sets, with a second factor, who
// proved both at proved: what a signed-in staff session yields.
func StaffActor(userID int64, proved time.Time, sets ...portal.PermissionSet) portal.Actor {
	return portal.Actor{
		UserID: userID, Role: portal.RoleStaff, Permissions: portal.Grants(sets),
		SecondFactor: true, PasswordAt: proved, SecondFactorAt: proved,
		IP: "192.0.2.1", RequestID: "req-staff",
	}
}

// CandidateActor is a signed-in candidate who proved the password at
// proved.
func CandidateActor(userID int64, proved time.Time) portal.Actor {
	return portal.Actor{UserID: userID, Role: portal.RoleCandidate, PasswordAt: proved, IP: "198.51.100.1", RequestID: "req-candidate"}
}

// FieldErrors returns field → message of an invalid *portal.Error, and
// fails the test when err is something else.
func FieldErrors(tb testing.TB, err error) map[string]string {
	tb.Helper()
	var pe *portal.Error
	if !errors.As(err, &pe) {
		tb.Fatalf("err = %v, want a *portal.Error", err)
	}
	out := map[string]string{}
	for _, f := range pe.Fields {
		out[f.Field] = f.Message
	}
	return out
}
