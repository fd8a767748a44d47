package candidate

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.org/certportal/internal/portal"
)

// TestCredentialPathRedirectKeepsTheCheckCharacter: an ID typed in another
// case redirects to its canonical path spelt as the ID is, whatever its
// check character (a symbol among them: * ~ $ =), so the address a holder
// shares is the one the page shows.
func TestCredentialPathRedirectKeepsTheCheckCharacter(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /credentials/{id}", func(w http.ResponseWriter, r *http.Request) {
		if _, ok, err := parseCredentialPath(w, r, ".json"); err != nil || ok {
			t.Errorf("%s: ok %v, err %v; want a redirect", r.URL.Path, ok, err)
		}
	})
	found := map[byte]portal.CredentialID{}
	// Letters in the body, so the lower-case spelling differs.
	v := [16]byte{0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd, 0xcd}
	for i := 0; len(found) < 5 && i < 1<<16; i++ {
		v[14], v[15] = byte(i>>8), byte(i)
		id := portal.CredentialIDFromBytes(v)
		last := id[len(id)-1]
		if strings.IndexByte("*~$=A", last) >= 0 {
			found[last] = id
		}
	}
	if len(found) != 5 {
		t.Fatalf("found IDs ending in %d of the 5 characters", len(found))
	}
	for last, id := range found {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", "/credentials/"+strings.ToLower(string(id)), nil))
		want := "/credentials/" + string(id) + ".json"
		if got := w.Header().Get("Location"); w.Code != http.StatusMovedPermanently || got != want {
			t.Errorf("check character %q: %d → %q, want 301 → %q", last, w.Code, got, want)
		}
	}
}
