package centers

import (
	"context"
	"errors"
	"slices"
	"strings"

	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Radii offered by the search, in the user's unit (miles or kilometres).
var Radii = []int{25, 50, 100}

// Search asks for test centers near a place.
type Search struct {
	Country string // ISO 3166-1 alpha-2
	Near    string // city name or postal code
	Radius  int    // one of Radii
	Unit    string // "mi" or "km"
}

// SearchResult is the resolved place and the centers within the radius,
// nearest first.
type SearchResult struct {
	Place   geo.Place
	Centers []CenterDistance
}

// CenterDistance is a center and its distance from the searched place.
type CenterDistance struct {
	Center *portal.TestCenter
	Km     float64
}

// In returns the distance in unit ("mi" or "km").
func (c CenterDistance) In(unit string) float64 {
	if unit == "km" {
		return c.Km
	}
	return c.Km / geo.KmPerMile
}

// PlaceNotFound is the error of a search whose place is unknown; it
// carries suggestions of similar names.
type PlaceNotFound struct {
	Err         *portal.Error
	Suggestions []geo.Place
}

func (e *PlaceNotFound) Error() string { return e.Err.Error() }
func (e *PlaceNotFound) Unwrap() error { return e.Err }

// SearchCenters resolves the place offline and returns the active centers
// within the radius. An unknown place is a *PlaceNotFound with
// suggestions; bad input is an invalid *portal.Error with field errors.
func (s *Service) SearchCenters(ctx context.Context, q Search) (*SearchResult, error) {
	var v portal.Validation
	q.Country = strings.ToUpper(strings.TrimSpace(q.Country))
	q.Near = strings.TrimSpace(q.Near)
	if _, ok := geo.CountryByCode(q.Country); !ok {
		v.Add("country", "schedule.search.country_required", nil)
	}
	if q.Near == "" || len(q.Near) > 100 {
		v.Add("near", "schedule.search.near_required", nil)
	}
	if !slices.Contains(Radii, q.Radius) {
		v.Add("radius", "schedule.search.radius_invalid", nil)
	}
	if q.Unit != "km" {
		q.Unit = "mi"
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	place, err := geo.Resolve(q.Country, q.Near)
	var nf *geo.NotFoundError
	if errors.As(err, &nf) {
		return nil, &PlaceNotFound{
			Err:         &portal.Error{Code: portal.ENotFound, Message: "schedule.search.place_unknown", Data: map[string]any{"Query": q.Near}, Fields: []portal.FieldError{{Field: "near", Message: "schedule.search.place_unknown", Data: map[string]any{"Query": q.Near}}}},
			Suggestions: nf.Suggestions,
		}
	}
	if err != nil {
		return nil, err
	}
	centers, err := s.st.ListCenters(ctx, store.CenterFilter{Country: q.Country, ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	limitKm := float64(q.Radius)
	if q.Unit == "mi" {
		limitKm *= geo.KmPerMile
	}
	out := &SearchResult{Place: place}
	for _, c := range centers {
		km := geo.DistanceKm(place, geo.Place{Lat: c.Latitude, Lon: c.Longitude})
		if km <= limitKm {
			out.Centers = append(out.Centers, CenterDistance{Center: c, Km: km})
		}
	}
	slices.SortStableFunc(out.Centers, func(a, b CenterDistance) int {
		switch {
		case a.Km < b.Km:
			return -1
		case a.Km > b.Km:
			return 1
		}
		return strings.Compare(a.Center.Name, b.Center.Name)
	})
	return out, nil
}
