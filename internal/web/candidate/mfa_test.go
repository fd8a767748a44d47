package candidate

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// TestMFAMessagesExist: the message IDs mfa.go names (which the catalog
// test does not scan) exist in English and Spanish (notices:
// TestEveryNoticeRenders), and so does every message of the MFA templates and
// the Security tab.
func TestMFAMessagesExist(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	es := map[string]bool{}
	for _, id := range cat.MessageIDs("es") {
		es[id] = true
	}
	want := map[string]bool{}
	src, err := os.ReadFile("mfa.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`"(mfa\.[a-z0-9_.]+)"`).FindAllStringSubmatch(string(src), -1) {
		want[m[1]] = true
	}
	files, _ := filepath.Glob("templates/mfa_*.html")
	files = append(files, "templates/security.html")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`\.Tr "([a-z0-9_.]+)"`).FindAllStringSubmatch(string(b), -1) {
			want[m[1]] = true
		}
	}
	for id := range want {
		if strings.HasSuffix(id, "_") {
			continue // a prefix, completed in code
		}
		if !cat.Has(id) {
			t.Errorf("message %q is not in the English catalog", id)
		}
		if !es[id] {
			t.Errorf("message %q is not in the Spanish catalog", id)
		}
	}
}

// TestTOTPPageKeepsTheQRCode: the QR code's data: URL reaches the page
// (html/template replaces an untyped one with #ZgotmplZ), and the key is
// shown grouped.
func TestTOTPPageKeepsTheQRCode(t *testing.T) {
	s := newTestServer(t)
	r := httptest.NewRequest("GET", "/profile/security/totp", nil)
	w := httptest.NewRecorder()
	p := &mfaTOTPPage{Form: web.NewForm(), Enrolment: &accounts.TOTPEnrolment{
		Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", QRCode: []byte("\x89PNG\r\n\x1a\n"), ExpiresAt: time.Now(),
	}}
	s.FillBase(r, &p.BasePage, "mfa.totp_title")
	if err := s.Render(w, r, 200, "mfa_totp", p); err != nil {
		t.Fatal(err)
	}
	out := w.Body.String()
	for _, want := range []string{`src="data:image/png;base64,iVBORw0KGgo="`, `<code class="manual-key" id="manual-key">JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP</code>`} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(out, "ZgotmplZ") {
		t.Error("html/template dropped the QR code")
	}

	// After a wrong code the same page shows neither the key nor the
	// image again.
	w = httptest.NewRecorder()
	p = &mfaTOTPPage{Form: web.NewForm()}
	s.FillBase(r, &p.BasePage, "mfa.totp_title")
	if err := s.Render(w, r, 401, "mfa_totp", p); err != nil {
		t.Fatal(err)
	}
	if out := w.Body.String(); strings.Contains(out, "manual-key") || strings.Contains(out, "<img") {
		t.Error("the key or QR code shows without an enrolment")
	}
}

// TestApplyMFAErrorPlacesErrors: each error of the MFA service lands next
// to its field, a wrong code with the tries left; rate limits and locks go
// to the error page.
func TestApplyMFAErrorPlacesErrors(t *testing.T) {
	s := newTestServer(t)
	r := httptest.NewRequest("POST", "/profile/security/totp/disable", nil)
	for _, tc := range []struct {
		name  string
		err   error
		field string
		want  string
	}{
		{"wrong code", &portal.Error{Code: portal.EUnauthorized, Message: "mfa.invalid_code", Data: map[string]any{"Remaining": 3}},
			"code", "That code did not work. Check it and try again. 3 attempts left."},
		{"wrong code, one try left", &portal.Error{Code: portal.EUnauthorized, Message: "mfa.invalid_code", Data: map[string]any{"Remaining": 1}},
			"code", "That code did not work. Check it and try again. 1 attempt left."},
		{"wrong code, no tries left", &portal.Error{Code: portal.EUnauthorized, Message: "mfa.invalid_code", Data: map[string]any{"Remaining": 0}},
			"code", "That code did not work. Check it and try again. This code no longer works: ask for a new one."},
		{"used backup code", accounts.ErrMFACodeUsed, "code", "already been used"},
		{"no code", &portal.Error{Code: portal.EForbidden, Message: "mfa.proof_required", Data: map[string]any{"Methods": []string{"totp"}}},
			"code", "To make this change"},
		{"method off", accounts.ErrMFAMethodUnavailable, "method", "not set up"},
		{"bad number", &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid", Fields: []portal.FieldError{{Field: "phone", Message: "mfa.phone_invalid"}}},
			"phone", "international format"},
		{"set-up too slow", accounts.ErrMFAEnrolmentExpired, "code", "took too long"},
		{"locked", &portal.Error{Code: portal.ERateLimited, Message: "mfa.locked", Data: map[string]any{"RetryAfter": 60}}, "", ""},
		{"texts capped", accounts.ErrSMSRateLimited, "", ""},
		{"other forbidden", portal.ErrForbidden, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b web.BasePage
			s.FillBase(r, &b, "mfa.totp_title")
			f := web.NewForm()
			ok := s.applyMFAError(&b, f, tc.err)
			if ok != (tc.field != "") {
				t.Fatalf("applyMFAError = %v", ok)
			}
			if !ok {
				return
			}
			if got := f.Error(tc.field); !strings.Contains(got, tc.want) {
				t.Errorf("error on %s = %q, want %q", tc.field, got, tc.want)
			}
			if len(b.Errors) != 1 || b.Errors[0].Field != tc.field {
				t.Errorf("summary = %+v", b.Errors)
			}
		})
	}
}
