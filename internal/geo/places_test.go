package geo

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

func mustResolve(tb testing.TB, country, query string) Place {
	tb.Helper()
	p, err := Resolve(country, query)
	if err != nil {
		tb.Fatalf("Resolve(%q, %q): %v", country, query, err)
	}
	return p
}

func near(p Place, lat, lon, tol float64) bool {
	return math.Abs(p.Lat-lat) <= tol && math.Abs(p.Lon-lon) <= tol
}

func TestPlacesDataLoads(t *testing.T) {
	start := time.Now()
	g, err := parsePlaces(citiesGz, usZipsGz, regionsGz)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("parsed in %v", time.Since(start))
	n := 0
	for cc, list := range g.cities {
		if _, ok := CountryByCode(cc); !ok && cc != "XK" { // GeoNames' code for Kosovo
			t.Errorf("cities: unknown country %s", cc)
		}
		n += len(list)
		for i := 1; i < len(list); i++ {
			if list[i].Population > list[i-1].Population {
				t.Fatalf("cities of %s not sorted by population at %s", cc, list[i].Name)
			}
		}
	}
	if n < 20000 || len(g.zips) < 30000 {
		t.Errorf("got %d cities, %d zips; want at least 20000, 30000", n, len(g.zips))
	}
}

func TestResolveCity(t *testing.T) {
	for _, tc := range []struct {
		country, query, name, region string
		lat, lon                     float64
	}{
		{"US", "Seattle", "Seattle", "WA", 47.6, -122.3},
		{"us", "  seattle ", "Seattle", "WA", 47.6, -122.3},
		{"US", "Portland", "Portland", "OR", 45.5, -122.7}, // most populous
		{"US", "portland, me", "Portland", "ME", 43.7, -70.3},
		{"US", "Portland, ZZ", "Portland", "OR", 45.5, -122.7}, // unknown region: name alone
		{"BR", "sao paulo", "São Paulo", "27", -23.5, -46.6},
		{"BR", "SÃO PAULO", "São Paulo", "27", -23.5, -46.6},
		{"DE", "Munich", "Munich", "02", 48.1, 11.6},
		{"DE", "munich", "Munich", "02", 48.1, 11.6},
		{"DE", "Köln", "Köln", "07", 50.9, 7.0},
		{"DE", "koln", "Köln", "07", 50.9, 7.0},
		{"US", "Winston-Salem", "Winston-Salem", "NC", 36.1, -80.2},
		{"US", "winston salem", "Winston-Salem", "NC", 36.1, -80.2},
	} {
		p := mustResolve(t, tc.country, tc.query)
		if p.Name != tc.name || p.Region != tc.region || !near(p, tc.lat, tc.lon, 0.1) || p.Postal != "" || p.Population == 0 {
			t.Errorf("Resolve(%q, %q) = %+v; want %s (%s) near %v,%v", tc.country, tc.query, p, tc.name, tc.region, tc.lat, tc.lon)
		}
	}
}

func TestResolveZip(t *testing.T) {
	for _, q := range []string{"98101", "98101-1234", " 98101 "} {
		p := mustResolve(t, "US", q)
		if p.Postal != "98101" || p.Name != "Seattle" || p.Region != "WA" || !near(p, 47.61, -122.33, 0.05) {
			t.Errorf("Resolve(US, %q) = %+v; want ZIP 98101 in Seattle", q, p)
		}
		if d := DistanceKm(p, mustResolve(t, "US", "Seattle")); d > 5 {
			t.Errorf("98101 is %.1f km from Seattle", d)
		}
	}
	// Digits outside the US are a name, not a ZIP code.
	var nf *NotFoundError
	if _, err := Resolve("DE", "98101"); !errors.As(err, &nf) {
		t.Errorf("Resolve(DE, 98101) = %v; want *NotFoundError", err)
	}
	for _, q := range []string{"9810", "98101-12", "98101-abcd"} {
		if _, err := Resolve("US", q); !errors.As(err, &nf) {
			t.Errorf("Resolve(US, %q) = %v; want *NotFoundError", q, err)
		}
	}
	// 00000 is no ZIP; 98000 suggests real codes with the same prefix.
	_, err := Resolve("US", "98000")
	if !errors.As(err, &nf) || len(nf.Suggestions) == 0 {
		t.Fatalf("Resolve(US, 98000) = %v; want *NotFoundError with suggestions", err)
	}
	for _, s := range nf.Suggestions {
		if s.Postal[:3] != "980" {
			t.Errorf("suggestion %+v for 98000", s)
		}
	}
}

