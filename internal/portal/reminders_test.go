package portal

import (
	"testing"
	"time"
)

func TestMonthsBeforeDay(t *testing.T) {
	for _, tc := range []struct {
		day    string
		months int
		want   string
	}{
		{"2028-02-29", 12, "2027-02-28"}, // leap day, a year before: no 29 February
		{"2028-02-29", 48, "2024-02-29"}, // four years before: a leap year again
		{"2027-03-31", 1, "2027-02-28"},
		{"2028-03-31", 1, "2028-02-29"},
		{"2027-06-12", 3, "2027-03-12"},
		{"2027-01-15", 6, "2026-07-15"}, // across a year
		{"2027-12-31", 6, "2027-06-30"},
		{"2026-06-12", -12, "2027-06-12"}, // negative months count forward
	} {
		got, ok := MonthsBeforeDay(tc.day, tc.months)
		if !ok || got != tc.want {
			t.Errorf("MonthsBeforeDay(%s, %d) = %s, %v; want %s", tc.day, tc.months, got, ok, tc.want)
		}
	}
	if _, ok := MonthsBeforeDay("2027-02-30", 1); ok {
		t.Error("an impossible day was read")
	}
}

func TestDueReminder(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// Valid to the end of 10 November 2027 in New York (EST, UTC-5); the
	// 6-month reminder falls on 10 May 2027, in daylight time (UTC-4).
	c := &UserCertification{IssuedAt: time.Date(2024, 11, 10, 15, 0, 0, 0, time.UTC), ExpiresOn: "2027-11-10",
		ExpiresAt: time.Date(2027, 11, 11, 5, 0, 0, 0, time.UTC)}
	months := DefaultReminderMonths
	for _, tc := range []struct {
		now  time.Time
		want int
		ok   bool
	}{
		{time.Date(2026, 11, 10, 4, 59, 59, 0, time.UTC), 0, false}, // 23:59:59 EST on the 9th
		{time.Date(2026, 11, 10, 5, 0, 0, 0, time.UTC), 12, true},
		{time.Date(2027, 5, 10, 3, 59, 59, 0, time.UTC), 12, true},
		{time.Date(2027, 5, 10, 4, 0, 0, 0, time.UTC), 6, true}, // midnight EDT
		{time.Date(2027, 8, 10, 4, 0, 0, 0, time.UTC), 3, true},
		{time.Date(2027, 10, 10, 4, 0, 0, 0, time.UTC), 1, true},
		{time.Date(2027, 11, 11, 4, 59, 59, 0, time.UTC), 1, true},
		{time.Date(2027, 11, 11, 5, 0, 0, 0, time.UTC), 0, true}, // expired
	} {
		got, ok := c.DueReminder(tc.now, months, ny)
		if got != tc.want || ok != tc.ok {
			t.Errorf("at %s: %d, %v; want %d, %v", tc.now, got, ok, tc.want, tc.ok)
		}
	}
	// A reminder due on or before the issue is never due: a 12-month
	// microcredential gets no 12-month reminder.
	micro := &UserCertification{Kind: CertKindMicrocredential, ValidityMonths: 12, IssuedAt: time.Date(2026, 6, 12, 14, 0, 0, 0, time.UTC),
		ExpiresOn: "2027-06-12", ExpiresAt: time.Date(2027, 6, 13, 4, 0, 0, 0, time.UTC)}
	if got, ok := micro.DueReminder(time.Date(2026, 6, 12, 15, 0, 0, 0, time.UTC), months, ny); ok {
		t.Errorf("a microcredential is reminded %d months before on its issue day", got)
	}
	from, ok := micro.RenewalRetakeFrom(ny)
	if want := time.Date(2027, 3, 12, 0, 0, 0, 0, ny); !ok || !from.Equal(want) {
		t.Errorf("renewal retake from %s, %v; want %s", from, ok, want)
	}
	if _, ok := c.RenewalRetakeFrom(ny); ok {
		t.Error("a certification has a renewal retake date")
	}
}
