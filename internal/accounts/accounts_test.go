package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// fastParams keep tests quick; the production parameters are measured in
// docs/benchmarks.md.
var fastParams = accounts.HashParams{Time: 1, Memory: 1024, Threads: 1, KeyLen: 32}

type fixture struct {
	svc    *accounts.Service
	st     *store.Store
	clock  *testutil.Clock
	hasher *accounts.Hasher
}

func newFixture(t *testing.T, engine string) *fixture {
	t.Helper()
	clock := testutil.NewClock(t0)
	st := testutil.MustOpenStore(t, engine, clock)
	h := accounts.NewHasher(fastParams, 4)
	svc := accounts.New(st, clock, slog.New(slog.DiscardHandler), h, accounts.Config{
		BaseURL: "http://portal.test", ProgramName: "Acme Cloud", LoginIDPrefix: "CP",
		SessionIdle: time.Hour, SessionLifetime: 24 * time.Hour, Languages: []string{"en", "es"},
	})
	return &fixture{svc: svc, st: st, clock: clock, hasher: h}
}

var system = portal.SystemActor("test")

func setupToken(t *testing.T, link string) string {
	t.Helper()
	i := strings.LastIndex(link, "/setup/")
	if i < 0 {
		t.Fatalf("not a setup link: %s", link)
	}
	return link[i+len("/setup/"):]
}

func TestAdminSetupLink(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		f := newFixture(t, engine)
		u, link, err := f.svc.CreateAdmin(ctx, system, accounts.AdminCreate{Email: " Ada@Example.ORG ", FirstName: "Ada", LastName: "Lovelace"})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "ada@example.org" || u.Role != portal.RoleStaff || u.PasswordHash != "" {
			t.Fatalf("admin = %+v", u)
		}
		if len(u.LoginID) != 10 || !strings.HasPrefix(u.LoginID, "CP") {
			t.Errorf("login ID %q is not CP + 8 digits", u.LoginID)
		}
		token := setupToken(t, link)
		if len(token) < 43 {
			t.Errorf("token %q is shorter than 256 bits", token)
		}
		// No password yet: nobody can sign in.
		if _, err := f.svc.SignIn(ctx, accounts.RequestMeta{}, accounts.SignInRequest{Email: "ada@example.org", Password: ""}); err == nil {
			t.Fatal("signed in without a password")
		}
		// A weak password is refused with the rule named.
		_, err = f.svc.CompleteSetup(ctx, system, accounts.SetupRequest{Token: token, Password: "short", Confirm: "short"})
		assertField(t, err, "password", "password.too_short")
		_, err = f.svc.CompleteSetup(ctx, system, accounts.SetupRequest{Token: token, Password: "Lovelace2026x", Confirm: "Lovelace2026x"})
		assertField(t, err, "password", "password.contains_context")
		_, err = f.svc.CompleteSetup(ctx, system, accounts.SetupRequest{Token: token, Password: "Tr0ub4dor&3x", Confirm: "different"})
		assertField(t, err, "confirm", "password.mismatch")

		if _, err := f.svc.CompleteSetup(ctx, system, accounts.SetupRequest{Token: token, Password: "Tr0ub4dor&3x", Confirm: "Tr0ub4dor&3x"}); err != nil {
			t.Fatal(err)
		}
		// The link works once.
		if _, err := f.svc.SetupAccount(ctx, token); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("used link: err = %v, want not found", err)
		}
		if _, err := f.svc.CompleteSetup(ctx, system, accounts.SetupRequest{Token: token, Password: "An0ther-pass", Confirm: "An0ther-pass"}); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("second use: err = %v, want not found", err)
		}
		if _, err := f.svc.SignIn(ctx, accounts.RequestMeta{}, accounts.SignInRequest{Email: "ADA@example.org", Password: "Tr0ub4dor&3x"}); err != nil {
			t.Fatalf("sign in after setup: %v", err)
		}
	})
}

func TestAdminSetupLinkExpiresAfter24Hours(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		f := newFixture(t, engine)
		_, link, err := f.svc.CreateAdmin(ctx, system, accounts.AdminCreate{Email: "a@example.org", FirstName: "A", LastName: "Admin"})
		if err != nil {
			t.Fatal(err)
		}
		token := setupToken(t, link)
		f.clock.Advance(24*time.Hour - time.Second)
		if _, err := f.svc.SetupAccount(ctx, token); err != nil {
			t.Fatalf("at 24 h - 1 s: %v", err)
		}
		f.clock.Advance(2 * time.Second)
		if _, err := f.svc.SetupAccount(ctx, token); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("at 24 h + 1 s: err = %v, want not found", err)
		}
		if _, err := f.svc.CompleteSetup(ctx, system, accounts.SetupRequest{Token: token, Password: "Tr0ub4dor&3x", Confirm: "Tr0ub4dor&3x"}); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("complete at 24 h + 1 s: err = %v, want not found", err)
		}
	})
}

