package pdf

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/typeset"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata")

const verifyURL = "https://portal.example.test/verify/CP-2026-0001"

// poppler returns the path of a poppler-utils tool (testutil.Tool).
func poppler(t *testing.T, tool string) string {
	t.Helper()
	return testutil.Tool(t, tool, "poppler-utils")
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	return testutil.RunTool(t, name, args...)
}

func writeTemp(t *testing.T, data []byte) string {
	t.Helper()
	return testutil.WriteTemp(t, "doc.pdf", data)
}

// qrLike is an 8-bit gray image with a QR code's look, standing in for one.
func qrLike() *image.Gray {
	g := image.NewGray(image.Rect(0, 0, 29, 29))
	for y := range 29 {
		for x := range 29 {
			v := uint8(255)
			if (x*7+y*13)%5 < 2 || (x < 7 && y < 7 && (x%6 == 0 || y%6 == 0 || (x > 1 && x < 5 && y > 1 && y < 5))) {
				v = 0
			}
			g.SetGray(x, y, color.Gray{Y: v})
		}
	}
	return g
}

func logo() image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, 40, 40))
	for y := range 40 {
		for x := range 40 {
			a := uint8(0)
			if (x-20)*(x-20)+(y-20)*(y-20) < 400 {
				a = 255
			}
			img.SetNRGBA(x, y, color.NRGBA{R: 20, G: 60, B: 140, A: a})
		}
	}
	return img
}

var created = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// certificate draws a small certificate: the demo layout of the tests.
func certificate(fonts *typeset.Fonts, size PageSize, name typeset.Span) (*Document, error) {
	d := New(fonts, Info{Title: "Certificate of Achievement", Author: "Example Certification Program",
		Lang: "en", Created: created, ID: "CP-2026-0001"})
	p := d.AddPage(size)
	w, h := p.Size()
	navy := Color{R: 0.08, G: 0.24, B: 0.55}
	p.Rect(24, 24, w-48, h-48, 2, &navy, nil)
	if err := p.Image(logo(), w/2-20, 60, 40, 40, "Example Certification Program logo"); err != nil {
		return nil, err
	}
	steps := []struct {
		y     float64
		spans []typeset.Span
		st    TextStyle
	}{
		{150, []typeset.Span{{Text: "Certificate of Achievement"}}, TextStyle{Size: 28, Weight: typeset.Bold, Align: Center, Color: navy, Role: "H1"}},
		{200, []typeset.Span{{Text: "This certifies that"}}, TextStyle{Size: 14, Align: Center}},
		{250, []typeset.Span{name}, TextStyle{Size: 32, Align: Center, MaxWidth: w - 120}},
		{300, []typeset.Span{{Text: "has earned the Certified Widget Engineer (CWE) credential."}}, TextStyle{Size: 14, Align: Center}},
		{330, []typeset.Span{{Text: "Issued 14 March 2026 · Credential ID CP-2026-0001"}}, TextStyle{Size: 11, Align: Center}},
	}
	for _, s := range steps {
		if _, err := p.Text(w/2, s.y, s.spans, s.st); err != nil {
			return nil, err
		}
	}
	p.Line(60, 360, w-60, 360, 0.5, navy)
	if err := p.Image(qrLike(), w/2-45, 380, 90, 90, verifyURL); err != nil {
		return nil, err
	}
	if err := p.Link(w/2-45, 380, 90, 90, verifyURL, "Verify this certificate"); err != nil {
		return nil, err
	}
	if _, err := p.Text(w/2, 490, []typeset.Span{{Text: verifyURL}}, TextStyle{Size: 10, Align: Center}); err != nil {
		return nil, err
	}
	return d, nil
}

// extracted normalises pdftotext output for comparison: poppler marks
// right-to-left runs with embedding controls and moves a space at a
// direction boundary into the run, so controls and spaces are dropped and
// the order of everything else is compared.
func extracted(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '\u202A' && r <= '\u202E', r == '\u200E', r == '\u200F', r == '\f':
			return -1
		case r == ' ' || r == '\n' || r == '\t':
			return -1
		}
		return r
	}, s)
	return s
}

