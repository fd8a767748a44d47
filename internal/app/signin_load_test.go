package app_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/testutil/apptest"
)

// TestSignInLoad is the sign-in load test of docs/benchmarks.md. It runs
// only when CERTPORTAL_LOADTEST_BIN names a built certportal binary, so
// `go test ./...` skips it:
//
//	go build -o /tmp/certportal ./cmd/certportal
//	CERTPORTAL_LOADTEST_BIN=/tmp/certportal go test -count 1 -run '^TestSignInLoad$' -v -timeout 10m ./internal/app/
//
// It first times argon2id with the production parameters in this process
// (one hash at a time, median of 10; then two hashers for 5 s, as in the
// shared baseline), then runs `certportal serve --demo` on SQLite in a
// temporary directory on 127.0.0.1 to load the demo data and read the demo
// candidate's printed password, stops it, serves the same directory with
// `certportal serve` (not in development mode), and releases
// CERTPORTAL_LOADTEST_N (default 500) sign-ins at once with that correct
// password, each on its own connection. Sign-in allows 30 attempts per
// client IP per 10 minutes, so the sign-ins come from
// CERTPORTAL_LOADTEST_PER_IP (default 25) per source address, 127.0.0.2
// upwards (Linux routes all of 127.0.0.0/8 to lo; the server trusts no
// proxy, so each address is a client). Correct passwords never lock the
// account.
//
// It reports the rate, latency, the server's CPU and its peak resident
// memory (VmHWM, reset through /proc/PID/clear_refs just before the burst)
// and fails only when a sign-in does not succeed or the peak exceeds 1 GiB,
// which would mean the hasher's cap of 2 concurrent hashes no longer holds
// (500 uncapped hashes need 500 × 64 MiB). Timings are never asserted.
func TestSignInLoad(t *testing.T) {
	bin := os.Getenv("CERTPORTAL_LOADTEST_BIN")
	if bin == "" {
		t.Skip("set CERTPORTAL_LOADTEST_BIN to a built certportal binary to run the sign-in load test")
	}
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux: /proc and the whole 127.0.0.0/8 on loopback")
	}
	n := loadEnvInt(t, "CERTPORTAL_LOADTEST_N", 500)
	perIP := loadEnvInt(t, "CERTPORTAL_LOADTEST_PER_IP", 25)
	if n < 1 || perIP < 1 || perIP > accounts.LimitSignInPerIP.Max {
		t.Fatalf("N %d, PER_IP %d: want N ≥ 1 and 1 ≤ PER_IP ≤ %d (the sign-in limit per IP)", n, perIP, accounts.LimitSignInPerIP.Max)
	}
	nIPs := (n + perIP - 1) / perIP
	if nIPs > 250 {
		t.Fatalf("%d source addresses needed; at most 250 (127.0.0.2–127.0.0.251)", nIPs)
	}

	// 1. argon2id in this run, before the server starts.
	hash := measureArgon2(t, 5*time.Second)

	// 2. The real binary with the demo data, as deployed: --demo implies
	// development mode (templates reparsed on every request, text logs),
	// so the demo data is loaded by one run and served by a second one
	// without it. The SMTP server named for the second run is never
	// reached: a successful sign-in sends no mail.
	dir := t.TempDir()
	demo := startLoadServer(t, bin, dir, nil, "serve", "--demo")
	if demo.email == "" || demo.password == "" {
		t.Fatalf("no demo candidate credentials printed:\n%s", demo.stop(t))
	}
	if log := demo.stop(t); demo.cmd.ProcessState.ExitCode() != 0 {
		t.Fatalf("the --demo run exited with %d:\n%s", demo.cmd.ProcessState.ExitCode(), log)
	}
	srv := startLoadServer(t, bin, dir, []string{"CERTPORTAL_SMTP_URL=smtp://127.0.0.1:1"}, "serve")
	srv.email, srv.password = demo.email, demo.password

	// 3. One sign-in from 127.0.0.1 checks the path (303 to /dashboard,
	// the cookie opens the dashboard) and warms the server's hash memory.
	check := loadClient(net.IPv4(127, 0, 0, 1))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	warm := signInOnce(ctx, check, srv.url, srv.email, srv.password)
	if !warm.ok() {
		t.Fatalf("warm-up sign-in: %s\nserver log:\n%s", warm.describe(), srv.stop(t))
	}
	if code := getDashboard(ctx, check, srv.url, warm.cookie); code != http.StatusOK {
		t.Fatalf("GET /dashboard with the warm-up cookie: %d", code)
	}

	// 4. The burst.
	clients := make([]*http.Client, nIPs)
	for i := range clients {
		clients[i] = loadClient(net.IPv4(127, 0, 0, byte(2+i)))
	}
	results := make([]signInResult, n)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-release
			results[i] = signInOnce(ctx, clients[i/perIP], srv.url, srv.email, srv.password)
		})
	}
	runtime.Gosched()
	rssBefore := procKiB(t, srv.pid, "VmRSS")
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", srv.pid), []byte("5"), 0); err != nil {
		t.Fatalf("reset the server's peak RSS: %v", err)
	}
	cpu0 := procCPUTicks(t, srv.pid)
	sampled := make(chan int64, 1)
	stopSampling := make(chan struct{})
	go func() { // the largest VmRSS seen, as a cross-check of VmHWM
		var most int64
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if v := procKiB(t, srv.pid, "VmRSS"); v > most {
				most = v
			}
			select {
			case <-stopSampling:
				sampled <- most
				return
			case <-tick.C:
			}
		}
	}()
	t0 := time.Now()
	close(release)
	wg.Wait()
	close(stopSampling)
	cpu := float64(procCPUTicks(t, srv.pid)-cpu0) / clockTicks
	peak := procKiB(t, srv.pid, "VmHWM")
	rssAfter := procKiB(t, srv.pid, "VmRSS")
	maxSampled := <-sampled

	// 5. Check every answer.
	var (
		lat                      []time.Duration
		end, lastWrite, firstRsp time.Time
		failures                 = map[string]int{}
		cookies                  = map[string]bool{}
	)
	for _, r := range results {
		if !r.ok() {
			failures[r.describe()]++
			continue
		}
		cookies[r.cookie] = true
		lat = append(lat, r.end.Sub(r.start))
		if r.end.After(end) {
			end = r.end
		}
		if r.wrote.After(lastWrite) {
			lastWrite = r.wrote
		}
		if firstRsp.IsZero() || r.end.Before(firstRsp) {
			firstRsp = r.end
		}
	}
	for what, count := range failures {
		t.Errorf("%d of %d sign-ins: %s", count, n, what)
	}
	if len(cookies) != len(lat) {
		t.Errorf("%d distinct session cookies for %d sign-ins", len(cookies), len(lat))
	}
	if last := results[n-1]; last.ok() {
		if code := getDashboard(ctx, check, srv.url, last.cookie); code != http.StatusOK {
			t.Errorf("GET /dashboard with the last burst cookie: %d", code)
		}
	}
	log := srv.stop(t)
	if t.Failed() {
		t.Logf("server log (tail):\n%s", tail(log, 4000))
	}
	if len(lat) == 0 {
		t.Fatal("no sign-in succeeded")
	}

	// 6. Report.
	slices.Sort(lat)
	wall := end.Sub(t0)
	rate := float64(len(lat)) / wall.Seconds()
	cores := runtime.NumCPU()
	ideal := float64(cores) / hash.one.Seconds()
	const mib = 1024.0
	t.Logf("sign-in load test: %d sign-ins released at once, %d per source address from 127.0.0.2 to 127.0.0.%d, one connection each", n, perIP, 1+nIPs)
	t.Logf("  all %d requests written within %v of the release; first answer after %v", len(lat), lastWrite.Sub(t0).Round(time.Millisecond), firstRsp.Sub(t0).Round(time.Millisecond))
	t.Logf("  succeeded          %d of %d (303 to /dashboard with a new session cookie)", len(lat), n)
	t.Logf("  total time         %.2f s", wall.Seconds())
	t.Logf("  rate               %.2f sign-ins/s", rate)
	t.Logf("  latency            p50 %.2f s, p99 %.2f s, max %.2f s", pct(lat, 0.50).Seconds(), pct(lat, 0.99).Seconds(), lat[len(lat)-1].Seconds())
	t.Logf("  server CPU         %.2f s = %.2f of %d cores", cpu, cpu/wall.Seconds(), cores)
	t.Logf("  server RSS         %.0f MiB before; peak (VmHWM) %.0f MiB; largest sampled %.0f MiB; %.0f MiB after", float64(rssBefore)/mib, float64(peak)/mib, float64(maxSampled)/mib, float64(rssAfter)/mib)
	t.Logf("  uncapped estimate  %d × 64 MiB = %.0f MiB; measured peak is %.3f of it", n, float64(n)*64, float64(peak)/mib/(float64(n)*64))
	t.Logf("argon2id in this run (t=3, m=64 MiB, p=2, this test process):")
	t.Logf("  one hash           %.1f ms (median of 10) → %d cores ÷ one hash = %.1f hash/s", ms(hash.one), cores, ideal)
	t.Logf("  2 hashers, 5 s     %.2f hash/s; peak RSS %.0f MiB (%.0f MiB before)", hash.pairRate, float64(hash.pairPeak)/mib, float64(hash.pairBefore)/mib)
	t.Logf("ratios:")
	t.Logf("  rate ÷ (cores ÷ one hash)       %.2f", rate/ideal)
	t.Logf("  rate ÷ 2 concurrent hashers     %.2f", rate/hash.pairRate)
	t.Logf("  server peak RSS ÷ 2 hashers'    %.2f", float64(peak)/float64(hash.pairPeak))

	if peak > 1<<20 { // KiB
		t.Errorf("server peak RSS %.0f MiB under %d concurrent sign-ins exceeds 1 GiB: the cap on concurrent hashes is not holding", float64(peak)/mib, n)
	}
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat:
// 100 on every Linux architecture Go supports.
const clockTicks = 100

