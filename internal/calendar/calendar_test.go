package calendar_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/portal"
)

func mustCalendar(t *testing.T, zone string, holidays ...string) *calendar.Calendar {
	t.Helper()
	s := calendar.DefaultSettings()
	s.TimeZone = zone
	for _, h := range holidays {
		s.Holidays = append(s.Holidays, calendar.Holiday{Date: h})
	}
	c, err := calendar.New(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func at(t *testing.T, zone, value string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", value, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAddBusinessDays(t *testing.T) {
	tests := []struct {
		name     string
		zone     string
		holidays []string
		from     string // in zone
		n        int
		want     string // start of day, in zone
	}{
		{"same day with zero", "Europe/Madrid", nil, "2026-03-25 15:00", 0, "2026-03-25 00:00"},
		{"zero on a Saturday moves to Monday", "Europe/Madrid", nil, "2026-03-28 10:00", 0, "2026-03-30 00:00"},
		{"zero on a holiday moves on", "Europe/Madrid", []string{"2026-12-25"}, "2026-12-25 09:00", 0, "2026-12-28 00:00"},
		{"across the spring change in Madrid", "Europe/Madrid", nil, "2026-03-27 23:30", 1, "2026-03-30 00:00"},
		{"five across the autumn change in Madrid", "Europe/Madrid", nil, "2026-10-23 18:00", 5, "2026-10-30 00:00"},
		{"across the spring change in New York", "America/New_York", nil, "2026-03-06 12:00", 1, "2026-03-09 00:00"},
		{"across the autumn change in New York", "America/New_York", nil, "2026-10-30 23:59", 2, "2026-11-03 00:00"},
		{"across the spring change in Sydney", "Australia/Sydney", nil, "2026-10-02 08:00", 1, "2026-10-05 00:00"},
		{"across the autumn change in Sydney", "Australia/Sydney", nil, "2026-04-03 17:00", 1, "2026-04-06 00:00"},
		{"over the year end with holidays", "Europe/Madrid", []string{"2026-12-25", "2027-01-01", "2027-01-06"},
			"2026-12-24 12:00", 5, "2027-01-04 00:00"},
		{"holidays on both sides of a weekend", "America/New_York", []string{"2026-07-03", "2026-07-06"},
			"2026-07-02 09:00", 1, "2026-07-07 00:00"},
		{"the rest of a year (260 business days)", "UTC", nil, "2026-01-01 00:00", 260, "2026-12-31 00:00"},
		{"day in the zone, not in UTC", "Australia/Sydney", nil, "2026-06-05 23:30", 1, "2026-06-08 00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCalendar(t, tt.zone, tt.holidays...)
			got, err := c.AddBusinessDays(at(t, tt.zone, tt.from), tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if want := at(t, tt.zone, tt.want); !got.Equal(want) {
				t.Errorf("AddBusinessDays(%s, %d) = %s, want %s", tt.from, tt.n, got.In(c.Location()), want)
			}
		})
	}
}

func TestAddBusinessDaysRefusesNegative(t *testing.T) {
	c := mustCalendar(t, "UTC")
	_, err := c.AddBusinessDays(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), -1)
	if portal.ErrorCode(err) != portal.EInvalid {
		t.Fatalf("err = %v, want invalid", err)
	}
}

func TestEndOfDay(t *testing.T) {
	tests := []struct {
		zone, at   string
		wantHours  float64 // length of that day
		wantEndUTC string
	}{
		{"Europe/Madrid", "2026-03-29 12:00", 23, "2026-03-29T22:00:00Z"},
		{"Europe/Madrid", "2026-10-25 01:30", 25, "2026-10-25T23:00:00Z"},
		{"America/New_York", "2026-03-08 00:00", 23, "2026-03-09T04:00:00Z"},
		{"America/New_York", "2026-11-01 23:59", 25, "2026-11-02T05:00:00Z"},
		{"Australia/Sydney", "2026-04-05 10:00", 25, "2026-04-05T14:00:00Z"},
		{"Australia/Sydney", "2026-10-04 10:00", 23, "2026-10-04T13:00:00Z"},
		{"UTC", "2026-12-31 23:59", 24, "2027-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.at, func(t *testing.T) {
			c := mustCalendar(t, tt.zone)
			v := at(t, tt.zone, tt.at)
			end := c.EndOfDay(v)
			if got := end.UTC().Format(time.RFC3339); got != tt.wantEndUTC {
				t.Errorf("EndOfDay = %s, want %s", got, tt.wantEndUTC)
			}
			if got := end.Sub(c.StartOfDay(v)).Hours(); got != tt.wantHours {
				t.Errorf("day length = %vh, want %vh", got, tt.wantHours)
			}
		})
	}
}

