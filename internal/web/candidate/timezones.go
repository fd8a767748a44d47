package candidate

import (
	"slices"
	"sync"
	"time"

	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// timeZones are the zones offered for online exam times (web.TimeZones).
var timeZones = web.TimeZones()

// timeZoneLocations are the timeZones loaded once; a zone the system's
// time zone database lacks is left out.
var timeZoneLocations = sync.OnceValue(func() []*time.Location {
	out := make([]*time.Location, 0, len(timeZones))
	for _, z := range timeZones {
		if loc, err := time.LoadLocation(z); err == nil {
			out = append(out, loc)
		}
	}
	return out
})

// zoneOptions lists the time zones with their current UTC offset, the
// chosen one selected.
func zoneOptions(chosen string, now time.Time) []web.Option {
	locs := timeZoneLocations()
	if chosen != "" && !slices.Contains(timeZones, chosen) {
		if loc, err := time.LoadLocation(chosen); err == nil {
			locs = append([]*time.Location{loc}, locs...)
		}
	}
	out := make([]web.Option, 0, len(locs))
	for _, loc := range locs {
		z := loc.String()
		_, off := now.In(loc).Zone()
		sign := "+"
		if off < 0 {
			sign, off = "-", -off
		}
		label := z + " (UTC" + sign + twoDigits(off/3600) + ":" + twoDigits(off%3600/60) + ")"
		out = append(out, web.Option{Value: z, Label: label, Selected: z == chosen})
	}
	return out
}

func twoDigits(n int) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

// zoneLabel is the zone's abbreviation at t and its IANA name, e.g.
// "PST, America/Los_Angeles".
func zoneLabel(_ *i18n.Localizer, t time.Time, loc *time.Location) string {
	abbr, _ := t.In(loc).Zone()
	if abbr == loc.String() {
		return abbr
	}
	return abbr + ", " + loc.String()
}

// onlineZone is the zone online times are shown in: the one chosen on the
// page, else the one saved in the profile, else a guess from the
// profile's country (geo.TimeZone: its most populous zone), else UTC.
// guessed says the person never chose it, so the page's script may take
// the browser's zone instead.
func onlineZone(chosen string, u *portal.User) (zone string, guessed bool) {
	for _, z := range []string{chosen, u.TimeZone} {
		if z != "" && z != "Local" {
			return z, false
		}
	}
	if z := geo.TimeZone(u.Country); z != "" {
		return z, true
	}
	return "UTC", true
}
