package consoletest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestResultsPagesForACandidate: a signed-in candidate reaches the exam
// history, the certifications and the benefits from the navigation, and
// the API lists the same attempts and certifications; a score report that
// does not exist is not found on both surfaces.
func TestResultsPagesForACandidate(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, _, cand := centerAdmin(t, engine)
		c, _ := a.SignIn(t, cand[1], cand[2])

		dash := a.GetPage(t, c, "/dashboard", http.StatusOK)
		nav := strings.Join(dash.Values("nav.main-nav a", "href"), " ")
		for _, want := range []string{"/history", "/certifications", "/benefits"} {
			if !strings.Contains(nav, want) {
				t.Errorf("navigation %q lacks %s", nav, want)
			}
		}
		for _, path := range []string{"/history", "/certifications", "/benefits"} {
			doc := a.GetPage(t, c, path, http.StatusOK)
			if got := doc.AttrOf("nav.main-nav a[aria-current=page]", "href"); got != path {
				t.Errorf("%s: current navigation item %q", path, got)
			}
			if h := doc.TextOf("h1"); h == "" || strings.HasPrefix(h, "[") {
				t.Errorf("%s: heading %q", path, h)
			}
		}
		a.GetPage(t, c, "/history/999999", http.StatusNotFound)

		for _, path := range []string{"/api/v1/me/attempts", "/api/v1/me/certifications"} {
			if r := a.API(t, c, http.MethodGet, path, ""); r.Status != http.StatusOK {
				t.Errorf("%s: %d\n%s", path, r.Status, r.Raw)
			}
		}
		if r := a.API(t, c, http.MethodGet, "/api/v1/me/attempts/999999", ""); r.Status != http.StatusNotFound {
			t.Errorf("another's or a missing score report: %d", r.Status)
		}
		if r := a.API(t, c, http.MethodGet, "/api/v1/results/awaiting", ""); r.Status != http.StatusForbidden {
			t.Errorf("a candidate reads the results queue: %d", r.Status)
		}
	})
}

// TestConsoleResultEntry: an admin enters a result in the console; a bad
// form shows its errors next to the fields with the values kept; a good
// one waits in the queue for a second officer, and the one who entered it
// cannot confirm it; the API's queue lists it.
func TestConsoleResultEntry(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, cand := centerAdmin(t, engine)

		form := a.GetPage(t, ac, "/console/results/new", http.StatusOK)
		for _, name := range []string{"candidate", "exam_code", "booking_reference", "delivered_at", "score", "domains"} {
			if !form.Has("label[for=" + name + "]") {
				t.Errorf("entry form lacks the %s field", name)
			}
		}

		bad := url.Values{"candidate": {cand[1]}, "exam_code": {"SAA-C03"}, "delivered_at": {"yesterday"}, "score": {"1200"}}
		status, _, doc := a.PostPage(t, ac, "/console/results", bad)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("bad entry: %d", status)
		}
		if doc.TextOf("#delivered_at-error") == "" || doc.AttrOf("#candidate", "value") != cand[1] {
			t.Errorf("bad entry: delivered_at error %q, candidate kept %q", doc.TextOf("#delivered_at-error"), doc.AttrOf("#candidate", "value"))
		}
		bad.Set("delivered_at", "2026-11-20T10:00")
		status, _, doc = a.PostPage(t, ac, "/console/results", bad)
		if status != http.StatusUnprocessableEntity || doc.TextOf("#score-error") == "" {
			t.Errorf("score 1200: %d, error %q", status, doc.TextOf("#score-error"))
		}

		good := url.Values{"candidate": {cand[1]}, "exam_code": {"SAA-C03"}, "delivered_at": {"2026-11-20T10:00"}, "score": {"780"}}
		status, loc, _ := a.PostPage(t, ac, "/console/results", good)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/results/") {
			t.Fatalf("entry: %d %s", status, loc)
		}
		result := strings.SplitN(strings.TrimPrefix(loc, "/console/results/"), "?", 2)[0]
		show := a.GetPage(t, ac, "/console/results/"+result, http.StatusOK)
		if got := show.TextOf(".result-state"); got != "Awaiting confirmation" {
			t.Errorf("entered result state %q", got)
		}
		queue := a.GetPage(t, ac, "/console/results", http.StatusOK)
		if !queue.Has("#result-" + result) {
			t.Errorf("the queue lacks result %s", result)
		}
		resp := a.PostForm(t, ac, "/console/results/"+result+"/confirm", url.Values{"from": {"queue"}})
		_ = apptest.Body(t, resp)
		if resp.StatusCode == http.StatusSeeOther || resp.StatusCode >= 500 {
			t.Errorf("the officer who entered a result confirmed it: %d", resp.StatusCode)
		}
		if r := a.API(t, ac, http.MethodGet, "/api/v1/results/awaiting", ""); r.Status != http.StatusOK || !strings.Contains(r.Raw, `"state":"entered"`) {
			t.Errorf("API queue: %d\n%s", r.Status, r.Raw)
		}
	})
}

