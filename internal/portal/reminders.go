package portal

import "time"

// DefaultReminderMonths are the months before a certification's expiry at
// which its holder is reminded (mail and dashboard banner), largest first.
var DefaultReminderMonths = []int{12, 6, 3, 1}

// Event types of reminders and expiry.
const (
	// EventCertificationReminded: a reminder of the certification's
	// expiry was sent (payload: months_before, expires_on, missing,
	// pending).
	EventCertificationReminded EventType = "certification.reminded"
	// EventCertificationExpired: the certification reached its expiry
	// without renewal (recorded once per expiry day).
	EventCertificationExpired EventType = "certification.expired"
)

// MonthsBeforeDay is the calendar day months before day (YYYY-MM-DD): the
// same day of the month, or the month's last day when it has none (29
// February 2028 less 12 months is 28 February 2027; 31 March less 1 month
// is 28 or 29 February). ok is false when day is not a date.
func MonthsBeforeDay(day string, months int) (string, bool) {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return "", false
	}
	first := time.Date(d.Year(), d.Month()-time.Month(months), 1, 12, 0, 0, 0, time.UTC)
	last := time.Date(first.Year(), first.Month()+1, 0, 12, 0, 0, 0, time.UTC).Day()
	return time.Date(first.Year(), first.Month(), min(d.Day(), last), 12, 0, 0, 0, time.UTC).Format(time.DateOnly), true
}

// StartOfDay is the first instant of day (YYYY-MM-DD) in loc. ok is false
// when day is not a date.
func StartOfDay(day string, loc *time.Location) (time.Time, bool) {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc), true
}

// ReminderAt is when the reminder months before the certification's expiry
// falls due: the start, in the program's time zone loc, of the day months
// before its last valid day. The expiry notice (months 0) falls due at
// ExpiresAt.
func (c *UserCertification) ReminderAt(months int, loc *time.Location) (time.Time, bool) {
	if months == 0 {
		return c.ExpiresAt, true
	}
	day, ok := MonthsBeforeDay(c.ExpiresOn, months)
	if !ok {
		return time.Time{}, false
	}
	return StartOfDay(day, loc)
}

// DueReminder is the reminder of the certification due at now among
// months (each > 0; the expiry notice, 0, is always considered): the one
// with the fewest months whose time has come. A reminder that falls due
// on or before the certification was issued is never due (the 12-month
// reminder of a 12-month microcredential). ok is false when none is due.
func (c *UserCertification) DueReminder(now time.Time, months []int, loc *time.Location) (due int, ok bool) {
	due = -1
	for _, m := range append(append([]int(nil), months...), 0) {
		at, good := c.ReminderAt(m, loc)
		if !good || now.Before(at) || (m > 0 && !at.After(c.IssuedAt)) {
			continue
		}
		if due < 0 || m < due {
			due = m
		}
	}
	if due < 0 {
		return 0, false
	}
	return due, true
}

// RenewalRetakeQuarters: a microcredential may be renewed by a retake once
// three quarters of its validity have passed (9 months of the usual 12).
const RenewalRetakeQuarters = 3

// RenewalRetakeFrom is, for a microcredential, the first instant a retake
// that renews it may be booked: the start, in the program's time zone loc,
// of the day a quarter of its validity before its last valid day (for the
// usual 12 months, 3 months before: 9 months after passing). ok is false
// for other certifications.
func (c *UserCertification) RenewalRetakeFrom(loc *time.Location) (time.Time, bool) {
	if c.Kind != CertKindMicrocredential || c.ValidityMonths <= 0 {
		return time.Time{}, false
	}
	before := c.ValidityMonths - c.ValidityMonths*RenewalRetakeQuarters/4
	day, ok := MonthsBeforeDay(c.ExpiresOn, before)
	if !ok {
		return time.Time{}, false
	}
	return StartOfDay(day, loc)
}
