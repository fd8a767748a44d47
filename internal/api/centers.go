package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/centers"
	"example.org/certportal/internal/portal"
)

// handleCenterSearch finds active test centers near a place:
// ?country=US&near=Seattle&radius=50&unit=mi. The radius defaults to 50
// and the unit to miles.
func (s *server) handleCenterSearch(w http.ResponseWriter, r *http.Request, _ portal.Actor) error {
	q := r.URL.Query()
	search := centers.Search{Country: q.Get("country"), Near: q.Get("near"), Radius: 50, Unit: q.Get("unit")}
	var v portal.Validation
	if raw := q.Get("radius"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			v.Add("radius", "schedule.search.radius_invalid", nil)
		}
		search.Radius = n
	}
	switch search.Unit {
	case "":
		search.Unit = "mi"
	case "mi", "km":
	default:
		v.Add("unit", "api.unit_invalid", nil)
	}
	if err := v.Err(); err != nil {
		return err
	}
	res, err := s.centers.SearchCenters(r.Context(), search)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, newSearchView(res, search))
	return nil
}

// handleCenterSlots lists a center's free slots in the bookable window by
// local date, optionally ?from=YYYY-MM-DD&to=YYYY-MM-DD (inclusive).
func (s *server) handleCenterSlots(w http.ResponseWriter, r *http.Request, _ portal.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return portal.ErrNotFound
	}
	from, to, err := dateRange(r)
	if err != nil {
		return err
	}
	c, days, err := s.centers.CenterAvailability(r.Context(), id)
	if err != nil {
		return err
	}
	loc := c.Location()
	s.writeJSON(w, r, http.StatusOK, centerSlotsView{Center: newCenterView(c), TimeZone: loc.String(),
		Days: newDayViews(days, loc, from, to)})
	return nil
}

// handleOnlineSlots lists the free online starts by date in a time zone:
// ?time_zone=Europe/Berlin (UTC by default), optionally with from and to.
func (s *server) handleOnlineSlots(w http.ResponseWriter, r *http.Request, _ portal.Actor) error {
	var v portal.Validation
	loc := time.UTC
	if name := strings.TrimSpace(r.URL.Query().Get("time_zone")); name != "" {
		l, ok := timeZone(name)
		if !ok {
			v.Add("time_zone", "api.time_zone_invalid", nil)
		}
		loc = l
	}
	from, to, err := dateRange(r)
	if err != nil {
		var pe *portal.Error
		if !errors.As(err, &pe) {
			return err
		}
		v.Fields = append(v.Fields, pe.Fields...)
	}
	if err := v.Err(); err != nil {
		return err
	}
	days, err := s.centers.OnlineAvailability(r.Context(), loc)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, onlineSlotsView{TimeZone: loc.String(), Days: newDayViews(days, loc, from, to)})
	return nil
}

// timeZone loads an IANA zone by name. "Local" (the server's zone) and
// names that are not zones are refused.
func timeZone(name string) (*time.Location, bool) {
	if len(name) > 64 || name == "Local" {
		return time.UTC, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC, false
	}
	return loc, true
}

// dateRange reads the optional from and to query parameters, local dates
// as YYYY-MM-DD.
func dateRange(r *http.Request) (from, to string, err error) {
	var v portal.Validation
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		dst  *string
	}{{"from", &from}, {"to", &to}} {
		raw := q.Get(p.name)
		if raw == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, raw); err != nil {
			v.Add(p.name, "api.date_invalid", nil)
			continue
		}
		*p.dst = raw
	}
	return from, to, v.Err()
}
