package web

import (
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"example.org/certportal/internal/i18n"
)

func TestLocalPathKeepsRedirectsOnSite(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/dashboard", "/dashboard"},
		{"/console/audit?action=auth.", "/console/audit?action=auth."},
		{"/console/", "/console/"},
		{"/a/./b/../c", "/a/c"},
		{"/exams?q=a%20b", "/exams?q=a%20b"},
		{"", "/fallback"},
		{"dashboard", "/fallback"},
		{"https://evil.example/", "/fallback"},
		{"https:evil.example", "/fallback"},
		{"https:/evil.example", "/fallback"},
		{"javascript:alert(1)", "/fallback"},
		{"//evil.example/", "/fallback"},
		{"///evil.example/", "/fallback"},
		{"/\\evil.example", "/fallback"},
		{"\\/evil.example", "/fallback"},
		{"/./\\evil.example", "/fallback"},
		{"/a/../\\evil.example", "/fallback"},
		{"/.//evil.example", "/fallback"},
		{"/a/..//evil.example", "/fallback"},
		{"/%5Cevil.example", "/fallback"},
		{"/%5cevil.example", "/fallback"},
		{"/./%5C%5Cevil.example", "/fallback"},
		{"/%2F/evil.example", "/fallback"},
		{"/%2f%2fevil.example", "/fallback"},
		{"/%2e/%2F/evil.example", "/fallback"},
		{"/\t/evil.example", "/fallback"},
		{"/\n/evil.example", "/fallback"},
		{"/\r\n/evil.example", "/fallback"},
		{"/%09/evil.example", "/fallback"},
		{"/%0d%0aSet-Cookie:x=y", "/fallback"},
		{"/x?next=%0d%0a", "/fallback"},
		{"/\x00/evil.example", "/fallback"},
		{"/%00", "/fallback"},
		{"/\x7f/evil.example", "/fallback"},
		{"/%zz", "/fallback"},
		{"/@evil.example", "/@evil.example"},
	} {
		got := LocalPath(tc.in, "/fallback")
		if got != tc.want {
			t.Errorf("LocalPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
		// Whatever is accepted must stay on this host when http.Redirect
		// writes it and a browser resolves it.
		rec := httptest.NewRecorder()
		http.Redirect(rec, httptest.NewRequest("GET", "/signin", nil), got, http.StatusSeeOther)
		loc := rec.Header().Get("Location")
		if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.ContainsAny(loc, "\\\t\r\n") {
			t.Errorf("LocalPath(%q) leads to Location %q", tc.in, loc)
		}
		base, _ := url.Parse("https://portal.example/signin")
		if ref, err := url.Parse(loc); err != nil || base.ResolveReference(ref).Host != "portal.example" {
			t.Errorf("LocalPath(%q): Location %q leaves the site", tc.in, loc)
		}
	}
}

func TestClientIPTrustsOnlyConfiguredProxies(t *testing.T) {
	s := &Server{cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	for _, tc := range []struct{ peer, xff, want string }{
		{"203.0.113.7:5000", "", "203.0.113.7"},
		{"203.0.113.7:5000", "1.2.3.4", "203.0.113.7"},                       // untrusted peer: header ignored
		{"10.1.2.3:5000", "198.51.100.9", "198.51.100.9"},                    // one trusted hop
		{"10.1.2.3:5000", "1.2.3.4, 198.51.100.9, 10.9.9.9", "198.51.100.9"}, // spoofed left part ignored
		{"10.1.2.3:5000", "garbage", "10.1.2.3"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := s.clientIP(r); got != tc.want {
			t.Errorf("peer %s, XFF %q: clientIP = %q, want %q", tc.peer, tc.xff, got, tc.want)
		}
	}
}

// TestEveryMessageIDExists keeps the catalog complete: every message ID a
// template or a service names is defined in English.
func TestEveryMessageIDExists(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	inTemplate := regexp.MustCompile(`\.Tr "([a-z0-9_.]+)"`)
	inGo := regexp.MustCompile(`"((?:error|field|password|signin|setup|exams|notice|nav|console|home|help|dashboard|layout)\.[a-z0-9_.]+)"`)
	check := func(path string, re *regexp.Regexp) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			id := m[1]
			if strings.HasSuffix(id, ".") || strings.HasSuffix(id, "_") {
				continue
			}
			if !cat.Has(id) {
				t.Errorf("%s uses message %q, which the English catalog lacks", path, id)
			}
		}
	}
	for _, dir := range append([]string{"."}, sectionDirs...) {
		tmpls, _ := filepath.Glob(filepath.Join(dir, "templates/*.html"))
		for _, p := range tmpls {
			check(p, inTemplate)
		}
	}
	for _, dir := range append([]string{".", "../accounts", "../exams", "../ops"}, sectionDirs...) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, p := range files {
			if !strings.HasSuffix(p, "_test.go") {
				check(p, inGo)
			}
		}
	}
}

// sectionDirs are the source directories of the sections, beside the
// kit's: their page templates and Go files.
var sectionDirs = []string{"candidate", "console"}

// sectionTemplates are the sections' page templates, read from their
// source directories (a section's embedded files are out of reach of the
// kit's own tests).
func sectionTemplates() []fs.FS {
	var out []fs.FS
	for _, dir := range sectionDirs {
		out = append(out, os.DirFS(dir))
	}
	return out
}

