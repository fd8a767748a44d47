package testutil

import (
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
