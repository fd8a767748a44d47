package accounts_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// mfaStart is a time-step boundary (09:00:00 UTC).
var mfaStart = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

var mfaSecretKey = bytes.Repeat([]byte{0x5a}, 32)

type mfaFixture struct {
	t      *testing.T
	engine string
	svc    *accounts.Service
	st     *store.Store
	clock  *testutil.Clock
	ctx    context.Context
}

func newMFAFixture(t *testing.T, engine string) *mfaFixture {
	t.Helper()
	clock := testutil.NewClock(mfaStart)
	st := testutil.MustOpenStore(t, engine, clock)
	h := accounts.NewHasher(accounts.HashParams{Time: 1, Memory: 1024, Threads: 1, KeyLen: 32}, 4)
	svc := accounts.New(st, clock, slog.New(slog.DiscardHandler), h, accounts.Config{
		BaseURL: "http://portal.test", ProgramName: "Acme Cloud", LoginIDPrefix: "CP",
		SessionIdle: time.Hour, SessionLifetime: 24 * time.Hour, SecretKey: mfaSecretKey, Languages: []string{"en", "es"},
	})
	return &mfaFixture{t: t, engine: engine, svc: svc, st: st, clock: clock, ctx: context.Background()}
}

// mfaUser is a test account, its actor and its current (signed-in)
// session.
type mfaUser struct {
	*portal.User
	actor   portal.Actor
	session int64
	token   string
}

// actorOf is the acting principal of the user's session, as the web layer
// builds it for each request: its permissions, and its last proof at the
// session's sign-in.
func (f *mfaFixture) actorOf(mu *mfaUser) portal.Actor {
	f.t.Helper()
	sess, err := f.svc.Session(f.ctx, mu.token)
	if err != nil {
		f.t.Fatal(err)
	}
	return sess.Actor("198.51.100.7", "req")
}

