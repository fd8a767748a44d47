package exams_test

import (
	"regexp"
	"testing"

	"example.org/certportal/internal/testutil"
)

// TestCatalogMessagesExist: every message ID the catalog service and its
// console pages name is in the English and the Spanish catalog.
func TestCatalogMessagesExist(t *testing.T) {
	files := []string{"exams.go", "validate.go", "../web/console/exams.go",
		"../web/console/templates/console_exams.html", "../web/console/templates/console_exam.html"}
	ids := testutil.MessageIDs(t, regexp.MustCompile(`"((?:exams|console|nav|notice|field)\.[a-z0-9_.]+)"`), files...)
	for id, where := range testutil.MessageIDs(t, regexp.MustCompile(`notice=([a-z_]+)`), files...) {
		ids["notice."+id] = where
	}
	for _, lvl := range []string{"foundational", "associate", "professional", "specialty"} {
		ids["exams.level."+lvl] = "exams.go"
	}
	ids["exams.kind.exam"], ids["exams.kind.microcredential"] = "exams.go", "exams.go"
	delete(ids, "field.choose") // shared layout strings
	delete(ids, "form.optional")
	if n := testutil.CheckMessages(t, ids, func(string) bool { return true }); n < 60 {
		t.Fatalf("found only %d message IDs; is the pattern right?", n)
	}
}
