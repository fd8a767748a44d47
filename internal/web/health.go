package web

import (
	"context"
	"net/http"
	"time"
)

// handleHealthz answers while the process is up.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write([]byte("ok\n"))
	return err
}

// handleReadyz answers 200 when the database is reachable and migrated,
// 503 otherwise, so a load balancer sends no traffic to an instance that
// cannot serve it.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.Ready(ctx); err != nil {
		s.Log.WarnContext(ctx, "not ready", "err", err.Error())
		w.WriteHeader(http.StatusServiceUnavailable)
		_, werr := w.Write([]byte("not ready\n"))
		return werr
	}
	_, err := w.Write([]byte("ready\n"))
	return err
}