func TestIsBusinessDay(t *testing.T) {
	s := calendar.Settings{TimeZone: "Asia/Dubai", BusinessDays: []time.Weekday{time.Monday, time.Tuesday,
		time.Wednesday, time.Thursday, time.Friday}, Holidays: []calendar.Holiday{{Date: "2026-12-02"}}}
	c, err := calendar.New(s)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		utc  string
		want bool
	}{
		{"2026-12-01T12:00:00Z", true},  // Tuesday
		{"2026-12-01T20:30:00Z", false}, // already Wednesday the 2nd, a holiday, in Dubai
		{"2026-12-05T10:00:00Z", false}, // Saturday
		{"2026-12-06T21:00:00Z", true},  // Monday in Dubai, Sunday in UTC
	}
	for _, tt := range tests {
		v, _ := time.Parse(time.RFC3339, tt.utc)
		if got := c.IsBusinessDay(v); got != tt.want {
			t.Errorf("IsBusinessDay(%s) = %v, want %v", tt.utc, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		s     calendar.Settings
		field string // "" for valid
	}{
		{"default", calendar.DefaultSettings(), ""},
		{"unknown zone", calendar.Settings{TimeZone: "Mars/Olympus", BusinessDays: []time.Weekday{1}}, "time_zone"},
		{"local zone", calendar.Settings{TimeZone: "Local", BusinessDays: []time.Weekday{1}}, "time_zone"},
		{"empty zone", calendar.Settings{BusinessDays: []time.Weekday{1}}, "time_zone"},
		{"no business days", calendar.Settings{TimeZone: "UTC"}, "business_days"},
		{"weekday out of range", calendar.Settings{TimeZone: "UTC", BusinessDays: []time.Weekday{7}}, "business_days"},
		{"bad holiday", calendar.Settings{TimeZone: "UTC", BusinessDays: []time.Weekday{1},
			Holidays: []calendar.Holiday{{Date: "2026-02-30"}}}, "holidays"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := calendar.Validate(&tt.s)
			var pe *portal.Error
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("err = %v, want none", err)
			case tt.field == "":
			case !errors.As(err, &pe) || len(pe.Fields) != 1 || pe.Fields[0].Field != tt.field:
				t.Fatalf("err = %#v, want one problem on %s", err, tt.field)
			}
		})
	}
}

func TestParseICS(t *testing.T) {
	const head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	tests := []struct {
		name    string
		ics     string
		want    string // "date name;..." or the field message
		wantErr bool
	}{
		{"one day", head + "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nSUMMARY:Christmas\\, Day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			"2026-12-25 Christmas, Day", false},
		{"multi-day with exclusive end", head + "BEGIN:VEVENT\nSUMMARY:Break\nDTSTART;VALUE=DATE:20261230\nDTEND;VALUE=DATE:20270102\nEND:VEVENT\nEND:VCALENDAR\n",
			"2026-12-30 Break;2026-12-31 Break;2027-01-01 Break", false},
		{"folded summary", head + "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260501\r\nSUMMARY:Labour\r\n  Day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			"2026-05-01 Labour Day", false},
		{"timed event", head + "BEGIN:VEVENT\r\nDTSTART:20261225T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			"calendar.import.not_all_day", true},
		{"end before start", head + "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261225\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			"calendar.import.bad_range", true},
		{"too long", head + "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nDTEND;VALUE=DATE:20260301\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			"calendar.import.too_long", true},
		{"not a calendar", "date,name\n2026-12-25,Christmas\n", "calendar.import.not_ics", true},
		{"unterminated", head + "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\n", "calendar.import.unterminated", true},
		{"too large", head + strings.Repeat("X-PAD:0123456789\r\n", calendar.MaxICSBytes/16), "calendar.import.too_large", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := calendar.ParseICS(strings.NewReader(tt.ics))
			if tt.wantErr {
				var pe *portal.Error
				if !errors.As(err, &pe) || len(pe.Fields) != 1 || pe.Fields[0].Field != "file" || pe.Fields[0].Message != tt.want {
					t.Fatalf("err = %#v, want %s on file", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, h := range got {
				parts = append(parts, h.Date+" "+h.Name)
			}
			if s := strings.Join(parts, ";"); s != tt.want {
				t.Errorf("holidays = %q, want %q", s, tt.want)
			}
		})
	}
}
