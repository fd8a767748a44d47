package consoletest

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// demoStaffClient signs in the demo staff account printed with label and
// enrols its second factor.
func demoStaffClient(t *testing.T, a *apptest.App, label string) *http.Client {
	t.Helper()
	m := regexp.MustCompile(label + `\s+email (\S+)\s+password (\S+)`).FindStringSubmatch(a.Stdout())
	if m == nil {
		t.Fatalf("no demo %s in:\n%s", label, a.Stdout())
	}
	c, _ := a.SignIn(t, m[1], m[2])
	a.EnrolTOTP(t, c, true)
	return c
}

// setScan puts an upload in a scan state, as the scanner would.
func setScan(t *testing.T, a *apptest.App, upload, state string) {
	t.Helper()
	st := a.OpenStore(t)
	defer st.Close()
	q := `UPDATE uploads SET scan_status = ? WHERE id = ?`
	if a.Engine == store.Postgres {
		q = `UPDATE uploads SET scan_status = $1 WHERE id = $2`
	}
	if _, err := st.DB().Exec(q, state, upload); err != nil {
		t.Fatal(err)
	}
}

// waitScanned waits up to 30 seconds for the scanner to leave the upload
// pending.
func waitScanned(t *testing.T, a *apptest.App, upload string) {
	t.Helper()
	st := a.OpenStore(t)
	defer st.Close()
	q := `SELECT scan_status FROM uploads WHERE id = ?`
	if a.Engine == store.Postgres {
		q = `SELECT scan_status FROM uploads WHERE id = $1`
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var state string
		if err := st.DB().QueryRow(q, upload).Scan(&state); err != nil {
			t.Fatal(err)
		}
		if state != "pending" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("upload %s still pending after 30s", upload)
		}
	}
}

