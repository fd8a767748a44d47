package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/uploads"
	"example.org/certportal/internal/web"
)

// Continuing education in the console: the review queue, a submission's
// page with its evidence and the forms that act on it (claim, decide,
// decide an appeal, reverse), and the warning shown before an unscanned
// file opens. The credits service decides who may do what; the route
// table hides what a viewer may not use.

// Notices of the continuing-education review (console_ce.go).
const (
	noticeCEClaimed         web.Notice = "ce_claimed"
	noticeCEAssigned        web.Notice = "ce_assigned"
	noticeCEDecided         web.Notice = "ce_decided"
	noticeCEInfoRequested   web.Notice = "ce_info_requested"
	noticeCEReversed        web.Notice = "ce_reversed"
	ceAlreadyDecidedMessage            = "credits.error.already_decided"
)

// The queue's filter fields (a GET form).
const (
	ceFilterType          = "type"
	ceFilterCertification = "certification"
	ceFilterAge           = "age"
	ceFilterFlagged       = "flagged"
	ceFilterAssignee      = "assignee" // "", "me" or "none"
	ceFilterAfter         = "after"    // the keyset cursor
)

// ceMaxAgeDays bounds the age filter.
const ceMaxAgeDays = 3650

type consoleCEQueuePage struct {
	web.BasePage
	Filter         *web.Form
	Items          []credits.QueueItem
	Types          []*portal.CEActivityType
	Certifications []*portal.Certification
	// Next is the address of the next page, empty on the last one.
	Next string
	// Total counts the submissions the filters select on every page,
	// PastTarget those of them past their target.
	Total, PastTarget int
}

// TypeField is the activity type filter.
func (p *consoleCEQueuePage) TypeField() web.Field {
	fl := web.NewField(p.T, p.Filter, ceFilterType, "select", "console.ce.filter.type", "placeholder=console.ce.filter.any")
	for _, t := range p.Types {
		fl.Options = append(fl.Options, web.Option{Value: t.Code, Label: t.Name(p.Lang), Selected: t.Code == fl.Value})
	}
	return fl
}

// CertificationField is the certification filter.
func (p *consoleCEQueuePage) CertificationField() web.Field {
	fl := web.NewField(p.T, p.Filter, ceFilterCertification, "select", "console.ce.filter.certification", "placeholder=console.ce.filter.any")
	for _, c := range p.Certifications {
		v := strconv.FormatInt(c.ID, 10)
		fl.Options = append(fl.Options, web.Option{Value: v, Label: c.Code + " " + c.Name, Selected: v == fl.Value})
	}
	return fl
}

// AgeField is the "submitted at least N days ago" filter.
func (p *consoleCEQueuePage) AgeField() web.Field {
	return web.NewField(p.T, p.Filter, ceFilterAge, "number", "console.ce.filter.age", "hint=console.ce.filter.age_hint", "max=4", "optional")
}

// AssigneeField is the assignee filter.
func (p *consoleCEQueuePage) AssigneeField() web.Field {
	fl := web.NewField(p.T, p.Filter, ceFilterAssignee, "select", "console.ce.filter.assignee")
	for _, o := range []struct{ v, label string }{{"", "console.ce.filter.anyone"}, {"me", "console.ce.filter.me"}, {"none", "console.ce.filter.none"}} {
		fl.Options = append(fl.Options, web.Option{Value: o.v, Label: p.T.T(o.label, nil), Selected: o.v == fl.Value})
	}
	return fl
}

// TypeName names an item's activity type in the page's language.
func (p *consoleCEQueuePage) TypeName(it credits.QueueItem) string {
	for _, t := range p.Types {
		if t.Code == it.TypeCode {
			return t.Name(p.Lang)
		}
	}
	return it.TypeName
}

// Flagged reports whether the flagged filter is on.
func (p *consoleCEQueuePage) Flagged() bool { return p.Filter.Value(ceFilterFlagged) != "" }

// AssignedToViewer reports whether the item is assigned to the viewer.
func (p *consoleCEQueuePage) AssignedToViewer(it credits.QueueItem) bool {
	return p.User != nil && it.AssigneeID != nil && *it.AssigneeID == p.User.ID
}

// Credits writes hundredths of a credit in the page's language.
func (p *consoleCEQueuePage) Credits(c int) string { return credits.FormatCreditsIn(c, p.Lang) }

// Credits writes hundredths of a credit in the page's language.
func (p *consoleCESubmissionPage) Credits(c int) string { return credits.FormatCreditsIn(c, p.Lang) }

