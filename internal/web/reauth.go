package web

import (
	"net/http"
	"time"
)

// RecentlyProved reports whether the request's actor proved its password
// and second factor recently enough for a sensitive change
// (portal.Actor.RecentlyProved, the rule the services enforce), so that a
// page can ask to sign in again before the form rather than after it.
func RecentlyProved(r *http.Request, now time.Time) bool {
	return Actor(r).RecentlyProved(now)
}

// mfaReauthPage asks to sign in again before a change.
type mfaReauthPage struct {
	BasePage
	Next string
}

// RenderReauth answers with the page that asks to sign in again before a
// sensitive change, with status; next is the page to come back to.
func (s *Server) RenderReauth(w http.ResponseWriter, r *http.Request, status int, next string) error {
	p := &mfaReauthPage{Next: LocalPath(next, "/profile/security")}
	s.FillBase(r, &p.BasePage, "mfa.reauth_title")
	return s.Render(w, r, status, "mfa_reauth", p)
}

// CheckRecent answers a POST from a session that signed in too long ago
// with the page that asks to sign in again (403), and reports whether it
// did. next is the page to come back to.
func (s *Server) CheckRecent(w http.ResponseWriter, r *http.Request, next string) (bool, error) {
	if RecentlyProved(r, s.Clock.Now()) {
		return false, nil
	}
	return true, s.RenderReauth(w, r, http.StatusForbidden, next)
}
