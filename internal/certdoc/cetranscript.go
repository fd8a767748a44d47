package certdoc

import (
	"errors"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"example.org/certportal/internal/pdf"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/typeset"
)

// CETranscript is a candidate's continuing education: the standing of each
// certification in force and every activity submitted, with its credits
// and decision. Credits are in hundredths of a credit.
type CETranscript struct {
	// Name is the candidate's name and NameLang its BCP 47 language.
	Name, NameLang string
	Certifications []CECertification
	Activities     []CEActivity
	// Reference identifies this transcript; it is the file's document ID.
	Reference string
	Program   string
	Logo      []byte
	Paper     Paper
	Lang      string
	// IssuedAt is when the transcript was issued: printed, and the
	// file's creation date.
	IssuedAt time.Time
}

// CECertification is where one certification stands in its current cycle.
type CECertification struct {
	Name, Code string
	// IssuedOn and ExpiresOn bound the cycle, days as stored ("2006-01-02").
	IssuedOn, ExpiresOn string
	// Approved counts after each activity type's limits; Pending waits for
	// a decision; Needed is the requirement and Missing what it still
	// lacks.
	Approved, Pending, Needed, Missing int
}

// CEActivity is one submitted activity.
type CEActivity struct {
	Title string
	// Type is the activity type's name in the document's language.
	Type string
	// CompletedOn is the day the activity was completed ("2006-01-02").
	CompletedOn string
	// State is a portal.CE* state.
	State            string
	Claimed, Granted int
	// DecidedOn is the day of the decision in force, in the program's time
	// zone; empty while none.
	DecidedOn string
	// CountsFor are the codes of the certifications its credits went to.
	CountsFor []string
}

