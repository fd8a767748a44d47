package accounts_test

import (
	"strconv"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// MFA-03: a flow dies after 5 wrong codes; the count is per account across
// flows and is reset only by a correct code; every 10 lock code entry.
func TestWrongCodesEndTheFlowAndLock(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "en")
		secret, _ := f.enableTOTP(u)
		f.clock.Advance(time.Minute)
		wrong := func(flow int64) error {
			return f.svc.VerifySecondFactor(f.ctx, u.ID, flow, accounts.MethodTOTP, "000000")
		}

		// Flow A: 5 wrong codes end it.
		a := f.flow(u)
		for i := 1; i <= 4; i++ {
			pe := wantErr(t, wrong(a), accounts.ErrMFAInvalidCode)
			if pe.Data["Remaining"] != 5-i {
				t.Fatalf("try %d: remaining %v", i, pe.Data["Remaining"])
			}
		}
		wantErr(t, wrong(a), accounts.ErrMFATooManyAttempts)
		if f.sessionExists(a) {
			t.Fatal("the flow's pending session survived")
		}
		// Even the right code is refused in the dead flow.
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, a, accounts.MethodTOTP, totpAt(t, secret, f.clock.Now())), accounts.ErrMFAFlowExpired)

		// A new sign-in does not reset the count: 5 more lock code entry.
		b := f.flow(u)
		for range 4 {
			wantErr(t, wrong(b), accounts.ErrMFAInvalidCode)
		}
		mails := len(f.mails())
		pe := wantErr(t, wrong(b), accounts.ErrMFALocked)
		if pe.Code != portal.ERateLimited || pe.Data["RetryAfter"] != 15*60 {
			t.Fatalf("lock: %+v", pe)
		}
		if f.sessionExists(b) {
			t.Fatal("the locked flow's session survived")
		}
		if got := f.mails(); len(got) != mails+1 || got[len(got)-1].Template != "security_mfa_locked" {
			t.Fatalf("lock notice: %+v", got[mails:])
		}
		st := f.status(u.ID)
		if st.LockedUntil == nil || !st.LockedUntil.Equal(f.clock.Now().Add(15*time.Minute)) {
			t.Fatalf("status %+v", st)
		}

		// While locked even the right code is refused, without counting.
		c := f.flow(u)
		f.clock.Advance(14 * time.Minute)
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, c, accounts.MethodTOTP, totpAt(t, secret, f.clock.Now())), accounts.ErrMFALocked)

		// After the lock, 10 more wrong codes (two flows) lock twice as long.
		f.clock.Advance(time.Minute)
		for range 2 {
			g := f.flow(u)
			for range 4 {
				wantErr(t, wrong(g), accounts.ErrMFAInvalidCode)
			}
			last := wrong(g)
			if portal.ErrorCode(last) != portal.EUnauthorized && portal.ErrorCode(last) != portal.ERateLimited {
				t.Fatalf("fifth wrong code: %v", last)
			}
		}
		st = f.status(u.ID)
		if st.LockedUntil == nil || !st.LockedUntil.Equal(f.clock.Now().Add(30*time.Minute)) {
			t.Fatalf("second lock: %+v, want 30 minutes", st)
		}

		f.clock.Advance(30 * time.Minute)
		if err := f.svc.VerifySecondFactor(f.ctx, u.ID, c, accounts.MethodTOTP, totpAt(t, secret, f.clock.Now())); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
		if st := f.status(u.ID); st.LockedUntil != nil {
			t.Fatal("success left the lock")
		}

		// The count restarted at the success: 3 wrong in one flow leave 2
		// for the next.
		d := f.flow(u)
		for range 3 {
			wantErr(t, wrong(d), accounts.ErrMFAInvalidCode)
		}
		e := f.flow(u)
		pe = wantErr(t, wrong(e), accounts.ErrMFAInvalidCode)
		if pe.Data["Remaining"] != 1 {
			t.Fatalf("remaining %v, want 1", pe.Data["Remaining"])
		}
		wantErr(t, wrong(e), accounts.ErrMFATooManyAttempts)
	})
}

