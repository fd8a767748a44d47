package centers

import (
	"fmt"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
)

// Hours is a center's weekly opening schedule: for each weekday the
// minutes after local midnight it opens and closes (0, 0 when closed).
type Hours [7]struct{ Open, Close int }

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// ParseHours reads a schedule such as "mon-fri 08:00-21:00; sat 09:00-17:00".
// Days not named are closed; a day named twice is an error.
func ParseHours(s string) (Hours, error) {
	var h Hours
	seen := map[time.Weekday]bool{}
	parts := strings.Split(strings.ToLower(strings.TrimSpace(s)), ";")
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		days, span, ok := strings.Cut(part, " ")
		if !ok {
			return h, fmt.Errorf("%q: want days and hours, as in \"mon-fri 08:00-21:00\"", part)
		}
		first, last, ranged := strings.Cut(days, "-")
		d1, ok1 := weekdays[first]
		d2, ok2 := d1, ok1
		if ranged {
			d2, ok2 = weekdays[last]
		}
		if !ok1 || !ok2 {
			return h, fmt.Errorf("%q: days are mon, tue, wed, thu, fri, sat, sun", days)
		}
		from, to, ok := strings.Cut(strings.TrimSpace(span), "-")
		open, err1 := clock(from)
		closing, err2 := clock(to)
		if !ok || err1 != nil || err2 != nil || closing <= open {
			return h, fmt.Errorf("%q: hours are HH:MM-HH:MM, opening before closing", span)
		}
		for d := d1; ; d = (d + 1) % 7 {
			if seen[d] {
				return h, fmt.Errorf("%s appears twice", d)
			}
			seen[d] = true
			h[d].Open, h[d].Close = open, closing
			if d == d2 {
				break
			}
		}
	}
	if len(seen) == 0 {
		return h, fmt.Errorf("no opening hours")
	}
	return h, nil
}

func clock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		if strings.TrimSpace(s) == "24:00" {
			return 24 * 60, nil
		}
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Session start times at test centers, in minutes after local midnight.
// A session is offered on a day when the center is open from its start
// until sessionSpan later, enough for the longest exam with check-in.
var sessionStarts = []struct {
	Name   string
	Minute int
}{
	{portal.SessionMorning, 9 * 60},
	{portal.SessionAfternoon, 13 * 60},
	{portal.SessionEvening, 17*60 + 30},
}

const sessionSpan = 3*60 + 30

// sessionsOn returns the session starts of a local date at a center.
func (h Hours) sessionsOn(day time.Time, loc *time.Location) []sessionStart {
	d := h[day.Weekday()]
	var out []sessionStart
	for _, s := range sessionStarts {
		if s.Minute >= d.Open && s.Minute+sessionSpan <= d.Close {
			at := time.Date(day.Year(), day.Month(), day.Day(), s.Minute/60, s.Minute%60, 0, 0, loc)
			out = append(out, sessionStart{Session: s.Name, At: at})
		}
	}
	return out
}

type sessionStart struct {
	Session string
	At      time.Time
}
