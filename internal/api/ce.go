package api

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/uploads"
)

// Continuing education for the signed-in candidate: the catalogue of
// activity types, progress per certification, submissions from draft to
// decision, and evidence files. credits.Service decides every rule from
// the actor (a candidate sees only their own submissions: anyone else's is
// not found); these handlers only translate. Credits are decimal strings
// with at most two decimals ("1.5"), as the service reads and writes
// them. Request fields carry the names the service's refusals use, so a
// refused field is named as it was sent.

// ceReady refuses the continuing-education operations of a portal built
// without the service.
func (s *server) ceReady() error {
	if s.credits == nil {
		return portal.ErrNotFound
	}
	return nil
}

// pathID reads a positive integer path value; anything else is not found.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, portal.ErrNotFound
	}
	return id, nil
}

// lang is the language of the request's answer (Accept-Language).
func (s *server) lang(r *http.Request) string { return s.localizer(r).Lang() }

type ceRuleView struct {
	Kind        string `json:"kind"`
	UnitMinutes int    `json:"unit_minutes,omitempty"`
	PerUnit     string `json:"per_unit,omitempty"`
	Min         string `json:"min,omitempty"`
	Max         string `json:"max,omitempty"`
	CapActivity string `json:"cap_activity,omitempty"`
	CapCycle    string `json:"cap_cycle,omitempty"`
}

func newCERuleView(t *portal.CEActivityType) ceRuleView {
	v := ceRuleView{Kind: t.Rule}
	switch t.Rule {
	case portal.CERulePerUnit:
		v.UnitMinutes, v.PerUnit = t.UnitMinutes, credits.FormatCredits(t.PerUnit)
	default:
		v.Min, v.Max = credits.FormatCredits(t.MinCredits), credits.FormatCredits(t.MaxCredits)
	}
	if t.CapActivity > 0 {
		v.CapActivity = credits.FormatCredits(t.CapActivity)
	}
	if t.CapCycle > 0 {
		v.CapCycle = credits.FormatCredits(t.CapCycle)
	}
	return v
}

type ceActivityTypeView struct {
	Code           string     `json:"code"`
	Version        int        `json:"version"`
	Group          string     `json:"group"`
	Name           string     `json:"name"`
	Description    string     `json:"description"`
	Rule           ceRuleView `json:"rule"`
	RequiredFields []string   `json:"required_fields"`
	MinEvidence    int        `json:"min_evidence"`
	Attestation    bool       `json:"attestation"`
	CountsFor      string     `json:"counts_for"`
	CountsList     []string   `json:"counts_list"`
	ActiveFrom     *string    `json:"active_from"`
	ActiveUntil    *string    `json:"active_until"`
	DeadlineDays   int        `json:"deadline_days"`
}

func newCEActivityTypeView(t *portal.CEActivityType, lang string) ceActivityTypeView {
	return ceActivityTypeView{Code: t.Code, Version: t.Version, Group: t.Group, Name: t.Name(lang), Description: t.Description(lang),
		Rule: newCERuleView(t), RequiredFields: splitList(t.RequiredFields), MinEvidence: max(1, t.MinEvidence),
		Attestation: t.Attestation, CountsFor: t.CountsFor, CountsList: splitList(t.CountsList),
		ActiveFrom: t.ActiveFrom, ActiveUntil: t.ActiveUntil, DeadlineDays: t.DeadlineDays}
}

// handleCEActivityTypes is the catalogue of activity types: public, as
// the program's published rules are.
func (s *server) handleCEActivityTypes(w http.ResponseWriter, r *http.Request, _ portal.Actor) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	types, err := s.credits.ActivityTypes(r.Context())
	if err != nil {
		return err
	}
	lang := s.lang(r)
	out := struct {
		ActivityTypes []ceActivityTypeView `json:"activity_types"`
	}{ActivityTypes: []ceActivityTypeView{}}
	for _, t := range types {
		out.ActivityTypes = append(out.ActivityTypes, newCEActivityTypeView(t, lang))
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

type ceTypeCreditsView struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Group   string `json:"group"`
	Credits string `json:"credits"`
}

