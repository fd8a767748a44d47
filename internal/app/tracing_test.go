package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestTracesGoToTheCollector serves with OTEL_EXPORTER_OTLP_ENDPOINT set
// and finds the server span of a request among the spans the collector
// received as OTLP/JSON by the time the server stopped.
func TestTracesGoToTheCollector(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		var mu sync.Mutex
		var names []string
		collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var req struct {
				ResourceSpans []struct {
					ScopeSpans []struct {
						Spans []struct {
							Name string `json:"name"`
							Kind int    `json:"kind"`
						} `json:"spans"`
					} `json:"scopeSpans"`
				} `json:"resourceSpans"`
			}
			body, _ := io.ReadAll(r.Body)
			if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &req) != nil {
				http.Error(w, "not OTLP/JSON", http.StatusBadRequest)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, rs := range req.ResourceSpans {
				for _, ss := range rs.ScopeSpans {
					for _, s := range ss.Spans {
						if s.Kind == 2 { // server
							names = append(names, s.Name)
						}
					}
				}
			}
		}))
		defer collector.Close()
		a := apptest.Start(t, engine, apptest.WithEnv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL))
		if resp := a.Get(t, a.Client(), "/help"); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /help: %d", resp.StatusCode)
		}
		if code := a.Stop(t); code != 0 {
			t.Fatalf("serve exited %d:\n%s", code, a.Stderr())
		}
		mu.Lock()
		defer mu.Unlock()
		if !strings.Contains(strings.Join(names, "\n"), "GET /help") {
			t.Errorf("the collector received server spans %q, want GET /help among them", names)
		}
	})
}

// TestTracingSettingsThatCannotBeFollowedStopTheStart: a protocol other
// than http/json is refused before the server opens its database.
func TestTracingSettingsThatCannotBeFollowedStopTheStart(t *testing.T) {
	code, _, errOut := apptest.Run(t, map[string]string{"CERTPORTAL_DATA_DIR": t.TempDir(), "CERTPORTAL_ADDR": "127.0.0.1:0",
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "serve", "--dev")
	if code == 0 || !strings.Contains(errOut, "OTEL_EXPORTER_OTLP_PROTOCOL=grpc: certportal exports traces as http/json only") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
}