type argon2Figures struct {
	one                  time.Duration
	pairRate             float64
	pairPeak, pairBefore int64 // KiB
}

// measureArgon2 times the production hash here, as the baseline does: one
// at a time (median of 10), then two goroutines back to back for window,
// counting the hashes that end within it, with this process's peak RSS.
func measureArgon2(t *testing.T, window time.Duration) argon2Figures {
	t.Helper()
	ctx := context.Background()
	const pw = "correct horse battery staple"
	one := accounts.NewHasher(accounts.DefaultHashParams, 1)
	var times []time.Duration
	for range 10 {
		t0 := time.Now()
		if _, err := one.Hash(ctx, pw); err != nil {
			t.Fatal(err)
		}
		times = append(times, time.Since(t0))
	}
	slices.Sort(times)
	var f argon2Figures
	f.one = (times[4] + times[5]) / 2

	runtime.GC()
	debug.FreeOSMemory()
	f.pairBefore = procKiB(t, os.Getpid(), "VmRSS")
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	two := accounts.NewHasher(accounts.DefaultHashParams, 2)
	deadline := time.Now().Add(window)
	var (
		mu    sync.Mutex
		count int
		wg    sync.WaitGroup
	)
	for range 2 {
		wg.Go(func() {
			for {
				if _, err := two.Hash(ctx, pw); err != nil {
					t.Error(err)
					return
				}
				if time.Now().After(deadline) {
					return
				}
				mu.Lock()
				count++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	f.pairRate = float64(count) / window.Seconds()
	f.pairPeak = procKiB(t, os.Getpid(), "VmHWM")
	runtime.GC()
	debug.FreeOSMemory()
	return f
}

type loadServer struct {
	cmd             *exec.Cmd
	pid             int
	url             string
	email, password string
	stderr          bytes.Buffer
	done            chan struct{}
	once            sync.Once
	log             string
}

var (
	listeningOn = regexp.MustCompile(`listening on (http://\S+)`)
)

// startLoadServer runs bin with args on 127.0.0.1 with the data directory
// dir, env and no other CERTPORTAL_* settings from the environment, and
// waits until it prints its URL. Its log (stderr) is kept in memory; the
// test stops it at the end.
func startLoadServer(t *testing.T, bin, dir string, env []string, args ...string) *loadServer {
	t.Helper()
	s := &loadServer{done: make(chan struct{})}
	s.cmd = exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CERTPORTAL_") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	s.cmd.Env = append(s.cmd.Env, "CERTPORTAL_DATA_DIR="+dir, "CERTPORTAL_ADDR=127.0.0.1:0")
	s.cmd.Env = append(s.cmd.Env, env...)
	s.cmd.Stderr = &s.stderr
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	s.pid = s.cmd.Process.Pid
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.stop(t) })

	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			if m := apptest.DemoCandidateRe.FindStringSubmatch(line); m != nil {
				s.email, s.password = m[1], m[2]
			}
			if m := listeningOn.FindStringSubmatch(line); m != nil && !signalled {
				s.url = m[1]
				signalled = true
				close(ready)
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case <-ready:
	case <-s.done:
		t.Fatalf("the server exited before listening:\n%s", s.stderr.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("the server did not print its URL within 2 minutes:\n%s", s.stop(t))
	}
	return s
}

// stop ends the server with SIGTERM (SIGKILL after 30 s) and returns its
// log. It is safe to call more than once.
func (s *loadServer) stop(t *testing.T) string {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Errorf("the server did not stop within 30 s of SIGTERM; killing it")
			_ = s.cmd.Process.Kill()
			<-s.done
		}
		s.log = s.stderr.String()
	})
	return s.log
}

