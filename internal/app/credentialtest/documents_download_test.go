package credentialtest

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestDemoHoldersDownloadTheirThreeDocuments: each certified demo
// candidate (a Latin, an Arabic and a Japanese legal name) follows the
// links a new user would, from the Certifications page, the Exam history
// and a score report page, and downloads the certificate, the score report
// and the transcript: each a signed PDF that pdfsig reports valid and
// whose text has the holder's name.
func TestDemoHoldersDownloadTheirThreeDocuments(t *testing.T) {
	testutil.Tool(t, "pdfsig", "poppler-utils")
	testutil.Tool(t, "pdftotext", "poppler-utils")
	scoreReportLink := regexp.MustCompile(`^/history/\d+$`)
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		for label, name := range map[string]string{"certified": "", "certified-arabic": "ليلى الحسيني", "certified-japanese": "山田 花子"} {
			m := demoHolderRe(label).FindStringSubmatch(a.Stdout())
			if m == nil {
				t.Fatalf("the demo printed no %s account", label)
			}
			b := a.Browser(t)
			b.SignIn(m[1], m[2])
			docs := map[string]string{}
			if links := b.Get("/certifications").HTML.Values(".cert-pdf a", "href"); len(links) > 0 {
				docs["certificate"] = links[0]
			}
			history := b.Get("/history").HTML
			if links := history.Values(".history-transcript", "href"); len(links) > 0 {
				docs["transcript"] = links[0]
			}
			for _, href := range history.Values(".history-passed a", "href") {
				if scoreReportLink.MatchString(href) {
					if links := b.Get(href).HTML.Values(".report-pdf", "href"); len(links) > 0 {
						docs["score report"] = links[0]
					}
					break
				}
			}
			for _, kind := range []string{"certificate", "score report", "transcript"} {
				href, ok := docs[kind]
				if !ok {
					t.Errorf("%s: no link to the %s", label, kind)
					continue
				}
				p := b.Get(href)
				if p.Status != http.StatusOK || !strings.HasPrefix(p.Body, "%PDF-") {
					t.Errorf("%s: GET %s = %d, not a PDF", label, href, p.Status)
					continue
				}
				path := testutil.WriteTemp(t, "doc.pdf", []byte(p.Body))
				if dir := os.Getenv("CERTPORTAL_TEST_KEEP_DOCUMENTS"); dir != "" {
					_ = os.WriteFile(filepath.Join(dir, engine+"-"+label+"-"+strings.ReplaceAll(kind, " ", "-")+".pdf"), []byte(p.Body), 0o644)
				}
				if out, _ := exec.Command("pdfsig", path).CombinedOutput(); !strings.Contains(string(out), "Signature Validation: Signature is Valid.") {
					t.Errorf("%s: pdfsig does not report the %s's signature valid:\n%s", label, kind, out)
				}
				if name == "" {
					continue
				}
				text := testutil.RunTool(t, "pdftotext", path, "-")
				if squeeze(text) == "" || !strings.Contains(squeeze(text), squeeze(name)) {
					t.Errorf("%s: the %s's text lacks %q:\n%s", label, kind, name, text)
				}
			}
		}
	})
}

// squeeze drops white space and the bidi controls pdftotext puts around
// right-to-left text.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ', r == '\n', r == '\t', r == '\f', r >= '\u202A' && r <= '\u202E', r == '\u200E', r == '\u200F':
			return -1
		}
		return r
	}, s)
}

// TestDownloadJourney: in a real browser the
// demo holder with an Arabic name signs in and saves, by the links a new
// user would click, the certificate, the score report and the transcript.
// Each is a signed PDF under its name; the certificate's QR code, read by
// zbarimg from the file rasterised at 150 dpi, is the verification URL the
// certificate page prints. The rasterised pages are kept among the test's
// artifacts to look at.
func TestDownloadJourney(t *testing.T) {
	for _, tool := range []string{"pdfsig", "pdftotext", "pdftoppm"} {
		testutil.Tool(t, tool, "poppler-utils")
	}
	zbar := testutil.Tool(t, "zbarimg", "zbar-tools")
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		m := demoHolderRe("certified-arabic").FindStringSubmatch(a.Stdout())
		if m == nil {
			t.Fatal("the demo printed no certified-arabic account")
		}
		b := testutil.NewBrowser(t)
		b.Navigate(a.URL + "/signin")
		b.Fill("#email", m[1])
		b.Fill("#password", m[2])
		b.Submit(`form[action="/signin"] button[type=submit]`)

		b.Navigate(a.URL + "/certifications")
		b.Click(".cert-certificate a")
		b.WaitVisible(".cert-sheet")
		verifyURL := b.Text(".cert-url")
		b.Navigate(a.URL + "/certifications")
		certName, cert := b.Download(".cert-pdf a")
		b.Navigate(a.URL + "/history")
		transcriptName, transcript := b.Download(".history-transcript")
		b.Click(`.history-passed a[href^="/history/"]`)
		b.WaitVisible(".report-pdf")
		reportName, report := b.Download(".report-pdf")

		dir := t.ArtifactDir()
		for _, d := range []struct {
			kind, name, pattern string
			data                []byte
		}{
			{"certificate", certName, `^SAA-[0-9A-Z_-]+\.pdf$`, cert},
			{"score-report", reportName, `^[0-9A-Z]+-[0-9A-Z]+-score-report-[0-9A-Za-z_-]+\.pdf$`, report},
			{"transcript", transcriptName, `^transcript-T\d+-\d{8}T\d{6}Z\.pdf$`, transcript},
		} {
			if !regexp.MustCompile(d.pattern).MatchString(d.name) {
				t.Errorf("the %s was saved as %q, want a name like %s", d.kind, d.name, d.pattern)
			}
			if !strings.HasPrefix(string(d.data), "%PDF-") {
				t.Errorf("the %s is not a PDF", d.kind)
				continue
			}
			path := filepath.Join(dir, d.kind+".pdf")
			if err := os.WriteFile(path, d.data, 0o600); err != nil {
				t.Fatal(err)
			}
			if out, _ := exec.Command("pdfsig", path).CombinedOutput(); !strings.Contains(string(out), "Signature Validation: Signature is Valid.") {
				t.Errorf("pdfsig does not report the %s's signature valid:\n%s", d.kind, out)
			}
			if text := testutil.RunTool(t, "pdftotext", path, "-"); !strings.Contains(squeeze(text), squeeze("ليلى الحسيني")) {
				t.Errorf("the %s's text lacks the holder's name:\n%s", d.kind, text)
			}
			testutil.RunTool(t, "pdftoppm", "-png", "-r", "150", "-singlefile", path, filepath.Join(dir, d.kind))
		}
		if got := decodeQR(t, zbar, filepath.Join(dir, "certificate.png")); got != verifyURL {
			t.Errorf("the saved certificate's QR code reads %q, want %q", got, verifyURL)
		}
	})
}
