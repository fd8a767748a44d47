package typeset

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
)

// Direction is the base direction of a line.
type Direction int

const (
	LeftToRight Direction = iota
	RightToLeft
)

// Span is a piece of a line's text. A span that holds a value from outside
// the template, such as a candidate's name, is Isolated: it takes its
// direction from its own first strong character and can never reorder the
// text around it, whatever bidi controls it contains (UAX #9 isolates).
type Span struct {
	Text string
	// Lang is the BCP 47 language of the span; empty means the line's.
	Lang     string
	Isolated bool
}

// Style applies to a whole line.
type Style struct {
	Weight Weight
	// Lang is the BCP 47 language of the line, used for shaping.
	Lang string
	Dir  Direction
}

// Line is a laid-out line. Lengths are in em: multiply by the font size.
type Line struct {
	// Runs are in visual order, left to right.
	Runs  []Run
	Width float64
	// Text is the line's text in logical order without bidi controls: what
	// a reader extracts.
	Text string
	// Ascent and Descent are the largest of the fonts used (Descent < 0).
	Ascent, Descent float64
}

// Run is a sequence of glyphs of one font, direction and span.
type Run struct {
	Font   *Font
	Glyphs []Glyph
	RTL    bool
	// Span is the index of the span the run comes from; Lang is its language.
	Span int
	Lang string
	// Start orders runs logically: sorted by Span, then Start, the runs
	// of a line read in logical order (Start is where the run's text
	// starts in its bidi paragraph: the line around isolated spans, or one
	// isolated span).
	Start int
	// Text is the run's text in logical order.
	Text  string
	Width float64
}

// Glyph is a shaped glyph. Text is the text of the glyph's cluster on the
// cluster's first glyph and empty on the others.
type Glyph struct {
	ID                        uint16
	Advance, XOffset, YOffset float64
	Text                      string
}

// UncoveredError reports a character that no bundled font can draw. A
// document must not be issued with it: the reader would see an empty box.
type UncoveredError struct {
	Rune rune
	Text string
}

func (e *UncoveredError) Error() string {
	return fmt.Sprintf("typeset: no bundled font has the character %U %q (in %q)", e.Rune, e.Rune, e.Text)
}

// placeholder stands for an isolated span in the text around it: one
// neutral character, as UAX #9 (rule X5c and BD13) treats an isolate.
const placeholder = '\uFFFC'

// Layout lays out spans as one line. It fails with *UncoveredError when a
// character has no glyph in any bundled font.
func (fs *Fonts) Layout(spans []Span, st Style) (*Line, error) {
	sh := fs.shapers.Get().(*shaping.HarfbuzzShaper)
	defer fs.shapers.Put(sh)
	l := &layouter{fs: fs, st: st, shaper: sh, spans: make([][]rune, len(spans)), in: spans}

	var outer para
	var text strings.Builder
	for i, s := range spans {
		l.spans[i] = clean(s.Text)
		for _, r := range l.spans[i] {
			if !isBidiControl(r) {
				text.WriteRune(r)
			}
		}
		if s.Isolated {
			outer.add(placeholder, i, i)
			continue
		}
		for _, r := range l.spans[i] {
			outer.add(r, i, -1)
		}
	}
	runs, err := l.paragraph(outer, st.Dir == RightToLeft)
	if err != nil {
		return nil, err
	}
	line := &Line{Runs: runs, Text: text.String()}
	for _, r := range runs {
		line.Width += r.Width
		m, err := r.Font.Metrics()
		if err != nil {
			return nil, err
		}
		line.Ascent = max(line.Ascent, m.Ascent)
		line.Descent = min(line.Descent, m.Descent)
	}
	return line, nil
}

type layouter struct {
	fs     *Fonts
	st     Style
	shaper *shaping.HarfbuzzShaper
	in     []Span
	spans  [][]rune
}

// para is the text of one bidi paragraph: the line around its isolates, or
// one isolated span.
type para struct {
	text  []rune
	span  []int
	block []int // isolated span a placeholder stands for, else -1
}

func (p *para) add(r rune, span, block int) {
	p.text = append(p.text, r)
	p.span = append(p.span, span)
	p.block = append(p.block, block)
}

// clean turns line and paragraph breaks, tabs and other C0/C1 controls into
// spaces: a line has no breaks, and the bidi algorithm would end the
// paragraph at one.
func clean(s string) []rune {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r < 0x20 || (r >= 0x7F && r <= 0x9F) || r == '\u2028' || r == '\u2029' {
			r = ' '
		}
		out = append(out, r)
	}
	return out
}

