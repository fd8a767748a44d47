//go:build ignore

// Command gen builds common-passwords.txt, the offline password blocklist
// embedded by internal/accounts (blocklist.go), from the npm package
// @zxcvbn-ts/language-common (MIT; src/passwords.json, a frequency-ordered
// list of common and breached passwords) plus the hand-written supplement
// below. It also writes LICENSE-zxcvbn-ts.txt: the source and the package's
// licence text.
//
// Output: one password per line, lower-cased, at least 4 characters (shorter
// ones can never be a whole password, and as stems they would match too
// much), deduplicated and sorted bytewise so the accounts package can binary
// search the embedded file without building anything at run time.
//
// Usage (from internal/accounts):
//
//	cd "$(mktemp -d)" && npm pack @zxcvbn-ts/language-common@4.1.3 && tar xzf zxcvbn-ts-language-common-4.1.3.tgz
//	ZXCVBN_COMMON_DIR="$PWD/package" go generate ./internal/accounts
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	wantName   = "@zxcvbn-ts/language-common"
	minRunes   = 4
	outList    = "common-passwords.txt"
	outLicence = "LICENSE-zxcvbn-ts.txt"
)

// supplement adds words the upstream list lacks and that people build
// passwords from: with the stem rule in blocklist.go, "Verano2024!" or
// "Certification1" are refused because their stem is listed. Upstream is
// English-centric, and Spanish is the portal's second language. Words of
// fewer than 4 characters are dropped like upstream ones.
var supplement = []string{
	// keyboard walks and login words missing upstream
	"qwertz", "login", "logon", "signin",
	// Spanish: password, welcome, seasons, months, days
	"contraseña", "contrasena", "bienvenido", "bienvenida", "bienvenidos",
	"verano", "invierno", "otoño", "otono", "primavera",
	"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
	"septiembre", "setiembre", "octubre", "noviembre", "diciembre",
	"lunes", "martes", "miércoles", "miercoles", "jueves", "viernes",
	"sábado", "sabado", "domingo",
	// the portal's own vocabulary (the program's configured name is a
	// context word, checked separately by the policy)
	"certification", "certifications", "certificate", "certified",
	"exam", "exams", "examen", "examination", "candidate", "candidato",
	"proctor", "testcenter",
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("accounts/data/gen: ")
	in := flag.String("in", "", "unpacked "+wantName+" npm package (the directory holding package.json)")
	out := flag.String("out", "data", "output directory")
	flag.Parse()
	if *in == "" {
		log.Fatal("-in is empty: unpack `npm pack " + wantName + "@VERSION` and set ZXCVBN_COMMON_DIR to its package/ directory")
	}
	if err := run(*in, *out); err != nil {
		log.Fatal(err)
	}
}

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
	licence, err := os.ReadFile(filepath.Join(in, "LICENSE.txt"))
	if err != nil {
		return err
	}
	buf, err = os.ReadFile(filepath.Join(in, "src", "passwords.json"))
	if err != nil {
		return err
	}
	var upstream []string
	if err := json.Unmarshal(buf, &upstream); err != nil {
		return fmt.Errorf("src/passwords.json: %w", err)
	}
	if len(upstream) < 10000 {
		return fmt.Errorf("src/passwords.json: only %d entries", len(upstream))
	}

	seen := map[string]bool{}
	var list []string
	add := func(w string) {
		w = strings.ToLower(strings.TrimSpace(w))
		if utf8.RuneCountInString(w) < minRunes || !utf8.ValidString(w) || seen[w] ||
			strings.ContainsFunc(w, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			return
		}
		seen[w] = true
		list = append(list, w)
	}
	for _, w := range upstream {
		add(w)
	}
	fromUpstream := len(list)
	for _, w := range supplement {
		add(w)
	}
	slices.Sort(list)

	header := fmt.Sprintf(`%s is derived from the npm package %s@%s
(src/passwords.json; https://github.com/zxcvbn-ts/zxcvbn), licence %s, whose
text follows. Entries were lower-cased, deduplicated, sorted, and those under
%d characters dropped; %d words from the hand-written supplement in gen.go were
added. Regenerate with go generate ./internal/accounts (see gen.go).

`, outList, pkg.Name, pkg.Version, pkg.License, minRunes, len(list)-fromUpstream)

	if err := os.WriteFile(filepath.Join(out, outList), []byte(strings.Join(list, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, outLicence), append([]byte(header), licence...), 0o644); err != nil {
		return err
	}
	log.Printf("%s@%s: %d upstream entries, %d kept, %d from the supplement", pkg.Name, pkg.Version, len(upstream), fromUpstream, len(list)-fromUpstream)
	return nil
}