// handleConsoleCE is the review queue, oldest first, with its filters.
func (s *Pages) handleConsoleCE(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	q := r.URL.Query()
	p := &consoleCEQueuePage{Filter: web.NewForm()}
	s.FillBase(r, &p.BasePage, "console.ce.title")
	for _, k := range []string{ceFilterType, ceFilterCertification, ceFilterAge, ceFilterFlagged, ceFilterAssignee} {
		p.Filter.Values[k] = strings.TrimSpace(q.Get(k))
	}
	f := credits.QueueFilter{TypeCode: p.Filter.Value(ceFilterType), Flagged: p.Flagged(), Cursor: q.Get(ceFilterAfter)}
	if v := p.Filter.Value(ceFilterCertification); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			p.Filter.SetError(ceFilterCertification, p.T.T("console.ce.error.certification", nil))
		}
		f.CertificationID = id
	}
	if v := p.Filter.Value(ceFilterAge); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > ceMaxAgeDays {
			p.Filter.SetError(ceFilterAge, p.T.T("console.ce.error.age", map[string]any{"Count": ceMaxAgeDays}))
		}
		f.OlderThanDays = n
	}
	switch p.Filter.Value(ceFilterAssignee) {
	case "":
	case "me":
		f.AssigneeID = web.Actor(r).UserID
	case "none":
		f.Unassigned = true
	default:
		p.Filter.SetError(ceFilterAssignee, p.T.T("console.ce.error.assignee", nil))
	}
	var err error
	if p.Types, err = s.Credits.ActivityTypes(r.Context()); err != nil {
		return err
	}
	if s.Results != nil {
		if p.Certifications, err = s.Results.Catalogue(r.Context()); err != nil {
			return err
		}
	}
	status := http.StatusOK
	if len(p.Filter.ErrorFields()) == 0 {
		page, err := s.Credits.Queue(r.Context(), web.Actor(r), f)
		if err != nil {
			if !s.ApplyError(&p.BasePage, p.Filter, err, ceFilterAfter) {
				return err
			}
			return s.Render(w, r, web.FormStatus(err), "console_ce_queue", p)
		}
		p.Items, p.Total, p.PastTarget = page.Items, page.Total, page.PastTarget
		if page.NextCursor != "" {
			next := url.Values{}
			for k, v := range p.Filter.Values {
				if v != "" {
					next.Set(k, v)
				}
			}
			next.Set(ceFilterAfter, page.NextCursor)
			p.Next = "/console/ce?" + next.Encode()
		}
	} else {
		status = http.StatusUnprocessableEntity
		for _, field := range p.Filter.ErrorFields() {
			p.Errors = append(p.Errors, web.SummaryItem{Field: field, Message: p.Filter.Errors[field]})
		}
	}
	return s.Render(w, r, status, "console_ce_queue", p)
}

// ceEvidence is one file of a submission as the review page lists it.
type ceEvidence struct {
	Upload *portal.Upload
	// Notice is what the file's scan state means for staff.
	Notice string
	// Href opens the file (a clean one) or its warning page (an
	// unscanned one); empty when it cannot be opened.
	Href string
}

type consoleCESubmissionPage struct {
	web.BasePage
	Sub       *portal.CESubmission
	Candidate credits.Candidate
	// Reviewers are whom the submission may be assigned to.
	Reviewers []credits.Reviewer
	Type      *portal.CEActivityType
	Evidence  []ceEvidence
	Zone      *time.Location
	Form      *web.Form // the decision
	Reversal  *web.Form
	// Refusal is the service's refusal of the viewer's action, shown
	// above the forms (their own submission, an appeal of their own
	// denial).
	Refusal string
}

// Rule describes the rule the submission was made under: its kind and the
// range or rate the server holds a decision to.
func (p *consoleCESubmissionPage) Rule() string {
	t := p.Type
	switch t.Rule {
	case portal.CERulePerUnit:
		return p.T.T("console.ce.rule.per_unit", map[string]any{"Credits": p.Credits(t.PerUnit), "Count": t.UnitMinutes})
	case portal.CERuleRange:
		return p.T.T("console.ce.rule.range", map[string]any{"Low": p.Credits(t.MinCredits), "High": p.Credits(t.MaxCredits)})
	default:
		return p.T.T("console.ce.rule.fixed", map[string]any{"Credits": p.Credits(t.MinCredits)})
	}
}

