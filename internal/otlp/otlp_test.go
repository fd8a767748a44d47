package otlp

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestConfigFromEnv(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		vars    map[string]string
		url     string
		check   func(Config) bool
		wantErr string // a part of the error; "" for none
	}{
		{name: "base endpoint gets the traces path", vars: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"},
			url: "http://collector:4318/v1/traces"},
		{name: "the traces endpoint is used as it is", vars: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318",
			"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://b/custom"}, url: "https://b/custom"},
		{name: "defaults", vars: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, url: "http://c:4318/v1/traces",
			check: func(c Config) bool {
				return c.Timeout == 10*time.Second && !c.Gzip && len(c.Headers) == 0 && c.RootCAs == nil
			}},
		{name: "headers, percent-decoded; traces-specific first", vars: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c",
			"OTEL_EXPORTER_OTLP_HEADERS": "x=ignored", "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "api-key=a%20b, X-Team = ops"},
			url: "http://c/v1/traces", check: func(c Config) bool {
				return len(c.Headers) == 2 && c.Headers["api-key"] == "a b" && c.Headers["X-Team"] == "ops"
			}},
		{name: "timeout and gzip", vars: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
			"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"}, url: "http://c/v1/traces",
			check: func(c Config) bool { return c.Timeout == 2500*time.Millisecond && c.Gzip }},
		{name: "http/json is accepted", vars: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"},
			url: "http://c/v1/traces"},
		{name: "no endpoint", vars: map[string]string{}, wantErr: "OTEL_EXPORTER_OTLP_ENDPOINT is not set"},
		{name: "not a URL", vars: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, wantErr: "not an http or https URL"},
		{name: "binary protocol refused", vars: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c",
			"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"}, wantErr: "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf: certportal exports traces as http/json only"},
		{name: "grpc refused", vars: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
			wantErr: "OTEL_EXPORTER_OTLP_PROTOCOL=grpc"},
		{name: "bad header", vars: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_HEADERS": "novalue"},
			wantErr: `OTEL_EXPORTER_OTLP_HEADERS: "novalue" is not key=value`},
		{name: "bad timeout", vars: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_TIMEOUT": "10s"},
			wantErr: "OTEL_EXPORTER_OTLP_TIMEOUT=10s: want a positive number of milliseconds"},
		{name: "bad compression", vars: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"},
			wantErr: "want gzip or none"},
		{name: "certificate file without a certificate", vars: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://c",
			"OTEL_EXPORTER_OTLP_CERTIFICATE": ca}, wantErr: "holds no PEM certificate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ConfigFromEnv(env(c.vars))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.URL != c.url {
				t.Errorf("URL %q, want %q", got.URL, c.url)
			}
			if c.check != nil && !c.check(got) {
				t.Errorf("config %+v", got)
			}
		})
	}
	if Enabled(env(nil)) || !Enabled(env(map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c"})) {
		t.Error("Enabled does not follow the endpoint variables")
	}
}

// collector is an OTLP/HTTP receiver that answers each request with the
// next status of its script (200 once the script is done).
type collector struct {
	*httptest.Server
	mu       sync.Mutex
	script   []int
	requests []*http.Request
	bodies   [][]byte
}

func newCollector(t *testing.T, script ...int) *collector {
	c := &collector{script: script}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = zr
		}
		b, err := io.ReadAll(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		c.requests, c.bodies = append(c.requests, r), append(c.bodies, b)
		status := http.StatusOK
		if len(c.script) > 0 {
			status, c.script = c.script[0], c.script[1:]
		}
		c.mu.Unlock()
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "{}")
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.requests)
}

// recordSpans makes a server span with a child, as a request handler
// would, and returns them finished.
func recordSpans(t *testing.T) []sdktrace.ReadOnlySpan {
	t.Helper()
	rec := &recorder{}
	res := resource.NewSchemaless(attribute.String("service.name", "certportal"))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(rec), sdktrace.WithResource(res))
	tr := tp.Tracer("example.org/certportal", trace.WithInstrumentationVersion("1.2.3"))
	remote := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5, 6},
		TraceFlags: trace.FlagsSampled, Remote: true})
	ctx, parent := tr.Start(trace.ContextWithRemoteSpanContext(context.Background(), remote), "GET /exams",
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", "GET"), attribute.Int("http.response.status_code", 500),
			attribute.Bool("cached", false), attribute.Float64("ratio", 0.25), attribute.Float64("nan", math.NaN()),
			attribute.StringSlice("langs", []string{"en", "ja"}), attribute.Int64Slice("ids", []int64{7, 9})))
	parent.AddEvent("retry", trace.WithAttributes(attribute.Int("attempt", 2)))
	parent.SetStatus(codes.Error, "database unavailable")
	_, child := tr.Start(ctx, "store.ListExams", trace.WithLinks(trace.Link{SpanContext: remote}))
	child.SetStatus(codes.Ok, "")
	child.End()
	parent.End()
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	return rec.spans
}

