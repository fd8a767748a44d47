package testdb_test

import (
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
)

// TestDeliveredBooking: the builder leaves what a sat exam leaves: the
// booking delivered, its seat given back, the booking.delivered event, and
// nothing the invariant checker finds.
func TestDeliveredBooking(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		db := testdb.Open(t, engine, now)
		u := db.Candidate(t)
		exam := db.Exam(t, portal.Exam{Code: "SAA-C03", Name: "Solutions Architect"})
		start := now.Add(-48 * time.Hour)
		b := db.DeliveredBooking(t, u, exam, start, "BK-SAT")
		if b.State != portal.BookingDelivered || b.DeliveredAt == nil {
			t.Fatalf("booking = %s, delivered at %v; want delivered", b.State, b.DeliveredAt)
		}
		if n := db.Count(t, `SELECT COUNT(*) FROM slots WHERE taken <> 0`); n != 0 {
			t.Errorf("%d slots still count the delivered booking's seat", n)
		}
		if n := db.Events(t, portal.EventBookingDelivered, portal.SubjectBooking, b.ID); n != 1 {
			t.Errorf("booking.delivered events = %d, want 1", n)
		}
		db.CheckInvariants(t)
	})
}

// TestConfirmedBooking: a paid booking as checkout leaves it holds its
// seat, so the invariant that a slot's taken seats are its live bookings
// holds.
func TestConfirmedBooking(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		db := testdb.Open(t, engine, now)
		exam := db.Exam(t, portal.Exam{Code: "SAA-C03", Name: "Solutions Architect"})
		start := now.Add(72 * time.Hour)
		for i, u := range db.Users(t, testdb.User{}, 2) {
			b := db.ConfirmedBooking(t, u, exam, start, "BK-"+string(rune('A'+i)))
			if b.State != portal.BookingConfirmed {
				t.Fatalf("booking = %s, want confirmed", b.State)
			}
		}
		if n := db.Count(t, `SELECT taken FROM slots`); n != 2 {
			t.Errorf("the slot counts %d seats taken, want 2", n)
		}
		db.CheckInvariants(t)
	})
}
