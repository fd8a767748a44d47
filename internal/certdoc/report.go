package certdoc

import (
	"fmt"
	"strconv"
	"time"

	"example.org/certportal/internal/pdf"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/typeset"
)

// ScoreReport is what the score report page shows of an official result.
type ScoreReport struct {
	// Name is the candidate's name and NameLang its BCP 47 language.
	Name, NameLang string
	Exam, ExamCode string
	// TakenOn is the exam day in the program's time zone ("2006-01-02").
	TakenOn             string
	Score, PassingScore int
	Passed              bool
	Domains             []portal.DomainResult
	// RetakeFrom is, after a failure, the first day a retake may start
	// ("2006-01-02"); empty otherwise.
	RetakeFrom string
	// Reference identifies the attempt; it is printed and is the file's
	// document ID.
	Reference string
	Program   string
	Logo      []byte
	Paper     Paper
	Lang      string
	// PublishedAt is when the result became official: the file's
	// creation date.
	PublishedAt time.Time
}

// ScoreReport lays out a score report.
func (r *Renderer) ScoreReport(s ScoreReport) ([]byte, error) {
	if s.Reference == "" {
		return nil, fmt.Errorf("certdoc: a score report needs its attempt's reference: %w", portal.ErrInvalid)
	}
	d, err := r.newDoc(s.Paper, s.Lang, pdf.Info{Author: s.Program, Subject: s.Exam,
		Created: s.PublishedAt, ID: s.Reference}, "score_report.title", s.ExamCode)
	if err != nil {
		return nil, err
	}
	heading := d.T("score_report.heading", nil)
	f := d.flow(func(p *pdf.Page) { d.runningHeader(p, heading, s.Name, s.NameLang) })
	f.letterhead(s.Program, s.Logo, heading)

	outcome := d.T("score_report.fail", nil)
	if s.Passed {
		outcome = d.T("score_report.pass", nil)
	}
	f.facts([]fact{
		{d.T("score_report.candidate", nil), "name", []typeset.Span{value(s.Name, s.NameLang)}},
		{d.T("score_report.exam", nil), "exam", d.spans("certdoc.score_report.exam_value", nil,
			map[string]typeset.Span{"Name": value(s.Exam, ""), "Code": value(s.ExamCode, "")})},
		{d.T("score_report.date", nil), "label", plain(d.day("exam day", s.TakenOn))},
		{d.T("score_report.score", nil), "label", plain(d.l.Number(int64(s.Score)))},
		{d.T("score_report.passing_score", nil), "label", plain(d.l.Number(int64(s.PassingScore)))},
		{d.T("score_report.outcome", nil), "label", plain(outcome)},
		{d.T("certdoc.score_report.reference", nil), "reference", []typeset.Span{value(s.Reference, "")}},
	})
	if !s.Passed && s.RetakeFrom != "" {
		f.paragraph(d.T("score_report.retake_from", map[string]any{"Date": d.day("retake day", s.RetakeFrom)}), 10.5, pdf.Black)
		f.y += 8
	}
	if len(s.Domains) > 0 {
		f.y += 12
		f.heading(d.T("score_report.domains", nil), 13, "H2")
		cols := f.widths(
			[]string{d.T("score_report.domain", nil), d.T("score_report.weight", nil), d.T("score_report.band", nil)},
			[]float64{0.58, 0.12, 0.30}, []pdf.Align{pdf.Left, pdf.Right, pdf.Left})
		f.tableHead(cols)
		for _, dom := range s.Domains {
			band := d.T("score_report.band."+dom.Band, nil)
			weight := d.T("score_report.weight_value", map[string]any{"Percent": strconv.Itoa(dom.WeightPercent)})
			f.row(cols, rowHeight, func(i int) cell {
				switch i {
				case 0:
					return cell{spans: []typeset.Span{value(dom.Name, "")}, field: "domain", style: pdf.TextStyle{Size: 10}}
				case 1:
					return cell{spans: plain(weight), field: "label", style: pdf.TextStyle{Size: 10}}
				}
				st := pdf.TextStyle{Size: 10}
				if dom.Band == portal.BandNeedsImprovement {
					st.Color = stampRed
				}
				return cell{spans: plain(band), field: "label", style: st}
			})
		}
	}
	f.y += 16
	f.heading(d.T("score_report.note_heading", nil), 11, "H2")
	f.paragraph(d.T("score_report.note", map[string]any{"Lowest": portal.MinScore, "Highest": portal.MaxScore,
		"Passing": s.PassingScore}), 9.5, grey)
	d.numberPages(f.pages)
	return d.finish()
}

// runningHeader heads the pages after the first: the document and whose
// it is, over a thin rule.
func (d *doc) runningHeader(p *pdf.Page, heading, name, nameLang string) {
	d.text(p, "name", margin, headerTop, d.spans("certdoc.continued", nil,
		map[string]typeset.Span{"Name": value(name, nameLang)}), pdf.TextStyle{Size: 9, Color: grey, MaxWidth: d.w/2 - margin})
	d.text(p, "label", d.w-margin, headerTop, plain(heading), pdf.TextStyle{Size: 9, Color: grey, Align: pdf.Right})
	p.Line(margin, headerTop+8, d.w-margin, headerTop+8, 0.5, rule)
}
