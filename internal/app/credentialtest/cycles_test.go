package credentialtest

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// renewedEmail is the demo's holder of a certification renewed by a
// second pass.
const renewedEmail = "renewed@demo.certportal.localhost"

// renewedPassword gives the demo's renewed holder, who has no demo
// sign-in, a password, and returns it.
func renewedPassword(t *testing.T, a *apptest.App) string {
	t.Helper()
	const password = "correct horse battery staple"
	hash, err := accounts.NewHasher(apptest.HashParams, 1).Hash(context.Background(), password)
	if err != nil {
		t.Fatal(err)
	}
	st := a.OpenStore(t)
	if _, err := st.DB().Exec(testutil.Rebind(a.Engine, `UPDATE users SET password_hash = ? WHERE email = ?`), hash, renewedEmail); err != nil {
		t.Fatal(err)
	}
	return password
}

// TestCyclesPageAxe: the Certifications
// page of the renewed holder, with its table of cycles, passes axe-core
// on a desktop and on a phone (where the table stacks).
func TestCyclesPageAxe(t *testing.T) {
	a := apptest.Start(t, "sqlite", apptest.WithArgs("--demo"))
	b := testutil.NewBrowser(t)
	b.Navigate(a.URL + "/signin")
	b.Fill("#email", renewedEmail)
	b.Fill("#password", renewedPassword(t, a))
	b.Submit(`form[action="/signin"] button[type=submit]`)
	b.Navigate(a.URL + "/certifications")
	b.WaitVisible(".cert-cycles")
	b.CheckAccessibility()
	b.Phone()
	b.Navigate(a.URL + "/certifications")
	b.WaitVisible(".cert-cycles")
	b.CheckAccessibility()
}

