package credentials_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/certdoc"
	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
	"example.org/certportal/internal/typeset"
)

// renderer is shared by every test, as one is by the process.
var renderer = sync.OnceValues(func() (*certdoc.Renderer, error) {
	cat, err := i18n.New()
	if err != nil {
		return nil, err
	}
	return certdoc.New(typeset.NewFonts(), cat), nil
})

// docFixture is the certificate fixture whose service makes documents,
// with days in the program's time zone, Tokyo.
type docFixture struct {
	*certFixture
	// log holds what the service logged.
	log *syncBuffer
	// credits reads the continuing-education transcript's record, as the
	// app wires it (its catalogue is installed by newCEFixture).
	credits *credits.Service
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// take returns what was logged since the last take.
func (b *syncBuffer) take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	b.buf.Reset()
	return s
}

func newDocFixture(t testing.TB, engine string) *docFixture {
	t.Helper()
	f := &docFixture{certFixture: newCertFixture(t, engine), log: &syncBuffer{}}
	r, err := renderer()
	if err != nil {
		t.Fatal(err)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	f.svc = credentials.New(f.st, f.clock, slog.New(slog.NewTextHandler(f.log, nil)), credentials.Config{
		BaseURL: "https://certs.example.org", SecretKey: secretKey, ProgramName: "Cloud Certification Program",
		PaperSize: func(ctx context.Context) (string, error) {
			set, err := f.prog.Settings(ctx)
			return string(set.PaperSize), err
		},
		Logo: func(ctx context.Context) ([]byte, error) {
			b, _, err := f.prog.Logo(ctx)
			return b, err
		},
		Languages: []string{"en", "es"}, Documents: r,
		TimeZone: func(context.Context) (*time.Location, error) { return tokyo, nil },
		CETranscript: func(ctx context.Context, a portal.Actor, lang string) (certdoc.CETranscript, time.Time, error) {
			return f.credits.Transcript(ctx, a, lang)
		}})
	cal, err := calendar.New(calendar.Settings{TimeZone: "Asia/Tokyo",
		BusinessDays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}})
	if err != nil {
		t.Fatal(err)
	}
	f.credits = credits.New(f.st, f.clock, slog.New(slog.DiscardHandler), credits.Config{
		Calendar: func(context.Context) (credits.Calendar, error) { return cal, nil }, BaseURL: "https://certs.example.org"})
	return f
}

// named is a candidate with a legal name who earned the certification,
// with its credential issued and signed.
func (f *docFixture) named(first, last string) (*portal.UserCertification, *portal.Credential) {
	f.t.Helper()
	u := f.db.Users(f.t, testdb.User{FirstName: first, LastName: last}, 1)[0]
	uc := f.db.Earned(f.t, u, f.exam, f.cert, fixtureNow.Add(-10*24*time.Hour))
	return uc, f.signed(uc)
}

func (f *docFixture) certificatePDF(uc *portal.UserCertification) *credentials.File {
	f.t.Helper()
	file, err := f.svc.CertificatePDF(f.ctx, holder(uc), uc.ID)
	if err != nil {
		f.t.Fatalf("certificate PDF: %v", err)
	}
	return file
}

// pdftext extracts a PDF's text with pdftotext.
func pdftext(t *testing.T, data []byte) string {
	t.Helper()
	testutil.Tool(t, "pdftotext", "poppler-utils")
	return testutil.RunTool(t, "pdftotext", testutil.WriteTemp(t, "doc.pdf", data), "-")
}

// pdfsigValid reports whether pdfsig finds one valid signature.
func pdfsigValid(t *testing.T, data []byte) (bool, string) {
	t.Helper()
	testutil.Tool(t, "pdfsig", "poppler-utils")
	out, _ := runCommand("pdfsig", testutil.WriteTemp(t, "doc.pdf", data))
	return strings.Contains(out, "Signature Validation: Signature is Valid."), out
}

