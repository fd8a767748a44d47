package accounts_test

import (
	"bytes"
	"encoding/base32"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/testutil"
)

// MFA-01: enrolment is active only after a valid code; the secret is
// sealed at rest and never shown again.
func TestTOTPEnrolment(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "en")

		e, err := f.svc.BeginTOTP(f.ctx, u.actor, u.session, accounts.Proof{})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(e.Secret)
		if err != nil || len(raw) < 20 {
			t.Fatalf("secret %q: %d bytes, %v; want ≥ 160 bits", e.Secret, len(raw), err)
		}
		link, err := url.Parse(e.URL)
		if err != nil || link.Scheme != "otpauth" || link.Host != "totp" {
			t.Fatalf("URL %q", e.URL)
		}
		q := link.Query()
		if q.Get("secret") != e.Secret || q.Get("issuer") != "Acme Cloud" || q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
			t.Errorf("URL parameters %v", q)
		}
		if !strings.Contains(link.Path, "Acme Cloud:ana@example.org") {
			t.Errorf("URL path %q lacks issuer:account", link.Path)
		}
		img, err := png.Decode(bytes.NewReader(e.QRCode))
		if err != nil || img.Bounds().Dx() != 256 {
			t.Fatalf("QR code: %v", err)
		}
		if !strings.HasPrefix(e.QRDataURL(), "data:image/png;base64,") || strings.ReplaceAll(e.ManualKey(), " ", "") != e.Secret {
			t.Errorf("QR data URL or manual key malformed: %q", e.ManualKey())
		}
		if !e.ExpiresAt.Equal(mfaStart.Add(15 * time.Minute)) {
			t.Errorf("expires at %v", e.ExpiresAt)
		}

		// Skipping the confirm step leaves MFA off.
		if st := f.status(u.ID); st.Enabled() || !st.TOTPPending {
			t.Fatalf("after begin: %+v", st)
		}
		err = f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), accounts.MethodTOTP, totpAt(t, e.Secret, f.clock.Now()))
		wantErr(t, err, accounts.ErrMFAMethodUnavailable)

		// The database holds the secret sealed, never as base32 or raw bytes.
		var pending []byte
		if err := f.st.DB().QueryRowContext(f.ctx, f.query(`SELECT totp_pending FROM user_mfa WHERE user_id = ?`), u.ID).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		assertSealed(t, pending, e.Secret, raw)

		// Reopening makes a new secret; the old one no longer confirms.
		e2, err := f.svc.BeginTOTP(f.ctx, u.actor, u.session, accounts.Proof{})
		if err != nil {
			t.Fatal(err)
		}
		if e2.Secret == e.Secret {
			t.Fatal("reopening kept the secret")
		}
		_, err = f.svc.ConfirmTOTP(f.ctx, u.actor, u.session, totpAt(t, e.Secret, f.clock.Now()))
		wantErr(t, err, accounts.ErrMFAInvalidCode)
		_, err = f.svc.ConfirmTOTP(f.ctx, u.actor, u.session, "12345")
		wantErr(t, err, accounts.ErrMFAInvalidCode)
		if f.status(u.ID).Enabled() {
			t.Fatal("a wrong code enabled TOTP")
		}

		codes, err := f.svc.ConfirmTOTP(f.ctx, u.actor, u.session, totpAt(t, e2.Secret, f.clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != 10 {
			t.Fatalf("%d backup codes, want 10", len(codes))
		}
		seen := map[string]bool{}
		for _, c := range codes {
			if len(c) != 11 || c[5] != '-' || seen[c] {
				t.Errorf("backup code %q malformed or repeated", c)
			}
			seen[c] = true
		}
		if st := f.status(u.ID); !st.TOTP || st.SMS || st.BackupCodesLeft != 10 || st.TOTPPending {
			t.Fatalf("after confirm: %+v", st)
		}
		var secret []byte
		if err := f.st.DB().QueryRowContext(f.ctx, f.query(`SELECT totp_secret FROM user_mfa WHERE user_id = ?`), u.ID).Scan(&secret); err != nil {
			t.Fatal(err)
		}
		raw2, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(e2.Secret)
		assertSealed(t, secret, e2.Secret, raw2)

		// An active secret is never shown again: enrolling anew is refused.
		_, err = f.svc.BeginTOTP(f.ctx, u.actor, u.session, accounts.Proof{})
		wantErr(t, err, accounts.ErrMFATOTPEnabled)

		// The confirming code's time step is used up.
		err = f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), accounts.MethodTOTP, totpAt(t, e2.Secret, f.clock.Now()))
		wantErr(t, err, accounts.ErrMFAInvalidCode)
	})
}

func assertSealed(t *testing.T, stored []byte, b32 string, raw []byte) {
	t.Helper()
	if len(stored) != 1+12+len(raw)+16 || stored[0] != 1 {
		t.Errorf("stored secret is %d bytes, version %d; want version 1 + nonce + ciphertext + tag", len(stored), stored[0])
	}
	if bytes.Contains(stored, []byte(b32)) || bytes.Contains(bytes.ToLower(stored), []byte(strings.ToLower(b32))) || bytes.Contains(stored, raw) {
		t.Error("the stored secret contains the plaintext")
	}
}

