package geo_test

import (
	"slices"
	"strings"
	"testing"

	"example.org/certportal/internal/geo"
)

func codes[T any](list []T, code func(T) string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = code(v)
	}
	return out
}

func subCodes(country string) []string {
	return codes(geo.Subdivisions(country), func(s geo.Subdivision) string { return s.Code })
}

func TestCountriesCompleteAndUnique(t *testing.T) {
	for _, lang := range []string{"en", "es", "de", "pt-BR", "ja", "not a tag", ""} {
		t.Run(lang, func(t *testing.T) {
			list := geo.Countries(lang)
			if len(list) != 249 {
				t.Fatalf("len = %d, want 249 (ISO 3166-1 assigned codes)", len(list))
			}
			seen := map[string]bool{}
			for _, c := range list {
				if len(c.Code) != 2 || c.Code != strings.ToUpper(c.Code) || c.Name == "" {
					t.Errorf("bad country %+v", c)
				}
				if seen[c.Code] {
					t.Errorf("duplicate %s", c.Code)
				}
				seen[c.Code] = true
				if _, ok := geo.CountryByCode(c.Code); !ok {
					t.Errorf("CountryByCode(%q) not found", c.Code)
				}
			}
		})
	}
}

func TestCountriesLocalizedAndSorted(t *testing.T) {
	for _, tc := range []struct {
		lang, code, want string
	}{
		{"es", "DE", "Alemania"},
		{"es", "US", "Estados Unidos"},
		{"en", "GB", "United Kingdom"},
		{"en", "DE", "Germany"},
		{"de", "DE", "Deutschland"},
		{"fr", "DE", "Allemagne"},
		{"not a tag", "DE", "Germany"},
		{"tlh", "GB", "United Kingdom"}, // valid tag, no CLDR names: English
	} {
		t.Run(tc.lang+"/"+tc.code, func(t *testing.T) {
			list := geo.Countries(tc.lang)
			i := slices.IndexFunc(list, func(c geo.Country) bool { return c.Code == tc.code })
			if i < 0 || list[i].Name != tc.want {
				t.Fatalf("Countries(%q) has %+v for %s, want %q", tc.lang, list[max(i, 0)], tc.code, tc.want)
			}
		})
	}

	// Sorted by the language's collation, not by bytes: accented letters
	// sit with their base letter.
	for _, tc := range []struct {
		lang  string
		order []string
	}{
		{"es", []string{"AF", "AL", "DE", "AD", "AO", "AI", "AQ"}}, // Afganistán, Albania, Alemania, Andorra, Angola, Anguila, Antártida
		{"en", []string{"AF", "AX", "AL"}},                         // Afghanistan, Åland Islands, Albania
		{"de", []string{"AF", "EG", "AX", "AL"}},                   // Afghanistan, Ägypten, Ålandinseln, Albanien
	} {
		list := geo.Countries(tc.lang)
		got := codes(list, func(c geo.Country) string { return c.Code })
		if !slices.Equal(got[:len(tc.order)], tc.order) {
			t.Errorf("Countries(%q) starts %v, want %v", tc.lang, list[:len(tc.order)], tc.order)
		}
	}
}

