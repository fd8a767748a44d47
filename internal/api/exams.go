package api

import (
	"net/http"

	"example.org/certportal/internal/portal"
)

// handleExamList lists the active catalog.
func (s *server) handleExamList(w http.ResponseWriter, r *http.Request, _ portal.Actor) error {
	list, err := s.exams.Catalog(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Exams []examView `json:"exams"`
	}{Exams: []examView{}}
	for _, e := range list {
		out.Exams = append(out.Exams, newExamView(e))
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}
