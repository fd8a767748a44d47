package web

import (
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
)

func TestLocalPathKeepsRedirectsOnSite(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/dashboard", "/dashboard"},
		{"/console/audit?action=auth.", "/console/audit?action=auth."},
		{"", "/fallback"},
		{"https://evil.example/", "/fallback"},
		{"//evil.example/", "/fallback"},
		{"/\\evil.example", "/fallback"},
		{"dashboard", "/fallback"},
		{"javascript:alert(1)", "/fallback"},
	} {
		if got := localPath(tc.in, "/fallback"); got != tc.want {
			t.Errorf("localPath(%q) = %q, want %q", tc.in, got, tc.want)
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
	tmpls, _ := filepath.Glob("templates/*.html")
	for _, p := range tmpls {
		check(p, inTemplate)
	}
	for _, dir := range []string{".", "../accounts", "../exams", "../ops"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, p := range files {
			if !strings.HasSuffix(p, "_test.go") {
				check(p, inGo)
			}
		}
	}
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

func TestCandidateNavigationLinksTheProfile(t *testing.T) {
	s := &Server{}
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	b := &BasePage{T: cat.Localizer("en"), Path: "/profile/security", User: &portal.User{Role: portal.RoleCandidate}}
	var hrefs []string
	for _, it := range s.nav(b) {
		hrefs = append(hrefs, it.Href)
		if it.Href == "/profile" && !it.Current {
			t.Error("Profile is not marked current on /profile/security")
		}
	}
	if strings.Join(hrefs, " ") != "/dashboard /exams /bookings /cart /profile /help" {
		t.Fatalf("candidate navigation = %v", hrefs)
	}
}
