package credentials_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/program"
	"example.org/certportal/internal/testutil"
)

// certFixture is the credentials fixture whose service reads the default
// paper size from the real program settings and makes certificates in
// English and Spanish.
type certFixture struct {
	*fixture
	prog *program.Service
}

func newCertFixture(t testing.TB, engine string) *certFixture {
	t.Helper()
	f := &certFixture{fixture: newFixture(t, engine)}
	f.prog = program.New(f.st, f.clock, program.Defaults{})
	f.svc = credentials.New(f.st, f.clock, slog.New(slog.DiscardHandler), credentials.Config{
		BaseURL: "https://certs.example.org", SecretKey: secretKey, ProgramName: "Cloud Certification Program",
		LogoURL: func(context.Context) (string, error) { return "https://certs.example.org/logo.png?v=abc", nil },
		PaperSize: func(ctx context.Context) (string, error) {
			set, err := f.prog.Settings(ctx)
			return string(set.PaperSize), err
		},
		Languages: []string{"en", "es"}})
	return f
}

// setPaper saves the program's default paper size as an admin does.
func (f *certFixture) setPaper(p program.PaperSize) {
	f.t.Helper()
	if _, err := f.prog.Update(f.ctx, f.db.Staff(f.t, portal.SetAdmin), program.Update{PaperSize: p}); err != nil {
		f.t.Fatal(err)
	}
}

// signed issues and signs the credential of uc.
func (f *certFixture) signed(uc *portal.UserCertification) *portal.Credential {
	f.t.Helper()
	c := f.issue(uc)
	if err := f.svc.Sign(f.ctx, c.ID); err != nil {
		f.t.Fatal(err)
	}
	return f.reload(c)
}

// holder is the candidate who holds uc, signed in since the fixture's
// start.
func holder(uc *portal.UserCertification) portal.Actor {
	return testutil.CandidateActor(uc.UserID, fixtureNow)
}

// refusal returns the *portal.Error of err, failing the test without one.
func refusal(t *testing.T, err error) *portal.Error {
	t.Helper()
	var pe *portal.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *portal.Error", err)
	}
	return pe
}

func TestCertificateShowsTheStoredFactsToTheHolderOnly(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newCertFixture(t, engine)
		uc := f.earned()
		// Stored as typed: a right-to-left name with a bidi control and
		// odd spacing is shown as it is, never trimmed or re-cased.
		f.db.Exec(t, `UPDATE users SET first_name = ?, last_name = ?, language = 'es' WHERE id = ?`, "ليلى \u202e", "al-HUSSEINI", uc.UserID)
		c := f.signed(uc)
		f.clock.Advance(48 * time.Hour)

		got, err := f.svc.Certificate(f.ctx, holder(uc), uc.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := credentials.Certificate{UserCertificationID: uc.ID, LegalName: "ليلى \u202e al-HUSSEINI",
			CertificationName: f.cert.Name, CertificationCode: f.cert.Code, IssuedOn: uc.IssuedOn, ExpiresOn: uc.ExpiresOn,
			IssuedAt: c.IssuedAt.UTC(), CredentialID: c.CredentialID,
			VerificationURL: "https://certs.example.org/credentials/" + string(c.CredentialID),
			ProgramName:     "Cloud Certification Program", LogoURL: "https://certs.example.org/logo.png?v=abc",
			Paper: portal.PaperA4, Language: "es", Status: credentials.CertificateValid}
		if *got != want {
			t.Errorf("certificate =\n%+v\nwant\n%+v", *got, want)
		}
		if !got.IssuedAt.Equal(fixtureNow) {
			t.Errorf("issued at %v, want the credential's stored instant %v, not now", got.IssuedAt, fixtureNow)
		}

		for name, a := range map[string]portal.Actor{
			"another candidate":  f.db.Candidate(t),
			"credential officer": f.db.Staff(t, portal.SetCredentialOfficer),
			"admin":              f.db.Staff(t, portal.SetAdmin),
			"visitor":            {},
		} {
			if _, err := f.svc.Certificate(f.ctx, a, uc.ID); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s: err = %v, want not found", name, err)
			}
			_, err := f.svc.ChooseCertificate(f.ctx, a, uc.ID, credentials.CertificateChoice{Paper: portal.PaperA4, Language: "en"})
			if !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s chooses: err = %v, want not found", name, err)
			}
		}
		if _, err := f.svc.Certificate(f.ctx, holder(uc), uc.ID+1000); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("unknown certification: err = %v, want not found", err)
		}
		if n := f.count(`SELECT COUNT(*) FROM documents`); n != 0 {
			t.Errorf("%d document rows after reads and refused choices, want 0", n)
		}
	})
}

