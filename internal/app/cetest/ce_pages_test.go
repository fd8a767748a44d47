// Package cetest drives the candidate's continuing-education pages over
// HTTP against the real application with its demo data, on both engines.
package cetest

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// certifiedRe finds the demo holder with continuing education.
var certifiedRe = regexp.MustCompile(`certified\s+email (\S+)\s+password (\S+)`)

// signInHolder starts the demo and signs in its certified candidate.
func signInHolder(t *testing.T, engine string) (*apptest.App, *http.Client) {
	t.Helper()
	a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
	m := certifiedRe.FindStringSubmatch(a.Stdout())
	if m == nil {
		t.Fatalf("no certified demo account in:\n%s", a.Stdout())
	}
	c, _ := a.SignIn(t, m[1], m[2])
	return a, c
}

type file struct {
	name string
	body []byte
}

// postMultipart sends fields (name, value pairs, repeatable) and files
// (in the field "evidence") to path and returns the status, the Location
// and the body.
func postMultipart(t *testing.T, a *apptest.App, c *http.Client, path string, fields [][2]string, files ...file) (int, string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile("evidence", f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(f.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, a.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", a.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), apptest.Body(t, resp)
}

// documentationReview is the form of a 95-minute documentation review
// completed days ago.
func documentationReview(a *apptest.App, title string, daysAgo int) [][2]string {
	return [][2]string{{"type", "documentation_review"}, {"title", title},
		{"completed_on", a.Clock.Now().AddDate(0, 0, -daysAgo).Format(time.DateOnly)}, {"duration", "95"}}
}

// historyRows is how many submissions the history lists.
func historyRows(t *testing.T, a *apptest.App, c *http.Client) int {
	t.Helper()
	return a.GetPage(t, c, "/ce/history", http.StatusOK).Count("table.ce-history tbody tr")
}

// TestCEPagesRenderForTheDemoHolder: the continuing-education page shows
// each certification's standing (expiry, days left, approved and pending
// credits apart, what is still needed, a progress bar with its value in
// text, the breakdown chart with its table), the decision time and links
// to submit and to the history; the history names the deciding role and
// the reason; the CSV has the translated header; a submission shows its
// evidence with a download; the form shows the chosen type's rule.
func TestCEPagesRenderForTheDemoHolder(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, c := signInHolder(t, engine)

		ce := a.GetPage(t, c, "/ce", http.StatusOK)
		if got := ce.TextOf(".ce-timing"); got != "Decisions usually take 2–4 weeks." {
			t.Errorf("timing = %q", got)
		}
		if ce.Count("li.ce-cert") == 0 {
			t.Fatal("no certification on /ce")
		}
		cert := ce.First("li.ce-cert")
		for _, sel := range []string{".ce-expires", ".ce-approved", ".ce-pending", ".ce-needed", ".ce-missing", ".ce-progress-text"} {
			if cert.TextOf(sel) == "" {
				t.Errorf("%s is empty", sel)
			}
		}
		if !strings.Contains(cert.TextOf(".ce-expires"), "days left") {
			t.Errorf("expiry = %q, want the days left", cert.TextOf(".ce-expires"))
		}
		if !strings.Contains(cert.TextOf(".ce-pending"), "not counted yet") {
			t.Errorf("pending = %q", cert.TextOf(".ce-pending"))
		}
		if _, ok := cert.First("progress").Attr("value"); !ok {
			t.Error("no progress bar value")
		}
		if cert.Count("table.ce-breakdown tbody tr") == 0 || cert.Count(".ce-chart .ce-bar") != cert.Count("table.ce-breakdown tbody tr") {
			t.Errorf("breakdown: %d bars, %d table rows", cert.Count(".ce-chart .ce-bar"), cert.Count("table.ce-breakdown tbody tr"))
		}
		if ce.AttrOf(".ce-actions a.button", "href") != "/ce/submit" {
			t.Error("no link to submit")
		}

		hist := a.GetPage(t, c, "/ce/history", http.StatusOK)
		rows := hist.Find("table.ce-history tbody tr")
		if len(rows) < 4 {
			t.Fatalf("history has %d rows, want the demo's 4", len(rows))
		}
		states := map[string]*testutil.HTMLNode{}
		for _, r := range rows {
			states[r.TextOf(".ce-state")] = r
		}
		denied := states["Denied"]
		if denied == nil {
			t.Fatalf("no denied row among %v", hist.Texts(".ce-state"))
		}
		if denied.TextOf(".ce-role") == "" || !strings.Contains(denied.TextOf(".ce-reason"), "A sales event is not technical learning.") {
			t.Errorf("denied row: role %q reason %q", denied.TextOf(".ce-role"), denied.TextOf(".ce-reason"))
		}
		if p := states["Partly approved"]; p == nil || p.TextOf(".ce-granted") != "1" {
			t.Errorf("partial row granted missing among %v", hist.Texts(".ce-state"))
		}

		resp := a.Get(t, c, "/ce/history.csv")
		body := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		lines := strings.Split(strings.TrimSpace(body), "\n")
		if len(lines) != len(rows)+1 || !strings.Contains(lines[0], "Title") {
			t.Errorf("csv has %d lines (want %d), header %q", len(lines), len(rows)+1, lines[0])
		}

		link, _ := denied.First("a").Attr("href")
		sub := a.GetPage(t, c, link, http.StatusOK)
		if sub.Count("ul.ce-evidence li") != 1 || sub.TextOf(".ce-file-notice") == "" {
			t.Fatalf("evidence: %q", sub.TextOf("ul.ce-evidence"))
		}
		if sub.Count(`form[action$="/appeal"]`) != 1 {
			t.Error("a denied submission offers no appeal")
		}
		dl := a.Get(t, c, sub.AttrOf("ul.ce-evidence a", "href"))
		pdf := apptest.Body(t, dl)
		if dl.StatusCode != http.StatusOK || dl.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF") {
			t.Errorf("evidence download: %d %s", dl.StatusCode, dl.Header.Get("Content-Type"))
		}

		form := a.GetPage(t, c, "/ce/submit?type=documentation_review", http.StatusOK)
		if got := form.TextOf(".ce-rule-text"); !strings.Contains(got, "0.25 credits per 15 minutes") || !strings.Contains(got, "At most 4 credits") {
			t.Errorf("rule = %q", got)
		}
		if !form.Has("form.ce-submit-form input#duration") {
			t.Error("the per-unit rule asks no duration")
		}
	})
}