func TestCountryByCode(t *testing.T) {
	for _, tc := range []struct {
		code, want string
		ok         bool
	}{
		{"DE", "Germany", true},
		{"GB", "United Kingdom", true},
		{"VA", "Vatican City", true},
		{"de", "", false}, // codes are upper-case
		{"XX", "", false},
		{"", "", false},
		{"USA", "", false},
	} {
		t.Run(tc.code, func(t *testing.T) {
			got, ok := geo.CountryByCode(tc.code)
			if ok != tc.ok || got.Name != tc.want || (ok && got.Code != tc.code) {
				t.Fatalf("CountryByCode(%q) = %+v, %v; want %q, %v", tc.code, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestSubdivisions(t *testing.T) {
	states := []string{"AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "IA", "ID", "IL", "IN", "KS", "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT", "WA", "WI", "WV", "WY"}
	var us []string
	for _, s := range states {
		us = append(us, "US-"+s)
	}
	// DC and the outlying areas, as ISO 3166-2:US lists them.
	us = append(us, "US-DC", "US-AS", "US-GU", "US-MP", "US-PR", "US-UM", "US-VI")
	for _, tc := range []struct {
		country string
		want    []string // nil: none
	}{
		{"US", us},
		{"CA", []string{"CA-AB", "CA-BC", "CA-MB", "CA-NB", "CA-NL", "CA-NS", "CA-NT", "CA-NU", "CA-ON", "CA-PE", "CA-QC", "CA-SK", "CA-YT"}},
		{"DE", []string{"DE-BB", "DE-BE", "DE-BW", "DE-BY", "DE-HB", "DE-HE", "DE-HH", "DE-MV", "DE-NI", "DE-NW", "DE-RP", "DE-SH", "DE-SL", "DE-SN", "DE-ST", "DE-TH"}},
		{"GB", []string{"GB-ENG", "GB-NIR", "GB-SCT", "GB-WLS"}},
		{"VA", nil},
		{"PR", nil}, // Puerto Rico as a country: no subdivisions of its own
		{"XX", nil},
		{"", nil},
	} {
		t.Run(tc.country, func(t *testing.T) {
			got := subCodes(tc.country)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("Subdivisions(%q) = %v (%d)\nwant %v (%d)", tc.country, got, len(got), want, len(want))
			}
			if tc.want == nil && geo.Subdivisions(tc.country) != nil {
				t.Fatalf("Subdivisions(%q) is empty but not nil", tc.country)
			}
		})
	}
}

// TestSubdivisionLevel pins the level kept for countries with two (see
// data/README.md): the one addresses use.
func TestSubdivisionLevel(t *testing.T) {
	for _, tc := range []struct {
		country string
		n       int
		has     []string
		hasNot  []string
	}{
		{"FR", 26, []string{"FR-IDF", "FR-ARA", "FR-971"}, []string{"FR-75C", "FR-01"}},    // régions
		{"ES", 52, []string{"ES-M", "ES-B", "ES-CE", "ES-ML"}, []string{"ES-MD", "ES-CT"}}, // provinces
		{"IT", 107, []string{"IT-MI", "IT-RM", "IT-23"}, []string{"IT-25"}},                // provinces
		{"IE", 26, []string{"IE-D", "IE-CO"}, []string{"IE-M", "IE-L"}},                    // counties
		{"PH", 83, []string{"PH-00", "PH-CEB"}, []string{"PH-07"}},                         // provinces
		{"GB", 4, []string{"GB-SCT"}, []string{"GB-UKM", "GB-GBN", "GB-EAW", "GB-KEN"}},
	} {
		t.Run(tc.country, func(t *testing.T) {
			got := subCodes(tc.country)
			if len(got) != tc.n {
				t.Errorf("len = %d, want %d", len(got), tc.n)
			}
			for _, c := range tc.has {
				if !slices.Contains(got, c) {
					t.Errorf("missing %s", c)
				}
			}
			for _, c := range tc.hasNot {
				if slices.Contains(got, c) {
					t.Errorf("has %s", c)
				}
			}
		})
	}
}

func TestSubdivisionsConsistent(t *testing.T) {
	seen := map[string]bool{}
	total := 0
	for _, c := range geo.Countries("en") {
		subs := geo.Subdivisions(c.Code)
		total += len(subs)
		for _, s := range subs {
			if !strings.HasPrefix(s.Code, c.Code+"-") || len(s.Code) < 4 || len(s.Code) > 6 {
				t.Errorf("%s: subdivision code %q", c.Code, s.Code)
			}
			if s.Name == "" || strings.TrimSpace(s.Name) != s.Name {
				t.Errorf("%s: bad name %q", s.Code, s.Name)
			}
			if seen[s.Code] {
				t.Errorf("duplicate %s", s.Code)
			}
			seen[s.Code] = true
			if !geo.ValidRegion(c.Code, s.Code) {
				t.Errorf("ValidRegion(%s, %s) = false", c.Code, s.Code)
			}
		}
		if want := len(subs) == 0; geo.ValidRegion(c.Code, "") != want {
			t.Errorf("ValidRegion(%s, \"\") = %v with %d subdivisions", c.Code, !want, len(subs))
		}
	}
	if total < 3000 {
		t.Errorf("only %d subdivisions in all", total)
	}
}

func TestValidRegion(t *testing.T) {
	for _, tc := range []struct {
		country, code string
		want          bool
	}{
		{"US", "US-CA", true},
		{"US", "US-DC", true},
		{"US", "", false}, // the US has subdivisions: one is required
		{"US", "CA", false},
		{"US", "us-ca", false},
		{"US", "CA-ON", false}, // another country's
		{"CA", "CA-ON", true},
		{"DE", "DE-BY", true},
		{"VA", "", true}, // no subdivisions: empty is the only valid value
		{"VA", "VA-01", false},
		{"XX", "", false},
		{"", "", false},
		{"GB", "GB-KEN", false}, // not at the kept level
		{"ES", "ES-MD", false},
		{"ES", "ES-M", true},
	} {
		t.Run(tc.country+"/"+tc.code, func(t *testing.T) {
			if got := geo.ValidRegion(tc.country, tc.code); got != tc.want {
				t.Fatalf("ValidRegion(%q, %q) = %v, want %v", tc.country, tc.code, got, tc.want)
			}
		})
	}
}

// TestResultsAreCopies: callers cannot change the shared tables.
func TestResultsAreCopies(t *testing.T) {
	geo.Subdivisions("US")[0].Name = "changed"
	geo.Countries("en")[0].Name = "changed"
	if slices.ContainsFunc(geo.Subdivisions("US"), func(s geo.Subdivision) bool { return s.Name == "changed" }) {
		t.Fatal("Subdivisions returned the shared slice")
	}
	if slices.ContainsFunc(geo.Countries("en"), func(c geo.Country) bool { return c.Name == "changed" }) {
		t.Fatal("Countries returned the shared slice")
	}
}

func BenchmarkCountries(b *testing.B) {
	for b.Loop() {
		geo.Countries("es")
	}
}
