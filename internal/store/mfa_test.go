package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

func TestUserMFACompareAndSet(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		clock := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		s := testutil.MustOpenStore(t, engine, clock)
		tx := func(fn func(tx *store.Tx) error) error { return s.Transact(ctx, fn) }
		var user *portal.User
		if err := tx(func(tx *store.Tx) error {
			var err error
			user, err = tx.CreateUser(ctx, store.UserCreate{LoginID: "CP00000001", Email: "a@example.org", FirstName: "A", LastName: "B", Role: portal.RoleCandidate, Language: "en"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetUserMFA(ctx, user.ID); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("before enrolment: %v, want not found", err)
		}

		// The pending secret becomes active only while unexpired.
		if err := tx(func(tx *store.Tx) error {
			if _, err := tx.LockUserMFA(ctx, user.ID); err != nil {
				return err
			}
			return tx.SetTOTPPending(ctx, user.ID, []byte{1, 2, 3}, clock.Now().Add(time.Minute))
		}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		if err := tx(func(tx *store.Tx) error { return tx.EnableTOTP(ctx, user.ID) }); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("expired pending secret enabled: %v", err)
		}
		if err := tx(func(tx *store.Tx) error {
			if err := tx.SetTOTPPending(ctx, user.ID, []byte{4, 5, 6}, clock.Now().Add(time.Minute)); err != nil {
				return err
			}
			return tx.EnableTOTP(ctx, user.ID)
		}); err != nil {
			t.Fatal(err)
		}
		m, err := s.GetUserMFA(ctx, user.ID)
		if err != nil || string(m.TOTPSecret) != "\x04\x05\x06" || m.TOTPPending != nil || m.TOTPEnabledAt == nil {
			t.Fatalf("after enable: %+v, %v", m, err)
		}

		// Time steps only move forward.
		for _, tc := range []struct {
			step int64
			ok   bool
		}{{100, true}, {100, false}, {99, false}, {101, true}} {
			err := tx(func(tx *store.Tx) error { return tx.UseTOTPStep(ctx, user.ID, tc.step) })
			if (err == nil) != tc.ok {
				t.Errorf("step %d: err = %v, want ok=%v", tc.step, err, tc.ok)
			}
		}

		// Failures count up and reset.
		for want := 1; want <= 3; want++ {
			var n int
			if err := tx(func(tx *store.Tx) error {
				var err error
				n, err = tx.RecordMFAFailure(ctx, user.ID)
				return err
			}); err != nil || n != want {
				t.Fatalf("failure %d: %d, %v", want, n, err)
			}
		}
		if err := tx(func(tx *store.Tx) error { return tx.ResetMFAFailures(ctx, user.ID) }); err != nil {
			t.Fatal(err)
		}
		if m, _ := s.GetUserMFA(ctx, user.ID); m.FailedAttempts != 0 {
			t.Fatalf("failures %d after reset", m.FailedAttempts)
		}

		// Backup codes: one use each.
		var codes []*portal.BackupCode
		if err := tx(func(tx *store.Tx) error {
			if err := tx.ReplaceBackupCodes(ctx, user.ID, []store.BackupCodeHash{{Salt: []byte("s1"), Hash: []byte("h1")}, {Salt: []byte("s2"), Hash: []byte("h2")}}); err != nil {
				return err
			}
			var err error
			codes, err = tx.ListBackupCodes(ctx, user.ID)
			return err
		}); err != nil || len(codes) != 2 {
			t.Fatalf("codes %v, %v", codes, err)
		}
		if err := tx(func(tx *store.Tx) error { return tx.UseBackupCode(ctx, codes[0].ID) }); err != nil {
			t.Fatal(err)
		}
		if err := tx(func(tx *store.Tx) error { return tx.UseBackupCode(ctx, codes[0].ID) }); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("second use: %v", err)
		}
		if n, _ := s.CountBackupCodes(ctx, user.ID); n != 1 {
			t.Fatalf("%d unused codes, want 1", n)
		}
	})
}

