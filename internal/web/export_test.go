package web

import "net/http"

// What the tests of package web_test (the assembled site: the kit with
// its sections) need of the kit's inside.

// Notices is every notice the server knows, with its catalog message.
func (s *Server) Notices() map[Notice]string { return s.notices }

// Guarded is h behind the access check a and the middleware that loads
// the session, without the route's handler.
func (s *Server) Guarded(a Access, h http.Handler) http.Handler {
	return s.observe(s.loadSession(s.guard(a, h)))
}
