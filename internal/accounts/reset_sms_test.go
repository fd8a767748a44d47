package accounts_test

import (
	"regexp"
	"testing"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestResetWithATextMessageCode: an account whose only factor is SMS resets
// its password with the emailed link plus a texted code bound to the reset's
// own flow; the link alone or a code of another flow is not enough
// (SECURITY.md AUTH-11).
func TestResetWithATextMessageCode(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("sms-reset@example.org", "en")
		f.enableSMS(u, "+34600123456", accounts.Proof{})
		if err := f.svc.RequestPasswordReset(f.ctx, accounts.RequestMeta{IP: "198.51.100.7"}, u.Email); err != nil {
			t.Fatal(err)
		}
		token := ""
		for _, m := range f.mails() {
			if m.Template == "account_password_reset" {
				token = regexp.MustCompile(`/password/reset/(\S+)$`).FindStringSubmatch(m.Data["Link"].(string))[1]
			}
		}
		if token == "" {
			t.Fatal("no reset mail")
		}
		req := accounts.ResetRequest{Token: token, Password: "Granite-Lantern-77", Confirm: "Granite-Lantern-77"}
		if err := f.svc.ResetPassword(f.ctx, accounts.RequestMeta{}, req); portal.ErrorCode(err) != portal.EInvalid {
			t.Fatalf("link alone: err = %v, want a field error asking for a code", err)
		}
		other := f.flow(u) // a sign-in flow of the same account
		if _, err := f.svc.SendSignInCode(f.ctx, other); err != nil {
			t.Fatal(err)
		}
		otherCode := f.lastCode()
		flow, masked, err := f.svc.SendResetCode(f.ctx, accounts.RequestMeta{}, token)
		if err != nil || masked == "" {
			t.Fatalf("send reset code: %v", err)
		}
		req.Method, req.FlowID, req.Code = accounts.MethodSMS, flow, otherCode
		if err := f.svc.ResetPassword(f.ctx, accounts.RequestMeta{}, req); err == nil {
			t.Fatal("another flow's code reset the password")
		}
		req.Code = f.lastCode()
		if err := f.svc.ResetPassword(f.ctx, accounts.RequestMeta{}, req); err != nil {
			t.Fatalf("reset with the texted code: %v", err)
		}
		if ids := f.sessionIDs(u.ID); len(ids) != 0 {
			t.Fatalf("sessions left after the reset: %v", ids)
		}
		if n := len(f.texts()); n != 3 {
			t.Fatalf("%d texts, want the verification, the sign-in and the reset codes", n)
		}
	})
}
