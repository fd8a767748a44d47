// Package certdoc lays out the program's documents (the certificate, the
// score report and the transcript) from plain values and returns them as
// unsigned PDF files. It reads no database and no clock: every date and ID
// in a file comes from its input, so the same input gives the same bytes
// and a lost document can be made again. Labels come from the i18n catalog
// in the document's language; values from outside the template (names,
// certification and exam names) are isolated spans, so a right-to-left
// name never reorders the words around it.
package certdoc

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"slices"
	"strings"
	"time"

	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/pdf"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/typeset"
)

// Renderer lays out documents. It is safe for concurrent use: each call
// builds its own document.
type Renderer struct {
	fonts *typeset.Fonts
	cat   *i18n.Catalog
	ids   map[string]map[string]bool // language -> message IDs it defines
}

// New returns a renderer drawing with fonts (share one set per process)
// and labelling with cat.
func New(fonts *typeset.Fonts, cat *i18n.Catalog) *Renderer {
	r := &Renderer{fonts: fonts, cat: cat, ids: map[string]map[string]bool{}}
	for _, lang := range cat.Languages() {
		set := map[string]bool{}
		for _, id := range cat.MessageIDs(lang) {
			set[id] = true
		}
		r.ids[lang] = set
	}
	return r
}

// Paper is the stored paper size of a document.
type Paper string

const (
	PaperA4     Paper = "A4"
	PaperLetter Paper = "Letter"
)

func (p Paper) size() (pdf.PageSize, error) {
	switch strings.ToLower(string(p)) {
	case "a4":
		return pdf.A4, nil
	case "letter":
		return pdf.Letter, nil
	}
	return 0, fmt.Errorf("certdoc: paper %q: %w", p, portal.ErrInvalid)
}

// TextError reports a value that cannot be drawn, such as a name with a
// character no bundled font has (a *typeset.UncoveredError, reachable with
// errors.As). Field names the input it came from.
type TextError struct {
	Field string
	Err   error
}

func (e *TextError) Error() string { return fmt.Sprintf("certdoc: %s: %v", e.Field, e.Err) }
func (e *TextError) Unwrap() error { return e.Err }

// Public is the message for staff when the text has an uncovered
// character, and false for any other failure.
func (e *TextError) Public() (*portal.Error, bool) {
	var unc *typeset.UncoveredError
	if !errors.As(e.Err, &unc) {
		return nil, false
	}
	return portal.Errorf(portal.EInvalid, "certdoc.error.uncovered",
		map[string]any{"Char": string(unc.Rune), "CodePoint": fmt.Sprintf("%U", unc.Rune)}), true
}

// Colours of the documents: one calm accent, grey for labels.
var (
	navy      = pdf.Color{R: 0.09, G: 0.22, B: 0.45}
	grey      = pdf.Color{R: 0.33, G: 0.35, B: 0.4}
	rule      = pdf.Color{R: 0.75, G: 0.78, B: 0.83}
	shade     = pdf.Color{R: 0.93, G: 0.94, B: 0.96}
	stampRed  = pdf.Color{R: 0.72, G: 0.1, B: 0.1}
	markAmber = pdf.Color{R: 0.55, G: 0.36, B: 0.02}
)

// doc is a document being laid out: the pages, the document's language
// and the first error, after which every drawing call does nothing, so a
// layout reads top to bottom and reports its failure once at the end.
type doc struct {
	*pdf.Document
	r    *Renderer
	size pdf.PageSize
	w, h float64
	l    *i18n.Localizer
	has  map[string]bool
	err  error
}

// newDoc starts a document in lang on paper, titled with the message
// titleID followed by about (a name or an ID) when given.
func (r *Renderer) newDoc(paper Paper, lang string, info pdf.Info, titleID, about string) (*doc, error) {
	size, err := paper.size()
	if err != nil {
		return nil, err
	}
	if !r.cat.Supported(lang) {
		return nil, fmt.Errorf("certdoc: document language %q: %w", lang, portal.ErrInvalid)
	}
	w, h := size.Points()
	d := &doc{r: r, size: size, w: w, h: h, l: r.cat.Localizer(lang), has: r.ids[lang]}
	info.Lang = lang
	info.Title = d.T(titleID, nil)
	if about != "" {
		info.Title += ": " + about
	}
	d.Document = pdf.New(r.fonts, info)
	return d, nil
}

func (d *doc) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// T translates a label. A message the document's language lacks fails the
// document rather than print English (or a bracketed ID) into it.
func (d *doc) T(id string, data map[string]any) string {
	if !d.has[id] {
		d.fail(fmt.Errorf("certdoc: message %q missing in %s", id, d.l.Lang()))
	}
	return d.l.T(id, data)
}

