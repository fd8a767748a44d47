package credentialtest

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// demoHolderRe finds the email and password `serve --demo` printed for an
// account label.
func demoHolderRe(label string) *regexp.Regexp {
	return regexp.MustCompile(`\s` + label + `\s+email (\S+)\s+password (\S+)`)
}

// certificatePath signs in as the demo account of label and returns its
// browser and the address of its first certificate, from the
// Certifications page's link.
func certificatePath(t *testing.T, a *apptest.App, label string) (*apptest.Browser, string) {
	t.Helper()
	m := demoHolderRe(label).FindStringSubmatch(a.Stdout())
	if m == nil {
		t.Fatalf("the demo printed no %s account:\n%s", label, a.Stdout())
	}
	b := a.Browser(t)
	b.SignIn(m[1], m[2])
	links := b.Get("/certifications").HTML.Values(".cert-certificate a", "href")
	if len(links) == 0 {
		t.Fatalf("%s: no certificate link on the Certifications page", label)
	}
	return b, links[0]
}

// TestCertificatePage: the holder's certificate page shows the stored
// facts (the legal name isolated as it is stored, the certification, the
// credential ID in groups of four, the verification URL printed and as the
// QR code's alternative text); nobody else gets it; the holder's choice
// of paper and language is stored and shown, a choice not offered is
// refused next to its field; a revoked credential's page says why there
// is no certificate, with status 410.
func TestCertificatePage(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		ids := printedIDs(t, a)
		b, path := certificatePath(t, a, "certified")
		page := b.Get(path)
		if page.Status != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", path, page.Status, page.Body)
		}
		doc := page.HTML
		id := doc.AttrOf(".cert-url", "href")
		verify := strings.TrimPrefix(id, a.URL+"/credentials/")
		if !slices.Contains(ids, verify) {
			t.Fatalf("the certificate links %q, not the verification page of a printed credential %v", id, ids)
		}
		for sel, want := range map[string]string{
			".cert-name bdi":     "Noor Haddad",
			".cert-url":          id,
			".cert-id":           portal.CredentialID(verify).String(),
			".cert-program-name": "certportal",
			".cert-heading":      "Certificate",
		} {
			if got := doc.TextOf(sel); got != want {
				t.Errorf("%s = %q, want %q", sel, got, want)
			}
		}
		if got := doc.AttrOf(".cert-name bdi", "dir"); got != "auto" {
			t.Errorf("the name's dir = %q, want auto", got)
		}
		if alt := doc.AttrOf("img.cert-qr", "alt"); alt != id {
			t.Errorf("the QR code's alt = %q, want the verification URL %q", alt, id)
		}
		if src := doc.AttrOf("img.cert-qr", "src"); !strings.HasPrefix(src, "data:image/svg+xml;base64,") {
			t.Errorf("the QR code's src = %.40q, want an SVG data URI", src)
		}
		if got := doc.AttrOf(".cert-sheet", "data-paper"); got != portal.PaperA4 {
			t.Errorf("default paper %q, want the program's A4", got)
		}
		if doc.Has(".cert-stamp") {
			t.Errorf("a valid certificate is stamped %q", doc.TextOf(".cert-stamp"))
		}

		// Nobody else: another candidate, and a visitor.
		other := demoHolderRe("candidate").FindStringSubmatch(a.Stdout())
		ob := a.Browser(t)
		ob.SignIn(other[1], other[2])
		if p := ob.Get(path); p.Status != http.StatusNotFound || p.HTML.Has(".cert-sheet") {
			t.Errorf("another candidate GET %s: %d", path, p.Status)
		}
		if p := ob.Submit(path, url.Values{"paper": {"Letter"}, "language": {"es"}}); p.Status != http.StatusNotFound {
			t.Errorf("another candidate POST %s: %d", path, p.Status)
		}
		if p := a.Browser(t).Get(path); p.HTML.Has(".cert-sheet") || !strings.HasPrefix(p.Path, "/signin") {
			t.Errorf("a visitor GET %s landed on %s", path, p.Path)
		}

		// The holder's choice, stored and shown in its language.
		p := b.Submit(path, url.Values{"paper": {"Letter"}, "language": {"es"}})
		if p.Status != http.StatusOK || p.Path != path {
			t.Fatalf("choosing Letter and Spanish: %d at %s", p.Status, p.Path)
		}
		if got := p.HTML.AttrOf(".cert-sheet", "data-paper"); got != portal.PaperLetter {
			t.Errorf("paper after the choice %q, want Letter", got)
		}
		if got := p.HTML.AttrOf(".cert-sheet", "lang"); got != "es" {
			t.Errorf("the certificate's lang %q, want es", got)
		}
		if got := p.HTML.TextOf(".cert-heading"); got != "Certificado" {
			t.Errorf("heading in Spanish %q, want Certificado", got)
		}
		if got := p.HTML.AttrOf("#paper option[selected]", "value"); got != portal.PaperLetter {
			t.Errorf("the form shows paper %q, want the stored Letter", got)
		}
		p = b.Submit(path, url.Values{"paper": {"A3"}, "language": {"es"}})
		if p.Status != http.StatusUnprocessableEntity || p.HTML.TextOf("#paper-error") == "" || p.HTML.AttrOf(".cert-sheet", "data-paper") != portal.PaperLetter {
			t.Errorf("paper A3: %d, error %q, sheet %q", p.Status, p.HTML.TextOf("#paper-error"), p.HTML.AttrOf(".cert-sheet", "data-paper"))
		}

		// The holders with an Arabic and a Japanese legal name.
		for label, name := range map[string]string{"certified-arabic": "ليلى الحسيني", "certified-japanese": "山田 花子"} {
			hb, hp := certificatePath(t, a, label)
			if got := hb.Get(hp).HTML.TextOf(".cert-name bdi"); got != name {
				t.Errorf("%s: name %q, want %q", label, got, name)
			}
		}

		// Marks: expired on the day after the last valid day; superseded
		// by a later certification, with its credential ID.
		db := a.OpenStore(t).DB()
		rebind := func(q string) string {
			for i := 1; engine == store.Postgres && strings.Contains(q, "?"); i++ {
				q = strings.Replace(q, "?", "$"+strconv.Itoa(i), 1)
			}
			return q
		}
		links := b.Get("/certifications").HTML.Values(".cert-certificate a", "href")
		ucID := func(p string) string { return strings.Split(p, "/")[2] }
		today := a.Clock.Now().UTC().Truncate(24 * time.Hour)
		if _, err := db.Exec(rebind(`UPDATE user_certifications SET expires_on = ?, expires_at = ? WHERE id = ?`),
			today.AddDate(0, 0, -1).Format(time.DateOnly), today, ucID(links[1])); err != nil {
			t.Fatal(err)
		}
		if got, want := b.Get(links[1]).HTML.TextOf(".cert-stamp"), "Expired on "+today.Format("Jan 2, 2006"); got != want {
			t.Errorf("expired stamp %q, want %q", got, want)
		}
		if _, err := db.Exec(rebind(`UPDATE user_certifications SET superseded_by = ? WHERE id = ?`), ucID(links[1]), ucID(path)); err != nil {
			t.Fatal(err)
		}
		next := b.Get(links[1]).HTML.TextOf(".cert-id")
		if got := b.Get(path).HTML.TextOf(".cert-stamp"); got != "Sustituido por "+next {
			t.Errorf("superseded mark %q, want Sustituido por %s (the certificate is in Spanish)", got, next)
		}

		// Revoked: no certificate, and the page says why.
		revokeInStore(t, a.OpenStore(t), verify)
		p = b.Get(path)
		if p.Status != http.StatusGone || p.HTML.Has(".cert-sheet") {
			t.Fatalf("revoked: %d, sheet %v", p.Status, p.HTML.Has(".cert-sheet"))
		}
		if h, msg := p.HTML.TextOf(".narrow h1"), p.HTML.TextOf(".narrow p"); h != "No longer available" ||
			!strings.Contains(msg, "revoked on") || !strings.Contains(msg, "issued in error") {
			t.Errorf("revoked page: %q / %q", h, msg)
		}
	})
}