func TestCertificatePDFIsSignedStoredAndTheHoldersAlone(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		uc, c := f.named("Ada", "Lovelace")
		first := f.certificatePDF(uc)
		if !bytes.HasPrefix(first.Data, []byte("%PDF-")) {
			t.Fatalf("not a PDF: %q", first.Data[:min(16, len(first.Data))])
		}
		// The check character may be one of * ~ $ = (Crockford), which a
		// file name spells as _.
		safe := strings.Map(func(r rune) rune {
			if strings.ContainsRune("*~$=", r) {
				return '_'
			}
			return r
		}, string(c.CredentialID))
		if want := "SAA-" + safe + ".pdf"; first.Name != want {
			t.Errorf("file name = %q, want %q", first.Name, want)
		}
		h := first.Headers()
		for k, want := range map[string]string{"Content-Type": "application/pdf", "X-Content-Type-Options": "nosniff",
			"Cache-Control": "private, no-store", "Content-Disposition": `attachment; filename=` + first.Name} {
			if h[k] != want {
				t.Errorf("%s = %q, want %q", k, h[k], want)
			}
		}
		again := f.certificatePDF(uc)
		if !bytes.Equal(first.Data, again.Data) {
			t.Error("a second download differs from the first")
		}
		if n := f.count(`SELECT COUNT(*) FROM document_files`); n != 1 {
			t.Errorf("%d stored files, want 1", n)
		}
		// The row made on first download has the defaults; the text shows the name.
		if n := f.count(`SELECT COUNT(*) FROM documents WHERE kind = 'certificate' AND paper = 'A4' AND language = 'en'`); n != 1 {
			t.Errorf("%d certificate rows with the defaults, want 1", n)
		}
		if txt := pdftext(t, first.Data); !strings.Contains(txt, "Ada Lovelace") || !strings.Contains(txt, c.CredentialID.String()) {
			t.Errorf("pdftotext lacks the name or the credential ID:\n%s", txt)
		}
		for name, a := range map[string]portal.Actor{"another candidate": f.db.Candidate(t),
			"staff": f.db.Staff(t, portal.SetAdmin)} {
			if _, err := f.svc.CertificatePDF(f.ctx, a, uc.ID); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s: err = %v, want not found", name, err)
			}
		}
	})
}

func TestCertificatePDFFollowsTheHoldersChoice(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		uc, _ := f.named("Ada", "Lovelace")
		a4 := f.certificatePDF(uc)
		if _, err := f.svc.ChooseCertificate(f.ctx, holder(uc), uc.ID, credentials.CertificateChoice{Paper: portal.PaperLetter, Language: "es"}); err != nil {
			t.Fatal(err)
		}
		letter := f.certificatePDF(uc)
		if bytes.Equal(a4.Data, letter.Data) {
			t.Fatal("the file was not made again after the holder chose Letter in Spanish")
		}
		testutil.Tool(t, "pdfinfo", "poppler-utils")
		if info := testutil.RunTool(t, "pdfinfo", testutil.WriteTemp(t, "c.pdf", letter.Data)); !strings.Contains(info, "612 x 792 pts (letter)") {
			t.Errorf("page size is not Letter:\n%s", info)
		}
		if txt := pdftext(t, letter.Data); !strings.Contains(txt, "Ada Lovelace") || strings.Contains(txt, "This certifies that") {
			t.Errorf("the Spanish certificate reads:\n%s", txt)
		}
		if n := f.count(`SELECT COUNT(*) FROM document_files`); n != 1 {
			t.Errorf("%d stored files, want the one replaced", n)
		}
	})
}

func TestLostCertificateRegeneratesByteIdenticalWithItsKey(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		uc, _ := f.named("Ada", "Lovelace")
		stored := f.certificatePDF(uc)
		// A new current key (the operator's, say) must not change the
		// regenerated file: it is made with the key recorded with it.
		f.db.Exec(t, `UPDATE document_keys SET retired_at = ?`, fixtureNow)
		if _, err := f.svc.EnsureDocumentKey(f.ctx, nil); err != nil {
			t.Fatal(err)
		}
		f.db.Exec(t, `UPDATE document_files SET pdf = NULL`)
		again := f.certificatePDF(uc)
		if !bytes.Equal(stored.Data, again.Data) {
			t.Fatal("the regenerated certificate differs from the lost one")
		}
		if n := f.count(`SELECT COUNT(*) FROM document_files WHERE pdf IS NOT NULL`); n != 1 {
			t.Errorf("the regenerated bytes were not stored back")
		}
		// A file that would differ from the stored hash is refused, not served.
		f.db.Exec(t, `UPDATE document_files SET pdf = NULL, pdf_sha256 = ?`, strings.Repeat("0", 64))
		if file, err := f.svc.CertificatePDF(f.ctx, holder(uc), uc.ID); err == nil || file != nil {
			t.Fatalf("a file not matching its stored hash was served: %v", err)
		}
	})
}

