package accounts

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestHasherCapsConcurrentHashes: however many sign-ins arrive at once, no
// more than the cap hash at the same time, so memory stays bounded
// (SECURITY.md RL-02).
func TestHasherCapsConcurrentHashes(t *testing.T) {
	h := NewHasher(DefaultHashParams, 2)
	var inFlight, peak atomic.Int32
	proceed := make(chan struct{})
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.acquire(context.Background()); err != nil {
				t.Error(err)
				return
			}
			n := inFlight.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			<-proceed
			inFlight.Add(-1)
			h.release()
		}()
	}
	waitUntil(t, func() bool { return inFlight.Load() >= 2 })
	for range 1000 {
		runtime.Gosched() // let the other 48 try their luck
	}
	if n := inFlight.Load(); n != 2 {
		t.Fatalf("%d hashes in flight with a cap of 2", n)
	}
	close(proceed)
	wg.Wait()
	if p := peak.Load(); p != 2 {
		t.Fatalf("peak concurrent hashes = %d, want 2", p)
	}
}

// TestHasherGivesUpWhenTheRequestIsCancelled: a queued hash does not wait
// past its request.
func TestHasherGivesUpWhenTheRequestIsCancelled(t *testing.T) {
	h := NewHasher(DefaultHashParams, 1)
	if err := h.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer h.release()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "Corr3ct-horse"); err == nil {
		t.Fatal("Hash succeeded while the only slot was taken")
	}
}

// TestHasherRefusesBeyondItsQueue: past the queue bound a caller is told
// at once to retry rather than waiting past the server's write timeout.
func TestHasherRefusesBeyondItsQueue(t *testing.T) {
	h := NewHasher(DefaultHashParams, 1)
	h.maxWait = 2
	if err := h.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	queued := make(chan error, 2)
	for range 2 {
		go func() { queued <- h.acquire(ctx) }()
	}
	waitUntil(t, func() bool { return h.waiting.Load() >= 2 })
	if err := h.acquire(context.Background()); err != ErrBusy {
		t.Fatalf("third waiter: err = %v, want ErrBusy", err)
	}
	cancel()
	for range 2 {
		if err := <-queued; err == nil {
			h.release()
		}
	}
	h.release()
	if n := h.waiting.Load(); n != 0 {
		t.Fatalf("%d callers still counted as waiting", n)
	}
}

// waitUntil yields until cond holds, failing after 10 s instead of hanging.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 10 s")
		}
		runtime.Gosched()
	}
}