// CETranscript lays out a continuing-education transcript, on as many
// pages as its lists need.
func (r *Renderer) CETranscript(t CETranscript) ([]byte, error) {
	d, f, err := r.openRecord(record{Name: t.Name, NameLang: t.NameLang, Reference: t.Reference, Program: t.Program,
		Logo: t.Logo, Paper: t.Paper, Lang: t.Lang, IssuedAt: t.IssuedAt}, "certdoc.ce_transcript.title", "certdoc.ce_transcript.heading")
	if err != nil {
		return nil, err
	}

	f.y += 18
	f.heading(d.T("certdoc.ce_transcript.totals", nil), 13, "H2")
	if len(t.Certifications) == 0 {
		f.paragraph(d.T("certdoc.ce_transcript.no_certifications", nil), 10, grey)
	} else {
		f.paragraph(d.T("certdoc.ce_transcript.totals_note", nil), 9, grey)
		f.y += 6
		cols := f.widths([]string{d.T("certdoc.transcript.col.certification", nil), d.T("certdoc.ce_transcript.col.approved", nil),
			d.T("certdoc.ce_transcript.col.pending", nil), d.T("certdoc.ce_transcript.col.required", nil),
			d.T("certdoc.ce_transcript.col.missing", nil)},
			[]float64{0.44, 0.14, 0.14, 0.14, 0.14}, []pdf.Align{pdf.Left, pdf.Right, pdf.Right, pdf.Right, pdf.Right})
		f.tableHead(cols)
		for _, c := range t.Certifications {
			sub := d.spans("certdoc.ce_transcript.cycle",
				map[string]any{"From": d.day("issue day", c.IssuedOn), "To": d.day("expiry day", c.ExpiresOn)},
				map[string]typeset.Span{"Code": value(c.Code, "")})
			amounts := []int{c.Approved, c.Pending, c.Needed, c.Missing}
			f.row(cols, 32, func(i int) cell {
				if i == 0 {
					return cell{spans: []typeset.Span{value(c.Name, "")}, field: "certification", sub: sub,
						style: pdf.TextStyle{Size: 10, Weight: typeset.Bold}}
				}
				st := pdf.TextStyle{Size: 10}
				if i == 1 {
					st.Weight = typeset.Bold
				}
				return cell{spans: plain(d.credits(amounts[i-1])), field: "label", style: st}
			})
		}
	}

	f.y += 22
	f.heading(d.T("certdoc.ce_transcript.activities", nil), 13, "H2")
	if len(t.Activities) == 0 {
		f.paragraph(d.T("certdoc.ce_transcript.no_activities", nil), 10, grey)
	} else {
		cols := f.widths([]string{d.T("certdoc.ce_transcript.col.completed", nil), d.T("certdoc.ce_transcript.col.activity", nil),
			d.T("certdoc.ce_transcript.col.claimed", nil), d.T("certdoc.ce_transcript.col.granted", nil),
			d.T("certdoc.ce_transcript.col.decision", nil)},
			[]float64{0.15, 0.43, 0.11, 0.11, 0.20}, []pdf.Align{pdf.Left, pdf.Left, pdf.Right, pdf.Right, pdf.Left})
		f.tableHead(cols)
		const titleSize = 9.5
		granted := 0
		for _, a := range t.Activities {
			if a.State == portal.CEApproved || a.State == portal.CEPartial {
				granted += a.Granted
			}
			a.Title, a.Type = d.printable(a.Title), d.printable(a.Type)
			lines := d.wrap(a.Title, typeset.Bold, titleSize, cols[1].width-8)
			if len(lines) == 0 {
				lines = []string{a.Title}
			}
			title := []typeset.Span{value(lines[0], "")}
			var more [][]typeset.Span
			for _, l := range lines[1:] {
				more = append(more, []typeset.Span{value(l, "")})
			}
			about := []typeset.Span{value(a.Type, "")}
			if len(a.CountsFor) > 0 {
				codes := a.CountsFor[0]
				for _, c := range a.CountsFor[1:] {
					codes += ", " + c
				}
				about = d.spans("certdoc.ce_transcript.counts_for", nil,
					map[string]typeset.Span{"Type": value(a.Type, ""), "Certs": value(codes, "")})
			}
			var decided []typeset.Span
			if a.DecidedOn != "" {
				decided = plain(d.T("certdoc.ce_transcript.decided", map[string]any{"Date": d.day("decision day", a.DecidedOn)}))
			}
			grantedText := "–"
			if a.State == portal.CEApproved || a.State == portal.CEPartial {
				grantedText = d.credits(a.Granted)
			}
			cells := []cell{
				{spans: plain(d.day("completion day", a.CompletedOn)), field: "label"},
				{spans: title, more: more, field: "activity", sub: about, style: pdf.TextStyle{Size: titleSize, Weight: typeset.Bold}},
				{spans: plain(d.credits(a.Claimed)), field: "label"},
				{spans: plain(grantedText), field: "label"},
				{spans: plain(d.T("credits.state."+a.State, nil)), field: "label", sub: decided},
			}
			f.row(cols, 32+float64(len(more))*lineStep, func(i int) cell {
				c := cells[i]
				if c.style.Size == 0 {
					c.style = pdf.TextStyle{Size: titleSize}
				}
				return c
			})
		}
		f.y += 8
		f.paragraph(d.T("certdoc.ce_transcript.granted_total", map[string]any{"Credits": d.credits(granted)}), 10, navy)
	}
	d.numberPages(f.pages)
	return d.finish()
}

// printable is a candidate's free text (an activity's title) with each
// character no bundled font draws replaced by a question mark, so that an
// emoji in a title does not stop the whole transcript. Names are never altered:
// one that cannot be drawn fails the document, as on every other.
func (d *doc) printable(text string) string {
	ascii := true
	for _, r := range text {
		if r < ' ' || r > '~' {
			ascii = false
			break
		}
	}
	if ascii {
		return text // the Latin fonts draw every printable ASCII character
	}
	for range 64 {
		_, err := d.r.fonts.Layout(plain(text), typeset.Style{Lang: d.l.Lang()})
		var unc *typeset.UncoveredError
		if !errors.As(err, &unc) || unc.Rune == replacement {
			return text
		}
		text = strings.ReplaceAll(text, string(unc.Rune), string(replacement))
	}
	return text
}

// replacement stands for a character no bundled font draws.
const replacement = '?'

// credits formats hundredths of a credit in the document's language, with
// up to two decimals ("12.5" in English, "12,5" in Spanish).
func (d *doc) credits(c int) string {
	return message.NewPrinter(language.Make(d.l.Lang())).Sprint(number.Decimal(float64(c)/100, number.MaxFractionDigits(2)))
}
