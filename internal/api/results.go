package api

import (
	"net/http"
	"strconv"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
)

// The candidate's own results and certifications, and the staff queue of
// results awaiting a second officer or held under review. The results
// service decides what each caller sees: a result's score only once
// official, and only the caller's own.

// attemptView is a line of the exam history (Attempt).
type attemptView struct {
	State            string  `json:"state"`
	AttemptID        *int64  `json:"attempt_id"`
	BookingReference string  `json:"booking_reference"`
	ExamCode         string  `json:"exam_code"`
	ExamName         string  `json:"exam_name"`
	Microcredential  bool    `json:"microcredential"`
	TakenAt          string  `json:"taken_at"`
	OfficialAt       string  `json:"official_at"`
	Passed           *bool   `json:"passed"`
	Score            *int    `json:"score"`
	PassingScore     *int    `json:"passing_score"`
	RetakeFrom       *string `json:"retake_from"`
	AskSupport       bool    `json:"ask_support"`
}

func newAttemptView(e results.HistoryEntry) attemptView {
	v := attemptView{
		State: e.State, BookingReference: e.BookingRef, ExamCode: e.ExamCode, ExamName: e.ExamName,
		Microcredential: e.Microcredential, TakenAt: utc(e.TakenAt), OfficialAt: utc(e.OfficialOn),
		RetakeFrom: utcPtr(e.RetakeFrom), AskSupport: e.AskSupport,
	}
	if e.AttemptID != 0 {
		id := e.AttemptID
		v.AttemptID = &id
	}
	switch e.State {
	case results.HistoryProvisional:
		passed := e.Passed
		v.Passed = &passed
	case results.HistoryPassed, results.HistoryFailed:
		passed, score, passing := e.Passed, e.Score, e.PassingScore
		v.Passed, v.Score, v.PassingScore = &passed, &score, &passing
	}
	return v
}

// scoreReportView is an official result's report (ScoreReport).
type scoreReportView struct {
	AttemptID       int64                 `json:"attempt_id"`
	FirstName       string                `json:"first_name"`
	LastName        string                `json:"last_name"`
	ExamCode        string                `json:"exam_code"`
	ExamName        string                `json:"exam_name"`
	Microcredential bool                  `json:"microcredential"`
	TakenAt         string                `json:"taken_at"`
	TakenAtLocal    string                `json:"taken_at_local"`
	TimeZone        string                `json:"time_zone"`
	Score           int                   `json:"score"`
	PassingScore    int                   `json:"passing_score"`
	Passed          bool                  `json:"passed"`
	Domains         []portal.DomainResult `json:"domains"`
	RetakeFrom      *string               `json:"retake_from"`
}

func newScoreReportView(r *results.ScoreReport) scoreReportView {
	loc := r.TimeZone
	if loc == nil {
		loc = time.UTC
	}
	v := scoreReportView{
		AttemptID: r.AttemptID, FirstName: r.FirstName, LastName: r.LastName, ExamCode: r.ExamCode, ExamName: r.ExamName,
		Microcredential: r.Microcredential, TakenAt: utc(r.TakenAt), TakenAtLocal: local(r.TakenAt, loc), TimeZone: loc.String(),
		Score: r.Score, PassingScore: r.PassingScore, Passed: r.Passed, Domains: r.Domains, RetakeFrom: utcPtr(r.RetakeFrom),
	}
	if v.Domains == nil {
		v.Domains = []portal.DomainResult{}
	}
	return v
}

// certificationView is an earned certification (UserCertification).
type certificationView struct {
	ID              int64  `json:"id"`
	Code            string `json:"code"`
	Name            string `json:"name"`
	Level           string `json:"level"`
	Microcredential bool   `json:"microcredential"`
	Status          string `json:"status"`
	IssuedOn        string `json:"issued_on"`
	ExpiresOn       string `json:"expires_on"`
	ExpiresAt       string `json:"expires_at"`
	MonthsLeft      int    `json:"months_left"`
	ExamCode        string `json:"exam_code"`
}

func newCertificationView(c results.CertificationView) certificationView {
	return certificationView{
		ID: c.ID, Code: c.Code, Name: c.Name, Level: c.Level, Microcredential: c.Microcredential, Status: c.Status,
		IssuedOn: c.IssuedOn, ExpiresOn: c.ExpiresOn, ExpiresAt: utc(c.ExpiresAt), MonthsLeft: c.MonthsLeft, ExamCode: c.ExamCode,
	}
}

// awaitingView is a result in the staff queue (AwaitingResult).
type awaitingView struct {
	ID               int64  `json:"id"`
	State            string `json:"state"`
	Source           string `json:"source"`
	LoginID          string `json:"login_id"`
	Email            string `json:"email"`
	FirstName        string `json:"first_name"`
	LastName         string `json:"last_name"`
	ExamCode         string `json:"exam_code"`
	ExamName         string `json:"exam_name"`
	BookingReference string `json:"booking_reference"`
	TakenAt          string `json:"taken_at"`
	Score            int    `json:"score"`
	PassingScore     int    `json:"passing_score"`
	Passed           bool   `json:"passed"`
	OfficialAt       string `json:"official_at"`
	HoldReason       string `json:"hold_reason"`
}

func newAwaitingView(a *portal.AttemptDetail) awaitingView {
	return awaitingView{
		ID: a.ID, State: a.State, Source: a.Source, LoginID: a.UserLoginID, Email: a.UserEmail, FirstName: a.FirstName,
		LastName: a.LastName, ExamCode: a.ExamCode, ExamName: a.ExamName, BookingReference: a.BookingReference,
		TakenAt: utc(a.TakenAt), Score: a.Score, PassingScore: a.PassingScore, Passed: a.Passed, OfficialAt: utc(a.OfficialAt),
		HoldReason: a.HoldReason,
	}
}

// handleMyAttempts is the caller's exam history.
func (s *server) handleMyAttempts(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	list, err := s.results.History(r.Context(), a)
	if err != nil {
		return err
	}
	out := struct {
		Attempts []attemptView `json:"attempts"`
	}{Attempts: []attemptView{}}
	for _, e := range list {
		out.Attempts = append(out.Attempts, newAttemptView(e))
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// handleMyAttempt is the score report of one of the caller's official
// results; a result not yet official is not found.
func (s *server) handleMyAttempt(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return portal.ErrNotFound
	}
	rep, err := s.results.ScoreReport(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, newScoreReportView(rep))
	return nil
}

// handleMyCertifications lists the caller's earned certifications.
func (s *server) handleMyCertifications(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	list, err := s.results.Certifications(r.Context(), a)
	if err != nil {
		return err
	}
	out := struct {
		Certifications []certificationView `json:"certifications"`
	}{Certifications: []certificationView{}}
	for _, c := range list {
		out.Certifications = append(out.Certifications, newCertificationView(c))
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// handleResultsAwaiting lists results awaiting confirmation and results
// under review.
func (s *server) handleResultsAwaiting(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	list, err := s.results.Awaiting(r.Context(), a)
	if err != nil {
		return err
	}
	out := struct {
		Results []awaitingView `json:"results"`
	}{Results: []awaitingView{}}
	for _, x := range list {
		out.Results = append(out.Results, newAwaitingView(x))
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}
