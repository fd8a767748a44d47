package credentials_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
)

// ceFixture is the documents fixture with the default activity catalogue
// and a CE reviewer.
type ceFixture struct {
	*docFixture
	reviewer portal.Actor
}

func newCEFixture(t *testing.T, engine string) *ceFixture {
	t.Helper()
	f := &ceFixture{docFixture: newDocFixture(t, engine)}
	if err := f.credits.InstallDefaultCatalogue(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.reviewer = f.db.Staff(t, portal.SetCEReviewer)
	return f
}

// holderCE is a candidate named first last, writing in lang, who earned
// the certification ten days ago.
func (f *ceFixture) holderCE(first, last, lang string) portal.Actor {
	f.t.Helper()
	u := f.db.Users(f.t, testdb.User{FirstName: first, LastName: last, Language: lang}, 1)[0]
	f.db.Earned(f.t, u, f.exam, f.cert, fixtureNow.Add(-10*24*time.Hour))
	return u
}

// workshop submits an official workshop claiming claimed credits,
// completed the day before the fixture's now, with one file of evidence.
func (f *ceFixture) workshop(u portal.Actor, title, claimed string) *portal.CESubmission {
	f.t.Helper()
	up := f.db.Upload(f.t, testdb.Upload{Owner: u, Content: []byte("%PDF-1.4\n% " + title)})
	r, err := f.credits.Submit(f.ctx, u, credits.Submission{TypeCode: "official_workshop", Title: title,
		CompletedOn: fixtureNow.Add(-24 * time.Hour).Format(time.DateOnly), Claimed: claimed, Evidence: []int64{up.ID}})
	if err != nil {
		f.t.Fatalf("submit %s: %v", title, err)
	}
	return r.Submission
}

func (f *ceFixture) approve(id int64) {
	f.t.Helper()
	if _, err := f.credits.Decide(f.ctx, f.reviewer, id, credits.Decision{Outcome: credits.OutcomeApprove}); err != nil {
		f.t.Fatalf("approve %d: %v", id, err)
	}
}

func (f *ceFixture) transcript(u portal.Actor) *credentials.File {
	f.t.Helper()
	file, err := f.svc.CETranscriptPDF(f.ctx, u)
	if err != nil {
		f.t.Fatalf("CE transcript: %v", err)
	}
	return file
}

// TestCETranscriptPDF: the continuing-education transcript is signed
// (pdfsig reports it valid and flags a one-byte change), shows the name,
// the activities and the totals, is stored once and served the same an
// hour later, made again byte-identical when its bytes are lost, replaced
// after a decision, and is the candidate's own: another candidate and
// staff get theirs, a visitor none.
func TestCETranscriptPDF(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newCEFixture(t, engine)
		u := f.holderCE("ليلى", "حداد", "en")
		a := f.workshop(u, "Resilience workshop", "8")
		f.approve(a.ID)
		pending := f.workshop(u, "Networking deep dive", "5")

		first := f.transcript(u)
		if !bytes.HasPrefix(first.Data, []byte("%PDF-")) || !strings.HasPrefix(first.Name, "ce-transcript-CE") || !strings.HasSuffix(first.Name, ".pdf") {
			t.Fatalf("file %s, %q…", first.Name, first.Data[:min(8, len(first.Data))])
		}
		if ok, out := pdfsigValid(t, first.Data); !ok {
			t.Fatalf("pdfsig:\n%s", out)
		}
		changed := bytes.Replace(first.Data, []byte("/Lang (en)"), []byte("/Lang (es)"), 1)
		if bytes.Equal(changed, first.Data) {
			t.Fatal("no /Lang (en) to change")
		}
		if ok, _ := pdfsigValid(t, changed); ok {
			t.Error("pdfsig accepts a one-byte change")
		}
		txt := pdftext(t, first.Data)
		for _, want := range []string{"Continuing education transcript", "ليلى", "حداد", "Solutions Architect – Associate",
			"Resilience workshop", "Networking deep dive", "Approved", "Waiting for review", "Credits granted in all: 8"} {
			if !strings.Contains(txt, want) {
				t.Errorf("the transcript lacks %q:\n%s", want, txt)
			}
		}
		// Totals: 8 approved, 5 pending, 100 required, 92 still needed.
		if !strings.Contains(squeeze(txt), "8510092") {
			t.Errorf("the totals 8, 5, 100, 92 are not on one row:\n%s", txt)
		}

		f.clock.Advance(time.Hour)
		if again := f.transcript(u); !bytes.Equal(again.Data, first.Data) || again.Name != first.Name {
			t.Error("the same record gave another transcript an hour later")
		}
		if n := f.count(`SELECT COUNT(*) FROM document_files fl JOIN documents d ON d.id = fl.document_id WHERE d.kind = 'ce_transcript'`); n != 1 {
			t.Errorf("%d stored CE transcripts, want 1", n)
		}
		f.db.Exec(t, `UPDATE document_files SET pdf = NULL`)
		if again := f.transcript(u); !bytes.Equal(again.Data, first.Data) {
			t.Error("the lost transcript was made again with other bytes")
		}

		f.approve(pending.ID)
		after := f.transcript(u)
		if bytes.Equal(after.Data, first.Data) {
			t.Fatal("a decision left the transcript unchanged")
		}
		if txt := pdftext(t, after.Data); !strings.Contains(txt, "Credits granted in all: 13") {
			t.Errorf("after the second approval:\n%s", txt)
		}
		if ok, out := pdfsigValid(t, after.Data); !ok {
			t.Errorf("pdfsig after the change:\n%s", out)
		}
		if n := f.count(`SELECT COUNT(*) FROM documents WHERE kind = 'ce_transcript'`); n != 1 {
			t.Errorf("%d CE transcript rows, want the one replaced", n)
		}

		for name, other := range map[string]portal.Actor{"another candidate": f.holderCE("Ada", "Lovelace", "en"),
			"staff": f.reviewer} {
			file := f.transcript(other)
			if txt := pdftext(t, file.Data); strings.Contains(txt, "Resilience workshop") || strings.Contains(txt, "ليلى") {
				t.Errorf("%s's transcript shows the candidate's record:\n%s", name, txt)
			}
		}
		if _, err := f.svc.CETranscriptPDF(f.ctx, portal.Actor{}); !errors.Is(err, portal.ErrUnauthorized) {
			t.Errorf("a visitor: err = %v, want unauthorized", err)
		}
	})
}

// TestCETranscriptPDFInTheHoldersLanguage: a Spanish-speaking candidate
// gets the transcript in Spanish, decimals with a comma.
func TestCETranscriptPDFInTheHoldersLanguage(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newCEFixture(t, engine)
		u := f.holderCE("Lucía", "Fernández", "es")
		f.approve(f.workshop(u, "Taller de redes", "7.5").ID)
		txt := pdftext(t, f.transcript(u).Data)
		for _, want := range []string{"Expediente de formación continua", "Lucía Fernández", "Totales por certificación",
			"Taller de redes", "Aprobada", "Créditos concedidos en total: 7,5", "92,5"} {
			if !strings.Contains(txt, want) {
				t.Errorf("the Spanish transcript lacks %q:\n%s", want, txt)
			}
		}
	})
}

func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }
