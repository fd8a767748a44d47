package credentials_test

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// lookup looks credential id up from addr and reports whether the
// per-address limit refused it, with the Retry-After seconds; any other
// error fails the test.
func (f *fixture) lookup(svc *credentials.Service, addr string, id portal.CredentialID) (refused bool, retryAfter int) {
	f.t.Helper()
	_, err := svc.Lookup(f.ctx, addr, id)
	var pe *portal.Error
	if errors.As(err, &pe) && pe.Code == portal.ERateLimited {
		return true, pe.Data["RetryAfter"].(int)
	}
	if err != nil {
		f.t.Fatalf("lookup from %s: %v", addr, err)
	}
	return false, 0
}

// storedLookups is the shared counter of addr's lookups in the current
// window.
func (f *fixture) storedLookups(addr string) int {
	f.t.Helper()
	return f.count(`SELECT COALESCE(SUM(count), 0) FROM rate_limits WHERE bucket = ?`, "credentials-verify-ip:"+addr)
}

// TestLookupLimitOnOneInstanceIsExactAndRarelyWritten (RL-01): one
// instance lets an address make VerifyLimit.Max lookups a window and
// refuses the next with the seconds left in the window, as when every
// lookup was stored; a visitor making fewer than a batch of lookups writes
// nothing, and the shared counter is written once a batch and when the
// address goes over the limit; the next window starts again.
func TestLookupLimitOnOneInstanceIsExactAndRarelyWritten(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.issue(f.earned())
		f.clock.Set(fixtureNow.Add(15 * time.Second)) // 45 s left in the window

		for range credentials.LookupBatch - 1 {
			if refused, _ := f.lookup(f.svc, "192.0.2.1", c.CredentialID); refused {
				t.Fatal("a visitor's few lookups were refused")
			}
		}
		if n := f.storedLookups("192.0.2.1"); n != 0 {
			t.Errorf("stored count %d after %d lookups, want nothing written yet", n, credentials.LookupBatch-1)
		}

		for i := credentials.LookupBatch - 1; i < credentials.VerifyLimit.Max; i++ {
			if refused, _ := f.lookup(f.svc, "192.0.2.2", c.CredentialID); refused {
				t.Fatalf("lookup %d of %d refused", i+1, credentials.VerifyLimit.Max)
			}
		}
		for range credentials.LookupBatch - 1 {
			f.lookup(f.svc, "192.0.2.2", c.CredentialID)
		}
		// 60 lookups from 192.0.2.2 so far.
		if n, want := f.storedLookups("192.0.2.2"), credentials.VerifyLimit.Max/credentials.LookupBatch*credentials.LookupBatch; n != want {
			t.Errorf("stored count %d after %d lookups, want %d (whole batches)", n, credentials.VerifyLimit.Max, want)
		}
		refused, secs := f.lookup(f.svc, "192.0.2.2", c.CredentialID)
		if !refused || secs != 45 {
			t.Fatalf("lookup %d: refused %v, Retry-After %d; want refused, 45", credentials.VerifyLimit.Max+1, refused, secs)
		}
		if n := f.storedLookups("192.0.2.2"); n != credentials.VerifyLimit.Max+1 {
			t.Errorf("stored count %d once over the limit, want %d", n, credentials.VerifyLimit.Max+1)
		}
		if refused, _ := f.lookup(f.svc, "192.0.2.2", c.CredentialID); !refused {
			t.Error("a lookup after the refusal was let through")
		}
		if refused, _ := f.lookup(f.svc, "192.0.2.3", c.CredentialID); refused {
			t.Error("another address was refused")
		}

		f.clock.Set(fixtureNow.Add(credentials.VerifyLimit.Window))
		if refused, _ := f.lookup(f.svc, "192.0.2.2", c.CredentialID); refused {
			t.Error("refused in the next window")
		}
	})
}

// TestLookupLimitIsSharedByInstances (RL-01): lookups spread over two
// instances on one database are refused once their sum passes the limit,
// give or take the lookups each has not written yet (at most a batch),
// and never before the limit; then both refuse.
func TestLookupLimitIsSharedByInstances(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.issue(f.earned())
		other := credentials.New(f.st, f.clock, slog.New(slog.DiscardHandler), credentials.Config{
			BaseURL: "https://certs.example.org", SecretKey: secretKey, ProgramName: "Cloud Certification Program"})
		instances := []*credentials.Service{f.svc, other}

		allowed := 0
		for i := 0; ; i++ {
			if refused, _ := f.lookup(instances[i%2], "198.51.100.7", c.CredentialID); refused {
				break
			}
			allowed++
			if allowed > 2*credentials.VerifyLimit.Max {
				t.Fatal("never refused")
			}
		}
		if allowed < credentials.VerifyLimit.Max || allowed > credentials.VerifyLimit.Max+2*credentials.LookupBatch {
			t.Errorf("%d lookups allowed over two instances, want %d to %d", allowed, credentials.VerifyLimit.Max,
				credentials.VerifyLimit.Max+2*credentials.LookupBatch)
		}
		// Each instance refuses by its next write at the latest: a batch.
		for i, svc := range instances {
			refused := false
			for range credentials.LookupBatch {
				refused, _ = f.lookup(svc, "198.51.100.7", c.CredentialID)
			}
			if !refused {
				t.Errorf("instance %d still lets the address through", i+1)
			}
		}
	})
}