// Lowest is the least a partial decision gives: a range's minimum, else
// one hundredth.
func (p *consoleCESubmissionPage) Lowest() string {
	if p.Type.Rule == portal.CERuleRange {
		return p.Credits(p.Type.MinCredits)
	}
	return p.Credits(1)
}

// Duration writes the stated duration.
func (p *consoleCESubmissionPage) Duration() string {
	return credits.FormatDuration(p.Sub.DurationMinutes)
}

// Mine reports whether the submission is the viewer's own.
func (p *consoleCESubmissionPage) Mine() bool { return p.User != nil && p.Sub.UserID == p.User.ID }

// AssignedToViewer reports whether the viewer holds the submission.
func (p *consoleCESubmissionPage) AssignedToViewer() bool {
	return p.User != nil && p.Sub.AssigneeID != nil && *p.Sub.AssigneeID == p.User.ID
}

// AssigneeName names the reviewer the submission is assigned to, when
// the page lists them.
func (p *consoleCESubmissionPage) AssigneeName() string {
	for _, r := range p.Reviewers {
		if p.Sub.AssigneeID != nil && r.ID == *p.Sub.AssigneeID {
			return r.Name
		}
	}
	return ""
}

// Reversible reports whether an admin may reverse the decision.
func (p *consoleCESubmissionPage) Reversible() bool {
	return p.Sub.State == portal.CEApproved || p.Sub.State == portal.CEPartial
}

// OutcomeField is the decision's outcome.
func (p *consoleCESubmissionPage) OutcomeField() web.Field {
	fl := web.NewField(p.T, p.Form, credits.FieldOutcome, "select", "console.ce.field.outcome", "placeholder=field.choose")
	for _, o := range []string{credits.OutcomeApprove, credits.OutcomePartial, credits.OutcomeDeny, credits.OutcomeInfo} {
		fl.Options = append(fl.Options, web.Option{Value: o, Label: p.T.T("console.ce.outcome."+o, nil), Selected: o == fl.Value})
	}
	return fl
}

// CreditsField is the credits of a partial decision.
func (p *consoleCESubmissionPage) CreditsField() web.Field {
	fl := web.NewField(p.T, p.Form, credits.FieldCredits, "text", "console.ce.field.credits", "max=12", "optional")
	fl.Hint = p.T.T("console.ce.field.credits_hint", map[string]any{"Low": p.Lowest(), "High": p.Credits(p.Sub.Claimed)})
	return fl
}

// ReasonCodeField is the reason of a denial.
func (p *consoleCESubmissionPage) ReasonCodeField() web.Field {
	fl := web.NewField(p.T, p.Form, credits.FieldReasonCode, "select", "console.ce.field.reason_code", "placeholder=field.choose")
	for _, c := range credits.DenyReasons() {
		fl.Options = append(fl.Options, web.Option{Value: c, Label: p.T.T("credits.reason."+c, nil), Selected: c == fl.Value})
	}
	return fl
}

// ReasonTextField is the decision's text.
func (p *consoleCESubmissionPage) ReasonTextField() textArea {
	return textArea{web.NewField(p.T, p.Form, credits.FieldReasonText, "textarea", "console.ce.field.reason_text",
		"hint=console.ce.field.reason_text_hint", "max=2000"), 4}
}

// ReviewerField chooses whom the submission is assigned to: the CE
// reviewers other than the candidate and, for an appeal, the reviewer who
// denied it.
func (p *consoleCESubmissionPage) ReviewerField() web.Field {
	fl := web.NewField(p.T, p.Form, credits.FieldReviewer, "select", "console.ce.field.reviewer", "placeholder=field.choose",
		"hint=console.ce.field.reviewer_hint")
	for _, r := range p.Reviewers {
		if r.ID == p.Sub.UserID || p.Sub.State == portal.CEAppealed && p.Sub.DeniedBy != nil && *p.Sub.DeniedBy == r.ID {
			continue
		}
		v, label := strconv.FormatInt(r.ID, 10), r.Name
		if p.User != nil && r.ID == p.User.ID {
			label = p.T.T("console.ce.reviewer_you", map[string]any{"Name": r.Name})
		}
		fl.Options = append(fl.Options, web.Option{Value: v, Label: label, Selected: v == fl.Value})
	}
	return fl
}

// ReversalField is the reason of a reversal.
func (p *consoleCESubmissionPage) ReversalField() textArea {
	fl := web.NewField(p.T, p.Reversal, "reversal_reason", "textarea", "console.ce.field.reversal_reason", "max=2000")
	return textArea{fl, 3}
}

