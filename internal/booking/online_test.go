package booking_test

import (
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestOnlineLaunchWindow pins the online check-in window: from 30 minutes
// before the start to 15 minutes after, inclusive, to the second; then
// MarkMissedOnline records the confirmed online bookings without a
// check-in as no-shows and frees their seats, and leaves the others.
func TestOnlineLaunchWindow(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sl := f.onlineSlot(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC))
		start := sl.StartsAt
		early, edge, late, absent := f.newCandidate(), f.newCandidate(), f.newCandidate(), f.newCandidate()
		bookings := map[int64]*portal.BookingDetail{} // by user id
		for _, c := range []portal.Actor{early, edge, late, absent} {
			bookings[c.UserID] = f.buy(c, f.saa, sl)
		}
		centerBuyer := f.newCandidate()
		center := f.buy(centerBuyer, f.micro, f.centerSlot("2026-12-04", "09:00"))
		if _, err := f.svc.CheckIn(f.ctx, f.candidate, center.ID); portal.ErrorCode(err) != portal.ENotFound {
			t.Fatalf("check-in of another's booking: err = %v, want not_found", err)
		}

		for _, tc := range []struct {
			name   string
			offset time.Duration
			who    portal.Actor
			want   string
		}{
			{"31 minutes before", -31 * time.Minute, early, "schedule.launch.too_early"},
			{"30 minutes and 1s before", -30*time.Minute - time.Second, early, "schedule.launch.too_early"},
			{"30 minutes before", -30 * time.Minute, early, ""},
			{"again at the start", 0, early, ""},
			{"15 minutes after", 15 * time.Minute, edge, ""},
			{"15 minutes and 1s after", 15*time.Minute + time.Second, late, "schedule.launch.missed"},
			{"16 minutes after", 16 * time.Minute, late, "schedule.launch.missed"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.in(t)
				now := start.Add(tc.offset)
				f.clock.Set(now)
				b := bookings[tc.who.UserID]
				got, err := f.svc.CheckIn(f.ctx, tc.who, b.ID)
				if tc.want != "" {
					wantRefused(t, err, tc.want)
					if b := f.booking(b.ID); b.CheckedInAt != nil && tc.who.UserID != early.UserID {
						t.Fatalf("refused check-in recorded %v", b.CheckedInAt)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				first := start.Add(-30 * time.Minute)
				if tc.who.UserID == edge.UserID {
					first = now
				}
				if got.CheckedInAt == nil || !got.CheckedInAt.Equal(first) {
					t.Fatalf("checked in at %v, want %s", got.CheckedInAt, first)
				}
			})
		}
		f.clock.Set(time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)) // the center session started
		_, err := f.svc.CheckIn(f.ctx, centerBuyer, center.ID)
		wantRefused(t, err, "schedule.launch.not_online")

		f.clock.Set(start.Add(15 * time.Minute))
		if n, err := f.svc.MarkMissedOnline(f.ctx); err != nil || n != 0 {
			t.Fatalf("MarkMissedOnline while the window is open = %d, %v; want 0", n, err)
		}
		f.clock.Set(start.Add(15*time.Minute + time.Second))
		n, err := f.svc.MarkMissedOnline(f.ctx)
		if err != nil || n != 2 {
			t.Fatalf("MarkMissedOnline = %d, %v; want 2 (late and absent)", n, err)
		}
		for c, b := range bookings {
			got := f.booking(b.ID)
			want := portal.BookingConfirmed
			if c == late.UserID || c == absent.UserID {
				want = portal.BookingNoShow
				if got.NoShowKind != "absent" || got.NoShowAt == nil {
					t.Errorf("no-show %d: kind %q at %v", b.ID, got.NoShowKind, got.NoShowAt)
				}
			}
			if got.State != want {
				t.Errorf("booking %d is %s, want %s", b.ID, got.State, want)
			}
		}
		if got := f.booking(center.ID).State; got != portal.BookingConfirmed {
			t.Fatalf("test-center booking is %s; MarkMissedOnline is for online bookings", got)
		}
		if got := f.slot(sl.ID).Taken; got != 2 {
			t.Fatalf("taken = %d, want 2 (the no-shows' seats freed)", got)
		}
		if n, err := f.svc.MarkMissedOnline(f.ctx); err != nil || n != 0 {
			t.Fatalf("second run = %d, %v; want 0", n, err)
		}
		if n := f.count(`SELECT COUNT(*) FROM refunds`); n != 0 {
			t.Fatalf("%d refunds for no-shows; the fee is forfeited", n)
		}
		f.checkInvariants()
	})
}