func TestAdminSetupLinkConcurrentUseSucceedsOnce(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		f := newFixture(t, engine)
		_, link, err := f.svc.CreateAdmin(ctx, system, accounts.AdminCreate{Email: "a@example.org", FirstName: "A", LastName: "Admin"})
		if err != nil {
			t.Fatal(err)
		}
		token := setupToken(t, link)
		var ok atomic.Int32
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.svc.CompleteSetup(ctx, system, accounts.SetupRequest{Token: token, Password: "Tr0ub4dor&3x", Confirm: "Tr0ub4dor&3x"}); err == nil {
					ok.Add(1)
				} else if !errors.Is(err, portal.ErrNotFound) {
					t.Errorf("unexpected error: %v", err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Fatalf("%d concurrent setups succeeded, want exactly 1", ok.Load())
		}
	})
}

func TestCreateAdminValidation(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		f := newFixture(t, engine)
		_, _, err := f.svc.CreateAdmin(ctx, system, accounts.AdminCreate{Email: "not-an-email", FirstName: "", LastName: "<script>"})
		assertField(t, err, "email", "field.invalid_email")
		assertField(t, err, "first_name", "field.first_name_required")
		assertField(t, err, "last_name", "field.invalid_name")
		if _, _, err := f.svc.CreateAdmin(ctx, system, accounts.AdminCreate{Email: "a@example.org", FirstName: "A", LastName: "B"}); err != nil {
			t.Fatal(err)
		}
		_, _, err = f.svc.CreateAdmin(ctx, system, accounts.AdminCreate{Email: "A@EXAMPLE.org", FirstName: "A", LastName: "B"})
		assertField(t, err, "email", "field.email_taken")
		// Only the command line creates admins.
		_, _, err = f.svc.CreateAdmin(ctx, portal.Actor{UserID: 9, Role: portal.RoleCandidate}, accounts.AdminCreate{Email: "b@example.org", FirstName: "A", LastName: "B"})
		if !errors.Is(err, portal.ErrForbidden) {
			t.Fatalf("candidate creating an admin: err = %v", err)
		}
	})
}

func TestSignInFailsTheSameWayForEveryCause(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		f := newFixture(t, engine)
		if _, err := f.svc.CreateUser(ctx, system, accounts.UserCreate{Email: "c@example.org", FirstName: "Cam", LastName: "Doe", Role: portal.RoleCandidate, Password: "Corr3ct-horse"}); err != nil {
			t.Fatal(err)
		}
		var msgs []string
		for _, req := range []accounts.SignInRequest{
			{Email: "nobody@example.org", Password: "Corr3ct-horse"},
			{Email: "c@example.org", Password: "wrong-Passw0rd"},
			{Email: "c@example.org", Password: "Corr3ct-horse" + " "}, // exactly as typed: no trimming
			{Email: "c@example.org", Password: "corr3ct-horse"},       // no case folding
		} {
			_, err := f.svc.SignIn(ctx, accounts.RequestMeta{}, req)
			var pe *portal.Error
			if !errors.As(err, &pe) || pe.Code != portal.EUnauthorized {
				t.Fatalf("%+v: err = %v, want unauthorized", req, err)
			}
			msgs = append(msgs, pe.Message)
		}
		for _, m := range msgs {
			if m != msgs[0] {
				t.Fatalf("messages differ: %v", msgs)
			}
		}
		if _, err := f.svc.SignIn(ctx, accounts.RequestMeta{}, accounts.SignInRequest{Email: " C@Example.org", Password: "Corr3ct-horse"}); err != nil {
			t.Fatalf("correct sign-in: %v", err)
		}
	})
}