func TestNavigationMarksTheMostSpecificItem(t *testing.T) {
	items := []NavItem{{Href: "/console"}, {Href: "/console/audit"}, {Href: "/console/jobs"}}
	markCurrent(items, "/console/audit")
	if items[0].Current || !items[1].Current || items[2].Current {
		t.Fatalf("items = %+v", items)
	}
	items = []NavItem{{Href: "/console"}, {Href: "/console/audit"}}
	markCurrent(items, "/console")
	if !items[0].Current || items[1].Current {
		t.Fatalf("items = %+v", items)
	}
}

// TestNavigationFollowsTheSectionAndAccess: a page shows the navigation
// of the section with the longest prefix of its path, each link only to
// those who may open it, a count in its label when there is one, and the
// most specific link marked current.
func TestNavigationFollowsTheSectionAndAccess(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	flags, flagsErr := 0, error(nil)
	s := &Server{Deps: Deps{Log: slog.New(slog.DiscardHandler)}, navs: []sectionNav{
		{prefix: "", links: []NavLink{{Href: "/dashboard", Label: "nav.dashboard"}, {Href: "/exams", Label: "nav.exams"},
			{Href: "/help", Label: "nav.help"}}},
		{prefix: "/console", links: []NavLink{{Href: "/console", Label: "nav.console_home"},
			{Href: "/console/ce/flags", Label: "nav.console_ce_flags", CountLabel: "nav.console_ce_flags_count",
				Count: func(*http.Request) (int, error) { return flags, flagsErr }},
			{Href: "/console/audit", Label: "nav.console_audit"}}},
	}}
	nav := func(path string, may ...string) string {
		b := &BasePage{T: cat.Localizer("en"), Path: path, Allow: func(p string) bool { return slices.Contains(may, p) }}
		var out []string
		for _, it := range s.nav(httptest.NewRequest("GET", path, nil), b) {
			if it.Current {
				it.Href += "*"
			}
			out = append(out, it.Href+" "+it.Label)
		}
		return strings.Join(out, ", ")
	}
	for _, c := range []struct {
		path string
		may  []string
		want string
	}{
		{"/exams/SAA-C03", []string{"GET /exams", "GET /help"}, "/exams* Exams, /help Help"},
		{"/consoles", []string{"GET /dashboard", "GET /console"}, "/dashboard Dashboard"}, // not under /console
		{"/console/audit", []string{"GET /console", "GET /console/audit"}, "/console Overview, /console/audit* Audit log"},
		{"/console", []string{"GET /console", "GET /console/ce/flags"}, "/console* Overview, /console/ce/flags Renewal flags"},
	} {
		if got := nav(c.path, c.may...); got != c.want {
			t.Errorf("%s with %v:\n got %s\nwant %s", c.path, c.may, got, c.want)
		}
	}
	flags = 3
	if got := nav("/console/ce/flags", "GET /console/ce/flags"); got != "/console/ce/flags* Renewal flags (3)" {
		t.Errorf("three open flags: %s", got)
	}
	flags, flagsErr = 3, errors.New("database down")
	if got := nav("/console", "GET /console/ce/flags"); got != "/console/ce/flags Renewal flags" {
		t.Errorf("uncounted flags: %s", got)
	}
}

// TestNavigationLinksOnlyRoutes: a section whose navigation links a page
// that is no GET route stops the start.
func TestNavigationLinksOnlyRoutes(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Config{BaseURL: "http://portal.test"}, Deps{Log: slog.New(slog.DiscardHandler), Catalog: cat},
		Section{Nav: func(*Server) []NavLink { return []NavLink{{Href: "/nowhere", Label: "nav.help"}} }})
	if err == nil || !strings.Contains(err.Error(), "/nowhere") {
		t.Fatalf("New = %v, want an error naming /nowhere", err)
	}
}

func TestMetricsOnTheMainListenerOnlyFromLoopback(t *testing.T) {
	s := &Server{cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8")}}}
	for _, tc := range []struct {
		peer    string
		headers map[string]string
		want    bool
	}{
		{"127.0.0.1:5000", nil, true},
		{"[::1]:5000", nil, true},
		{"[::ffff:127.0.0.1]:5000", nil, true},
		{"203.0.113.7:5000", nil, false},
		{"10.1.2.3:5000", nil, false},
		{"203.0.113.7:5000", map[string]string{"X-Forwarded-For": "127.0.0.1"}, false},
		{"10.1.2.3:5000", map[string]string{"X-Forwarded-For": "127.0.0.1"}, false},               // trusted, but not this machine
		{"127.0.0.1:5000", map[string]string{"X-Forwarded-For": "198.51.100.9"}, false},           // a local proxy forwarding a visitor
		{"127.0.0.1:5000", map[string]string{"X-Forwarded-For": "127.0.0.1"}, true},               // a local proxy forwarding a local client
		{"127.0.0.1:5000", map[string]string{"X-Forwarded-For": "127.0.0.1, 203.0.113.7"}, false}, // spoofed left part ignored
		{"127.0.0.1:5000", map[string]string{"Forwarded": "for=198.51.100.9"}, false},
		{"127.0.0.1:5000", map[string]string{"X-Real-IP": "198.51.100.9"}, false},
	} {
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = tc.peer
		for k, v := range tc.headers {
			r.Header.Set(k, v)
		}
		if got := s.fromLoopback(r); got != tc.want {
			t.Errorf("peer %s, headers %v: fromLoopback = %v, want %v", tc.peer, tc.headers, got, tc.want)
		}
	}
	// A local proxy that is not trusted is not believed to be the client.
	s = &Server{}
	r := httptest.NewRequest("GET", "/metrics", nil)
	r.RemoteAddr = "127.0.0.1:5000"
	r.Header.Set("X-Forwarded-For", "127.0.0.1")
	if s.fromLoopback(r) {
		t.Errorf("an untrusted local proxy's request counts as a loopback client")
	}
}
