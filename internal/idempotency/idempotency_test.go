package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.org/certportal/internal/idempotency"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestIdempotent pins CONC-04: per principal and key, fn runs once and its
// stored response is replayed for the same request; another request under
// the key is refused; a key in flight is a conflict; principals are
// independent; a failed fn frees the key; a claim whose request died is
// taken over after two minutes.
func TestIdempotent(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		type req struct {
			Slot int64
			Exam string
		}
		counter := func(runs *atomic.Int64, body string) func() (idempotency.Response, error) {
			return func() (idempotency.Response, error) {
				runs.Add(1)
				return idempotency.Response{Status: 201, Body: body}, nil
			}
		}

		t.Run("replay", func(t *testing.T) {
			f := f.in(t)
			var runs atomic.Int64
			u := f.scope
			out, replayed, err := f.svc.Run(f.ctx, u, "key-1", req{7, "SAA-C03"}, counter(&runs, `{"booking":"B1"}`))
			if err != nil || replayed || out.Status != 201 || out.Body != `{"booking":"B1"}` {
				t.Fatalf("first = %+v, %v, %v", out, replayed, err)
			}
			out, replayed, err = f.svc.Run(f.ctx, u, "key-1", req{7, "SAA-C03"}, counter(&runs, `{"booking":"B2"}`))
			if err != nil || !replayed || out.Status != 201 || out.Body != `{"booking":"B1"}` {
				t.Fatalf("replay = %+v, %v, %v; want the stored response", out, replayed, err)
			}
			if runs.Load() != 1 {
				t.Fatalf("fn ran %d times, want 1", runs.Load())
			}
			_, _, err = f.svc.Run(f.ctx, u, "key-1", req{8, "SAA-C03"}, counter(&runs, ""))
			pe := wantRefused(t, err, "idempotency.key_reused")
			if pe.Code != portal.EInvalid || runs.Load() != 1 {
				t.Fatalf("code %s, runs %d; want invalid and no run", pe.Code, runs.Load())
			}
			// A day later the key still holds.
			f.clock.Advance(24 * time.Hour)
			if _, replayed, err := f.svc.Run(f.ctx, u, "key-1", req{7, "SAA-C03"}, counter(&runs, "")); err != nil || !replayed {
				t.Fatalf("after 24h: replayed %v, %v", replayed, err)
			}
		})

		t.Run("principals are independent", func(t *testing.T) {
			f := f.in(t)
			var runs atomic.Int64
			a, b := f.newScope(), f.newScope()
			// Another kind of principal with the same number is another scope.
			c := idempotency.Scope("client:" + strings.TrimPrefix(string(a), "user:"))
			for _, u := range []idempotency.Scope{a, b, c} {
				out, replayed, err := f.svc.Run(f.ctx, u, "shared-key", req{7, "SAA-C03"}, counter(&runs, "x"))
				if err != nil || replayed || out.Body != "x" {
					t.Fatalf("scope %s: %+v, %v, %v", u, out, replayed, err)
				}
			}
			if runs.Load() != 3 {
				t.Fatalf("fn ran %d times, want once per principal", runs.Load())
			}
		})

		t.Run("in flight", func(t *testing.T) {
			f := f.in(t)
			u := f.newScope()
			var inner error
			_, _, err := f.svc.Run(f.ctx, u, "slow", req{1, "A"}, func() (idempotency.Response, error) {
				_, _, inner = f.svc.Run(f.ctx, u, "slow", req{1, "A"}, func() (idempotency.Response, error) {
					t.Error("second request ran while the first was in flight")
					return idempotency.Response{}, nil
				})
				return idempotency.Response{Body: "done"}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			pe := wantRefused(t, inner, "idempotency.in_flight")
			if pe.Code != portal.EConflict {
				t.Fatalf("code = %s, want conflict", pe.Code)
			}
			out, replayed, err := f.svc.Run(f.ctx, u, "slow", req{1, "A"}, nil)
			if err != nil || !replayed || out.Body != "done" || out.Status != 200 {
				t.Fatalf("after = %+v, %v, %v; want the stored 200", out, replayed, err)
			}
		})

		t.Run("error frees the key", func(t *testing.T) {
			f := f.in(t)
			var runs atomic.Int64
			u := f.newScope()
			boom := errors.New("provider down")
			_, _, err := f.svc.Run(f.ctx, u, "retry-me", req{1, "A"}, func() (idempotency.Response, error) {
				runs.Add(1)
				return idempotency.Response{}, boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v, want fn's error", err)
			}
			out, replayed, err := f.svc.Run(f.ctx, u, "retry-me", req{1, "A"}, counter(&runs, "ok"))
			if err != nil || replayed || out.Body != "ok" || runs.Load() != 2 {
				t.Fatalf("retry = %+v, %v, %v, runs %d; want a fresh run", out, replayed, err, runs.Load())
			}
		})

		t.Run("dead claim taken over", func(t *testing.T) {
			f := f.in(t)
			var runs atomic.Int64
			u := f.newScope()
			var inner []error
			_, _, err := f.svc.Run(f.ctx, u, "stuck", req{1, "A"}, func() (idempotency.Response, error) {
				// While this request hangs, retries are in flight until the
				// claim is two minutes old, then run again.
				f.clock.Advance(2 * time.Minute)
				_, _, e := f.svc.Run(f.ctx, u, "stuck", req{1, "A"}, counter(&runs, "late"))
				inner = append(inner, e)
				f.clock.Advance(time.Second)
				_, _, e = f.svc.Run(f.ctx, u, "stuck", req{1, "A"}, counter(&runs, "retried"))
				inner = append(inner, e)
				return idempotency.Response{Body: "first"}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			wantRefused(t, inner[0], "idempotency.in_flight")
			if inner[1] != nil || runs.Load() != 1 {
				t.Fatalf("retry after 2m1s: %v, runs %d; want the dead claim taken over", inner[1], runs.Load())
			}
		})

		t.Run("bad keys", func(t *testing.T) {
			f := f.in(t)
			for _, key := range []string{"", string(make([]byte, 256))} {
				_, _, err := f.svc.Run(f.ctx, f.scope, key, req{}, nil)
				wantRefused(t, err, "idempotency.key_invalid")
			}
			if _, _, err := f.svc.Run(f.ctx, "", "k", req{}, nil); !errors.Is(err, portal.ErrUnauthorized) {
				t.Fatalf("signed out: err = %v", err)
			}
		})
	})
}

// TestIdempotentConcurrent pins CONC-04 under a race: ten requests with
// one key run fn exactly once; while it runs, the others are told it is in
// flight.
func TestIdempotentConcurrent(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		u := f.scope
		var runs atomic.Int64
		const n = 10
		start := make(chan struct{})
		type result struct {
			out      idempotency.Response
			replayed bool
			err      error
		}
		results := make([]result, n)
		done := make(chan struct{}, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				out, replayed, err := f.svc.Run(f.ctx, u, "same-key", map[string]int64{"slot": 42}, func() (idempotency.Response, error) {
					runs.Add(1)
					// Stay in flight until every other request has been
					// answered (or fn ran twice and never will be).
					for range n - 1 {
						select {
						case <-done:
						case <-time.After(10 * time.Second):
							return idempotency.Response{}, errors.New("the other requests did not return")
						}
					}
					return idempotency.Response{Status: 201, Body: "made"}, nil
				})
				results[i] = result{out, replayed, err}
				done <- struct{}{}
			}()
		}
		close(start)
		wg.Wait()
		if runs.Load() != 1 {
			t.Fatalf("fn ran %d times, want exactly 1", runs.Load())
		}
		for i, r := range results {
			switch {
			case r.err == nil && r.out.Body == "made" && r.out.Status == 201:
			case r.err != nil:
				var pe *portal.Error
				if !errors.As(r.err, &pe) || pe.Message != "idempotency.in_flight" {
					t.Errorf("request %d: err = %v, want in_flight", i, r.err)
				}
			default:
				t.Errorf("request %d: %+v", i, r)
			}
		}
	})
}