type ceYearView struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Credits string `json:"credits"`
	Target  string `json:"target"`
}

type ceProgressView struct {
	UserCertificationID int64               `json:"user_certification_id"`
	CertificationID     int64               `json:"certification_id"`
	Code                string              `json:"code"`
	Name                string              `json:"name"`
	IssuedOn            string              `json:"issued_on"`
	ExpiresOn           string              `json:"expires_on"`
	DaysLeft            int                 `json:"days_left"`
	Approved            string              `json:"approved"`
	Pending             string              `json:"pending"`
	Needed              string              `json:"needed"`
	Missing             string              `json:"missing"`
	Met                 bool                `json:"met"`
	Percent             int                 `json:"percent"`
	ByType              []ceTypeCreditsView `json:"by_type"`
	YearlyTarget        string              `json:"yearly_target,omitempty"`
	Years               []ceYearView        `json:"years"`
}

// handleCEProgress is the candidate's standing per certification in
// force: approved credits of the cycle, pending ones apart (not counted
// yet), what is still needed, and the breakdown by activity type.
func (s *server) handleCEProgress(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	list, err := s.credits.Progress(r.Context(), a, s.lang(r))
	if err != nil {
		return err
	}
	out := struct {
		Certifications []ceProgressView `json:"certifications"`
	}{Certifications: []ceProgressView{}}
	for _, p := range list {
		v := ceProgressView{UserCertificationID: p.UserCertificationID, CertificationID: p.CertificationID, Code: p.Code, Name: p.Name,
			IssuedOn: p.IssuedOn, ExpiresOn: p.ExpiresOn, DaysLeft: p.DaysLeft, Approved: credits.FormatCredits(p.Approved),
			Pending: credits.FormatCredits(p.Pending), Needed: credits.FormatCredits(p.Needed), Missing: credits.FormatCredits(p.Missing),
			Met: p.Met, Percent: p.Percent, ByType: []ceTypeCreditsView{}, Years: []ceYearView{}}
		for _, t := range p.ByType {
			v.ByType = append(v.ByType, ceTypeCreditsView{Code: t.Code, Name: t.Name, Group: t.Group, Credits: credits.FormatCredits(t.Credits)})
		}
		if p.YearlyTarget > 0 {
			v.YearlyTarget = credits.FormatCredits(p.YearlyTarget)
		}
		for _, y := range p.Years {
			v.Years = append(v.Years, ceYearView{From: y.From, To: y.To, Credits: credits.FormatCredits(y.Credits), Target: credits.FormatCredits(y.Target)})
		}
		out.Certifications = append(out.Certifications, v)
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

type ceHistoryView struct {
	ID           int64   `json:"id"`
	Title        string  `json:"title"`
	TypeName     string  `json:"type_name"`
	CompletedOn  string  `json:"completed_on"`
	State        string  `json:"state"`
	Claimed      string  `json:"claimed"`
	Granted      *string `json:"granted"`
	ReasonCode   string  `json:"reason_code,omitempty"`
	Reason       string  `json:"reason,omitempty"`
	ReviewerRole string  `json:"reviewer_role,omitempty"`
	TargetOn     string  `json:"target_on,omitempty"`
	SubmittedAt  *string `json:"submitted_at"`
}

// granted is the credits of a decision in force, nil before one.
func granted(state string, c int) *string {
	if state != portal.CEApproved && state != portal.CEPartial && state != portal.CEDenied {
		return nil
	}
	g := credits.FormatCredits(c)
	return &g
}

// handleCESubmissionList is the candidate's history: every submission,
// drafts included, newest first, with its state, credits, reason and the
// role (never the name) of whoever decided it.
func (s *server) handleCESubmissionList(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	list, err := s.credits.History(r.Context(), a, s.lang(r))
	if err != nil {
		return err
	}
	out := struct {
		Submissions []ceHistoryView `json:"submissions"`
	}{Submissions: []ceHistoryView{}}
	for _, h := range list {
		out.Submissions = append(out.Submissions, ceHistoryView{ID: h.ID, Title: h.Title, TypeName: h.TypeName, CompletedOn: h.CompletedOn,
			State: h.State, Claimed: credits.FormatCredits(h.Claimed), Granted: granted(h.State, h.Granted), ReasonCode: h.ReasonCode,
			Reason: h.Reason, ReviewerRole: h.ReviewerRole, TargetOn: h.TargetOn, SubmittedAt: utcPtr(h.SubmittedAt)})
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// handleCEHistoryCSV downloads the history as CSV (formula cells
// neutralised), its header and labels in the request's language.
func (s *server) handleCEHistoryCSV(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	l := s.localizer(r)
	var header []string
	for _, c := range credits.HistoryColumns() {
		header = append(header, l.T(c, nil))
	}
	var buf bytes.Buffer
	if err := s.credits.ExportHistory(r.Context(), a, l.Lang(), &buf, header, func(code string) string {
		return l.T("credits."+code, nil)
	}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="continuing-education.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	return err
}

type uploadView struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	// ScanState: pending, clean, quarantined or unscanned.
	ScanState string `json:"scan_state"`
	Notice    string `json:"notice"`
	CreatedAt string `json:"created_at"`
}

// newUploadView shows a file to its owner: the scan notice is neutral
// about what a scanner found (uploads.OwnerNotice).
func newUploadView(u *portal.Upload, l *i18n.Localizer) uploadView {
	return uploadView{ID: u.ID, Name: u.DisplayName, ContentType: u.ContentType, Size: u.SizeBytes, ScanState: u.ScanStatus,
		Notice: l.T(uploads.OwnerNotice(u), nil), CreatedAt: utc(u.CreatedAt)}
}

type ceSubmissionView struct {
	ID              int64        `json:"id"`
	Type            string       `json:"type"`
	TypeName        string       `json:"type_name"`
	State           string       `json:"state"`
	Title           string       `json:"title"`
	Provider        string       `json:"provider"`
	CompletedOn     string       `json:"completed_on"`
	DurationMinutes int          `json:"duration_minutes"`
	URL             string       `json:"url"`
	Notes           string       `json:"notes"`
	Attested        bool         `json:"attested"`
	Claimed         string       `json:"claimed"`
	Granted         *string      `json:"granted"`
	CertificationID *int64       `json:"certification_id"`
	ReasonCode      string       `json:"reason_code,omitempty"`
	Reason          string       `json:"reason,omitempty"`
	ReviewerRole    string       `json:"reviewer_role,omitempty"`
	TargetOn        *string      `json:"target_on"`
	SubmittedAt     *string      `json:"submitted_at"`
	DecidedAt       *string      `json:"decided_at"`
	AppealComment   string       `json:"appeal_comment,omitempty"`
	AppealedAt      *string      `json:"appealed_at"`
	Evidence        []uploadView `json:"evidence"`
}

// ceSubmission loads the candidate's submission id with its evidence, as
// the service shows it to the actor.
func (s *server) ceSubmission(ctx context.Context, r *http.Request, a portal.Actor, id int64) (ceSubmissionView, error) {
	sub, typ, err := s.credits.SubmissionVersion(ctx, a, id)
	if err != nil {
		return ceSubmissionView{}, err
	}
	files, err := s.credits.Evidence(ctx, a, id)
	if err != nil {
		return ceSubmissionView{}, err
	}
	l := s.localizer(r)
	v := ceSubmissionView{ID: sub.ID, Type: typ.Code, TypeName: typ.Name(l.Lang()), State: sub.State, Title: sub.Title,
		Provider: sub.Provider, CompletedOn: sub.CompletedOn, DurationMinutes: sub.DurationMinutes, URL: sub.URL, Notes: sub.Notes,
		Attested: sub.Attested, Claimed: credits.FormatCredits(sub.Claimed), Granted: granted(sub.State, sub.Granted),
		CertificationID: sub.CertificationID, ReasonCode: sub.ReasonCode, Reason: sub.ReasonText, ReviewerRole: sub.DecidedRole,
		TargetOn: sub.TargetOn, SubmittedAt: utcPtr(sub.SubmittedAt), DecidedAt: utcPtr(sub.DecidedAt),
		AppealComment: sub.AppealComment, AppealedAt: utcPtr(sub.AppealedAt), Evidence: []uploadView{}}
	for _, u := range files {
		v.Evidence = append(v.Evidence, newUploadView(u, l))
	}
	return v, nil
}

// handleCESubmissionShow is one of the candidate's submissions with its
// evidence.
func (s *server) handleCESubmissionShow(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	return showSubmission(s, w, r, a, s.ceSubmission)
}

// showSubmission answers the submission named by the path as view shows
// it to the actor.
func showSubmission[V any](s *server, w http.ResponseWriter, r *http.Request, a portal.Actor,
	view func(ctx context.Context, r *http.Request, a portal.Actor, id int64) (V, error)) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := view(r.Context(), r, a, id)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, v)
	return nil
}

// ceSubmissionRequest is an activity as the candidate states it; the
// names are the service's field names (credits.Field...).
type ceSubmissionRequest struct {
	Type             string  `json:"type"`
	Title            string  `json:"title"`
	Provider         string  `json:"provider"`
	CompletedOn      string  `json:"completed_on"`
	Duration         string  `json:"duration"`
	URL              string  `json:"url"`
	Notes            string  `json:"notes"`
	Claimed          string  `json:"claimed"`
	Attested         bool    `json:"attested"`
	Evidence         []int64 `json:"evidence"`
	Certification    int64   `json:"certification"`
	ConfirmDuplicate bool    `json:"confirm_duplicate"`
}

func (q ceSubmissionRequest) form(id int64) credits.Submission {
	return credits.Submission{ID: id, TypeCode: strings.TrimSpace(q.Type), Title: q.Title, Provider: q.Provider,
		CompletedOn: q.CompletedOn, Duration: q.Duration, URL: q.URL, Notes: q.Notes, Claimed: q.Claimed, Attested: q.Attested,
		Evidence: q.Evidence, CertificationID: q.Certification, ConfirmDuplicate: q.ConfirmDuplicate}
}

type ceSubmittedView struct {
	ceSubmissionView
	// Certifications are the codes of those the activity will count
	// toward once approved.
	Certifications []string `json:"certifications"`
}

func (s *server) ceSubmitted(ctx context.Context, r *http.Request, a portal.Actor, res *credits.SubmitResult) (int, any, error) {
	v, err := s.ceSubmission(ctx, r, a, res.Submission.ID)
	if err != nil {
		return 0, nil, err
	}
	out := ceSubmittedView{ceSubmissionView: v, Certifications: []string{}}
	for _, c := range res.Certifications {
		out.Certifications = append(out.Certifications, c.Code)
	}
	return http.StatusCreated, out, nil
}

// handleCESubmissionCreate sends a new activity for review (201): the
// same checks as the form (credits.Service.Submit). The same type, title
// and date as another live submission is a 409 (credits.warning.duplicate)
// until sent again with confirm_duplicate.
func (s *server) handleCESubmissionCreate(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	var req ceSubmissionRequest
	return s.mutate(w, r, a, &req, func(ctx context.Context) (int, any, error) {
		res, err := s.credits.Submit(ctx, a, req.form(0))
		if err != nil {
			return 0, nil, err
		}
		return s.ceSubmitted(ctx, r, a, res)
	})
}

// handleCEDraftCreate keeps an activity as a draft (201): only the type
// and the title are checked.
func (s *server) handleCEDraftCreate(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	var req ceSubmissionRequest
	return s.mutate(w, r, a, &req, func(ctx context.Context) (int, any, error) {
		d, err := s.credits.SaveDraft(ctx, a, req.form(0))
		if err != nil {
			return 0, nil, err
		}
		v, err := s.ceSubmission(ctx, r, a, d.ID)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, v, nil
	})
}

// handleCEDraftUpdate replaces a draft with the body. PUT sets the draft
// to what is sent, so a repeat changes nothing and needs no key; a
// submission no longer a draft is a 409 (credits.error.not_editable).
func (s *server) handleCEDraftUpdate(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req ceSubmissionRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if _, err := s.credits.SaveDraft(r.Context(), a, req.form(id)); err != nil {
		return err
	}
	v, err := s.ceSubmission(r.Context(), r, a, id)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, v)
	return nil
}

// handleCEDraftSubmit sends a draft for review as it is saved, with the
// checks of handleCESubmissionCreate (201).
func (s *server) handleCEDraftSubmit(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		ConfirmDuplicate bool `json:"confirm_duplicate"`
	}
	return s.mutate(w, r, a, &req, func(ctx context.Context) (int, any, error) {
		res, err := s.credits.SubmitDraft(ctx, a, id, req.ConfirmDuplicate)
		if err != nil {
			return 0, nil, err
		}
		return s.ceSubmitted(ctx, r, a, res)
	})
}

