package consoletest

import (
	"mime"
	"net/http"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestDevMailboxShowsHTMLAndAttachments: the console's development mailbox
// shows a message's HTML part in a sandboxed frame (scripts off, links
// working in a new tab) served under a strict policy, and offers its
// attachments (the booking confirmation's calendar file) for download.
func TestDevMailboxShowsHTMLAndAttachments(t *testing.T) {
	a := apptest.Start(t, store.SQLite, apptest.WithArgs("--demo"))
	cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
	admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
	cc, _ := a.SignIn(t, cand[1], cand[2])
	a.BookDemoSeat(t, cc)
	ac, _ := a.SignIn(t, admin[1], admin[2])
	a.EnrolTOTP(t, ac, true)

	// The confirmation leaves through the job queue.
	var href string
	for deadline := time.Now().Add(20 * time.Second); href == "" && time.Now().Before(deadline); {
		list := testutil.ParseHTML(t, apptest.Body(t, a.Get(t, ac, "/console/mail")))
		for _, link := range list.Find("table tbody td a") {
			if strings.Contains(link.Text(), "Exam confirmed") {
				href, _ = link.Attr("href")
			}
		}
	}
	if href == "" {
		t.Fatal("no confirmation in the development mailbox")
	}

	resp := a.Get(t, ac, href)
	page := testutil.ParseHTML(t, apptest.Body(t, resp))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", href, resp.StatusCode)
	}
	frame := page.First("iframe.mail-html")
	if frame == nil {
		t.Fatal("the message page has no frame for the HTML part")
	}
	src, _ := frame.Attr("src")
	sandbox, hasSandbox := frame.Attr("sandbox")
	if src != href+"/html" || !hasSandbox || strings.Contains(sandbox, "allow-scripts") || strings.Contains(sandbox, "allow-same-origin") {
		t.Errorf("frame src=%q sandbox=%q (present %v), want %s/html sandboxed without scripts", src, sandbox, hasSandbox, href)
	}
	if title, _ := frame.Attr("title"); title == "" {
		t.Error("the frame has no title")
	}
	ics := page.First(`ul.mail-attachments a[href="` + href + `/attachments/1"]`)
	if ics == nil || !strings.HasSuffix(ics.Text(), ".ics") {
		t.Fatalf("no download link of the calendar file; attachments: %q", page.Texts("ul.mail-attachments li"))
	}

	// The HTML part: the mail as sent, links opening in a new tab, under
	// a policy without scripts that only the console may frame.
	resp = a.Get(t, ac, src)
	raw := apptest.Body(t, resp)
	part := testutil.ParseHTML(t, raw)
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "sandbox", "frame-ancestors 'self'", "form-action 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("HTML part CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "script-src") || strings.Contains(csp, "allow-scripts") {
		t.Errorf("HTML part CSP allows scripts: %q", csp)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("HTML part: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if target, _ := part.First("head base").Attr("target"); target != "_blank" {
		t.Errorf("HTML part: base target %q, want _blank", target)
	}
	if links := part.Find(`a[href^="http"]`); len(links) == 0 {
		t.Error("HTML part has no links")
	}
	if part.First("h1, p") == nil || !strings.Contains(part.Text(), "Dana") {
		t.Errorf("HTML part is not the mail:\n%.500s", raw)
	}

	// The attachment downloads as a file.
	resp = a.Get(t, ac, href+"/attachments/1")
	file := apptest.Body(t, resp)
	disp, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if resp.StatusCode != http.StatusOK || disp != "attachment" || !strings.HasSuffix(params["filename"], ".ics") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") || !strings.HasPrefix(file, "BEGIN:VCALENDAR") {
		t.Errorf("attachment: %d %q %q\n%.200s", resp.StatusCode, resp.Header.Get("Content-Disposition"), resp.Header.Get("Content-Type"), file)
	}
	for _, path := range []string{href + "/attachments/0", href + "/attachments/2", href + "/attachments/x"} {
		if resp := a.Get(t, ac, path); resp.StatusCode != http.StatusNotFound {
			_ = apptest.Body(t, resp)
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		} else {
			_ = apptest.Body(t, resp)
		}
	}
	// A candidate sees none of it.
	for _, path := range []string{href, src, href + "/attachments/1"} {
		resp := a.Get(t, cc, path)
		if _ = apptest.Body(t, resp); resp.StatusCode == http.StatusOK {
			t.Errorf("candidate GET %s = 200", path)
		}
	}
}
