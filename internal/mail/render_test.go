package mail_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/mail"
)

const (
	testProgram = "Acme Certification"
	testBaseURL = "https://portal.example.test"
	setupLink   = "https://portal.example.test/setup?token=s3cr3t-t0ken-value"
	// hostileName is SECURITY.md IN-05's legal name.
	hostileName = "\"><img src=x onerror=alert(1)>{{.}}\u202E"
)

func mustCatalog(t testing.TB) *i18n.Catalog {
	t.Helper()
	c, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustRenderer(t testing.TB) *mail.Renderer {
	t.Helper()
	r, err := mail.NewRenderer(mustCatalog(t), testProgram, testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var expiresAt = time.Date(2026, 11, 24, 8, 30, 0, 0, time.UTC)

func adminSetup(lang, name string) mail.Message {
	return mail.Message{
		To:       "ana@example.test",
		ToName:   name,
		Lang:     lang,
		Template: "admin_setup",
		Data:     map[string]any{"Name": name, "Link": setupLink, "ExpiresAt": expiresAt},
	}
}

func TestRenderAdminSetupInTheRecipientsLanguage(t *testing.T) {
	r := mustRenderer(t)
	for _, tc := range []struct {
		lang        string
		subject     string
		text, html  []string // substrings of both parts unless noted
		htmlLangAtt string
	}{
		{
			lang:        "en",
			subject:     "Your administrator account on Acme Certification",
			text:        []string{"Hello Ana,", "An administrator account was created for you on Acme Certification.", "within 24 hours", setupLink, "Nov 24, 2026, 8:30 AM UTC", "If you did not expect this email, you can ignore it."},
			html:        []string{"Hello Ana,", "Set your password</a>", "If the button does not work"},
			htmlLangAtt: `<html lang="en"`,
		},
		{
			lang:        "es",
			subject:     "Su cuenta de administrador en Acme Certification",
			text:        []string{"Hola, Ana:", "Se ha creado una cuenta de administrador para usted en Acme Certification.", "24 horas", setupLink, "24 nov 2026, 08:30 UTC", "Si no esperaba este correo, puede ignorarlo."},
			html:        []string{"Hola, Ana:", "Establecer la contraseña</a>", "Si el botón no funciona"},
			htmlLangAtt: `<html lang="es"`,
		},
		{
			lang:        "xx", // unknown: English
			subject:     "Your administrator account on Acme Certification",
			text:        []string{"Hello Ana,"},
			htmlLangAtt: `<html lang="en"`,
		},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			got, err := r.Render(adminSetup(tc.lang, "Ana"))
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != tc.subject {
				t.Errorf("subject = %q, want %q", got.Subject, tc.subject)
			}
			for _, want := range tc.text {
				if !strings.Contains(got.Text, want) {
					t.Errorf("text lacks %q:\n%s", want, got.Text)
				}
				if want == setupLink {
					continue // in the HTML the & of a query would be escaped
				}
				if !strings.Contains(got.HTML, want) {
					t.Errorf("HTML lacks %q:\n%s", want, got.HTML)
				}
			}
			for _, want := range append(tc.html, tc.htmlLangAtt, `href="`+setupLink+`"`, "<title>"+tc.subject+"</title>", testProgram) {
				if !strings.Contains(got.HTML, want) {
					t.Errorf("HTML lacks %q:\n%s", want, got.HTML)
				}
			}
			// The footer says why the mail came and that it is automated.
			for _, part := range []string{got.Text, got.HTML} {
				if !strings.Contains(part, testBaseURL) {
					t.Errorf("footer lacks the base URL:\n%s", part)
				}
			}
		})
	}
}

func TestRenderKeepsAHostileNameInert(t *testing.T) {
	r := mustRenderer(t)
	got, err := r.Render(adminSetup("en", hostileName+"\r\nBcc: evil@example.test"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.HTML, "<img") || strings.Contains(got.HTML, "alert(1)>") {
		t.Errorf("HTML contains the raw markup:\n%s", got.HTML)
	}
	if !strings.Contains(got.HTML, "&lt;img src=x onerror=alert(1)&gt;{{.}}") {
		t.Errorf("HTML lacks the escaped name:\n%s", got.HTML)
	}
	if !strings.Contains(got.Text, "Hello \"><img src=x onerror=alert(1)>{{.}} Bcc: evil@example.test,") {
		t.Errorf("text lacks the name on one line, as data:\n%s", got.Text)
	}
	for _, part := range []string{got.Subject, got.Text, got.HTML} {
		if strings.ContainsRune(part, '\u202E') || strings.Contains(part, "\r") {
			t.Errorf("bidi override or CR survived in %q", part)
		}
	}
	if strings.Contains(got.Text, "\nBcc:") {
		t.Errorf("the name added a line to the text:\n%s", got.Text)
	}
}

func TestRenderSubjectIsOneLine(t *testing.T) {
	r, err := mail.NewRenderer(mustCatalog(t), "Acme\r\nBcc: evil@example.test\u0007", testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Render(mail.Message{To: "a@example.test", Template: "test_message"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Test message from Acme Bcc: evil@example.test"; got.Subject != want {
		t.Errorf("subject = %q, want %q", got.Subject, want)
	}
}

// sampleData has every key the templates use. A new template whose data
// has a new key adds it here; otherwise the test below fails, since a
// missing key fails the render.
var sampleData = map[string]any{
	"Name":          "Ana",
	"Link":          setupLink,
	"ExpiresAt":     expiresAt.Format(time.RFC3339),
	"SentBy":        "Bo",
	"TimeZone":      "Europe/Madrid",
	"ResetLink":     "http://portal.example.test/password/forgot",
	"Event":         "locked",
	"LockedUntil":   expiresAt.Format(time.RFC3339),
	"Method":        "totp",
	"EventAt":       expiresAt.Format(time.RFC3339),
	"IP":            "203.0.113.7",
	"Left":          "7",
	"Until":         expiresAt.Format(time.RFC3339),
	"Reference":     "B7K2-9QXP",
	"Exam":          "SAA-C03 AWS Certified Solutions Architect – Associate",
	"StartsAt":      expiresAt.Format(time.RFC3339),
	"Place":         "Downtown Testing, 1 Main St, Seattle",
	"Online":        "no",
	"Change":        "confirmed",
	"RefundMinor":   15000.0,
	"Currency":      "USD",
	"Sets":          []any{"scheduler", "support"},
	"Cause":         "preliminary",
	"TakenAt":       expiresAt.Format(time.RFC3339),
	"OfficialAt":    "2026-12-01",
	"Passed":        "yes",
	"Status":        "revoked",
	"Reason":        "misconduct",
	"Certification": "Solutions Architect – Associate",
	"CredentialID":  "7KQ3-0M2X-ABCD-EFGH-JKMN-PQRS-TVW",
	"VerifyURL":     testBaseURL + "/credentials/7KQ30M2XABCDEFGHJKMNPQRSTVW",
	// continuing education
	"CECause":        "decided",
	"Activity":       "Reading the networking whitepaper",
	"ActivityType":   "Whitepaper or documentation review",
	"Credits":        "1.5",
	"Claimed":        "2",
	"State":          "partial",
	"ReasonCode":     "partial",
	"TargetOn":       "2026-12-29",
	"ReplyBy":        "2027-01-06",
	"RenewalFlagged": false,
	// reminders of expiry
	"ExpiresOn": "2027-11-10",
	"Count":     6.0,
	"Missing":   "92",
	"Needed":    "100",
	"Pending":   "1.5",
	// renewal
	"RenewedBy":    "credits",
	"OldExpiresOn": "2026-11-10",
	// a renewal flag's resolution
	"FlagOutcome": "credits_requested",
}

func TestEveryTemplateRendersInEveryLanguage(t *testing.T) {
	c := mustCatalog(t)
	r := mustRenderer(t)
	if len(r.Templates()) < 2 {
		t.Fatalf("templates = %v", r.Templates())
	}
	for _, name := range r.Templates() {
		for _, lang := range c.Languages() {
			got, err := r.Render(mail.Message{To: "a@example.test", Lang: lang, Template: name, Data: sampleData})
			if err != nil {
				t.Errorf("%s/%s: %v", name, lang, err)
				continue
			}
			for _, part := range []string{got.Subject, got.Text, got.HTML} {
				if strings.Contains(part, "[mail.") || strings.Contains(part, "[staff.") || strings.Contains(part, "<no value>") || strings.Contains(part, "%!") {
					t.Errorf("%s/%s: missing message or value in %q", name, lang, part)
				}
			}
			if got.Subject == "" || !strings.HasSuffix(got.Text, "\n") || strings.Contains(got.Text, "\n\n\n") {
				t.Errorf("%s/%s: subject %q, text %q", name, lang, got.Subject, got.Text)
			}
		}
	}
}

func TestSpanishMailMessagesAreComplete(t *testing.T) {
	c := mustCatalog(t)
	es := map[string]bool{}
	for _, id := range c.MessageIDs("es") {
		es[id] = true
	}
	for _, id := range c.MessageIDs("en") {
		if (strings.HasPrefix(id, "mail.") || strings.HasPrefix(id, "sms.")) && !es[id] {
			t.Errorf("Spanish lacks %q", id)
		}
	}
}

func TestRenderTimeZoneAndPreformattedTimes(t *testing.T) {
	r := mustRenderer(t)
	m := adminSetup("en", "Ana")
	m.Data["ExpiresAt"] = expiresAt.Format(time.RFC3339) // what JSON makes of a time
	m.Data["TimeZone"] = "Europe/Madrid"
	got, err := r.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Text, "Nov 24, 2026, 9:30 AM CET") {
		t.Errorf("text lacks the local time:\n%s", got.Text)
	}
	m.Data["ExpiresAt"] = "tomorrow at noon"
	got, err = r.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Text, "The link expires on tomorrow at noon.") {
		t.Errorf("text lacks the preformatted time:\n%s", got.Text)
	}
}

func TestRenderRefusesUnknownTemplatesAndMissingData(t *testing.T) {
	r := mustRenderer(t)
	for name, m := range map[string]mail.Message{
		"unknown template": {To: "a@example.test", Template: "no_such"},
		"path template":    {To: "a@example.test", Template: "../layout"},
		"layout":           {To: "a@example.test", Template: "layout"},
		"missing link":     {To: "a@example.test", Template: "admin_setup", Data: map[string]any{"Name": "Ana", "ExpiresAt": "x"}},
	} {
		if _, err := r.Render(m); !errors.Is(err, mail.ErrInvalidJob) {
			t.Errorf("%s: err = %v, want ErrInvalidJob", name, err)
		}
	}
}

func TestRenderSMS(t *testing.T) {
	r := mustRenderer(t)
	got, err := r.RenderSMS(mail.SMS{To: "+34600000000", Lang: "es", Template: "test_message"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Acme Certification: este es un mensaje de prueba. Si puede leerlo, el envío de SMS funciona."; got != want {
		t.Errorf("SMS = %q, want %q", got, want)
	}
	if _, err := r.RenderSMS(mail.SMS{To: "+34600000000", Template: "nope"}); !errors.Is(err, mail.ErrInvalidJob) {
		t.Errorf("unknown SMS template: err = %v", err)
	}
}

func TestNewRendererChecksItsArguments(t *testing.T) {
	c := mustCatalog(t)
	for _, tc := range []struct{ program, base string }{
		{"", testBaseURL},
		{"Acme", ""},
		{"Acme", "portal.example.test"},
		{"Acme", "ftp://portal.example.test"},
	} {
		if _, err := mail.NewRenderer(c, tc.program, tc.base); err == nil {
			t.Errorf("NewRenderer(%q, %q) succeeded", tc.program, tc.base)
		}
	}
}

// TestRenderResultsMailForEachCause: the result mail renders each cause in
// both languages; the official result's subject never carries the score,
// and the optional lines (retake date, voucher) show when given.
func TestRenderResultsMailForEachCause(t *testing.T) {
	r := mustRenderer(t)
	for _, lang := range []string{"en", "es"} {
		for _, cause := range []string{"preliminary", "official", "issued", "held", "corrected"} {
			data := map[string]any{"Name": "Ana", "Cause": cause, "Exam": "SAA-C03 Solutions Architect", "TakenAt": expiresAt.Format(time.RFC3339),
				"OfficialAt": "2026-12-01", "Passed": "no", "TimeZone": "America/New_York", "Link": testBaseURL + "/results/7", "Score": 812}
			if cause == "issued" {
				data["Certification"], data["ExpiresOn"], data["VoucherCode"], data["VoucherPercent"] = "Solutions Architect", "2029-11-24", "PASSABCDEF", 50.0
			}
			if cause == "official" {
				data["RetakeFrom"] = expiresAt.AddDate(0, 0, 14).Format(time.RFC3339)
			}
			got, err := r.Render(mail.Message{To: "a@example.test", Lang: lang, Template: "results", Data: data})
			if err != nil {
				t.Fatalf("%s/%s: %v", lang, cause, err)
			}
			for _, part := range []string{got.Subject, got.Text, got.HTML} {
				if strings.Contains(part, "[mail.") || strings.Contains(part, "<no value>") {
					t.Errorf("%s/%s: missing message in %q", lang, cause, part)
				}
			}
			if strings.Contains(got.Subject, "812") {
				t.Errorf("%s/%s: subject %q shows the score", lang, cause, got.Subject)
			}
			if cause == "issued" && (!strings.Contains(got.Text, "PASSABCDEF") || !strings.Contains(got.Text, "Solutions Architect")) {
				t.Errorf("%s/%s: text lacks the voucher or certification:\n%s", lang, cause, got.Text)
			}
			if cause == "official" && lang == "en" && !strings.Contains(got.Text, "retake for an exam starting from Dec 8, 2026") {
				t.Errorf("%s/%s: text lacks the retake date:\n%s", lang, cause, got.Text)
			}
		}
	}
	got, err := r.Render(mail.Message{To: "a@example.test", Lang: "en", Template: "results", Data: map[string]any{"Name": "Ana",
		"Cause": "preliminary", "Exam": "SAA-C03", "TakenAt": expiresAt.Format(time.RFC3339), "OfficialAt": "2026-12-01",
		"Passed": "yes", "TimeZone": "UTC", "Link": testBaseURL + "/results"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Text, "Outcome: Pass") || !strings.Contains(got.Text, "Official on: Dec 1, 2026") {
		t.Errorf("preliminary text lacks the provisional outcome or the official day:\n%s", got.Text)
	}
}

func TestRenderCredentialMailForEachChange(t *testing.T) {
	r := mustRenderer(t)
	want := map[string]map[string]string{
		"en": {"issued": "issued your credential", "revoked": "revoked your credential", "suspended": "suspended your credential", "reinstated": "lifted the suspension"},
		"es": {"issued": "ha emitido su credencial", "revoked": "ha revocado su credencial", "suspended": "ha suspendido su credencial", "reinstated": "ha levantado la suspensión"},
	}
	subjects := map[string]string{"en": "Your credential is ready – Solutions Architect", "es": "Su credencial está lista – Solutions Architect"}
	verify := testBaseURL + "/credentials/7KQ30M2X"
	reasons := map[string]string{"en": "Reason: Policy violation", "es": "Motivo: Incumplimiento de las normas"}
	for lang, byStatus := range want {
		for status, text := range byStatus {
			data := map[string]any{"Name": "Ana", "Status": status, "Certification": "Solutions Architect", "CredentialID": "7KQ3-0M2X",
				"VerifyURL": verify, "Link": testBaseURL + "/certifications"}
			if status == "revoked" {
				data["Reason"] = "policy_violation"
			}
			got, err := r.Render(mail.Message{To: "a@example.test", Lang: lang, Template: "credential", Data: data})
			if err != nil {
				t.Fatalf("%s/%s: %v", lang, status, err)
			}
			if !strings.Contains(got.Text, text) || !strings.Contains(got.Text, "Solutions Architect") || !strings.Contains(got.Text, "7KQ3-0M2X") {
				t.Errorf("%s/%s: text lacks %q, the certification or the ID:\n%s", lang, status, text, got.Text)
			}
			if (got.Subject == subjects[lang]) != (status == "issued") {
				t.Errorf("%s/%s: subject %q", lang, status, got.Subject)
			}
			if !strings.Contains(got.Text, verify) || !strings.Contains(got.HTML, `href="`+verify+`"`) {
				t.Errorf("%s/%s: no verification URL:\n%s", lang, status, got.Text)
			}
			if hasReason := strings.Contains(got.Text, reasons[lang]); hasReason != (status == "revoked") {
				t.Errorf("%s/%s: reason shown = %v:\n%s", lang, status, hasReason, got.Text)
			}
			for _, part := range []string{got.Subject, got.Text, got.HTML} {
				if strings.Contains(part, "[") || strings.Contains(part, "<no value>") {
					t.Errorf("%s/%s: missing message in %q", lang, status, part)
				}
			}
		}
	}
}
