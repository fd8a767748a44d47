package certdoc

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/typeset"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata")

const verifyURL = "https://portal.example.test/verify/0F3K9QXM2B7TR4ZPHW8CN6JD5VE"

func newRenderer(t testing.TB) *Renderer {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return New(typeset.NewFonts(), cat)
}

// logoPNG is a small program logo with transparency.
func logoPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 120, 60))
	for y := range 60 {
		for x := range 120 {
			if (x-30)*(x-30)+(y-30)*(y-30) < 800 || (x > 64 && y > 22 && y < 38) {
				img.SetNRGBA(x, y, color.NRGBA{R: 20, G: 60, B: 140, A: 255})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func certificate(t testing.TB, name, lang string) Certificate {
	return Certificate{Name: name, NameLang: lang, Certification: "Solutions Architect – Associate", Code: "SAA",
		IssuedOn: "2026-03-14", ExpiresOn: "2029-03-13", CredentialID: "0F3K-9QXM-2B7T-R4ZP-HW8C-N6JD-5VE",
		VerifyURL: verifyURL, Program: "Example Certification Program", Logo: logoPNG(t), Paper: PaperA4, Lang: "en",
		IssuedAt: time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC), Status: portal.CertActive}
}

func scoreReport() ScoreReport {
	return ScoreReport{Name: "Łucja Żółkiewska", NameLang: "pl", Exam: "Solutions Architect – Associate", ExamCode: "SAA-C03",
		TakenOn: "2026-03-02", Score: 612, PassingScore: 720, Passed: false, RetakeFrom: "2026-03-16", Reference: "ATT-000482",
		Domains: []portal.DomainResult{
			{Name: "Design secure architectures", WeightPercent: 30, Band: portal.BandMeets},
			{Name: "Design resilient architectures", WeightPercent: 26, Band: portal.BandNeedsImprovement},
			{Name: "Design high-performing architectures", WeightPercent: 24, Band: portal.BandMeets},
			{Name: "Design cost-optimised architectures", WeightPercent: 20, Band: portal.BandNeedsImprovement},
		},
		Program: "Example Certification Program", Paper: PaperA4, Lang: "en", PublishedAt: time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)}
}

func transcript(attempts int) Transcript {
	tr := Transcript{Name: "山田 花子", NameLang: "ja", Reference: "TR-2026-0042", Program: "Example Certification Program",
		Paper: PaperA4, Lang: "en", IssuedAt: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC),
		Certifications: []TranscriptCertification{
			{Name: "Solutions Architect – Associate", Code: "SAA", Status: portal.CertActive, IssuedOn: "2026-03-14",
				ExpiresOn: "2029-03-13", CredentialID: "0F3K-9QXM-2B7T-R4ZP-HW8C-N6JD-5VE"},
			{Name: "Cloud Practitioner", Code: "CLF", Status: portal.CertSuperseded, IssuedOn: "2023-01-10",
				ExpiresOn: "2026-01-09", CredentialID: "7M2D-4KQ8-XW3N-B5RT-9PHC-6JZE-1VA"},
		}}
	for i := range attempts {
		tr.Attempts = append(tr.Attempts, TranscriptAttempt{Exam: fmt.Sprintf("Networking Specialty part %d", i+1),
			Code: fmt.Sprintf("NET-%03d", i+1), TakenOn: "2025-11-20", Score: 500 + i*7, Passed: i%3 != 0})
	}
	return tr
}

// must fails the test on a rendering error: must(t)(r.Certificate(c)).
func must(t testing.TB) func([]byte, error) []byte {
	return func(data []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
}

// pdftotext returns the text of a document as poppler reads it from the
// page, all pages or from page first to last.
func pdftotext(t *testing.T, data []byte, pages ...int) string {
	t.Helper()
	return extract(t, data, nil, pages...)
}

// rawText is the text in the order of the content stream, which is the
// order of the structure tree: pdftotext's column detection reads the
// two-line cells of the transcript's certifications column by column.
func rawText(t *testing.T, data []byte) string {
	t.Helper()
	return extract(t, data, []string{"-raw"})
}

func extract(t *testing.T, data []byte, args []string, pages ...int) string {
	t.Helper()
	tool := testutil.Tool(t, "pdftotext", "poppler-utils")
	if len(pages) == 2 {
		args = append(args, "-f", fmt.Sprint(pages[0]), "-l", fmt.Sprint(pages[1]))
	}
	return testutil.RunTool(t, tool, append(args, testutil.WriteTemp(t, "doc.pdf", data), "-")...)
}

// squeezed drops what pdftotext adds around right-to-left runs (embedding
// controls, marks) and all white space, leaving the order of everything
// else to compare.
func squeezed(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '\u202A' && r <= '\u202E', r == '\u200E', r == '\u200F', r == '\f', r == ' ', r == '\n', r == '\t':
			return -1
		}
		return r
	}, s)
}

