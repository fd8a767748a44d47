package testutil

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/i18n"
)

// MessageIDs collects the message IDs that re's first group matches in the
// files, each with the first file that names it. IDs ending in "." or "_"
// are prefixes completed in code and are left out.
func MessageIDs(t testing.TB, re *regexp.Regexp, files ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			id := m[1]
			if strings.HasSuffix(id, ".") || strings.HasSuffix(id, "_") {
				continue
			}
			if _, ok := out[id]; !ok {
				out[id] = f
			}
		}
	}
	return out
}

// CheckMessages fails t for each ID of ids (as MessageIDs returns them)
// that the English catalog lacks, and for each that translated reports as
// required and another shipped language (Spanish) lacks. It returns how
// many it checked, for the caller to see its pattern found something.
// (The i18n tests keep every shipped language complete; this check names
// the file that uses a missing ID.)
func CheckMessages(t testing.TB, ids map[string]string, translated func(id string) bool) int {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	has := map[string]map[string]bool{}
	for _, lang := range cat.Languages()[1:] {
		has[lang] = map[string]bool{}
		for _, id := range cat.MessageIDs(lang) {
			has[lang][id] = true
		}
	}
	for id, where := range ids {
		if !cat.Has(id) {
			t.Errorf("%s uses %q, which the English catalog lacks", where, id)
		}
		if !translated(id) {
			continue
		}
		for lang, ok := range has {
			if !ok[id] {
				t.Errorf("%s uses %q, which the %s catalog lacks", where, id, lang)
			}
		}
	}
	return len(ids)
}