// TestCertificatePrintAndQR: in a real browser the
// certificate page passes the accessibility check at desktop and phone
// sizes; printed, it is one page of the stored paper size; and the QR code,
// read by zbarimg from the screen and from the rasterised print, is
// exactly the verification URL.
func TestCertificatePrintAndQR(t *testing.T) {
	zbar, zerr := exec.LookPath("zbarimg")
	pdfinfo, perr := exec.LookPath("pdfinfo")
	pdftoppm, terr := exec.LookPath("pdftoppm")
	if zerr != nil || perr != nil || terr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("zbarimg, pdfinfo and pdftoppm are needed (apt-get install zbar-tools poppler-utils)")
		}
		t.Skip("zbarimg, pdfinfo or pdftoppm missing: apt-get install zbar-tools poppler-utils")
	}
	a := apptest.Start(t, "sqlite", apptest.WithArgs("--demo"))
	m := demoHolderRe("certified-arabic").FindStringSubmatch(a.Stdout())
	b := testutil.NewBrowser(t)
	b.Navigate(a.URL + "/signin")
	b.Fill("#email", m[1])
	b.Fill("#password", m[2])
	b.Submit(`form[action="/signin"] button[type=submit]`)
	b.Navigate(a.URL + "/certifications")
	b.Click(".cert-certificate a")
	b.WaitVisible(".cert-sheet")
	want := b.Text(".cert-url")
	if !strings.HasPrefix(want, a.URL+"/credentials/") {
		t.Fatalf("verification URL %q", want)
	}
	dir := t.ArtifactDir()
	for _, v := range []struct {
		name          string
		width, height int
	}{{"desktop", testutil.DesktopWidth, testutil.DesktopHeight}, {"phone", testutil.PhoneWidth, testutil.PhoneHeight}} {
		if v.name == "phone" {
			b.Phone()
		} else {
			b.SetViewport(v.width, v.height)
		}
		b.CheckAccessibility()
		shot := filepath.Join(dir, "certificate-"+v.name+".png")
		b.Screenshot(shot)
		if got := decodeQR(t, zbar, shot); got != want {
			t.Errorf("%s: the QR code on screen reads %q, want %q", v.name, got, want)
		}
	}
	b.SetViewport(testutil.DesktopWidth, testutil.DesktopHeight)

	for _, paper := range []struct{ value, size string }{{"A4", "842 x 595"}, {"Letter", "792 x 612"}} {
		if paper.value == "Letter" {
			b.Fill("#paper", "Letter")
			b.Submit(`form.cert-choice button[type=submit]`)
			b.WaitVisible(`.cert-sheet[data-paper="Letter"]`)
		}
		pdf := filepath.Join(dir, "certificate-"+paper.value+".pdf")
		if err := os.WriteFile(pdf, b.PrintToPDF(), 0o600); err != nil {
			t.Fatal(err)
		}
		info, err := exec.Command(pdfinfo, pdf).Output()
		if err != nil {
			t.Fatalf("pdfinfo: %v", err)
		}
		size := regexp.MustCompile(`(?m)^Page size:\s+(\d+)(?:\.\d+)? x (\d+)(?:\.\d+)? pts`).FindSubmatch(info)
		if !regexp.MustCompile(`(?m)^Pages:\s+1$`).Match(info) || size == nil || !sizeNear(string(size[1])+" x "+string(size[2]), paper.size) {
			t.Errorf("printed on %s:\n%s\nwant one page of %s", paper.value, info, paper.size)
		}
		prefix := filepath.Join(dir, "print-"+paper.value)
		if out, err := exec.Command(pdftoppm, "-png", "-r", "150", "-singlefile", pdf, prefix).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
		if got := decodeQR(t, zbar, prefix+".png"); got != want {
			t.Errorf("%s print: the QR code reads %q, want %q", paper.value, got, want)
		}
	}
}

// sizeNear reports whether a page size "W x H" in points, truncated, is
// want's to within a point (Chromium writes A4 as 841.92 x 594.96).
func sizeNear(got, want string) bool {
	var gw, gh, ww, wh int
	if _, err := fmt.Sscanf(got, "%d x %d", &gw, &gh); err != nil {
		return false
	}
	if _, err := fmt.Sscanf(want, "%d x %d", &ww, &wh); err != nil {
		return false
	}
	return abs(gw-ww) <= 1 && abs(gh-wh) <= 1
}

func abs(n int) int { return max(n, -n) }

// decodeQR reads the one QR code of an image with zbarimg.
func decodeQR(t *testing.T, zbar, png string) string {
	t.Helper()
	out, err := exec.Command(zbar, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png).Output()
	if err != nil {
		t.Errorf("zbarimg %s: %v", png, err)
	}
	return strings.TrimSuffix(string(out), "\n")
}