// handleCEWithdraw takes a pending submission (or one waiting for more
// information) out of the queue. The body is an empty object.
func (s *server) handleCEWithdraw(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	var req struct{}
	return s.ceAction(w, r, a, &req, func(ctx context.Context, id int64) error {
		_, err := s.credits.Withdraw(ctx, a, id)
		return err
	})
}

// handleCERespond answers a request for more information with a note and
// more evidence; the submission goes back to the queue.
func (s *server) handleCERespond(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	var req struct {
		Notes    string  `json:"notes"`
		Evidence []int64 `json:"evidence"`
	}
	return s.ceAction(w, r, a, &req, func(ctx context.Context, id int64) error {
		_, err := s.credits.Respond(ctx, a, id, req.Notes, req.Evidence)
		return err
	})
}

// handleCEAppeal appeals a denial, once, with a comment and new evidence.
func (s *server) handleCEAppeal(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	var req struct {
		Comment  string  `json:"comment"`
		Evidence []int64 `json:"evidence"`
	}
	return s.ceAction(w, r, a, &req, func(ctx context.Context, id int64) error {
		_, err := s.credits.Appeal(ctx, a, id, req.Comment, req.Evidence)
		return err
	})
}

// ceAction runs one of the candidate's actions on a submission, its body
// decoded into req, and answers the submission as it is after it.
func (s *server) ceAction(w http.ResponseWriter, r *http.Request, a portal.Actor, req any, do func(ctx context.Context, id int64) error) error {
	return submissionAction(s, w, r, a, req, do, s.ceSubmission)
}

