package typeset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// sfnt holds the TrueType tables the PDF writer needs: metrics for the font
// descriptor and widths, and glyf/loca for subsetting. The shaper reads the
// font through go-text; this is the part it does not expose.
type sfnt struct {
	tables      map[string][]byte
	upem        uint16
	bbox        [4]int16
	ascent      int16
	descent     int16
	capHeight   int16
	numGlyphs   int
	numHMetrics int
	longLoca    bool
}

var be = binary.BigEndian

var errShort = errors.New("truncated table")

func parseSFNT(data []byte) (*sfnt, error) {
	if len(data) < 12 {
		return nil, errShort
	}
	if v := be.Uint32(data); v != 0x00010000 && v != 0x74727565 {
		return nil, fmt.Errorf("not a TrueType font (version %#x)", v)
	}
	n := int(be.Uint16(data[4:]))
	if len(data) < 12+16*n {
		return nil, errShort
	}
	s := &sfnt{tables: map[string][]byte{}}
	for i := range n {
		rec := data[12+16*i:]
		tag := string(rec[:4])
		off, length := int(be.Uint32(rec[8:])), int(be.Uint32(rec[12:]))
		if off < 0 || length < 0 || off+length > len(data) {
			return nil, fmt.Errorf("table %q: %w", tag, errShort)
		}
		s.tables[tag] = data[off : off+length]
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf"} {
		if s.tables[tag] == nil {
			return nil, fmt.Errorf("no %s table", tag)
		}
	}
	head, hhea, maxp := s.tables["head"], s.tables["hhea"], s.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return nil, errShort
	}
	s.upem = be.Uint16(head[18:])
	for i := range s.bbox {
		s.bbox[i] = int16(be.Uint16(head[36+2*i:]))
	}
	s.longLoca = be.Uint16(head[50:]) == 1
	s.ascent = int16(be.Uint16(hhea[4:]))
	s.descent = int16(be.Uint16(hhea[6:]))
	s.numHMetrics = int(be.Uint16(hhea[34:]))
	s.numGlyphs = int(be.Uint16(maxp[4:]))
	s.capHeight = s.ascent
	if os2 := s.tables["OS/2"]; len(os2) >= 90 && be.Uint16(os2) >= 2 {
		s.capHeight = int16(be.Uint16(os2[88:]))
	}
	if s.numHMetrics == 0 || len(s.tables["hmtx"]) < 4*s.numHMetrics+2*(s.numGlyphs-s.numHMetrics) {
		return nil, fmt.Errorf("hmtx: %w", errShort)
	}
	if len(s.tables["loca"]) < s.locaSize()*(s.numGlyphs+1) {
		return nil, fmt.Errorf("loca: %w", errShort)
	}
	return s, nil
}

func (s *sfnt) locaSize() int {
	if s.longLoca {
		return 4
	}
	return 2
}

func (s *sfnt) advance(gid uint16) uint16 {
	i := min(int(gid), s.numHMetrics-1)
	return be.Uint16(s.tables["hmtx"][4*i:])
}

func (s *sfnt) lsb(gid uint16) uint16 {
	hmtx := s.tables["hmtx"]
	if int(gid) < s.numHMetrics {
		return be.Uint16(hmtx[4*int(gid)+2:])
	}
	return be.Uint16(hmtx[4*s.numHMetrics+2*(int(gid)-s.numHMetrics):])
}

func (s *sfnt) glyph(gid uint16) ([]byte, error) {
	if int(gid) >= s.numGlyphs {
		return nil, fmt.Errorf("glyph %d out of range (%d glyphs)", gid, s.numGlyphs)
	}
	loca, glyf := s.tables["loca"], s.tables["glyf"]
	var start, end int
	if s.longLoca {
		start, end = int(be.Uint32(loca[4*int(gid):])), int(be.Uint32(loca[4*int(gid)+4:]))
	} else {
		start, end = 2*int(be.Uint16(loca[2*int(gid):])), 2*int(be.Uint16(loca[2*int(gid)+2:]))
	}
	if start > end || end > len(glyf) {
		return nil, fmt.Errorf("glyph %d: %w", gid, errShort)
	}
	return glyf[start:end], nil
}

// Composite glyph flags (OpenType glyf table).
const (
	argsAreWords    = 0x0001
	haveScale       = 0x0008
	moreComponents  = 0x0020
	haveXYScale     = 0x0040
	haveTwoByTwo    = 0x0080
	compositeHeader = 10
)

