package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	netmail "net/mail"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTP URL schemes accepted by NewSMTPSender.
const (
	SchemeSMTP         = "smtp"          // STARTTLS required, port 587
	SchemeSMTPS        = "smtps"         // implicit TLS, port 465
	SchemeSMTPInsecure = "smtp+insecure" // no TLS, port 25; loopback only
)

// allowRemoteParam is the query parameter that lets smtp+insecure reach a
// host that is not loopback, e.g. mailpit in a container network.
const allowRemoteParam = "allow_remote"

// SMTPSender sends mail through an SMTP relay with go-mail. It is safe for
// concurrent use: every Send opens its own connection.
type SMTPSender struct {
	host        string
	implicitTLS bool
	tlsConfig   *tls.Config
	opts        []gomail.Option
	redacted    string // the URL without its password, for errors
}

// NewSMTPSender checks cfg and returns a sender for cfg.SMTPURL:
//
//   - smtp://[user:pass@]host[:587] — STARTTLS is mandatory: a server that
//     does not offer it is refused, never spoken to in clear. With a user,
//     AUTH PLAIN or LOGIN (or a stronger mechanism the server offers).
//   - smtps://[user:pass@]host[:465] — implicit TLS, same authentication.
//   - smtp+insecure://host[:25] — no TLS and no authentication (credentials
//     in the URL are refused), for a relay on the same machine and for
//     tests. The host must be loopback (localhost, *.localhost, 127.0.0.0/8,
//     ::1) unless the URL ends in ?allow_remote=true, for a relay on a
//     trusted private network such as a container's mailpit.
//
// The user and password are URL-decoded (write @ as %40). TLS is at least
// 1.2 and verifies the server's certificate for host. EHLO sends cfg.HELO
// (default: BaseURL's host when dotted, else certportal.localhost).
// cfg.Timeout bounds the dial and each SMTP command.
func NewSMTPSender(cfg Config) (*SMTPSender, error) {
	u, err := url.Parse(cfg.SMTPURL)
	if err != nil {
		// url's error quotes the URL, password included.
		return nil, errors.New("mail: SMTP URL does not parse")
	}
	s := &SMTPSender{host: u.Hostname(), redacted: u.Redacted()}
	s.tlsConfig = &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	if s.host == "" {
		return nil, fmt.Errorf("mail: SMTP URL %s has no host", s.redacted)
	}
	if u.Path != "" && u.Path != "/" || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("mail: SMTP URL %s: unexpected path", s.redacted)
	}
	q := u.Query()
	for k := range q {
		if k != allowRemoteParam || u.Scheme != SchemeSMTPInsecure {
			return nil, fmt.Errorf("mail: SMTP URL %s: unknown parameter %q", s.redacted, k)
		}
	}

	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if timeout < 0 {
		return nil, fmt.Errorf("mail: negative SMTP timeout %s", timeout)
	}
	helo, err := heloName(cfg)
	if err != nil {
		return nil, err
	}
	s.opts = []gomail.Option{gomail.WithTimeout(timeout), gomail.WithHELO(helo), gomail.WithTLSConfig(s.tlsConfig)}

	var defaultPort int
	switch u.Scheme {
	case SchemeSMTP:
		defaultPort = gomail.DefaultPortTLS
		s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case SchemeSMTPS:
		defaultPort = gomail.DefaultPortSSL
		// deliver's dialer speaks TLS; WithSSL tells go-mail not to
		// attempt STARTTLS on top.
		s.implicitTLS = true
		s.opts = append(s.opts, gomail.WithSSL())
	case SchemeSMTPInsecure:
		defaultPort = gomail.DefaultPort
		s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.NoTLS))
		if u.User != nil {
			return nil, fmt.Errorf("mail: SMTP URL %s: smtp+insecure never sends credentials; use smtp:// or smtps://", s.redacted)
		}
		allow := q.Get(allowRemoteParam)
		if allow != "" && allow != "true" {
			return nil, fmt.Errorf("mail: SMTP URL %s: %s must be true or absent", s.redacted, allowRemoteParam)
		}
		if !isLoopbackHost(s.host) && allow != "true" {
			return nil, fmt.Errorf("mail: SMTP URL %s: smtp+insecure is for loopback hosts; add ?%s=true for a trusted private network", s.redacted, allowRemoteParam)
		}
	default:
		return nil, fmt.Errorf("mail: SMTP URL %s: scheme must be smtp, smtps or smtp+insecure", s.redacted)
	}

	port := defaultPort
	if p := u.Port(); p != "" {
		port, err = strconv.Atoi(p)
		if err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("mail: SMTP URL %s: bad port", s.redacted)
		}
	}
	s.opts = append(s.opts, gomail.WithPort(port))

	if u.User != nil && u.Scheme != SchemeSMTPInsecure {
		pass, _ := u.User.Password()
		if u.User.Username() == "" {
			return nil, fmt.Errorf("mail: SMTP URL %s: empty user name", s.redacted)
		}
		s.opts = append(s.opts,
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(u.User.Username()),
			gomail.WithPassword(pass))
	}

	if _, err := gomail.NewClient(s.host, s.opts...); err != nil {
		return nil, fmt.Errorf("mail: SMTP client for %s: %w", s.redacted, err)
	}
	return s, nil
}