// TestCESubmitRefusesARenamedHTMLFile: an HTML file named .pdf is refused
// by the upload pipeline; its message sits by the files field and in the
// summary, and nothing is saved.
func TestCESubmitRefusesARenamedHTMLFile(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, c := signInHolder(t, engine)
		before := historyRows(t, a, c)
		status, _, body := postMultipart(t, a, c, "/ce/submit", documentationReview(a, "Renamed page", 3),
			file{"notes.pdf", []byte("<!doctype html><html><body>not a pdf</body></html>")})
		if status != http.StatusUnprocessableEntity && status != http.StatusBadRequest {
			t.Fatalf("status %d, want a refusal\n%s", status, body)
		}
		doc := testutil.ParseHTML(t, body)
		msg := doc.TextOf("#evidence-error")
		if !strings.HasPrefix(msg, "“notes.pdf” is not really a") {
			t.Fatalf("message by the files field = %q, want the pipeline's refusal of the content\n%s", msg, doc.TextOf("main"))
		}
		if !strings.Contains(doc.TextOf(".error-summary"), msg) || doc.AttrOf(".error-summary a", "href") != "#evidence" {
			t.Errorf("summary %q does not lead to the files field", doc.TextOf(".error-summary"))
		}
		if doc.Count("input[name=kept]") != 0 {
			t.Error("a refused file is kept")
		}
		if got := doc.AttrOf("input#title", "value"); got != "Renamed page" {
			t.Errorf("title not kept: %q", got)
		}
		if after := historyRows(t, a, c); after != before {
			t.Errorf("history went from %d to %d rows", before, after)
		}
	})
}