func TestVerifySecondFactorChecksTheFlow(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "en")
		v := f.newUser("bo@example.org", "en")
		secret, codes := f.enableTOTP(u)
		f.clock.Advance(time.Minute)
		code := totpAt(t, secret, f.clock.Now())

		// Another user's flow, an active session, an unknown session.
		for name, id := range map[string]int64{"other user": f.flow(v), "active session": u.session, "unknown": 1 << 40} {
			err := f.svc.VerifySecondFactor(f.ctx, u.ID, id, accounts.MethodTOTP, code)
			if portal.ErrorCode(err) != portal.EUnauthorized || err.Error() != accounts.ErrMFAFlowExpired.Error() {
				t.Errorf("%s: err = %v", name, err)
			}
		}
		// A flow idle longer than the session idle time is over.
		idle := f.flow(u)
		f.clock.Advance(time.Hour)
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, idle, accounts.MethodTOTP, totpAt(t, secret, f.clock.Now())), accounts.ErrMFAFlowExpired)
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), "email", "x"), accounts.ErrMFAMethodUnavailable)
		// An empty code is a form error and does not count.
		if err := f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), accounts.MethodTOTP, " "); portal.ErrorCode(err) != portal.EInvalid {
			t.Errorf("empty code: %v", err)
		}
		if n := f.count(`SELECT failed_attempts FROM user_mfa WHERE user_id = ?`, u.ID); n != 0 {
			t.Errorf("failed attempts %d after an empty code", n)
		}
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), accounts.MethodSMS, "123456"), accounts.ErrMFAMethodUnavailable)
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, v.ID, f.flow(v), accounts.MethodTOTP, code), accounts.ErrMFAMethodUnavailable)

		// Without a session (the caller keeps the flow, e.g. a reset link):
		// TOTP and backup codes work, SMS does not, the limits still apply.
		if err := f.svc.VerifySecondFactor(f.ctx, u.ID, 0, accounts.MethodBackup, codes[0]); err != nil {
			t.Fatalf("backup code without a session: %v", err)
		}
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, 0, accounts.MethodSMS, "123456"), accounts.ErrMFAMethodUnavailable)
		for range 4 {
			wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, 0, accounts.MethodTOTP, "000000"), accounts.ErrMFAInvalidCode)
		}
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, 0, accounts.MethodTOTP, "000000"), accounts.ErrMFATooManyAttempts)
		// Audit: one event per wrong code.
		if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'mfa.code_rejected' AND subject = ?`, "user:"+strconv.FormatInt(u.ID, 10)); n != 5 {
			t.Errorf("%d rejected-code events, want 5", n)
		}
	})
}

// Each MFA change leaves exactly the session that made it alive (AUTH-12),
// writes one audit event and queues one notice to the owner in their
// language (AUTH-13).
func TestMFAChangesSignOutOtherSessionsAndNotify(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "es")
		var secret string
		steps := []struct {
			name, template, action string
			change                 func() error
		}{
			{"enable TOTP", "security_mfa_enabled", "mfa.totp_enabled", func() error {
				e, err := f.svc.BeginTOTP(f.ctx, u.actor, u.session, accounts.Proof{})
				if err != nil {
					return err
				}
				secret = e.Secret
				_, err = f.svc.ConfirmTOTP(f.ctx, u.actor, u.session, totpAt(t, secret, f.clock.Now()))
				return err
			}},
			{"regenerate backup codes", "security_backup_codes", "mfa.backup_codes_regenerated", func() error {
				_, err := f.svc.RegenerateBackupCodes(f.ctx, u.actor, u.session)
				return err
			}},
			{"enable SMS", "security_mfa_enabled", "mfa.sms_enabled", func() error {
				proof := accounts.Proof{Method: accounts.MethodTOTP, Code: totpAt(t, secret, f.clock.Now())}
				if _, err := f.svc.StartPhoneVerification(f.ctx, u.actor, u.session, "+34600123456", proof); err != nil {
					return err
				}
				_, err := f.svc.ConfirmPhone(f.ctx, u.actor, u.session, f.lastCode())
				return err
			}},
			{"disable SMS", "security_mfa_disabled", "mfa.sms_disabled", func() error {
				return f.svc.DisableSMS(f.ctx, u.actor, u.session, accounts.Proof{Method: accounts.MethodTOTP, Code: totpAt(t, secret, f.clock.Now())})
			}},
			{"disable TOTP", "security_mfa_disabled", "mfa.totp_disabled", func() error {
				return f.svc.DisableTOTP(f.ctx, u.actor, u.session, accounts.Proof{Method: accounts.MethodTOTP, Code: totpAt(t, secret, f.clock.Now())})
			}},
		}
		for _, step := range steps {
			f.clock.Advance(30 * time.Second) // a fresh TOTP step for each proof
			other1, _ := f.newSession(u.ID, portal.SessionActive)
			other2, _ := f.newSession(u.ID, portal.SessionMFAPending)
			mails := len(f.mails())
			audits := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = ?`, step.action)
			if err := step.change(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			if got := f.sessionIDs(u.ID); len(got) != 1 || got[0] != u.session {
				t.Errorf("%s: sessions %v, want only %d (others were %d, %d)", step.name, got, u.session, other1, other2)
			}
			got := f.mails()[mails:]
			if len(got) != 1 {
				t.Fatalf("%s: %d mails, want 1", step.name, len(got))
			}
			m := got[0]
			if m.Template != step.template || m.To != "ana@example.org" || m.Lang != "es" || m.Data["Link"] != "http://portal.test/password/forgot" || m.Data["IP"] != "198.51.100.7" {
				t.Errorf("%s: mail %+v", step.name, m)
			}
			if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = ?`, step.action); n != audits+1 {
				t.Errorf("%s: %d audit events %s, want 1", step.name, n-audits, step.action)
			}
		}
	})
}
