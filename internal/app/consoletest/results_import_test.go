package consoletest

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// demoLoginID finds the login ID of a demo account in what `serve --demo`
// prints.
func demoLoginID(t *testing.T, a *apptest.App, label string) string {
	t.Helper()
	m := regexp.MustCompile(label + `\s+email \S+\s+password \S+\s+\(login ID (\S+)\)`).FindStringSubmatch(a.Stdout())
	if m == nil {
		t.Fatalf("no login ID for the demo %s in:\n%s", label, a.Stdout())
	}
	return m[1]
}

// resultsFile is a CSV results file for the demo candidate at SAA-C03,
// delivered two days before the app's clock, one row per score (line 2
// onwards).
func resultsFile(a *apptest.App, login string, scores ...string) string {
	at := a.Clock.Now().Add(-48 * time.Hour).UTC().Truncate(time.Hour)
	var b strings.Builder
	b.WriteString("login_id,exam_code,delivered_at,score\n")
	for i, s := range scores {
		fmt.Fprintf(&b, "%s,SAA-C03,%s,%s\n", login, at.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), s)
	}
	return b.String()
}

// importAPI posts a results file to the API as CSV with an idempotency
// key ("" sends none).
func importAPI(t *testing.T, a *apptest.App, c *http.Client, query, key, file string) apptest.APIResponse {
	t.Helper()
	headers := []string{"Content-Type", "text/csv"}
	if key != "" {
		headers = append(headers, "Idempotency-Key", key)
	}
	return a.API(t, c, http.MethodPost, "/api/v1/results/imports"+query, file, headers...)
}