func TestRevokedCertificateHasNoPDF(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		uc, c := f.named("Ada", "Lovelace")
		f.certificatePDF(uc)
		officer := f.db.Staff(t, portal.SetCredentialOfficer)
		if err := f.svc.Revoke(f.ctx, officer, c.ID, portal.RevokeMisconduct, "x"); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.CertificatePDF(f.ctx, holder(uc), uc.ID)
		if pe := refusal(t, err); pe.Code != portal.EGone {
			t.Errorf("code = %s, want gone", pe.Code)
		}
	})
}

func TestUncoveredNameBlocksTheCertificateAndTellsStaff(t *testing.T) {
	for _, name := range []string{"\U00010000da", "Ada 🎓"} { // Linear B syllable A, an emoji
		t.Run(name, func(t *testing.T) {
			testutil.ForEachEngine(t, func(t *testing.T, engine string) {
				f := newDocFixture(t, engine)
				u := f.db.Users(t, testdb.User{FirstName: name, LastName: "Lovelace"}, 1)[0]
				uc := f.db.Earned(t, u, f.exam, f.cert, fixtureNow.Add(-10*24*time.Hour))
				f.react()
				c := f.credentialsOf(uc)[0]
				officer := f.db.Staff(t, portal.SetCredentialOfficer)
				check, err := f.svc.CertificateCheck(f.ctx, officer, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !check.Checked || check.Problem == nil || check.Problem.Message != "certdoc.error.uncovered" {
					t.Fatalf("check after issuance = %+v, want the uncovered character for staff", check)
				}
				if _, err := f.svc.CertificateCheck(f.ctx, u, c.ID); err == nil {
					t.Error("a candidate read the staff check")
				}
				preparing, err := f.svc.PreparingCertificates(f.ctx, u)
				if err != nil || !preparing[c.ID] {
					t.Errorf("preparing = %v, %v; want the credential", preparing, err)
				}
				_, err = f.svc.CertificatePDF(f.ctx, u, uc.ID)
				if pe := refusal(t, err); pe.Code != portal.EConflict || pe.Message != credentials.MsgDocumentPreparing {
					t.Errorf("download refusal = %+v, want conflict %s", pe, credentials.MsgDocumentPreparing)
				}
				if n := f.count(`SELECT COUNT(*) FROM document_files`); n != 0 {
					t.Errorf("%d files stored for a blocked certificate", n)
				}
			})
		})
	}
}

func TestCoveredNameIsCheckedAtIssuance(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		u := f.db.Users(t, testdb.User{FirstName: "Ada", LastName: "Lovelace"}, 1)[0]
		uc := f.db.Earned(t, u, f.exam, f.cert, fixtureNow.Add(-10*24*time.Hour))
		f.react()
		c := f.credentialsOf(uc)[0]
		check, err := f.svc.CertificateCheck(f.ctx, f.db.Staff(t, portal.SetCredentialOfficer), c.ID)
		if err != nil || !check.Checked || check.Problem != nil {
			t.Fatalf("check = %+v, %v; want checked without a problem", check, err)
		}
		if n := f.count(`SELECT COUNT(*) FROM document_files`); n != 0 {
			t.Errorf("the check at issuance stored %d files", n)
		}
	})
}

func TestScoreReportPDF(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		u := f.db.Users(t, testdb.User{FirstName: "Ada", LastName: "Lovelace"}, 1)[0]
		// 20:30 UTC is the next day in Tokyo, the program's zone.
		a := f.db.Attempt(t, u, f.exam, f.cert, time.Date(2026, 11, 3, 20, 30, 0, 0, time.UTC), false)
		file, err := f.svc.ScoreReportPDF(f.ctx, u, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		txt := pdftext(t, file.Data)
		for _, want := range []string{"Ada Lovelace", "Solutions Architect Associate", "Nov 4, 2026"} {
			if !strings.Contains(txt, want) {
				t.Errorf("score report lacks %q:\n%s", want, txt)
			}
		}
		for name, actor := range map[string]portal.Actor{"another candidate": f.db.Candidate(t), "staff": f.db.Staff(t, portal.SetAdmin)} {
			if _, err := f.svc.ScoreReportPDF(f.ctx, actor, a.ID); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s: err = %v, want not found", name, err)
			}
		}
		// A corrected score makes the report again.
		f.db.Exec(t, `UPDATE exam_attempts SET score = score + 1, updated_at = ? WHERE id = ?`, fixtureNow, a.ID)
		corrected, err := f.svc.ScoreReportPDF(f.ctx, u, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(corrected.Data, file.Data) {
			t.Error("the corrected result still downloads the old report")
		}
		f.db.Exec(t, `UPDATE exam_attempts SET state = ?, published_at = NULL WHERE id = ?`, portal.AttemptHeld, a.ID)
		if _, err := f.svc.ScoreReportPDF(f.ctx, u, a.ID); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("a held result: err = %v, want not found", err)
		}
	})
}

