package calendar

import (
	"slices"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
)

// DateLayout is how a holiday's date is written: "2026-12-25".
const DateLayout = "2006-01-02"

// Settings are the program's calendar settings as stored and edited.
type Settings struct {
	TimeZone     string         `audit:"time_zone"`     // IANA name, e.g. "Europe/Madrid"
	BusinessDays []time.Weekday `audit:"business_days"` // sorted, at least one
	Holidays     []Holiday      // sorted by date, one per date
}

// Holiday is a day off in the program's time zone.
type Holiday struct {
	Date string `json:"date"` // DateLayout
	Name string `json:"name,omitempty"`
}

// DefaultSettings are used until an admin saves others: UTC, Monday to
// Friday, no holidays.
func DefaultSettings() Settings {
	return Settings{TimeZone: "UTC", BusinessDays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday,
		time.Thursday, time.Friday}}
}

// Calendar answers questions about business days. It is built from valid
// Settings by New and is safe for concurrent use.
type Calendar struct {
	loc      *time.Location
	days     [7]bool
	holidays map[string]bool
}

// New builds the calendar of valid settings (Validate them first).
func New(s Settings) (*Calendar, error) {
	if err := Validate(&s); err != nil {
		return nil, err
	}
	loc, _ := time.LoadLocation(s.TimeZone)
	c := &Calendar{loc: loc, holidays: make(map[string]bool, len(s.Holidays))}
	for _, d := range s.BusinessDays {
		c.days[d] = true
	}
	for _, h := range s.Holidays {
		c.holidays[h.Date] = true
	}
	return c, nil
}

// Location is the program's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// IsBusinessDay reports whether the day that t falls on, in the program's
// time zone, is a business day: one of the business weekdays and not a
// holiday.
func (c *Calendar) IsBusinessDay(t time.Time) bool {
	t = t.In(c.loc)
	return c.days[t.Weekday()] && !c.holidays[t.Format(DateLayout)]
}

// StartOfDay is the first instant of the day that t falls on in the
// program's time zone.
func (c *Calendar) StartOfDay(t time.Time) time.Time {
	y, m, d := t.In(c.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, c.loc)
}

// EndOfDay is the instant the day that t falls on ends in the program's
// time zone: the first instant of the next day, so "before EndOfDay" is
// "on that day or earlier". Days across a daylight-saving change last 23
// or 25 hours.
func (c *Calendar) EndOfDay(t time.Time) time.Time {
	y, m, d := t.In(c.loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, c.loc)
}

// AddBusinessDays returns the start of the business day n business days
// after the day that from falls on, in the program's time zone. With n = 0
// it is that day itself when it is a business day, otherwise the next
// business day. A negative n is invalid.
func (c *Calendar) AddBusinessDays(from time.Time, n int) (time.Time, error) {
	if n < 0 {
		return time.Time{}, &portal.Error{Code: portal.EInvalid, Message: "calendar.error.negative_days"}
	}
	y, m, d := from.In(c.loc).Date()
	day := time.Date(y, m, d, 12, 0, 0, 0, c.loc) // noon exists on every day
	for !c.IsBusinessDay(day) {
		y, m, d = day.Date()
		day = time.Date(y, m, d+1, 12, 0, 0, 0, c.loc)
	}
	for n > 0 {
		y, m, d = day.Date()
		day = time.Date(y, m, d+1, 12, 0, 0, 0, c.loc)
		if c.IsBusinessDay(day) {
			n--
		}
	}
	return c.StartOfDay(day), nil
}

// Validate checks settings and puts them in canonical order: business days
// sorted and unique, holidays sorted by date with one per date (the first
// name wins). Problems are an invalid *portal.Error whose fields are
// "time_zone", "business_days" and "holidays".
func Validate(s *Settings) error {
	var fields []portal.FieldError
	if s.TimeZone == "" || s.TimeZone == "Local" || strings.HasPrefix(s.TimeZone, "/") {
		fields = append(fields, portal.FieldError{Field: "time_zone", Message: "calendar.error.time_zone"})
	} else if _, err := time.LoadLocation(s.TimeZone); err != nil {
		fields = append(fields, portal.FieldError{Field: "time_zone", Message: "calendar.error.time_zone"})
	}
	days := slices.Clone(s.BusinessDays)
	slices.Sort(days)
	days = slices.Compact(days)
	if len(days) == 0 || days[0] < time.Sunday || days[len(days)-1] > time.Saturday {
		fields = append(fields, portal.FieldError{Field: "business_days", Message: "calendar.error.business_days"})
	}
	seen := map[string]bool{}
	var hols []Holiday
	for _, h := range s.Holidays {
		t, err := time.Parse(DateLayout, h.Date)
		if err != nil || t.Format(DateLayout) != h.Date {
			fields = append(fields, portal.FieldError{Field: "holidays", Message: "calendar.error.holiday_date"})
			break
		}
		h.Name = strings.TrimSpace(h.Name)
		if len([]rune(h.Name)) > MaxHolidayName {
			h.Name = string([]rune(h.Name)[:MaxHolidayName])
		}
		if !seen[h.Date] {
			seen[h.Date] = true
			hols = append(hols, h)
		}
	}
	if len(hols) > MaxHolidays {
		fields = append(fields, portal.FieldError{Field: "holidays", Message: "calendar.error.too_many",
			Data: map[string]any{"Count": MaxHolidays}})
	}
	if len(fields) > 0 {
		return &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid", Fields: fields}
	}
	slices.SortStableFunc(hols, func(a, b Holiday) int { return strings.Compare(a.Date, b.Date) })
	s.BusinessDays, s.Holidays = days, hols
	return nil
}

// MaxHolidays is the most holidays a program keeps; MaxHolidayName the
// longest name kept, in characters.
const (
	MaxHolidays    = 1000
	MaxHolidayName = 100
)
