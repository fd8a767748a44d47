package certdoc

import (
	"fmt"
	"time"

	"example.org/certportal/internal/pdf"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/typeset"
)

// Transcript is a candidate's record: every certification and every
// official result.
type Transcript struct {
	// Name is the candidate's name and NameLang its BCP 47 language.
	Name, NameLang string
	Certifications []TranscriptCertification
	Attempts       []TranscriptAttempt
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

// record is what every record of a candidate (the transcript and the
// continuing-education transcript) opens with.
type record struct {
	Name, NameLang, Reference, Program string
	Logo                               []byte
	Paper                              Paper
	Lang                               string
	IssuedAt                           time.Time
}

// openRecord starts a record's document titled titleID: a letterhead
// headed headingID, repeated with the candidate's name on later pages, the
// candidate and the reference, and the day it was issued.
func (r *Renderer) openRecord(rec record, titleID, headingID string) (*doc, *flow, error) {
	if rec.Reference == "" {
		return nil, nil, fmt.Errorf("certdoc: a transcript needs its reference: %w", portal.ErrInvalid)
	}
	d, err := r.newDoc(rec.Paper, rec.Lang, pdf.Info{Author: rec.Program, Created: rec.IssuedAt, ID: rec.Reference}, titleID, rec.Reference)
	if err != nil {
		return nil, nil, err
	}
	heading := d.T(headingID, nil)
	f := d.flow(func(p *pdf.Page) { d.runningHeader(p, heading, rec.Name, rec.NameLang) })
	f.letterhead(rec.Program, rec.Logo, heading)
	f.facts([]fact{
		{d.T("certdoc.transcript.candidate", nil), "name", []typeset.Span{value(rec.Name, rec.NameLang)}},
		{d.T("certdoc.score_report.reference", nil), "reference", []typeset.Span{value(rec.Reference, "")}},
	})
	f.y -= 6
	f.paragraph(d.T("certdoc.transcript.issued", map[string]any{"Date": d.l.Date(rec.IssuedAt, time.UTC)}), 9.5, grey)
	return d, f, nil
}

// TranscriptCertification is one certification of a transcript.
type TranscriptCertification struct {
	Name, Code string
	// Status is a portal.Cert* status.
	Status string
	// IssuedOn and ExpiresOn are days as stored ("2006-01-02").
	IssuedOn, ExpiresOn string
	// CredentialID is in its display form; empty when none was issued.
	CredentialID string
}

// TranscriptAttempt is one official exam result of a transcript.
type TranscriptAttempt struct {
	Exam, Code string
	// TakenOn is the exam day in the program's time zone ("2006-01-02").
	TakenOn string
	Score   int
	Passed  bool
}

// Transcript lays out a transcript, on as many pages as its lists need.
func (r *Renderer) Transcript(t Transcript) ([]byte, error) {
	d, f, err := r.openRecord(record{Name: t.Name, NameLang: t.NameLang, Reference: t.Reference, Program: t.Program,
		Logo: t.Logo, Paper: t.Paper, Lang: t.Lang, IssuedAt: t.IssuedAt}, "certdoc.transcript.title", "certdoc.transcript.heading")
	if err != nil {
		return nil, err
	}

	f.y += 18
	f.heading(d.T("certdoc.transcript.certifications", nil), 13, "H2")
	if len(t.Certifications) == 0 {
		f.paragraph(d.T("certdoc.transcript.none", nil), 10, grey)
	} else {
		cols := f.widths([]string{d.T("certdoc.transcript.col.certification", nil), d.T("certdoc.transcript.col.status", nil),
			d.T("certdoc.transcript.col.issued", nil), d.T("certdoc.transcript.col.expires", nil)},
			[]float64{0.49, 0.17, 0.17, 0.17}, []pdf.Align{pdf.Left, pdf.Left, pdf.Left, pdf.Left})
		f.tableHead(cols)
		for _, c := range t.Certifications {
			status := d.T("certifications.status."+c.Status, nil)
			sub := []typeset.Span{value(c.Code, "")}
			if c.CredentialID != "" {
				sub = d.spans("certdoc.transcript.credential", nil,
					map[string]typeset.Span{"Code": value(c.Code, ""), "ID": value(c.CredentialID, "")})
			}
			days := []string{d.day("issue day", c.IssuedOn), ""}
			if c.ExpiresOn != "" {
				days[1] = d.day("expiry day", c.ExpiresOn)
			}
			f.row(cols, 32, func(i int) cell {
				switch i {
				case 0:
					return cell{spans: []typeset.Span{value(c.Name, "")}, field: "certification", sub: sub,
						style: pdf.TextStyle{Size: 10, Weight: typeset.Bold}}
				case 1:
					return cell{spans: plain(status), field: "label", style: pdf.TextStyle{Size: 10}}
				}
				return cell{spans: plain(days[i-2]), field: "label", style: pdf.TextStyle{Size: 10}}
			})
		}
	}

	f.y += 22
	f.heading(d.T("certdoc.transcript.attempts", nil), 13, "H2")
	if len(t.Attempts) == 0 {
		f.paragraph(d.T("certdoc.transcript.none", nil), 10, grey)
	} else {
		cols := f.widths([]string{d.T("certdoc.transcript.col.exam", nil), d.T("certdoc.transcript.col.code", nil),
			d.T("certdoc.transcript.col.date", nil), d.T("certdoc.transcript.col.score", nil), d.T("certdoc.transcript.col.result", nil)},
			[]float64{0.42, 0.14, 0.17, 0.11, 0.16}, []pdf.Align{pdf.Left, pdf.Left, pdf.Left, pdf.Right, pdf.Left})
		f.tableHead(cols)
		pass, fail := d.T("score_report.pass", nil), d.T("score_report.fail", nil)
		for _, a := range t.Attempts {
			result := fail
			if a.Passed {
				result = pass
			}
			cells := []cell{
				{spans: []typeset.Span{value(a.Exam, "")}, field: "exam"},
				{spans: []typeset.Span{value(a.Code, "")}, field: "exam code"},
				{spans: plain(d.day("exam day", a.TakenOn)), field: "label"},
				{spans: plain(d.l.Number(int64(a.Score))), field: "label"},
				{spans: plain(result), field: "label"},
			}
			f.row(cols, rowHeight, func(i int) cell {
				c := cells[i]
				c.style = pdf.TextStyle{Size: 10}
				return c
			})
		}
	}
	d.numberPages(f.pages)
	return d.finish()
}
