package web

import (
	"net/http"

	"example.org/certportal/internal/portal"
)

// RequestActor returns the actor of the request's signed-in user, for the
// JSON API that the app mounts under /api/v1/ beside the site, behind this
// server's middleware (Server.Wrap). It reports false unless the session is fully
// signed in (not waiting for a second factor) and the email address is
// verified, the same users requireUser lets through to candidate pages;
// outside the middleware it always reports false.
func RequestActor(r *http.Request) (portal.Actor, bool) {
	sess := info(r).Session
	if sess == nil || !sess.Active() || sess.User == nil || sess.User.EmailVerifiedAt == nil || sess.User.DisabledAt != nil {
		return portal.Actor{}, false
	}
	return Actor(r), true
}

// RequestIP returns the client address of a request as the middleware
// found it (behind trusted proxies), for the API's per-address limits;
// outside the middleware it is empty.
func RequestIP(r *http.Request) string { return info(r).IP }
