package scheduling_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/scheduling"
	"example.org/certportal/internal/testutil"
)

// TestIdempotent pins CONC-04: per user and key, fn runs once and its
// stored response is replayed for the same request; another request under
// the key is refused; a key in flight is a conflict; users are
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
		counter := func(runs *atomic.Int64, body string) func() (scheduling.Stored, error) {
			return func() (scheduling.Stored, error) {
				runs.Add(1)
				return scheduling.Stored{Status: 201, Body: body}, nil
			}
		}

		t.Run("replay", func(t *testing.T) {
			f := f.in(t)
			var runs atomic.Int64
			u := f.candidate.UserID
			out, replayed, err := f.svc.Idempotent(f.ctx, u, "key-1", req{7, "SAA-C03"}, counter(&runs, `{"booking":"B1"}`))
			if err != nil || replayed || out.Status != 201 || out.Body != `{"booking":"B1"}` {
				t.Fatalf("first = %+v, %v, %v", out, replayed, err)
			}
			out, replayed, err = f.svc.Idempotent(f.ctx, u, "key-1", req{7, "SAA-C03"}, counter(&runs, `{"booking":"B2"}`))
			if err != nil || !replayed || out.Status != 201 || out.Body != `{"booking":"B1"}` {
				t.Fatalf("replay = %+v, %v, %v; want the stored response", out, replayed, err)
			}
			if runs.Load() != 1 {
				t.Fatalf("fn ran %d times, want 1", runs.Load())
			}
			_, _, err = f.svc.Idempotent(f.ctx, u, "key-1", req{8, "SAA-C03"}, counter(&runs, ""))
			pe := wantRefused(t, err, "idempotency.key_reused")
			if pe.Code != portal.EInvalid || runs.Load() != 1 {
				t.Fatalf("code %s, runs %d; want invalid and no run", pe.Code, runs.Load())
			}
			// A day later the key still holds.
			f.clock.Advance(24 * time.Hour)
			if _, replayed, err := f.svc.Idempotent(f.ctx, u, "key-1", req{7, "SAA-C03"}, counter(&runs, "")); err != nil || !replayed {
				t.Fatalf("after 24h: replayed %v, %v", replayed, err)
			}
		})

		t.Run("users are independent", func(t *testing.T) {
			f := f.in(t)
			var runs atomic.Int64
			a, b := f.newCandidate(), f.newCandidate()
			for _, u := range []portal.Actor{a, b} {
				out, replayed, err := f.svc.Idempotent(f.ctx, u.UserID, "shared-key", req{7, "SAA-C03"}, counter(&runs, "x"))
				if err != nil || replayed || out.Body != "x" {
					t.Fatalf("user %d: %+v, %v, %v", u.UserID, out, replayed, err)
				}
			}
			if runs.Load() != 2 {
				t.Fatalf("fn ran %d times, want once per user", runs.Load())
			}
		})

		t.Run("in flight", func(t *testing.T) {
			f := f.in(t)
			u := f.newCandidate().UserID
			var inner error
			_, _, err := f.svc.Idempotent(f.ctx, u, "slow", req{1, "A"}, func() (scheduling.Stored, error) {
				_, _, inner = f.svc.Idempotent(f.ctx, u, "slow", req{1, "A"}, func() (scheduling.Stored, error) {
					t.Error("second request ran while the first was in flight")
					return scheduling.Stored{}, nil
				})
				return scheduling.Stored{Body: "done"}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			pe := wantRefused(t, inner, "idempotency.in_flight")
			if pe.Code != portal.EConflict {
				t.Fatalf("code = %s, want conflict", pe.Code)
			}
			out, replayed, err := f.svc.Idempotent(f.ctx, u, "slow", req{1, "A"}, nil)
			if err != nil || !replayed || out.Body != "done" || out.Status != 200 {
				t.Fatalf("after = %+v, %v, %v; want the stored 200", out, replayed, err)
			}
		})

		t.Run("error frees the key", func(t *testing.T) {
			f := f.in(t)
			var runs atomic.Int64
			u := f.newCandidate().UserID
			boom := errors.New("provider down")
			_, _, err := f.svc.Idempotent(f.ctx, u, "retry-me", req{1, "A"}, func() (scheduling.Stored, error) {
				runs.Add(1)
				return scheduling.Stored{}, boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v, want fn's error", err)
			}
			out, replayed, err := f.svc.Idempotent(f.ctx, u, "retry-me", req{1, "A"}, counter(&runs, "ok"))
			if err != nil || replayed || out.Body != "ok" || runs.Load() != 2 {
				t.Fatalf("retry = %+v, %v, %v, runs %d; want a fresh run", out, replayed, err, runs.Load())
			}
		})

		t.Run("dead claim taken over", func(t *testing.T) {
			f := f.in(t)
			var runs atomic.Int64
			u := f.newCandidate().UserID
			var inner []error
			_, _, err := f.svc.Idempotent(f.ctx, u, "stuck", req{1, "A"}, func() (scheduling.Stored, error) {
				// While this request hangs, retries are in flight until the
				// claim is two minutes old, then run again.
				f.clock.Advance(2 * time.Minute)
				_, _, e := f.svc.Idempotent(f.ctx, u, "stuck", req{1, "A"}, counter(&runs, "late"))
				inner = append(inner, e)
				f.clock.Advance(time.Second)
				_, _, e = f.svc.Idempotent(f.ctx, u, "stuck", req{1, "A"}, counter(&runs, "retried"))
				inner = append(inner, e)
				return scheduling.Stored{Body: "first"}, nil
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
				_, _, err := f.svc.Idempotent(f.ctx, f.candidate.UserID, key, req{}, nil)
				wantRefused(t, err, "idempotency.key_invalid")
			}
			if _, _, err := f.svc.Idempotent(f.ctx, 0, "k", req{}, nil); !errors.Is(err, portal.ErrUnauthorized) {
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
		u := f.candidate.UserID
		var runs atomic.Int64
		const n = 10
		start := make(chan struct{})
		type result struct {
			out      scheduling.Stored
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
				out, replayed, err := f.svc.Idempotent(f.ctx, u, "same-key", map[string]int64{"slot": 42}, func() (scheduling.Stored, error) {
					runs.Add(1)
					// Stay in flight until every other request has been
					// answered (or fn ran twice and never will be).
					for range n - 1 {
						select {
						case <-done:
						case <-time.After(10 * time.Second):
							return scheduling.Stored{}, errors.New("the other requests did not return")
						}
					}
					return scheduling.Stored{Status: 201, Body: "made"}, nil
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
		u := f.candidate.UserID
		var runs atomic.Int64
		call := func() (scheduling.Stored, bool, error) {
			return f.svc.Idempotent(f.ctx, u, "key-purge", "hold slot 7", func() (scheduling.Stored, error) {
				n := runs.Add(1)
				return scheduling.Stored{Status: 201, Body: fmt.Sprintf(`{"run":%d}`, n)}, nil
			})
		}
		keys := func() int { return f.count(`SELECT COUNT(*) FROM idempotency_keys WHERE user_id = %d`, u) }
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
			if err := f.svc.PurgeIdempotencyKeys(f.ctx); err != nil {
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