func TestSessionsExpireWhenIdleAndAtTheirLifetime(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		f := newFixture(t, engine)
		if _, err := f.svc.CreateUser(ctx, system, accounts.UserCreate{Email: "c@example.org", FirstName: "Cam", LastName: "Doe", Role: portal.RoleCandidate, Password: "Corr3ct-horse"}); err != nil {
			t.Fatal(err)
		}
		signIn := func() string {
			res, err := f.svc.SignIn(ctx, accounts.RequestMeta{}, accounts.SignInRequest{Email: "c@example.org", Password: "Corr3ct-horse"})
			if err != nil {
				t.Fatal(err)
			}
			return res.Token
		}
		tok := signIn()
		if _, err := f.svc.Session(ctx, tok); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour + time.Second)
		if _, err := f.svc.Session(ctx, tok); !errors.Is(err, portal.ErrUnauthorized) {
			t.Fatalf("idle 1 h + 1 s: err = %v, want unauthorized", err)
		}
		// Active every 50 minutes: alive until the 24-hour lifetime.
		tok = signIn()
		for range 28 {
			f.clock.Advance(50 * time.Minute)
			if _, err := f.svc.Session(ctx, tok); err != nil {
				t.Fatalf("active session ended early: %v", err)
			}
		}
		f.clock.Advance(50 * time.Minute) // 24 h 10 min after sign-in
		if _, err := f.svc.Session(ctx, tok); !errors.Is(err, portal.ErrUnauthorized) {
			t.Fatalf("past the absolute lifetime: err = %v, want unauthorized", err)
		}
		if _, err := f.svc.Session(ctx, "forged"); !errors.Is(err, portal.ErrUnauthorized) {
			t.Fatalf("unknown token: err = %v", err)
		}
	})
}

func TestSignOutEndsTheSession(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		f := newFixture(t, engine)
		if _, err := f.svc.CreateUser(ctx, system, accounts.UserCreate{Email: "c@example.org", FirstName: "Cam", LastName: "Doe", Role: portal.RoleCandidate, Password: "Corr3ct-horse"}); err != nil {
			t.Fatal(err)
		}
		res, err := f.svc.SignIn(ctx, accounts.RequestMeta{}, accounts.SignInRequest{Email: "c@example.org", Password: "Corr3ct-horse"})
		if err != nil {
			t.Fatal(err)
		}
		tok := res.Token
		sess, err := f.svc.Session(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SignOut(ctx, sess.Actor("", ""), sess.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Session(ctx, tok); !errors.Is(err, portal.ErrUnauthorized) {
			t.Fatalf("after sign-out: err = %v", err)
		}
	})
}

func TestPasswordPolicy(t *testing.T) {
	ctx := accounts.PasswordContext{ProgramName: "Acme Cloud", FirstName: "Alice", LastName: "Smith", Email: "alice.smith@example.org"}
	length := accounts.PasswordPolicy{MinLength: 8, MaxLength: 1024}
	for _, tc := range []struct {
		name     string
		policy   accounts.PasswordPolicy
		password string
		want     string // message ID, "" for accepted
	}{
		{"empty", accounts.DefaultPolicy, "", "password.required"},
		{"seven characters", accounts.DefaultPolicy, "Abcde1x", "password.too_short"},
		{"eight characters", accounts.DefaultPolicy, "Abcdef1x", ""},
		{"no digit", accounts.DefaultPolicy, "Abcdefgh", "password.missing_digit"},
		{"no upper", accounts.DefaultPolicy, "abcdefg1", "password.missing_upper"},
		{"passphrase under the default", accounts.DefaultPolicy, "correct horse battery staple", "password.missing_upper_digit"},
		{"passphrase under length-only", length, "correct horse battery staple", ""},
		{"128 unicode characters", accounts.DefaultPolicy, "Aa1" + strings.Repeat("é😀 ", 41) + "x", ""},
		{"too long", accounts.DefaultPolicy, "Aa1" + strings.Repeat("x", 1022), "password.too_long"},
		{"contains last name", accounts.DefaultPolicy, "SmithXYZ99", "password.contains_context"},
		{"contains email local part", accounts.DefaultPolicy, "Alice.Smith2025", "password.contains_context"},
		{"contains program name", length, "myacme cloudpass", "password.contains_context"},
		{"invalid utf-8", accounts.DefaultPolicy, "Abcdef1\xff", "field.invalid_utf8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v portal.Validation
			tc.policy.Check(&v, "password", tc.password, ctx)
			got := ""
			if len(v.Fields) > 0 {
				got = v.Fields[0].Message
			}
			if got != tc.want {
				t.Fatalf("Check(%q) = %q, want %q", tc.password, got, tc.want)
			}
		})
	}
}

