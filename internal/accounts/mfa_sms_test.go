package accounts_test

import (
	"errors"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// MFA-04: only to a verified number, 6 CSPRNG digits, 10 minutes, bound to
// one flow, used once.
func TestSMSEnrolmentAndSignIn(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "es")

		_, err := f.svc.StartPhoneVerification(f.ctx, u.actor, u.session, "600 123 456", accounts.Proof{})
		var pe *portal.Error
		if portal.ErrorCode(err) != portal.EInvalid || !errors.As(err, &pe) || len(pe.Fields) != 1 || pe.Fields[0].Field != "phone" || pe.Fields[0].Message != "mfa.phone_invalid" {
			t.Fatalf("number without country code: %v", err)
		}
		masked, err := f.svc.StartPhoneVerification(f.ctx, u.actor, u.session, "+34 600-123 456", accounts.Proof{})
		if err != nil {
			t.Fatal(err)
		}
		if masked != "+34•••••••56" {
			t.Errorf("masked %q", masked)
		}
		sms := f.texts()
		if len(sms) != 1 || sms[0].To != "+34600123456" || sms[0].Template != "phone_verify" || sms[0].Lang != "es" || sms[0].Data["Count"] != "10" {
			t.Fatalf("SMS %+v", sms)
		}
		code := f.lastCode()
		if st := f.status(u.ID); st.SMS {
			t.Fatal("SMS on before the number was verified")
		}
		// Codes are stored hashed.
		if n := f.count(`SELECT COUNT(*) FROM sms_codes WHERE user_id = ? AND code_hash = ?`, u.ID, []byte(code)); n != 0 {
			t.Fatal("SMS code stored in clear")
		}

		// The code belongs to the session that asked for it.
		other, _ := f.newSession(u.ID, "active")
		_, err = f.svc.ConfirmPhone(f.ctx, u.actor, other, code)
		wantErr(t, err, accounts.ErrMFAInvalidCode)
		_, err = f.svc.ConfirmPhone(f.ctx, u.actor, u.session, wrongCode(code))
		pe = wantErr(t, err, accounts.ErrMFAInvalidCode)
		if pe.Data["Remaining"] != 4 {
			t.Errorf("remaining %v, want 4", pe.Data["Remaining"])
		}
		backup, err := f.svc.ConfirmPhone(f.ctx, u.actor, u.session, code)
		if err != nil {
			t.Fatal(err)
		}
		if len(backup) != 10 {
			t.Fatalf("%d backup codes with the first factor, want 10", len(backup))
		}
		st := f.status(u.ID)
		if !st.SMS || st.TOTP || st.PhoneMasked != "+34•••••••56" || st.BackupCodesLeft != 10 {
			t.Fatalf("status %+v", st)
		}
		if m := st.Methods(); len(m) != 2 || m[0] != accounts.MethodSMS || m[1] != accounts.MethodBackup {
			t.Errorf("methods %v", m)
		}

		// Sign-in: flow A's code does not work in flow B.
		a, b := f.flow(u), f.flow(u)
		if _, err := f.svc.SendSignInCode(f.ctx, a); err != nil {
			t.Fatal(err)
		}
		codeA := f.lastCode()
		if s := f.texts(); s[len(s)-1].Template != "signin_code" || s[len(s)-1].To != "+34600123456" {
			t.Fatalf("sign-in SMS %+v", s[len(s)-1])
		}
		if _, err := f.svc.SendSignInCode(f.ctx, b); err != nil {
			t.Fatal(err)
		}
		if f.lastCode() == codeA {
			t.Skip("one chance in a million: both flows drew the same code")
		}
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, b, accounts.MethodSMS, codeA), accounts.ErrMFAInvalidCode)
		if err := f.svc.VerifySecondFactor(f.ctx, u.ID, a, accounts.MethodSMS, codeA); err != nil {
			t.Fatalf("flow A's code in flow A: %v", err)
		}
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, a, accounts.MethodSMS, codeA), accounts.ErrMFAInvalidCode)

		// Valid for 10 minutes: at +9:59 yes, at +10:01 no.
		c := f.flow(u)
		if _, err := f.svc.SendSignInCode(f.ctx, c); err != nil {
			t.Fatal(err)
		}
		codeC := f.lastCode()
		d := f.flow(u)
		if _, err := f.svc.SendSignInCode(f.ctx, d); err != nil {
			t.Fatal(err)
		}
		codeD := f.lastCode()
		f.clock.Advance(10*time.Minute - time.Second)
		if err := f.svc.VerifySecondFactor(f.ctx, u.ID, d, accounts.MethodSMS, codeD); err != nil {
			t.Fatalf("at 9:59: %v", err)
		}
		f.clock.Advance(2 * time.Second)
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, c, accounts.MethodSMS, codeC), accounts.ErrMFACodeExpired)

		// A new code replaces the old one and does not reset the count.
		f.clock.Advance(time.Hour) // clear of the hourly cap on the number
		g := f.flow(u)
		if _, err := f.svc.SendSignInCode(f.ctx, g); err != nil {
			t.Fatal(err)
		}
		old := f.lastCode()
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, g, accounts.MethodSMS, wrongCode(old)), accounts.ErrMFAInvalidCode) // 2 (expired was 1)
		if _, err := f.svc.SendSignInCode(f.ctx, g); err != nil {
			t.Fatal(err)
		}
		fresh := f.lastCode()
		if fresh != old {
			wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, g, accounts.MethodSMS, old), accounts.ErrMFAInvalidCode) // 3
		} else {
			wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, g, accounts.MethodSMS, wrongCode(old)), accounts.ErrMFAInvalidCode)
		}
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, g, accounts.MethodSMS, wrongCode(fresh)), accounts.ErrMFAInvalidCode) // 4
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, g, accounts.MethodSMS, wrongCode(fresh)), accounts.ErrMFATooManyAttempts)
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, g, accounts.MethodSMS, fresh), accounts.ErrMFAFlowExpired)
		_, err = f.svc.SendSignInCode(f.ctx, g)
		wantErr(t, err, accounts.ErrMFAFlowExpired)
	})
}