// spans translates a message whose placeholders in values hold text from
// outside the template; each becomes an isolated span in the line. A
// private-use character marks each placeholder's place in the translation.
func (d *doc) spans(id string, data map[string]any, values map[string]typeset.Span) []typeset.Span {
	all := make(map[string]any, len(data)+len(values))
	for k, v := range data {
		all[k] = v
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	marker := map[rune]typeset.Span{}
	for i, k := range keys {
		m := rune(0xE000 + i)
		all[k] = string(m)
		marker[m] = values[k]
	}
	var out []typeset.Span
	var text strings.Builder
	for _, c := range d.T(id, all) {
		s, ok := marker[c]
		if !ok {
			text.WriteRune(c)
			continue
		}
		if text.Len() > 0 {
			out = append(out, typeset.Span{Text: text.String()})
			text.Reset()
		}
		out = append(out, s)
	}
	if text.Len() > 0 {
		out = append(out, typeset.Span{Text: text.String()})
	}
	return out
}

// value is text from outside the template, isolated, in its language.
func value(text, lang string) typeset.Span {
	return typeset.Span{Text: text, Lang: lang, Isolated: true}
}

func plain(text string) []typeset.Span { return []typeset.Span{{Text: text}} }

// day formats a stored calendar day ("2006-01-02") in the document's
// language.
func (d *doc) day(field, s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		d.fail(fmt.Errorf("certdoc: %s %q is not a day (YYYY-MM-DD): %w", field, s, portal.ErrInvalid))
		return ""
	}
	return d.l.Date(t, time.UTC)
}

// text draws one line; field names the input the line shows, for the
// error when it cannot be drawn.
func (d *doc) text(p *pdf.Page, field string, x, y float64, spans []typeset.Span, st pdf.TextStyle) pdf.Placed {
	if d.err != nil {
		return pdf.Placed{}
	}
	placed, err := p.Text(x, y, spans, st)
	if err != nil {
		d.fail(&TextError{Field: field, Err: err})
	}
	return placed
}

// wrap breaks text at spaces into lines no wider than width at size.
func (d *doc) wrap(text string, weight typeset.Weight, size, width float64) []string {
	words := strings.Fields(text)
	if len(words) == 0 {
		return nil
	}
	// Most texts fit on one line: one layout instead of one a word.
	if whole := strings.Join(words, " "); len(words) > 1 {
		l, err := d.r.fonts.Layout(plain(whole), typeset.Style{Weight: weight, Lang: d.l.Lang()})
		if err != nil {
			d.fail(&TextError{Field: "label", Err: err})
			return nil
		}
		if l.Width*size <= width {
			return []string{whole}
		}
	}
	var lines []string
	line := ""
	for _, word := range words {
		try := word
		if line != "" {
			try = line + " " + word
		}
		l, err := d.r.fonts.Layout(plain(try), typeset.Style{Weight: weight, Lang: d.l.Lang()})
		if err != nil {
			d.fail(&TextError{Field: "label", Err: err})
			return nil
		}
		if l.Width*size > width && line != "" {
			lines = append(lines, line)
			line = word
			continue
		}
		line = try
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// logo draws the program's logo (PNG) fitted into the box at x, y,
// keeping its proportions, centred horizontally in the box.
func (d *doc) logo(p *pdf.Page, data []byte, program string, x, y, w, h float64) {
	if d.err != nil || len(data) == 0 {
		return
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		d.fail(fmt.Errorf("certdoc: logo is not a PNG image: %w", err))
		return
	}
	b := img.Bounds()
	scale := min(w/float64(b.Dx()), h/float64(b.Dy()))
	iw, ih := float64(b.Dx())*scale, float64(b.Dy())*scale
	alt := d.T("certdoc.logo", map[string]any{"Program": program})
	if err := p.Image(img, x+(w-iw)/2, y, iw, ih, alt); err != nil {
		d.fail(fmt.Errorf("certdoc: logo: %w", err))
	}
}

// numberPages writes "Page n of m" at the foot of each page.
func (d *doc) numberPages(pages []*pdf.Page) {
	for i, p := range pages {
		label := d.T("certdoc.page", map[string]any{"Page": i + 1, "Pages": len(pages)})
		d.text(p, "label", d.w/2, d.h-30, plain(label), pdf.TextStyle{Size: 8, Align: pdf.Center, Color: grey})
	}
}

// finish returns the file, or the first error and no file.
func (d *doc) finish() ([]byte, error) {
	if d.err != nil {
		return nil, d.err
	}
	data, err := d.Bytes()
	if err != nil {
		return nil, fmt.Errorf("certdoc: write: %w", err)
	}
	return data, nil
}
