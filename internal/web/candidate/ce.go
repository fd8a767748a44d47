package candidate

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/uploads"
	"example.org/certportal/internal/web"
)

// ceUploadLimit is the body limit of a continuing-education form with
// files: every evidence file at the pipeline's default size, and room for
// the text fields.
const ceUploadLimit = credits.MaxEvidence*uploads.DefaultMaxBytes + 1<<20

// ceUploadLimits bound the continuing-education forms with files.
var ceUploadLimits = uploadFormLimits{
	MaxBody:     ceUploadLimit,
	ReadTimeout: 5 * time.Minute,
	MaxFiles:    map[string]int{credits.FieldEvidence: credits.MaxEvidence},
}

// ceCertView is one certification on the continuing-education page, its
// numbers written in the page's language.
type ceCertView struct {
	credits.Progress
	ApprovedText, PendingText, NeededText, MissingText string
	Types                                              []ceTypeView
}

// ceTypeView is one bar of the breakdown chart and one row of its table.
type ceTypeView struct {
	Name, Group, Credits string
	Percent              int // of the largest type, for the bar's width
}

// ceEntryView is one submission of the history, written for the page.
type ceEntryView struct {
	credits.HistoryEntry
	ClaimedText, GrantedText, StateText, RoleText, ReasonText string
}

type ceDashboardPage struct {
	web.BasePage
	Certifications []ceCertView
	Drafts         []ceEntryView
}

type ceHistoryPage struct {
	web.BasePage
	Entries []ceEntryView
}

// ceKeptUpload is a file accepted by an earlier, refused, sending of the
// form: kept by its ID so that nothing has to be chosen again.
type ceKeptUpload struct {
	ID   int64
	Name string
}

// ceKeptFiles is the list of kept files on a form ("ce-kept-files"), its
// boxes' IDs starting with Prefix so that two forms of one page differ.
type ceKeptFiles struct {
	T      *i18n.Localizer
	Prefix string
	Files  []ceKeptUpload
}

// KeptFiles lists the files kept from an earlier sending of the form.
func (p *ceSubmitPage) KeptFiles() ceKeptFiles { return ceKeptFiles{T: p.T, Files: p.Kept} }

// KeptFiles lists the files kept from an earlier sending of the form.
func (v ceReplyView) KeptFiles() ceKeptFiles {
	return ceKeptFiles{T: v.T, Prefix: v.Which + "-", Files: v.Kept}
}

type ceSubmitPage struct {
	web.BasePage
	Form      *web.Form
	TypeField web.Field
	// Type is the chosen activity type, nil before one is chosen; Rule says
	// its rule in words and Quote the credits the form will claim, when
	// they can be computed yet.
	Type                            *portal.CEActivityType
	TypeName, TypeDescription, Rule string
	Quote                           string
	Needs                           map[string]bool // the type's required fields
	Duration, Claim, Attestation    bool
	Kept                            []ceKeptUpload
	Duplicate                       bool // the duplicate warning was shown: offer to confirm
	// DraftID is the draft the form edits, 0 for a new activity.
	DraftID int64
	// Choose: the program has the candidate choose the one certification
	// an activity counts toward (credits.CountChoose); CertificationField
	// lists those held in force.
	Choose             bool
	CertificationField web.Field
}

// ceEvidenceView is one file of a submission with where it stands.
type ceEvidenceView struct {
	ID           int64
	Name, Notice string
	Size         int64
}

type ceSubmissionPage struct {
	web.BasePage
	Submission                                *portal.CESubmission
	TypeName, StateText, RoleText, ReasonText string
	ClaimedText, GrantedText                  string
	// CertificationText names the certification the candidate chose for
	// the activity, when one was chosen and is still held in force.
	CertificationText                  string
	Evidence                           []ceEvidenceView
	CanWithdraw, CanRespond, CanAppeal bool
	Respond, Appeal                    *web.Form
	RespondKept, AppealKept            []ceKeptUpload
	RespondView, AppealView            ceReplyView
}