// inOrder checks that text holds each of want, in that order.
func inOrder(t *testing.T, text string, want ...string) {
	t.Helper()
	s := squeezed(text)
	at := 0
	for _, w := range want {
		i := strings.Index(s[at:], squeezed(w))
		if i < 0 {
			t.Errorf("%q is missing or out of order in the extracted text:\n%s", w, text)
			return
		}
		at += i + len(squeezed(w))
	}
}

func TestCertificateQRCodeReadsAsTheVerificationURL(t *testing.T) {
	pdftoppm := testutil.Tool(t, "pdftoppm", "poppler-utils")
	zbarimg := testutil.Tool(t, "zbarimg", "zbar-tools")
	r := newRenderer(t)
	for _, paper := range []Paper{PaperA4, PaperLetter} {
		t.Run(string(paper), func(t *testing.T) {
			c := certificate(t, "عبد الله الفارسي", "ar")
			c.Paper = paper
			path := testutil.WriteTemp(t, "cert.pdf", must(t)(r.Certificate(c)))
			png := filepath.Join(filepath.Dir(path), "page")
			testutil.RunTool(t, pdftoppm, "-r", "150", "-png", "-singlefile", path, png)
			// zbarimg talks to D-Bus on stderr where there is none, so it
			// is run directly; its exit status says whether it read a code.
			out, err := exec.Command(zbarimg, "-q", "--raw", png+".png").Output()
			if err != nil {
				t.Fatalf("zbarimg found no code: %v", err)
			}
			if got := strings.TrimSpace(string(out)); got != verifyURL {
				t.Errorf("QR code reads %q, want %q", got, verifyURL)
			}
		})
	}
}

func TestCertificateTextExtractsInLogicalOrder(t *testing.T) {
	r := newRenderer(t)
	for _, tt := range []struct {
		script, name, nameLang, docLang string
		want                            []string
	}{
		{"Latin", "Gwenllïan ap Ŵyn", "cy", "en",
			[]string{"This certifies that", "Gwenllïan ap Ŵyn", "Solutions Architect – Associate", "Certification code SAA",
				"Issued on Mar 14, 2026", "Valid through Mar 13, 2029", "Credential ID 0F3K-9QXM-2B7T-R4ZP-HW8C-N6JD-5VE", verifyURL}},
		{"Arabic", "عبد الله الفارسي", "ar", "es",
			[]string{"Se certifica que", "عبد الله الفارسي", "Solutions Architect – Associate",
				"Emitido el 14 mar 2026", "Válido hasta el 13 mar 2029", "ID de credencial 0F3K-9QXM-2B7T-R4ZP-HW8C-N6JD-5VE", verifyURL}},
		{"Japanese", "山田 花子", "ja", "en",
			[]string{"This certifies that", "山田 花子", "Issued on Mar 14, 2026", "Valid through Mar 13, 2029",
				"0F3K-9QXM-2B7T-R4ZP-HW8C-N6JD-5VE", verifyURL}},
	} {
		t.Run(tt.script, func(t *testing.T) {
			c := certificate(t, tt.name, tt.nameLang)
			c.Lang = tt.docLang
			inOrder(t, pdftotext(t, must(t)(r.Certificate(c))), tt.want...)
		})
	}
}

