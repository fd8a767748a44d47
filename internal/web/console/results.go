package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/web"
)

// Results in the console: the queue of results awaiting a second officer
// or held under review, the entry form, and a result's page with what may
// be done to it (confirm, reject, hold, release, correct). The results
// service decides who may do what; the route table hides what a viewer
// may not use.

type consoleResultsPage struct {
	web.BasePage
	Awaiting []*portal.AttemptDetail
	Zone     *time.Location
	// Forms hold the reasons typed in the queue, by attempt, with their
	// problems.
	Forms map[int64]*web.Form
}

// reasonField is the reason input of a rejection or a hold.
type reasonField struct {
	ID, Label, Value, Error string
}

// Reason is the reason input of an attempt in the queue.
func (p *consoleResultsPage) Reason(id int64) reasonField {
	f, ok := p.Forms[id]
	if !ok {
		f = web.NewForm()
	}
	return reasonField{ID: reasonFieldID(id), Label: p.T.T("console.results.field.reason", nil), Value: f.Value("reason"), Error: f.Error("reason")}
}

// handleConsoleResults is the queue: results awaiting confirmation and
// results under review.
func (s *Pages) handleConsoleResults(w http.ResponseWriter, r *http.Request) error {
	return s.renderResultsQueue(w, r, http.StatusOK, nil)
}