// ceReplyView is the reply or the appeal form of a submission page.
type ceReplyView struct {
	T             *i18n.Localizer
	ID            int64
	Which         string // respond or appeal: the action and the fields' prefix
	Form          *web.Form
	Kept          []ceKeptUpload
	Label, Button string
}

// creditsIn writes hundredths of a credit as a decimal in the page's
// language.
func creditsIn(l *i18n.Localizer, c int) string { return credits.FormatCreditsIn(c, l.Lang()) }

func (s *Pages) ceReady() error {
	if s.Credits == nil || s.Uploads == nil {
		return portal.ErrNotFound
	}
	return nil
}

// handleCE is the candidate's continuing education: per certification in
// force, its cycle's standing, the breakdown by activity type, and the
// drafts kept.
func (s *Pages) handleCE(w http.ResponseWriter, r *http.Request) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	p := &ceDashboardPage{}
	s.FillBase(r, &p.BasePage, "ce.title")
	l := p.T
	progress, err := s.Credits.Progress(r.Context(), web.Actor(r), l.Lang())
	if err != nil {
		return err
	}
	for _, pr := range progress {
		v := ceCertView{Progress: pr, ApprovedText: creditsIn(l, pr.Approved), PendingText: creditsIn(l, pr.Pending),
			NeededText: creditsIn(l, pr.Needed), MissingText: creditsIn(l, pr.Missing)}
		largest := 0
		for _, t := range pr.ByType {
			largest = max(largest, t.Credits)
		}
		for _, t := range pr.ByType {
			pct := 0
			if largest > 0 {
				pct = t.Credits * 100 / largest
			}
			v.Types = append(v.Types, ceTypeView{Name: t.Name, Group: l.T("credits.group."+t.Group, nil), Credits: creditsIn(l, t.Credits), Percent: pct})
		}
		p.Certifications = append(p.Certifications, v)
	}
	history, err := s.Credits.History(r.Context(), web.Actor(r), l.Lang())
	if err != nil {
		return err
	}
	for _, h := range history {
		if h.State == portal.CEDraft {
			p.Drafts = append(p.Drafts, ceEntry(l, h))
		}
	}
	return s.Render(w, r, http.StatusOK, "ce_dashboard", p)
}

func ceEntry(l *i18n.Localizer, h credits.HistoryEntry) ceEntryView {
	v := ceEntryView{HistoryEntry: h, ClaimedText: creditsIn(l, h.Claimed), StateText: l.T("credits.state."+h.State, nil)}
	if h.ReviewerRole != "" {
		v.RoleText = l.T("credits.role."+h.ReviewerRole, nil)
	}
	if h.State == portal.CEApproved || h.State == portal.CEPartial || h.Granted > 0 {
		v.GrantedText = creditsIn(l, h.Granted)
	}
	v.ReasonText = ceReason(l, h.ReasonCode, h.Reason)
	return v
}

// ceReason is a decision's reason: the label of its code (a sentence),
// then the reviewer's text.
func ceReason(l *i18n.Localizer, code, text string) string {
	var parts []string
	if code != "" {
		parts = append(parts, l.T("credits.reason."+code, nil))
	}
	if text != "" {
		parts = append(parts, text)
	}
	return strings.Join(parts, " ")
}

// handleCEHistory lists every submission of the candidate.
func (s *Pages) handleCEHistory(w http.ResponseWriter, r *http.Request) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	p := &ceHistoryPage{}
	s.FillBase(r, &p.BasePage, "ce.history.title")
	history, err := s.Credits.History(r.Context(), web.Actor(r), p.T.Lang())
	if err != nil {
		return err
	}
	for _, h := range history {
		p.Entries = append(p.Entries, ceEntry(p.T, h))
	}
	return s.Render(w, r, http.StatusOK, "ce_history", p)
}

