package mail

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/testutil"
	gomail "github.com/wneessen/go-mail"
)

func TestSingleLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"  two\r\n\r\nlines\t ", "two lines"},
		{"bell\u0007 and nul\x00", "bell and nul"},
		{"rtl\u202Eoverride\u2066iso\u2069", "rtloverrideiso"},
		{"línea\u2028separada\u0085", "línea separada"},
		{"Zoë 日本 👩‍💻", "Zoë 日本 👩‍💻"}, // ZWJ sequences stay
	} {
		if got := singleLine(tc.in); got != tc.want {
			t.Errorf("singleLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHELONameAndLoopback(t *testing.T) {
	for _, tc := range []struct{ base, helo, want string }{
		{"https://cert.example.org", "", "cert.example.org"},
		{"https://cert.example.org:8443/x", "", "cert.example.org"},
		{"http://localhost:8080", "", "certportal.localhost"},
		{"http://127.0.0.1:8080", "", "certportal.localhost"},
		{"http://[::1]:8080", "", "certportal.localhost"},
		{"https://cert.example.org", "mx.example.net", "mx.example.net"},
	} {
		got, err := heloName(Config{BaseURL: tc.base, HELO: tc.helo})
		if err != nil || got != tc.want {
			t.Errorf("heloName(%q, %q) = %q, %v; want %q", tc.base, tc.helo, got, err, tc.want)
		}
	}
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST.": true, "mail.localhost": true, "127.0.0.1": true, "127.9.9.9": true, "::1": true,
		"mailpit": false, "10.0.0.1": false, "localhost.example.org": false, "::": false,
	} {
		if got := isLoopbackHost(host); got != want {
			t.Errorf("isLoopbackHost(%q) = %v", host, got)
		}
	}
}

func TestNewRendererFailsFast(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	layout := fstest.MapFS{
		"templates/layout.txt":  {Data: []byte(`{{template "body" .}}`)},
		"templates/layout.html": {Data: []byte(`<p>{{template "body" .}}</p>`)},
	}
	with := func(files map[string]string) fstest.MapFS {
		fsys := fstest.MapFS{}
		for k, v := range layout {
			fsys[k] = v
		}
		for k, v := range files {
			fsys["templates/"+k] = &fstest.MapFile{Data: []byte(v)}
		}
		return fsys
	}
	body := `{{define "body"}}{{.Subject}}{{end}}`
	for _, tc := range []struct {
		name  string
		files map[string]string
		ok    bool
	}{
		{"complete pair", map[string]string{"test_message.txt": body, "test_message.html": body}, true},
		{"text only", map[string]string{"test_message.txt": body}, false},
		{"html only", map[string]string{"test_message.html": body}, false},
		{"no catalog subject", map[string]string{"no_such_mail.txt": body, "no_such_mail.html": body}, false},
		{"syntax error", map[string]string{"test_message.txt": body, "test_message.html": `{{define "body"}}{{.Subject{{end}}`}, false},
		{"no body", map[string]string{"test_message.txt": body, "test_message.html": `{{define "other"}}{{end}}`}, false},
		{"stray file", map[string]string{"test_message.txt": body, "test_message.html": body, "notes.md": "x"}, false},
	} {
		r, err := newRenderer(with(tc.files), cat, "Acme", "https://portal.example.test")
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
			continue
		}
		if tc.ok {
			got, err := r.Render(Message{To: "a@example.test", Template: "test_message"})
			if err != nil || got.HTML != "<p>Test message from Acme</p>" {
				t.Errorf("%s: %+v, %v", tc.name, got, err)
			}
		}
	}
}

func TestDeliverSendsSeveralMessagesOnOneConnection(t *testing.T) {
	srv := testutil.NewSMTPServer(t)
	s, err := NewSMTPSender(Config{BaseURL: "https://portal.example.test", SMTPURL: srv.URL(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []*gomail.Msg
	for _, to := range []string{"one@example.test", "two@example.test"} {
		m, err := buildMsg(Outgoing{From: "noreply@portal.example.test", To: to, Subject: "to " + to, Text: "hi", HTML: "<p>hi</p>"})
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	if err := s.deliver(context.Background(), "", msgs...); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 2)
	if len(got) != 2 || got[0].Subject != "to one@example.test" || got[1].Subject != "to two@example.test" {
		t.Fatalf("got %+v", got)
	}
	if got[0].Header.Get("Message-ID") == got[1].Header.Get("Message-ID") {
		t.Error("two messages share a Message-ID")
	}
}

// tlsFront puts an implicit-TLS listener with a fresh self-signed
// certificate in front of addr, and returns its address and a pool that
// trusts the certificate.
func tlsFront(t *testing.T, addr string) (string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "test relay"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				b, err := net.Dial("tcp", addr)
				if err != nil {
					return
				}
				defer b.Close()
				done := make(chan struct{}, 2)
				go func() { _, _ = io.Copy(b, c); done <- struct{}{} }()
				go func() { _, _ = io.Copy(c, b); done <- struct{}{} }()
				<-done // either side gone: close both
			}()
		}
	}()
	return l.Addr().String(), pool
}

func TestSMTPSImplicitTLS(t *testing.T) {
	srv := testutil.NewSMTPServer(t)
	addr, pool := tlsFront(t, srv.Addr())
	out := Outgoing{From: "noreply@portal.example.test", To: "ana@example.test", Subject: "over TLS", Text: "hi"}

	s, err := NewSMTPSender(Config{BaseURL: "https://portal.example.test", SMTPURL: "smtps://" + addr, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// The system roots do not trust the test certificate: refused.
	if err := s.Send(context.Background(), out); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted certificate: err = %v", err)
	}
	s.tlsConfig.RootCAs = pool
	if err := s.Send(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	if got := srv.WaitFor(t, 1); got[0].Subject != "over TLS" {
		t.Fatalf("got %+v", got)
	}
}
