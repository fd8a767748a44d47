package uploads

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Scanner looks for malware in a file. A finding is a Verdict with
// Infected set and the scanner's name for it (shown to staff only); an
// error means the scanner could not look (down, timed out), and the file
// stays pending until a later try succeeds.
type Scanner interface {
	Scan(ctx context.Context, r io.ReadSeeker) (Verdict, error)
}

// Verdict is what a scanner found.
type Verdict struct {
	Infected  bool
	Signature string
}

// eicar is the EICAR anti-malware test string: harmless, and reported by
// every scanner as if it were malware.
const eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// EICARScanner is the built-in scanner of tests, --dev and --demo: it
// finds only the EICAR test string, anywhere in the file (so a PDF that
// carries it is caught too). It protects against nothing else.
type EICARScanner struct{}

// Scan looks for the EICAR string, reading in chunks.
func (EICARScanner) Scan(_ context.Context, r io.ReadSeeker) (Verdict, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	buf := make([]byte, 64<<10)
	token := []byte(eicar)
	var tail []byte
	for {
		n, err := br.Read(buf)
		if n > 0 {
			window := append(tail, buf[:n]...)
			if bytes.Contains(window, token) {
				return Verdict{Infected: true, Signature: "Eicar-Test-Signature"}, nil
			}
			if k := len(token) - 1; len(window) > k {
				tail = append(tail[:0], window[len(window)-k:]...)
			} else {
				tail = window
			}
		}
		if err == io.EOF {
			return Verdict{}, nil
		}
		if err != nil {
			return Verdict{}, fmt.Errorf("uploads: eicar scan: %w", err)
		}
	}
}

// Clamd scans through a clamd daemon over TCP with the INSTREAM command:
// the file goes in chunks, each framed by its length as a 4-byte
// big-endian number, ended by a zero length; clamd answers
// "stream: OK" or "stream: <signature> FOUND". Every connection has a
// deadline covering the whole scan; a scan that fails (refused, reset,
// timed out, an error reply) is tried again, from the start of the file,
// up to Attempts times in all with a doubling backoff. After that the
// error goes to the scan job, which River retries later. clamd's
// StreamMaxLength must be at least the upload limit (its default, 25 MB,
// is).
type Clamd struct {
	Addr     string        // host:port
	Timeout  time.Duration // for one whole scan; 0 means 60 s
	Attempts int           // connection attempts; 0 means 3
	Backoff  time.Duration // before the second attempt, doubled after; 0 means 200 ms
}

// chunkSize is the largest INSTREAM chunk sent.
const chunkSize = 32 << 10

// Scan streams r to clamd.
func (c *Clamd) Scan(ctx context.Context, r io.ReadSeeker) (Verdict, error) {
	timeout, attempts, backoff := c.Timeout, c.Attempts, c.Backoff
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	if attempts <= 0 {
		attempts = 3
	}
	if backoff <= 0 {
		backoff = 200 * time.Millisecond
	}
	var lastErr error
	for i := range attempts {
		if i > 0 {
			select {
			case <-ctx.Done():
				return Verdict{}, errors.Join(lastErr, ctx.Err())
			case <-time.After(backoff << (i - 1)):
			}
		}
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return Verdict{}, fmt.Errorf("uploads: clamd: rewind: %w", err)
		}
		v, err := c.scanOnce(ctx, r, timeout)
		if err == nil {
			return v, nil
		}
		lastErr = err
	}
	return Verdict{}, fmt.Errorf("uploads: clamd at %s after %d attempts: %w", c.Addr, attempts, lastErr)
}

func (c *Clamd) scanOnce(ctx context.Context, r io.Reader, timeout time.Duration) (Verdict, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return Verdict{}, err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return Verdict{}, err
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	w := bufio.NewWriterSize(conn, chunkSize+4)
	if _, err := w.WriteString("zINSTREAM\x00"); err != nil {
		return Verdict{}, err
	}
	buf := make([]byte, chunkSize)
	var size [4]byte
	for {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			binary.BigEndian.PutUint32(size[:], uint32(n))
			if _, err := w.Write(size[:]); err != nil {
				return Verdict{}, err
			}
			if _, err := w.Write(buf[:n]); err != nil {
				return Verdict{}, err
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return Verdict{}, fmt.Errorf("read file: %w", rerr)
		}
	}
	binary.BigEndian.PutUint32(size[:], 0)
	if _, err := w.Write(size[:]); err != nil {
		return Verdict{}, err
	}
	if err := w.Flush(); err != nil {
		return Verdict{}, err
	}
	reply, err := bufio.NewReader(io.LimitReader(conn, 4096)).ReadString(0)
	if err != nil && !(err == io.EOF && reply != "") {
		return Verdict{}, fmt.Errorf("read reply: %w", err)
	}
	return parseClamdReply(strings.TrimRight(reply, "\x00\n"))
}

// parseClamdReply reads "stream: OK", "stream: NAME FOUND" or an error.
func parseClamdReply(reply string) (Verdict, error) {
	body, ok := strings.CutPrefix(reply, "stream: ")
	if !ok {
		return Verdict{}, fmt.Errorf("unexpected reply %q", reply)
	}
	switch {
	case body == "OK":
		return Verdict{}, nil
	case strings.HasSuffix(body, " FOUND"):
		return Verdict{Infected: true, Signature: strings.TrimSuffix(body, " FOUND")}, nil
	default:
		return Verdict{}, fmt.Errorf("clamd: %s", body)
	}
}
