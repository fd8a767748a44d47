package booking_test

import (
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestAvailability pins what is offered: slots in the bookable window
// (from MinLead to the horizon) with a free seat and not closed, grouped
// by local date in the center's zone, or for online starts the
// candidate's zone.
func TestAvailability(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		full, closed := f.centerSlot("2026-12-08", "09:00"), f.centerSlot("2026-12-08", "13:00")
		f.setCapacity(full, 1)
		f.hold(f.candidate, f.saa, full)
		if _, err := f.svc.CloseSlot(f.ctx, f.staff, closed.ID); err != nil {
			t.Fatal(err)
		}

		c, days, err := f.centers.CenterAvailability(f.ctx, f.center.ID)
		if err != nil || c.ID != f.center.ID || len(days) == 0 {
			t.Fatalf("CenterAvailability = %v, %d days, %v", c, len(days), err)
		}
		from, to := fixtureNow.Add(24*time.Hour), fixtureNow.Add(fixtureHorizon)
		for _, d := range days {
			if d.Date.Location().String() != "America/New_York" || d.Date.Hour() != 0 {
				t.Fatalf("day %s is not a New York midnight", d.Date)
			}
			for _, sl := range d.Slots {
				if sl.StartsAt.Before(from) || sl.StartsAt.After(to) || sl.Free() == 0 || sl.Online() {
					t.Errorf("offered slot %d at %s with %d free", sl.ID, sl.StartsAt, sl.Free())
				}
				if local := sl.StartsAt.In(newYork); local.Format(time.DateOnly) != d.Key() {
					t.Errorf("slot at %s listed under %s", local, d.Key())
				}
				if sl.ID == full.ID || sl.ID == closed.ID {
					t.Errorf("slot %d is full or closed but offered", sl.ID)
				}
			}
		}
		// Now is 07:00 in New York: today's sessions are under 24 h away,
		// tomorrow's 09:00 is the first one offered.
		if first := days[0].Slots[0].StartsAt; !first.Equal(time.Date(2026, 12, 2, 9, 0, 0, 0, newYork)) {
			t.Errorf("first offered start = %s, want 2026-12-02 09:00", first.In(newYork))
		}

		tokyo := mustLoadLocation("Asia/Tokyo")
		online, err := f.centers.OnlineAvailability(f.ctx, tokyo)
		if err != nil || len(online) == 0 {
			t.Fatalf("OnlineAvailability = %d days, %v", len(online), err)
		}
		for _, d := range online {
			for _, sl := range d.Slots {
				if !sl.Online() || sl.StartsAt.In(tokyo).Format(time.DateOnly) != d.Key() {
					t.Fatalf("online slot %d at %s under %s", sl.ID, sl.StartsAt.In(tokyo), d.Key())
				}
			}
		}

		retired := *f.center
		retired.Active = false
		if _, err := f.centers.UpdateCenter(f.ctx, f.admin, retired); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.centers.CenterAvailability(f.ctx, f.center.ID); portal.ErrorCode(err) != portal.ENotFound {
			t.Fatalf("inactive center: err = %v, want not_found", err)
		}
	})
}
