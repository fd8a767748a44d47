package accounttest

import (
	"net/http"
	"net/url"
	"testing"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil/apptest"
)

// TestRedirectsAfterSignInStayOnSite: a next parameter that would lead a
// browser to another host (a backslash, a tab, dot-segments, an encoded
// slash) is replaced by the usual page after sign-in and after a language
// change; a plain local path is kept.
func TestRedirectsAfterSignInStayOnSite(t *testing.T) {
	a := apptest.Start(t, store.SQLite, apptest.WithArgs("--demo"))
	cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
	for _, tc := range []struct{ next, wantSignIn, wantLanguage string }{
		{"/./\\evil.example", "/dashboard", "/"},
		{"/a/../\\evil.example", "/dashboard", "/"},
		{"/%5Cevil.example", "/dashboard", "/"},
		{"/\t/evil.example", "/dashboard", "/"},
		{"//evil.example", "/dashboard", "/"},
		{"https://evil.example/", "/dashboard", "/"},
		{"/exams", "/exams", "/exams"},
	} {
		t.Run(tc.next, func(t *testing.T) {
			c := a.Client()
			resp := a.PostForm(t, c, "/signin", url.Values{"email": {cand[1]}, "password": {cand[2]}, "next": {tc.next}})
			_ = apptest.Body(t, resp)
			if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != tc.wantSignIn {
				t.Errorf("sign-in with next=%q: %d to %q, want 303 to %q", tc.next, resp.StatusCode, got, tc.wantSignIn)
			}
			resp = a.PostForm(t, a.Client(), "/language", url.Values{"lang": {"es"}, "next": {tc.next}})
			_ = apptest.Body(t, resp)
			if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != tc.wantLanguage {
				t.Errorf("language with next=%q: %d to %q, want 303 to %q", tc.next, resp.StatusCode, got, tc.wantLanguage)
			}
		})
	}
}
