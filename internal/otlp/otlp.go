// Package otlp exports trace spans to an OpenTelemetry collector over
// OTLP/HTTP with the JSON encoding (POST …/v1/traces, application/json),
// configured by the standard OTEL_EXPORTER_OTLP_* variables.
//
// It replaces the OpenTelemetry project's OTLP/HTTP exporter, whose
// configuration package links gRPC (66 packages) into a binary that never
// speaks it. The JSON encoding needs no generated protocol-buffer code,
// and every OTLP/HTTP receiver accepts it beside the binary one.
package otlp

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Protocol is the one OTEL_EXPORTER_OTLP_PROTOCOL value this exporter
// speaks; unset means it too.
const Protocol = "http/json"

// tracesPath is appended to OTEL_EXPORTER_OTLP_ENDPOINT, as the
// specification says; OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as it is.
const tracesPath = "/v1/traces"

// defaultTimeout bounds one export, its retries included, when
// OTEL_EXPORTER_OTLP_TIMEOUT does not say otherwise.
const defaultTimeout = 10 * time.Second

// Config is where and how spans are sent.
type Config struct {
	URL     string            // the full URL spans are posted to
	Headers map[string]string // sent with every request
	Timeout time.Duration     // of one export, retries included
	Gzip    bool              // compress the body
	RootCAs *x509.CertPool    // nil: the system's
}

// Enabled reports whether the environment asks for traces to be exported:
// an endpoint is set.
func Enabled(getenv func(string) string) bool {
	return getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != ""
}

// ConfigFromEnv reads the exporter's configuration from the standard
// variables, the traces-specific one of each pair first:
// OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _HEADERS (key=value pairs
// separated by commas, values percent-encoded), _TIMEOUT (milliseconds),
// _COMPRESSION (gzip or none), _PROTOCOL (http/json only) and
// _CERTIFICATE (a PEM file of the CAs to trust). The URL's scheme decides
// TLS (_INSECURE is for gRPC and not read). A value it cannot use is an
// error that names the variable.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	get := func(name string) (string, string) {
		if v := getenv("OTEL_EXPORTER_OTLP_TRACES_" + name); v != "" {
			return "OTEL_EXPORTER_OTLP_TRACES_" + name, v
		}
		return "OTEL_EXPORTER_OTLP_" + name, getenv("OTEL_EXPORTER_OTLP_" + name)
	}
	c := Config{Timeout: defaultTimeout, Headers: map[string]string{}}
	if v := getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); v != "" {
		c.URL = v
	} else if v := getenv("OTEL_EXPORTER_OTLP_ENDPOINT"); v != "" {
		c.URL = strings.TrimRight(v, "/") + tracesPath
	} else {
		return c, errors.New("otlp: OTEL_EXPORTER_OTLP_ENDPOINT is not set")
	}
	if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("otlp: the traces endpoint %q is not an http or https URL", c.URL)
	}
	if name, v := get("PROTOCOL"); v != "" && v != Protocol {
		return c, fmt.Errorf("otlp: %s=%s: certportal exports traces as %s only (set it to %s or leave it unset)", name, v, Protocol, Protocol)
	}
	if name, v := get("HEADERS"); v != "" {
		for _, pair := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(pair, "=")
			k = strings.TrimSpace(k)
			dec, err := url.PathUnescape(strings.TrimSpace(val))
			if !ok || k == "" || err != nil {
				return c, fmt.Errorf("otlp: %s: %q is not key=value", name, pair)
			}
			c.Headers[k] = dec
		}
	}
	if name, v := get("TIMEOUT"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms <= 0 {
			return c, fmt.Errorf("otlp: %s=%s: want a positive number of milliseconds", name, v)
		}
		c.Timeout = time.Duration(ms) * time.Millisecond
	}
	switch name, v := get("COMPRESSION"); v {
	case "", "none":
	case "gzip":
		c.Gzip = true
	default:
		return c, fmt.Errorf("otlp: %s=%s: want gzip or none", name, v)
	}
	if name, v := get("CERTIFICATE"); v != "" {
		pem, err := os.ReadFile(v)
		if err != nil {
			return c, fmt.Errorf("otlp: %s: %w", name, err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return c, fmt.Errorf("otlp: %s: %s holds no PEM certificate", name, v)
		}
	}
	return c, nil
}

// Exporter posts batches of finished spans to a collector. It is an
// sdktrace.SpanExporter; the SDK's batch processor calls it from one
// goroutine at a time.
type Exporter struct {
	cfg    Config
	client *http.Client

	mu       sync.Mutex
	shutdown bool
}

var _ sdktrace.SpanExporter = (*Exporter)(nil)

// New returns an exporter for cfg.
func New(cfg Config) *Exporter {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	return &Exporter{cfg: cfg, client: &http.Client{Transport: tr}}
}

// ExportSpans sends spans in one request, retrying what the specification
// calls retryable (429, 502, 503, 504 and failed connections) with growing
// pauses, or the server's Retry-After, until the export's timeout.
func (e *Exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 0 {
		return nil
	}
	e.mu.Lock()
	down := e.shutdown
	e.mu.Unlock()
	if down {
		return errors.New("otlp: exporter is shut down")
	}
	body, err := encode(spans)
	if err != nil {
		return err
	}
	if e.cfg.Gzip {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		if _, err := zw.Write(body); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		body = b.Bytes()
	}
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	pause := 100 * time.Millisecond
	for {
		retry, wait, err := e.post(ctx, body)
		if err == nil || !retry {
			return err
		}
		if wait == 0 {
			wait, pause = pause, min(2*pause, 5*time.Second)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (gave up: %v)", err, ctx.Err())
		case <-t.C:
		}
	}
}

// post sends body once. It reports whether a failure may be retried and
// how long the server asked to wait first (0: not said).
func (e *Exporter) post(ctx context.Context, body []byte) (retry bool, wait time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return false, 0, fmt.Errorf("otlp: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if e.cfg.Gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	for k, v := range e.cfg.Headers {
		req.Header.Set(k, v)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		// A collector not reachable yet may be soon; one whose
		// certificate is not trusted will not be.
		var verify *tls.CertificateVerificationError
		return ctx.Err() == nil && !errors.As(err, &verify), 0, fmt.Errorf("otlp: post spans: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode/100 == 2 {
		return false, 0, nil
	}
	err = fmt.Errorf("otlp: the collector answered %s: %.200s", resp.Status, bytes.TrimSpace(msg))
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if s, convErr := strconv.Atoi(resp.Header.Get("Retry-After")); convErr == nil && s > 0 {
			wait = time.Duration(s) * time.Second
		}
		return true, wait, err
	}
	return false, 0, err
}

// Shutdown stops the exporter: later exports fail. Nothing is buffered
// here (the SDK's batch processor flushes before it shuts the exporter).
func (e *Exporter) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	e.shutdown = true
	e.mu.Unlock()
	e.client.CloseIdleConnections()
	return ctx.Err()
}