// handleCEHistoryCSV downloads the history as CSV, its header and its
// labels in the viewer's language.
func (s *Pages) handleCEHistoryCSV(w http.ResponseWriter, r *http.Request) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	var b web.BasePage
	s.FillBase(r, &b, "ce.history.title")
	l := b.T
	var header []string
	for _, c := range credits.HistoryColumns() {
		header = append(header, l.T(c, nil))
	}
	var buf bytes.Buffer
	err := s.Credits.ExportHistory(r.Context(), web.Actor(r), l.Lang(), &buf, header, func(code string) string {
		return l.T("credits."+code, nil)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="continuing-education.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// handleCESubmitForm shows the activity form; ?type= chooses the type
// and shows its rule without script. ?draft= opens one of the candidate's
// drafts on the form, its fields filled in and its files kept (a type in
// the address replaces the draft's).
func (s *Pages) handleCESubmitForm(w http.ResponseWriter, r *http.Request) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	q := r.URL.Query()
	f := web.NewForm()
	var kept []ceKeptUpload
	if q.Has(ceFieldDraft) {
		id, err := ceDraftID(q.Get(ceFieldDraft))
		if err != nil {
			return err
		}
		if kept, err = s.fillCEDraft(r, f, id); err != nil {
			return err
		}
	}
	if q.Get("type") != "" || f.Value(credits.FieldType) == "" {
		f.Values[credits.FieldType] = q.Get("type")
	}
	return s.renderCESubmit(w, r, http.StatusOK, f, kept, nil)
}

// ceFieldDraft names the draft a form edits.
const ceFieldDraft = "draft"

// ceDraftID reads the draft a form names: not found unless a positive
// number.
func ceDraftID(v string) (int64, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, portal.ErrNotFound
	}
	return id, nil
}

// fillCEDraft fills f with the candidate's draft id, as typed on the form
// (durations and credits written back in the page's language), and
// returns its files to keep. The service refuses anything but the
// candidate's own draft.
func (s *Pages) fillCEDraft(r *http.Request, f *web.Form, id int64) ([]ceKeptUpload, error) {
	d, err := s.Credits.Draft(r.Context(), web.Actor(r), id)
	if err != nil {
		return nil, err
	}
	types, err := s.Credits.ActivityTypes(r.Context())
	if err != nil {
		return nil, err
	}
	files, err := s.Credits.Evidence(r.Context(), web.Actor(r), id)
	if err != nil {
		return nil, err
	}
	lang := web.RequestLang(r)
	f.Values[ceFieldDraft] = strconv.FormatInt(d.ID, 10)
	for _, t := range types {
		if t.TypeID == d.TypeID {
			f.Values[credits.FieldType] = t.Code
		}
	}
	f.Values[credits.FieldTitle], f.Values[credits.FieldProvider] = d.Title, d.Provider
	f.Values[credits.FieldCompletedOn], f.Values[credits.FieldURL], f.Values[credits.FieldNotes] = d.CompletedOn, d.URL, d.Notes
	if d.DurationMinutes > 0 {
		f.Values[credits.FieldDuration] = credits.FormatDuration(d.DurationMinutes)
	}
	if d.Claimed > 0 {
		f.Values[credits.FieldClaimed] = credits.FormatCreditsIn(d.Claimed, lang)
	}
	if d.Attested {
		f.Values[credits.FieldAttested] = "on"
	}
	if d.CertificationID != nil {
		f.Values[credits.FieldCertification] = strconv.FormatInt(*d.CertificationID, 10)
	}
	kept := make([]ceKeptUpload, 0, len(files))
	for _, u := range files {
		kept = append(kept, ceKeptUpload{ID: u.ID, Name: u.DisplayName})
	}
	return kept, nil
}

