package app_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/app"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil/apptest"
)

// TestSlowClientsDoNotStarveOthers holds 200 connections open with
// half-sent headers (slowloris) and checks a normal request still gets its
// answer (SECURITY.md RL-02). The server's header timeout then closes them.
func TestSlowClientsDoNotStarveOthers(t *testing.T) {
	a := apptest.Start(t, store.SQLite)
	addr := strings.TrimPrefix(a.URL, "http://")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 200 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: " + addr + "\r\nX-Slow: ")); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	resp := a.Get(t, a.Client(), "/healthz")
	if b := apptest.Body(t, resp); resp.StatusCode != 200 || b != "ok\n" {
		t.Fatalf("GET /healthz beside 200 slow clients: %d %q", resp.StatusCode, b)
	}
}

// TestMetricsAreNotPublic: without --metrics-addr, /metrics on the main
// listener answers clients on this machine only (a request a local proxy
// forwards for a visitor is a 404); with --metrics-addr it is served there
// and the main listener has no /metrics at all.
func TestMetricsAreNotPublic(t *testing.T) {
	get := func(t *testing.T, url string, headers map[string]string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, apptest.Body(t, resp)
	}
	t.Run("main listener", func(t *testing.T) {
		a := apptest.Start(t, store.SQLite)
		if code, b := get(t, a.URL+"/metrics", nil); code != http.StatusOK || !strings.Contains(b, "go_goroutines") {
			t.Errorf("GET /metrics from loopback: %d", code)
		}
		for _, h := range []map[string]string{
			{"X-Forwarded-For": "198.51.100.9"},
			{"X-Forwarded-For": "127.0.0.1"},
			{"Forwarded": "for=198.51.100.9"},
		} {
			if code, b := get(t, a.URL+"/metrics", h); code != http.StatusNotFound || strings.Contains(b, "go_goroutines") {
				t.Errorf("GET /metrics forwarded by an untrusted local proxy (%v): %d, want 404", h, code)
			}
		}
	})
	t.Run("metrics address", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		metricsAddr := ln.Addr().String()
		ln.Close()
		a := apptest.Start(t, store.SQLite, apptest.WithEnv("CERTPORTAL_METRICS_ADDR", metricsAddr))
		if code, _ := get(t, a.URL+"/metrics", nil); code != http.StatusNotFound {
			t.Errorf("GET /metrics on the main listener with a metrics address: %d, want 404", code)
		}
		if code, b := get(t, "http://"+metricsAddr+"/metrics", nil); code != http.StatusOK || !strings.Contains(b, "go_goroutines") {
			t.Errorf("GET /metrics on the metrics address: %d", code)
		}
	})
}

// TestStalledRequestsAreCut: a connection that sends part of a request line,
// or the headers and part of a body, and then nothing, is closed by the
// server once its header or read timeout has passed (SECURITY.md RL-02).
// The test waits at most a generous multiple of the configured timeouts;
// it measures nothing.
func TestStalledRequestsAreCut(t *testing.T) {
	timeouts := app.ServerTimeouts{ReadHeader: 300 * time.Millisecond, Read: 600 * time.Millisecond, Write: 5 * time.Second, Idle: 5 * time.Second}
	a := apptest.Start(t, store.SQLite, apptest.WithTimeouts(timeouts))
	addr := strings.TrimPrefix(a.URL, "http://")
	bound := 50*timeouts.Read + 10*time.Second
	for _, tc := range []struct{ name, sent string }{
		{"partial request line", "GET /heal"},
		{"partial headers", "GET /healthz HTTP/1.1\r\nHost: " + addr + "\r\nX-Slow: "},
		{"partial body", "POST /signin HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write([]byte(tc.sent)); err != nil {
				t.Fatal(err)
			}
			_ = c.SetReadDeadline(time.Now().Add(bound))
			_, err = io.Copy(io.Discard, c)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the connection was still open after %s (read timeout %s)", bound, timeouts.Read)
			}
		})
	}
}
