package candidate

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/web"
)

// TestSuggestionsNameTheRegion: a typo's suggestions name places as
// people do ("Madrid, Madrid", "Portland, Oregon"), never by a region code
// ("Madrid, 29"), and link a search that finds exactly that place (a
// suggested ZIP code searches for the code).
func TestSuggestionsNameTheRegion(t *testing.T) {
	s := newTestServer(t)
	rawCode := regexp.MustCompile(`, [0-9A-Z]{1,3}$`)
	for _, tc := range []struct {
		country, query, want, wantNear string
	}{
		{"ES", "Madird", "Madrid, Madrid", "Madrid, 29"},
		{"US", "Portlnd", "Portland, Oregon", "Portland, OR"},
		{"US", "98100", "98101 – Seattle, Washington", "98101"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			_, err := geo.Resolve(tc.country, tc.query)
			var nf *geo.NotFoundError
			if !errors.As(err, &nf) || len(nf.Suggestions) == 0 {
				t.Fatalf("Resolve(%s, %s) = %v, want suggestions", tc.country, tc.query, err)
			}
			r := httptest.NewRequest("GET", "/schedule/SAA-C03/centers", nil)
			p := &centerSearchPage{Exam: &portal.Exam{Code: "SAA-C03"}, Form: web.NewForm(), Unit: "km", Suggestions: nf.Suggestions, Searched: true}
			p.Form.Values["radius"] = "50"
			s.FillBase(r, &p.BasePage, "schedule.search.title")
			p.Countries = geo.Countries("en")
			w := httptest.NewRecorder()
			if err := s.Render(w, r, http.StatusOK, "schedule_centers", p); err != nil {
				t.Fatal(err)
			}
			doc := testutil.ParseHTML(t, w.Body.String())
			links := doc.Find("ul.suggestions a")
			found := false
			for _, a := range links {
				label := a.Text()
				if rawCode.MatchString(label) {
					t.Errorf("suggestion %q shows a region code", label)
				}
				if label != tc.want {
					continue
				}
				found = true
				href, _ := a.Attr("href")
				u, err := url.Parse(href)
				if err != nil {
					t.Fatal(err)
				}
				if got := u.Query().Get("near"); got != tc.wantNear {
					t.Errorf("%q searches near %q, want %q", label, got, tc.wantNear)
				}
				if pl, err := geo.Resolve(tc.country, u.Query().Get("near")); err != nil || !strings.HasPrefix(tc.want, pl.Name) && pl.Postal != tc.wantNear {
					t.Errorf("the link's search finds %+v, %v", pl, err)
				}
			}
			if !found {
				t.Errorf("suggestions %q lack %q", doc.Texts("ul.suggestions a"), tc.want)
			}
		})
	}
}