func TestTextExtractsInLogicalOrder(t *testing.T) {
	pdftotext := poppler(t, "pdftotext")
	fonts := typeset.NewFonts()
	tests := []struct {
		name  string
		spans []typeset.Span
		want  string
	}{
		{"Arabic", []typeset.Span{{Text: "عبد الله الفارسي", Isolated: true, Lang: "ar"}}, "عبد الله الفارسي"},
		{"Hebrew", []typeset.Span{{Text: "נועה בר־לב", Isolated: true, Lang: "he"}}, "נועה בר־לב"},
		{"Devanagari", []typeset.Span{{Text: "प्रिया शर्मा", Isolated: true, Lang: "hi"}}, "प्रिया शर्मा"},
		{"Thai", []typeset.Span{{Text: "สมศักดิ์ ใจดี", Isolated: true, Lang: "th"}}, "สมศักดิ์ ใจดี"},
		{"Khmer", []typeset.Span{{Text: "សុខ ចាន់ថា", Isolated: true, Lang: "km"}}, "សុខ ចាន់ថា"},
		{"Chinese", []typeset.Span{{Text: "王秀英", Isolated: true, Lang: "zh"}}, "王秀英"},
		{"Japanese", []typeset.Span{{Text: "山田 花子", Isolated: true, Lang: "ja"}}, "山田 花子"},
		{"Korean", []typeset.Span{{Text: "김민준", Isolated: true, Lang: "ko"}}, "김민준"},
		{"Polish", []typeset.Span{{Text: "Łucja Żółkiewska", Isolated: true, Lang: "pl"}}, "Łucja Żółkiewska"},
		{"Welsh", []typeset.Span{{Text: "Gwenllïan ap Ŵyn", Isolated: true, Lang: "cy"}}, "Gwenllïan ap Ŵyn"},
		{"Arabic name in an English sentence",
			[]typeset.Span{{Text: "Awarded to "}, {Text: "محمد علي", Isolated: true, Lang: "ar"}, {Text: " on 14 March 2026."}},
			"Awarded to محمد علي on 14 March 2026."},
		{"Hebrew name in an English sentence",
			[]typeset.Span{{Text: "This certifies that "}, {Text: "דוד כהן", Isolated: true, Lang: "he"}, {Text: " passed."}},
			"This certifies that דוד כהן passed."},
		{"right-to-left override in a name",
			[]typeset.Span{{Text: "Awarded to "}, {Text: "Bob\u202Eevil", Isolated: true}, {Text: " for CWE."}},
			"Awarded to Bobevil for CWE."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := New(fonts, Info{Title: tt.name, Lang: "en", Created: created})
			if _, err := d.AddPage(A4).Text(40, 100, tt.spans, TextStyle{Size: 18}); err != nil {
				t.Fatal(err)
			}
			data, err := d.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			got := run(t, pdftotext, writeTemp(t, data), "-")
			if extracted(got) != extracted(tt.want) {
				t.Errorf("pdftotext = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUncoveredCharacterIsAnError(t *testing.T) {
	d := New(typeset.NewFonts(), Info{Lang: "en", Created: created})
	p := d.AddPage(A4)
	for _, r := range []rune{'\U0001F600', '\U00010001'} {
		_, err := p.Text(40, 100, []typeset.Span{{Text: "Ann " + string(r), Isolated: true}}, TextStyle{Size: 12})
		var unc *typeset.UncoveredError
		if !errors.As(err, &unc) || unc.Rune != r {
			t.Errorf("%U: err = %v, want *typeset.UncoveredError naming it", r, err)
		}
	}
	if p.content.Len() != 0 {
		t.Errorf("a failed line left content on the page: %q", p.content.String())
	}
}

func TestOutputIsDeterministic(t *testing.T) {
	build := func(fonts *typeset.Fonts) []byte {
		d, err := certificate(fonts, A4, typeset.Span{Text: "山田 花子 محمد", Isolated: true})
		if err != nil {
			t.Fatal(err)
		}
		data, err := d.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	a, b := build(typeset.NewFonts()), build(typeset.NewFonts())
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same input differ")
	}
	if !bytes.Contains(a, []byte("/CreationDate (D:20260314093000Z)")) {
		t.Error("creation date is not the given instant")
	}
	// The file ID comes from the document ID, not from the clock.
	if !regexp.MustCompile(`/ID \[<([0-9A-F]{32})> <([0-9A-F]{32})>\]`).Match(a) {
		t.Error("no file identifier in the trailer")
	}
}

func TestFontsAreEmbeddedSubsets(t *testing.T) {
	pdffonts := poppler(t, "pdffonts")
	d, err := certificate(typeset.NewFonts(), A4, typeset.Span{Text: "Gwenllïan محمد 山田 김민준 प्रिया", Isolated: true})
	if err != nil {
		t.Fatal(err)
	}
	data, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, pdffonts, writeTemp(t, data))
	lines := strings.Split(strings.TrimSpace(out), "\n")[2:]
	if len(lines) != 5 { // Latin bold and regular, Arabic, CJK, Devanagari
		t.Fatalf("pdffonts lists %d fonts:\n%s", len(lines), out)
	}
	row := regexp.MustCompile(`^[A-Z]{6}\+Noto\S+\s+CID TrueType\s+Identity-H\s+yes yes yes`)
	for _, l := range lines {
		if !row.MatchString(l) {
			t.Errorf("font is not an embedded subset with ToUnicode: %q", l)
		}
	}
	if len(data) > 200_000 {
		t.Errorf("a one-page certificate takes %d bytes: fonts are not subset", len(data))
	}
}

func TestTaggedWithTitleLanguageAndAlternatives(t *testing.T) {
	pdfinfo := poppler(t, "pdfinfo")
	d, err := certificate(typeset.NewFonts(), Letter, typeset.Span{Text: "Anna Nowak", Isolated: true})
	if err != nil {
		t.Fatal(err)
	}
	data, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	path := writeTemp(t, data)
	info := run(t, pdfinfo, path)
	for _, want := range []string{"Title:           Certificate of Achievement", "Tagged:          yes", "Page size:       612 x 792 pts (letter)"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
	// The reading order of the structure tree follows the page.
	structure := run(t, pdfinfo, "-struct", path)
	var roles []string
	for _, l := range strings.Split(structure, "\n") {
		if f := strings.Fields(l); len(f) > 0 && l[0] == ' ' && strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "    ") {
			roles = append(roles, f[0])
		}
	}
	if got, want := strings.Join(roles, " "), "Figure H1 P P P P Figure Link P"; got != want {
		t.Errorf("structure = %s, want %s\n%s", got, want, structure)
	}
	for _, want := range []string{"/Lang (en)", "/DisplayDocTitle true", "/MarkInfo <</Marked true>>",
		"/S /Figure", "/Alt (" + verifyURL + ")", "/ActualText (Anna Nowak)"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("file lacks %s", want)
		}
	}
}

// TestGoldenImages compares rasterised certificates with committed images.
// Regenerate them on purpose with `go test ./internal/pdf -run Golden -update`
// and look at them before committing.
func TestGoldenImages(t *testing.T) {
	pdftoppm := poppler(t, "pdftoppm")
	fonts := typeset.NewFonts()
	for _, tt := range []struct {
		file string
		name typeset.Span
	}{
		{"latin.png", typeset.Span{Text: "Gwenllïan ap Ŵyn", Isolated: true, Lang: "cy"}},
		{"arabic.png", typeset.Span{Text: "عبد الله الفارسي", Isolated: true, Lang: "ar"}},
		{"cjk.png", typeset.Span{Text: "山田 花子", Isolated: true, Lang: "ja"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			d, err := certificate(fonts, A4, tt.name)
			if err != nil {
				t.Fatal(err)
			}
			data, err := d.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			pdf := filepath.Join(dir, "doc.pdf")
			if err := os.WriteFile(pdf, data, 0o600); err != nil {
				t.Fatal(err)
			}
			run(t, pdftoppm, "-r", "50", "-png", "-singlefile", pdf, filepath.Join(dir, "page"))
			got, err := os.ReadFile(filepath.Join(dir, "page.png"))
			if err != nil {
				t.Fatal(err)
			}
			testutil.MatchGolden(t, got, filepath.Join("testdata", tt.file), *update)
		})
	}
}

func benchmarkCertificate(b *testing.B, name string) {
	fonts := typeset.NewFonts()
	if _, err := certificate(fonts, A4, typeset.Span{Text: name, Isolated: true}); err != nil {
		b.Fatal(err) // loads the fonts outside the timing
	}
	b.ReportAllocs()
	for b.Loop() {
		d, err := certificate(fonts, A4, typeset.Span{Text: name, Isolated: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCertificateLatin(b *testing.B) { benchmarkCertificate(b, "Gwenllïan ap Ŵyn") }
func BenchmarkCertificateCJK(b *testing.B)   { benchmarkCertificate(b, "山田 花子") }