func (f *mfaFixture) newUser(email, lang string) *mfaUser {
	f.t.Helper()
	u, err := f.svc.CreateUser(f.ctx, portal.SystemActor("test"), accounts.UserCreate{
		Email: email, FirstName: "Ana", LastName: "Test", Role: portal.RoleCandidate,
		Language: lang, Password: "Vq8#kLm2pXz!", Verified: true,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	mu := &mfaUser{User: u}
	f.signInAgain(mu)
	return mu
}

// signInAgain gives the user a new signed-in session, whose actor proved
// its password and second factor now.
func (f *mfaFixture) signInAgain(mu *mfaUser) {
	f.t.Helper()
	mu.session, mu.token = f.newSession(mu.ID, portal.SessionActive)
	mu.actor = f.actorOf(mu)
}

// newSession stores a session as sign-in would and returns its ID and
// cookie value.
func (f *mfaFixture) newSession(userID int64, state string) (int64, string) {
	f.t.Helper()
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(token))
	var id int64
	err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
		s, err := tx.CreateSession(f.ctx, store.SessionCreate{TokenHash: h[:], UserID: userID, State: state, Lifetime: 24 * time.Hour})
		if err != nil {
			return err
		}
		id = s.ID
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id, token
}

// flow is a sign-in waiting for its second factor.
func (f *mfaFixture) flow(u *mfaUser) int64 {
	f.t.Helper()
	id, _ := f.newSession(u.ID, portal.SessionMFAPending)
	return id
}

// query runs SQL with ? placeholders on either engine.
func (f *mfaFixture) query(q string) string { return testutil.Rebind(f.engine, q) }

func (f *mfaFixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.st.DB().QueryRowContext(f.ctx, f.query(q), args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// sessionIDs lists the user's sessions.
func (f *mfaFixture) sessionIDs(userID int64) []int64 {
	f.t.Helper()
	rows, err := f.st.DB().QueryContext(f.ctx, f.query(`SELECT id FROM sessions WHERE user_id = ? ORDER BY id`), userID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func (f *mfaFixture) sessionExists(id int64) bool {
	return f.count(`SELECT COUNT(*) FROM sessions WHERE id = ?`, id) == 1
}

// mails returns the queued emails, oldest first.
func (f *mfaFixture) mails() []mail.Message {
	f.t.Helper()
	var out []mail.Message
	for _, j := range f.outbox(mail.KindSend) {
		var m mail.Message
		if err := json.Unmarshal([]byte(j.Args), &m); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// texts returns the queued SMS, oldest first.
func (f *mfaFixture) texts() []mail.SMS {
	f.t.Helper()
	var out []mail.SMS
	for _, j := range f.outbox(mail.KindSendSMS) {
		var m mail.SMS
		if err := json.Unmarshal([]byte(j.Args), &m); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func (f *mfaFixture) outbox(kind string) []*store.OutboxJob {
	f.t.Helper()
	jobs, err := f.st.ListPendingOutbox(f.ctx, 10000)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []*store.OutboxJob
	for _, j := range jobs {
		if j.Kind == kind {
			out = append(out, j)
		}
	}
	return out
}

// lastCode is the code of the newest SMS.
func (f *mfaFixture) lastCode() string {
	f.t.Helper()
	texts := f.texts()
	if len(texts) == 0 {
		f.t.Fatal("no SMS queued")
	}
	code, _ := texts[len(texts)-1].Data["Code"].(string)
	if len(code) != 6 {
		f.t.Fatalf("SMS code %q", code)
	}
	return code
}

// totpAt is the code of secret for the step containing at.
func totpAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enableTOTP enrols and confirms TOTP and returns the secret and the
// backup codes.
func (f *mfaFixture) enableTOTP(u *mfaUser) (string, []string) {
	f.t.Helper()
	e, err := f.svc.BeginTOTP(f.ctx, u.actor, u.session, accounts.Proof{})
	if err != nil {
		f.t.Fatal(err)
	}
	codes, err := f.svc.ConfirmTOTP(f.ctx, u.actor, u.session, totpAt(f.t, e.Secret, f.clock.Now()))
	if err != nil {
		f.t.Fatal(err)
	}
	return e.Secret, codes
}

// enableSMS verifies phone and turns SMS on; it returns the backup codes
// when SMS was the first factor.
func (f *mfaFixture) enableSMS(u *mfaUser, phone string, proof accounts.Proof) []string {
	f.t.Helper()
	if _, err := f.svc.StartPhoneVerification(f.ctx, u.actor, u.session, phone, proof); err != nil {
		f.t.Fatal(err)
	}
	codes, err := f.svc.ConfirmPhone(f.ctx, u.actor, u.session, f.lastCode())
	if err != nil {
		f.t.Fatal(err)
	}
	return codes
}

// wantErr fails unless err is want (by code and message).
func wantErr(t *testing.T, err error, want *portal.Error) *portal.Error {
	t.Helper()
	var pe *portal.Error
	if !errors.Is(err, want) || !errors.As(err, &pe) {
		t.Fatalf("err = %v, want %s: %s", err, want.Code, want.Message)
	}
	return pe
}

func (f *mfaFixture) status(userID int64) *accounts.MFAStatus {
	f.t.Helper()
	st, err := f.svc.MFAStatus(f.ctx, userID)
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

// concurrently runs fn n times at once and counts the nil results. Every
// error must be a portal error of the MFA kinds, never internal.
func concurrently(t *testing.T, n int, fn func(i int) error) int {
	t.Helper()
	var ok atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := fn(i)
			switch portal.ErrorCode(err) {
			case "":
				ok.Add(1)
			case portal.EUnauthorized, portal.ERateLimited:
			default:
				t.Errorf("goroutine %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	return int(ok.Load())
}

func TestNormalizeAndMaskPhone(t *testing.T) {
	for _, tc := range []struct {
		in, want, masked string
		ok               bool
	}{
		{"+34 600-123 456", "+34600123456", "+34•••••••56", true},
		{" +1 (555) 010-9999 ", "+15550109999", "+15•••••••99", true},
		{"+4915123", "", "", false},                   // 7 digits: too short
		{"+49151234", "+49151234", "+49••••34", true}, // 8 digits
		{"+1234567890123456", "", "", false},          // 16 digits
		{"0034600123456", "", "", false},              // no +
		{"+034600123456", "", "", false},              // leading 0
		{"+34 600 12a 456", "", "", false},            // letter
		{"+34 600 123 456\n+1", "", "", false},        // second +
		{"+٣٤٦٠٠١٢٣٤٥٦", "", "", false},               // non-ASCII digits
	} {
		got, ok := accounts.NormalizePhone(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			continue
		}
		if ok {
			if m := accounts.MaskPhone(got); m != tc.masked {
				t.Errorf("MaskPhone(%q) = %q, want %q", got, m, tc.masked)
			}
		}
	}
}