// TestIdempotencyKeysKept48Hours pins CONC-04's retention: the hourly
// purge keeps a key 47 hours after its request (a repeat still gets the
// stored response without running again) and forgets it after 49 (the
// same key then runs as a new request).
func TestIdempotencyKeysKept48Hours(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		u := f.scope
		var runs atomic.Int64
		call := func() (idempotency.Response, bool, error) {
			return f.svc.Run(f.ctx, u, "key-purge", "hold slot 7", func() (idempotency.Response, error) {
				n := runs.Add(1)
				return idempotency.Response{Status: 201, Body: fmt.Sprintf(`{"run":%d}`, n)}, nil
			})
		}
		keys := func() int { return f.count(`SELECT COUNT(*) FROM idempotency_keys WHERE scope = '%s'`, u) }
		if _, replayed, err := call(); err != nil || replayed {
			t.Fatalf("first = %v, %v", replayed, err)
		}
		for _, tc := range []struct {
			after        time.Duration
			wantKeys     int
			wantReplayed bool
			wantBody     string
		}{
			{47 * time.Hour, 1, true, `{"run":1}`},
			{49 * time.Hour, 0, false, `{"run":2}`},
		} {
			f.clock.Set(fixtureNow.Add(tc.after))
			if err := f.svc.Purge(f.ctx); err != nil {
				t.Fatal(err)
			}
			if got := keys(); got != tc.wantKeys {
				t.Fatalf("after %s: %d keys kept, want %d", tc.after, got, tc.wantKeys)
			}
			out, replayed, err := call()
			if err != nil || replayed != tc.wantReplayed || out.Body != tc.wantBody {
				t.Fatalf("after %s: repeat = %+v, replayed %v, %v; want %s, replayed %v", tc.after, out, replayed, err, tc.wantBody, tc.wantReplayed)
			}
		}
	})
}

