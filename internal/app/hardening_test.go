package app_test

import (
	"net"
	"strings"
	"testing"

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
	if b := body(t, resp); resp.StatusCode != 200 || b != "ok\n" {
		t.Fatalf("GET /healthz beside 200 slow clients: %d %q", resp.StatusCode, b)
	}
}
