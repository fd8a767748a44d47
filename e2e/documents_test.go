package e2e_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// signedPDF checks that a downloaded document is a PDF whose one signature
// poppler's pdfsig finds valid, and returns its text as pdftotext extracts
// it. The first page must also rasterise (set CERTPORTAL_E2E_PDF_DIR to
// keep the images and look at them).
func signedPDF(t *testing.T, name string, data []byte) string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("%s is not a PDF: %q", name, data[:min(len(data), 16)])
	}
	testutil.Tool(t, "pdfsig", "poppler-utils")
	path := testutil.WriteTemp(t, name, data)
	out, _ := exec.Command("pdfsig", path).CombinedOutput()
	if !strings.Contains(string(out), "Signature Validation: Signature is Valid.") {
		t.Errorf("pdfsig does not find %s's signature valid:\n%s", name, out)
	}
	testutil.Tool(t, "pdftoppm", "poppler-utils")
	dir := os.Getenv("CERTPORTAL_E2E_PDF_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	png := filepath.Join(dir, strings.TrimSuffix(name, ".pdf"))
	if out, err := exec.Command("pdftoppm", "-r", "50", "-png", "-singlefile", path, png).CombinedOutput(); err != nil {
		t.Errorf("pdftoppm %s: %v\n%s", name, err, out)
	}
	testutil.Tool(t, "pdftotext", "poppler-utils")
	return testutil.RunTool(t, "pdftotext", path, "-")
}

// TestDocumentJourney: the demo candidate whose legal name is in Arabic
// downloads, in a browser, the certificate from the Certifications page,
// the transcript from the Exam history page and the score report from the
// report's page. Each is a PDF with a valid signature and the text a
// reader expects (the name in logical order, the certification, the
// exam). Every page passes the accessibility check at desktop and phone
// sizes.
func TestDocumentJourney(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		b := testutil.NewBrowser(t)
		email, password := demoAccount(t, a, "certified-arabic")
		signInAs(t, a, b, email, password)
		const name = "ليلى الحسيني"
		nospace := func(s string) string { return strings.Join(strings.Fields(s), "") }

		// The certificate, from the Certifications page.
		follow(b, `nav.main-nav a[href="/certifications"]`)
		cert := entryWith(t, b, "ul.cert-list > li", "h2 code", "SAA")
		checkPage(t, b, "documents-certifications")
		file, data := b.Download(cert + ` li.cert-pdf a`)
		if !strings.HasSuffix(file, ".pdf") {
			t.Errorf("the certificate downloads as %q, want a .pdf", file)
		}
		text := signedPDF(t, "certificate.pdf", data)
		if !strings.Contains(nospace(text), nospace(name)) || !strings.Contains(text, "SAA") {
			t.Errorf("the certificate's text lacks the name or the certification:\n%s", text)
		}

		// The transcript, from the Exam history.
		follow(b, `nav.main-nav a[href="/history"]`)
		checkPage(t, b, "documents-history")
		_, data = b.Download(`a.history-transcript`)
		if text := signedPDF(t, "transcript.pdf", data); !strings.Contains(nospace(text), nospace(name)) || !strings.Contains(text, "SAA-C03") {
			t.Errorf("the transcript's text lacks the name or the exam:\n%s", text)
		}

		// The score report, from its page.
		saa := entryWith(t, b, "section.history-exams li.history-entry", "h3 code", "SAA-C03")
		follow(b, saa+` a[href^="/history/"]`)
		checkPage(t, b, "documents-score-report")
		_, data = b.Download(`a.report-pdf`)
		if text := signedPDF(t, "score-report.pdf", data); !strings.Contains(text, "SAA-C03") {
			t.Errorf("the score report's text lacks the exam:\n%s", text)
		}
	})
}
