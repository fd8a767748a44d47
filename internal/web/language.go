package web

import (
	"net/http"

	"example.org/certportal/internal/portal"
)

// handleLanguage remembers a visitor's language choice in a cookie. (A
// signed-in user's preference is part of the profile.)
func (s *Server) handleLanguage(w http.ResponseWriter, r *http.Request) error {
	if err := ParseForm(r); err != nil {
		return err
	}
	lang := r.PostForm.Get("lang")
	if !s.Catalog.Supported(lang) {
		return portal.ErrInvalid
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, LocalPath(r.PostForm.Get("next"), "/"), http.StatusSeeOther)
	return nil
}
