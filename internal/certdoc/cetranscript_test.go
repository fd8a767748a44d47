package certdoc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// longTitle is an activity title at the submission form's limit (200
// characters), which wraps in its cell.
const longTitle = "Designing resilient multi-region architectures with active-active databases, " +
	"chaos engineering game days and cost-aware failover runbooks: a hands-on workshop for practitioners"

func ceTranscript(t testing.TB, activities int) CETranscript {
	tr := CETranscript{Name: "عبد الله الفارسي", NameLang: "ar", Reference: "CE7-20260401T100000Z", Program: "Example Certification Program",
		Logo: logoPNG(t), Paper: PaperA4, Lang: "en", IssuedAt: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC),
		Certifications: []CECertification{
			{Name: "Solutions Architect – Associate", Code: "SAA", IssuedOn: "2025-03-14", ExpiresOn: "2028-03-13",
				Approved: 4250, Pending: 350, Needed: 10000, Missing: 5750},
			{Name: "Cloud Practitioner", Code: "CLF", IssuedOn: "2024-01-10", ExpiresOn: "2027-01-09",
				Approved: 10000, Needed: 10000},
		}}
	states := []string{portal.CEApproved, portal.CEPartial, portal.CEDenied, portal.CEPending, portal.CEApproved}
	for i := range activities {
		a := CEActivity{Title: fmt.Sprintf("Workshop %03d on network design", i+1), Type: "Course or training",
			CompletedOn: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.DateOnly),
			State:       states[i%len(states)], Claimed: 350 + i*25}
		switch a.State {
		case portal.CEApproved:
			a.Granted, a.DecidedOn, a.CountsFor = a.Claimed, "2026-02-02", []string{"SAA", "CLF"}
		case portal.CEPartial:
			a.Granted, a.DecidedOn, a.CountsFor = a.Claimed/2, "2026-02-03", []string{"SAA"}
		case portal.CEDenied:
			a.DecidedOn = "2026-02-04"
		}
		if i == 1 {
			a.Title = longTitle
		}
		if i == 2 {
			a.Title = "مقدمة في الحوسبة السحابية"
		}
		if i == 3 {
			a.Title = "クラウド設計の基礎"
		}
		tr.Activities = append(tr.Activities, a)
	}
	return tr
}

func TestCETranscriptShowsTotalsActivitiesAndDecisions(t *testing.T) {
	r := newRenderer(t)
	tr := ceTranscript(t, 5)
	data := must(t)(r.CETranscript(tr))
	// 3.5 + 3.75/2 (rounded down to hundredths) + 4.5 credits granted.
	inOrder(t, rawText(t, data), "Continuing education transcript", "CE7-20260401T100000Z", "Issued on Apr 1, 2026",
		"Totals per certification", "Solutions Architect – Associate", "SAA · cycle Mar 14, 2025 to Mar 13, 2028", "42.5", "3.5", "100", "57.5",
		"Cloud Practitioner", "CLF · cycle Jan 10, 2024 to Jan 9, 2027", "100", "0", "100", "0",
		"Activities", "Apr 1, 2025", "Workshop 001 on network design", "Course or training · counts toward SAA, CLF", "3.5", "3.5", "Approved", "on Feb 2, 2026",
		"Designing resilient multi-region", "practitioners", "counts toward SAA", "3.75", "1.87", "Partly approved",
		"4", "–", "Denied", "on Feb 4, 2026",
		"クラウド設計の基礎", "4.25", "–", "Waiting for review",
		"Credits granted in all: 9.87", "Page 1 of 1")
	// Right-to-left runs extract in logical order from the page (the raw
	// order reverses their words).
	inOrder(t, pdftotext(t, data), "عبد الله الفارسي", "Workshop 001", "مقدمة في الحوسبة السحابية", "クラウド設計の基礎")

	tr.Lang = "es"
	text := rawText(t, must(t)(r.CETranscript(tr)))
	inOrder(t, text, "Expediente de formación continua", "Emitido el 1 abr 2026", "Totales por certificación", "42,5", "57,5",
		"Actividades", "Aprobada", "cuenta para SAA, CLF", "Créditos concedidos en total: 9,87")
	if strings.Contains(text, "Approved") || strings.Contains(text, "Activities") {
		t.Errorf("the Spanish transcript shows English labels:\n%s", text)
	}
}

