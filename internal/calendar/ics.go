package calendar

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
)

// MaxICSBytes is the largest calendar file ImportICS reads; MaxEventDays
// the longest event it turns into holidays.
const (
	MaxICSBytes  = 256 << 10
	MaxEventDays = 31
)

// ParseICS reads the all-day events (VEVENT with DTSTART;VALUE=DATE) of an
// iCalendar file as holidays: one per day from DTSTART up to, not
// including, DTEND (one day without DTEND), named by SUMMARY. Events with
// a time of day, an end before the start or longer than MaxEventDays are
// refused with the line they start on. Problems are an invalid
// *portal.Error on the field "file".
func ParseICS(r io.Reader) ([]Holiday, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxICSBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxICSBytes {
		return nil, icsError("calendar.import.too_large", map[string]any{"Count": MaxICSBytes >> 10})
	}
	var (
		out              []Holiday
		inEvent, sawCal  bool
		start, end, name string
		eventLine        int
	)
	for _, ln := range unfold(data) {
		prop, params, value := splitLine(ln.text)
		switch {
		case prop == "BEGIN" && strings.EqualFold(value, "VCALENDAR"):
			sawCal = true
		case prop == "BEGIN" && strings.EqualFold(value, "VEVENT"):
			inEvent, start, end, name, eventLine = true, "", "", "", ln.num
		case prop == "END" && strings.EqualFold(value, "VEVENT") && inEvent:
			inEvent = false
			days, msg := eventDays(start, end)
			if msg != "" {
				return nil, icsError(msg, map[string]any{"Line": eventLine, "Count": MaxEventDays})
			}
			for _, d := range days {
				out = append(out, Holiday{Date: d, Name: name})
			}
		case !inEvent:
		case prop == "DTSTART":
			start = dateValue(params, value)
		case prop == "DTEND":
			end = dateValue(params, value)
		case prop == "SUMMARY":
			name = unescape(value)
		}
	}
	if !sawCal {
		return nil, icsError("calendar.import.not_ics", nil)
	}
	if inEvent {
		return nil, icsError("calendar.import.unterminated", map[string]any{"Line": eventLine})
	}
	return out, nil
}

func icsError(msg string, data map[string]any) error {
	return &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid",
		Fields: []portal.FieldError{{Field: "file", Message: msg, Data: data}}}
}

// eventDays lists the dates of an all-day event, or names what is wrong.
func eventDays(start, end string) ([]string, string) {
	from, err := time.Parse("20060102", start)
	if err != nil {
		return nil, "calendar.import.not_all_day"
	}
	to := from.AddDate(0, 0, 1)
	if end != "" {
		if to, err = time.Parse("20060102", end); err != nil {
			return nil, "calendar.import.not_all_day"
		}
	}
	if !to.After(from) {
		return nil, "calendar.import.bad_range"
	}
	if to.Sub(from) > MaxEventDays*24*time.Hour {
		return nil, "calendar.import.too_long"
	}
	var out []string
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(DateLayout))
	}
	return out, ""
}

// dateValue is the value of a DATE property, or "" for a date-time.
func dateValue(params, value string) string {
	if len(value) == 8 && (params == "" || strings.Contains(strings.ToUpper(params), "VALUE=DATE")) &&
		!strings.Contains(strings.ToUpper(params), "VALUE=DATE-TIME") {
		return value
	}
	return ""
}

type icsLine struct {
	num  int
	text string
}

// unfold joins folded lines (a continuation starts with a space or tab).
func unfold(data []byte) []icsLine {
	var out []icsLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), MaxICSBytes+1)
	n := 0
	for sc.Scan() {
		n++
		t := strings.TrimRight(sc.Text(), "\r")
		if (strings.HasPrefix(t, " ") || strings.HasPrefix(t, "\t")) && len(out) > 0 {
			out[len(out)-1].text += t[1:]
			continue
		}
		out = append(out, icsLine{num: n, text: t})
	}
	return out
}

// splitLine splits "NAME;PARAMS:VALUE"; the name comes back upper case.
func splitLine(t string) (name, params, value string) {
	colon := strings.IndexByte(t, ':')
	if colon < 0 {
		return "", "", ""
	}
	head, value := t[:colon], t[colon+1:]
	name, params, _ = strings.Cut(head, ";")
	return strings.ToUpper(name), params, strings.TrimSpace(value)
}

// unescape undoes iCalendar TEXT escapes.
func unescape(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\,`, ",", `\;`, ";", `\n`, " ", `\N`, " ").Replace(s)
}
