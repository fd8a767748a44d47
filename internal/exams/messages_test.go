package exams_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/i18n"
)

// TestCatalogMessagesExist: every message ID the catalog service and its
// console pages name is in the English and the Spanish catalog.
func TestCatalogMessagesExist(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	es := map[string]bool{}
	for _, id := range cat.MessageIDs("es") {
		es[id] = true
	}
	re := regexp.MustCompile(`"((?:exams|console|nav|notice|field)\.[a-z0-9_.]+)"`)
	notice := regexp.MustCompile(`notice=([a-z_]+)`)
	n := 0
	for _, path := range []string{"exams.go", "validate.go", "../web/console_exams.go",
		"../web/templates/console_exams.html", "../web/templates/console_exam.html"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			ids[m[1]] = true
		}
		for _, m := range notice.FindAllStringSubmatch(string(b), -1) {
			ids["notice."+m[1]] = true
		}
		for _, lvl := range []string{"foundational", "associate", "professional", "specialty"} {
			ids["exams.level."+lvl] = true
		}
		ids["exams.kind.exam"], ids["exams.kind.microcredential"] = true, true
		for id := range ids {
			if strings.HasSuffix(id, ".") || id == "field.choose" || id == "form.optional" {
				continue // prefixes completed in code; shared layout strings
			}
			n++
			if !cat.Has(id) {
				t.Errorf("%s uses %q, which the English catalog lacks", path, id)
			}
			if !es[id] {
				t.Errorf("%s uses %q, which the Spanish catalog lacks", path, id)
			}
		}
	}
	if n < 60 {
		t.Fatalf("found only %d message IDs; is the pattern right?", n)
	}
}
