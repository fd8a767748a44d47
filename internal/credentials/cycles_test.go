package credentials_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// englishDay writes a YYYY-MM-DD day as the English certificate does.
func englishDay(t *testing.T, ymd string) string {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	d, err := time.Parse(time.DateOnly, ymd)
	if err != nil {
		t.Fatal(err)
	}
	return cat.Localizer("en").Date(d, time.UTC)
}

// TestEarlierCycleCertificateKeepsItsPeriod: after a renewal the holder's
// history lists both cycles, each with its period, credential and status;
// the first cycle's certificate is still downloadable, prints that cycle's
// period (not the new one) with its own credential ID and the successor's,
// is signed and the same file on every download; the current cycle's is
// the certificate of the certification. Nobody else, staff included, gets
// either, nor a cycle the certification has not had.
func TestEarlierCycleCertificateKeepsItsPeriod(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newDocFixture(t, engine)
		uc, first := f.named("Ada", "Lovelace")
		if got, err := f.svc.CertificateCycles(f.ctx, holder(uc)); err != nil || len(got) != 0 {
			t.Fatalf("history of a certification never renewed = %+v, %v; want none", got, err)
		}
		r := f.renew(uc)
		f.react()
		var next *portal.Credential
		for _, c := range f.credentialsOf(uc) {
			if c.Cycle == 2 {
				next = c
			}
		}
		if next == nil || next.DocumentJSONLD == "" {
			t.Fatal("the renewal issued no signed credential of cycle 2")
		}

		cycles, err := f.svc.CertificateCycles(f.ctx, holder(uc))
		if err != nil {
			t.Fatal(err)
		}
		want := []credentials.CertificateCycle{
			{UserCertificationID: uc.ID, Cycle: 1, IssuedOn: r.OldIssuedOn, ExpiresOn: r.OldExpiresOn, CredentialID: first.CredentialID,
				Status: credentials.CycleSuperseded},
			{UserCertificationID: uc.ID, Cycle: 2, IssuedOn: r.NewIssuedOn, ExpiresOn: r.NewExpiresOn, CredentialID: next.CredentialID,
				Status: credentials.CycleCurrent},
		}
		if got := cycles[uc.ID]; len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("cycles = %+v\nwant %+v", got, want)
		}
		if others, err := f.svc.CertificateCycles(f.ctx, f.db.Candidate(t)); err != nil || len(others) != 0 {
			t.Fatalf("another candidate's history = %+v, %v; want none", others, err)
		}

		old, err := f.svc.CycleCertificatePDF(f.ctx, holder(uc), uc.ID, 1)
		if err != nil {
			t.Fatalf("first cycle's certificate: %v", err)
		}
		txt := pdftext(t, old.Data)
		for _, s := range []string{"Ada Lovelace", first.CredentialID.String(), "Valid through " + englishDay(t, r.OldExpiresOn),
			"Issued on " + englishDay(t, r.OldIssuedOn), "Superseded by credential " + next.CredentialID.String()} {
			if !strings.Contains(txt, s) {
				t.Errorf("first cycle's certificate lacks %q:\n%s", s, txt)
			}
		}
		if strings.Contains(txt, englishDay(t, r.NewExpiresOn)) {
			t.Errorf("first cycle's certificate prints the new expiry %s:\n%s", r.NewExpiresOn, txt)
		}
		if ok, out := pdfsigValid(t, old.Data); !ok {
			t.Errorf("first cycle's certificate is not validly signed:\n%s", out)
		}
		again, err := f.svc.CycleCertificatePDF(f.ctx, holder(uc), uc.ID, 1)
		if err != nil || !bytes.Equal(again.Data, old.Data) || again.Name != old.Name {
			t.Errorf("a second download of the first cycle's certificate differs (%v)", err)
		}

		current := f.certificatePDF(uc)
		byCycle, err := f.svc.CycleCertificatePDF(f.ctx, holder(uc), uc.ID, 2)
		if err != nil || !bytes.Equal(byCycle.Data, current.Data) {
			t.Fatalf("the current cycle's certificate is not the certification's (%v)", err)
		}
		if txt := pdftext(t, current.Data); !strings.Contains(txt, "Valid through "+englishDay(t, r.NewExpiresOn)) ||
			!strings.Contains(txt, next.CredentialID.String()) {
			t.Errorf("current certificate lacks the new period or credential:\n%s", txt)
		}

		for name, a := range map[string]portal.Actor{"another candidate": f.db.Candidate(t), "staff": f.db.Staff(t, portal.SetAdmin)} {
			if _, err := f.svc.CycleCertificatePDF(f.ctx, a, uc.ID, 1); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s: err = %v, want not found", name, err)
			}
		}
		for _, cycle := range []int{0, 3} {
			if _, err := f.svc.CycleCertificatePDF(f.ctx, holder(uc), uc.ID, cycle); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("cycle %d: err = %v, want not found", cycle, err)
			}
		}
	})
}
