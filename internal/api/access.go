package api

import (
	"net/http"

	"example.org/certportal/internal/portal"
)

// access is who may call an operation: anyone, a signed-in user, or staff
// holding one permission. Deny by default: every route of the table names
// one, and the access tests walk the table. The services decide again
// from the actor.
type access struct {
	signedIn bool
	perm     portal.Permission // 0: no permission needed
}

var (
	anyone   = access{}
	signedIn = access{signedIn: true}
)

// staff is the access of an operation that needs p.
func staff(p portal.Permission) access { return access{signedIn: true, perm: p} }

// admit returns the actor of a request that may call an operation of
// access a, or the refusal: 401 without a session, 403 without the
// permission or, for staff, without a second factor.
func (s *server) admit(a access, r *http.Request) (portal.Actor, error) {
	if !a.signedIn {
		return portal.Actor{}, nil
	}
	actor, ok := s.actor(r)
	// The zero user ID is the system actor to the services; it must never
	// reach them from a request.
	if !ok || actor.UserID == 0 {
		return portal.Actor{}, errSignInRequired
	}
	if a.perm != 0 {
		if err := actor.Authorize(a.perm); err != nil {
			return portal.Actor{}, err
		}
	}
	return actor, nil
}

// RouteAccess is one operation of the API with the access it needs, for
// the tests that walk both surfaces' tables.
type RouteAccess struct {
	Method     string
	Path       string // relative to Prefix
	SignedIn   bool
	Permission portal.Permission // 0: none
}

// AccessTable lists every operation of the API with its access.
func AccessTable() []RouteAccess {
	out := make([]RouteAccess, len(routes))
	for i, rt := range routes {
		out[i] = RouteAccess{Method: rt.Method, Path: rt.Path, SignedIn: rt.Access.signedIn, Permission: rt.Access.perm}
	}
	return out
}