func TestResolveNotFound(t *testing.T) {
	for _, tc := range []struct {
		country, query, want string
	}{
		{"US", "Seatle", "Seattle"},
		{"US", "Seattel", "Seattle"},
		{"DE", "München", "Munich"}, // no alternate names in the data
		{"FR", "Pari", "Paris"},
	} {
		_, err := Resolve(tc.country, tc.query)
		var nf *NotFoundError
		if !errors.As(err, &nf) {
			t.Fatalf("Resolve(%q, %q) = %v; want *NotFoundError", tc.country, tc.query, err)
		}
		if len(nf.Suggestions) == 0 || len(nf.Suggestions) > 5 {
			t.Fatalf("Resolve(%q, %q): %d suggestions", tc.country, tc.query, len(nf.Suggestions))
		}
		if !slices.ContainsFunc(nf.Suggestions, func(p Place) bool { return p.Name == tc.want }) {
			t.Errorf("Resolve(%q, %q) suggests %+v; want %s among them", tc.country, tc.query, nf.Suggestions, tc.want)
		}
		for _, s := range nf.Suggestions {
			if s.Country != tc.country {
				t.Errorf("suggestion %+v from another country", s)
			}
		}
		if nf.Error() == "" || nf.Country != tc.country {
			t.Errorf("error %+v", nf)
		}
	}
	if _, err := Resolve("US", "Seatle"); err == nil {
		t.Fatal("no error")
	} else if nf := err.(*NotFoundError); nf.Suggestions[0].Name != "Seattle" {
		t.Errorf("Seatle: first suggestion %+v; want Seattle", nf.Suggestions[0])
	}
	for _, q := range []string{"", "   ", "!!!", "Xqzzyvw"} {
		var nf *NotFoundError
		if _, err := Resolve("US", q); !errors.As(err, &nf) {
			t.Errorf("Resolve(US, %q) = %v; want *NotFoundError", q, err)
		}
	}
}

func TestResolveUnknownCountry(t *testing.T) {
	for _, cc := range []string{"", "XX", "USA", "U"} {
		_, err := Resolve(cc, "Seattle")
		if !errors.Is(err, ErrUnknownCountry) {
			t.Errorf("Resolve(%q, Seattle) = %v; want ErrUnknownCountry", cc, err)
		}
	}
	// A real country without listed cities: not found, no suggestions.
	var nf *NotFoundError
	if _, err := Resolve("AQ", "McMurdo"); !errors.As(err, &nf) || len(nf.Suggestions) != 0 {
		t.Errorf("Resolve(AQ, McMurdo) = %v", err)
	}
}

func TestDistanceKm(t *testing.T) {
	sea, pdx := mustResolve(t, "US", "Seattle"), mustResolve(t, "US", "Portland")
	if d := DistanceKm(sea, pdx); math.Abs(d-233) > 5 {
		t.Errorf("Seattle–Portland = %.1f km; want 233 ± 5", d)
	}
	if d := DistanceKm(sea, sea); d != 0 {
		t.Errorf("distance to itself = %v", d)
	}
	if d, e := DistanceKm(sea, pdx), DistanceKm(pdx, sea); d != e {
		t.Errorf("not symmetric: %v %v", d, e)
	}
	// Antipodes: half the circumference.
	a, b := Place{Lat: 0, Lon: 0}, Place{Lat: 0, Lon: 180}
	if d := DistanceKm(a, b); math.Abs(d-math.Pi*earthRadiusKm) > 1e-6 {
		t.Errorf("antipodes = %v", d)
	}
	if got := 50 * KmPerMile; math.Abs(got-80.4672) > 1e-9 {
		t.Errorf("50 miles = %v km", got)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"São Paulo":       "sao paulo",
		"  Winston-Salem": "winston salem",
		"Straße":          "strasse",
		"Ålesund":         "alesund",
		"Łódź":            "lodz",
		"St. John's":      "st john s",
		"ＴＯＫＹＯ":           "tokyo",
		"":                "",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestResolveConcurrent(t *testing.T) {
	done := make(chan Place)
	for range 8 {
		go func() {
			p, _ := Resolve("US", "Seattle")
			done <- p
		}()
	}
	for range 8 {
		if p := <-done; p.Name != "Seattle" {
			t.Errorf("got %+v", p)
		}
	}
}

func BenchmarkPlacesLoad(b *testing.B) {
	for b.Loop() {
		if _, err := parsePlaces(citiesGz, usZipsGz, regionsGz); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResolve(b *testing.B) {
	loadPlaces()
	for _, bc := range []struct{ name, country, query string }{
		{"city", "US", "Seattle"},
		{"diacritics", "BR", "são paulo"},
		{"zip", "US", "98101-1234"},
		{"notfound", "US", "Seatle"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				Resolve(bc.country, bc.query)
			}
		})
	}
}

// TestRegionName: a place's region code (GeoNames admin1) has a name to
// show; unknown codes have none.
func TestRegionName(t *testing.T) {
	for _, tc := range []struct{ country, code, want string }{
		{"ES", "29", "Madrid"},
		{"US", "OR", "Oregon"},
		{"GB", "ENG", "England"},
		{"CA", "08", "Ontario"},
		{"DE", "02", "Bavaria"},
		{"ES", "", ""},
		{"ES", "XX", ""},
	} {
		if got := RegionName(tc.country, tc.code); got != tc.want {
			t.Errorf("RegionName(%s, %q) = %q, want %q", tc.country, tc.code, got, tc.want)
		}
	}
	named, total := 0, 0
	for cc, list := range loadPlaces().cities {
		for _, c := range list {
			if c.Region != "" {
				total++
				if RegionName(cc, c.Region) != "" {
					named++
				}
			}
		}
	}
	if named*100 < total*95 {
		t.Errorf("%d of %d cities have a region name, want at least 95%%", named, total)
	}
}
