package uploads_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.org/certportal/internal/uploads"
)

// fakeClamd is a clamd on 127.0.0.1 that speaks INSTREAM: it checks the
// command, reads the length-framed chunks up to the zero length, and
// answers FOUND when the stream holds the EICAR string, else OK.
type fakeClamd struct {
	ln        net.Listener
	conns     atomic.Int64
	dropFirst int64 // close this many connections at once
	silent    bool  // read everything, never answer
	reply     string
	mu        sync.Mutex
	chunks    []int // sizes of the chunks of the last stream
	received  []byte
}

func startFakeClamd(t *testing.T, c *fakeClamd) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.ln = ln
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go c.serve(t, conn)
		}
	}()
	return ln.Addr().String()
}

func (c *fakeClamd) serve(t *testing.T, conn net.Conn) {
	defer conn.Close()
	if c.conns.Add(1) <= c.dropFirst {
		return
	}
	r := bufio.NewReader(conn)
	cmd, err := r.ReadString(0)
	if err != nil || cmd != "zINSTREAM\x00" {
		t.Errorf("command %q, %v", cmd, err)
		return
	}
	var data []byte
	var chunks []int
	for {
		var size [4]byte
		if _, err := io.ReadFull(r, size[:]); err != nil {
			t.Errorf("chunk length: %v", err)
			return
		}
		n := binary.BigEndian.Uint32(size[:])
		if n == 0 {
			break
		}
		chunks = append(chunks, int(n))
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			t.Errorf("chunk: %v", err)
			return
		}
		data = append(data, buf...)
	}
	c.mu.Lock()
	c.chunks, c.received = chunks, data
	c.mu.Unlock()
	if c.silent {
		time.Sleep(5 * time.Second)
		return
	}
	reply := "stream: OK\x00"
	switch {
	case c.reply != "":
		reply = c.reply
	case bytes.Contains(data, []byte(eicarString)):
		reply = "stream: Win.Test.EICAR_HDB-1 FOUND\x00"
	}
	_, _ = conn.Write([]byte(reply))
}

// TestClamdSpeaksINSTREAM: the adapter sends the file in length-framed
// chunks ended by a zero length and reads clamd's verdict; a refused
// connection is tried again (bounded), a silent clamd times out, an
// error reply is an error, never a clean verdict.
func TestClamdSpeaksINSTREAM(t *testing.T) {
	ctx := context.Background()
	file := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80000 bytes: three chunks

	t.Run("clean file in chunks", func(t *testing.T) {
		srv := &fakeClamd{}
		c := &uploads.Clamd{Addr: startFakeClamd(t, srv), Timeout: 5 * time.Second}
		v, err := c.Scan(ctx, bytes.NewReader(file))
		if err != nil || v.Infected {
			t.Fatalf("verdict %+v, %v", v, err)
		}
		srv.mu.Lock()
		defer srv.mu.Unlock()
		if !bytes.Equal(srv.received, file) {
			t.Errorf("clamd received %d bytes, want the %d of the file", len(srv.received), len(file))
		}
		if len(srv.chunks) != 3 || srv.chunks[0] != 32<<10 || srv.chunks[2] != len(file)-2*(32<<10) {
			t.Errorf("chunks %v", srv.chunks)
		}
	})
	t.Run("EICAR found", func(t *testing.T) {
		c := &uploads.Clamd{Addr: startFakeClamd(t, &fakeClamd{}), Timeout: 5 * time.Second}
		v, err := c.Scan(ctx, strings.NewReader("%PDF-1.4 "+eicarString))
		if err != nil || !v.Infected || v.Signature != "Win.Test.EICAR_HDB-1" {
			t.Fatalf("verdict %+v, %v", v, err)
		}
	})
	t.Run("dropped connections retried", func(t *testing.T) {
		srv := &fakeClamd{dropFirst: 2}
		c := &uploads.Clamd{Addr: startFakeClamd(t, srv), Timeout: 5 * time.Second, Backoff: time.Millisecond}
		v, err := c.Scan(ctx, bytes.NewReader(file))
		if err != nil || v.Infected || srv.conns.Load() != 3 {
			t.Fatalf("verdict %+v, %v after %d connections", v, err, srv.conns.Load())
		}
	})
	t.Run("retries are bounded", func(t *testing.T) {
		srv := &fakeClamd{dropFirst: 100}
		c := &uploads.Clamd{Addr: startFakeClamd(t, srv), Timeout: 5 * time.Second, Attempts: 3, Backoff: time.Millisecond}
		if _, err := c.Scan(ctx, bytes.NewReader(file)); err == nil {
			t.Fatal("no error after every connection dropped")
		}
		if n := srv.conns.Load(); n != 3 {
			t.Errorf("%d connections, want 3", n)
		}
	})
	t.Run("silent clamd times out", func(t *testing.T) {
		c := &uploads.Clamd{Addr: startFakeClamd(t, &fakeClamd{silent: true}), Timeout: 200 * time.Millisecond, Attempts: 1}
		start := time.Now()
		_, err := c.Scan(ctx, bytes.NewReader(file))
		var ne net.Error
		if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("err = %v, want a timeout", err)
		}
		if time.Since(start) > 3*time.Second {
			t.Error("the timeout did not hold")
		}
	})
	t.Run("error reply", func(t *testing.T) {
		c := &uploads.Clamd{Addr: startFakeClamd(t, &fakeClamd{reply: "INSTREAM size limit exceeded. ERROR\x00"}), Attempts: 1}
		if v, err := c.Scan(ctx, bytes.NewReader(file)); err == nil || v.Infected {
			t.Fatalf("verdict %+v, %v; want an error", v, err)
		}
	})
	t.Run("nobody listening", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		c := &uploads.Clamd{Addr: addr, Attempts: 2, Backoff: time.Millisecond}
		if _, err := c.Scan(ctx, bytes.NewReader(file)); err == nil {
			t.Fatal("no error")
		}
	})
}