func TestHasherRehashesOnParameterChange(t *testing.T) {
	ctx := context.Background()
	old := accounts.NewHasher(fastParams, 1)
	h, err := old.Hash(ctx, "Corr3ct-horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not PHC argon2id", h)
	}
	h2, _ := old.Hash(ctx, "Corr3ct-horse")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if ok, rehash, _ := old.Verify(ctx, h, "Corr3ct-horse"); !ok || rehash {
		t.Fatalf("same params: ok=%v rehash=%v", ok, rehash)
	}
	stronger := accounts.NewHasher(accounts.HashParams{Time: 2, Memory: 2048, Threads: 1, KeyLen: 32}, 1)
	if ok, rehash, _ := stronger.Verify(ctx, h, "Corr3ct-horse"); !ok || !rehash {
		t.Fatalf("new params: ok=%v rehash=%v, want true true", ok, rehash)
	}
	if ok, _, _ := stronger.Verify(ctx, h, "wrong"); ok {
		t.Fatal("wrong password verified")
	}
	if ok, _, _ := stronger.Verify(ctx, "", "anything"); ok {
		t.Fatal("empty hash verified")
	}
}

func assertField(t *testing.T, err error, field, message string) {
	t.Helper()
	var pe *portal.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a field error %s: %s", err, field, message)
	}
	for _, f := range pe.Fields {
		if f.Field == field && f.Message == message {
			return
		}
	}
	t.Fatalf("err = %v: no field error %s: %s in %+v", err, field, message, pe.Fields)
}

// TestUnknownAddressCostsOneHashLikeAKnownOne: timing is equalised by
// construction, checked by counting hashes rather than by the clock
// (SECURITY.md AUTH-06).
func TestUnknownAddressCostsOneHashLikeAKnownOne(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "sqlite")
	if _, err := f.svc.CreateUser(ctx, system, accounts.UserCreate{Email: "c@example.org", FirstName: "Cam", LastName: "Doe", Role: portal.RoleCandidate, Password: "Corr3ct-horse"}); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"c@example.org", "nobody@example.org", "not an address"} {
		before := f.hasher.Count()
		_, _ = f.svc.SignIn(ctx, accounts.RequestMeta{IP: "192.0.2.1"}, accounts.SignInRequest{Email: email, Password: "Wrong-horse-1"})
		if n := f.hasher.Count() - before; n != 1 {
			t.Errorf("%s: %d hashes, want 1", email, n)
		}
	}
}

func TestVerificationLink(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		f := newFixture(t, engine)
		if err := f.svc.Register(ctx, accounts.RequestMeta{IP: "192.0.2.1"}, accounts.RegisterRequest{
			Email: "v@example.org", FirstName: "Vera", LastName: "Lind", Password: "Corr3ct-horse", Country: "VA", Language: "en",
		}); err != nil {
			t.Fatal(err)
		}
		token := lastMailLink(t, f, "/verify/")
		f.clock.Advance(24*time.Hour + time.Second)
		if _, err := f.svc.VerifyEmail(ctx, accounts.RequestMeta{}, token); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("at 24 h + 1 s: err = %v", err)
		}
		// A new link; the old one stays dead; one changed character fails.
		res, err := f.svc.SignIn(ctx, accounts.RequestMeta{IP: "192.0.2.1"}, accounts.SignInRequest{Email: "v@example.org", Password: "Corr3ct-horse"})
		if err != nil {
			t.Fatal(err)
		}
		sess, _ := f.svc.Session(ctx, res.Token)
		if err := f.svc.ResendVerification(ctx, sess.Actor("", "")); err != nil {
			t.Fatal(err)
		}
		fresh := lastMailLink(t, f, "/verify/")
		if fresh == token {
			t.Fatal("the resent link is the old one")
		}
		tampered := fresh[:len(fresh)-1] + string("AB"[(fresh[len(fresh)-1]&1)])
		if _, err := f.svc.VerifyEmail(ctx, accounts.RequestMeta{}, tampered); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("tampered link: err = %v", err)
		}
		// Resending again within the minute is refused.
		if err := f.svc.ResendVerification(ctx, sess.Actor("", "")); portal.ErrorCode(err) != portal.ERateLimited {
			t.Fatalf("second resend within a minute: err = %v", err)
		}
		u, err := f.svc.VerifyEmail(ctx, accounts.RequestMeta{}, fresh)
		if err != nil || u.EmailVerifiedAt == nil {
			t.Fatalf("verify: %v", err)
		}
		if _, err := f.svc.VerifyEmail(ctx, accounts.RequestMeta{}, fresh); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("second use: err = %v", err)
		}
	})
}

