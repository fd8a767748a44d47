// Package webtest helps the tests of the page packages (candidate,
// console) render their pages through the page kit without a database:
// a kit with the sections under test, and a page rendered for a viewer in
// a language and parsed for assertions by selector. Only tests import it.
package webtest

import (
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/web"
)

// Now is the time of the kit's clock in NewServer.
var Now = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// NewServer returns a kit with the given sections and no services: the
// program "Acme <Cloud>" at http://portal.test, its clock at Now, the
// real message catalogue.
func NewServer(t testing.TB, sections ...web.Section) *web.Server {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Config{BaseURL: "http://portal.test", ProgramName: "Acme <Cloud>"}, web.Deps{
		Log: slog.New(slog.DiscardHandler), Clock: testutil.NewClock(Now), Catalog: cat,
	}, sections...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// RenderAs renders page template name with p for a GET of path in lang,
// with the layout's title titleID, as a viewer who may use the routes may
// allows, and parses it.
func RenderAs(t testing.TB, s *web.Server, path, lang, name, titleID string, p web.Page, may func(string) bool) *testutil.HTMLNode {
	t.Helper()
	r := web.WithLang(httptest.NewRequest("GET", path, nil), lang)
	b := web.BaseOf(p)
	s.FillBase(r, b, titleID)
	b.Allow = may
	w := httptest.NewRecorder()
	if err := s.Render(w, r, 200, name, p); err != nil {
		t.Fatal(err)
	}
	return testutil.ParseHTML(t, w.Body.String())
}

// MayAll allows every route; MayNone, none.
func MayAll(string) bool { return true }

// MayNone allows no route.
func MayNone(string) bool { return false }
