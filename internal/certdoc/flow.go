package certdoc

import (
	"example.org/certportal/internal/pdf"
	"example.org/certportal/internal/typeset"
)

// Pages of reports and transcripts: text flows down from the header and
// continues on a new page when the next block would reach the footer.
const (
	margin     = 56 // left and right, about 20 mm
	footerRoom = 60 // kept free at the foot for the page number
	rowHeight  = 20 // one line of a table
	headerTop  = 52 // baseline of the running header
	bodyTop    = 80 // where the body starts below the running header
)

// flow places blocks down a sequence of pages.
type flow struct {
	*doc
	pages []*pdf.Page
	page  *pdf.Page
	y     float64
	// header draws the running header of a page after the first.
	header func(p *pdf.Page)
	// repeat, when set, redraws the head of the table being laid out
	// after a page break.
	repeat func()
}

func (d *doc) flow(header func(p *pdf.Page)) *flow {
	f := &flow{doc: d, header: header}
	f.newPage()
	f.y = 0
	return f
}

func (f *flow) newPage() {
	f.page = f.AddPage(f.size)
	f.pages = append(f.pages, f.page)
	f.y = bodyTop
	if len(f.pages) > 1 && f.header != nil {
		f.header(f.page)
	}
}

// need starts a new page unless h more points fit on this one.
func (f *flow) need(h float64) {
	if f.y+h <= f.h-footerRoom {
		return
	}
	f.newPage()
	if f.repeat != nil {
		f.repeat()
	}
}

// heading draws a section heading with room for a line or two below it.
func (f *flow) heading(text string, size float64, role string) {
	f.repeat = nil
	f.need(size + 2*rowHeight + 10)
	f.y += size + 4
	f.text(f.page, "label", margin, f.y, plain(text), pdf.TextStyle{Size: size, Weight: typeset.Bold, Color: navy, Role: role})
	f.y += 10
}

// paragraph draws text wrapped to the page's width.
func (f *flow) paragraph(text string, size float64, c pdf.Color) {
	for _, line := range f.wrap(text, typeset.Regular, size, f.w-2*margin) {
		f.need(size * 1.45)
		f.y += size * 1.45
		f.text(f.page, "label", margin, f.y, plain(line), pdf.TextStyle{Size: size, Color: c})
	}
}

// column of a table: its width and the alignment of its cells.
type column struct {
	header string
	width  float64
	align  pdf.Align
}

// cell is one value of a row; field names its input for errors.
type cell struct {
	spans []typeset.Span
	field string
	style pdf.TextStyle
	// more are further lines of the value, each lineStep below the last
	// (a long title wrapped); the row's height must leave room for them.
	more [][]typeset.Span
	// sub is an optional line in small grey type under the value.
	sub []typeset.Span
}

// lineStep is the distance between the lines of a wrapped cell.
const lineStep = 12

// tableHead draws the shaded header row of cols, and again after each
// page break until the next heading.
func (f *flow) tableHead(cols []column) {
	draw := func() {
		f.page.Rect(margin, f.y, f.w-2*margin, rowHeight, 0, nil, &shade)
		f.row(cols, rowHeight, func(i int) cell {
			return cell{spans: plain(cols[i].header), field: "label", style: pdf.TextStyle{Size: 8.5, Weight: typeset.Bold, Color: grey}}
		})
	}
	f.need(2 * rowHeight)
	draw()
	f.repeat = draw
}

// row draws one row of height h: cell i of each column, on a baseline near
// the row's top, with a thin rule below.
func (f *flow) row(cols []column, h float64, cellOf func(i int) cell) {
	f.need(h)
	x := float64(margin)
	for i, col := range cols {
		c := cellOf(i)
		st := c.style
		st.Align = col.align
		st.MaxWidth = col.width - 8
		cx := x + 4
		switch col.align {
		case pdf.Right:
			cx = x + col.width - 4
		case pdf.Center:
			cx = x + col.width/2
		}
		y := f.y + 13.5
		if len(c.spans) > 0 {
			f.text(f.page, c.field, cx, y, c.spans, st)
		}
		for _, line := range c.more {
			y += lineStep
			f.text(f.page, c.field, cx, y, line, st)
		}
		if len(c.sub) > 0 {
			f.text(f.page, c.field, cx, y+12.5, c.sub, pdf.TextStyle{Size: 8, Align: col.align, MaxWidth: col.width - 8, Color: grey})
		}
		x += col.width
	}
	f.y += h
	f.page.Line(margin, f.y, f.w-margin, f.y, 0.4, rule)
}

// widths sizes columns as fractions of the page's text width.
func (f *flow) widths(headers []string, fractions []float64, aligns []pdf.Align) []column {
	cols := make([]column, len(headers))
	for i := range headers {
		cols[i] = column{header: headers[i], width: fractions[i] * (f.w - 2*margin), align: aligns[i]}
	}
	return cols
}

// letterhead starts the first page: the program's name and logo over a
// rule, then the document's heading; the flow continues below it.
func (f *flow) letterhead(program string, logo []byte, heading string) {
	f.text(f.page, "program", margin, 62, []typeset.Span{value(program, "")},
		pdf.TextStyle{Size: 12, Weight: typeset.Bold, Color: navy, MaxWidth: f.w - 2*margin - 110})
	f.logo(f.page, logo, program, f.w-margin-100, 34, 100, 36)
	f.page.Line(margin, 80, f.w-margin, 80, 1, navy)
	f.text(f.page, "label", margin, 118, plain(heading), pdf.TextStyle{Size: 22, Weight: typeset.Bold, Role: "H1"})
	f.y = 132
}

// fact is a labelled value; field names its input for errors.
type fact struct {
	label, field string
	value        []typeset.Span
}

// facts draws labelled values, the labels in a narrow grey column.
func (f *flow) facts(facts []fact) {
	for _, r := range facts {
		f.need(rowHeight)
		f.y += rowHeight
		f.text(f.page, "label", margin, f.y, plain(r.label), pdf.TextStyle{Size: 9.5, Color: grey, MaxWidth: 130})
		f.text(f.page, r.field, margin+140, f.y, r.value, pdf.TextStyle{Size: 11.5, MaxWidth: f.w - 2*margin - 140})
	}
	f.y += 8
}