func TestCertificateStatusMarks(t *testing.T) {
	r := newRenderer(t)
	const expired, superseded = "Expired on Mar 13, 2029", "Superseded by credential 7M2D-4KQ8-XW3N-B5RT-9PHC-6JZE-1VA"
	for _, tt := range []struct {
		status, lang string
		want         string
		absent       []string
	}{
		{portal.CertActive, "en", "", []string{expired, superseded}},
		{portal.CertExpiring, "en", "", []string{expired, superseded}},
		{portal.CertExpired, "en", expired, []string{superseded}},
		{portal.CertExpired, "es", "Caducó el 13 mar 2029", []string{expired}},
		{portal.CertSuperseded, "en", superseded, []string{expired}},
	} {
		t.Run(tt.status+"/"+tt.lang, func(t *testing.T) {
			c := certificate(t, "Anna Nowak", "pl")
			c.Status, c.Lang, c.SupersededBy = tt.status, tt.lang, "7M2D-4KQ8-XW3N-B5RT-9PHC-6JZE-1VA"
			text := pdftotext(t, must(t)(r.Certificate(c)))
			if tt.want != "" {
				// The mark follows the credential ID and precedes the QR code's caption.
				inOrder(t, text, "0F3K-9QXM-2B7T-R4ZP-HW8C-N6JD-5VE", tt.want, verifyURL)
			}
			for _, a := range tt.absent {
				if strings.Contains(squeezed(text), squeezed(a)) {
					t.Errorf("%s certificate shows %q", tt.status, a)
				}
			}
		})
	}
}

func TestCertificateRefusesWhatMustNotBePrinted(t *testing.T) {
	r := newRenderer(t)
	for _, tt := range []struct {
		name   string
		change func(*Certificate)
		want   error
	}{
		{"revoked", func(c *Certificate) { c.Status = portal.CertRevoked }, portal.ErrConflict},
		{"suspended", func(c *Certificate) { c.Status = portal.CertSuspended }, portal.ErrConflict},
		{"withdrawn", func(c *Certificate) { c.Status = portal.CertWithdrawn }, portal.ErrConflict},
		{"no status", func(c *Certificate) { c.Status = "" }, portal.ErrConflict},
		{"superseded without successor", func(c *Certificate) { c.Status = portal.CertSuperseded }, portal.ErrInvalid},
		{"unknown paper", func(c *Certificate) { c.Paper = "A3" }, portal.ErrInvalid},
		{"unknown language", func(c *Certificate) { c.Lang = "de" }, portal.ErrInvalid},
		{"issue day not a day", func(c *Certificate) { c.IssuedOn = "14/03/2026" }, portal.ErrInvalid},
		{"no verification URL", func(c *Certificate) { c.VerifyURL = "" }, portal.ErrInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := certificate(t, "Anna Nowak", "pl")
			tt.change(&c)
			data, err := r.Certificate(c)
			if !errors.Is(err, tt.want) || data != nil {
				t.Errorf("err = %v with %d bytes, want %v and no file", err, len(data), tt.want)
			}
		})
	}
	c := certificate(t, "Anna Nowak", "pl")
	c.Status = portal.CertRevoked
	var pe *portal.Error
	if _, err := r.Certificate(c); !errors.As(err, &pe) || pe.Message != "certdoc.error.revoked" {
		t.Errorf("revoked: err = %v, want the certdoc.error.revoked message", err)
	}
}

func TestUncoveredCharacterFailsTheDocument(t *testing.T) {
	r := newRenderer(t)
	const bad = '\U0001F600'
	cases := []struct {
		name, field string
		render      func() ([]byte, error)
	}{
		{"certificate name", "name", func() ([]byte, error) {
			return r.Certificate(certificate(t, "Ann "+string(bad), "en"))
		}},
		{"certificate certification", "certification", func() ([]byte, error) {
			c := certificate(t, "Ann Lee", "en")
			c.Certification += string(bad)
			return r.Certificate(c)
		}},
		{"score report exam", "exam", func() ([]byte, error) {
			s := scoreReport()
			s.Exam += string(bad)
			return r.ScoreReport(s)
		}},
		{"transcript attempt on a later page", "exam", func() ([]byte, error) {
			tr := transcript(60)
			tr.Attempts[55].Exam += string(bad)
			return r.Transcript(tr)
		}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			data, err := tt.render()
			var unc *typeset.UncoveredError
			var te *TextError
			if !errors.As(err, &unc) || unc.Rune != bad || !errors.As(err, &te) || te.Field != tt.field {
				t.Fatalf("err = %v, want a TextError for %s with the uncovered %U", err, tt.field, bad)
			}
			if data != nil {
				t.Errorf("%d bytes returned with the error", len(data))
			}
			pub, ok := te.Public()
			if !ok || pub.Code != portal.EInvalid || pub.Data["CodePoint"] != "U+1F600" {
				t.Errorf("Public() = %+v, %v", pub, ok)
			}
		})
	}
}