func (s *Pages) renderResultsQueue(w http.ResponseWriter, r *http.Request, status int, forms map[int64]*web.Form) error {
	list, err := s.Results.Awaiting(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	p := &consoleResultsPage{Awaiting: list, Zone: s.ProgramZone(r), Forms: forms}
	s.FillBase(r, &p.BasePage, "console.results.title")
	for id, f := range forms {
		for _, field := range f.ErrorFields() {
			p.Errors = append(p.Errors, web.SummaryItem{Field: reasonFieldID(id), Message: f.Errors[field]})
		}
	}
	return s.Render(w, r, status, "console_results", p)
}

// enteredBy reports whether the viewer entered the result a: a second
// officer confirms it, so the pages offer the viewer no confirmation (the
// results service refuses it anyway).
func enteredBy(p *web.BasePage, a *portal.AttemptDetail) bool {
	return p.User != nil && a.EnteredBy != nil && *a.EnteredBy == p.User.ID
}

// EnteredByViewer reports whether the viewer entered the queue's result a.
func (p *consoleResultsPage) EnteredByViewer(a *portal.AttemptDetail) bool {
	return enteredBy(&p.BasePage, a)
}

// EnteredByViewer reports whether the viewer entered the page's result.
func (p *consoleResultPage) EnteredByViewer() bool { return enteredBy(&p.BasePage, p.Attempt) }

// reasonFieldID is the ID of an attempt's reason input in the queue.
func reasonFieldID(id int64) string { return "reason-" + strconv.FormatInt(id, 10) }

type consoleResultPage struct {
	web.BasePage
	Attempt *portal.AttemptDetail
	Zone    *time.Location
	// Form is the reason of a hold or a rejection; Correction the
	// correction form.
	Form       *web.Form
	Correction *web.Form
}

// Reason is the reason input of a hold or a rejection.
func (p *consoleResultPage) Reason() reasonField {
	return reasonField{ID: "reason", Label: p.T.T("console.results.field.reason", nil), Value: p.Form.Value("reason"), Error: p.Form.Error("reason")}
}

// DomainsField is the correction's domain bands.
func (p *consoleResultPage) DomainsField() textArea {
	return textArea{web.NewField(p.T, p.Correction, "domains", "textarea", "console.results.field.domains",
		"hint=console.results.field.domains_hint"), 6}
}

// CorrectionReasonField is the correction's reason.
func (p *consoleResultPage) CorrectionReasonField() textArea {
	return textArea{web.NewField(p.T, p.Correction, "correction_reason", "textarea", "console.results.field.correction_reason",
		"hint=console.results.field.correction_reason_hint", "max=2000"), 3}
}

// handleConsoleResult shows one result with its actions.
func (s *Pages) handleConsoleResult(w http.ResponseWriter, r *http.Request) error {
	return s.renderResult(w, r, http.StatusOK, nil, nil)
}

func (s *Pages) renderResult(w http.ResponseWriter, r *http.Request, status int, reason, correction *web.Form) error {
	id, err := attemptID(r)
	if err != nil {
		return err
	}
	a, err := s.Results.Attempt(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	p := &consoleResultPage{Attempt: a, Zone: s.ProgramZone(r), Form: reason, Correction: correction}
	if p.Form == nil {
		p.Form = web.NewForm()
	}
	if p.Correction == nil {
		p.Correction = web.NewForm()
		p.Correction.Values["score"] = strconv.Itoa(a.Score)
		p.Correction.Values["domains"] = bandsText(a.Domains)
	}
	s.FillBase(r, &p.BasePage, "console.results.result_title")
	for _, f := range []*web.Form{p.Form, p.Correction} {
		for _, field := range f.ErrorFields() {
			p.Errors = append(p.Errors, web.SummaryItem{Field: field, Message: f.Errors[field]})
		}
	}
	return s.Render(w, r, status, "console_result", p)
}

// attemptID reads the {id} of the path; anything else is not found.
func attemptID(r *http.Request) (int64, error) { return web.PathID(r) }

// resultAction runs an action on the attempt of the path. Where it goes
// next is the queue when the form came from there, else the result's
// page. A refusal with something to say shows the page again with it
// next to the reason.
func (s *Pages) resultAction(w http.ResponseWriter, r *http.Request, n web.Notice, do func(id int64, reason string) error) error {
	id, err := attemptID(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	fromQueue := r.PostForm.Get("from") == "queue"
	f := web.NewForm()
	f.Values["reason"] = r.PostForm.Get("reason")
	if err := do(id, f.Values["reason"]); err != nil {
		var pe *portal.Error
		if !errors.As(err, &pe) || (pe.Code != portal.EInvalid && pe.Code != portal.EConflict) || (pe.Message == "" && len(pe.Fields) == 0) {
			return err
		}
		loc := s.Catalog.Localizer(web.RequestLang(r))
		if len(pe.Fields) == 0 {
			f.SetError("reason", web.Localize(loc, pe.Message, pe.Data))
		}
		for _, fe := range pe.Fields {
			f.SetError("reason", web.Localize(loc, fe.Message, fe.Data))
		}
		if fromQueue {
			return s.renderResultsQueue(w, r, web.FormStatus(err), map[int64]*web.Form{id: f})
		}
		return s.renderResult(w, r, web.FormStatus(err), f, nil)
	}
	next := "/console/results/" + strconv.FormatInt(id, 10)
	if fromQueue {
		next = "/console/results"
	}
	http.Redirect(w, r, web.WithNotice(next, n), http.StatusSeeOther)
	return nil
}

func (s *Pages) handleConsoleResultConfirm(w http.ResponseWriter, r *http.Request) error {
	return s.resultAction(w, r, noticeResultConfirmed, func(id int64, _ string) error {
		_, err := s.Results.Confirm(r.Context(), web.Actor(r), id)
		return err
	})
}

func (s *Pages) handleConsoleResultReject(w http.ResponseWriter, r *http.Request) error {
	return s.resultAction(w, r, noticeResultRejected, func(id int64, reason string) error {
		return s.Results.Reject(r.Context(), web.Actor(r), id, reason)
	})
}

func (s *Pages) handleConsoleResultHold(w http.ResponseWriter, r *http.Request) error {
	return s.resultAction(w, r, noticeResultHeld, func(id int64, reason string) error {
		_, err := s.Results.Hold(r.Context(), web.Actor(r), id, reason)
		return err
	})
}

func (s *Pages) handleConsoleResultRelease(w http.ResponseWriter, r *http.Request) error {
	return s.resultAction(w, r, noticeResultReleased, func(id int64, _ string) error {
		_, err := s.Results.Release(r.Context(), web.Actor(r), id)
		return err
	})
}

// handleConsoleResultCorrect changes a published result.
func (s *Pages) handleConsoleResultCorrect(w http.ResponseWriter, r *http.Request) error {
	id, err := attemptID(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, "score", "domains", "correction_reason")
	c := results.Correction{Score: formNumber(f.Value("score")), Domains: parseBands(f.Value("domains")), Reason: f.Value("correction_reason")}
	if _, err := s.Results.Correct(r.Context(), web.Actor(r), id, c); err != nil {
		p := web.NewForm()
		b := &web.BasePage{T: s.Catalog.Localizer(web.RequestLang(r))}
		renamed := renameFields(err, map[string]string{"reason": "correction_reason"})
		if !s.ApplyError(b, p, renamed, "score") {
			return err
		}
		p.Values = f.Values
		return s.renderResult(w, r, web.FormStatus(err), nil, p)
	}
	http.Redirect(w, r, web.WithNotice("/console/results/"+strconv.FormatInt(id, 10), noticeResultCorrected), http.StatusSeeOther)
	return nil
}

type consoleResultEntryPage struct {
	web.BasePage
	Form *web.Form
	Zone *time.Location
}

// DomainsField is the entry's domain bands.
func (p *consoleResultEntryPage) DomainsField() textArea {
	return textArea{web.NewField(p.T, p.Form, "domains", "textarea", "console.results.field.domains",
		"hint=console.results.field.domains_hint"), 6}
}

// ZoneName is the program's time zone, in which the delivery time is
// typed.
func (p *consoleResultEntryPage) ZoneName() string { return p.Zone.String() }

// entryFields are the entry form's inputs.
var entryFields = []string{"candidate", results.FieldExam, results.FieldBooking, results.FieldTakenAt, results.FieldScore, results.FieldDomains}

// entryFieldNames maps the service's field names to the form's.
var entryFieldNames = map[string]string{results.FieldLogin: "candidate", results.FieldEmail: "candidate", "candidate": "candidate"}

func (s *Pages) newResultEntryPage(r *http.Request, f *web.Form) *consoleResultEntryPage {
	p := &consoleResultEntryPage{Form: f, Zone: s.ProgramZone(r)}
	s.FillBase(r, &p.BasePage, "console.results.entry_title")
	return p
}

func (s *Pages) handleConsoleResultNew(w http.ResponseWriter, r *http.Request) error {
	return s.Render(w, r, http.StatusOK, "console_result_new", s.newResultEntryPage(r, web.NewForm()))
}

// deliveredLayout is how the delivery time is typed: the value of a
// datetime-local input, in the program's time zone.
const deliveredLayout = "2006-01-02T15:04"

// handleConsoleResultEnter records a result that waits for a second
// officer, then shows it.
func (s *Pages) handleConsoleResultEnter(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, entryFields...)
	p := s.newResultEntryPage(r, f)
	in := results.Entry{
		Candidate: strings.TrimSpace(f.Value("candidate")), ExamCode: strings.TrimSpace(f.Value(results.FieldExam)),
		BookingRef: strings.TrimSpace(f.Value(results.FieldBooking)), Score: formNumber(f.Value(results.FieldScore)),
		Domains: parseBands(f.Value(results.FieldDomains)),
	}
	if v := strings.TrimSpace(f.Value(results.FieldTakenAt)); v != "" {
		t, err := time.ParseInLocation(deliveredLayout, v, p.Zone)
		if err != nil {
			err := &portal.Error{Code: portal.EInvalid, Message: "console.results.error.delivered_at_format",
				Fields: []portal.FieldError{{Field: results.FieldTakenAt, Message: "console.results.error.delivered_at_format"}}}
			s.ApplyError(&p.BasePage, p.Form, err, results.FieldTakenAt)
			return s.Render(w, r, web.FormStatus(err), "console_result_new", p)
		}
		in.TakenAt = t
	}
	a, err := s.Results.Enter(r.Context(), web.Actor(r), in)
	if err != nil {
		if !s.ApplyError(&p.BasePage, p.Form, renameFields(err, entryFieldNames), "candidate") {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "console_result_new", p)
	}
	http.Redirect(w, r, web.WithNotice("/console/results/"+strconv.FormatInt(a.ID, 10), noticeResultEntered), http.StatusSeeOther)
	return nil
}

// renameFields returns err with its field names mapped to the form's.
func renameFields(err error, names map[string]string) error {
	var pe *portal.Error
	if !errors.As(err, &pe) || len(pe.Fields) == 0 {
		return err
	}
	out := *pe
	out.Fields = make([]portal.FieldError, len(pe.Fields))
	for i, fe := range pe.Fields {
		if n, ok := names[fe.Field]; ok {
			fe.Field = n
		}
		out.Fields[i] = fe
	}
	return &out
}

// bandsText writes domain results one a line as "Name | band".
func bandsText(ds []portal.DomainResult) string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.Name + " | " + d.Band
	}
	return strings.Join(lines, "\n")
}

// parseBands reads "Name | band" lines, skipping blank ones. The band
// follows the last bar: "meets" or "needs improvement" (also written
// needs_improvement), in any case; anything else is passed on for the
// service to refuse with the domain's name.
func parseBands(text string) []results.DomainBand {
	var out []results.DomainBand
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, band := line, ""
		if i := strings.LastIndex(line, "|"); i >= 0 {
			name, band = line[:i], line[i+1:]
		}
		band = strings.Join(strings.Fields(strings.ToLower(band)), "_")
		out = append(out, results.DomainBand{Name: strings.TrimSpace(name), Band: band})
	}
	return out
}
