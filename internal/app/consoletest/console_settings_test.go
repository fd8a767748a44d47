package consoletest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// postLogo uploads content as the multipart field "logo".
func postLogo(t *testing.T, a *apptest.App, c *http.Client, content []byte) *http.Response {
	t.Helper()
	return a.PostFile(t, c, "/console/settings/logo", "logo", "logo.png", content)
}

// logoWithText is a small PNG carrying a tEXt chunk with text.
func logoWithText(t *testing.T, text string) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 48, 16))
	for x := range 48 {
		img.Set(x, x%16, color.NRGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	p := buf.Bytes()
	const ihdrEnd = 8 + 4 + 4 + 13 + 4
	data := []byte("Comment\x00" + text)
	var chunk bytes.Buffer
	_ = binary.Write(&chunk, binary.BigEndian, uint32(len(data)))
	chunk.WriteString("tEXt")
	chunk.Write(data)
	_ = binary.Write(&chunk, binary.BigEndian, crc32.ChecksumIEEE(append([]byte("tEXt"), data...)))
	return append(append(append([]byte{}, p[:ihdrEnd]...), chunk.Bytes()...), p[ihdrEnd:]...)
}

// getWith sends a GET with extra headers.
func getWith(t *testing.T, a *apptest.App, c *http.Client, path string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, apptest.Body(t, resp)
}

// TestConsoleProgramSettings: the Help page shows the flags' support
// contact until an admin saves another in the console, then the saved one;
// bad input is shown next to its field; staff without the settings
// permission can neither open nor change the settings.
func TestConsoleProgramSettings(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, _ := centerAdmin(t, engine)
		visitor := a.Client()
		help := func() (string, string) {
			t.Helper()
			doc := a.GetPage(t, visitor, "/help", http.StatusOK)
			return doc.AttrOf("#support ~ dl a.support-email", "href"), doc.AttrOf("#support ~ dl a.support-url", "href")
		}
		if mail, site := help(); mail != "mailto:support@demo.certportal.localhost" || site != "" {
			t.Fatalf("help before any save: %q %q", mail, site)
		}

		if !a.GetPage(t, ac, "/console", http.StatusOK).Has(`main a[href="/console/settings"]`) {
			t.Error("the console home does not link the settings")
		}
		doc := a.GetPage(t, ac, "/console/settings", http.StatusOK)
		if got := doc.AttrOf(`nav a[href="/console/settings"]`, "aria-current"); got != "page" {
			t.Errorf("the console navigation does not mark the settings as current (%q)", got)
		}
		if !doc.Has("#support-from-config") || doc.AttrOf("#support_email", "value") != "support@demo.certportal.localhost" {
			t.Errorf("the form does not show the configured contact as such: %q", doc.AttrOf("#support_email", "value"))
		}
		if got := doc.AttrOf("#paper_size option[selected]", "value"); got != "A4" {
			t.Errorf("default paper size = %q", got)
		}

		status, _, bad := a.PostPage(t, ac, "/console/settings", url.Values{"support_email": {"not an address"},
			"support_url": {"javascript:alert(1)"}, "paper_size": {"Legal"}})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("invalid settings: %d, want 422", status)
		}
		for sel, want := range map[string]string{
			"#support_email-error": "Enter an email address such as support@example.org, or leave it empty.",
			"#support_url-error":   "Enter an address starting with https:// or http://, at most 500 characters, or leave it empty.",
			"#paper_size-error":    "Choose A4 or Letter.",
		} {
			if got := bad.TextOf(sel); got != want {
				t.Errorf("%s = %q, want %q", sel, got, want)
			}
		}
		if got := bad.AttrOf("#support_email", "value"); got != "not an address" {
			t.Errorf("the form lost the typed address: %q", got)
		}

		status, loc, _ := a.PostPage(t, ac, "/console/settings", url.Values{"support_email": {"Help@Example.org"},
			"support_url": {"https://help.example.org/contact"}, "paper_size": {"Letter"}})
		if status != http.StatusSeeOther || loc != "/console/settings?notice=settings_saved" {
			t.Fatalf("save: %d to %q", status, loc)
		}
		if mail, site := help(); mail != "mailto:help@example.org" || site != "https://help.example.org/contact" {
			t.Errorf("help after the save: %q %q", mail, site)
		}
		doc = a.GetPage(t, ac, "/console/settings", http.StatusOK)
		if doc.Has("#support-from-config") || doc.AttrOf("#paper_size option[selected]", "value") != "Letter" {
			t.Errorf("saved settings not shown: paper %q", doc.AttrOf("#paper_size option[selected]", "value"))
		}

		// Staff without the settings permission (the demo scheduler): no
		// link, no page, no change.
		sched := regexp.MustCompile(`scheduler\s+email (\S+)\s+password (\S+)`).FindStringSubmatch(a.Stdout())
		if sched == nil {
			t.Fatalf("no demo scheduler in:\n%s", a.Stdout())
		}
		sc, _ := a.SignIn(t, sched[1], sched[2])
		a.EnrolTOTP(t, sc, true)
		if home := a.GetPage(t, sc, "/console", http.StatusOK); home.Has(`a[href="/console/settings"]`) {
			t.Error("staff see the settings link")
		}
		if resp := a.Get(t, sc, "/console/settings"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("staff GET /console/settings: %d, want 403", resp.StatusCode)
		}
		for _, path := range []string{"/console/settings", "/console/settings/logo/remove"} {
			if status, _, _ := a.PostPage(t, sc, path, url.Values{"support_email": {"evil@example.org"}, "paper_size": {"A4"}}); status != http.StatusForbidden {
				t.Errorf("staff POST %s: %d, want 403", path, status)
			}
		}
		if resp := postLogo(t, a, sc, logoWithText(t, "x")); resp.StatusCode != http.StatusForbidden {
			t.Errorf("staff logo upload: %d, want 403", resp.StatusCode)
		}
		if mail, _ := help(); mail != "mailto:help@example.org" {
			t.Errorf("staff changed the contact to %q", mail)
		}
	})
}