func TestCertificatePaperDefaultsToTheProgramAndTheChoiceIsStored(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newCertFixture(t, engine)
		uc := f.earned()
		c := f.signed(uc)
		f.setPaper(program.PaperLetter)
		got, err := f.svc.Certificate(f.ctx, holder(uc), uc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Paper != portal.PaperLetter || got.Language != "en" || got.Chosen {
			t.Errorf("default paper %q language %q chosen %v, want the program's Letter, en, not chosen", got.Paper, got.Language, got.Chosen)
		}

		f.clock.Advance(time.Hour)
		got, err = f.svc.ChooseCertificate(f.ctx, holder(uc), uc.ID, credentials.CertificateChoice{Paper: portal.PaperA4, Language: "es"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Paper != portal.PaperA4 || got.Language != "es" || !got.Chosen {
			t.Errorf("after the choice: paper %q language %q chosen %v", got.Paper, got.Language, got.Chosen)
		}
		// The program's default no longer applies to this certificate.
		f.setPaper(program.PaperA4)
		f.setPaper(program.PaperLetter)
		if again, err := f.svc.Certificate(f.ctx, holder(uc), uc.ID); err != nil || again.Paper != portal.PaperA4 || again.Language != "es" {
			t.Errorf("read back: %+v, %v; want the stored A4 and es", again, err)
		}
		// A second choice changes the paper, not the row or its instant.
		f.clock.Advance(time.Hour)
		if _, err := f.svc.ChooseCertificate(f.ctx, holder(uc), uc.ID, credentials.CertificateChoice{Paper: portal.PaperLetter, Language: "en"}); err != nil {
			t.Fatal(err)
		}
		if n := f.count(`SELECT COUNT(*) FROM documents WHERE kind = 'certificate' AND subject_id = ? AND user_id = ? AND paper = 'Letter' AND language = 'en'`,
			c.ID, uc.UserID); n != 1 {
			t.Errorf("%d stored certificate rows with the last choice, want 1", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM documents`); n != 1 {
			t.Errorf("%d document rows, want 1", n)
		}
		again, err := f.svc.Certificate(f.ctx, holder(uc), uc.ID)
		if err != nil || !again.IssuedAt.Equal(c.IssuedAt) {
			t.Errorf("issued at %v, %v; want the credential's %v", again.IssuedAt, err, c.IssuedAt)
		}

		for _, tc := range []struct {
			name  string
			ch    credentials.CertificateChoice
			field string
		}{
			{"unknown paper", credentials.CertificateChoice{Paper: "A3", Language: "en"}, credentials.FieldPaper},
			{"lower-case paper", credentials.CertificateChoice{Paper: "a4", Language: "en"}, credentials.FieldPaper},
			{"language not shipped", credentials.CertificateChoice{Paper: portal.PaperA4, Language: "fr"}, credentials.FieldLanguage},
			{"no language", credentials.CertificateChoice{Paper: portal.PaperA4}, credentials.FieldLanguage},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.ChooseCertificate(f.ctx, holder(uc), uc.ID, tc.ch)
				pe := refusal(t, err)
				if pe.Code != portal.EInvalid || len(pe.Fields) != 1 || pe.Fields[0].Field != tc.field {
					t.Errorf("err = %+v, want one error on %s", pe, tc.field)
				}
			})
		}
	})
}

func TestCertificateRefusalsSayWhy(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newCertFixture(t, engine)
		revokedAt := fixtureNow.Add(26 * time.Hour)
		for _, tc := range []struct {
			name    string
			prepare func(uc *portal.UserCertification)
			code    string
			message string
			date    string
		}{
			{"not issued yet", func(*portal.UserCertification) {}, portal.EConflict, credentials.MsgCertificatePending, ""},
			{"not signed yet", func(uc *portal.UserCertification) { f.issue(uc) }, portal.EConflict, credentials.MsgCertificatePending, ""},
			{"revoked for misconduct", func(uc *portal.UserCertification) {
				c := f.signed(uc)
				f.clock.Set(revokedAt)
				if err := f.svc.Revoke(f.ctx, f.officer(), c.ID, portal.RevokeMisconduct, "Seen copying from a phone."); err != nil {
					t.Fatal(err)
				}
			}, portal.EGone, "certificate.refused.revoked.misconduct", "2026-12-02"},
			{"withdrawn, revoked by the reaction", func(uc *portal.UserCertification) {
				f.signed(uc)
				f.clock.Set(revokedAt)
				f.withdraw(uc)
				f.react()
			}, portal.EGone, "certificate.refused.revoked.issued_in_error", "2026-12-02"},
			{"withdrawn before its credential", func(uc *portal.UserCertification) {
				f.clock.Set(revokedAt)
				f.withdraw(uc)
			}, portal.EGone, credentials.MsgCertificateWithdrawn, "2026-12-02"},
			{"suspended", func(uc *portal.UserCertification) {
				c := f.signed(uc)
				f.clock.Set(revokedAt)
				if err := f.svc.Suspend(f.ctx, f.officer(), c.ID, "Under review."); err != nil {
					t.Fatal(err)
				}
			}, portal.EConflict, credentials.MsgCertificateSuspended, "2026-12-02"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f.clock.Set(fixtureNow)
				uc := f.earned()
				tc.prepare(uc)
				_, err := f.svc.Certificate(f.ctx, holder(uc), uc.ID)
				pe := refusal(t, err)
				if pe.Code != tc.code || pe.Message != tc.message {
					t.Errorf("refusal %s %q, want %s %q", pe.Code, pe.Message, tc.code, tc.message)
				}
				if got, _ := pe.Data["Date"].(string); got != tc.date {
					t.Errorf("date %q, want %q", got, tc.date)
				}
				if strings.Contains(pe.Error(), "phone") || strings.Contains(pe.Error(), "review") {
					t.Errorf("the refusal carries the officer's note: %v", pe)
				}
				_, err = f.svc.ChooseCertificate(f.ctx, holder(uc), uc.ID, credentials.CertificateChoice{Paper: portal.PaperA4, Language: "en"})
				if again := refusal(t, err); again.Message != tc.message {
					t.Errorf("choice refused with %q, want %q", again.Message, tc.message)
				}
				if n := f.count(`SELECT COUNT(*) FROM documents WHERE user_id = ?`, uc.UserID); n != 0 {
					t.Errorf("%d document rows for a refused certificate, want 0", n)
				}
			})
		}
	})
}

func TestCertificateExpiredAndSuperseded(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newCertFixture(t, engine)
		uc := f.earned()
		f.signed(uc)

		f.clock.Set(uc.ExpiresAt.Add(-time.Second))
		if got, err := f.svc.Certificate(f.ctx, holder(uc), uc.ID); err != nil || got.Status != credentials.CertificateValid {
			t.Fatalf("a second before expiry: %+v, %v; want valid", got, err)
		}
		f.clock.Set(uc.ExpiresAt)
		got, err := f.svc.Certificate(f.ctx, holder(uc), uc.ID)
		wantDay := uc.ExpiresAt.UTC().Format(time.DateOnly) // the fixture expires at the start of the next UTC day
		if err != nil || got.Status != credentials.CertificateExpired || got.ExpiresOn != uc.ExpiresOn || got.ExpiredOn != wantDay {
			t.Fatalf("at expiry: %+v, %v; want expired on %s, the day after %s", got, err, wantDay, uc.ExpiresOn)
		}

		// A later certification of the same holder replaces it (renewal).
		f.clock.Set(fixtureNow)
		next := f.db.Earned(t, holder(uc), f.exam, f.cert, fixtureNow.Add(-24*time.Hour))
		nc := f.signed(next)
		f.db.Exec(t, `UPDATE user_certifications SET superseded_by = ? WHERE id = ?`, next.ID, uc.ID)
		got, err = f.svc.Certificate(f.ctx, holder(uc), uc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != credentials.CertificateSuperseded || got.SupersededBy != nc.CredentialID {
			t.Errorf("superseded: status %q successor %q, want superseded by %q", got.Status, got.SupersededBy, nc.CredentialID)
		}
		if succ, err := f.svc.Certificate(f.ctx, holder(uc), next.ID); err != nil || succ.Status != credentials.CertificateValid || succ.SupersededBy != "" {
			t.Errorf("the successor: %+v, %v; want valid", succ, err)
		}
	})
}
