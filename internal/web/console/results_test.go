package console

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/web"
	"example.org/certportal/internal/web/webtest"
)

var taken = time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)

// TestResultsQueueActions: an entered result offers confirm and reject, a
// held one release, each only to a viewer who may use the route; a
// refused rejection shows its reason's problem next to the input.
func TestResultsQueueActions(t *testing.T) {
	s := webtest.NewServer(t, Section())
	entered := &portal.AttemptDetail{Attempt: portal.Attempt{ID: 7, State: portal.AttemptEntered, ExamCode: "SAA-C03", TakenAt: taken, Score: 800, PassingScore: 720, Passed: true}, FirstName: "Ana", LastName: "Ruiz"}
	held := &portal.AttemptDetail{Attempt: portal.Attempt{ID: 8, State: portal.AttemptHeld, ExamCode: "SAA-C03", TakenAt: taken, HoldReason: "Irregularity report"}}
	f := web.NewForm()
	f.SetError("reason", "Give a reason.")
	p := &consoleResultsPage{Awaiting: []*portal.AttemptDetail{entered, held}, Zone: time.UTC, Forms: map[int64]*web.Form{7: f}}
	doc := webtest.RenderAs(t, s, "/console/results", "en", "console_results", "console.results.title", p, webtest.MayAll)
	if got := doc.Values("#result-7 form", "action"); strings.Join(got, " ") != "/console/results/7/confirm /console/results/7/reject" {
		t.Errorf("entered actions %v", got)
	}
	if got := doc.Values("#result-8 form", "action"); strings.Join(got, " ") != "/console/results/8/release" {
		t.Errorf("held actions %v", got)
	}
	if got := doc.TextOf("#reason-7-error"); got != "Give a reason." {
		t.Errorf("reason error %q", got)
	}
	if got := doc.AttrOf("#reason-7", "aria-describedby"); got != "reason-7-error" {
		t.Errorf("reason input described by %q", got)
	}
	none := webtest.RenderAs(t, s, "/console/results", "en", "console_results", "console.results.title",
		&consoleResultsPage{Awaiting: []*portal.AttemptDetail{entered, held}, Zone: time.UTC}, webtest.MayNone)
	if n := none.Count("form[action^='/console/results/']"); n != 0 {
		t.Errorf("a viewer without the permission sees %d actions", n)
	}
	// The officer who entered a result is offered no confirmation (a
	// second officer confirms it), only the reason why; rejecting stays.
	officer := int64(42)
	own := *entered
	own.EnteredBy = &officer
	mine := &consoleResultsPage{Awaiting: []*portal.AttemptDetail{&own}, Zone: time.UTC}
	mine.User = &portal.User{ID: officer}
	doc = webtest.RenderAs(t, s, "/console/results", "en", "console_results", "console.results.title", mine, webtest.MayAll)
	if got := doc.Values("#result-7 form", "action"); strings.Join(got, " ") != "/console/results/7/reject" {
		t.Errorf("actions on one's own entry %v", got)
	}
	if got := doc.TextOf("#result-7 .entered-by-you"); got != "A second results officer must confirm this result: you entered it." {
		t.Errorf("note on one's own entry %q", got)
	}
	page := &consoleResultPage{Attempt: &own, Zone: time.UTC, Form: web.NewForm(), Correction: web.NewForm()}
	page.User = &portal.User{ID: officer}
	doc = webtest.RenderAs(t, s, "/console/results/7", "en", "console_result", "console.results.result_title", page, webtest.MayAll)
	if doc.Has("form[action='/console/results/7/confirm']") || !doc.Has(".entered-by-you") {
		t.Errorf("the result page offers its own officer a confirmation")
	}
}

// TestResultEntryErrorsNextToFields: the service's field names reach the
// entry form's inputs (a login ID or an email is the candidate field).
func TestResultEntryErrorsNextToFields(t *testing.T) {
	s := webtest.NewServer(t, Section())
	refusal := &portal.Error{Code: portal.EInvalid, Message: "error.invalid", Fields: []portal.FieldError{
		{Field: results.FieldLogin, Message: "console.results.error.delivered_at_format"},
		{Field: results.FieldScore, Message: "console.results.field.score_hint"},
	}}
	p := &consoleResultEntryPage{Form: web.NewForm(), Zone: time.UTC}
	r := web.WithLang(httptest.NewRequest("POST", "/console/results", nil), "en")
	s.FillBase(r, &p.BasePage, "console.results.entry_title")
	if !s.ApplyError(&p.BasePage, p.Form, renameFields(refusal, entryFieldNames), "candidate") {
		t.Fatal("not a form error")
	}
	w := httptest.NewRecorder()
	if err := s.Render(w, r, 422, "console_result_new", p); err != nil {
		t.Fatal(err)
	}
	doc := testutil.ParseHTML(t, w.Body.String())
	if got := doc.TextOf("#candidate-error"); !strings.HasPrefix(got, "Enter the date") {
		t.Errorf("candidate error %q", got)
	}
	if got := doc.TextOf("#score-error"); got != "A whole number from 100 to 1000." {
		t.Errorf("score error %q", got)
	}
	if got := doc.Values(".error-summary a", "href"); strings.Join(got, " ") != "#candidate #score" {
		t.Errorf("summary links %v", got)
	}
	var pe *portal.Error
	if !errors.As(renameFields(refusal, entryFieldNames), &pe) || pe.Fields[0].Field != "candidate" || refusal.Fields[0].Field != results.FieldLogin {
		t.Error("renameFields must rename a copy, leaving the service's error as it was")
	}
}

func TestParseBands(t *testing.T) {
	got := parseBands("Design | meets\r\n\r\nMigrate | Needs  Improvement\nCost|needs_improvement\nNo bar\n")
	want := []results.DomainBand{{Name: "Design", Band: "meets"}, {Name: "Migrate", Band: "needs_improvement"},
		{Name: "Cost", Band: "needs_improvement"}, {Name: "No bar", Band: ""}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if text := bandsText([]portal.DomainResult{{Name: "Design", Band: "meets"}}); text != "Design | meets" {
		t.Errorf("bandsText = %q", text)
	}
}
