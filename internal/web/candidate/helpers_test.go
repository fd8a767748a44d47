package candidate

import (
	"testing"

	"example.org/certportal/internal/web/webtest"
)

// newTestServer is the candidate pages on a kit without services.
func newTestServer(t *testing.T) *Pages {
	t.Helper()
	return newPages(webtest.NewServer(t, Section()))
}
