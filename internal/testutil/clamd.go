package testutil

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ClamdEICARSignature is the name under which StartClamd's daemon reports
// the EICAR test string.
const ClamdEICARSignature = "Certportal.Test.EICAR.UNOFFICIAL"

// StartClamd starts a real clamd (Debian's clamav-daemon) on a free
// 127.0.0.1 port for the test and returns its address. Without network
// there are no published signatures, so the daemon loads one of the
// test's own: the EICAR test string anywhere in a file. Without clamd the
// test is skipped, or fails with CI=true, where .ci/run installs it.
func StartClamd(tb testing.TB) string {
	tb.Helper()
	bin, err := exec.LookPath("clamd")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/clamd"); serr == nil {
			bin, err = "/usr/sbin/clamd", nil
		}
	}
	if err != nil {
		if CI() {
			tb.Fatal("clamd not found: the check against a real clamd is mandatory with CI=true; install clamav-daemon")
		}
		tb.Skip("clamd not found: skipped; install clamav-daemon")
	}
	dir := tb.TempDir()
	db := filepath.Join(dir, "db")
	if err := os.Mkdir(db, 0o700); err != nil {
		tb.Fatal(err)
	}
	// An extended signature (.ndb): name, any file type, any offset, bytes.
	sig := "Certportal.Test.EICAR:0:*:" + hex.EncodeToString([]byte("EICAR-STANDARD-ANTIVIRUS-TEST-FILE")) + "\n"
	if err := os.WriteFile(filepath.Join(db, "certportal-test.ndb"), []byte(sig), 0o600); err != nil {
		tb.Fatal(err)
	}
	addr := freeLoopbackPort(tb)
	_, port, _ := net.SplitHostPort(addr)
	conf := filepath.Join(dir, "clamd.conf")
	lines := []string{
		"Foreground yes",
		"TCPAddr 127.0.0.1",
		"TCPSocket " + port,
		"DatabaseDirectory " + db,
		"TemporaryDirectory " + dir,
		"LogFile " + filepath.Join(dir, "clamd.log"),
		"PidFile " + filepath.Join(dir, "clamd.pid"),
		"MaxThreads 2",
	}
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, "--config-file="+conf)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start clamd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "clamd.log"))
			tb.Fatalf("clamd exited (%v):\n%s\n%s", err, out.String(), log)
		default:
		}
		if clamdPong(addr) {
			return addr
		}
		if time.Now().After(deadline) {
			tb.Fatalf("clamd on %s did not answer PING within 30 s:\n%s", addr, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// clamdPong reports whether clamd at addr answers PING.
func clamdPong(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := fmt.Fprint(c, "zPING\x00"); err != nil {
		return false
	}
	reply, err := bufio.NewReader(c).ReadString(0)
	return err == nil && strings.TrimRight(reply, "\x00") == "PONG"
}

// freeLoopbackPort returns a 127.0.0.1 address with a port that was free a
// moment ago, for a program that takes its port as configuration.
func freeLoopbackPort(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		tb.Fatal(err)
	}
	return addr
}