// renderCESubmit renders the activity form with the refusal of failure,
// if any, next to its fields, and the files kept from an earlier sending.
func (s *Pages) renderCESubmit(w http.ResponseWriter, r *http.Request, status int, f *web.Form, kept []ceKeptUpload, failure error) error {
	types, err := s.Credits.ActivityTypes(r.Context())
	if err != nil {
		return err
	}
	opts, err := s.Credits.Options(r.Context())
	if err != nil {
		return err
	}
	p := &ceSubmitPage{Form: f, Kept: kept}
	if v := f.Value(ceFieldDraft); v != "" {
		if p.DraftID, err = ceDraftID(v); err != nil {
			return err
		}
	}
	titleID := "ce.submit.title"
	if p.DraftID != 0 {
		titleID = "ce.submit.edit_title"
	}
	s.FillBase(r, &p.BasePage, titleID)
	l := p.T
	code := f.Value(credits.FieldType)
	for _, t := range types {
		if t.Code == code {
			p.Type = t
		}
	}
	if p.Type != nil {
		t := p.Type
		p.TypeName, p.TypeDescription, p.Rule = t.Name(l.Lang()), t.Description(l.Lang()), ceRuleText(l, t)
		p.Needs = map[string]bool{}
		for _, n := range strings.Split(t.RequiredFields, ",") {
			if n = strings.TrimSpace(n); n != "" {
				p.Needs[n] = true
			}
		}
		p.Duration = t.Rule == portal.CERulePerUnit || p.Needs[portal.CEFieldDuration]
		p.Claim = t.Rule == portal.CERuleRange
		p.Attestation = t.Attestation
		if q, err := s.Credits.Quote(r.Context(), t.Code, f.Value(credits.FieldDuration), f.Value(credits.FieldClaimed)); err == nil && q > 0 {
			p.Quote = l.T("ce.submit.quote", map[string]any{"Credits": creditsIn(l, q)})
		}
	} else if code != "" && failure == nil {
		f.SetError(credits.FieldType, l.T("credits.error.unknown_type", nil))
		p.Errors = append(p.Errors, web.SummaryItem{Field: credits.FieldType, Message: f.Error(credits.FieldType)})
	}
	if failure != nil {
		if !s.ApplyError(&p.BasePage, f, failure, credits.FieldTitle) {
			return failure
		}
		p.Duplicate = portal.KindOf(failure).Code == portal.EConflict && f.Error(credits.FieldConfirmDuplicate) != ""
	} else {
		for _, field := range f.ErrorFields() {
			p.Errors = append(p.Errors, web.SummaryItem{Field: field, Message: f.Errors[field]})
		}
	}
	// The fields a refusal may name are made after it, so that its message
	// sits by them.
	p.TypeField = web.NewField(l, f, credits.FieldType, "select", "ce.field.type", "placeholder=field.choose", "hint=ce.field.type_hint")
	for _, t := range types {
		p.TypeField.Options = append(p.TypeField.Options, web.Option{Value: t.Code, Label: t.Name(l.Lang()), Selected: t.Code == code})
	}
	if p.Choose = opts.CountMode == credits.CountChoose; p.Choose {
		held, err := s.Credits.Certifications(r.Context(), web.Actor(r))
		if err != nil {
			return err
		}
		if len(held) == 1 && f.Value(credits.FieldCertification) == "" {
			f.Values[credits.FieldCertification] = strconv.FormatInt(held[0].CertificationID, 10)
		}
		p.CertificationField = web.NewField(l, f, credits.FieldCertification, "select", "ce.field.certification", "placeholder=field.choose", "hint=ce.field.certification_hint")
		for _, c := range held {
			v := strconv.FormatInt(c.CertificationID, 10)
			p.CertificationField.Options = append(p.CertificationField.Options, web.Option{Value: v,
				Label:    l.T("ce.field.certification_option", map[string]any{"Name": c.Name, "Code": c.Code, "Date": web.Day(l, c.ExpiresOn)}),
				Selected: v == f.Value(credits.FieldCertification)})
		}
	}
	return s.Render(w, r, status, "ce_submit", p)
}

// ceRuleText says a type's credit rule in words.
func ceRuleText(l *i18n.Localizer, t *portal.CEActivityType) string {
	switch t.Rule {
	case portal.CERulePerUnit:
		id := "ce.rule.per_hour"
		if t.UnitMinutes != 60 {
			id = "ce.rule.per_minutes"
		}
		s := l.T(id, map[string]any{"Credits": creditsIn(l, t.PerUnit), "Count": t.UnitMinutes})
		if t.CapActivity > 0 {
			s += " " + l.T("ce.rule.cap", map[string]any{"Credits": creditsIn(l, t.CapActivity)})
		}
		return s
	case portal.CERuleRange:
		return l.T("ce.rule.range", map[string]any{"Low": creditsIn(l, t.MinCredits), "High": creditsIn(l, t.MaxCredits)})
	default:
		return l.T("ce.rule.fixed", map[string]any{"Credits": creditsIn(l, t.MinCredits)})
	}
}

