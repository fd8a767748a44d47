package testutil

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"
)

// StripeMockModule is the stripe-mock that StripeMock installs when none
// is found; .ci/run installs the same version.
const StripeMockModule = "github.com/stripe/stripe-mock@v0.203.0"

var stripeMockInstall struct {
	once sync.Once
	path string
	err  error
}

// StripeMock starts stripe-mock on a free 127.0.0.1 port for the test and
// returns its base URL (http://127.0.0.1:PORT). stripe-mock is stateless:
// it validates each request against Stripe's OpenAPI spec and answers with
// a fixture, echoing some parameters; it never sends webhooks (see
// StripeEvent).
//
// The binary is found on PATH or in $(go env GOBIN) or $(go env GOPATH)/bin;
// if absent it is installed once with `go install StripeMockModule`. If it
// still cannot run the test is skipped, or fails when CI=true.
func StripeMock(tb testing.TB) string {
	tb.Helper()
	bin, err := stripeMockBinary()
	if err != nil {
		stripeMockUnavailable(tb, err)
		return ""
	}
	// Both listeners on loopback with a port the kernel picks: -http-addr
	// alone still starts the HTTPS listener on *:12112 (stripe-mock
	// v0.203.0 only drops it for -http, -http-port or -http-unix).
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("stripe-mock: %v", err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		stripeMockUnavailable(tb, fmt.Errorf("start %s: %w", bin, err))
		return ""
	}
	exited := make(chan struct{})
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	// stripe-mock prints "Listening for HTTP at address: 127.0.0.1:PORT"
	// once its listener is bound.
	const prefix = "Listening for HTTP at address: "
	addrc := make(chan string, 1)
	var out lockedBuffer
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if addr, ok := strings.CutPrefix(line, prefix); ok {
				select {
				case addrc <- strings.TrimSpace(addr):
				default:
				}
			}
			if out.Len() < 4096 {
				fmt.Fprintln(&out, line)
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		_ = cmd.Wait()
	}()

	var addr string
	select {
	case addr = <-addrc:
	case <-exited:
		stripeMockUnavailable(tb, fmt.Errorf("%s exited before listening:\n%s%s", bin, out.String(), stderr.String()))
		return ""
	case <-time.After(30 * time.Second):
		tb.Fatalf("stripe-mock: not listening after 30s:\n%s%s", out.String(), stderr.String())
	}
	if host, _, err := net.SplitHostPort(addr); err != nil || host != "127.0.0.1" {
		tb.Fatalf("stripe-mock: listens on %q, want 127.0.0.1", addr)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("stripe-mock: %s accepts no connections: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return "http://" + addr
}

// stripeMockUnavailable skips the test, or fails it in CI.
func stripeMockUnavailable(tb testing.TB, err error) {
	tb.Helper()
	if CI() {
		tb.Fatalf("CI=true and stripe-mock cannot run (%v): the Stripe tests are mandatory in CI", err)
	}
	tb.Skipf("stripe-mock cannot run, skipping: %v", err)
}

// stripeMockBinary finds stripe-mock, installing it once per test binary
// when it is nowhere.
func stripeMockBinary() (string, error) {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	if p := goBinPath("stripe-mock"); p != "" {
		return p, nil
	}
	stripeMockInstall.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "install", StripeMockModule)
		// Outside the module, so its go.mod and GOFLAGS=-mod=… play no part.
		cmd.Dir = os.TempDir()
		out, err := cmd.CombinedOutput()
		if err != nil {
			stripeMockInstall.err = fmt.Errorf("go install %s: %v\n%s", StripeMockModule, err, out)
			return
		}
		if stripeMockInstall.path = goBinPath("stripe-mock"); stripeMockInstall.path == "" {
			stripeMockInstall.err = fmt.Errorf("go install %s: no binary in GOBIN or GOPATH/bin", StripeMockModule)
		}
	})
	return stripeMockInstall.path, stripeMockInstall.err
}

// goBinPath returns the executable name in $(go env GOBIN) or the first
// $(go env GOPATH)/bin, or "".
func goBinPath(name string) string {
	out, err := exec.Command("go", "env", "-json", "GOBIN", "GOPATH").Output()
	if err != nil {
		return ""
	}
	var env struct{ GOBIN, GOPATH string }
	if err := json.Unmarshal(out, &env); err != nil {
		return ""
	}
	var dirs []string
	if env.GOBIN != "" {
		dirs = append(dirs, env.GOBIN)
	}
	if gopath := filepath.SplitList(env.GOPATH); len(gopath) > 0 && gopath[0] != "" {
		dirs = append(dirs, filepath.Join(gopath[0], "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// StripeEventData describes a webhook event about a Checkout Session. An
// empty ID or SessionID gets a random one; an empty PaymentIntent is sent
// as null; an empty PaymentStatus is "unpaid".
type StripeEventData struct {
	ID            string // evt_…
	Type          string // e.g. checkout.session.completed
	Reference     string // client_reference_id and metadata["payment"]
	SessionID     string // cs_…
	PaymentIntent string // pi_…
	PaymentStatus string // paid, unpaid, no_payment_required
	Currency      string // sent lower-case, as Stripe does
	AmountMinor   int64  // amount_total
}

// StripeEvent returns a signed webhook payload and its Stripe-Signature
// header for an event of type e.Type about a Checkout Session, created and
// signed at at, with the API version stripe-go expects (stripe.APIVersion).
func StripeEvent(tb testing.TB, secret string, e StripeEventData, at time.Time) (payload []byte, header string) {
	tb.Helper()
	if e.Type == "" {
		tb.Fatalf("StripeEvent: no event type")
	}
	if e.ID == "" {
		e.ID = "evt_test_" + randomHex(12)
	}
	if e.SessionID == "" {
		e.SessionID = "cs_test_" + randomHex(12)
	}
	if e.PaymentStatus == "" {
		e.PaymentStatus = "unpaid"
	}
	status := "open"
	switch e.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed":
		status = "complete"
	case "checkout.session.expired":
		status = "expired"
	}
	var pi any // null unless set
	if e.PaymentIntent != "" {
		pi = e.PaymentIntent
	}
	var ref any
	metadata := map[string]string{}
	if e.Reference != "" {
		ref = e.Reference
		metadata["payment"] = e.Reference
	}
	session := map[string]any{
		"id":                  e.SessionID,
		"object":              "checkout.session",
		"amount_subtotal":     e.AmountMinor,
		"amount_total":        e.AmountMinor,
		"client_reference_id": ref,
		"created":             at.Add(-10 * time.Minute).Unix(),
		"currency":            strings.ToLower(e.Currency),
		"expires_at":          at.Add(50 * time.Minute).Unix(),
		"livemode":            false,
		"metadata":            metadata,
		"mode":                "payment",
		"payment_intent":      pi,
		"payment_status":      e.PaymentStatus,
		"status":              status,
		"url":                 nil,
	}
	event := map[string]any{
		"id":               e.ID,
		"object":           "event",
		"api_version":      stripe.APIVersion,
		"created":          at.Unix(),
		"data":             map[string]any{"object": session},
		"livemode":         false,
		"pending_webhooks": 1,
		"request":          map[string]any{"id": nil, "idempotency_key": nil},
		"type":             e.Type,
	}
	payload, err := json.Marshal(event)
	if err != nil {
		tb.Fatalf("StripeEvent: %v", err)
	}
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at})
	return signed.Payload, signed.Header
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// lockedBuffer is a bytes.Buffer safe for one writer and other readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
