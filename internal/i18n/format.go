package i18n

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Dates, times and money are formatted by the localizer's language. Month
// names come from the catalog (month.1 … month.12) so a new language only
// needs message files.

// Date formats the calendar date of t in loc, e.g. "Nov 23, 2026" or
// "23 nov 2026".
func (l *Localizer) Date(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return l.T("format.date", map[string]any{
		"Day":   t.Day(),
		"Month": l.T(fmt.Sprintf("month.%d", int(t.Month())), nil),
		"Year":  t.Year(),
	})
}

// Time formats the clock time of t in loc: 12-hour in English, 24-hour
// elsewhere, as the catalog's format.clock says.
func (l *Localizer) Time(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if l.T("format.clock", nil) == "12" {
		return t.Format("3:04 PM")
	}
	return t.Format("15:04")
}

// DateTime formats date, time and the zone's abbreviation, e.g.
// "Nov 23, 2026, 9:30 AM CET".
func (l *Localizer) DateTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	zone, _ := t.In(loc).Zone()
	return l.T("format.datetime", map[string]any{"Date": l.Date(t, loc), "Time": l.Time(t, loc), "Zone": zone})
}

// Money formats an amount in minor units of an ISO 4217 currency, e.g.
// Money(15000, "USD") = "$150.00" in English and "150,00 US$" in Spanish.
func (l *Localizer) Money(minor int64, code string) string {
	unit, err := currency.ParseISO(code)
	if err != nil {
		return fmt.Sprintf("%d %s", minor, code)
	}
	scale, _ := currency.Standard.Rounding(unit)
	value := float64(minor)
	for range scale {
		value /= 10
	}
	tag := language.Make(l.lang)
	p := message.NewPrinter(tag)
	amount := p.Sprint(number.Decimal(value, number.Scale(scale)))
	symbol := p.Sprint(currency.Symbol(unit))
	if l.T("format.money_symbol_first", nil) == "true" {
		if strings.HasPrefix(amount, "-") {
			return "-" + symbol + amount[1:]
		}
		return symbol + amount
	}
	return amount + "\u00a0" + symbol
}

// Number formats an integer with the language's grouping.
func (l *Localizer) Number(n int64) string {
	return message.NewPrinter(language.Make(l.lang)).Sprint(number.Decimal(n))
}

// Message renders a catalog message whose data may hold times: a
// time.Time, a *time.Time or an RFC 3339 string (what a time becomes after
// a JSON round trip) is shown as a date, in the zone named by
// data["TimeZone"] (UTC when absent); AmountMinor with Currency is shown
// as Amount. Services put rule dates and amounts in error data; pages
// and the API show them with this.
func (l *Localizer) Message(id string, data map[string]any) string {
	if len(data) == 0 {
		return l.T(id, nil)
	}
	loc := time.UTC
	if name, ok := data["TimeZone"].(string); ok {
		if z, err := time.LoadLocation(name); err == nil {
			loc = z
		}
	}
	out := make(map[string]any, len(data))
	for k, v := range data {
		switch x := v.(type) {
		case time.Time:
			out[k] = l.Date(x, loc)
		case *time.Time:
			if x != nil {
				out[k] = l.Date(*x, loc)
			}
		case string:
			if ts, err := time.Parse(time.RFC3339Nano, x); err == nil && len(x) >= 20 {
				out[k] = l.Date(ts, loc)
			} else {
				out[k] = x
			}
		default:
			out[k] = v
		}
	}
	// An amount of money travels as AmountMinor (a float64 after a JSON
	// round trip) and Currency, and is shown as Amount.
	if cur, ok := data["Currency"].(string); ok {
		switch minor := data["AmountMinor"].(type) {
		case int64:
			out["Amount"] = l.Money(minor, cur)
		case float64:
			out["Amount"] = l.Money(int64(minor), cur)
		}
	}
	return l.T(id, out)
}