// awaitImport follows an import through the API until its background
// work is done (not staging or applying).
func awaitImport(t *testing.T, a *apptest.App, c *http.Client, id string) apptest.APIResponse {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := a.API(t, c, http.MethodGet, "/api/v1/results/imports/"+id, "")
		apptest.WantStatus(t, r, http.StatusOK)
		if st := r.JSON["state"]; st != "staging" && st != "applying" {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s still %v after 30 s", id, r.JSON["state"])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// awaitImportPage follows an import's console page until its work is
// done.
func awaitImportPage(t *testing.T, a *apptest.App, c *http.Client, path string) *testutil.HTMLNode {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		doc := a.GetPage(t, c, path, http.StatusOK)
		if st := doc.AttrOf("#import-state", "data-state"); st != "staging" && st != "applying" {
			return doc
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still busy after 30 s", path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// scoreReason is the reason given for a score that is not a whole number
// in range.
const scoreReason = "Enter a whole-number score from 100 to 1,000."

func idOf(r apptest.APIResponse) string {
	id, _ := r.JSON["id"].(float64)
	return strconv.FormatInt(int64(id), 10)
}

// importCount is how many imports the console lists.
func importCount(t *testing.T, a *apptest.App, c *http.Client) int {
	t.Helper()
	return a.GetPage(t, c, "/console/results/imports", http.StatusOK).Count("#imports-heading ~ .table-wrap tbody tr")
}

// TestResultsImportAPI: the API import needs results.import and an
// Idempotency-Key; a dry run reports each bad row (row, column,
// neutralised value, reason) and records nothing; the same request again
// under its key replays the first answer and starts no import, another
// file under it is refused; a clean file with dry_run=false is applied;
// the same file again is discarded, naming the import that applied it.
func TestResultsImportAPI(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, cand := centerAdmin(t, engine)
		login := demoLoginID(t, a, "candidate")
		bad := resultsFile(a, login, "780", "=1+1")

		cc, _ := a.SignIn(t, cand[1], cand[2])
		if r := importAPI(t, a, cc, "", "cand-1", bad); r.Status != http.StatusForbidden {
			t.Errorf("a candidate imports: %d\n%s", r.Status, r.Raw)
		}
		if r := importAPI(t, a, ac, "", "", bad); r.Status != http.StatusBadRequest || r.ErrorField("message_id") != "idempotency.key_required" {
			t.Errorf("no Idempotency-Key: %d\n%s", r.Status, r.Raw)
		}
		if n := importCount(t, a, ac); n != 0 {
			t.Fatalf("refused requests left %d imports", n)
		}

		first := importAPI(t, a, ac, "?file_name=bad.csv", "import-1", bad)
		apptest.WantStatus(t, first, http.StatusAccepted)
		id := idOf(first)
		if loc := first.Header.Get("Location"); loc != "/api/v1/results/imports/"+id {
			t.Errorf("Location %q", loc)
		}
		report := awaitImport(t, a, ac, id)
		if report.JSON["state"] != "checked" || report.JSON["rows_total"] != float64(2) || report.JSON["rows_bad"] != float64(1) {
			t.Fatalf("dry run report: %s", report.Raw)
		}
		problems, _ := report.JSON["problems"].([]any)
		if len(problems) != 1 {
			t.Fatalf("problems: %s", report.Raw)
		}
		p := problems[0].(map[string]any)
		if p["row"] != float64(3) || p["column"] != "score" || p["value"] != "'=1+1" || p["message"] != scoreReason ||
			p["code"] != "results.error.score_range" {
			t.Errorf("problem %v; want row 3, column score, value '=1+1, %q", p, scoreReason)
		}

		again := importAPI(t, a, ac, "?file_name=bad.csv", "import-1", bad)
		if again.Status != http.StatusAccepted || idOf(again) != id || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("the same request under its key: %d replayed %q id %s, want 202 replayed with import %s",
				again.Status, again.Header.Get("Idempotent-Replayed"), idOf(again), id)
		}
		if loc := again.Header.Get("Location"); loc != "/api/v1/results/imports/"+id {
			t.Errorf("replayed Location %q", loc)
		}
		good := resultsFile(a, login, "780")
		if r := importAPI(t, a, ac, "?file_name=bad.csv", "import-1", good); r.Status != http.StatusUnprocessableEntity ||
			r.ErrorField("message_id") != "idempotency.key_reused" {
			t.Errorf("another file under the key: %d\n%s", r.Status, r.Raw)
		}
		if n := importCount(t, a, ac); n != 1 {
			t.Fatalf("%d imports after a replay and a reused key, want 1", n)
		}

		applied := importAPI(t, a, ac, "?dry_run=false&file_name=good.csv", "import-2", good)
		apptest.WantStatus(t, applied, http.StatusAccepted)
		done := awaitImport(t, a, ac, idOf(applied))
		if done.JSON["state"] != "applied" || done.JSON["rows_applied"] != float64(1) {
			t.Fatalf("apply: %s", done.Raw)
		}

		same := importAPI(t, a, ac, "?dry_run=false&file_name=good-again.csv", "import-3", good)
		apptest.WantStatus(t, same, http.StatusAccepted)
		if same.JSON["state"] != "discarded" || same.JSON["same_file_import_id"] != applied.JSON["id"] {
			t.Errorf("the same file again: %s; want discarded naming import %s", same.Raw, idOf(applied))
		}
	})
}

// TestConsoleResultsImport: an upload with a bad row shows the row, the
// column, the value and the reason in the report and offers no apply
// button (applying is refused too); the problems download is CSV with the
// value neutralised; a fixed file shows the button and applies.
func TestConsoleResultsImport(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, _ := centerAdmin(t, engine)
		login := demoLoginID(t, a, "candidate")

		resp := postFile(t, a, ac, "/console/results/imports", "bad.csv", resultsFile(a, login, "780", "=1+1"))
		_ = apptest.Body(t, resp)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/results/imports/") {
			t.Fatalf("upload: %d %s", resp.StatusCode, loc)
		}
		doc := awaitImportPage(t, a, ac, loc)
		if got := doc.AttrOf("#import-state", "data-state"); got != "checked" {
			t.Fatalf("state %q, want checked", got)
		}
		rows := doc.Find("#import-problems tbody tr")
		if len(rows) != 1 {
			t.Fatalf("%d problem rows, want 1", len(rows))
		}
		cells := rows[0].Texts("td")
		if len(cells) != 4 || cells[0] != "3" || cells[1] != "score" || cells[2] != "'=1+1" || cells[3] != scoreReason {
			t.Errorf("problem row %q; want row 3, column score, value '=1+1, %q", cells, scoreReason)
		}
		if doc.Has(`form[action$="/apply"]`) || doc.Has("#import-clean") {
			t.Error("a file with a bad row offers to apply")
		}
		status, _, _ := a.PostPage(t, ac, loc+"/apply", nil)
		if status == http.StatusSeeOther || status >= 500 {
			t.Errorf("applying a file with a bad row: %d", status)
		}

		href := doc.AttrOf(`a[href$="/problems.csv"]`, "href")
		if href != loc+"/problems.csv" {
			t.Fatalf("problems download %q", href)
		}
		dl := a.Get(t, ac, href)
		body := apptest.Body(t, dl)
		if ct := dl.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("problems Content-Type %q", ct)
		}
		records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(records) != 2 {
			t.Fatalf("problems CSV (%v):\n%s", err, body)
		}
		if got := records[1]; got[0] != "3" || got[1] != "score" || got[2] != "'=1+1" || got[3] != scoreReason {
			t.Errorf("problems CSV row %q; want 3, score, '=1+1, %q", got, scoreReason)
		}
		for _, rec := range records {
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("problems CSV cell %q is not neutralised", cell)
				}
			}
		}

		resp = postFile(t, a, ac, "/console/results/imports", "fixed.csv", resultsFile(a, login, "780", "655"))
		_ = apptest.Body(t, resp)
		fixed := resp.Header.Get("Location")
		doc = awaitImportPage(t, a, ac, fixed)
		if doc.Has("#import-problems") || !doc.Has(`form[action="`+fixed+`/apply"] button[type=submit]`) {
			t.Fatalf("a clean file: problems shown %v, apply button %v", doc.Has("#import-problems"), doc.Has(`form[action$="/apply"]`))
		}
		status, next, _ := a.PostPage(t, ac, fixed+"/apply", nil)
		if status != http.StatusSeeOther {
			t.Fatalf("apply: %d", status)
		}
		if !strings.HasPrefix(next, fixed) {
			t.Errorf("apply went to %s", next)
		}
		doc = awaitImportPage(t, a, ac, fixed)
		if got := doc.AttrOf("#import-state", "data-state"); got != "applied" || !doc.Has("#import-done") {
			t.Errorf("after apply: state %q", got)
		}
	})
}
