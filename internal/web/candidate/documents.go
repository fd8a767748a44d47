package candidate

import (
	"net/http"
	"strconv"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// The holder's signed PDF documents: the certificate of an earned
// certification, the score report of an official result, the
// transcript and the continuing-education transcript. The credentials
// service decides who gets which; these handlers only send the file.

// handleCertificatePDF downloads the holder's signed certificate.
func (s *Pages) handleCertificatePDF(w http.ResponseWriter, r *http.Request) error {
	if s.Credentials == nil {
		return portal.ErrNotFound
	}
	id, err := certificationID(r)
	if err != nil {
		return err
	}
	f, err := s.Credentials.CertificatePDF(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	return f.Serve(w)
}

// handleCycleCertificatePDF downloads the signed certificate of one cycle
// of the holder's certification, an earlier cycle's printing that cycle's
// period.
func (s *Pages) handleCycleCertificatePDF(w http.ResponseWriter, r *http.Request) error {
	if s.Credentials == nil {
		return portal.ErrNotFound
	}
	id, err := certificationID(r)
	if err != nil {
		return err
	}
	cycle, err := strconv.Atoi(r.PathValue("cycle"))
	if err != nil || cycle <= 0 {
		return portal.ErrNotFound
	}
	f, err := s.Credentials.CycleCertificatePDF(r.Context(), web.Actor(r), id, cycle)
	if err != nil {
		return err
	}
	return f.Serve(w)
}

// handleScoreReportPDF downloads the signed score report of one of the
// holder's official results.
func (s *Pages) handleScoreReportPDF(w http.ResponseWriter, r *http.Request) error {
	if s.Credentials == nil {
		return portal.ErrNotFound
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return portal.ErrNotFound
	}
	f, err := s.Credentials.ScoreReportPDF(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	return f.Serve(w)
}

// handleTranscriptPDF downloads the holder's signed transcript.
func (s *Pages) handleTranscriptPDF(w http.ResponseWriter, r *http.Request) error {
	if s.Credentials == nil {
		return portal.ErrNotFound
	}
	f, err := s.Credentials.TranscriptPDF(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	return f.Serve(w)
}

// handleCETranscriptPDF downloads the candidate's signed
// continuing-education transcript.
func (s *Pages) handleCETranscriptPDF(w http.ResponseWriter, r *http.Request) error {
	if s.Credentials == nil {
		return portal.ErrNotFound
	}
	f, err := s.Credentials.CETranscriptPDF(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	return f.Serve(w)
}