func TestSMSCodeConcurrentUseSucceedsOnce(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "en")
		f.enableSMS(u, "+34600123456", accounts.Proof{})
		flow := f.flow(u)
		if _, err := f.svc.SendSignInCode(f.ctx, flow); err != nil {
			t.Fatal(err)
		}
		code := f.lastCode()
		if got := concurrently(t, 20, func(int) error {
			return f.svc.VerifySecondFactor(f.ctx, u.ID, flow, accounts.MethodSMS, code)
		}); got != 1 {
			t.Fatalf("%d concurrent uses of one SMS code succeeded, want exactly 1", got)
		}
	})
}

// MFA-04: per-number and per-account send caps.
func TestSMSSendCaps(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "en")
		f.enableSMS(u, "+34600123456", accounts.Proof{}) // send 1 to this number
		flow := f.flow(u)

		// 30 resends: the hourly cap per number lets 4 more through.
		sent := 0
		var last error
		for range 30 {
			if _, err := f.svc.SendSignInCode(f.ctx, flow); err != nil {
				last = err
				continue
			}
			sent++
		}
		if sent != accounts.SMSPerPhonePerHour-1 {
			t.Fatalf("%d sends got through, want %d", sent, accounts.SMSPerPhonePerHour-1)
		}
		pe := wantErr(t, last, accounts.ErrSMSRateLimited)
		if pe.Code != portal.ERateLimited || pe.Data["RetryAfter"] != 3600 {
			t.Fatalf("cap: %+v", pe)
		}
		if n := len(f.texts()); n != accounts.SMSPerPhonePerHour {
			t.Fatalf("%d SMS queued, want %d", n, accounts.SMSPerPhonePerHour)
		}

		// The cap is per number, whatever the account.
		v := f.newUser("bo@example.org", "en")
		_, err := f.svc.StartPhoneVerification(f.ctx, v.actor, v.session, "+34 600 123 456", accounts.Proof{})
		wantErr(t, err, accounts.ErrSMSRateLimited)
		if _, err := f.svc.StartPhoneVerification(f.ctx, v.actor, v.session, "+34 600 999 999", accounts.Proof{}); err != nil {
			t.Fatalf("another number: %v", err)
		}

		// The window slides: an hour later the number takes 5 more, but the
		// account has used its 10 a day.
		f.clock.Advance(time.Hour + time.Second)
		flow = f.flow(u)
		sent = 0
		for range 10 {
			if _, err := f.svc.SendSignInCode(f.ctx, flow); err != nil {
				last = err
				continue
			}
			sent++
		}
		if sent != accounts.SMSPerAccountPerDay-accounts.SMSPerPhonePerHour {
			t.Fatalf("%d sends in the second hour, want %d", sent, accounts.SMSPerAccountPerDay-accounts.SMSPerPhonePerHour)
		}
		pe = wantErr(t, last, accounts.ErrSMSRateLimited)
		if ra, _ := pe.Data["RetryAfter"].(int); ra < 22*3600 || ra > 23*3600 {
			t.Fatalf("account cap retry after %v s, want about 23 h", pe.Data["RetryAfter"])
		}
	})
}

