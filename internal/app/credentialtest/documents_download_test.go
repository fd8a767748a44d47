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
