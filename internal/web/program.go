package web

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/program"
)

// The program's shared settings as pages see them, and its logo at its
// public address.

// LogoPath is where the program's logo is served to everyone.
const LogoPath = "/logo.png"

// ProgramSettings are the shared program settings, or the zero settings
// when the server runs without the program service.
func (s *Server) ProgramSettings(r *http.Request) (program.Settings, error) {
	if s.Program == nil {
		return program.Settings{PaperSize: program.PaperA4}, nil
	}
	return s.Program.Settings(r.Context())
}

// logoMaxAge is how long a browser keeps the logo at its plain address
// before asking again; the layout links a versioned address (?v=ETag)
// that may be kept for good.
const logoMaxAge = 5 * time.Minute

// logoPolicy is the Content-Security-Policy of the logo opened on its own:
// nothing loads, nothing runs.
const logoPolicy = "default-src 'none'; img-src 'self'; style-src 'none'; script-src 'none'; object-src 'none'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"

// handleLogo serves the program's logo to everyone: a PNG the service
// re-encoded, with an ETag, never sniffed as anything else.
func (s *Server) handleLogo(w http.ResponseWriter, r *http.Request) error {
	if s.Program == nil {
		return portal.ErrNotFound
	}
	data, info, err := s.Program.Logo(r.Context())
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", logoPolicy)
	h.Set("Content-Disposition", `inline; filename="logo.png"`)
	h.Set("ETag", `"`+info.ETag+`"`)
	if v := r.URL.Query().Get("v"); v != "" && v == info.ETag {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(logoMaxAge.Seconds())))
	}
	http.ServeContent(w, r, "logo.png", time.Time{}, bytes.NewReader(data))
	return nil
}

// ProgramZone is the program calendar's time zone, in which results and
// certifications are dated; UTC when the calendar cannot be read.
func (s *Server) ProgramZone(r *http.Request) *time.Location {
	if s.Calendar == nil {
		return time.UTC
	}
	c, err := s.Calendar.Calendar(r.Context())
	if err != nil {
		s.Log.WarnContext(r.Context(), "program calendar unavailable; dates shown in UTC", "err", err)
		return time.UTC
	}
	return c.Location()
}
