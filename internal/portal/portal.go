// Package portal holds certportal's domain vocabulary: the types every layer
// shares (users, actors, roles), the error model and the clock. It imports
// nothing from certportal itself.
package portal

import "time"

// Clock tells the current time. Every rule that depends on time (token
// lifetimes, lockouts, deadlines, job schedules) reads it through a Clock so
// tests can move time without sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current UTC time.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
