package candidate

import (
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/web"
)

func newSupportServer(t *testing.T) *web.Server {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Config{BaseURL: "http://portal.test", ProgramName: "Acme"}, web.Deps{
		Log: slog.New(slog.DiscardHandler), Clock: testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)), Catalog: cat,
	}, Section())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// renderPage renders a page for a GET of path in lang and parses it.
func renderPage(t *testing.T, s *web.Server, path, lang, name, title string, p web.Page) *testutil.HTMLNode {
	t.Helper()
	r := web.WithLang(httptest.NewRequest("GET", path, nil), lang)
	s.FillBase(r, web.BaseOf(p), title)
	w := httptest.NewRecorder()
	if err := s.Render(w, r, 200, name, p); err != nil {
		t.Fatal(err)
	}
	return testutil.ParseHTML(t, w.Body.String())
}

// TestHelpShowsTheSupportContact: the Help page shows the program's
// support address and site, in every language, and says so when there is
// none; the sections that other pages link to exist.
func TestHelpShowsTheSupportContact(t *testing.T) {
	for _, tc := range []struct {
		name, email, url  string
		wantMail, wantURL string
	}{
		{"both", "help@example.org", "https://help.example.org/contact", "mailto:help@example.org", "https://help.example.org/contact"},
		{"address only", "help@example.org", "", "mailto:help@example.org", ""},
		{"site only", "", "https://help.example.org/", "", "https://help.example.org/"},
		{"none", "", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSupportServer(t)
			for _, lang := range s.Catalog.Languages() {
				p := &helpPage{SupportEmail: tc.email, SupportURL: tc.url}
				doc := renderPage(t, s, "/help", lang, "help", "help.title", p)
				gotMail := doc.AttrOf("#support ~ dl a.support-email", "href")
				gotURL := doc.AttrOf("#support ~ dl a.support-url", "href")
				if gotMail != tc.wantMail || gotURL != tc.wantURL {
					t.Errorf("%s: contact links %q %q, want %q %q", lang, gotMail, gotURL, tc.wantMail, tc.wantURL)
				}
				if none := doc.Has(".support-none"); none != (tc.email == "" && tc.url == "") {
					t.Errorf("%s: 'no contact' text shown = %v", lang, none)
				}
				for _, id := range []string{"support", "name", "lost-factor"} {
					if h := doc.TextOf("h2#" + id); h == "" || h[0] == '[' {
						t.Errorf("%s: section #%s heading %q", lang, id, h)
					}
				}
			}
		})
	}
}

// TestSupportLinksLeadToHelp: the second sign-in step's "lost your
// authenticator" line and the locked legal name link to the Help page's
// sections, in every language.
func TestSupportLinksLeadToHelp(t *testing.T) {
	s := newSupportServer(t)
	for _, lang := range s.Catalog.Languages() {
		mfa := &signInMFAPage{Form: web.NewForm(), Status: &accounts.MFAStatus{TOTP: true, BackupCodesLeft: 10}}
		doc := renderPage(t, s, "/signin/mfa", lang, "signin_mfa", "signin_mfa.title", mfa)
		if href := doc.AttrOf("a.lost-factor", "href"); href != "/help#lost-factor" {
			t.Errorf("%s: sign-in step 'lost' link %q, want /help#lost-factor", lang, href)
		}
		locked := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		u := &portal.User{FirstName: "Ana", LastName: "Test", Email: "ana@example.org", LegalNameLockedAt: &locked}
		prof := &profilePage{Form: web.NewForm(), Account: u, NameLocked: true}
		doc = renderPage(t, s, "/profile", lang, "profile", "profile.title", prof)
		if href := doc.AttrOf("a.name-change", "href"); href != "/help#name" {
			t.Errorf("%s: locked legal name link %q, want /help#name", lang, href)
		}
	}
}
