package candidate

import (
	"net/http/httptest"
	"strings"
	"testing"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// TestUserDataIsEscaped: data from the database is text, never markup, in
// every context of a page (SECURITY.md IN-05).
func TestUserDataIsEscaped(t *testing.T) {
	s := newTestServer(t)
	hostile := `"><img src=x onerror=alert(1)>{{.}}` + "\u202e"
	r := httptest.NewRequest("GET", "/exams", nil)
	r = r.WithContext(r.Context())
	w := httptest.NewRecorder()
	p := &examListPage{Exams: []*portal.Exam{{Code: "X-1", Name: hostile, Level: portal.LevelAssociate, Kind: portal.KindExam, Currency: "USD"}}}
	s.FillBase(r, &p.BasePage, "exams.title")
	p.User = &portal.User{FirstName: hostile, LastName: "<script>alert(2)</script>", Role: portal.RoleCandidate}
	if err := s.Render(w, r, 200, "exam_list", p); err != nil {
		t.Fatal(err)
	}
	out := w.Body.String()
	for _, bad := range []string{"<img src=x", "<script>alert(2)", "<Cloud>"} {
		if strings.Contains(out, bad) {
			t.Errorf("page contains live markup %q", bad)
		}
	}
	for _, want := range []string{"&lt;img src=x onerror=alert(1)&gt;{{.}}", "&lt;script&gt;alert(2)&lt;/script&gt;", "Acme &lt;Cloud&gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks the escaped text %q", want)
		}
	}
}

// TestNoticeOnlyFromTheAllowList: ?notice= shows a known message or
// nothing, so a crafted link cannot put text on the page.
func TestNoticeOnlyFromTheAllowList(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct{ query, want string }{
		{"?notice=signed_out", "You are signed out."},
		{"?notice=You+won+a+prize", ""},
	} {
		r := httptest.NewRequest("GET", "/signin"+tc.query, nil)
		var b web.BasePage
		s.FillBase(r, &b, "signin.title")
		if b.Notice != tc.want {
			t.Errorf("%s: notice = %q, want %q", tc.query, b.Notice, tc.want)
		}
	}
}
