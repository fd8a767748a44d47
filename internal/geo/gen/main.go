//go:build ignore

// Command gen builds internal/geo/data from the npm package iso-3166
// (github.com/wooorm/iso-3166, MIT). It reads the package's 1.js (ISO 3166-1)
// and 2.js (ISO 3166-2) from an unpacked tarball and writes:
//
//	data/countries.tsv     CODE<TAB>English ISO short name, sorted by code
//	data/subdivisions.tsv  CODE<TAB>name, grouped by country, names in root collation order
//	data/LICENSE-iso-3166.txt  the package's licence, copied verbatim
//	data/README.md         source, version and the selection rule
//
// Usage (from internal/geo):
//
//	cd "$(mktemp -d)" && npm pack iso-3166@4.4.0 && tar xzf iso-3166-4.4.0.tgz
//	ISO3166_DIR="$PWD/package" go generate ./internal/geo
//
// The JS files are plain object literals, one `key: 'value'` per line. The
// parser accepts exactly that and fails on anything else, so a format change
// upstream stops the generator instead of producing silently wrong data.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Selection rule: which ISO 3166-2 entries a candidate picks as "state /
// region". Keep it in step with data/README.md (written below).
//
//   - Default: the top level, entries whose parent is the country itself.
//     Most countries have only that level (US states, CA provinces, DE
//     Länder, FR régions, ...).
//   - leafCountries: countries whose postal addresses name the second level
//     (province or county), so keep the leaves (entries that are no other
//     entry's parent): ES provinces (+ Ceuta, Melilla), IT provinces (+ Valle
//     d'Aosta), IE counties, PH provinces (+ National Capital Region).
//   - onlyCodes: GB's list is flat and mixes aggregates (United Kingdom,
//     Great Britain, England and Wales) with some 200 council areas; UK
//     addresses need neither, so keep the four nations.
var (
	leafCountries = map[string]bool{"ES": true, "IT": true, "IE": true, "PH": true}
	onlyCodes     = map[string][]string{"GB": {"GB-ENG", "GB-NIR", "GB-SCT", "GB-WLS"}}
)

const wantName = "iso-3166"

var (
	lineRE    = regexp.MustCompile(`^\s*([A-Za-z0-9]+): (['"])(.*)(['"]),?$`)
	alpha2RE  = regexp.MustCompile(`^[A-Z]{2}$`)
	subCodeRE = regexp.MustCompile(`^[A-Z]{2}-[A-Z0-9]{1,3}$`)
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("geo/gen: ")
	in := flag.String("in", "", "unpacked iso-3166 npm package (the directory holding package.json, 1.js, 2.js)")
	out := flag.String("out", "data", "output directory")
	flag.Parse()
	if *in == "" {
		log.Fatal("-in is empty: unpack `npm pack iso-3166@VERSION` and set ISO3166_DIR to its package/ directory")
	}
	if err := run(*in, *out); err != nil {
		log.Fatal(err)
	}
}

type country struct{ code, name string }

type subdivision struct{ code, name, parent string }

