// Package geo lists countries (ISO 3166-1 alpha-2) and the subdivisions a
// candidate picks as "state / region" (ISO 3166-2), from data embedded in the
// binary. It imports nothing from certportal.
//
// The data comes from the npm package iso-3166 (MIT); data/README.md names
// the version and the rule that picks one subdivision level per country.
// Country names are localized with CLDR (golang.org/x/text/language/display);
// subdivision names are the ISO ones (usually in the country's own language
// or its romanization) and are not localized.
//
// The tables are parsed once, on first use, and are immutable after that:
// every function returns a fresh slice, so callers may keep or change it.
package geo

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

//go:generate go run gen/main.go -in ${ISO3166_DIR} -out data

//go:embed data/countries.tsv
var countriesTSV string

//go:embed data/subdivisions.tsv
var subdivisionsTSV string

// Country is an ISO 3166-1 country. Code is the upper-case alpha-2 code
// ("DE"); Name is localized by Countries and English from CountryByCode.
type Country struct {
	Code string
	Name string
}

// Subdivision is an ISO 3166-2 subdivision. Code is the full code with its
// country prefix ("US-CA").
type Subdivision struct {
	Code string
	Name string
}

type tables struct {
	countries []Country                // by code; Name is the English ISO name
	index     map[string]int           // code -> position in countries
	subs      map[string][]Subdivision // country code -> subdivisions, by name
	subCodes  map[string]bool          // every subdivision code
}

var load = sync.OnceValue(func() *tables {
	t, err := parse(countriesTSV, subdivisionsTSV)
	if err != nil {
		panic(err) // the embedded data is checked by the tests
	}
	return t
})

func parse(countries, subdivisions string) (*tables, error) {
	t := &tables{index: map[string]int{}, subs: map[string][]Subdivision{}, subCodes: map[string]bool{}}
	for line := range strings.Lines(countries) {
		code, name, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		if !ok || len(code) != 2 || name == "" {
			return nil, fmt.Errorf("geo: countries.tsv: bad line %q", line)
		}
		if _, dup := t.index[code]; dup {
			return nil, fmt.Errorf("geo: countries.tsv: duplicate %s", code)
		}
		t.index[code] = len(t.countries)
		t.countries = append(t.countries, Country{Code: code, Name: name})
	}
	for line := range strings.Lines(subdivisions) {
		code, name, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		cc, _, _ := strings.Cut(code, "-")
		if _, known := t.index[cc]; !ok || !known || name == "" || !strings.HasPrefix(code, cc+"-") {
			return nil, fmt.Errorf("geo: subdivisions.tsv: bad line %q", line)
		}
		if t.subCodes[code] {
			return nil, fmt.Errorf("geo: subdivisions.tsv: duplicate %s", code)
		}
		t.subCodes[code] = true
		t.subs[cc] = append(t.subs[cc], Subdivision{Code: code, Name: name})
	}
	return t, nil
}

// Countries returns every country with its name in the language lang (a BCP
// 47 tag such as "es" or "pt-BR"), sorted by that name in the language's
// collation order. A language CLDR lacks, or an invalid tag, gets English
// names; a name CLDR lacks falls back to English, then to the ISO name.
func Countries(lang string) []Country {
	tag, err := language.Parse(lang)
	if err != nil {
		tag = language.English
	}
	namer := display.Regions(tag) // nil for a language CLDR lacks
	t := load()
	col := collate.New(tag, collate.IgnoreCase, collate.Loose)
	var buf collate.Buffer
	type keyed struct {
		key []byte
		c   Country
	}
	list := make([]keyed, len(t.countries))
	for i, c := range t.countries {
		c.Name = localName(namer, c)
		list[i] = keyed{col.KeyFromString(&buf, c.Name), c}
	}
	slices.SortFunc(list, func(a, b keyed) int {
		if c := bytes.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.c.Code, b.c.Code)
	})
	out := make([]Country, len(list))
	for i, k := range list {
		out[i] = k.c
	}
	return out
}

// CountryByCode returns the country with the upper-case alpha-2 code, named in
// English (CLDR's everyday name, such as "United Kingdom", falling back to
// the ISO short name). Codes are matched exactly: callers upper-case input.
func CountryByCode(code string) (Country, bool) {
	t := load()
	i, ok := t.index[code]
	if !ok {
		return Country{}, false
	}
	c := t.countries[i]
	return Country{Code: c.Code, Name: localName(nil, c)}, true
}

// Subdivisions returns the country's subdivisions sorted by name, or nil when
// the country is unknown or has none in the data.
func Subdivisions(country string) []Subdivision {
	return slices.Clone(load().subs[country])
}

// ValidRegion reports whether code is an acceptable state/region for the
// country: empty when the country has no subdivisions, else one of them.
// An unknown country is never valid.
func ValidRegion(country, code string) bool {
	t := load()
	if _, ok := t.index[country]; !ok {
		return false
	}
	if len(t.subs[country]) == 0 {
		return code == ""
	}
	return strings.HasPrefix(code, country+"-") && t.subCodes[code]
}

// localName names a country with namer (which may be nil), else in CLDR's
// English, else with its ISO name.
func localName(namer display.Namer, c Country) string {
	r, err := language.ParseRegion(c.Code)
	if err != nil {
		return c.Name
	}
	for _, n := range []display.Namer{namer, englishRegions} {
		if n == nil {
			continue
		}
		if name := n.Name(r); name != "" {
			return name
		}
	}
	return c.Name
}

var englishRegions = display.English.Regions()