// submissionAction runs an action on the submission named by the path,
// its body decoded into req, and answers the submission after it as view
// shows it to the actor (the candidate's view or the reviewer's).
func submissionAction[V any](s *server, w http.ResponseWriter, r *http.Request, a portal.Actor, req any,
	do func(ctx context.Context, id int64) error, view func(ctx context.Context, r *http.Request, a portal.Actor, id int64) (V, error)) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.mutate(w, r, a, req, func(ctx context.Context) (int, any, error) {
		if err := do(ctx, id); err != nil {
			return 0, nil, err
		}
		v, err := view(ctx, r, a, id)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, v, nil
	})
}

// handleCEEvidence downloads one file of the candidate's submission, as
// an attachment with its exact type (uploads.WriteDownload).
func (s *server) handleCEEvidence(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	return s.sendEvidence(w, r, a, false)
}

// sendEvidence sends the file {upload} of the submission {id} to a, as
// credits.Service.OpenEvidence allows (acknowledged: a reviewer opens a
// file no scanner looked at).
func (s *server) sendEvidence(w http.ResponseWriter, r *http.Request, a portal.Actor, acknowledged bool) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	uploadID, err := pathID(r, "upload")
	if err != nil {
		return err
	}
	u, body, err := s.credits.OpenEvidence(r.Context(), a, id, uploadID, acknowledged)
	if err != nil {
		return err
	}
	defer body.Close()
	return uploads.WriteDownload(w, u, body)
}