func TestTranscriptPDFIsTheSameForTheSameRecord(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		uc, c := f.named("Ada", "Lovelace")
		u := holder(uc)
		first, err := f.svc.TranscriptPDF(f.ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		again, err := f.svc.TranscriptPDF(f.ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Data, again.Data) {
			t.Error("the same record gave another transcript an hour later")
		}
		if txt := pdftext(t, first.Data); !strings.Contains(txt, c.CredentialID.String()) || !strings.Contains(txt, "SAA-C03") {
			t.Errorf("transcript lacks the credential or the exam:\n%s", txt)
		}
		f.db.Attempt(t, u, f.exam, nil, fixtureNow.Add(-2*24*time.Hour), false)
		changed, err := f.svc.TranscriptPDF(f.ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(first.Data, changed.Data) {
			t.Error("a new official result left the transcript unchanged")
		}
		if ok, out := pdfsigValid(t, changed.Data); !ok {
			t.Errorf("pdfsig:\n%s", out)
		}
	})
}

func TestCertificatePDFPassesIndependentChecks(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		uc, c := f.named("Ada", "Lovelace")
		file := f.certificatePDF(uc)
		if ok, out := pdfsigValid(t, file.Data); !ok {
			t.Fatalf("pdfsig does not report a valid signature:\n%s", out)
		}
		changed := bytes.Replace(file.Data, []byte("/Lang (en)"), []byte("/Lang (es)"), 1)
		if bytes.Equal(changed, file.Data) {
			t.Fatal("no /Lang (en) to change")
		}
		if ok, out := pdfsigValid(t, changed); ok {
			t.Errorf("pdfsig accepts a one-byte change:\n%s", out)
		}
		testutil.Tool(t, "pdftoppm", "poppler-utils")
		testutil.Tool(t, "zbarimg", "zbar-tools")
		dir := t.TempDir()
		testutil.RunTool(t, "pdftoppm", "-r", "150", "-png", "-singlefile", testutil.WriteTemp(t, "c.pdf", file.Data), filepath.Join(dir, "page"))
		// zbarimg complains on standard error about a missing D-Bus; only
		// what it read goes to standard output.
		out, _ := exec.Command("zbarimg", "--quiet", "--raw", filepath.Join(dir, "page.png")).Output()
		got := string(out)
		if want := f.svc.CredentialURL(c.CredentialID); strings.TrimSpace(got) != want {
			t.Errorf("zbarimg read %q, want exactly %q", got, want)
		}
	})
}

func TestCertificatePDFNamesExtractInLogicalOrder(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		for _, n := range [][2]string{{"ليلى", "حداد"}, {"山田", "花子"}} {
			uc, _ := f.named(n[0], n[1])
			if txt := pdftext(t, f.certificatePDF(uc).Data); !strings.Contains(txt, n[0]) || !strings.Contains(txt, n[1]) {
				t.Errorf("pdftotext of %s %s:\n%s", n[0], n[1], txt)
			}
		}
	})
}

// BenchmarkDocumentsThroughTheService makes each document as a first
// download does, on each engine: read, laid out, signed and stored.
func BenchmarkDocumentsThroughTheService(b *testing.B) {
	for _, engine := range testutil.Engines(b) {
		b.Run(engine, func(b *testing.B) { benchmarkDocuments(b, engine) })
	}
}