func TestSMSCodesAndCounts(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		clock := testutil.NewClock(start)
		s := testutil.MustOpenStore(t, engine, clock)
		tx := func(fn func(tx *store.Tx) error) error { return s.Transact(ctx, fn) }
		var user *portal.User
		var sess *portal.SessionRecord
		if err := tx(func(tx *store.Tx) error {
			var err error
			if user, err = tx.CreateUser(ctx, store.UserCreate{LoginID: "CP00000001", Email: "a@example.org", FirstName: "A", LastName: "B", Role: portal.RoleCandidate, Language: "en"}); err != nil {
				return err
			}
			sess, err = tx.CreateSession(ctx, store.SessionCreate{TokenHash: []byte("t"), UserID: user.ID, State: portal.SessionMFAPending, Lifetime: time.Hour})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		create := func() *portal.SMSCode {
			t.Helper()
			var c *portal.SMSCode
			if err := tx(func(tx *store.Tx) error {
				var err error
				c, err = tx.CreateSMSCode(ctx, store.SMSCodeCreate{UserID: user.ID, Purpose: store.SMSSignIn, SessionID: sess.ID, Phone: "+34600123456", CodeHash: []byte("h"), TTL: 10 * time.Minute})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return c
		}
		first := create()
		clock.Advance(time.Minute)
		second := create()

		// Only the newest code of the session is live.
		if err := tx(func(tx *store.Tx) error {
			c, err := tx.FindSMSCodeBySession(ctx, user.ID, store.SMSSignIn, sess.ID)
			if err != nil {
				return err
			}
			if c.ID != second.ID {
				t.Errorf("live code %d, want %d", c.ID, second.ID)
			}
			if err := tx.UseSMSCode(ctx, first.ID, 5); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("replaced code used: %v", err)
			}
			sent, err := tx.CountSMSSentToPhone(ctx, "+34600123456", start.Add(-time.Hour))
			if err != nil {
				return err
			}
			if sent.Count != 2 || sent.Oldest == nil || !sent.Oldest.Equal(start) {
				t.Errorf("sent %+v, want 2 since %v", sent, start)
			}
			none, err := tx.CountSMSSentToUser(ctx, user.ID+1, start.Add(-time.Hour))
			if err != nil || none.Count != 0 || none.Oldest != nil {
				t.Errorf("other user: %+v, %v", none, err)
			}
			if _, err := tx.GetPendingSession(ctx, sess.ID, time.Hour); err != nil {
				t.Errorf("pending session: %v", err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}

		// Expired codes and codes with too many tries do not work.
		if err := tx(func(tx *store.Tx) error {
			for range 5 {
				if _, err := tx.FailSMSCode(ctx, second.ID); err != nil {
					return err
				}
			}
			if err := tx.UseSMSCode(ctx, second.ID, 5); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("code with 5 wrong tries used: %v", err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		third := create()
		clock.Advance(10 * time.Minute)
		if err := tx(func(tx *store.Tx) error { return tx.UseSMSCode(ctx, third.ID, 5) }); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("expired code used: %v", err)
		}

		// Ending the session unbinds its codes but keeps them for the caps.
		if err := tx(func(tx *store.Tx) error { return tx.DeleteSession(ctx, sess.ID) }); err != nil {
			t.Fatal(err)
		}
		if err := tx(func(tx *store.Tx) error {
			if _, err := tx.FindSMSCodeBySession(ctx, user.ID, store.SMSSignIn, sess.ID); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("code of a deleted session found: %v", err)
			}
			sent, err := tx.CountSMSSentToUser(ctx, user.ID, start.Add(-time.Hour))
			if err != nil || sent.Count != 3 {
				t.Errorf("sent after the session ended: %+v, %v", sent, err)
			}
			n, err := tx.DeleteSMSCodesBefore(ctx, clock.Now().Add(time.Second))
			if err != nil || n != 3 {
				t.Errorf("purged %d, %v", n, err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestBackupCodeUseIsACompareAndSet: two transactions that both read a
// backup code as unused try to use it; exactly one succeeds, because the
// update is conditional on used_at still being NULL. On PostgreSQL the two
// transactions overlap (the second updates after the first commits); SQLite
// serializes write transactions, so there the second acts on a read made
// before the first ran.
func TestBackupCodeUseIsACompareAndSet(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		clock := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		s := testutil.MustOpenStore(t, engine, clock)
		var code *portal.BackupCode
		var user *portal.User
		if err := s.Transact(ctx, func(tx *store.Tx) error {
			var err error
			if user, err = tx.CreateUser(ctx, store.UserCreate{LoginID: "CP00000001", Email: "a@example.org", FirstName: "A", LastName: "B", Role: portal.RoleCandidate, Language: "en"}); err != nil {
				return err
			}
			if err := tx.ReplaceBackupCodes(ctx, user.ID, []store.BackupCodeHash{{Salt: []byte("s1"), Hash: []byte("h1")}}); err != nil {
				return err
			}
			codes, err := tx.ListBackupCodes(ctx, user.ID)
			if err == nil {
				code = codes[0]
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}

		// use reads the code, checks it is unused, waits, and uses it.
		use := func(tx *store.Tx, read chan<- struct{}, wait <-chan struct{}) error {
			codes, err := tx.ListBackupCodes(ctx, user.ID)
			if err != nil {
				return err
			}
			if codes[0].UsedAt != nil {
				return errors.New("read the code as used")
			}
			if read != nil {
				read <- struct{}{}
			}
			if wait != nil {
				<-wait
			}
			return tx.UseBackupCode(ctx, code.ID)
		}
		var first, second error
		if engine == store.Postgres {
			read, firstDone := make(chan struct{}, 2), make(chan struct{})
			secondDone := make(chan struct{})
			go func() {
				defer close(secondDone)
				second = s.Transact(ctx, func(tx *store.Tx) error { return use(tx, read, firstDone) })
			}()
			<-read // the second transaction has read the code as unused
			first = s.Transact(ctx, func(tx *store.Tx) error { return use(tx, read, nil) })
			close(firstDone)
			<-secondDone
		} else {
			// The second transaction's decision rests on a read made before
			// the first one.
			if err := s.Transact(ctx, func(tx *store.Tx) error { return use(tx, nil, nil) }); err != nil {
				t.Fatal(err)
			}
			second = s.Transact(ctx, func(tx *store.Tx) error { return tx.UseBackupCode(ctx, code.ID) })
		}
		if first != nil {
			t.Fatalf("first use: %v", first)
		}
		if !errors.Is(second, portal.ErrNotFound) {
			t.Fatalf("second use of the same code: err = %v, want not found (exactly one use succeeds)", second)
		}
		if n, _ := s.CountBackupCodes(ctx, user.ID); n != 0 {
			t.Fatalf("%d unused codes, want 0", n)
		}
	})
}
