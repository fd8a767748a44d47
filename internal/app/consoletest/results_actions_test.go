package consoletest

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestConsoleResultHoldReleaseAndCorrect: in the console an officer puts
// a provisional result on hold only with a reason (a missing one is
// said next to the field and nothing changes), releases it, and an admin
// corrects an official result; a score out of range and a missing reason
// are said next to their fields, both at once, with what was typed kept,
// and a good correction shows the new score.
func TestConsoleResultHoldReleaseAndCorrect(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, _ := centerAdmin(t, engine)
		st := a.OpenStore(t)
		attempt := func(state string) (string, int) {
			var id int64
			var score int
			if err := st.DB().QueryRowContext(context.Background(), `SELECT id, score FROM exam_attempts WHERE state = '`+state+`' ORDER BY id LIMIT 1`).Scan(&id, &score); err != nil {
				t.Fatalf("a demo result in state %s: %v", state, err)
			}
			return strconv.FormatInt(id, 10), score
		}
		state := func(id string) string {
			return a.GetPage(t, ac, "/console/results/"+id, http.StatusOK).TextOf(".result-state")
		}

		prov, _ := attempt("preliminary")
		status, _, doc := a.PostPage(t, ac, "/console/results/"+prov+"/hold", url.Values{"reason": {"  "}})
		if status != http.StatusUnprocessableEntity || doc.TextOf("#reason-error") == "" {
			t.Errorf("hold without a reason: %d, reason error %q", status, doc.TextOf("#reason-error"))
		}
		if got := state(prov); got != "Provisional" {
			t.Errorf("after a refused hold the result is %q", got)
		}
		status, loc, _ := a.PostPage(t, ac, "/console/results/"+prov+"/hold", url.Values{"reason": {"Irregularity reported by the proctor"}})
		if status != http.StatusSeeOther || !strings.Contains(loc, "notice=") {
			t.Fatalf("hold: %d %s", status, loc)
		}
		page := a.GetPage(t, ac, "/console/results/"+prov, http.StatusOK)
		if page.TextOf(".result-state") != "Under review" || !strings.Contains(page.Text(), "Irregularity reported by the proctor") {
			t.Errorf("held result: state %q", page.TextOf(".result-state"))
		}
		if status, loc, _ := a.PostPage(t, ac, "/console/results/"+prov+"/release", url.Values{}); status != http.StatusSeeOther || !strings.Contains(loc, "notice=") {
			t.Fatalf("release: %d %s", status, loc)
		}
		if got := state(prov); got == "Under review" {
			t.Errorf("released result still %q", got)
		}

		off, score := attempt("official")
		// The bands as the form shows them, one domain a line.
		m := regexp.MustCompile(`(?s)<textarea[^>]*id="domains"[^>]*>(.*?)</textarea>`).FindStringSubmatch(apptest.Body(t, a.Get(t, ac, "/console/results/"+off)))
		if m == nil {
			t.Fatal("no domains field on the result's page")
		}
		domains := html.UnescapeString(m[1])
		for _, c := range []struct {
			score, reason string
			fields        []string
		}{
			{strconv.Itoa(score + 5), "", []string{"correction_reason"}},
			{"2000", "The scoring key of one item was wrong.", []string{"score"}},
			{"2000", "", []string{"score", "correction_reason"}}, // both said at once
		} {
			status, _, doc = a.PostPage(t, ac, "/console/results/"+off+"/correct",
				url.Values{"score": {c.score}, "domains": {domains}, "correction_reason": {c.reason}})
			if status != http.StatusUnprocessableEntity {
				t.Errorf("correction to %s with reason %q: %d, want 422", c.score, c.reason, status)
			}
			for _, f := range c.fields {
				if doc.TextOf("#"+f+"-error") == "" {
					t.Errorf("correction to %s with reason %q: no error next to %s", c.score, c.reason, f)
				}
			}
			if got := doc.AttrOf("#score", "value"); got != c.score {
				t.Errorf("the typed score %s is not kept: %q", c.score, got)
			}
		}
		good := url.Values{"score": {strconv.Itoa(score + 5)}, "domains": {domains},
			"correction_reason": {"The scoring key of one item was wrong."}}
		status, loc, doc = a.PostPage(t, ac, "/console/results/"+off+"/correct", good)
		if status != http.StatusSeeOther || !strings.Contains(loc, "notice=") {
			t.Fatalf("correction: %d %s\n%s", status, loc, doc.Texts(".field-error, .error-summary li"))
		}
		if got := a.GetPage(t, ac, "/console/results/"+off, http.StatusOK).TextOf(".result-score"); !strings.HasPrefix(got, strconv.Itoa(score+5)+" /") {
			t.Errorf("corrected score shows %q, want %d", got, score+5)
		}
	})
}
