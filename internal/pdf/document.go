// Package pdf writes tagged PDF documents: pages with shaped text in the
// bundled fonts (internal/typeset), lines, rectangles, images and links. The
// output is a function of the input only, and uses a classic cross-reference
// table without object streams so that a signature can be appended as an
// incremental update.
package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/typeset"
)

// PageSize is a paper size.
type PageSize int

const (
	A4 PageSize = iota
	Letter
)

// Points returns the width and height in points (1/72 inch).
func (s PageSize) Points() (w, h float64) {
	if s == Letter {
		return 612, 792
	}
	return 595.276, 841.89 // 210 × 297 mm
}

// Info is the document's metadata. Every value in the file comes from here,
// so the same Info and content give the same bytes.
type Info struct {
	Title, Author, Subject, Creator string
	// Lang is the BCP 47 language of the document.
	Lang string
	// Created is written as the creation and modification date.
	Created time.Time
	// ID identifies the document; the file's /ID is derived from it. When
	// empty it is derived from the content.
	ID string
}

// Document is a PDF being built. It is not safe for concurrent use.
type Document struct {
	fonts *typeset.Fonts
	info  Info
	pages []*Page
	used  []*fontUse // in order of first use
	byFnt map[*typeset.Font]*fontUse
}

// New starts a document that draws text with fonts.
func New(fonts *typeset.Fonts, info Info) *Document {
	return &Document{fonts: fonts, info: info, byFnt: map[*typeset.Font]*fontUse{}}
}

// fontUse records the glyphs a document uses from a font: CIDs are the
// glyphs' positions in the subset, glyph 0 first.
type fontUse struct {
	font   *typeset.Font
	res    string // resource name, /F1...
	glyphs []uint16
	cid    map[uint16]uint16
	text   map[uint16]string // CID to the first text it stood for
}

func (d *Document) use(f *typeset.Font) *fontUse {
	if u, ok := d.byFnt[f]; ok {
		return u
	}
	u := &fontUse{font: f, res: fmt.Sprintf("F%d", len(d.used)+1), glyphs: []uint16{0},
		cid: map[uint16]uint16{0: 0}, text: map[uint16]string{}}
	d.used = append(d.used, u)
	d.byFnt[f] = u
	return u
}

func (u *fontUse) cidOf(g typeset.Glyph) uint16 {
	c, ok := u.cid[g.ID]
	if !ok {
		c = uint16(len(u.glyphs))
		u.glyphs = append(u.glyphs, g.ID)
		u.cid[g.ID] = c
	}
	if _, ok := u.text[c]; !ok && g.Text != "" {
		u.text[c] = g.Text
	}
	return c
}

// element is a structure element (ISO 32000-1, 14.7.2) of the document's
// reading order: text, a figure or a link, each on one page.
type element struct {
	role string // P, H1, Figure, Link
	alt  string
	lang string
	text string // the logical text, for readers that walk the structure
	mcid int    // marked content on the page, or -1 for a link or kids
	link int    // index into the page's links for a link
	// kids, for a line with runs in other languages, are its marked
	// content and Spans in logical order.
	kids []kid
}

// kid is one of a line element's kids: marked content of the line's own
// language (mcid), or a Span in another language.
type kid struct {
	mcid int
	span *spanElement
}

// spanElement is a Span structure element holding the marked content of
// runs in a language unlike the line's.
type spanElement struct {
	lang  string
	text  string
	mcids []int
}

// Page is one page of a document. Elements are read in the order they are
// added.
type Page struct {
	doc     *Document
	w, h    float64
	content bytes.Buffer
	elems   []element
	images  []imageXObject
	links   []link
	mcid    int
}

// AddPage appends a page.
func (d *Document) AddPage(size PageSize) *Page {
	w, h := size.Points()
	p := &Page{doc: d, w: w, h: h}
	d.pages = append(d.pages, p)
	return p
}

// Size returns the page's width and height in points.
func (p *Page) Size() (w, h float64) { return p.w, p.h }