// ceFormFields are the text fields of the activity form, kept on a
// refusal.
var ceFormFields = []string{credits.FieldType, credits.FieldTitle, credits.FieldProvider, credits.FieldCompletedOn,
	credits.FieldDuration, credits.FieldURL, credits.FieldNotes, credits.FieldClaimed, credits.FieldAttested, credits.FieldConfirmDuplicate,
	credits.FieldCertification, ceFieldDraft}

// ceCertificationID reads the chosen certification: 0 when none was
// chosen, -1 (which no certification is, so the service refuses it on
// its field) when the value is not a certification's number.
func ceCertificationID(v string) int64 {
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return -1
	}
	return id
}

// readCEUploads reads a continuing-education form with files: every file
// goes through the upload pipeline as the candidate's evidence. It returns
// the form, the evidence (files kept from an earlier sending, then the new
// ones) and the files to show as kept if the form comes back.
func (s *Pages) readCEUploads(w http.ResponseWriter, r *http.Request) (*uploadForm, []int64, []ceKeptUpload, error) {
	a := web.Actor(r)
	form, err := readUploadForm(w, r, ceUploadLimits, func(ctx context.Context, field, filename string, body io.Reader) (*portal.Upload, error) {
		return s.Credits.AcceptEvidence(ctx, a, filename, body)
	})
	if err != nil {
		return nil, nil, nil, err
	}
	var ids []int64
	var kept []ceKeptUpload
	names := form.Values["kept_name"]
	removed := map[string]bool{}
	for _, v := range form.Values["remove"] {
		removed[v] = true
	}
	for i, v := range form.Values["kept"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 || removed[v] {
			continue
		}
		name := ""
		if i < len(names) {
			name = names[i]
		}
		ids = append(ids, id)
		kept = append(kept, ceKeptUpload{ID: id, Name: name})
	}
	for _, u := range form.Uploads {
		ids = append(ids, u.Upload.ID)
		kept = append(kept, ceKeptUpload{ID: u.Upload.ID, Name: u.Upload.DisplayName})
	}
	return form, ids, kept, nil
}

// uploadRefusal turns the pipeline's refusals into one invalid error by
// their fields, or nil when every file was accepted.
func uploadRefusal(form *uploadForm) error {
	if len(form.Fields) == 0 {
		return nil
	}
	return &portal.Error{Code: portal.EInvalid, Fields: form.Fields}
}

// handleCESubmit sends the activity form (or keeps it as a draft). Files
// accepted before a refusal are kept by ID so nothing is chosen twice.
func (s *Pages) handleCESubmit(w http.ResponseWriter, r *http.Request) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	form, evidence, kept, err := s.readCEUploads(w, r)
	if err != nil {
		return err
	}
	f := web.NewForm()
	for _, name := range ceFormFields {
		f.Values[name] = strings.TrimSpace(form.Values.Get(name))
	}
	var draft int64
	if v := f.Value(ceFieldDraft); v != "" {
		if draft, err = ceDraftID(v); err != nil {
			return err
		}
	}
	if err := uploadRefusal(form); err != nil {
		return s.renderCESubmit(w, r, web.FormStatus(err), f, kept, err)
	}
	sub := credits.Submission{ID: draft, CertificationID: ceCertificationID(f.Value(credits.FieldCertification)),
		TypeCode: f.Value(credits.FieldType), Title: f.Value(credits.FieldTitle), Provider: f.Value(credits.FieldProvider),
		CompletedOn: f.Value(credits.FieldCompletedOn), Duration: f.Value(credits.FieldDuration), URL: f.Value(credits.FieldURL),
		Notes: f.Value(credits.FieldNotes), Claimed: f.Value(credits.FieldClaimed), Attested: f.Value(credits.FieldAttested) == "on",
		Evidence: evidence, ConfirmDuplicate: f.Value(credits.FieldConfirmDuplicate) == "on",
	}
	if form.Values.Get("action") == "draft" {
		d, err := s.Credits.SaveDraft(r.Context(), web.Actor(r), sub)
		if err != nil {
			return s.renderCESubmit(w, r, web.FormStatus(err), f, kept, err)
		}
		http.Redirect(w, r, web.WithNotice(ceSubmissionPath(d.ID), noticeCEDraftSaved), http.StatusSeeOther)
		return nil
	}
	res, err := s.Credits.Submit(r.Context(), web.Actor(r), sub)
	if err != nil {
		return s.renderCESubmit(w, r, web.FormStatus(err), f, kept, err)
	}
	http.Redirect(w, r, web.WithNotice(ceSubmissionPath(res.Submission.ID), noticeCESubmitted), http.StatusSeeOther)
	return nil
}