func TestCETranscriptLongTitleWrapsInsideItsCell(t *testing.T) {
	r := newRenderer(t)
	tr := ceTranscript(t, 2)
	text := pdftotext(t, must(t)(r.CETranscript(tr)))
	// Every word of the title is printed at full size, over several lines.
	inOrder(t, text, "Designing resilient multi-region", "hands-on workshop for", "practitioners")
	lines := 0
	for _, l := range strings.Split(text, "\n") {
		for _, w := range []string{"Designing", "chaos", "hands-on", "practitioners"} {
			if strings.Contains(l, w) {
				lines++
				break
			}
		}
	}
	if lines < 3 {
		t.Errorf("the 200-character title takes %d lines, want it wrapped over 3 or more:\n%s", lines, text)
	}
}

func TestCETranscriptEmpty(t *testing.T) {
	r := newRenderer(t)
	tr := ceTranscript(t, 0)
	tr.Certifications = nil
	inOrder(t, pdftotext(t, must(t)(r.CETranscript(tr))), "No certification in force takes continuing education.",
		"No activity submitted.", "Page 1 of 1")
	tr.Reference = ""
	if _, err := r.CETranscript(tr); err == nil {
		t.Error("a transcript without its reference was made")
	}
}

func TestCETranscriptContinuesOnNewPagesAndIsDeterministic(t *testing.T) {
	r := newRenderer(t)
	a := must(t)(r.CETranscript(ceTranscript(t, 200)))
	b := must(t)(newRenderer(t).CETranscript(ceTranscript(t, 200)))
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same transcript differ")
	}
	if !bytes.Contains(a, []byte("/CreationDate (D:20260401100000Z)")) {
		t.Error("the creation date is not the transcript's instant")
	}
	text := rawText(t, a)
	var want []string
	for i := range 200 {
		if i > 3 {
			want = append(want, fmt.Sprintf("Workshop %03d", i+1))
		}
	}
	inOrder(t, text, want...)
	pages := strings.Count(text, "\f")
	if pages < 8 {
		t.Fatalf("200 activities take %d pages", pages)
	}
	inOrder(t, pdftotext(t, a, 2, 2), "عبد الله الفارسي", "continued", "Continuing education transcript",
		"Completed", "Activity", "Claimed", "Granted", "Decision", fmt.Sprintf("Page 2 of %d", pages))
}

// TestCETranscriptGoldenImages compares the rasterised first pages in
// English and Spanish with committed images (-update rewrites them).
func TestCETranscriptGoldenImages(t *testing.T) {
	pdftoppm := testutil.Tool(t, "pdftoppm", "poppler-utils")
	r := newRenderer(t)
	es := ceTranscript(t, 12)
	es.Lang, es.Paper = "es", PaperLetter
	for _, tt := range []struct {
		file string
		data []byte
	}{
		{"ce-transcript-en.png", must(t)(r.CETranscript(ceTranscript(t, 12)))},
		{"ce-transcript-es.png", must(t)(r.CETranscript(es))},
	} {
		t.Run(tt.file, func(t *testing.T) {
			path := testutil.WriteTemp(t, "doc.pdf", tt.data)
			out := filepath.Join(filepath.Dir(path), "page")
			testutil.RunTool(t, pdftoppm, "-r", "40", "-png", "-f", "1", "-l", "1", "-singlefile", path, out)
			got, err := os.ReadFile(out + ".png")
			if err != nil {
				t.Fatal(err)
			}
			testutil.MatchGolden(t, got, filepath.Join("testdata", tt.file), *update)
		})
	}
}

// TestCETranscriptReplacesWhatNoFontDrawsInTitles: an emoji or a Linear B
// character in an activity title prints as a question mark and the transcript is
// made; the same in the candidate's name stops it, as on every document.
func TestCETranscriptReplacesWhatNoFontDrawsInTitles(t *testing.T) {
	r := newRenderer(t)
	tr := ceTranscript(t, 1)
	tr.Activities[0].Title = "Cloud workshop 🚀 𐀀 notes"
	text := pdftotext(t, must(t)(r.CETranscript(tr)))
	if !strings.Contains(text, "Cloud workshop ? ? notes") {
		t.Errorf("the title reads:\n%s", text)
	}
	tr.Name = "Ann 🚀 Lee"
	var te *TextError
	if _, err := r.CETranscript(tr); !errors.As(err, &te) || te.Field != "name" {
		t.Errorf("a name no font draws: err = %v, want a TextError of the name", err)
	}
}
