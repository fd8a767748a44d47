package candidate

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"example.org/certportal/internal/testutil"
)

// TestFaviconIsServed (a test of the kit's static files, here for a page to
// link them): every page links the icon, and /favicon.ico, which
// browsers ask for by itself, is an icon that may be cached, not a 404.
func TestFaviconIsServed(t *testing.T) {
	s := newTestServer(t)
	h := s.Handler()
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w
	}
	w := get("/help")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /help: %d", w.Code)
	}
	doc := testutil.ParseHTML(t, w.Body.String())
	icons := doc.Find(`head link[rel="icon"]`)
	if len(icons) == 0 {
		t.Fatal("the page links no icon")
	}
	for _, icon := range icons {
		href, _ := icon.Attr("href")
		if w := get(href); w.Code != http.StatusOK || w.Body.Len() == 0 {
			t.Errorf("linked icon %s: %d, %d bytes", href, w.Code, w.Body.Len())
		}
	}
	w = get("/favicon.ico")
	for _, tc := range []struct{ got, want string }{
		{http.StatusText(w.Code), http.StatusText(http.StatusOK)},
		{w.Header().Get("Content-Type"), "image/x-icon"},
		{w.Header().Get("Cache-Control"), "public, max-age=604800"},
		{w.Body.String()[:4], "\x00\x00\x01\x00"}, // an ICO header
	} {
		if tc.got != tc.want {
			t.Errorf("/favicon.ico: got %q, want %q", tc.got, tc.want)
		}
	}
}