func isBidiControl(r rune) bool {
	switch {
	case r == '\u061C', r == '\u200E', r == '\u200F':
		return true
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// ignorable reports a default-ignorable character: it needs no glyph of its
// own, and the shaper hides it or uses it (joiners, variation selectors).
func ignorable(r rune) bool {
	if unicode.Is(unicode.Prepended_Concatenation_Mark, r) || (r >= '\uFFF9' && r <= '\uFFFB') {
		return false
	}
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}

// segment is a stretch of a paragraph with one level, span, font and script.
type segment struct {
	start, end int
	level      int8
	font       *Font
	script     language.Script
	block      int
}

func (l *layouter) paragraph(p para, rtl bool) ([]Run, error) {
	if len(p.text) == 0 {
		return nil, nil
	}
	levels, err := bidiLevels(p.text, rtl)
	if err != nil {
		return nil, err
	}
	fonts, err := l.pickFonts(p)
	if err != nil {
		return nil, err
	}
	scripts := scriptsOf(p.text)

	var segs []segment
	for i, r := range p.text {
		if p.block[i] < 0 && isBidiControl(r) {
			continue
		}
		if n := len(segs); n > 0 {
			s := &segs[n-1]
			if s.end == i && s.block < 0 && p.block[i] < 0 && s.level == levels[i] &&
				s.font == fonts[i] && s.script == scripts[i] && p.span[s.start] == p.span[i] {
				s.end++
				continue
			}
		}
		segs = append(segs, segment{start: i, end: i + 1, level: levels[i], font: fonts[i], script: scripts[i], block: p.block[i]})
	}
	reorder(segs)

	var runs []Run
	for _, s := range segs {
		if s.block >= 0 {
			inner := para{text: l.spans[s.block]}
			for range inner.text {
				inner.span = append(inner.span, s.block)
				inner.block = append(inner.block, -1)
			}
			in, err := l.paragraph(inner, firstStrongRTL(inner.text))
			if err != nil {
				return nil, err
			}
			runs = append(runs, in...)
			continue
		}
		runs = append(runs, l.shape(p, s))
	}
	return runs, nil
}

// pickFonts chooses a font for each character: the first bundled font that
// covers it, but a character of no particular script (spaces, digits,
// punctuation, combining marks, joiners) stays in the font before it when that
// font covers it, so that a run is not split where it need not be.
func (l *layouter) pickFonts(p para) ([]*Font, error) {
	fonts := make([]*Font, len(p.text))
	var prev *Font
	for i, r := range p.text {
		if p.block[i] >= 0 || isBidiControl(r) {
			continue
		}
		if i > 0 && p.span[i] != p.span[i-1] {
			prev = nil
		}
		if ignorable(r) {
			fonts[i] = prev // nil is filled from the next character below
			continue
		}
		if prev != nil && !language.LookupScript(r).Strong() {
			ok, err := prev.covers(r)
			if err != nil {
				return nil, err
			}
			if ok {
				fonts[i] = prev
				continue
			}
		}
		f, err := l.fallback(r)
		if err != nil {
			return nil, err
		}
		if f == nil {
			return nil, &UncoveredError{Rune: r, Text: l.in[p.span[i]].Text}
		}
		fonts[i], prev = f, f
	}
	// Leading ignorables take the font of what follows them.
	var next *Font
	for i := len(p.text) - 1; i >= 0; i-- {
		if p.block[i] >= 0 || isBidiControl(p.text[i]) {
			continue
		}
		if fonts[i] == nil {
			if next == nil {
				next = l.primary()
			}
			fonts[i] = next
		}
		next = fonts[i]
	}
	return fonts, nil
}

func (l *layouter) primary() *Font {
	for _, f := range l.fs.fonts {
		if f.weight == l.st.Weight {
			return f
		}
	}
	return l.fs.fonts[0]
}

func (l *layouter) fallback(r rune) (*Font, error) {
	for _, f := range l.fs.fonts {
		if f.weight == Bold && l.st.Weight != Bold {
			continue
		}
		ok, err := f.covers(r)
		if err != nil {
			return nil, err
		}
		if ok {
			return f, nil
		}
	}
	return nil, nil
}

// scriptsOf gives each character its script; characters of no particular
// script take the script before them, or after them at the start.
func scriptsOf(text []rune) []language.Script {
	out := make([]language.Script, len(text))
	last := language.Script(0)
	found := false
	for i, r := range text {
		s := language.LookupScript(r)
		if s.Strong() {
			last, found = s, true
		}
		out[i] = last
	}
	if !found {
		for i := range out {
			out[i] = language.Latin
		}
		return out
	}
	first := language.Latin
	for i, r := range text {
		if s := language.LookupScript(r); s.Strong() {
			first = s
			break
		}
		out[i] = 0
	}
	for i := range out {
		if out[i] == 0 {
			out[i] = first
		}
	}
	return out
}

func (l *layouter) shape(p para, s segment) Run {
	f := s.font
	lang := l.in[p.span[s.start]].Lang
	if lang == "" {
		lang = l.st.Lang
	}
	dir := di.DirectionLTR
	if s.level%2 == 1 {
		dir = di.DirectionRTL
	}
	upem := float64(f.sfnt.upem)
	out := l.shaper.Shape(shaping.Input{
		Text:      p.text,
		RunStart:  s.start,
		RunEnd:    s.end,
		Direction: dir,
		Face:      f.face,
		Size:      fixed.I(int(f.sfnt.upem)),
		Script:    s.script,
		Language:  language.NewLanguage(lang),
	})
	run := Run{Font: f, RTL: dir == di.DirectionRTL, Span: p.span[s.start], Lang: lang, Start: s.start, Text: string(p.text[s.start:s.end])}
	// A cluster's text runs to the next cluster in logical order.
	starts := make([]int, 0, len(out.Glyphs))
	for _, g := range out.Glyphs {
		starts = append(starts, g.TextIndex())
	}
	slices.Sort(starts)
	starts = slices.Compact(starts)
	seen := map[int]bool{}
	for _, g := range out.Glyphs {
		gl := Glyph{
			ID:      uint16(g.GlyphID),
			Advance: float64(g.Advance) / 64 / upem,
			XOffset: float64(g.XOffset) / 64 / upem,
			YOffset: float64(g.YOffset) / 64 / upem,
		}
		if c := g.TextIndex(); !seen[c] {
			seen[c] = true
			end := s.end
			if i, _ := slices.BinarySearch(starts, c); i+1 < len(starts) {
				end = min(end, starts[i+1])
			}
			if c >= s.start && c < end {
				gl.Text = string(p.text[c:end])
			}
		}
		run.Width += gl.Advance
		run.Glyphs = append(run.Glyphs, gl)
	}
	return run
}