func TestTOTPEnrolmentExpires(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "en")
		e, err := f.svc.BeginTOTP(f.ctx, u.actor, u.session, accounts.Proof{})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(15*time.Minute + time.Second)
		_, err = f.svc.ConfirmTOTP(f.ctx, u.actor, u.session, totpAt(t, e.Secret, f.clock.Now()))
		wantErr(t, err, accounts.ErrMFAEnrolmentExpired)
		if st := f.status(u.ID); st.Enabled() || st.TOTPPending {
			t.Fatalf("status %+v", st)
		}
	})
}

// MFA-02: ±1 step, each step once, the server's clock only.
func TestTOTPWindowAndReplay(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "en")
		secret, _ := f.enableTOTP(u)
		verify := func(at time.Time) error {
			return f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), accounts.MethodTOTP, totpAt(t, secret, at))
		}

		f.clock.Advance(2 * time.Minute)
		now := f.clock.Now()
		if err := verify(now); err != nil {
			t.Fatalf("current code: %v", err)
		}
		// Sequential replay, in a new flow.
		wantErr(t, verify(now), accounts.ErrMFAInvalidCode)

		f.clock.Advance(90 * time.Second) // three steps on
		now = f.clock.Now()
		wantErr(t, verify(now.Add(-60*time.Second)), accounts.ErrMFAInvalidCode) // two steps old
		wantErr(t, verify(now.Add(60*time.Second)), accounts.ErrMFAInvalidCode)  // two steps ahead
		if err := verify(now.Add(-30 * time.Second)); err != nil {
			t.Fatalf("code one step old: %v", err)
		}
		if err := verify(now.Add(30 * time.Second)); err != nil {
			t.Fatalf("code one step ahead: %v", err)
		}
		// Once a later step was accepted, an earlier one is a replay too.
		wantErr(t, verify(now), accounts.ErrMFAInvalidCode)

		f.clock.Advance(90 * time.Second)
		err := f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), accounts.MethodTOTP, " "+totpAt(t, secret, f.clock.Now())[:3]+" "+totpAt(t, secret, f.clock.Now())[3:])
		if err != nil {
			t.Fatalf("code typed with spaces: %v", err)
		}
	})
}

// MFA-02: two flows at the password-OK stage, 20 goroutines, one code:
// exactly one success.
func TestTOTPConcurrentReplaySucceedsOnce(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "en")
		secret, _ := f.enableTOTP(u)
		f.clock.Advance(30 * time.Second)
		flows := []int64{f.flow(u), f.flow(u)}
		code := totpAt(t, secret, f.clock.Now())
		got := concurrently(t, 20, func(i int) error {
			return f.svc.VerifySecondFactor(f.ctx, u.ID, flows[i%2], accounts.MethodTOTP, code)
		})
		if got != 1 {
			t.Fatalf("%d concurrent uses of one code succeeded, want exactly 1", got)
		}
	})
}

func TestDisableTOTPNeedsAFactor(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "en")
		err := f.svc.DisableTOTP(f.ctx, u.actor, u.session, accounts.Proof{})
		wantErr(t, err, accounts.ErrMFANotEnabled)
		secret, codes := f.enableTOTP(u)

		pe := wantErr(t, f.svc.DisableTOTP(f.ctx, u.actor, u.session, accounts.Proof{}), accounts.ErrMFAProofRequired)
		if m, _ := pe.Data["Methods"].([]string); strings.Join(m, ",") != "totp,backup" {
			t.Errorf("methods %v", pe.Data["Methods"])
		}
		wantErr(t, f.svc.DisableTOTP(f.ctx, u.actor, u.session, accounts.Proof{Method: accounts.MethodSMS, Code: "123456"}), accounts.ErrMFAMethodUnavailable)
		pe = wantErr(t, f.svc.DisableTOTP(f.ctx, u.actor, u.session, accounts.Proof{Method: accounts.MethodTOTP, Code: "000000"}), accounts.ErrMFAInvalidCode)
		if pe.Data["Remaining"] != 9 {
			t.Errorf("remaining %v, want 9 before the lock", pe.Data["Remaining"])
		}
		if !f.status(u.ID).TOTP {
			t.Fatal("a wrong code disabled TOTP")
		}
		f.clock.Advance(30 * time.Second)
		if err := f.svc.DisableTOTP(f.ctx, u.actor, u.session, accounts.Proof{Method: accounts.MethodTOTP, Code: totpAt(t, secret, f.clock.Now())}); err != nil {
			t.Fatal(err)
		}
		st := f.status(u.ID)
		if st.Enabled() || st.BackupCodesLeft != 0 {
			t.Fatalf("after disable: %+v", st)
		}
		if n := f.count(`SELECT COUNT(*) FROM backup_codes WHERE user_id = ?`, u.ID); n != 0 {
			t.Errorf("%d backup codes survive the last factor", n)
		}
		// The old codes no longer sign in, and the secret is gone.
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), accounts.MethodBackup, codes[0]), accounts.ErrMFAMethodUnavailable)
		if n := f.count(`SELECT COUNT(*) FROM user_mfa WHERE user_id = ? AND totp_secret IS NULL AND totp_pending IS NULL`, u.ID); n != 1 {
			t.Error("the secret survived")
		}
		// Enrolling again works and yields a new secret.
		secret2, _ := f.enableTOTP(u)
		if secret2 == secret {
			t.Error("re-enrolment reused the secret")
		}
	})
}
