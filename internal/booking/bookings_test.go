package booking_test

import (
	"errors"
	"testing"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestMyBookingIsTheOwnersOnly pins the ownership rule: a booking is read
// by its owner only; another candidate, staff and admins get not found,
// the same answer as for a reference that does not exist.
func TestMyBookingIsTheOwnersOnly(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.buy(f.candidate, f.saa, f.centerSlot("2026-12-04", "09:00"))
		held := f.hold(f.candidate, f.micro, f.centerSlot("2026-12-04", "13:00"))
		for _, tc := range []struct {
			name      string
			actor     portal.Actor
			reference string
			want      error // nil: the booking is returned
		}{
			{"owner, confirmed", f.candidate, b.Reference, nil},
			{"owner, held", f.candidate, held.Reference, nil},
			{"another candidate", f.newCandidate(), b.Reference, portal.ErrNotFound},
			{"another candidate, held", f.newCandidate(), held.Reference, portal.ErrNotFound},
			{"staff", f.staff, b.Reference, portal.ErrNotFound},
			{"admin", f.admin, b.Reference, portal.ErrNotFound},
			{"unknown reference", f.candidate, "B0000-0000", portal.ErrNotFound},
			{"no reference", f.candidate, "", portal.ErrNotFound},
			{"signed out", portal.Actor{}, b.Reference, portal.ErrUnauthorized},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := f.svc.MyBooking(f.ctx, tc.actor, tc.reference)
				if tc.want != nil {
					if got != nil {
						t.Fatalf("MyBooking returned booking %s of user %d; want %v", got.Reference, got.UserID, tc.want)
					}
					if !errors.Is(err, tc.want) {
						t.Fatalf("MyBooking err = %v, want %v", err, tc.want)
					}
					return
				}
				if err != nil {
					t.Fatalf("MyBooking err = %v, want booking %s", err, tc.reference)
				}
				if got.Reference != tc.reference || got.UserID != tc.actor.UserID {
					t.Fatalf("MyBooking = booking %s of user %d, want %s of user %d", got.Reference, got.UserID, tc.reference, tc.actor.UserID)
				}
			})
		}
	})
}