// TestCESubmitDocumentationReviewThenWithdraw: a 95-minute documentation
// review with a PDF claims 1.5 credits; the submission page says so with
// the notice and the expected date; a refused sending before it keeps the
// accepted file by ID so it need not be chosen again; withdrawing ends it.
func TestCESubmitDocumentationReviewThenWithdraw(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, c := signInHolder(t, engine)

		// Without a title: refused by the service, the file kept.
		fields := documentationReview(a, "", 2)
		status, _, body := postMultipart(t, a, c, "/ce/submit", fields, file{"review.pdf", testutil.OnePagePDF("Reading notes")})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", status)
		}
		doc := testutil.ParseHTML(t, body)
		if doc.TextOf("#title-error") == "" {
			t.Fatalf("no message by the title: %s", doc.TextOf("main"))
		}
		kept := doc.Values("input[name=kept]", "value")
		if len(kept) != 1 || !strings.Contains(doc.TextOf("ul.ce-kept"), "review.pdf") {
			t.Fatalf("kept files %v %q", kept, doc.TextOf("ul.ce-kept"))
		}

		fields = append(documentationReview(a, "Well-architected reliability pillar", 2), [2]string{"kept", kept[0]}, [2]string{"kept_name", "review.pdf"})
		status, loc, body := postMultipart(t, a, c, "/ce/submit", fields)
		if status != http.StatusSeeOther || !strings.HasSuffix(loc, "?notice=ce_submitted") {
			t.Fatalf("submit: %d %q\n%s", status, loc, body)
		}
		page := a.GetPage(t, c, loc, http.StatusOK)
		if got := page.TextOf(".ce-claimed"); got != "1.5" {
			t.Errorf("claimed = %q, want 1.5", got)
		}
		if got := page.TextOf(".ce-state"); got != "Waiting for review" {
			t.Errorf("state = %q", got)
		}
		if page.TextOf(".ce-expected") == "" || page.TextOf(".notice") == "" {
			t.Errorf("expected date %q, notice %q", page.TextOf(".ce-expected"), page.TextOf(".notice"))
		}
		if page.Count("ul.ce-evidence li") != 1 {
			t.Errorf("evidence: %q", page.TextOf("ul.ce-evidence"))
		}

		path := strings.TrimSuffix(loc, "?notice=ce_submitted")
		action := page.AttrOf("form.ce-withdraw", "action")
		if action != path+"/withdraw" {
			t.Fatalf("withdraw form action %q", action)
		}
		status, loc, _ = postMultipart(t, a, c, action, nil)
		if status != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", status)
		}
		page = a.GetPage(t, c, loc, http.StatusOK)
		if got := page.TextOf(".ce-state"); got != "Withdrawn" || page.Has("form.ce-withdraw") {
			t.Errorf("after withdrawing: state %q, withdraw form %v", got, page.Has("form.ce-withdraw"))
		}
	})
}

