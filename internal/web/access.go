package web

import (
	"errors"
	"net/http"

	"example.org/certportal/internal/portal"
)

// Access is who may reach a route: Anyone, SignedIn, or Staff holding one
// permission. The services decide again from the actor; this only keeps a
// request from reaching a handler it could not use.
type Access struct {
	kind accessKind
	perm portal.Permission
}

type accessKind int

const (
	accessAnyone accessKind = iota
	accessSignedIn
	accessStaff
)

var (
	// Anyone is the access of a public route.
	Anyone = Access{kind: accessAnyone}
	// SignedIn is the access of a route for any signed-in user.
	SignedIn = Access{kind: accessSignedIn}
)

// Staff is the access of a console route that needs p.
func Staff(p portal.Permission) Access { return Access{kind: accessStaff, perm: p} }

// guard puts the access check of a route in front of its handler. A
// visitor is sent to sign in (requireUser); staff without a second factor
// are sent to enrol one on GET and refused otherwise (MFA-01); anyone else
// without the permission is refused.
func (s *Server) guard(a Access, next http.Handler) http.Handler {
	switch a.kind {
	case accessSignedIn:
		return s.requireUser(next)
	case accessStaff:
		return s.requireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			err := Actor(r).Authorize(a.perm)
			switch {
			case err == nil:
				next.ServeHTTP(w, r)
			case errors.Is(err, portal.ErrSecondFactorRequired) && (r.Method == http.MethodGet || r.Method == http.MethodHead):
				http.Redirect(w, r, MFARequiredPath, http.StatusSeeOther)
			default:
				s.serveError(w, r, err)
			}
		}))
	}
	return next
}

// allows reports whether the request's actor may open a page of the route
// table by its pattern, e.g. "GET /console/audit", so that navigation and
// links show each user only what they may open.
func (s *Server) allows(r *http.Request, pattern string) bool {
	a, ok := s.access[pattern]
	if !ok {
		return false
	}
	switch a.kind {
	case accessSignedIn:
		sess := info(r).Session
		return sess != nil && sess.Active()
	case accessStaff:
		return Actor(r).Can(a.perm)
	}
	return true
}

// MFARequiredPath is where the guard sends staff without a second factor
// (MFA-01).
const MFARequiredPath = "/profile/security/totp?required=1"