// TestEveryLabelIsInTheDocumentLanguage: a label the catalog lacks in the
// document's language fails the document instead of printing English in
// a Spanish certificate.
func TestEveryLabelIsInTheDocumentLanguage(t *testing.T) {
	r := newRenderer(t)
	renders := map[string]func(lang string) ([]byte, error){
		"certificate": func(lang string) ([]byte, error) {
			c := certificate(t, "Ann Lee", "en")
			c.Lang, c.Status, c.SupersededBy = lang, portal.CertSuperseded, "7M2D-4KQ8-XW3N-B5RT-9PHC-6JZE-1VA"
			return r.Certificate(c)
		},
		"expired certificate": func(lang string) ([]byte, error) {
			c := certificate(t, "Ann Lee", "en")
			c.Lang, c.Status = lang, portal.CertExpired
			return r.Certificate(c)
		},
		"score report": func(lang string) ([]byte, error) {
			s := scoreReport()
			s.Lang = lang
			return r.ScoreReport(s)
		},
		"transcript": func(lang string) ([]byte, error) {
			tr := transcript(40)
			tr.Lang = lang
			return r.Transcript(tr)
		},
	}
	for name, render := range renders {
		for _, lang := range r.cat.Languages() {
			if _, err := render(lang); err != nil {
				t.Errorf("%s in %s: %v", name, lang, err)
			}
		}
	}
	// Without one Spanish message, every document using it fails.
	es := r.ids["es"]
	defer func() { r.ids["es"] = es }()
	for _, id := range []string{"certdoc.certificate.certifies", "score_report.band.meets", "certdoc.transcript.col.score"} {
		r.ids["es"] = map[string]bool{}
		for k := range es {
			r.ids["es"][k] = k != id
		}
		failed := 0
		for _, render := range renders {
			if data, err := render("es"); err != nil {
				if data != nil || !strings.Contains(err.Error(), id) {
					t.Errorf("without %s: %v", id, err)
				}
				failed++
			}
		}
		if failed == 0 {
			t.Errorf("no document failed without the Spanish %s", id)
		}
	}
}

func TestSameInputGivesTheSameBytes(t *testing.T) {
	for name, render := range map[string]func(r *Renderer) ([]byte, error){
		"certificate": func(r *Renderer) ([]byte, error) {
			return r.Certificate(certificate(t, "山田 花子 محمد", "ja"))
		},
		"score report": func(r *Renderer) ([]byte, error) { return r.ScoreReport(scoreReport()) },
		"transcript":   func(r *Renderer) ([]byte, error) { return r.Transcript(transcript(60)) },
	} {
		t.Run(name, func(t *testing.T) {
			a, b := must(t)(render(newRenderer(t))), must(t)(render(newRenderer(t)))
			if !bytes.Equal(a, b) {
				t.Fatal("two renderings of the same input differ")
			}
		})
	}
	data := must(t)(newRenderer(t).Certificate(certificate(t, "Ann Lee", "en")))
	for _, want := range []string{"/CreationDate (D:20260314093000Z)", "/Alt (" + verifyURL + ")", "/Lang (en)"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("certificate lacks %s", want)
		}
	}
}

