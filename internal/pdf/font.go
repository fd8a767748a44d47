package pdf

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
)

// font writes a used font as a Type 0 font over a CIDFontType2 descendant
// (ISO 32000-1, 9.7): character codes are two-byte CIDs (Identity-H), each
// CID is the glyph's index in the embedded subset (CIDToGIDMap /Identity), and
// a ToUnicode CMap maps CIDs back to text so the text can be copied.
func (w *writer) font(u *fontUse) (ref, error) {
	data, err := u.font.Subset(u.glyphs)
	if err != nil {
		return 0, fmt.Errorf("pdf: %w", err)
	}
	m, err := u.font.Metrics()
	if err != nil {
		return 0, fmt.Errorf("pdf: %w", err)
	}
	base := subsetTag(u) + "+" + u.font.Name

	file, err := w.stream(fmt.Sprintf("/Length1 %d", len(data)), data, true)
	if err != nil {
		return 0, err
	}
	desc := w.addf("<</Type /FontDescriptor /FontName %s /Flags 4 /FontBBox [%s %s %s %s] /ItalicAngle 0 /Ascent %s /Descent %s /CapHeight %s /StemV 80 /FontFile2 %s>>",
		name(base), num(m.BBox[0]*1000), num(m.BBox[1]*1000), num(m.BBox[2]*1000), num(m.BBox[3]*1000),
		num(m.Ascent*1000), num(m.Descent*1000), num(m.CapHeight*1000), file)

	var widths strings.Builder
	widths.WriteString("0 [")
	for i, g := range u.glyphs {
		adv, err := u.font.Advance(g)
		if err != nil {
			return 0, fmt.Errorf("pdf: %w", err)
		}
		if i > 0 {
			widths.WriteByte(' ')
		}
		widths.WriteString(num(adv * 1000))
	}
	widths.WriteString("]")
	cid := w.addf("<</Type /Font /Subtype /CIDFontType2 /BaseFont %s /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> /FontDescriptor %s /W [%s] /DW 1000 /CIDToGIDMap /Identity>>",
		name(base), desc, widths.String())

	toUni, err := w.stream("", toUnicode(u), true)
	if err != nil {
		return 0, err
	}
	return w.addf("<</Type /Font /Subtype /Type0 /BaseFont %s /Encoding /Identity-H /DescendantFonts [%s] /ToUnicode %s>>",
		name(base), cid, toUni), nil
}

// subsetTag is the six capital letters that mark a subset font's name
// (9.6.4), derived from the glyphs it holds so the output is deterministic.
func subsetTag(u *fontUse) string {
	h := sha256.New()
	h.Write([]byte(u.font.Name))
	for _, g := range u.glyphs {
		h.Write([]byte{byte(g >> 8), byte(g)})
	}
	sum := h.Sum(nil)
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	return string(tag)
}

// toUnicode writes the CMap (9.10.3) from CIDs to the text of the cluster
// each glyph started. Glyphs that continue a cluster map to nothing; the
// marked content's ActualText carries the exact text of the whole line.
func toUnicode(u *fontUse) []byte {
	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	cids := make([]uint16, 0, len(u.text))
	for c := range u.text {
		cids = append(cids, c)
	}
	slices.Sort(cids)
	for len(cids) > 0 {
		n := min(len(cids), 100) // at most 100 entries per block
		fmt.Fprintf(&b, "%d beginbfchar\n", n)
		for _, c := range cids[:n] {
			fmt.Fprintf(&b, "<%04X> <", c)
			for _, v := range utf16.Encode([]rune(u.text[c])) {
				fmt.Fprintf(&b, "%04X", v)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
		cids = cids[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return []byte(b.String())
}