// consoleCESubmissionID reads the {id} of the path; anything else is not found.
func consoleCESubmissionID(r *http.Request) (int64, error) { return web.PathID(r) }

// handleConsoleCESubmission shows one submission for review.
func (s *Pages) handleConsoleCESubmission(w http.ResponseWriter, r *http.Request) error {
	return s.renderConsoleCESubmission(w, r, http.StatusOK, nil, nil, "")
}

func (s *Pages) renderConsoleCESubmission(w http.ResponseWriter, r *http.Request, status int, form, reversal *web.Form, refusal string) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	id, err := consoleCESubmissionID(r)
	if err != nil {
		return err
	}
	sub, typ, err := s.Credits.SubmissionVersion(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	files, err := s.Credits.Evidence(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	cand, err := s.Credits.SubmissionCandidate(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	p := &consoleCESubmissionPage{Sub: sub, Candidate: cand, Type: typ, Zone: s.ProgramZone(r), Form: form, Reversal: reversal, Refusal: refusal}
	if sub.Open() {
		if p.Reviewers, err = s.Credits.Reviewers(r.Context(), web.Actor(r)); err != nil {
			return err
		}
	}
	if p.Form == nil {
		p.Form = web.NewForm()
	}
	if p.Reversal == nil {
		p.Reversal = web.NewForm()
	}
	s.FillBase(r, &p.BasePage, "console.ce.submission_title")
	for _, u := range files {
		msg, data := uploads.StaffNotice(u)
		e := ceEvidence{Upload: u, Notice: web.Localize(p.T, msg, data)}
		switch u.ScanStatus {
		case portal.ScanClean, portal.ScanUnscanned:
			e.Href = ceEvidencePath(sub.ID, u.ID)
		}
		p.Evidence = append(p.Evidence, e)
	}
	for _, f := range []*web.Form{p.Form, p.Reversal} {
		for _, field := range f.ErrorFields() {
			p.Errors = append(p.Errors, web.SummaryItem{Field: field, Message: f.Errors[field]})
		}
	}
	if status == http.StatusConflict && refusal == "" {
		p.Notice = web.Localize(p.T, ceAlreadyDecidedMessage, nil)
	}
	return s.Render(w, r, status, "console_ce_submission", p)
}

func ceEvidencePath(sub, upload int64) string {
	return "/console/ce/submissions/" + strconv.FormatInt(sub, 10) + "/evidence/" + strconv.FormatInt(upload, 10)
}

func consoleCESubmissionPath(id int64) string {
	return "/console/ce/submissions/" + strconv.FormatInt(id, 10)
}

// ceAction runs an action on the submission of the path and goes back to
// its page with n. The service's refusals are shown on the page: a
// decision made meanwhile as a notice, a forbidden action (the viewer's
// own submission) above the forms, a form's problems next to its fields.
func (s *Pages) ceAction(w http.ResponseWriter, r *http.Request, reversal bool, do func(id int64, f *web.Form) (web.Notice, error)) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	id, err := consoleCESubmissionID(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.NewForm()
	for k := range r.PostForm {
		f.Values[k] = r.PostForm.Get(k)
	}
	n, err := do(id, f)
	if err == nil {
		http.Redirect(w, r, web.WithNotice(consoleCESubmissionPath(id), n), http.StatusSeeOther)
		return nil
	}
	var pe *portal.Error
	if !errors.As(err, &pe) || pe.Message == "" && len(pe.Fields) == 0 {
		return err
	}
	loc := s.Catalog.Localizer(web.RequestLang(r))
	switch {
	case pe.Message == ceAlreadyDecidedMessage:
		return s.renderConsoleCESubmission(w, r, http.StatusConflict, nil, nil, "")
	case pe.Code == portal.EForbidden:
		return s.renderConsoleCESubmission(w, r, http.StatusForbidden, nil, nil, web.Localize(loc, pe.Message, pe.Data))
	case pe.Code != portal.EInvalid && pe.Code != portal.EConflict:
		return err
	}
	if len(pe.Fields) == 0 {
		return s.renderConsoleCESubmission(w, r, web.FormStatus(err), nil, nil, web.Localize(loc, pe.Message, pe.Data))
	}
	for _, fe := range pe.Fields {
		name := fe.Field
		if reversal {
			name = "reversal_reason"
		}
		f.SetError(name, web.Localize(loc, fe.Message, fe.Data))
	}
	if reversal {
		return s.renderConsoleCESubmission(w, r, web.FormStatus(err), nil, f, "")
	}
	return s.renderConsoleCESubmission(w, r, web.FormStatus(err), f, nil, "")
}

// handleConsoleCEClaim assigns the submission to the viewer.
func (s *Pages) handleConsoleCEClaim(w http.ResponseWriter, r *http.Request) error {
	return s.ceAction(w, r, false, func(id int64, _ *web.Form) (web.Notice, error) {
		_, err := s.Credits.Claim(r.Context(), web.Actor(r), id, 0)
		return noticeCEClaimed, err
	})
}

// handleConsoleCEAssign assigns the submission to the chosen CE reviewer.
func (s *Pages) handleConsoleCEAssign(w http.ResponseWriter, r *http.Request) error {
	return s.ceAction(w, r, false, func(id int64, f *web.Form) (web.Notice, error) {
		who, err := strconv.ParseInt(f.Value(credits.FieldReviewer), 10, 64)
		if err != nil || who <= 0 {
			var v portal.Validation
			v.Add(credits.FieldReviewer, "credits.error.not_reviewer", nil)
			return "", v.Err()
		}
		_, err = s.Credits.Claim(r.Context(), web.Actor(r), id, who)
		return noticeCEAssigned, err
	})
}

// handleConsoleCEDecide records a decision (or an appeal's decision).
func (s *Pages) handleConsoleCEDecide(w http.ResponseWriter, r *http.Request) error {
	return s.ceAction(w, r, false, func(id int64, f *web.Form) (web.Notice, error) {
		d := credits.Decision{Outcome: f.Value(credits.FieldOutcome), Credits: f.Value(credits.FieldCredits),
			ReasonCode: f.Value(credits.FieldReasonCode), ReasonText: f.Value(credits.FieldReasonText)}
		if _, err := s.Credits.Decide(r.Context(), web.Actor(r), id, d); err != nil {
			return "", err
		}
		if d.Outcome == credits.OutcomeInfo {
			return noticeCEInfoRequested, nil
		}
		return noticeCEDecided, nil
	})
}

// handleConsoleCEReverse takes back an approval (admins).
func (s *Pages) handleConsoleCEReverse(w http.ResponseWriter, r *http.Request) error {
	return s.ceAction(w, r, true, func(id int64, f *web.Form) (web.Notice, error) {
		_, err := s.Credits.Reverse(r.Context(), web.Actor(r), id, f.Value("reversal_reason"))
		return noticeCEReversed, err
	})
}

type consoleCEEvidencePage struct {
	web.BasePage
	SubmissionID int64
	Upload       int64
	// Message says why the file did not open; Confirm is the address
	// that opens it after the warning, empty when nothing opens it.
	Message string
	Confirm string
}

// handleConsoleCEEvidence sends one file of a submission. A file nobody
// scanned opens only once the reviewer has read the warning and
// confirmed (?confirm=1); a file still being scanned or quarantined does
// not open, and the page says why.
func (s *Pages) handleConsoleCEEvidence(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	id, err := consoleCESubmissionID(r)
	if err != nil {
		return err
	}
	up, err := strconv.ParseInt(r.PathValue("upload"), 10, 64)
	if err != nil || up <= 0 {
		return portal.ErrNotFound
	}
	ack := r.URL.Query().Get("confirm") == "1"
	u, body, err := s.Credits.OpenEvidence(r.Context(), web.Actor(r), id, up, ack)
	if err == nil {
		defer body.Close()
		return uploads.WriteDownload(w, u, body)
	}
	p := &consoleCEEvidencePage{SubmissionID: id, Upload: up}
	s.FillBase(r, &p.BasePage, "console.ce.evidence_title")
	status := http.StatusConflict
	switch {
	case errors.Is(err, uploads.ErrUnscannedWarning):
		status = http.StatusOK
		p.Message = web.Localize(p.T, "upload.staff.unscanned", nil)
		p.Confirm = ceEvidencePath(id, up)
	case errors.Is(err, uploads.ErrScanPending):
		p.Message = web.Localize(p.T, "upload.staff.pending", nil)
	case errors.Is(err, uploads.ErrQuarantined):
		p.Message = web.Localize(p.T, "console.ce.evidence_quarantined", nil)
		status = http.StatusForbidden
	default:
		return err
	}
	return s.Render(w, r, status, "console_ce_evidence", p)
}