// TestCEDuplicateWarningAndDraft: the same type, title and date as a live
// submission shows the duplicate warning with a confirm box and keeps the
// file; sent again confirmed it goes through. "Save as draft" keeps a form
// with only a type and a title, listed on the continuing-education page.
func TestCEDuplicateWarningAndDraft(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, c := signInHolder(t, engine)
		fields := documentationReview(a, "Storage lens guide", 4)
		if status, _, body := postMultipart(t, a, c, "/ce/submit", fields, file{"one.pdf", testutil.OnePagePDF("First")}); status != http.StatusSeeOther {
			t.Fatalf("first: %d\n%s", status, body)
		}
		status, _, body := postMultipart(t, a, c, "/ce/submit", fields, file{"two.pdf", testutil.OnePagePDF("Second")})
		if status != http.StatusConflict {
			t.Fatalf("duplicate: %d, want 409", status)
		}
		doc := testutil.ParseHTML(t, body)
		if doc.TextOf("#confirm_duplicate-error") == "" || !doc.Has("input#confirm_duplicate[type=checkbox]") {
			t.Fatalf("no duplicate warning with its confirm box: %s", doc.TextOf("main"))
		}
		kept := doc.Values("input[name=kept]", "value")
		if len(kept) != 1 {
			t.Fatalf("kept %v", kept)
		}
		fields = append(fields, [2]string{"kept", kept[0]}, [2]string{"confirm_duplicate", "on"})
		if status, loc, body := postMultipart(t, a, c, "/ce/submit", fields); status != http.StatusSeeOther || !strings.Contains(loc, "notice=ce_submitted") {
			t.Fatalf("confirmed: %d %q\n%s", status, loc, body)
		}

		draft := [][2]string{{"type", "conference_talk"}, {"title", "Talk on queues"}, {"action", "draft"}}
		status, loc, body := postMultipart(t, a, c, "/ce/submit", draft)
		if status != http.StatusSeeOther || !strings.Contains(loc, "notice=ce_draft_saved") {
			t.Fatalf("draft: %d %q\n%s", status, loc, body)
		}
		if got := a.GetPage(t, c, loc, http.StatusOK).TextOf(".ce-state"); got != "Draft" {
			t.Errorf("draft state %q", got)
		}
		if got := a.GetPage(t, c, "/ce", http.StatusOK).TextOf("ul.ce-drafts"); !strings.Contains(got, "Talk on queues") {
			t.Errorf("drafts listed: %q", got)
		}
	})
}

// TestCEAppealAfterADenial: a denial is appealed once with a comment and a
// new file; an appeal without a comment keeps its file, which can be left
// out again by its box; an appeal without a file is refused by the files
// field of the appeal form; once appealed no second appeal is offered. Another
// candidate cannot see the submission.
func TestCEAppealAfterADenial(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, c := signInHolder(t, engine)
		hist := a.GetPage(t, c, "/ce/history", http.StatusOK)
		var link string
		for _, r := range hist.Find("table.ce-history tbody tr") {
			if r.TextOf(".ce-state") == "Denied" {
				link, _ = r.First("a").Attr("href")
			}
		}
		if link == "" {
			t.Fatal("no denied submission in the demo")
		}
		// Without a comment: refused by the comment, the file kept with a
		// box to leave it out.
		status, _, body := postMultipart(t, a, c, link+"/appeal", nil, file{"agenda.pdf", testutil.OnePagePDF("Agenda")})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("appeal without a comment: %d", status)
		}
		doc := testutil.ParseHTML(t, body)
		kept := doc.AttrOf(`form[action$="/appeal"] input[name=kept]`, "value")
		if doc.TextOf("#appeal_note-error") == "" || kept == "" || !doc.Has("input#appeal-remove-"+kept+"[type=checkbox][name=remove]") {
			t.Fatalf("appeal without a comment: no error by the comment or no kept file with its box:\n%s", doc.TextOf("main"))
		}
		if got := doc.TextOf("label[for=appeal-remove-" + kept + "]"); got != "Remove agenda.pdf" {
			t.Errorf("the remove box is labelled %q", got)
		}
		comment := [][2]string{{"appeal_note", "The breakfast had a technical keynote; the agenda is attached."}}
		keptFields := append(comment, [2]string{"kept", kept}, [2]string{"kept_name", "agenda.pdf"})
		// The kept file removed leaves the appeal without a file.
		status, _, body = postMultipart(t, a, c, link+"/appeal", append(keptFields, [2]string{"remove", kept}))
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("appeal with its only file removed: %d", status)
		}
		doc = testutil.ParseHTML(t, body)
		if doc.TextOf("#appeal_evidence-error") == "" || doc.AttrOf("textarea#appeal_note", "name") != "appeal_note" || doc.TextOf("textarea#appeal_note") != comment[0][1] || doc.Has("ul.ce-kept") {
			t.Fatalf("appeal refusal not by its field, or the removed file still kept: %s", doc.TextOf("main"))
		}
		// The kept file sent again, without choosing it again.
		status, loc, body := postMultipart(t, a, c, link+"/appeal", keptFields)
		if status != http.StatusSeeOther || !strings.Contains(loc, "notice=ce_appealed") {
			t.Fatalf("appeal: %d %q\n%s", status, loc, body)
		}
		page := a.GetPage(t, c, loc, http.StatusOK)
		if got := page.TextOf(".ce-state"); got != "Appeal under review" || page.Has(`form[action$="/appeal"]`) {
			t.Errorf("after the appeal: state %q, appeal form %v", got, page.Has(`form[action$="/appeal"]`))
		}
		if !strings.Contains(page.TextOf("main"), "agenda.pdf") {
			t.Errorf("the appeal's kept file is not among the evidence:\n%s", page.TextOf("main"))
		}

		other := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		oc, _ := a.SignIn(t, other[1], other[2])
		a.GetPage(t, oc, link, http.StatusNotFound)
	})
}

