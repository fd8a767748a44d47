package credits

import (
	"strconv"
	"strings"
	"unicode"

	"example.org/certportal/internal/portal"
)

// MaxDurationMinutes is the longest duration one activity may state: 1,000
// hours.
const MaxDurationMinutes = 1000 * 60

var errBadDuration = &portal.Error{Code: portal.EInvalid, Message: "credits.error.duration_format"}

// ParseDuration reads a stated duration into minutes. It accepts a number
// of minutes ("95"), hours and minutes with a colon ("1:35"), and hours
// and minutes with units in English or Spanish, in any spacing and case
// ("1h 35m", "1 h 35 min", "2h", "45 min", "1 hora 35 minutos"). Hours
// may be decimal only as a bare number followed by h ("1.5h", "1,5 h").
// Zero, negative, empty, more than MaxDurationMinutes, minutes of 60 or
// more after hours, and anything else are an error.
func ParseDuration(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > 40 {
		return 0, errBadDuration
	}
	var m int
	var ok bool
	switch {
	case digits(s):
		m, ok = atoi(s)
	case strings.Count(s, ":") == 1:
		h, mm, _ := strings.Cut(s, ":")
		hh, ok1 := atoi(strings.TrimSpace(h))
		mi, ok2 := atoi(strings.TrimSpace(mm))
		ok = ok1 && ok2 && len(strings.TrimSpace(mm)) == 2 && mi < 60
		m = hh*60 + mi
	default:
		m, ok = parseUnits(s)
	}
	if !ok || m <= 0 || m > MaxDurationMinutes {
		return 0, errBadDuration
	}
	return m, nil
}

// atoi reads a short run of digits (at most 6).
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 6 || !digits(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

var hourUnits = map[string]bool{"h": true, "hr": true, "hrs": true, "hour": true, "hours": true, "hora": true, "horas": true}
var minuteUnits = map[string]bool{"m": true, "min": true, "mins": true, "minute": true, "minutes": true, "minuto": true, "minutos": true}

// parseUnits reads "<n> <hour unit> [<n> <minute unit>]" or
// "<n> <minute unit>".
func parseUnits(s string) (int, bool) {
	// Split into alternating number and word tokens.
	var toks []string
	cur, curDigit := "", false
	flush := func() {
		if cur != "" {
			toks = append(toks, cur)
			cur = ""
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			flush()
		case r >= '0' && r <= '9' || r == '.' || r == ',':
			if cur != "" && !curDigit {
				flush()
			}
			cur += string(r)
			curDigit = true
		case unicode.IsLetter(r):
			if cur != "" && curDigit {
				flush()
			}
			cur += string(r)
			curDigit = false
		default:
			return 0, false
		}
	}
	flush()
	if len(toks) != 2 && len(toks) != 4 {
		return 0, false
	}
	total, sawHours := 0, false
	for i := 0; i < len(toks); i += 2 {
		num, unit := toks[i], toks[i+1]
		switch {
		case hourUnits[unit] && i == 0:
			if strings.ContainsAny(num, ".,") {
				if len(toks) != 2 {
					return 0, false
				}
				whole, frac, _ := strings.Cut(strings.ReplaceAll(num, ",", "."), ".")
				w, ok1 := atoi(whole)
				if !ok1 || len(frac) == 0 || len(frac) > 2 || !digits(frac) {
					return 0, false
				}
				f, _ := strconv.Atoi(frac)
				if len(frac) == 1 {
					f *= 10
				}
				return w*60 + f*60/100, true
			}
			h, ok := atoi(num)
			if !ok {
				return 0, false
			}
			total, sawHours = h*60, true
		case minuteUnits[unit]:
			mi, ok := atoi(num)
			if !ok || (sawHours && mi >= 60) || (i == 0 && len(toks) == 4) {
				return 0, false
			}
			total += mi
		default:
			return 0, false
		}
	}
	return total, true
}

// FormatDuration writes minutes as "1 h 35 min" (the form pages show).
func FormatDuration(m int) string {
	switch h, mi := m/60, m%60; {
	case h == 0:
		return strconv.Itoa(mi) + " min"
	case mi == 0:
		return strconv.Itoa(h) + " h"
	default:
		return strconv.Itoa(h) + " h " + strconv.Itoa(mi) + " min"
	}
}