// TestConsoleCEReview: the demo CE reviewer finds the pending activity in
// the queue (linked from the console's navigation), sees the rule it was
// made under, is told what a partial decision lacks next to the field,
// and decides it partially with a reason; an admin's second decision is
// told "already decided" on the page, not an error page; the admin's
// reversal needs a reason; a scheduler reaches none of it (SECURITY
// access rows: permission in the service and the route table).
func TestConsoleCEReview(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, _ := centerAdmin(t, engine)
		rc := demoStaffClient(t, a, "ce_reviewer")

		home := a.GetPage(t, rc, "/console", http.StatusOK)
		if !home.Has(`nav a[href="/console/ce"]`) && !home.Has(`a[href="/console/ce"]`) {
			t.Error("the reviewer's console has no link to the review queue")
		}
		queue := a.GetPage(t, rc, "/console/ce", http.StatusOK)
		var path string
		for _, l := range queue.Values(".ce-queue a[href^='/console/ce/submissions/']", "href") {
			path = l
		}
		if path == "" || !strings.Contains(queue.TextOf(".ce-queue"), "Talk: serverless at scale") {
			t.Fatalf("the queue lacks the pending demo activity:\n%s", queue.TextOf("main"))
		}
		if got := queue.TextOf(".ce-count"); !strings.Contains(got, "1 submission matches these filters") {
			t.Errorf("queue count %q", got)
		}
		if got := queue.TextOf(".ce-queue .ce-candidate"); !strings.Contains(got, "Noor Haddad") || !strings.Contains(got, "CP") {
			t.Errorf("queue candidate %q, want the name and login ID", got)
		}
		if f := a.GetPage(t, rc, "/console/ce?type=official_online_course", http.StatusOK); f.Has(".ce-row") {
			t.Error("the type filter kept a conference talk")
		}
		if resp := a.Get(t, rc, "/console/ce?age=lots"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a bad age filter: %d, want 422", resp.StatusCode)
		} else if doc := testutil.ParseHTML(t, apptest.Body(t, resp)); doc.TextOf("#age-error") == "" {
			t.Error("a bad age filter has no message by the field")
		}

		page := a.GetPage(t, rc, path, http.StatusOK)
		if got := page.TextOf(".ce-rule"); !strings.Contains(got, "from 25 to 50") {
			t.Errorf("rule %q, want the range the decision is held to", got)
		}
		if got := page.TextOf(".ce-claimed"); got != "30" {
			t.Errorf("claimed %q", got)
		}
		if got := page.TextOf(".ce-facts .ce-candidate"); !strings.Contains(got, "Noor Haddad") {
			t.Errorf("review page candidate %q", got)
		}
		// Assign to another CE reviewer (the admin), chosen from the list;
		// anyone not listed is refused next to the field.
		var admin string
		for _, v := range page.Values("select#reviewer option", "value") {
			if v != "" && !strings.Contains(page.TextOf("select#reviewer option[value='"+v+"']"), "(you)") {
				admin = v
			}
		}
		if n := len(page.Values("select#reviewer option", "value")); admin == "" || n != 3 {
			t.Fatalf("reviewer choices %v, want the placeholder, the admin and the viewer", page.Texts("select#reviewer option"))
		}
		status, _, doc := a.PostPage(t, rc, path+"/assign", url.Values{"reviewer": {"999999"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(doc.TextOf("#reviewer-error"), "Choose a reviewer from the list") {
			t.Errorf("assign to nobody: %d %q", status, doc.TextOf("#reviewer-error"))
		}
		if status, _, _ := a.PostPage(t, rc, path+"/assign", url.Values{"reviewer": {admin}}); status != http.StatusSeeOther {
			t.Fatalf("assign to the admin: %d", status)
		}
		if got := a.GetPage(t, rc, path, http.StatusOK).TextOf(".ce-assignee"); got != "Alex Morgan" {
			t.Errorf("assignee after the assignment %q, want Alex Morgan", got)
		}
		if got := a.GetPage(t, rc, "/console/ce?assignee=none", http.StatusOK).TextOf(".ce-count"); !strings.Contains(got, "0 submissions") {
			t.Errorf("unassigned count after the assignment %q", got)
		}
		if status, loc, _ := a.PostPage(t, rc, path+"/claim", nil); status != http.StatusSeeOther || !strings.HasPrefix(loc, path) {
			t.Fatalf("claim: %d %s", status, loc)
		}
		if got := a.GetPage(t, rc, path, http.StatusOK).TextOf(".ce-assignee"); got != "Assigned to you" {
			t.Errorf("assignee after the claim %q", got)
		}

		status, _, doc = a.PostPage(t, rc, path+"/decide", url.Values{"outcome": {"partial"}, "credits": {"10"}})
		if status != http.StatusUnprocessableEntity || doc.TextOf("#reason_text-error") == "" {
			t.Fatalf("partial without a reason: %d, error %q", status, doc.TextOf("#reason_text-error"))
		}
		if got := doc.TextOf("#credits-error"); !strings.Contains(got, "between 25 and 50") {
			t.Errorf("partial below the range: error by the credits field %q, want between 25 and 50", got)
		}
		status, loc, _ := a.PostPage(t, rc, path+"/decide", url.Values{"outcome": {"partial"}, "credits": {"28"}, "reason_text": {"Only the talk itself counts."}})
		if status != http.StatusSeeOther {
			t.Fatalf("partial decision: %d", status)
		}
		decided := a.GetPage(t, rc, loc, http.StatusOK)
		if decided.TextOf(".ce-state") != "Partly approved" && !strings.Contains(strings.ToLower(decided.TextOf(".ce-state")), "part") {
			t.Errorf("state after a partial decision %q", decided.TextOf(".ce-state"))
		}
		if got := decided.TextOf(".ce-granted"); got != "28" {
			t.Errorf("granted %q, want 28", got)
		}
		if decided.Has("form[action$='/decide']") {
			t.Error("a decided submission still offers the decision form")
		}

		status, _, doc = a.PostPage(t, ac, path+"/decide", url.Values{"outcome": {"approve"}})
		if status != http.StatusConflict || !strings.Contains(doc.Text(), "already decided") {
			t.Errorf("second decision: %d, want 409 with the notice\n%s", status, doc.TextOf("main"))
		}
		if !doc.Has(".ce-state") {
			t.Error("the second decision got an error page, not the submission's page")
		}

		status, _, doc = a.PostPage(t, ac, path+"/reverse", url.Values{"reversal_reason": {"  "}})
		if status != http.StatusUnprocessableEntity || doc.TextOf("#reversal_reason-error") == "" {
			t.Errorf("reversal without a reason: %d, error %q", status, doc.TextOf("#reversal_reason-error"))
		}
		if status, _, _ := a.PostPage(t, rc, path+"/reverse", url.Values{"reversal_reason": {"Wrong"}}); status != http.StatusForbidden {
			t.Errorf("a reviewer's reversal: %d, want 403", status)
		}
		status, loc, _ = a.PostPage(t, ac, path+"/reverse", url.Values{"reversal_reason": {"The talk was cancelled."}})
		if status != http.StatusSeeOther {
			t.Fatalf("reversal: %d", status)
		}
		if got := a.GetPage(t, ac, loc, http.StatusOK).TextOf(".ce-state"); got != "Denied" {
			t.Errorf("state after the reversal %q", got)
		}

		sc := demoStaffClient(t, a, "scheduler")
		if a.GetPage(t, sc, "/console", http.StatusOK).Has(`a[href="/console/ce"]`) {
			t.Error("the scheduler sees the review queue's link")
		}
		for _, p := range []string{"/console/ce", path} {
			if resp := a.Get(t, sc, p); resp.StatusCode != http.StatusForbidden {
				t.Errorf("scheduler GET %s: %d, want 403", p, resp.StatusCode)
			}
		}
		if status, _, _ := a.PostPage(t, sc, path+"/decide", url.Values{"outcome": {"approve"}}); status != http.StatusForbidden {
			t.Errorf("scheduler decision: %d, want 403", status)
		}
		if status, _, _ := a.PostPage(t, sc, path+"/assign", url.Values{"reviewer": {admin}}); status != http.StatusForbidden {
			t.Errorf("scheduler assignment: %d, want 403", status)
		}
	})
}

// TestConsoleCEEvidenceByScanState: a file still being scanned has no
// link and does not open; an unscanned one links to a warning that must
// be confirmed before the file is sent; a quarantined one says so and
// never opens (SECURITY: uploads served to staff only as the scan allows).
func TestConsoleCEEvidenceByScanState(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, _, _ := centerAdmin(t, engine)
		rc := demoStaffClient(t, a, "ce_reviewer")
		queue := a.GetPage(t, rc, "/console/ce", http.StatusOK)
		links := queue.Values(".ce-queue a[href^='/console/ce/submissions/']", "href")
		if len(links) == 0 {
			t.Fatal("no submission in the queue")
		}
		path := links[0]
		ids := a.GetPage(t, rc, path, http.StatusOK).Values(".ce-evidence", "id")
		if len(ids) != 1 {
			t.Fatalf("evidence items %v, want one", ids)
		}
		upload := strings.TrimPrefix(ids[0], "evidence-")
		file := path + "/evidence/" + upload
		// The demo's files are scanned by a job after the start; the
		// states below are set once the scanner is done with this one.
		waitScanned(t, a, upload)

		setScan(t, a, upload, "pending")
		page := a.GetPage(t, rc, path, http.StatusOK)
		if page.Has(".ce-evidence a") || !strings.Contains(page.TextOf(".ce-evidence"), "Waiting for the malware scan") {
			t.Errorf("a pending file: %q, links %v", page.TextOf(".ce-evidence"), page.Values(".ce-evidence a", "href"))
		}
		if resp := a.Get(t, rc, file+"?confirm=1"); resp.StatusCode != http.StatusConflict || strings.HasPrefix(apptest.Body(t, resp), "%PDF") {
			t.Errorf("a pending file opened: %d", resp.StatusCode)
		}

		setScan(t, a, upload, "unscanned")
		page = a.GetPage(t, rc, path, http.StatusOK)
		if got := page.Values(".ce-evidence a", "href"); len(got) != 1 || got[0] != file {
			t.Errorf("an unscanned file links %v, want %s", got, file)
		}
		warn := a.GetPage(t, rc, file, http.StatusOK)
		if !warn.Has(".ce-evidence-warning") || warn.AttrOf("form input[name=confirm]", "value") != "1" {
			t.Errorf("the unscanned file's warning: %q", warn.TextOf("main"))
		}
		resp := a.Get(t, rc, file+"?confirm=1")
		if body := apptest.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "%PDF") {
			t.Errorf("the confirmed unscanned file: %d %.20q", resp.StatusCode, body)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
			t.Errorf("Content-Disposition %q", cd)
		}

		setScan(t, a, upload, "quarantined")
		page = a.GetPage(t, rc, path, http.StatusOK)
		if page.Has(".ce-evidence a") || !strings.Contains(page.TextOf(".ce-evidence"), "Quarantined") {
			t.Errorf("a quarantined file: %q", page.TextOf(".ce-evidence"))
		}
		resp = a.Get(t, rc, file+"?confirm=1")
		if body := apptest.Body(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "quarantined") {
			t.Errorf("a quarantined file: %d", resp.StatusCode)
		}
	})
}
