package pdf

import (
	"errors"
	"fmt"
	"image"
	"slices"
	"strings"

	"golang.org/x/text/unicode/bidi"

	"example.org/certportal/internal/typeset"
)

// Coordinates on a page are in points from the top-left corner, y downwards,
// as layouts are usually drawn; the writer turns them into PDF space.

// Color is an RGB colour, each component from 0 to 1.
type Color struct{ R, G, B float64 }

// Black is the default text colour.
var Black = Color{}

// Align places a line of text relative to its x.
type Align int

const (
	Left   Align = iota // x is the left edge
	Center              // x is the centre
	Right               // x is the right edge
)

// TextStyle describes one line of text.
type TextStyle struct {
	Size   float64 // in points
	Weight typeset.Weight
	Align  Align
	// MaxWidth, when positive, shrinks the font size until the line fits:
	// a long name stays on one line.
	MaxWidth float64
	Color    Color
	// Lang is the line's BCP 47 language; empty means the document's.
	Lang string
	Dir  typeset.Direction
	// Role is the structure type: P (the default), H1, H2 or Span.
	Role string
}

// Placed reports where a line of text went.
type Placed struct {
	X, Width, Size float64
}

// Text draws one line of spans with its baseline at y. It fails with
// *typeset.UncoveredError when a character has no glyph in the bundled fonts,
// and draws nothing then.
func (p *Page) Text(x, y float64, spans []typeset.Span, st TextStyle) (Placed, error) {
	if st.Size <= 0 {
		return Placed{}, errors.New("pdf: text size must be positive")
	}
	lang := st.Lang
	if lang == "" {
		lang = p.doc.info.Lang
	}
	line, err := p.doc.fonts.Layout(spans, typeset.Style{Weight: st.Weight, Lang: lang, Dir: st.Dir})
	if err != nil {
		return Placed{}, err
	}
	size := st.Size
	if st.MaxWidth > 0 && line.Width*size > st.MaxWidth {
		size = st.MaxWidth / line.Width
	}
	width := line.Width * size
	switch st.Align {
	case Center:
		x -= width / 2
	case Right:
		x -= width
	}
	role := st.Role
	if role == "" {
		role = "P"
	}
	// Each run's language in the structure tree: a run in a script unlike
	// the line's (an Arabic name in an English certificate) is a Span of
	// its own with its /Lang.
	tags := make([]string, len(line.Runs))
	foreign := false
	for i, run := range line.Runs {
		tags[i] = tagLang(run.Lang, run.Text, spans[run.Span].Text, lang)
		foreign = foreign || tags[i] != lang
	}
	b := &p.content
	mcid := -1
	if foreign {
		fmt.Fprintf(b, "BT\n%s %s %s rg\n", num(st.Color.R), num(st.Color.G), num(st.Color.B))
	} else {
		mcid = p.mark(element{role: role, lang: lang, text: line.Text})
		fmt.Fprintf(b, "/%s <</MCID %d>> BDC\nBT\n%s %s %s rg\n", role, mcid, num(st.Color.R), num(st.Color.G), num(st.Color.B))
	}
	runMCIDs := make([]int, len(line.Runs))
	baseline := p.h - y
	pen := x
	for i, run := range line.Runs {
		u := p.doc.use(run.Font)
		// Text extractors (poppler, pdf.js) order characters by position
		// and then reverse right-to-left script runs. Right-to-left script
		// is therefore left to the glyphs' ToUnicode text, written in
		// display order within a glyph; an ActualText there would come out
		// reversed. Every other run carries its logical text as
		// ActualText, which also covers reordered Indic vowel signs and
		// Latin turned around by a bidi override.
		rtlScript := run.RTL && strongRTL(run.Text)
		props := ""
		if foreign {
			runMCIDs[i] = p.mcid
			p.mcid++
			props = fmt.Sprintf(" /MCID %d", runMCIDs[i])
		}
		if tags[i] != lang {
			props += " /Lang " + textString(tags[i])
		}
		if !rtlScript {
			props += " /ActualText " + utf16Hex(run.Text)
		}
		fmt.Fprintf(b, "/Span <<%s>> BDC\n/%s %s Tf\n", strings.TrimSpace(props), u.res, num(size))
		p.glyphs(u, run, pen, baseline, size, rtlScript)
		b.WriteString("EMC\n")
		pen += run.Width * size
	}
	if !foreign {
		b.WriteString("ET\nEMC\n")
		return Placed{X: x, Width: width, Size: size}, nil
	}
	b.WriteString("ET\n")
	p.elems = append(p.elems, lineElement(role, lang, line, tags, runMCIDs))
	return Placed{X: x, Width: width, Size: size}, nil
}

// lineElement is the structure element of a line with runs in another
// language: its kids in logical order, each run's marked content directly
// or, for a run in another language, inside a Span with that /Lang and
// the run's logical text as /ActualText (right-to-left runs are drawn in
// visual order). Consecutive runs of one language share a Span. The line
// itself carries no /ActualText, which would hide its kids' languages.
func lineElement(role, lang string, line *typeset.Line, tags []string, mcids []int) element {
	order := make([]int, len(line.Runs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ra, rb := line.Runs[a], line.Runs[b]
		if ra.Span != rb.Span {
			return ra.Span - rb.Span
		}
		return ra.Start - rb.Start
	})
	e := element{role: role, lang: lang, mcid: -1}
	for _, i := range order {
		if tags[i] == lang {
			e.kids = append(e.kids, kid{mcid: mcids[i]})
			continue
		}
		if n := len(e.kids); n > 0 && e.kids[n-1].span != nil && e.kids[n-1].span.lang == tags[i] {
			sp := e.kids[n-1].span
			sp.mcids = append(sp.mcids, mcids[i])
			sp.text += line.Runs[i].Text
			continue
		}
		e.kids = append(e.kids, kid{mcid: -1, span: &spanElement{lang: tags[i], text: line.Runs[i].Text, mcids: []int{mcids[i]}}})
	}
	return e
}

