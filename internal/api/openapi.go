package api

import (
	_ "embed"
	"net/http"

	"example.org/certportal/internal/portal"
)

// openAPIDocument describes every route of the table in api.go; a test
// keeps the two in step.
//
//go:embed openapi.json
var openAPIDocument []byte

// handleOpenAPI serves the OpenAPI 3.1 document.
func (s *server) handleOpenAPI(w http.ResponseWriter, r *http.Request, _ portal.Actor) error {
	writeRaw(w, http.StatusOK, openAPIDocument)
	return nil
}
