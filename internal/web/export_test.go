package web

import (
	"net/http"
	"slices"

	"example.org/certportal/internal/portal"
)

// What the tests of package web_test (the assembled site: the kit with
// its sections) need of the kit's inside.

// Notices is every notice the server knows, with its catalog message.
func (s *Server) Notices() map[Notice]string { return s.notices }

// Guarded is h behind the access check a and the middleware that loads
// the session, without the route's handler.
func (s *Server) Guarded(a Access, h http.Handler) http.Handler {
	return s.observe(s.loadSession(s.guard(a, h)))
}

// Routes returns the assembled route table: the kit's routes and those of
// every section, each with the access it needs.
func (s *Server) Routes() []Route { return slices.Clone(s.routes) }

// Permission is the permission a Staff route needs; false for the other
// kinds of access.
func (a Access) Permission() (portal.Permission, bool) { return a.perm, a.kind == accessStaff }

// Public reports whether anyone, signed in or not, may reach the route.
func (a Access) Public() bool { return a.kind == accessAnyone }