// TestConsoleCertificationCatalogue: an admin lists the catalogue, opens
// the form of a new certification and sees a refused form's errors next
// to its fields, never a server error.
func TestConsoleCertificationCatalogue(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, _ := centerAdmin(t, engine)
		list := a.GetPage(t, ac, "/console/certifications", http.StatusOK)
		if got := list.AttrOf("nav.main-nav a[aria-current=page]", "href"); got != "/console/certifications" {
			t.Errorf("current navigation item %q", got)
		}
		form := a.GetPage(t, ac, "/console/certifications/new", http.StatusOK)
		if form.AttrOf("#validity_months", "value") != "36" {
			t.Errorf("a new certification's validity is %q, want 36", form.AttrOf("#validity_months", "value"))
		}
		status, _, doc := a.PostPage(t, ac, "/console/certifications", url.Values{"code": {""}, "name": {""}, "kind": {"certification"}, "validity_months": {"0"}})
		if status != http.StatusUnprocessableEntity || !doc.Has(".error-summary") {
			t.Errorf("empty certification: %d", status)
		}
	})
}

// TestExamFormResultsDelay: a new exam's form offers five business days
// of processing delay, and the delay is saved and shown again.
func TestExamFormResultsDelay(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, _ := centerAdmin(t, engine)
		form := a.GetPage(t, ac, "/console/exams/new", http.StatusOK)
		if got := form.AttrOf("#results_delay_days", "value"); got != "5" {
			t.Errorf("new exam delay %q, want 5", got)
		}
		f := examForm("KOP-C02")
		f.Set("results_delay_days", "61")
		status, _, doc := a.PostPage(t, ac, "/console/exams", f)
		if status != http.StatusUnprocessableEntity || doc.TextOf("#results_delay_days-error") == "" {
			t.Errorf("delay 61: %d, error %q", status, doc.TextOf("#results_delay_days-error"))
		}
		f.Set("results_delay_days", "3")
		if status, _, _ := a.PostPage(t, ac, "/console/exams", f); status != http.StatusSeeOther {
			t.Fatalf("create: %d", status)
		}
		list := a.GetPage(t, ac, "/console/exams", http.StatusOK)
		var edit string
		for _, href := range list.Values("a[href^='/console/exams/']", "href") {
			if lbl := list.AttrOf("a[href='"+href+"']", "aria-label"); strings.Contains(lbl, "KOP-C02") {
				edit = href
			}
		}
		if edit == "" {
			t.Fatal("the new exam is not listed")
		}
		if got := a.GetPage(t, ac, edit, http.StatusOK).AttrOf("#results_delay_days", "value"); got != "3" {
			t.Errorf("saved delay %q, want 3", got)
		}
	})
}