// TestProgramLogo: an admin's upload is refused with a field message when
// it is not a small PNG or JPEG; a good one is re-encoded without its
// metadata, served at /logo.png as a PNG with an ETag, caching and nosniff,
// and shown in every page's header until it is removed.
func TestProgramLogo(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, _ := centerAdmin(t, engine)
		visitor := a.Client()
		if resp, _ := getWith(t, a, visitor, "/logo.png", nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("logo before upload: %d, want 404", resp.StatusCode)
		}
		if a.GetPage(t, visitor, "/", http.StatusOK).Has("img.brand-logo") {
			t.Error("a header logo without a stored logo")
		}

		for _, tc := range []struct {
			name    string
			content []byte
			want    string
		}{
			{"garbage", []byte("GIF89a not really"), "This is not a PNG or JPEG image that can be read."},
			{"html named png", []byte("<svg onload=alert(1)>"), "This is not a PNG or JPEG image that can be read."},
			{"empty", nil, "Choose an image to upload."},
			{"over the service limit", append(logoWithText(t, ""), make([]byte, 1<<20)...), "The image is larger than 1 MiB."},
			{"over the body limit", make([]byte, 3<<20), "The image is larger than 1 MiB."},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp := postLogo(t, a, ac, tc.content)
				doc := testutil.ParseHTML(t, apptest.Body(t, resp))
				if resp.StatusCode != http.StatusUnprocessableEntity || doc.TextOf("#logo-error") != tc.want {
					t.Errorf("upload: %d, #logo-error %q, want 422 %q", resp.StatusCode, doc.TextOf("#logo-error"), tc.want)
				}
			})
		}

		const secret = "Photographer: Jane Doe, GPS 40.41N"
		resp := postLogo(t, a, ac, logoWithText(t, secret))
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/settings?notice=logo_saved" {
			t.Fatalf("upload: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		src := a.GetPage(t, visitor, "/help", http.StatusOK).AttrOf("header img.brand-logo", "src")
		m := regexp.MustCompile(`^/logo\.png\?v=([0-9a-f]+)$`).FindStringSubmatch(src)
		if m == nil {
			t.Fatalf("header logo src = %q", src)
		}
		if got := a.GetPage(t, ac, "/console", http.StatusOK).AttrOf("header img.brand-logo", "src"); got != src {
			t.Errorf("console header logo = %q, want %q", got, src)
		}

		resp, png1 := getWith(t, a, visitor, "/logo.png", nil)
		h := resp.Header
		if resp.StatusCode != http.StatusOK || h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("ETag") != `"`+m[1]+`"` || h.Get("Cache-Control") != "public, max-age=300" ||
			!strings.HasSuffix(h.Get("Content-Security-Policy"), "; sandbox") {
			t.Errorf("GET /logo.png: %d, headers %v", resp.StatusCode, h)
		}
		if strings.Contains(png1, secret) || !strings.HasPrefix(png1, "\x89PNG\r\n\x1a\n") {
			t.Error("the served logo is not a clean PNG")
		}
		if img, format, err := image.Decode(strings.NewReader(png1)); err != nil || format != "png" || img.Bounds().Dx() != 48 {
			t.Errorf("served logo: %s %v", format, err)
		}
		if resp, _ := getWith(t, a, visitor, src, nil); resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("versioned logo Cache-Control = %q", resp.Header.Get("Cache-Control"))
		}
		resp, b := getWith(t, a, visitor, "/logo.png", map[string]string{"If-None-Match": `"` + m[1] + `"`})
		if resp.StatusCode != http.StatusNotModified || b != "" {
			t.Errorf("conditional GET: %d with %d bytes, want 304", resp.StatusCode, len(b))
		}

		status, loc, _ := a.PostPage(t, ac, "/console/settings/logo/remove", nil)
		if status != http.StatusSeeOther || loc != "/console/settings?notice=logo_removed" {
			t.Fatalf("remove: %d to %q", status, loc)
		}
		if resp, _ := getWith(t, a, visitor, "/logo.png", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("logo after removal: %d, want 404", resp.StatusCode)
		}
		if a.GetPage(t, visitor, "/", http.StatusOK).Has("img.brand-logo") {
			t.Error("the header still shows the removed logo")
		}

		audit := a.GetPage(t, ac, "/console/audit", http.StatusOK).TextOf("main")
		for _, action := range []string{"program.logo_set", "program.logo_removed"} {
			if !regexp.MustCompile(`\b` + regexp.QuoteMeta(action) + `\b`).MatchString(audit) {
				t.Errorf("the audit log lacks %s", action)
			}
		}
	})
}