// lastMailLink returns the token of the newest queued mail link whose path
// starts with prefix, read from the outbox.
func lastMailLink(t *testing.T, f *fixture, prefix string) string {
	t.Helper()
	rows, err := f.st.DB().Query(`SELECT args FROM job_outbox ORDER BY id DESC`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	re := regexp.MustCompile(regexp.QuoteMeta(prefix) + `([A-Za-z0-9_-]+)`)
	for rows.Next() {
		var args string
		if err := rows.Scan(&args); err != nil {
			t.Fatal(err)
		}
		if m := re.FindStringSubmatch(args); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no queued mail with a %s link", prefix)
	return ""
}

// TestLegalNameLocksOnceAnExamIsOnRecord: the server refuses a legal-name
// change after the first exam, whatever the form sends; the rest of the
// profile stays editable.
func TestLegalNameLocksOnceAnExamIsOnRecord(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		f := newFixture(t, engine)
		u, err := f.svc.CreateUser(ctx, system, accounts.UserCreate{Email: "n@example.org", FirstName: "Nora", LastName: "Berg", Role: portal.RoleCandidate, Password: "Corr3ct-horse", Verified: true})
		if err != nil {
			t.Fatal(err)
		}
		me := portal.Actor{UserID: u.ID, Role: portal.RoleCandidate}
		update := accounts.ProfileUpdate{FirstName: "Nora", LastName: "Berg-Lund", Country: "VA", Language: "en"}
		if got, err := f.svc.UpdateProfile(ctx, me, update); err != nil || got.LastName != "Berg-Lund" {
			t.Fatalf("before any exam: %v %+v", err, got)
		}
		if err := f.st.Transact(ctx, func(tx *store.Tx) error { return f.svc.LockLegalName(ctx, tx, u.ID) }); err != nil {
			t.Fatal(err)
		}
		update.LastName = "Lund"
		_, err = f.svc.UpdateProfile(ctx, me, update)
		assertField(t, err, "first_name", "profile.legal_name_locked")
		update.LastName, update.City = "Berg-Lund", "Oslo"
		got, err := f.svc.UpdateProfile(ctx, me, update)
		if err != nil || got.City != "Oslo" || got.LastName != "Berg-Lund" {
			t.Fatalf("locked name, other fields: %v %+v", err, got)
		}
	})
}

// TestRegistrationAndEmailChangeLimits: one address may register at most
// LimitRegisterPerIP.Max accounts an hour; an account may ask for at most
// LimitEmailChangePerDay.Max address changes a day.
func TestRegistrationAndEmailChangeLimits(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		f := newFixture(t, engine)
		meta := accounts.RequestMeta{IP: "203.0.113.9"}
		for i := range accounts.LimitRegisterPerIP.Max {
			req := accounts.RegisterRequest{Email: fmt.Sprintf("r%d@example.org", i), FirstName: "Rae", LastName: "Moss", Password: "Corr3ct-horse", Country: "VA", Language: "en"}
			if err := f.svc.Register(ctx, meta, req); err != nil {
				t.Fatalf("registration %d: %v", i+1, err)
			}
		}
		err := f.svc.Register(ctx, meta, accounts.RegisterRequest{Email: "late@example.org", FirstName: "Rae", LastName: "Moss", Password: "Corr3ct-horse", Country: "VA", Language: "en"})
		if portal.ErrorCode(err) != portal.ERateLimited {
			t.Fatalf("registration over the limit: err = %v", err)
		}
		if err := f.svc.Register(ctx, accounts.RequestMeta{IP: "203.0.113.10"}, accounts.RegisterRequest{Email: "other@example.org", FirstName: "Rae", LastName: "Moss", Password: "Corr3ct-horse", Country: "VA", Language: "en"}); err != nil {
			t.Fatalf("another address: %v", err)
		}

		u, err := f.svc.CreateUser(ctx, system, accounts.UserCreate{Email: "e@example.org", FirstName: "Eli", LastName: "Park", Role: portal.RoleCandidate, Password: "Corr3ct-horse", Verified: true})
		if err != nil {
			t.Fatal(err)
		}
		me := portal.Actor{UserID: u.ID, Role: portal.RoleCandidate}
		for i := range accounts.LimitEmailChangePerDay.Max {
			if err := f.svc.RequestEmailChange(ctx, me, accounts.EmailChange{NewEmail: fmt.Sprintf("n%d@example.org", i), CurrentPassword: "Corr3ct-horse"}); err != nil {
				t.Fatalf("email change %d: %v", i+1, err)
			}
		}
		err = f.svc.RequestEmailChange(ctx, me, accounts.EmailChange{NewEmail: "late@example.net", CurrentPassword: "Corr3ct-horse"})
		if portal.ErrorCode(err) != portal.ERateLimited {
			t.Fatalf("email change over the limit: err = %v", err)
		}
	})
}
