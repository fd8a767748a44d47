package credits_test

import (
	"regexp"
	"testing"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestCreditsMessagesExist: every message ID the service names is in the
// English and the Spanish catalog.
func TestCreditsMessagesExist(t *testing.T) {
	files := []string{"catalogue.go", "duration.go", "flags.go", "progress.go", "queue.go", "requirement.go", "review.go", "rules.go",
		"service.go", "submit.go", "transfer.go", "../renewal/requirement.go"}
	ids := testutil.MessageIDs(t, regexp.MustCompile(`"(credits\.(?:error|warning|csv)\.[a-z0-9_.]+)"`), files...)
	if n := testutil.CheckMessages(t, ids, func(string) bool { return true }); n < 60 {
		t.Fatalf("found only %d message IDs; is the pattern right?", n)
	}
	states := map[string]string{}
	for _, s := range []string{"draft", "pending", "info", "approved", "partial", "denied", "appealed", "withdrawn"} {
		states["credits.state."+s] = "portal.CE states"
	}
	for _, r := range []string{"reviewer", "admin", "system"} {
		states["credits.role."+r] = "review.go roleOf"
	}
	for _, r := range append(credits.DenyReasons(), "partial", "info", credits.ReasonNoReply, credits.ReasonReversed) {
		states["credits.reason."+r] = "review.go reason codes"
	}
	for _, g := range portal.CEGroups() {
		states["credits.group."+g] = "portal.CEGroups"
	}
	testutil.CheckMessages(t, states, func(string) bool { return true })
}