func ceSubmissionPath(id int64) string { return "/ce/submissions/" + strconv.FormatInt(id, 10) }

func ceSubmissionID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, portal.ErrNotFound
	}
	return id, nil
}

// handleCESubmission shows one submission with its evidence and the
// actions its state allows.
func (s *Pages) handleCESubmission(w http.ResponseWriter, r *http.Request) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	return s.renderCESubmission(w, r, http.StatusOK, nil, nil, nil, "", nil)
}

func (s *Pages) renderCESubmission(w http.ResponseWriter, r *http.Request, status int, respond, appeal *web.Form, kept []ceKeptUpload, fallback string, failure error) error {
	id, err := ceSubmissionID(r)
	if err != nil {
		return err
	}
	sub, err := s.Credits.Submission(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	files, err := s.Credits.Evidence(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	types, err := s.Credits.ActivityTypes(r.Context())
	if err != nil {
		return err
	}
	p := &ceSubmissionPage{Submission: sub, Respond: respond, Appeal: appeal}
	s.FillBase(r, &p.BasePage, "ce.submission.title")
	l := p.T
	for _, t := range types {
		if t.TypeID == sub.TypeID {
			p.TypeName = t.Name(l.Lang())
		}
	}
	p.StateText = l.T("credits.state."+sub.State, nil)
	if sub.DecidedRole != "" {
		p.RoleText = l.T("credits.role."+sub.DecidedRole, nil)
	}
	p.ReasonText = ceReason(l, sub.ReasonCode, sub.ReasonText)
	p.ClaimedText = creditsIn(l, sub.Claimed)
	if sub.State == portal.CEApproved || sub.State == portal.CEPartial {
		p.GrantedText = creditsIn(l, sub.Granted)
	}
	if sub.CertificationID != nil {
		held, err := s.Credits.Certifications(r.Context(), web.Actor(r))
		if err != nil {
			return err
		}
		for _, c := range held {
			if c.CertificationID == *sub.CertificationID {
				p.CertificationText = c.Name + " (" + c.Code + ")"
			}
		}
	}
	for _, u := range files {
		p.Evidence = append(p.Evidence, ceEvidenceView{ID: u.ID, Name: u.DisplayName, Size: u.SizeBytes, Notice: l.T(uploads.OwnerNotice(u), nil)})
	}
	p.CanWithdraw = sub.State == portal.CEPending || sub.State == portal.CEInfo
	p.CanRespond = sub.State == portal.CEInfo
	p.CanAppeal = sub.State == portal.CEDenied && sub.AppealedAt == nil && sub.ReasonCode != credits.ReasonReversed
	if p.Respond == nil {
		p.Respond = web.NewForm()
	}
	if p.Appeal == nil {
		p.Appeal = web.NewForm()
	}
	if failure != nil {
		target := p.Respond
		if fallback == "appeal" {
			target, p.AppealKept = p.Appeal, kept
		} else {
			p.RespondKept = kept
		}
		if !s.ApplyError(&p.BasePage, target, failure, fallback+"_note") {
			return failure
		}
	}
	p.RespondView = ceReplyView{T: l, ID: sub.ID, Which: "respond", Form: p.Respond, Kept: p.RespondKept, Label: "ce.respond.note", Button: "ce.respond.send"}
	p.AppealView = ceReplyView{T: l, ID: sub.ID, Which: "appeal", Form: p.Appeal, Kept: p.AppealKept, Label: "ce.appeal.comment", Button: "ce.appeal.send"}
	return s.Render(w, r, status, "ce_submission", p)
}

// handleCEWithdraw takes a pending submission out of the queue.
func (s *Pages) handleCEWithdraw(w http.ResponseWriter, r *http.Request) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	id, err := ceSubmissionID(r)
	if err != nil {
		return err
	}
	if _, err := s.Credits.Withdraw(r.Context(), web.Actor(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, web.WithNotice(ceSubmissionPath(id), noticeCEWithdrawn), http.StatusSeeOther)
	return nil
}

// handleCERespond answers a request for more information with a note and
// files.
func (s *Pages) handleCERespond(w http.ResponseWriter, r *http.Request) error {
	return s.ceReply(w, r, "respond", s.Credits.Respond, noticeCEAnswered)
}

// handleCEAppeal appeals a denial with a comment and new files.
func (s *Pages) handleCEAppeal(w http.ResponseWriter, r *http.Request) error {
	return s.ceReply(w, r, "appeal", s.Credits.Appeal, noticeCEAppealed)
}

func (s *Pages) ceReply(w http.ResponseWriter, r *http.Request, which string,
	send func(context.Context, portal.Actor, int64, string, []int64) (*portal.CESubmission, error), done web.Notice) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	id, err := ceSubmissionID(r)
	if err != nil {
		return err
	}
	form, evidence, kept, err := s.readCEUploads(w, r)
	if err != nil {
		return err
	}
	f := web.NewForm()
	note := strings.TrimSpace(form.Values.Get(which + "_note"))
	f.Values[which+"_note"] = note
	again := func(err error) error {
		if which == "appeal" {
			return s.renderCESubmission(w, r, web.FormStatus(err), nil, f, kept, which, ceReplyFields(err, which))
		}
		return s.renderCESubmission(w, r, web.FormStatus(err), f, nil, kept, which, ceReplyFields(err, which))
	}
	if err := uploadRefusal(form); err != nil {
		return again(err)
	}
	if _, err := send(r.Context(), web.Actor(r), id, note, evidence); err != nil {
		return again(err)
	}
	http.Redirect(w, r, web.WithNotice(ceSubmissionPath(id), done), http.StatusSeeOther)
	return nil
}

// ceReplyFields renames the fields of a refused reply to those of its form
// on the submission page (respond_note, respond_evidence; appeal_...), so
// each message sits by its own form's field.
func ceReplyFields(err error, which string) error {
	var pe *portal.Error
	if !errors.As(err, &pe) || len(pe.Fields) == 0 {
		return err
	}
	c := *pe
	c.Fields = nil
	for _, fe := range pe.Fields {
		switch fe.Field {
		case credits.FieldEvidence:
			fe.Field = which + "_evidence"
		default:
			fe.Field = which + "_note"
		}
		c.Fields = append(c.Fields, fe)
	}
	return &c
}

// handleCEEvidence downloads one file of a submission.
func (s *Pages) handleCEEvidence(w http.ResponseWriter, r *http.Request) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	id, err := ceSubmissionID(r)
	if err != nil {
		return err
	}
	uploadID, err := strconv.ParseInt(r.PathValue("upload"), 10, 64)
	if err != nil || uploadID <= 0 {
		return portal.ErrNotFound
	}
	u, body, err := s.Credits.OpenEvidence(r.Context(), web.Actor(r), id, uploadID, false)
	if err != nil {
		return err
	}
	defer body.Close()
	return uploads.WriteDownload(w, u, body)
}