// MFA-04: changing the number needs an existing factor; SMS can be turned
// off with proof.
func TestPhoneChangeNeedsAFactor(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "en")
		backup := f.enableSMS(u, "+34600123456", accounts.Proof{})

		_, err := f.svc.StartPhoneVerification(f.ctx, u.actor, u.session, "+34600999888", accounts.Proof{})
		pe := wantErr(t, err, accounts.ErrMFAProofRequired)
		if m, _ := pe.Data["Methods"].([]string); len(m) != 2 || m[0] != accounts.MethodSMS || m[1] != accounts.MethodBackup {
			t.Errorf("methods %v", pe.Data["Methods"])
		}
		texts := len(f.texts())
		_, err = f.svc.StartPhoneVerification(f.ctx, u.actor, u.session, "+34600999888", accounts.Proof{Method: accounts.MethodSMS, Code: "123456"})
		wantErr(t, err, accounts.ErrMFAInvalidCode)
		if len(f.texts()) != texts {
			t.Fatal("an SMS went to the new number without proof")
		}
		wantErr(t, f.svc.DisableSMS(f.ctx, u.actor, u.session, accounts.Proof{Method: accounts.MethodTOTP, Code: "123456"}), accounts.ErrMFAMethodUnavailable)

		// Proof by a code sent to the current number, for this session.
		masked, err := f.svc.SendConfirmCode(f.ctx, u.actor, u.session)
		if err != nil || masked != "+34•••••••56" {
			t.Fatalf("confirm code: %q, %v", masked, err)
		}
		confirm := f.lastCode()
		if s := f.texts(); s[len(s)-1].Template != "confirm_code" || s[len(s)-1].To != "+34600123456" {
			t.Fatalf("confirm SMS %+v", s[len(s)-1])
		}
		other, _ := f.newSession(u.ID, "active")
		_, err = f.svc.StartPhoneVerification(f.ctx, u.actor, other, "+34600999888", accounts.Proof{Method: accounts.MethodSMS, Code: confirm})
		wantErr(t, err, accounts.ErrMFAInvalidCode)
		if _, err := f.svc.StartPhoneVerification(f.ctx, u.actor, u.session, "+34600999888", accounts.Proof{Method: accounts.MethodSMS, Code: confirm}); err != nil {
			t.Fatal(err)
		}
		if s := f.texts(); s[len(s)-1].To != "+34600999888" {
			t.Fatalf("verification went to %s", s[len(s)-1].To)
		}
		codes, err := f.svc.ConfirmPhone(f.ctx, u.actor, u.session, f.lastCode())
		if err != nil {
			t.Fatal(err)
		}
		if codes != nil {
			t.Error("a number change replaced the backup codes")
		}
		if st := f.status(u.ID); st.PhoneMasked != "+34•••••••88" || st.BackupCodesLeft != 10 {
			t.Fatalf("status %+v", st)
		}
		if got := f.mails(); got[len(got)-1].Template != "security_mfa_enabled" || got[len(got)-1].Data["Method"] != accounts.MethodSMS {
			t.Errorf("mail %+v", got[len(got)-1])
		}

		// Off with a backup code; the last factor takes the backup codes
		// with it.
		if err := f.svc.DisableSMS(f.ctx, u.actor, u.session, accounts.Proof{Method: accounts.MethodBackup, Code: backup[0]}); err != nil {
			t.Fatal(err)
		}
		if st := f.status(u.ID); st.Enabled() || st.PhoneMasked != "" || st.BackupCodesLeft != 0 {
			t.Fatalf("status %+v", st)
		}
		_, err = f.svc.SendConfirmCode(f.ctx, u.actor, u.session)
		wantErr(t, err, accounts.ErrMFAMethodUnavailable)
		// Without a factor, a number needs no proof.
		if _, err := f.svc.StartPhoneVerification(f.ctx, u.actor, u.session, "+34600999888", accounts.Proof{}); err != nil {
			t.Fatal(err)
		}
	})
}

// Adding TOTP to an account with SMS needs proof too.
func TestAddingTOTPToSMSNeedsProof(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "en")
		backup := f.enableSMS(u, "+34600123456", accounts.Proof{})
		_, err := f.svc.BeginTOTP(f.ctx, u.actor, u.session, accounts.Proof{})
		wantErr(t, err, accounts.ErrMFAProofRequired)
		e, err := f.svc.BeginTOTP(f.ctx, u.actor, u.session, accounts.Proof{Method: accounts.MethodBackup, Code: backup[0]})
		if err != nil {
			t.Fatal(err)
		}
		codes, err := f.svc.ConfirmTOTP(f.ctx, u.actor, u.session, totpAt(t, e.Secret, f.clock.Now()))
		if err != nil || codes != nil {
			t.Fatalf("second factor: codes %v, %v; want the existing set kept", codes, err)
		}
		if st := f.status(u.ID); !st.TOTP || !st.SMS || st.BackupCodesLeft != 9 {
			t.Fatalf("status %+v", st)
		}
		if m := f.status(u.ID).Methods(); len(m) != 3 || m[0] != accounts.MethodTOTP {
			t.Errorf("methods %v", m)
		}
		// Removing one of two factors keeps the backup codes.
		f.clock.Advance(30 * time.Second)
		if err := f.svc.DisableTOTP(f.ctx, u.actor, u.session, accounts.Proof{Method: accounts.MethodTOTP, Code: totpAt(t, e.Secret, f.clock.Now())}); err != nil {
			t.Fatal(err)
		}
		if st := f.status(u.ID); st.TOTP || !st.SMS || st.BackupCodesLeft != 9 {
			t.Fatalf("status %+v", st)
		}
	})
}

// wrongCode is a 6-digit code that differs from code.
func wrongCode(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}