// TestScopeOf: a signed-in account's requests are scoped to it; a visitor
// and the system have no scope, which Run refuses.
func TestScopeOf(t *testing.T) {
	for _, tc := range []struct {
		name  string
		actor portal.Actor
		want  idempotency.Scope
	}{
		{"candidate", portal.Actor{UserID: 42, Role: portal.RoleCandidate}, "user:42"},
		{"staff", portal.Actor{UserID: 7, Role: portal.RoleStaff, Permissions: portal.SetScheduler.Permissions()}, "user:7"},
		{"visitor", portal.Actor{IP: "192.0.2.1"}, ""},
		{"system", portal.SystemActor("job"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := idempotency.ScopeOf(tc.actor); got != tc.want {
				t.Fatalf("ScopeOf = %q, want %q", got, tc.want)
			}
		})
	}
}

// fixtureNow is the start of the fake clock.
var fixtureNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// fixture is the service over a fresh store on one engine with a fake
// clock, and a scope of its own.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	clock  *testutil.Clock
	svc    *idempotency.Service
	scope  idempotency.Scope
	scopes *atomic.Int64
}

func newFixture(t *testing.T, engine string) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), clock: testutil.NewClock(fixtureNow), scopes: new(atomic.Int64)}
	f.st = testutil.MustOpenStore(t, engine, f.clock)
	f.svc = idempotency.New(f.st, slog.New(slog.DiscardHandler))
	f.scope = f.newScope()
	return f
}

// in returns the fixture reporting to t, for use inside a subtest.
func (f *fixture) in(t *testing.T) *fixture {
	g := *f
	g.t = t
	return &g
}

// newScope returns a scope no other request of the fixture used.
func (f *fixture) newScope() idempotency.Scope { return idempotency.UserScope(f.scopes.Add(1)) }

// count runs a COUNT query on the database directly.
func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.st.DB().QueryRowContext(f.ctx, fmt.Sprintf(query, args...)).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", fmt.Sprintf(query, args...), err)
	}
	return n
}

// wantRefused fails unless err is a *portal.Error with message.
func wantRefused(t *testing.T, err error, message string) *portal.Error {
	t.Helper()
	var pe *portal.Error
	if !errors.As(err, &pe) || pe.Message != message {
		t.Fatalf("err = %v, want %s", err, message)
	}
	return pe
}