type recorder struct{ spans []sdktrace.ReadOnlySpan }

func (r *recorder) ExportSpans(_ context.Context, s []sdktrace.ReadOnlySpan) error {
	r.spans = append(r.spans, s...)
	return nil
}
func (r *recorder) Shutdown(context.Context) error { return nil }

func TestExportSpansAsOTLPJSON(t *testing.T) {
	for _, gz := range []bool{false, true} {
		c := newCollector(t)
		e := New(Config{URL: c.URL + "/v1/traces", Headers: map[string]string{"Api-Key": "k1"}, Gzip: gz})
		spans := recordSpans(t)
		if err := e.ExportSpans(context.Background(), spans); err != nil {
			t.Fatal(err)
		}
		if c.count() != 1 {
			t.Fatalf("%d requests, want one", c.count())
		}
		r := c.requests[0]
		if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/json" ||
			r.Header.Get("Api-Key") != "k1" || (r.Header.Get("Content-Encoding") == "gzip") != gz {
			t.Errorf("request %s %s %v", r.Method, r.URL, r.Header)
		}
		var got struct {
			ResourceSpans []struct {
				Resource struct {
					Attributes []map[string]any `json:"attributes"`
				} `json:"resource"`
				ScopeSpans []struct {
					Scope map[string]any   `json:"scope"`
					Spans []map[string]any `json:"spans"`
				} `json:"scopeSpans"`
			} `json:"resourceSpans"`
		}
		if err := json.Unmarshal(c.bodies[0], &got); err != nil {
			t.Fatalf("body is not JSON: %v\n%s", err, c.bodies[0])
		}
		if len(got.ResourceSpans) != 1 || len(got.ResourceSpans[0].ScopeSpans) != 1 {
			t.Fatalf("want one resource with one scope:\n%s", c.bodies[0])
		}
		rs := got.ResourceSpans[0]
		if a := rs.Resource.Attributes; len(a) != 1 || a[0]["key"] != "service.name" ||
			a[0]["value"].(map[string]any)["stringValue"] != "certportal" {
			t.Errorf("resource attributes %v", a)
		}
		ss := rs.ScopeSpans[0]
		if ss.Scope["name"] != "example.org/certportal" || ss.Scope["version"] != "1.2.3" || len(ss.Spans) != 2 {
			t.Fatalf("scope %v with %d spans", ss.Scope, len(ss.Spans))
		}
		child, parent := ss.Spans[0], ss.Spans[1] // in the order they ended
		want := func(s map[string]any, field string, v any) {
			t.Helper()
			if got, _ := json.Marshal(s[field]); string(got) != mustJSON(t, v) {
				t.Errorf("%s.%s = %s, want %s", s["name"], field, got, mustJSON(t, v))
			}
		}
		want(parent, "name", "GET /exams")
		want(parent, "traceId", "01020300000000000000000000000000")
		want(parent, "parentSpanId", "0405060000000000")
		want(parent, "kind", 2)
		want(parent, "flags", 0x301) // sampled; its parent is known to be remote
		want(parent, "status", map[string]any{"code": 2, "message": "database unavailable"})
		want(parent, "attributes", []any{
			map[string]any{"key": "http.request.method", "value": map[string]any{"stringValue": "GET"}},
			map[string]any{"key": "http.response.status_code", "value": map[string]any{"intValue": "500"}},
			map[string]any{"key": "cached", "value": map[string]any{"boolValue": false}},
			map[string]any{"key": "ratio", "value": map[string]any{"doubleValue": 0.25}},
			map[string]any{"key": "nan", "value": map[string]any{"stringValue": "NaN"}},
			map[string]any{"key": "langs", "value": map[string]any{"arrayValue": map[string]any{"values": []any{
				map[string]any{"stringValue": "en"}, map[string]any{"stringValue": "ja"}}}}},
			map[string]any{"key": "ids", "value": map[string]any{"arrayValue": map[string]any{"values": []any{
				map[string]any{"intValue": "7"}, map[string]any{"intValue": "9"}}}}},
		})
		events, _ := parent["events"].([]any)
		if len(events) != 1 || events[0].(map[string]any)["name"] != "retry" {
			t.Errorf("events %v", parent["events"])
		}
		if start, end := parent["startTimeUnixNano"].(string), parent["endTimeUnixNano"].(string); start == "" || end < start || len(end) < 19 {
			t.Errorf("times %q to %q, want decimal nanoseconds", start, end)
		}
		want(child, "parentSpanId", parent["spanId"])
		want(child, "traceId", parent["traceId"])
		want(child, "kind", 1)
		want(child, "flags", 0x101) // sampled; its parent is local
		want(child, "status", map[string]any{"code": 1})
		want(child, "links", []any{map[string]any{"traceId": "01020300000000000000000000000000", "spanId": "0405060000000000", "flags": 0x301}})
		if id, _ := child["spanId"].(string); len(id) != 16 || id == parent["spanId"] {
			t.Errorf("child spanId %q", id)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestExportRetriesWhatMayBeRetried(t *testing.T) {
	spans := recordSpans(t)
	t.Run("unavailable twice, then accepted", func(t *testing.T) {
		c := newCollector(t, http.StatusServiceUnavailable, http.StatusTooManyRequests)
		if err := New(Config{URL: c.URL}).ExportSpans(context.Background(), spans); err != nil {
			t.Fatal(err)
		}
		if c.count() != 3 {
			t.Errorf("%d requests, want 3", c.count())
		}
	})
	t.Run("a bad request is not retried", func(t *testing.T) {
		c := newCollector(t, http.StatusBadRequest)
		err := New(Config{URL: c.URL}).ExportSpans(context.Background(), spans)
		if err == nil || !strings.Contains(err.Error(), "400 Bad Request") || c.count() != 1 {
			t.Errorf("error %v after %d requests, want one request refused with 400", err, c.count())
		}
	})
	t.Run("gives up at the timeout", func(t *testing.T) {
		c := newCollector(t, 502, 502, 502, 502, 502, 502, 502, 502, 502, 502, 502, 502)
		err := New(Config{URL: c.URL, Timeout: 400 * time.Millisecond}).ExportSpans(context.Background(), spans)
		if err == nil || !strings.Contains(err.Error(), "502 Bad Gateway") || c.count() < 2 || c.count() > 6 {
			t.Errorf("error %v after %d requests, want a 502 after a few tries", err, c.count())
		}
	})
	t.Run("a collector that is not there", func(t *testing.T) {
		c := newCollector(t)
		url := c.URL
		c.Close()
		var tries atomic.Int32
		e := New(Config{URL: url, Timeout: 300 * time.Millisecond})
		e.client.Transport = roundTripCounter{&tries, e.client.Transport}
		if err := e.ExportSpans(context.Background(), spans); err == nil || tries.Load() < 2 {
			t.Errorf("error %v after %d tries, want retries then an error", err, tries.Load())
		}
	})
}

type roundTripCounter struct {
	n    *atomic.Int32
	next http.RoundTripper
}

func (r roundTripCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	r.n.Add(1)
	return r.next.RoundTrip(req)
}

func TestShutdownStopsExports(t *testing.T) {
	c := newCollector(t)
	e := New(Config{URL: c.URL})
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.ExportSpans(context.Background(), recordSpans(t)); err == nil || c.count() != 0 {
		t.Errorf("export after shutdown: %v, %d requests", err, c.count())
	}
	if err := e.ExportSpans(context.Background(), nil); err != nil {
		t.Errorf("nothing to export: %v", err)
	}
	if errors.Is(e.Shutdown(context.Background()), context.Canceled) {
		t.Error("a second shutdown fails")
	}
}

// TestExportOverTLSWithTheOperatorsCA: a collector whose certificate the
// CA file of OTEL_EXPORTER_OTLP_CERTIFICATE vouches for is trusted; one
// the system does not know is refused.
func TestExportOverTLSWithTheOperatorsCA(t *testing.T) {
	var got atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	spans := recordSpans(t)
	cfg, err := ConfigFromEnv(env(map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": srv.URL + "/v1/traces",
		"OTEL_EXPORTER_OTLP_CERTIFICATE": ca, "OTEL_EXPORTER_OTLP_TIMEOUT": "2000"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := New(cfg).ExportSpans(context.Background(), spans); err != nil || got.Load() != 1 {
		t.Errorf("export with the CA: %v after %d requests", err, got.Load())
	}
	// Refused at once: an untrusted certificate is not tried again.
	cfg.RootCAs = nil
	e := New(cfg)
	var tries atomic.Int32
	e.client.Transport = roundTripCounter{&tries, e.client.Transport}
	if err := e.ExportSpans(context.Background(), spans); err == nil || !strings.Contains(err.Error(), "certificate") || got.Load() != 1 || tries.Load() != 1 {
		t.Errorf("export without the CA: %v after %d tries, %d requests served", err, tries.Load(), got.Load())
	}
}
