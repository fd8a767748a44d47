package results_test

import (
	"regexp"
	"testing"

	"example.org/certportal/internal/testutil"
)

// TestResultsMessagesExist: every message ID the results service names is
// in the English and the Spanish catalog.
func TestResultsMessagesExist(t *testing.T) {
	files := []string{"catalogue.go", "console.go", "correct.go", "record.go", "candidate.go", "publish.go"}
	ids := testutil.MessageIDs(t, regexp.MustCompile(`"(results\.(?:error|certification)\.[a-z0-9_.]+)"`), files...)
	if n := testutil.CheckMessages(t, ids, func(string) bool { return true }); n < 25 {
		t.Fatalf("found only %d message IDs; is the pattern right?", n)
	}
}