// loadClient is an HTTP client whose connections start from ip, one
// connection per request, that does not follow redirects.
func loadClient(ip net.IP) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 10 * time.Second}
	return &http.Client{
		Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true},
		Timeout:   3 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

type signInResult struct {
	start, wrote, end time.Time
	status            int
	location, cookie  string
	err               error
}

func (r signInResult) ok() bool {
	return r.err == nil && r.status == http.StatusSeeOther && r.location == "/dashboard" && r.cookie != ""
}

func (r signInResult) describe() string {
	if r.err != nil {
		return "error: " + r.err.Error()
	}
	return fmt.Sprintf("status %d, Location %q, session cookie set %v", r.status, r.location, r.cookie != "")
}

// signInOnce posts the sign-in form as a browser on the same origin would.
func signInOnce(ctx context.Context, c *http.Client, base, email, password string) signInResult {
	var r signInResult
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { r.wrote = time.Now() }}
	form := url.Values{"email": {email}, "password": {password}}.Encode()
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, base+"/signin", strings.NewReader(form))
	if err != nil {
		r.err = err
		return r
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	r.start = time.Now()
	resp, err := c.Do(req)
	if err != nil {
		r.err, r.end = err, time.Now()
		return r
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	r.end = time.Now()
	r.status, r.location = resp.StatusCode, resp.Header.Get("Location")
	for _, ck := range resp.Cookies() {
		if ck.Name == "certportal_session" && ck.Value != "" {
			r.cookie = ck.Value
		}
	}
	return r
}

func getDashboard(ctx context.Context, c *http.Client, base, cookie string) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/dashboard", nil)
	if err != nil {
		return 0
	}
	req.AddCookie(&http.Cookie{Name: "certportal_session", Value: cookie})
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// procKiB reads a "kB" field of /proc/PID/status.
func procKiB(t *testing.T, pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Errorf("read /proc/%d/status: %v", pid, err)
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			v, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Errorf("%s in /proc/%d/status: %v", field, pid, err)
			}
			return v
		}
	}
	t.Errorf("no %s in /proc/%d/status", field, pid)
	return 0
}

// procCPUTicks is utime + stime of /proc/PID/stat, in clockTicks.
func procCPUTicks(t *testing.T, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Errorf("read /proc/%d/stat: %v", pid, err)
		return 0
	}
	// The command name (field 2) may hold spaces; count from after it.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	// fields[0] is field 3 (state); utime and stime are fields 14 and 15.
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		t.Errorf("parse /proc/%d/stat: %v %v", pid, err1, err2)
	}
	return utime + stime
}

func loadEnvInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// pct is the q-quantile of sorted durations (nearest rank).
func pct(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
