package app_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// routeFiles are the route tables of the HTML interface: the kit's and
// each page package's.
var routeFiles = []string{"../web/routes.go", "../web/candidate/routes.go", "../web/console/routes.go"}

// getRoutes reads every GET route of the HTML interface from its route
// tables (routeFiles), so that a new route is checked without being listed
// here.
func getRoutes(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, file := range routeFiles {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"GET (/[^"]*)"`).FindAllStringSubmatch(string(src), -1) {
			out = append(out, m[1])
		}
	}
	if len(out) < 40 {
		t.Fatalf("found only %d GET routes in %v", len(out), routeFiles)
	}
	return out
}

// documentDownloads are the only GET routes that may write, and
// documentCache the only tables they may write: a download of a signed
// document makes its document row, its stored file and its layout check
// on first need (and replaces the file when the data it shows changed). It
// is a cache of a file derived only from stored data, the same bytes on
// every instance and on every download (docs/documents.md, "Downloads and
// storage"), not a change the reader asked for. Nothing else changes on
// these routes: no audit entry, event, outbox job or other table. The
// program's self-signed document key is generated, and audited, on the
// first document of all; the test makes that happen before it takes the
// state.
var (
	documentDownloads = []string{"/history/transcript.pdf", "/history/{id}/score-report.pdf", "/certifications/{id}/certificate.pdf",
		"/certifications/{id}/cycles/{cycle}/certificate.pdf", "/ce/transcript.pdf"}
	documentCache = map[string]bool{"documents": true, "document_files": true, "document_checks": true}
)

// databaseState is every row of every portal table, as text, keyed by
// table and then by the row's first column, except what a read is allowed
// to touch or what background jobs write meanwhile: a session's last
// activity (the idle timeout), the outbox's forwarding mark, the
// development mailbox (mail delivered by jobs) and the slots the slot job
// adds (compared only where they existed before: see sameState).
func databaseState(t *testing.T, db *sql.DB, engine string) map[string]map[string]string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'river%'`
	if engine == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'river%'`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	skipColumn := map[string]bool{"sessions.last_seen_at": true, "job_outbox.forwarded_at": true}
	skipTable := map[string]bool{"dev_messages": true, "goose_db_version": true}
	state := map[string]map[string]string{}
	for _, table := range tables {
		if skipTable[table] {
			continue
		}
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		lines := map[string]string{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			key := fmt.Sprint(vals[0])
			if bs, ok := vals[0].([]byte); ok {
				key = string(bs)
			}
			for i, c := range cols {
				if skipColumn[table+"."+c] {
					continue
				}
				v := vals[i]
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%s=%v ", c, v)
			}
			lines[key] += b.String() + "\n"
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		state[table] = lines
	}
	return state
}

// sameState reports the rows that differ between two databaseStates; in
// tables that background jobs extend (slots), rows added are not
// differences, and tables in allowed may change.
func sameState(before, after map[string]map[string]string, allowed map[string]bool) []string {
	extended := map[string]bool{"slots": true}
	var diffs []string
	for table, rows := range before {
		if allowed[table] {
			continue
		}
		for key, row := range rows {
			if after[table][key] != row {
				diffs = append(diffs, fmt.Sprintf("%s %s: %q became %q", table, key, row, after[table][key]))
			}
		}
		if extended[table] {
			continue
		}
		for key, row := range after[table] {
			if _, ok := rows[key]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s %s: added %q", table, key, row))
			}
		}
	}
	for table := range after {
		if _, ok := before[table]; !ok {
			diffs = append(diffs, "table "+table+" appeared")
		}
	}
	sort.Strings(diffs)
	return diffs
}

// TestGetNeverChangesState: every GET route of the HTML interface, asked
// by a signed-in candidate with a booking and a seat in the cart and by a
// signed-in administrator (console), leaves both sessions signed in and
// the database as it was (SECURITY.md SES-03: state never changes on GET;
// forms change state by POST, behind the cross-origin check).
func TestGetNeverChangesState(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		cc, _ := a.SignIn(t, cand[1], cand[2])
		ref, _ := a.BookDemoSeat(t, cc)
		date, slots := a.CenterSlots(t, cc, "DVA-C02", "1")
		resp := a.PostForm(t, cc, "/schedule/DVA-C02/hold", map[string][]string{"idempotency_key": {slots[1].Key}, "slot": {slots[1].ID},
			"date": {date}, "language": {"en"}, "center": {"1"}})
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("hold: %d", resp.StatusCode)
		}
		ac, _ := a.SignIn(t, admin[1], admin[2])
		a.EnrolTOTP(t, ac, true)

		signedIn := func(t *testing.T, who string, c *http.Client, path, after string) {
			t.Helper()
			resp := a.Get(t, c, path)
			if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusOK {
				t.Fatalf("after GET %s: the %s's GET %s = %d, want 200 (still signed in)", after, who, path, resp.StatusCode)
			}
		}
		signedIn(t, "candidate", cc, "/dashboard", "nothing")
		signedIn(t, "admin", ac, "/console", "nothing")

		// Without an operator's key, the first document signed generates
		// the program's self-signed document key (and audits it): done
		// once here, by the administrator's transcript, before the state
		// is taken; the candidate's documents are made in the loop.
		if resp := a.Get(t, ac, "/history/transcript.pdf"); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /history/transcript.pdf = %d", resp.StatusCode)
		} else {
			_ = apptest.Body(t, resp)
		}

		routes := getRoutes(t)
		for _, d := range documentDownloads {
			if !slices.Contains(routes, d) {
				t.Fatalf("no GET %s in routes.go: update documentDownloads", d)
			}
		}
		st := a.OpenStore(t)
		// The reminder sweep runs once at start and reminds the demo
		// holder of CLF's expiry: wait for it, so its rows are not taken
		// for a GET's.
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			var n int
			if err := st.DB().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM certification_reminders`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the reminder sweep did not run within 30 s of start")
			}
		}
		before := databaseState(t, st.DB(), engine)
		files := len(before["document_files"])
		fill := strings.NewReplacer("{$}", "", "{code}", "SAA-C03", "{id}", "1", "{ref}", ref, "{n}", "1", "{token}", "no-such-token", "{upload}", "1", "{cycle}", "1")
		for _, route := range routes {
			path := fill.Replace(route)
			var allowed map[string]bool
			if slices.Contains(documentDownloads, route) {
				allowed = documentCache
			}
			for _, who := range []struct {
				name string
				c    *http.Client
			}{{"candidate", cc}, {"admin", ac}} {
				resp := a.Get(t, who.c, path)
				_ = apptest.Body(t, resp)
				if resp.StatusCode >= 500 {
					t.Errorf("%s: GET %s = %d", who.name, path, resp.StatusCode)
				}
				signedIn(t, "candidate", cc, "/dashboard", path)
				signedIn(t, "admin", ac, "/console", path)
				after := databaseState(t, st.DB(), engine)
				if diffs := sameState(before, after, allowed); len(diffs) > 0 {
					t.Errorf("%s: GET %s changed the database:\n%.3000s", who.name, path, strings.Join(diffs, "\n"))
				}
				before = after
			}
		}
		// The candidate's transcript was made in the loop, so a first
		// download was among the routes checked.
		if n := len(before["document_files"]); n <= files {
			t.Errorf("%d stored documents after the GET routes, %d before: no document was made by a GET checked", n, files)
		}
	})
}