// TestCETranscriptDownload: the demo holder follows "Download PDF" from
// /ce and from /ce/history to a signed PDF attachment (pdfsig reports it
// valid) whose text shows the totals per certification and every
// submitted activity with its decision; a second download, and the
// API's, is the same file; signed out there is none.
func TestCETranscriptDownload(t *testing.T) {
	testutil.Tool(t, "pdfsig", "poppler-utils")
	testutil.Tool(t, "pdftotext", "poppler-utils")
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, c := signInHolder(t, engine)
		link := a.GetPage(t, c, "/ce", http.StatusOK).AttrOf(".ce-actions a.ce-transcript", "href")
		hist := a.GetPage(t, c, "/ce/history", http.StatusOK)
		if link != "/ce/transcript.pdf" || hist.AttrOf("a.ce-transcript", "href") != link {
			t.Fatalf("links: /ce %q, /ce/history %q", link, hist.AttrOf("a.ce-transcript", "href"))
		}
		if got := hist.TextOf("a.ce-transcript"); got != "Download PDF" {
			t.Errorf("link text = %q", got)
		}
		resp := a.Get(t, c, link)
		body := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename=ce-transcript-CE`) ||
			resp.Header.Get("Cache-Control") != "private, no-store" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
		}
		path := testutil.WriteTemp(t, "ce-transcript.pdf", []byte(body))
		if out := testutil.RunTool(t, "pdfsig", path); !strings.Contains(out, "Signature Validation: Signature is Valid.") {
			t.Errorf("pdfsig:\n%s", out)
		}
		text := testutil.RunTool(t, "pdftotext", path, "-")
		for _, want := range []string{"Continuing education transcript", "Totals per certification", "Approved", "Still needed",
			"Designing resilient architectures", "Well-architected whitepaper", "Partly approved", "Vendor sales breakfast", "Denied",
			"Talk: serverless at scale", "Waiting for review", "Credits granted in all:"} {
			if !strings.Contains(text, want) {
				t.Errorf("the transcript lacks %q:\n%s", want, text)
			}
		}
		again := a.Get(t, c, link)
		if b := apptest.Body(t, again); b != body {
			t.Error("a second download differs from the first")
		}
		api := a.Get(t, c, "/api/v1/me/ce-transcript.pdf")
		if b := apptest.Body(t, api); api.StatusCode != http.StatusOK || b != body {
			t.Errorf("the API's download: %d, same file %v", api.StatusCode, b == body)
		}
		out := a.Get(t, a.Client(), link)
		_ = apptest.Body(t, out)
		if out.StatusCode == http.StatusOK {
			t.Errorf("signed out: GET %s = %d", link, out.StatusCode)
		}
	})
}