// components calls fn with the offset of each component's glyph index in a
// composite glyph; simple glyphs have none.
func components(g []byte, fn func(off int) error) error {
	if len(g) < compositeHeader || int16(be.Uint16(g)) >= 0 {
		return nil
	}
	off := compositeHeader
	for {
		if off+4 > len(g) {
			return errShort
		}
		flags := be.Uint16(g[off:])
		if err := fn(off + 2); err != nil {
			return err
		}
		off += 4
		if flags&argsAreWords != 0 {
			off += 4
		} else {
			off += 2
		}
		switch {
		case flags&haveScale != 0:
			off += 2
		case flags&haveXYScale != 0:
			off += 4
		case flags&haveTwoByTwo != 0:
			off += 8
		}
		if flags&moreComponents == 0 {
			return nil
		}
	}
}

func (s *sfnt) subset(glyphs []uint16) ([]byte, error) {
	if len(glyphs) == 0 || glyphs[0] != 0 {
		return nil, errors.New("glyph 0 must come first")
	}
	newID := make(map[uint16]uint16, len(glyphs))
	order := make([]uint16, 0, len(glyphs))
	add := func(g uint16) uint16 {
		if id, ok := newID[g]; ok {
			return id
		}
		id := uint16(len(order))
		newID[g] = id
		order = append(order, g)
		return id
	}
	for _, g := range glyphs {
		if _, dup := newID[g]; dup {
			return nil, fmt.Errorf("glyph %d given twice", g)
		}
		add(g)
	}
	var glyf, loca []byte
	for i := 0; i < len(order); i++ { // order grows with components
		data, err := s.glyph(order[i])
		if err != nil {
			return nil, err
		}
		data = append([]byte(nil), data...)
		err = components(data, func(off int) error {
			old := be.Uint16(data[off:])
			if int(old) >= s.numGlyphs {
				return fmt.Errorf("glyph %d: component %d out of range", order[i], old)
			}
			be.PutUint16(data[off:], add(old))
			return nil
		})
		if err != nil {
			return nil, err
		}
		loca = be.AppendUint32(loca, uint32(len(glyf)))
		glyf = append(glyf, data...)
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
	}
	loca = be.AppendUint32(loca, uint32(len(glyf)))
	if len(order) > 0xFFFF {
		return nil, errors.New("too many glyphs")
	}

	var hmtx []byte
	for _, g := range order {
		hmtx = be.AppendUint16(hmtx, s.advance(g))
		hmtx = be.AppendUint16(hmtx, s.lsb(g))
	}
	head := append([]byte(nil), s.tables["head"]...)
	be.PutUint32(head[8:], 0) // checkSumAdjustment, set below
	be.PutUint16(head[50:], 1)
	hhea := append([]byte(nil), s.tables["hhea"]...)
	be.PutUint16(hhea[34:], uint16(len(order)))
	maxp := append([]byte(nil), s.tables["maxp"]...)
	be.PutUint16(maxp[4:], uint16(len(order)))
	post := make([]byte, 32)
	if p := s.tables["post"]; len(p) >= 32 {
		copy(post, p[:32])
	}
	be.PutUint32(post, 0x00030000) // no glyph names

	out := writeSFNT(map[string][]byte{
		"glyf": glyf, "head": head, "hhea": hhea, "hmtx": hmtx, "loca": loca, "maxp": maxp, "post": post,
	})
	headOff := tableOffset(out, "head")
	be.PutUint32(out[headOff+8:], 0xB1B0AFBA-checksum(out))
	return out, nil
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += be.Uint32(w[:])
	}
	return sum
}

func writeSFNT(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := 16 << entrySelector
	out := be.AppendUint32(nil, 0x00010000)
	out = be.AppendUint16(out, uint16(n))
	out = be.AppendUint16(out, uint16(searchRange))
	out = be.AppendUint16(out, uint16(entrySelector))
	out = be.AppendUint16(out, uint16(16*n-searchRange))
	off := 12 + 16*n
	for _, t := range tags {
		data := tables[t]
		out = append(out, t...)
		out = be.AppendUint32(out, checksum(data))
		out = be.AppendUint32(out, uint32(off))
		out = be.AppendUint32(out, uint32(len(data)))
		off += (len(data) + 3) &^ 3
	}
	for _, t := range tags {
		out = append(out, tables[t]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out
}

func tableOffset(font []byte, tag string) int {
	n := int(be.Uint16(font[4:]))
	for i := range n {
		rec := font[12+16*i:]
		if string(rec[:4]) == tag {
			return int(be.Uint32(rec[8:]))
		}
	}
	return -1
}
