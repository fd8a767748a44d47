package api

import (
	"net/http"
	"strconv"

	"example.org/certportal/internal/portal"
)

// The caller's signed PDF documents; the credentials service decides who
// gets which.

func (s *server) handleMyCertificatePDF(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return portal.ErrNotFound
	}
	f, err := s.creds.CertificatePDF(r.Context(), a, id)
	if err != nil {
		return err
	}
	return f.Serve(w)
}

func (s *server) handleMyScoreReportPDF(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return portal.ErrNotFound
	}
	f, err := s.creds.ScoreReportPDF(r.Context(), a, id)
	if err != nil {
		return err
	}
	return f.Serve(w)
}

func (s *server) handleMyTranscriptPDF(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	f, err := s.creds.TranscriptPDF(r.Context(), a)
	if err != nil {
		return err
	}
	return f.Serve(w)
}

func (s *server) handleMyCETranscriptPDF(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	f, err := s.creds.CETranscriptPDF(r.Context(), a)
	if err != nil {
		return err
	}
	return f.Serve(w)
}
