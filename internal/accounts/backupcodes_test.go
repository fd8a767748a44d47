package accounts_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/testutil"
)

// MFA-05: single use, hashed, regeneration invalidates the old set.
func TestBackupCodes(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "es")
		_, codes := f.enableTOTP(u)

		// The database holds neither the codes nor unsalted hashes.
		rows, err := f.st.DB().QueryContext(f.ctx, f.query(`SELECT salt, code_hash FROM backup_codes WHERE user_id = ?`), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var salt, hash []byte
			if err := rows.Scan(&salt, &hash); err != nil {
				t.Fatal(err)
			}
			n++
			for _, c := range codes {
				plain := strings.ReplaceAll(c, "-", "")
				if bytes.Contains(hash, []byte(plain)) || bytes.Contains(salt, []byte(plain)) {
					t.Error("a backup code is stored in clear")
				}
			}
			if len(salt) != 16 || len(hash) != 32 {
				t.Errorf("salt %d bytes, hash %d bytes", len(salt), len(hash))
			}
		}
		rows.Close()
		if n != 10 {
			t.Fatalf("%d stored codes, want 10", n)
		}

		mails := len(f.mails())
		if err := f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), accounts.MethodBackup, codes[0]); err != nil {
			t.Fatalf("first use: %v", err)
		}
		// A notice goes to the owner, with the count left.
		got := f.mails()
		if len(got) != mails+1 || got[len(got)-1].Template != "security_backup_code_used" || got[len(got)-1].Data["Left"] != "9" || got[len(got)-1].Lang != "es" {
			t.Fatalf("mails after a backup code: %+v", got[mails:])
		}
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), accounts.MethodBackup, codes[0]), accounts.ErrMFACodeUsed)

		// Typing is forgiving: case, spaces, no dash, O for 0.
		typed := strings.ToUpper(strings.ReplaceAll(codes[1], "-", " "))
		typed = strings.ReplaceAll(typed, "0", "O")
		if err := f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), accounts.MethodBackup, typed); err != nil {
			t.Fatalf("typed %q: %v", typed, err)
		}
		if left, err := f.svc.BackupCodesLeft(f.ctx, u.actor); err != nil || left != 8 {
			t.Fatalf("left = %d, %v; want 8", left, err)
		}

		// Code #3 from two flows at once: exactly one success.
		flows := []int64{f.flow(u), f.flow(u)}
		if got := concurrently(t, 20, func(i int) error {
			return f.svc.VerifySecondFactor(f.ctx, u.ID, flows[i%2], accounts.MethodBackup, codes[2])
		}); got != 1 {
			t.Fatalf("%d concurrent uses of one backup code succeeded, want exactly 1", got)
		}
		// The losers counted as wrong codes and may have locked code entry;
		// a day later a correct code works and clears the count.
		f.clock.Advance(24 * time.Hour)
		if err := f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), accounts.MethodBackup, codes[4]); err != nil {
			t.Fatalf("after the race: %v", err)
		}

		// Regenerating needs a recent sign-in, and invalidates every old
		// code.
		_, err = f.svc.RegenerateBackupCodes(f.ctx, u.actor, u.session)
		wantErr(t, err, accounts.ErrReauthRequired)
		f.signInAgain(u)
		fresh, err := f.svc.RegenerateBackupCodes(f.ctx, u.actor, u.session)
		if err != nil {
			t.Fatal(err)
		}
		if len(fresh) != 10 {
			t.Fatalf("%d new codes", len(fresh))
		}
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), accounts.MethodBackup, codes[3]), accounts.ErrMFAInvalidCode)
		if err := f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), accounts.MethodBackup, fresh[3]); err != nil {
			t.Fatalf("new code: %v", err)
		}
		if st := f.status(u.ID); st.BackupCodesLeft != 9 {
			t.Fatalf("left %d, want 9", st.BackupCodesLeft)
		}

		// Without MFA there is nothing to regenerate.
		v := f.newUser("bo@example.org", "en")
		_, err = f.svc.RegenerateBackupCodes(f.ctx, v.actor, v.session)
		wantErr(t, err, accounts.ErrMFANotEnabled)
	})
}

// A backup code works in the code field whatever method is selected: the
// sign-in step defaults to the authenticator or text messages, and its hint
// says the field takes a backup code too. It stays single use, a wrong one
// counts like any wrong code, and the owner is told it was used.
func TestBackupCodeAcceptedWhateverMethod(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMFAFixture(t, engine)
		u := f.newUser("ana@example.org", "en")
		_, codes := f.enableTOTP(u)
		f.enableSMS(u, "+34 600 123 456", accounts.Proof{Method: accounts.MethodBackup, Code: codes[9]})

		for i, method := range []string{accounts.MethodTOTP, accounts.MethodSMS, ""} {
			t.Run("method "+method, func(t *testing.T) {
				mails := len(f.mails())
				if err := f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), method, codes[i]); err != nil {
					t.Fatalf("backup code with method %q: %v", method, err)
				}
				if got := f.mails(); len(got) != mails+1 || got[len(got)-1].Template != "security_backup_code_used" {
					t.Fatalf("no backup-code notice: %+v", got[mails:])
				}
				wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), method, codes[i]), accounts.ErrMFACodeUsed)
			})
		}
		if st := f.status(u.ID); st.BackupCodesLeft != 6 {
			t.Fatalf("left %d, want 6", st.BackupCodesLeft)
		}

		// A wrong code of that shape is a wrong code, counted in the flow
		// (from zero: a correct code resets the count).
		if err := f.svc.VerifySecondFactor(f.ctx, u.ID, f.flow(u), accounts.MethodSMS, codes[6]); err != nil {
			t.Fatal(err)
		}
		flow := f.flow(u)
		for want := 4; want >= 1; want-- {
			pe := wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, flow, accounts.MethodTOTP, "zzzzz-zzzzz"), accounts.ErrMFAInvalidCode)
			if pe.Data["Remaining"] != want {
				t.Fatalf("remaining %v, want %d", pe.Data["Remaining"], want)
			}
		}
		wantErr(t, f.svc.VerifySecondFactor(f.ctx, u.ID, flow, accounts.MethodSMS, "zzzzz-zzzzz"), accounts.ErrMFATooManyAttempts)

		// A change proved with a backup code under another method.
		if err := f.svc.DisableSMS(f.ctx, u.actor, u.session, accounts.Proof{Method: accounts.MethodTOTP, Code: codes[5]}); err != nil {
			t.Fatalf("proof by backup code under totp: %v", err)
		}
	})
}