// Bytes writes the document and returns it.
func (d *Document) Bytes() ([]byte, error) {
	var b bytes.Buffer
	if err := d.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writer numbers objects and keeps their bodies until the file is written.
type writer struct {
	objs [][]byte // objs[i] is object i+1
}

func (w *writer) alloc() ref {
	w.objs = append(w.objs, nil)
	return ref(len(w.objs))
}

func (w *writer) set(r ref, body []byte) { w.objs[r-1] = body }

func (w *writer) add(body []byte) ref {
	r := w.alloc()
	w.set(r, body)
	return r
}

func (w *writer) addf(format string, args ...any) ref {
	return w.add(fmt.Appendf(nil, format, args...))
}

func (w *writer) stream(dict string, data []byte, compress bool) (ref, error) {
	body, err := stream(dict, data, compress)
	if err != nil {
		return 0, err
	}
	return w.add(body), nil
}

// Write writes the document to out. A document is written once.
func (d *Document) Write(out io.Writer) error {
	if len(d.pages) == 0 {
		return fmt.Errorf("pdf: document has no pages")
	}
	w := &writer{}
	catalog, pages, info, structRoot, docElem := w.alloc(), w.alloc(), w.alloc(), w.alloc(), w.alloc()

	fontRefs := map[string]ref{}
	for _, u := range d.used {
		r, err := w.font(u)
		if err != nil {
			return err
		}
		fontRefs[u.res] = r
	}
	var fontDict strings.Builder
	for _, u := range d.used {
		fmt.Fprintf(&fontDict, " /%s %s", u.res, fontRefs[u.res])
	}

	var kids, elemRefs, parentNums []string
	nextKey := 0
	for _, p := range d.pages {
		pageRef := w.alloc()
		kids = append(kids, pageRef.String())
		contents, err := w.stream("", p.content.Bytes(), true)
		if err != nil {
			return err
		}
		var xobjs strings.Builder
		for i, img := range p.images {
			r, err := w.image(img)
			if err != nil {
				return err
			}
			fmt.Fprintf(&xobjs, " /Im%d %s", i+1, r)
		}
		// Marked content on the page, by MCID, points back at its element
		// through the parent tree; each link annotation has its own key.
		pageKey := nextKey
		nextKey++
		mcidOwners := make([]string, p.mcid)
		var annots []string
		for _, e := range p.elems {
			er := w.alloc()
			elemRefs = append(elemRefs, er.String())
			dict := fmt.Sprintf("<</Type /StructElem /S /%s /P %s /Pg %s", e.role, docElem, pageRef)
			if e.alt != "" {
				dict += " /Alt " + textString(e.alt)
			}
			if e.text != "" {
				dict += " /ActualText " + textString(e.text)
			}
			if e.lang != "" && e.lang != d.info.Lang {
				dict += " /Lang " + textString(e.lang)
			}
			if e.mcid >= 0 {
				mcidOwners[e.mcid] = er.String()
				w.set(er, fmt.Appendf(nil, "%s /K %d>>", dict, e.mcid))
				continue
			}
			if e.kids != nil {
				var k []string
				for _, c := range e.kids {
					if c.span == nil {
						mcidOwners[c.mcid] = er.String()
						k = append(k, strconv.Itoa(c.mcid))
						continue
					}
					sr := w.alloc()
					k = append(k, sr.String())
					var ids []string
					for _, id := range c.span.mcids {
						mcidOwners[id] = sr.String()
						ids = append(ids, strconv.Itoa(id))
					}
					w.set(sr, fmt.Appendf(nil, "<</Type /StructElem /S /Span /P %s /Pg %s /Lang %s /ActualText %s /K [%s]>>",
						er, pageRef, textString(c.span.lang), textString(c.span.text), strings.Join(ids, " ")))
				}
				w.set(er, fmt.Appendf(nil, "%s /K [%s]>>", dict, strings.Join(k, " ")))
				continue
			}
			l := p.links[e.link]
			annot := w.alloc()
			annots = append(annots, annot.String())
			key := nextKey
			nextKey++
			parentNums = append(parentNums, fmt.Sprintf("%d %s", key, er))
			w.set(annot, fmt.Appendf(nil, "<</Type /Annot /Subtype /Link /Rect [%s %s %s %s] /Border [0 0 0] /Contents %s /A <</S /URI /URI %s>> /StructParent %d /P %s>>",
				num(l.x1), num(l.y1), num(l.x2), num(l.y2), textString(e.alt), literal(l.uri), key, pageRef))
			w.set(er, fmt.Appendf(nil, "%s /K [<</Type /OBJR /Obj %s /Pg %s>>]>>", dict, annot, pageRef))
		}
		parentNums = append(parentNums, fmt.Sprintf("%d [%s]", pageKey, strings.Join(mcidOwners, " ")))
		page := fmt.Sprintf("<</Type /Page /Parent %s /MediaBox [0 0 %s %s] /Resources <</Font <<%s>> /XObject <<%s>>>> /Contents %s /StructParents %d /Tabs /S",
			pages, num(p.w), num(p.h), fontDict.String(), xobjs.String(), contents, pageKey)
		if len(annots) > 0 {
			page += " /Annots [" + strings.Join(annots, " ") + "]"
		}
		w.set(pageRef, []byte(page+">>"))
	}
	slices.SortFunc(parentNums, func(a, b string) int { return leadingInt(a) - leadingInt(b) })

	w.set(pages, fmt.Appendf(nil, "<</Type /Pages /Kids [%s] /Count %d>>", strings.Join(kids, " "), len(kids)))
	w.set(docElem, fmt.Appendf(nil, "<</Type /StructElem /S /Document /P %s /K [%s]>>", structRoot, strings.Join(elemRefs, " ")))
	w.set(structRoot, fmt.Appendf(nil, "<</Type /StructTreeRoot /K %s /ParentTree <</Nums [%s]>> /ParentTreeNextKey %d>>",
		docElem, strings.Join(parentNums, " "), nextKey))

	date := pdfDate(d.info.Created)
	infoDict := "<</Producer (certportal) /CreationDate " + literal(date) + " /ModDate " + literal(date)
	for _, kv := range [][2]string{{"Title", d.info.Title}, {"Author", d.info.Author}, {"Subject", d.info.Subject}, {"Creator", d.info.Creator}} {
		if kv[1] != "" {
			infoDict += " /" + kv[0] + " " + textString(kv[1])
		}
	}
	w.set(info, []byte(infoDict+">>"))
	meta, err := w.stream("/Type /Metadata /Subtype /XML", xmp(d.info), false)
	if err != nil {
		return err
	}
	cat := fmt.Sprintf("<</Type /Catalog /Pages %s /StructTreeRoot %s /MarkInfo <</Marked true>> /ViewerPreferences <</DisplayDocTitle true>> /Metadata %s",
		pages, structRoot, meta)
	if d.info.Lang != "" {
		cat += " /Lang " + textString(d.info.Lang)
	}
	w.set(catalog, []byte(cat+">>"))
	return w.writeTo(out, catalog, info, d.info.ID)
}

func leadingInt(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// pdfDate formats a date (ISO 32000-1, 7.9.4) in UTC.
func pdfDate(t time.Time) string {
	return "D:" + t.UTC().Format("20060102150405") + "Z"
}

func (w *writer) writeTo(out io.Writer, catalog, info ref, id string) error {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")
	offsets := make([]int, len(w.objs))
	h := sha256.New()
	for i, body := range w.objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", i+1)
		b.Write(body)
		b.WriteString("\nendobj\n")
		h.Write(body)
	}
	// The file identifier (14.4) is the same in both places: the file has
	// not been updated yet. A signature appended later keeps the first.
	sum := h.Sum(nil)
	if id != "" {
		s := sha256.Sum256([]byte(id))
		sum = s[:]
	}
	fid := strings.ToUpper(hex.EncodeToString(sum[:16]))
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(w.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d /Root %s /Info %s /ID [<%s> <%s>]>>\nstartxref\n%d\n%%%%EOF\n",
		len(w.objs)+1, catalog, info, fid, fid, xref)
	_, err := out.Write(b.Bytes())
	return err
}

// xmp is the document's XMP metadata packet: title, language and dates for
// readers that look there rather than in the Info dictionary.
func xmp(info Info) []byte {
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
		return b.String()
	}
	date := info.Created.UTC().Format("2006-01-02T15:04:05Z")
	lang := info.Lang
	if lang == "" {
		lang = "x-default"
	}
	return fmt.Appendf(nil, `<?xpacket begin="%s" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">%s</rdf:li></rdf:Alt></dc:title>
<dc:language><rdf:Bag><rdf:li>%s</rdf:li></rdf:Bag></dc:language>
<dc:creator><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></dc:creator>
<xmp:CreateDate>%s</xmp:CreateDate>
<xmp:ModifyDate>%s</xmp:ModifyDate>
<pdf:Producer>certportal</pdf:Producer>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>`, "\uFEFF", esc(info.Title), esc(lang), esc(info.Author), date, date)
}
