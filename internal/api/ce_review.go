package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/uploads"
)

// The CE reviewers' work (portal.PermCEReview in the route table, and in
// credits.Service again): the queue, claiming, deciding and the evidence.
// Deciding is a compare-and-set: a submission decided meanwhile is a 409
// (credits.error.already_decided). A submission under appeal is decided
// through the same operation; the service gives it to a reviewer other
// than the one who denied it.

type ceQueueItemView struct {
	ID          int64   `json:"id"`
	Type        string  `json:"type"`
	TypeName    string  `json:"type_name"`
	State       string  `json:"state"`
	Title       string  `json:"title"`
	CompletedOn string  `json:"completed_on"`
	Claimed     string  `json:"claimed"`
	Flagged     bool    `json:"flagged"`
	AssigneeID  *int64  `json:"assignee_id"`
	SubmittedAt *string `json:"submitted_at"`
	TargetOn    *string `json:"target_on"`
	AgeDays     int     `json:"age_days"`
	PastTarget  bool    `json:"past_target"`
}

type ceQueueView struct {
	Items      []ceQueueItemView `json:"items"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

// handleCEQueue lists open submissions (pending, waiting for information,
// under appeal), oldest first, a page at a time: ?type= (a type code),
// certification= (its ID), older_than_days=, flagged=true,
// assignee=me|none, limit= (1 to 200, default 50) and cursor= (the
// next_cursor of the page before).
func (s *server) handleCEQueue(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	q := r.URL.Query()
	f := credits.QueueFilter{TypeCode: strings.TrimSpace(q.Get("type")), Cursor: q.Get("cursor")}
	var v portal.Validation
	number := func(name string, lo, hi int) int {
		raw := q.Get(name)
		if raw == "" {
			return 0
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < lo || n > hi {
			v.Add(name, "api.number_invalid", map[string]any{"From": lo, "To": hi})
		}
		return n
	}
	f.CertificationID = int64(number("certification", 1, 1<<31-1))
	f.OlderThanDays = number("older_than_days", 0, 3650)
	f.Limit = number("limit", 1, 200)
	switch q.Get("flagged") {
	case "", "false":
	case "true":
		f.Flagged = true
	default:
		v.Add("flagged", "api.bool_invalid", nil)
	}
	switch q.Get("assignee") {
	case "":
	case "me":
		f.AssigneeID = a.UserID
	case "none":
		f.Unassigned = true
	default:
		v.Add("assignee", "api.assignee_invalid", nil)
	}
	if err := v.Err(); err != nil {
		return err
	}
	page, err := s.credits.Queue(r.Context(), a, f)
	if err != nil {
		return err
	}
	out := ceQueueView{Items: []ceQueueItemView{}, NextCursor: page.NextCursor}
	for _, it := range page.Items {
		out.Items = append(out.Items, ceQueueItemView{ID: it.ID, Type: it.TypeCode, TypeName: it.TypeName, State: it.State,
			Title: it.Title, CompletedOn: it.CompletedOn, Claimed: credits.FormatCredits(it.Claimed), Flagged: it.Flagged,
			AssigneeID: it.AssigneeID, SubmittedAt: utcPtr(it.SubmittedAt), TargetOn: it.TargetOn, AgeDays: it.AgeDays,
			PastTarget: it.PastTarget})
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

type staffUploadView struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	ScanState   string `json:"scan_state"`
	// Notice tells staff where the file stands, with what a scanner
	// found (uploads.StaffNotice).
	Notice string `json:"notice"`
}

type ceReviewView struct {
	ceSubmissionView
	UserID     int64             `json:"user_id"`
	Flagged    bool              `json:"flagged"`
	AssigneeID *int64            `json:"assignee_id"`
	Decisions  int               `json:"decisions"`
	Rule       ceRuleView        `json:"rule"`
	Evidence   []staffUploadView `json:"evidence"`
}

// ceReview is a submission as a reviewer sees it: the version of its
// type it is held to, flags, assignee and the files' staff notices.
func (s *server) ceReview(ctx context.Context, r *http.Request, a portal.Actor, id int64) (ceReviewView, error) {
	base, err := s.ceSubmission(ctx, r, a, id)
	if err != nil {
		return ceReviewView{}, err
	}
	sub, typ, err := s.credits.SubmissionVersion(ctx, a, id)
	if err != nil {
		return ceReviewView{}, err
	}
	files, err := s.credits.Evidence(ctx, a, id)
	if err != nil {
		return ceReviewView{}, err
	}
	base.Evidence = nil
	v := ceReviewView{ceSubmissionView: base, UserID: sub.UserID, Flagged: sub.Flagged, AssigneeID: sub.AssigneeID,
		Decisions: sub.Decisions, Rule: newCERuleView(typ), Evidence: []staffUploadView{}}
	l := s.localizer(r)
	for _, u := range files {
		msg, data := uploads.StaffNotice(u)
		v.Evidence = append(v.Evidence, staffUploadView{ID: u.ID, Name: u.DisplayName, ContentType: u.ContentType, Size: u.SizeBytes,
			ScanState: u.ScanStatus, Notice: l.T(msg, data)})
	}
	return v, nil
}

// handleCEReviewShow is one submission for review.
func (s *server) handleCEReviewShow(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	return showSubmission(s, w, r, a, s.ceReview)
}

// handleCEClaim assigns an open submission to the caller, or to the
// reviewer named by reviewer_id.
func (s *server) handleCEClaim(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	var req struct {
		ReviewerID int64 `json:"reviewer_id"`
	}
	return s.ceReviewAction(w, r, a, &req, func(ctx context.Context, id int64) error {
		_, err := s.credits.Claim(ctx, a, id, req.ReviewerID)
		return err
	})
}

// handleCEDecide records a decision: outcome approve, partial (credits
// within the rule's bounds and reason_text), deny (reason_code from the
// list and reason_text) or info (reason_text: the question).
func (s *server) handleCEDecide(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	var req struct {
		Outcome    string `json:"outcome"`
		Credits    string `json:"credits"`
		ReasonCode string `json:"reason_code"`
		ReasonText string `json:"reason_text"`
	}
	return s.ceReviewAction(w, r, a, &req, func(ctx context.Context, id int64) error {
		_, err := s.credits.Decide(ctx, a, id, credits.Decision{Outcome: strings.TrimSpace(req.Outcome), Credits: req.Credits,
			ReasonCode: strings.TrimSpace(req.ReasonCode), ReasonText: req.ReasonText})
		return err
	})
}

// ceReviewAction runs a reviewer's action on a submission, its body
// decoded into req, and answers the submission as the reviewer sees it
// after it.
func (s *server) ceReviewAction(w http.ResponseWriter, r *http.Request, a portal.Actor, req any, do func(ctx context.Context, id int64) error) error {
	return submissionAction(s, w, r, a, req, do, s.ceReview)
}

// handleCEReviewEvidence sends one file of a submission to a reviewer. A
// file being scanned is a 409 (upload.scan_pending) and a quarantined one
// a 403; a file no scanner looked at is a 409 (upload.unscanned_warning)
// until asked again with ?acknowledge_unscanned=true.
func (s *server) handleCEReviewEvidence(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	var ack bool
	switch r.URL.Query().Get("acknowledge_unscanned") {
	case "", "false":
	case "true":
		ack = true
	default:
		return fieldRefusal("acknowledge_unscanned", "api.bool_invalid")
	}
	return s.sendEvidence(w, r, a, ack)
}