func run(in, out string) error {
	var pkg struct{ Name, Version, License string }
	buf, err := os.ReadFile(filepath.Join(in, "package.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(buf, &pkg); err != nil {
		return fmt.Errorf("package.json: %w", err)
	}
	if pkg.Name != wantName || pkg.License != "MIT" {
		return fmt.Errorf("package.json: name %q licence %q, want %q MIT", pkg.Name, pkg.License, wantName)
	}
	licence, err := os.ReadFile(filepath.Join(in, "license"))
	if err != nil {
		return err
	}

	rows, err := parseArray(filepath.Join(in, "1.js"), "iso31661")
	if err != nil {
		return err
	}
	var countries []country
	known := map[string]bool{}
	for _, r := range rows {
		c := country{r["alpha2"], r["name"]}
		if !alpha2RE.MatchString(c.code) || !clean(c.name) || known[c.code] {
			return fmt.Errorf("1.js: bad or duplicate country %q %q", c.code, c.name)
		}
		if r["state"] != "assigned" {
			return fmt.Errorf("1.js: %s has state %q", c.code, r["state"])
		}
		known[c.code] = true
		countries = append(countries, c)
	}
	slices.SortFunc(countries, func(a, b country) int { return strings.Compare(a.code, b.code) })

	rows, err = parseArray(filepath.Join(in, "2.js"), "iso31662")
	if err != nil {
		return err
	}
	var all []subdivision
	seen := map[string]bool{}
	isParent := map[string]bool{}
	for _, r := range rows {
		s := subdivision{r["code"], r["name"], r["parent"]}
		cc, _, _ := strings.Cut(s.code, "-")
		if !subCodeRE.MatchString(s.code) || !clean(s.name) || seen[s.code] || !known[cc] {
			return fmt.Errorf("2.js: bad, duplicate or orphan subdivision %q %q", s.code, s.name)
		}
		if s.parent != cc && !strings.HasPrefix(s.parent, cc+"-") {
			return fmt.Errorf("2.js: %s has parent %q in another country", s.code, s.parent)
		}
		seen[s.code] = true
		isParent[s.parent] = true
		all = append(all, s)
	}

	var keep []subdivision
	for _, s := range all {
		cc, _, _ := strings.Cut(s.code, "-")
		switch {
		case onlyCodes[cc] != nil:
			if slices.Contains(onlyCodes[cc], s.code) {
				keep = append(keep, s)
			}
		case leafCountries[cc]:
			if !isParent[s.code] {
				keep = append(keep, s)
			}
		case s.parent == cc:
			keep = append(keep, s)
		}
	}
	for cc, codes := range onlyCodes {
		for _, code := range codes {
			if !seen[code] {
				return fmt.Errorf("onlyCodes[%s]: %s is not in 2.js", cc, code)
			}
		}
	}
	col := collate.New(language.Und, collate.IgnoreCase)
	slices.SortStableFunc(keep, func(a, b subdivision) int {
		if c := strings.Compare(a.code[:2], b.code[:2]); c != 0 {
			return c
		}
		if c := col.CompareString(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.code, b.code)
	})

	var cbuf, sbuf bytes.Buffer
	for _, c := range countries {
		fmt.Fprintf(&cbuf, "%s\t%s\n", c.code, c.name)
	}
	for _, s := range keep {
		fmt.Fprintf(&sbuf, "%s\t%s\n", s.code, s.name)
	}
	readme := fmt.Sprintf(`# ISO 3166 data

Generated by gen/main.go from the npm package %s@%s
(github.com/wooorm/iso-3166), licence %s: see LICENSE-iso-3166.txt.
Do not edit by hand; regenerate with go generate (see gen/main.go).

- countries.tsv: %d ISO 3166-1 alpha-2 codes with their English ISO short
  names, sorted by code.
- subdivisions.tsv: %d ISO 3166-2 subdivisions, the level a candidate picks
  as "state / region", by country and name:
  - by default the top level (entries whose parent is the country);
  - the second level, which addresses name, for %s
    (provinces or counties, plus top-level entries without children);
  - the four nations for GB (its flat list mixes aggregates such as "United
    Kingdom" with some 200 council areas).
`, pkg.Name, pkg.Version, pkg.License, len(countries), len(keep), strings.Join(sortedKeys(leafCountries), ", "))

	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for name, data := range map[string][]byte{
		"countries.tsv":        cbuf.Bytes(),
		"subdivisions.tsv":     sbuf.Bytes(),
		"LICENSE-iso-3166.txt": licence,
		"README.md":            []byte(readme),
	} {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	log.Printf("%s@%s: %d countries, %d of %d subdivisions kept", pkg.Name, pkg.Version, len(countries), len(keep), len(all))
	return nil
}

// parseArray reads `export const NAME = [ {key: 'value', ...}, ... ]`.
func parseArray(path, name string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		rows    []map[string]string
		cur     map[string]string
		inArray bool
		done    bool
		n       int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case done:
			if line != "" {
				return nil, fmt.Errorf("%s:%d: text after the array", path, n)
			}
		case !inArray:
			if line == "export const "+name+" = [" {
				inArray = true
			}
		case cur == nil && line == "{":
			cur = map[string]string{}
		case cur == nil && line == "]":
			done = true
		case cur != nil && (line == "}," || line == "}"):
			rows = append(rows, cur)
			cur = nil
		case cur != nil:
			m := lineRE.FindStringSubmatch(line)
			if m == nil || m[2] != m[4] || strings.ContainsAny(m[3], `\`+m[2]) {
				return nil, fmt.Errorf("%s:%d: unexpected line %q", path, n, line)
			}
			cur[m[1]] = m[3]
		default:
			return nil, fmt.Errorf("%s:%d: unexpected line %q", path, n, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !done || len(rows) == 0 {
		return nil, fmt.Errorf("%s: array %s not found or empty", path, name)
	}
	return rows, nil
}

// clean reports whether a name is safe for a TSV line.
func clean(s string) bool {
	return s != "" && utf8.ValidString(s) && s == strings.TrimSpace(s) && !strings.ContainsAny(s, "\t\r\n")
}

func sortedKeys(m map[string]bool) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