// heloName picks the EHLO name: go-smtp-mock and many real servers reject a
// name without a dot, and the machine's host name rarely has one.
func heloName(cfg Config) (string, error) {
	if cfg.HELO != "" {
		if strings.ContainsAny(cfg.HELO, " \t\r\n") || !strings.Contains(cfg.HELO, ".") {
			return "", fmt.Errorf("mail: HELO name %q must be a dotted host name", cfg.HELO)
		}
		return cfg.HELO, nil
	}
	if u, err := url.Parse(cfg.BaseURL); err == nil {
		h := u.Hostname()
		if strings.Contains(h, ".") && net.ParseIP(h) == nil {
			return h, nil
		}
	}
	return "certportal.localhost", nil
}

// isLoopbackHost reports a loopback IP or a name that always means this
// machine. Other names are not resolved: DNS could change the answer.
func isLoopbackHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Send delivers m on a connection of its own. An error means the relay did
// not accept the message (or it never got there) and the job should be
// retried; errors.As finds a *gomail.SendError with IsTemp for the detail.
// The recipient's address is replaced by "<recipient>" in the error text.
func (s *SMTPSender) Send(ctx context.Context, m Outgoing) error {
	msg, err := buildMsg(m)
	if err != nil {
		return err
	}
	return s.deliver(ctx, m.To, msg)
}

// deliver sends msgs on one connection. It dials itself so that it can
// close the connection whatever happens (go-mail leaves it open when
// STARTTLS or AUTH fails) and as soon as ctx is cancelled.
func (s *SMTPSender) deliver(ctx context.Context, to string, msgs ...*gomail.Msg) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: smtp: %w", err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := &net.Dialer{}
		var c net.Conn
		var err error
		if s.implicitTLS {
			c, err = (&tls.Dialer{NetDialer: d, Config: s.tlsConfig}).DialContext(ctx, network, addr)
		} else {
			c, err = d.DialContext(ctx, network, addr)
		}
		if err == nil {
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
		return c, err
	}
	closeAll := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	}
	stop := context.AfterFunc(ctx, closeAll)
	defer func() {
		stop()
		closeAll() // after QUIT this is a no-op
	}()

	c, err := gomail.NewClient(s.host, append(s.opts, gomail.WithDialContextFunc(dial))...)
	if err != nil {
		return fmt.Errorf("mail: smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msgs...); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			// Cancelled mid-session (e.g. shutdown): say so, so that the
			// job system can tell an interruption from a failure.
			err = fmt.Errorf("%w: %w", ctxErr, err)
		}
		return &redactedError{err: fmt.Errorf("mail: smtp via %s: %w", s.redacted, err), secret: to}
	}
	return nil
}

// buildMsg turns m into a go-mail message: text and HTML alternatives,
// attachments, and headers for an automated mail.
func buildMsg(m Outgoing) (*gomail.Msg, error) {
	from, err := netmail.ParseAddress(m.From)
	if err != nil {
		return nil, fmt.Errorf("%w: bad From address: %w", ErrInvalidJob, err)
	}
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("%w: bad recipient address", ErrInvalidJob)
	}
	if name := singleLine(m.ToName); name != "" {
		to.Name = name
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(from)
	msg.ToMailAddress(to)
	msg.Subject(singleLine(m.Subject))
	msg.SetDate()
	msg.SetMessageIDWithValue(messageID(from.Address))
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		name, ctype, err := checkAttachment(a)
		if err != nil {
			return nil, err
		}
		if err := msg.AttachReader(name, bytes.NewReader(a.Content), gomail.WithFileContentType(gomail.ContentType(ctype))); err != nil {
			return nil, fmt.Errorf("mail: attach %s: %w", name, err)
		}
	}
	return msg, nil
}

// checkAttachment returns a safe file name and a well-formed content type.
func checkAttachment(a Attachment) (name, ctype string, err error) {
	name = singleLine(path.Base(strings.ReplaceAll(a.Filename, "\\", "/")))
	name = strings.Trim(strings.ReplaceAll(name, `"`, "'"), ". ")
	if name == "" || name == "/" {
		return "", "", fmt.Errorf("%w: attachment without a file name", ErrInvalidJob)
	}
	ctype = a.ContentType
	if ctype == "" {
		ctype = mime.TypeByExtension(path.Ext(name))
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return "", "", fmt.Errorf("%w: attachment %s: bad content type", ErrInvalidJob, name)
	}
	return name, mime.FormatMediaType(mt, params), nil
}

// messageID returns a unique Message-ID in the sender's domain.
func messageID(fromAddr string) string {
	domain := "certportal.localhost"
	if i := strings.LastIndexByte(fromAddr, '@'); i >= 0 && i+1 < len(fromAddr) {
		domain = fromAddr[i+1:]
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%d.%s@%s", time.Now().Unix(), hex.EncodeToString(b), domain)
}

// redactedError hides a value (the recipient's address, which go-mail puts
// in RCPT errors) from the message while keeping the chain for errors.As.
type redactedError struct {
	err    error
	secret string
}

func (e *redactedError) Error() string {
	if e.secret == "" {
		return e.err.Error()
	}
	return strings.ReplaceAll(e.err.Error(), e.secret, "<recipient>")
}

func (e *redactedError) Unwrap() error { return e.err }
