// Package typeset lays out lines of multilingual text with the bundled Noto
// fonts: it picks a font for each character by coverage, orders runs with the
// Unicode bidirectional algorithm and shapes them into glyph IDs with a
// HarfBuzz-class shaper. It knows nothing of PDF; internal/pdf writes what it
// lays out, and subsets the fonts with Font.Subset.
package typeset

import (
	"bytes"
	"compress/zlib"
	"embed"
	"fmt"
	"io"
	"sync"

	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/shaping"
)

//go:generate /usr/bin/python3 fonts/build.py

//go:embed fonts/*.ttf.z
var fontFiles embed.FS

// Weight selects the regular or the bold face. Only Latin, Greek and Cyrillic
// have a bold face; other scripts keep their regular face in bold text.
type Weight int

const (
	Regular Weight = iota
	Bold
)

// bundled lists the fonts in the order fallback tries them. The first entry
// of a weight is its primary font.
var bundled = []struct {
	name   string
	weight Weight
}{
	{"NotoSans-Bold", Bold},
	{"NotoSans-Regular", Regular},
	{"NotoNaskhArabic-Regular", Regular},
	{"NotoSansHebrew-Regular", Regular},
	{"NotoSansDevanagari-Regular", Regular},
	{"NotoSansThai-Regular", Regular},
	{"NotoSansKhmer-Regular", Regular},
	{"NotoSansCJK-Regular", Regular},
}

// Fonts is the bundled font set. Fonts are decompressed and parsed on first
// use, so a document with Latin names never loads the CJK font. Make one with
// NewFonts and share it: it is safe for concurrent use.
type Fonts struct {
	fonts   []*Font
	shapers sync.Pool
}

// NewFonts returns the bundled font set.
func NewFonts() *Fonts {
	fs := &Fonts{shapers: sync.Pool{New: func() any { return new(shaping.HarfbuzzShaper) }}}
	for i, b := range bundled {
		fs.fonts = append(fs.fonts, &Font{Name: b.name, weight: b.weight, index: i})
	}
	return fs
}

// Font is one bundled font. Its methods load it on first use.
type Font struct {
	// Name is the PostScript name, used as the PDF BaseFont.
	Name   string
	weight Weight
	index  int

	once sync.Once
	err  error
	data []byte
	face *font.Face
	sfnt *sfnt
}

func (f *Font) load() error {
	f.once.Do(func() {
		f.err = f.parse()
		if f.err != nil {
			f.err = fmt.Errorf("typeset: load font %s: %w", f.Name, f.err)
		}
	})
	return f.err
}

func (f *Font) parse() error {
	packed, err := fontFiles.ReadFile("fonts/" + f.Name + ".ttf.z")
	if err != nil {
		return err
	}
	zr, err := zlib.NewReader(bytes.NewReader(packed))
	if err != nil {
		return err
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	if err := zr.Close(); err != nil {
		return err
	}
	face, err := font.ParseTTF(bytes.NewReader(data))
	if err != nil {
		return err
	}
	s, err := parseSFNT(data)
	if err != nil {
		return err
	}
	f.data, f.face, f.sfnt = data, face, s
	return nil
}

// covers reports whether the font has a glyph for r.
func (f *Font) covers(r rune) (bool, error) {
	if err := f.load(); err != nil {
		return false, err
	}
	_, ok := f.face.NominalGlyph(r)
	return ok, nil
}

// Metrics describe a loaded font in units of the em (1 = the font size).
type Metrics struct {
	Ascent, Descent, CapHeight float64 // Descent is negative
	BBox                       [4]float64
}

// Metrics returns the font's vertical metrics and bounding box.
func (f *Font) Metrics() (Metrics, error) {
	if err := f.load(); err != nil {
		return Metrics{}, err
	}
	s := f.sfnt
	u := float64(s.upem)
	return Metrics{
		Ascent:    float64(s.ascent) / u,
		Descent:   float64(s.descent) / u,
		CapHeight: float64(s.capHeight) / u,
		BBox:      [4]float64{float64(s.bbox[0]) / u, float64(s.bbox[1]) / u, float64(s.bbox[2]) / u, float64(s.bbox[3]) / u},
	}, nil
}

// Advance returns the glyph's advance width in the font's own metrics, in em.
func (f *Font) Advance(gid uint16) (float64, error) {
	if err := f.load(); err != nil {
		return 0, err
	}
	return float64(f.sfnt.advance(gid)) / float64(f.sfnt.upem), nil
}

// Subset returns a TrueType font with only the given glyphs, renumbered in
// the order given: glyph i of the result is glyphs[i]. Glyph 0 (.notdef) is
// required first by the format; composite glyphs keep their components,
// appended after the given ones.
func (f *Font) Subset(glyphs []uint16) ([]byte, error) {
	if err := f.load(); err != nil {
		return nil, err
	}
	out, err := f.sfnt.subset(glyphs)
	if err != nil {
		return nil, fmt.Errorf("typeset: subset %s: %w", f.Name, err)
	}
	return out, nil
}