func benchmarkDocuments(b *testing.B, engine string) {
	f := newDocFixture(b, engine)
	uc, _ := f.named("Ada", "Lovelace")
	u := holder(uc)
	var attempt int64
	if err := f.db.Store.DB().QueryRowContext(f.ctx, testutil.Rebind(engine, `SELECT id FROM exam_attempts WHERE user_id = ?`), u.UserID).Scan(&attempt); err != nil {
		b.Fatal(err)
	}
	// The document key is generated once per program: before the timing.
	if _, err := f.svc.CurrentDocumentKey(f.ctx); err != nil {
		b.Fatal(err)
	}
	for _, bench := range []struct {
		name string
		make func() error
	}{
		{"Certificate", func() error { _, err := f.svc.CertificatePDF(f.ctx, u, uc.ID); return err }},
		{"ScoreReport", func() error { _, err := f.svc.ScoreReportPDF(f.ctx, u, attempt); return err }},
		{"Transcript", func() error { _, err := f.svc.TranscriptPDF(f.ctx, u); return err }},
	} {
		b.Run(bench.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				// Each round lays out and signs: the stored file is dropped.
				f.db.Exec(b, `DELETE FROM document_files`)
				if err := bench.make(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func runCommand(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestCertificatePDFCarriesTheProgramLogo: a program without a logo still
// gets certificates (the logo's not-found is no error); once an admin sets
// one, the certificate is made again with it as one more image.
func TestCertificatePDFCarriesTheProgramLogo(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		uc, _ := f.named("Ada", "Lovelace")
		images := func(data []byte) int { return bytes.Count(data, []byte("/Subtype /Image")) }
		before := images(f.certificatePDF(uc).Data)
		if before == 0 {
			t.Fatal("the certificate has no image: its QR code is missing")
		}
		img := image.NewRGBA(image.Rect(0, 0, 64, 64))
		draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{R: 200, A: 255}), image.Point{}, draw.Src)
		var logo bytes.Buffer
		if err := png.Encode(&logo, img); err != nil {
			t.Fatal(err)
		}
		if _, err := f.prog.SetLogo(f.ctx, f.db.Staff(t, portal.SetAdmin), &logo); err != nil {
			t.Fatalf("set logo: %v", err)
		}
		if after := images(f.certificatePDF(uc).Data); after != before+1 {
			t.Errorf("%d images with the program's logo, want %d", after, before+1)
		}
	})
}

// TestCertificateCheckStartsAfterItsCursor: a run of the certificate check
// reads the credentials after its cursor, not the whole table; a credential
// not signed yet holds the cursor back (the later ones are still checked),
// and once it is signed the next run checks it and moves past both.
func TestCertificateCheckStartsAfterItsCursor(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		earn := func(first string) *portal.UserCertification {
			u := f.db.Users(t, testdb.User{FirstName: first, LastName: "Lovelace"}, 1)[0]
			return f.db.Earned(t, u, f.exam, f.cert, fixtureNow.Add(-10*24*time.Hour))
		}
		ucA, ucB := earn("Ada"), earn("Grace")
		f.react()
		a, b := f.credentialsOf(ucA)[0], f.credentialsOf(ucB)[0]
		cursor := func() string {
			t.Helper()
			v, err := f.st.GetSetting(f.ctx, credentials.CertificateCheckCursorKey)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		check := func() int {
			t.Helper()
			n, err := f.svc.CheckCertificates(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if got, want := cursor(), fmt.Sprint(b.ID); got != want {
			t.Fatalf("cursor after issuance = %s, want %s", got, want)
		}
		// Checks gone below the cursor are not looked for again.
		f.db.Exec(t, `DELETE FROM document_checks`)
		if n := check(); n != 0 {
			t.Fatalf("a run after the cursor checked %d certificates again", n)
		}

		// From the start again, with the first credential not signed yet.
		f.db.Exec(t, `DELETE FROM app_settings WHERE key = ?`, credentials.CertificateCheckCursorKey)
		f.db.Exec(t, `UPDATE credentials SET document_jsonld = '' WHERE id = ?`, a.ID)
		if n := check(); n != 1 {
			t.Fatalf("checked %d, want the signed one", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM document_checks WHERE subject_id = ?`, b.ID); n != 1 {
			t.Fatalf("the signed credential after the unsigned one was not checked")
		}
		if _, err := f.st.GetSetting(f.ctx, credentials.CertificateCheckCursorKey); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("the cursor moved past an unsigned credential: %v", err)
		}
		if n := f.react(); n != 0 {
			t.Fatalf("react issued %d", n)
		}
		if len(f.credentialsOf(ucA)) != 1 || f.count(`SELECT COUNT(*) FROM document_checks WHERE subject_id = ?`, a.ID) != 1 {
			t.Fatal("the credential signed late was not checked")
		}
		if got, want := cursor(), fmt.Sprint(b.ID); got != want {
			t.Fatalf("cursor = %s, want %s once both are checked", got, want)
		}
	})
}