func TestPaperSizes(t *testing.T) {
	pdfinfo := testutil.Tool(t, "pdfinfo", "poppler-utils")
	r := newRenderer(t)
	for _, tt := range []struct {
		paper Paper
		want  string
	}{
		{PaperA4, "595.276 x 841.89 pts (A4)"},
		{PaperLetter, "612 x 792 pts (letter)"},
		{"letter", "612 x 792 pts (letter)"},
	} {
		c := certificate(t, "Ann Lee", "en")
		c.Paper = tt.paper
		s := scoreReport()
		s.Paper = tt.paper
		tr := transcript(60)
		tr.Paper = tt.paper
		for name, data := range map[string][]byte{
			"certificate":  must(t)(r.Certificate(c)),
			"score report": must(t)(r.ScoreReport(s)),
			"transcript":   must(t)(r.Transcript(tr)),
		} {
			info := testutil.RunTool(t, pdfinfo, "-l", "9", testutil.WriteTemp(t, "doc.pdf", data))
			sized := 0
			for _, l := range strings.Split(info, "\n") {
				if f := strings.Fields(l); len(f) > 3 && f[0] == "Page" && f[2] == "size:" {
					sized++
					if got := strings.Join(f[3:], " "); got != tt.want {
						t.Errorf("%s on %s: page %s is %s, want %s", name, tt.paper, f[1], got, tt.want)
					}
				}
			}
			if sized == 0 {
				t.Errorf("%s on %s: pdfinfo lists no page size:\n%s", name, tt.paper, info)
			}
		}
	}
}

func TestScoreReportShowsTheResult(t *testing.T) {
	r := newRenderer(t)
	s := scoreReport()
	inOrder(t, pdftotext(t, must(t)(r.ScoreReport(s))),
		"Score report", "Łucja Żółkiewska", "Solutions Architect – Associate (SAA-C03)", "Mar 2, 2026",
		"612", "720", "Fail", "ATT-000482", "on or after Mar 16, 2026",
		"Design secure architectures", "30%", "Meets competencies",
		"Design resilient architectures", "26%", "Needs improvement", "720 or more passes", "Page 1 of 1")

	s.Passed, s.Score, s.Name, s.NameLang, s.Lang = true, 1000, "עמית כהן", "he", "es"
	text := pdftotext(t, must(t)(r.ScoreReport(s)))
	inOrder(t, text, "Informe de puntuación", "עמית כהן", "2 mar 2026", "1.000", "Aprobado", "Cumple las competencias")
	if strings.Contains(text, "16 mar 2026") {
		t.Error("a passed result shows a retake date")
	}
}

func TestTranscriptContinuesOnNewPages(t *testing.T) {
	pdfinfo := testutil.Tool(t, "pdfinfo", "poppler-utils")
	r := newRenderer(t)
	pages := func(data []byte) string {
		for _, l := range strings.Split(testutil.RunTool(t, pdfinfo, testutil.WriteTemp(t, "doc.pdf", data)), "\n") {
			if strings.HasPrefix(l, "Pages:") {
				return strings.TrimSpace(strings.TrimPrefix(l, "Pages:"))
			}
		}
		return ""
	}
	short := must(t)(r.Transcript(transcript(3)))
	if got := pages(short); got != "1" {
		t.Errorf("3 attempts take %s pages, want 1", got)
	}
	long := must(t)(r.Transcript(transcript(60)))
	if got := pages(long); got != "3" {
		t.Errorf("60 attempts take %s pages, want 3", got)
	}
	all := rawText(t, long)
	want := []string{"Academic transcript", "山田 花子", "TR-2026-0042", "Issued on Apr 1, 2026",
		"Solutions Architect – Associate", "SAA · Credential ID 0F3K-9QXM-2B7T-R4ZP-HW8C-N6JD-5VE", "Active", "Mar 14, 2026", "Mar 13, 2029",
		"Cloud Practitioner", "CLF · Credential ID 7M2D-4KQ8-XW3N-B5RT-9PHC-6JZE-1VA", "Superseded", "Jan 10, 2023", "Jan 9, 2026"}
	for i := range 60 {
		want = append(want, fmt.Sprintf("NET-%03d", i+1))
	}
	inOrder(t, all, append(want, "Page 3 of 3")...)
	// A later page says whose transcript it is and repeats the table's head.
	inOrder(t, pdftotext(t, long, 2, 2), "山田 花子, continued", "Academic transcript", "Exam", "Code", "Date", "Score", "Result",
		"Page 2 of 3")
}