// glyphs shows a run with TJ, moving each glyph to its shaped position: the
// numbers between glyphs correct the font's own advance to the shaped one,
// and a glyph raised or lowered by the shaper (a mark) starts a new TJ.
func (p *Page) glyphs(u *fontUse, run typeset.Run, x, y, size float64, reversed bool) {
	b := &p.content
	open := false
	var curY, expect float64 // expect: where the reader's pen is after the last glyph
	pen := x
	for _, g := range run.Glyphs {
		if reversed {
			g.Text = reverse(g.Text)
		}
		cid := u.cidOf(g)
		gx, gy := pen+g.XOffset*size, y+g.YOffset*size
		if !open || gy != curY {
			if open {
				b.WriteString("] TJ\n")
			}
			fmt.Fprintf(b, "1 0 0 1 %s %s Tm [", num(gx), num(gy))
			open, curY, expect = true, gy, gx
		}
		if d := gx - expect; d > 0.0005 || d < -0.0005 {
			fmt.Fprintf(b, " %s ", num(-d*1000/size))
		}
		fmt.Fprintf(b, "<%04X>", cid)
		adv, err := u.font.Advance(g.ID)
		if err != nil { // the font is loaded: Layout used it
			adv = 0
		}
		expect = gx + adv*size
		pen += g.Advance * size
	}
	if open {
		b.WriteString("] TJ\n")
	}
}

// strongRTL reports whether s has a right-to-left letter (Hebrew, Arabic...).
func strongRTL(s string) bool {
	for _, r := range s {
		if p, _ := bidi.LookupRune(r); p.Class() == bidi.R || p.Class() == bidi.AL {
			return true
		}
	}
	return false
}

func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}

// mark adds a structure element for marked content and returns its MCID.
func (p *Page) mark(e element) int {
	e.mcid = p.mcid
	p.mcid++
	p.elems = append(p.elems, e)
	return e.mcid
}

// Line draws a line; decoration, not content, for assistive technology.
func (p *Page) Line(x1, y1, x2, y2, width float64, c Color) {
	fmt.Fprintf(&p.content, "/Artifact BMC\nq %s w %s %s %s RG %s %s m %s %s l S Q\nEMC\n",
		num(width), num(c.R), num(c.G), num(c.B), num(x1), num(p.h-y1), num(x2), num(p.h-y2))
}

// Rect draws a rectangle with its top-left corner at x, y: stroked when
// stroke is non-nil, filled when fill is non-nil. It is decoration.
func (p *Page) Rect(x, y, w, h, lineWidth float64, stroke, fill *Color) {
	b := &p.content
	b.WriteString("/Artifact BMC\nq ")
	op := "n"
	if stroke != nil {
		fmt.Fprintf(b, "%s w %s %s %s RG ", num(lineWidth), num(stroke.R), num(stroke.G), num(stroke.B))
		op = "S"
	}
	if fill != nil {
		fmt.Fprintf(b, "%s %s %s rg ", num(fill.R), num(fill.G), num(fill.B))
		op = "f"
		if stroke != nil {
			op = "B"
		}
	}
	fmt.Fprintf(b, "%s %s %s %s re %s Q\nEMC\n", num(x), num(p.h-y-h), num(w), num(h), op)
}

// Image draws img into the box with its top-left corner at x, y, as a
// figure whose text alternative is alt. An *image.Gray is written as 8-bit
// gray (the QR code); anything else as RGB with its alpha as a soft mask.
func (p *Page) Image(img image.Image, x, y, w, h float64, alt string) error {
	if alt == "" {
		return errors.New("pdf: an image needs a text alternative")
	}
	if img.Bounds().Empty() {
		return errors.New("pdf: empty image")
	}
	p.images = append(p.images, imageXObject{img: img})
	mcid := p.mark(element{role: "Figure", alt: alt})
	fmt.Fprintf(&p.content, "/Figure <</MCID %d>> BDC\nq %s 0 0 %s %s %s cm /Im%d Do Q\nEMC\n",
		mcid, num(w), num(h), num(x), num(p.h-y-h), len(p.images))
	return nil
}

type link struct {
	x1, y1, x2, y2 float64
	uri            string
}

// Link makes the box with its top-left corner at x, y open uri. alt
// describes the link for assistive technology.
func (p *Page) Link(x, y, w, h float64, uri, alt string) error {
	for _, c := range uri {
		if c <= ' ' || c > '~' {
			return fmt.Errorf("pdf: link %q: a URI is printable ASCII", uri)
		}
	}
	p.links = append(p.links, link{x1: x, y1: p.h - y - h, x2: x + w, y2: p.h - y, uri: uri})
	p.elems = append(p.elems, element{role: "Link", alt: alt, mcid: -1, link: len(p.links) - 1})
	return nil
}