// TestRenewedHolderKeepsEachCyclesCertificate: the demo's renewed holder
// (given a password here: the demo prints none) finds on the
// Certifications page both cycles of the renewed certification, each with
// its period, credential ID and status, its certificate PDF and its
// verification page, in English and in Spanish. The first cycle's
// certificate is a signed PDF printing that cycle's expiry, not the new
// one; its verification page says superseded. Another candidate gets
// not found for it.
func TestRenewedHolderKeepsEachCyclesCertificate(t *testing.T) {
	testutil.Tool(t, "pdfsig", "poppler-utils")
	testutil.Tool(t, "pdftotext", "poppler-utils")
	superseded := regexp.MustCompile(`(https?://\S+/credentials/(\S+))  \(cycle 1, superseded\)`)
	current := regexp.MustCompile(`(https?://\S+/credentials/(\S+))  \(cycle 2, current\)`)
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		old, next := superseded.FindStringSubmatch(a.Stdout()), current.FindStringSubmatch(a.Stdout())
		if old == nil || next == nil {
			t.Fatalf("the demo printed no renewed certification:\n%s", a.Stdout())
		}
		// As the page and the certificate write them, in groups of four.
		oldID, nextID := grouped(t, old[2]), grouped(t, next[2])
		st := a.OpenStore(t)
		var oldExpiry, newExpiry string
		err := st.DB().QueryRow(testutil.Rebind(engine, `SELECT r.old_expires_on, uc.expires_on FROM renewals r
			JOIN user_certifications uc ON uc.id = r.user_certification_id JOIN users u ON u.id = uc.user_id WHERE u.email = ?`),
			renewedEmail).Scan(&oldExpiry, &newExpiry)
		if err != nil {
			t.Fatal(err)
		}
		setUser := func(column string, value any) {
			t.Helper()
			if _, err := st.DB().Exec(testutil.Rebind(engine, `UPDATE users SET `+column+` = ? WHERE email = ?`), value, renewedEmail); err != nil {
				t.Fatal(err)
			}
		}
		b := a.Browser(t)
		b.SignIn(renewedEmail, renewedPassword(t, a))

		page := b.Get("/certifications").HTML
		rows := page.Find(".cert-cycle")
		if len(rows) != 2 {
			t.Fatalf("%d cycles on the Certifications page, want 2:\n%s", len(rows), page.Text())
		}
		cat, err := i18n.New()
		if err != nil {
			t.Fatal(err)
		}
		day := func(lang, ymd string) string {
			d, err := time.Parse(time.DateOnly, ymd)
			if err != nil {
				t.Fatal(err)
			}
			return cat.Localizer(lang).Date(d, time.UTC)
		}
		for i, want := range []struct{ id, status, expiry string }{
			{oldID, "Superseded by the renewal", oldExpiry},
			{nextID, "Current", newExpiry},
		} {
			r := rows[i]
			if got := r.TextOf(".cycle-credential"); got != want.id {
				t.Errorf("cycle %d: credential %q, want %q", i+1, got, want.id)
			}
			if got := r.TextOf(".cycle-status"); got != want.status {
				t.Errorf("cycle %d: status %q, want %q", i+1, got, want.status)
			}
			if got := r.TextOf(".cycle-period"); !strings.HasSuffix(got, " to "+day("en", want.expiry)) {
				t.Errorf("cycle %d: period %q, want one ending %s", i+1, got, day("en", want.expiry))
			}
			if got := r.AttrOf(".cycle-verify", "href"); got != "/credentials/"+strings.ReplaceAll(want.id, "-", "") {
				t.Errorf("cycle %d: verification link %q", i+1, got)
			}
		}

		pdfHref := rows[0].AttrOf(".cycle-pdf", "href")
		pdf := b.Get(pdfHref)
		if pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF-") {
			t.Fatalf("GET %s = %d, not a PDF", pdfHref, pdf.Status)
		}
		path := testutil.WriteTemp(t, "cycle1.pdf", []byte(pdf.Body))
		if out := testutil.RunTool(t, "pdfsig", path); !strings.Contains(out, "Signature Validation: Signature is Valid.") {
			t.Errorf("pdfsig does not report the first cycle's certificate valid:\n%s", out)
		}
		text := squeeze(testutil.RunTool(t, "pdftotext", path, "-"))
		for _, s := range []string{oldID, squeeze("Valid through " + day("en", oldExpiry)), squeeze("Superseded by credential " + nextID)} {
			if !strings.Contains(text, s) {
				t.Errorf("the first cycle's certificate lacks %q:\n%s", s, text)
			}
		}
		if strings.Contains(text, squeeze(day("en", newExpiry))) {
			t.Errorf("the first cycle's certificate prints the new expiry:\n%s", text)
		}
		if v := b.Get(rows[0].AttrOf(".cycle-verify", "href")); v.Status != http.StatusOK || v.HTML.TextOf(".credential-status .status") != "Superseded" {
			t.Errorf("the first cycle's verification page: %d %q, want 200 Superseded", v.Status, v.HTML.TextOf(".credential-status .status"))
		}

		m := demoHolderRe("certified").FindStringSubmatch(a.Stdout())
		if m == nil {
			t.Fatal("the demo printed no certified account")
		}
		other := a.Browser(t)
		other.SignIn(m[1], m[2])
		if got := other.Get(pdfHref); got.Status != http.StatusNotFound {
			t.Errorf("another candidate's GET %s = %d, want 404", pdfHref, got.Status)
		}

		setUser("language", "es")
		es := b.Get("/certifications").HTML
		if got := es.Texts(".cycle-status"); len(got) != 2 || got[0] != "Sustituida por la renovación" || got[1] != "Vigente" {
			t.Errorf("Spanish statuses = %q", got)
		}
		if got := es.TextOf(".cycle-period"); !strings.HasSuffix(got, " al "+day("es", oldExpiry)) {
			t.Errorf("Spanish period %q, want one ending %s", got, day("es", oldExpiry))
		}
		if got := es.TextOf("h3[id$='-cycles']"); got != "Ciclos de esta certificación" {
			t.Errorf("Spanish heading %q", got)
		}
	})
}

// grouped is a credential ID as pages and documents write it.
func grouped(t *testing.T, raw string) string {
	t.Helper()
	id, err := portal.ParseCredentialID(raw)
	if err != nil {
		t.Fatalf("credential ID %q: %v", raw, err)
	}
	return id.String()
}