// TestGoldenImages compares rasterised documents with committed images.
// Regenerate them on purpose with `go test ./internal/certdoc -run Golden
// -update` and look at them before committing.
func TestGoldenImages(t *testing.T) {
	pdftoppm := testutil.Tool(t, "pdftoppm", "poppler-utils")
	r := newRenderer(t)
	expired := certificate(t, "عبد الله الفارسي", "ar")
	expired.Status, expired.Lang, expired.Paper = portal.CertExpired, "es", PaperLetter
	for _, tt := range []struct {
		file string
		page int
		data []byte
	}{
		{"certificate-latin.png", 1, must(t)(r.Certificate(certificate(t, "Gwenllïan ap Ŵyn", "cy")))},
		{"certificate-arabic.png", 1, must(t)(r.Certificate(expired))},
		{"certificate-cjk.png", 1, must(t)(r.Certificate(certificate(t, "山田 花子", "ja")))},
		{"score-report.png", 1, must(t)(r.ScoreReport(scoreReport()))},
		{"transcript-1.png", 1, must(t)(r.Transcript(transcript(60)))},
		{"transcript-2.png", 2, must(t)(r.Transcript(transcript(60)))},
	} {
		t.Run(tt.file, func(t *testing.T) {
			path := testutil.WriteTemp(t, "doc.pdf", tt.data)
			out := filepath.Join(filepath.Dir(path), "page")
			p := fmt.Sprint(tt.page)
			testutil.RunTool(t, pdftoppm, "-r", "40", "-png", "-f", p, "-l", p, "-singlefile", path, out)
			got, err := os.ReadFile(out + ".png")
			if err != nil {
				t.Fatal(err)
			}
			testutil.MatchGolden(t, got, filepath.Join("testdata", tt.file), *update)
		})
	}
}

func benchmarkRender(b *testing.B, render func(r *Renderer) ([]byte, error)) {
	r := newRenderer(b)
	if _, err := render(r); err != nil {
		b.Fatal(err) // loads the fonts outside the timing
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := render(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCertificateLatin(b *testing.B) {
	c := certificate(b, "Gwenllïan ap Ŵyn", "cy")
	benchmarkRender(b, func(r *Renderer) ([]byte, error) { return r.Certificate(c) })
}

func BenchmarkCertificateArabic(b *testing.B) {
	c := certificate(b, "عبد الله الفارسي", "ar")
	benchmarkRender(b, func(r *Renderer) ([]byte, error) { return r.Certificate(c) })
}

func BenchmarkScoreReport(b *testing.B) {
	s := scoreReport()
	benchmarkRender(b, func(r *Renderer) ([]byte, error) { return r.ScoreReport(s) })
}

func BenchmarkTranscript60(b *testing.B) {
	tr := transcript(60)
	benchmarkRender(b, func(r *Renderer) ([]byte, error) { return r.Transcript(tr) })
}

// TestLongNameStaysOnOneLineInsideTheFrame: a long name is set smaller,
// never broken or run past the frame.
func TestLongNameStaysOnOneLineInsideTheFrame(t *testing.T) {
	tool := testutil.Tool(t, "pdftotext", "poppler-utils")
	name := "Maximiliana Wilhelmina Bartholomew-Vanderbilt de la Santísima Trinidad y Montenegro"
	c := certificate(t, name, "es")
	c.Paper = PaperLetter
	data := must(t)(newRenderer(t).Certificate(c))
	out := testutil.RunTool(t, tool, "-bbox", testutil.WriteTemp(t, "doc.pdf", data), "-")
	word := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>`)
	var lines []string
	for _, m := range word.FindAllStringSubmatch(out, -1) {
		if !strings.Contains(name, m[4]) || len(m[4]) < 4 {
			continue
		}
		xMin, _ := strconv.ParseFloat(m[1], 64)
		xMax, _ := strconv.ParseFloat(m[3], 64)
		if xMin < 40 || xMax > 612-40 { // the inner frame is at 30
			t.Errorf("%q runs from %.0f to %.0f, outside the frame", m[4], xMin, xMax)
		}
		if !slices.Contains(lines, m[2]) {
			lines = append(lines, m[2])
		}
	}
	if len(lines) != 1 {
		t.Errorf("the name is set on %d lines (tops %v), want 1", len(lines), lines)
	}
}
