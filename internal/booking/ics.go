package booking

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// calendarEvent is one exam appointment as an iCalendar (RFC 5545) object.
type calendarEvent struct {
	UID         string // stable across reschedules: the booking reference
	Sequence    int    // grows with each change, so calendars replace the old entry
	Start, End  time.Time
	Summary     string
	Location    string
	Description string
	URL         string
	Cancelled   bool
	Stamp       time.Time
	ProductName string
}

// ics renders the event as a VCALENDAR with one VEVENT: CRLF line ends,
// lines folded at 75 octets, text escaped, times in UTC.
func (e calendarEvent) ics() []byte {
	var b strings.Builder
	line := func(name, value string) {
		writeFolded(&b, name+":"+value)
	}
	method, status := "PUBLISH", "CONFIRMED"
	if e.Cancelled {
		method, status = "CANCEL", "CANCELLED"
	}
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//"+escapeText(e.ProductName)+"//certportal//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", method)
	line("BEGIN", "VEVENT")
	line("UID", e.UID)
	line("SEQUENCE", fmt.Sprint(e.Sequence))
	line("DTSTAMP", icsTime(e.Stamp))
	line("DTSTART", icsTime(e.Start))
	line("DTEND", icsTime(e.End))
	line("SUMMARY", escapeText(e.Summary))
	if e.Location != "" {
		line("LOCATION", escapeText(e.Location))
	}
	line("DESCRIPTION", escapeText(e.Description))
	if e.URL != "" {
		line("URL", e.URL)
	}
	line("STATUS", status)
	line("TRANSP", "OPAQUE")
	if !e.Cancelled {
		line("BEGIN", "VALARM")
		line("ACTION", "DISPLAY")
		line("DESCRIPTION", escapeText(e.Summary))
		line("TRIGGER", "-PT24H")
		line("END", "VALARM")
	}
	line("END", "VEVENT")
	line("END", "VCALENDAR")
	return []byte(b.String())
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeText escapes a TEXT value (RFC 5545 §3.3.11).
func escapeText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// writeFolded writes a content line, folding it so that no physical line
// exceeds 75 octets, never inside a UTF-8 sequence (RFC 5545 §3.1).
func writeFolded(b *strings.Builder, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
