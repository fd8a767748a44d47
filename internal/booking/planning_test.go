package booking_test

import (
	"errors"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestConsoleDatesWithinPlanningYears: a voucher expiry and a center
// closure are at most booking.PlanningYears ahead; a later one (year
// 9999 included) is refused on its field, and nothing is saved.
func TestConsoleDatesWithinPlanningYears(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		now := f.clock.Now()
		latest := now.AddDate(booking.PlanningYears, 0, 0)
		for _, tc := range []struct {
			name    string
			expires time.Time
			want    string // field message on expires_at; "" accepted
		}{
			{"past", now.Add(-time.Hour), "schedule.voucher.expiry_invalid"},
			{"tomorrow", now.AddDate(0, 0, 1), ""},
			{"at the limit", latest, ""},
			{"a day past the limit", latest.AddDate(0, 0, 1), "schedule.voucher.expiry_too_far"},
			{"year 9999", time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), "schedule.voucher.expiry_too_far"},
		} {
			t.Run("voucher "+tc.name, func(t *testing.T) {
				v, err := f.svc.CreateVoucher(f.ctx, f.admin, booking.VoucherRequest{Percent: 10, MaxUses: 1, ExpiresAt: tc.expires})
				if tc.want == "" {
					if err != nil || v == nil {
						t.Fatalf("CreateVoucher expiring %s: %v", tc.expires, err)
					}
					return
				}
				if got := fieldErrors(t, err)["expires_at"]; got != tc.want {
					t.Errorf("CreateVoucher expiring %s: expires_at %q, want %q (err %v)", tc.expires, got, tc.want, err)
				}
			})
		}
		if n := f.count(`SELECT COUNT(*) FROM vouchers`); n != 2 {
			t.Errorf("%d vouchers saved, want the 2 accepted ones", n)
		}

		for _, tc := range []struct{ name, date, want string }{
			{"in nine years", now.AddDate(9, 0, 0).Format(time.DateOnly), ""},
			{"a few days past the limit", latest.AddDate(0, 0, 3).Format(time.DateOnly), "schedule.staff.date_too_far"},
			{"year 9999", "9999-12-31", "schedule.staff.date_too_far"},
		} {
			t.Run("closure "+tc.name, func(t *testing.T) {
				_, err := f.svc.CloseCenterDay(f.ctx, f.staff, f.center.ID, tc.date, "works")
				if tc.want == "" {
					if err != nil {
						t.Fatalf("CloseCenterDay %s: %v", tc.date, err)
					}
					return
				}
				var pe *portal.Error
				if !errors.As(err, &pe) || pe.Message != tc.want || fieldErrors(t, err)["date"] != tc.want {
					t.Errorf("CloseCenterDay %s: %v, want %s on date", tc.date, err, tc.want)
				}
				if n := f.count(`SELECT COUNT(*) FROM center_closures WHERE day = '%s'`, tc.date); n != 0 {
					t.Errorf("closure of %s saved", tc.date)
				}
			})
		}
	})
}
