package web

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"example.org/certportal/internal/portal"
)

// httpMetrics are the request counters and latency histogram.
type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "certportal_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "certportal_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

func (m *httpMetrics) observe(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// loopbackOnly serves next to clients on this machine only, and answers
// everyone else as if the path did not exist. It guards /metrics when no
// separate metrics address is configured.
func (s *Server) loopbackOnly(next http.Handler) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if !s.fromLoopback(r) {
			return portal.ErrNotFound
		}
		next.ServeHTTP(w, r)
		return nil
	})
}

// fromLoopback reports whether the request comes from this machine: the
// connection's peer is a loopback address and, when a proxy forwarded the
// request, the proxy is a trusted one and the client it names is a
// loopback address too. A local reverse proxy that is not listed in
// --trusted-proxies is not believed to be the client.
func (s *Server) fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !peer.Unmap().IsLoopback() {
		return false
	}
	if r.Header.Get("X-Forwarded-For") == "" && r.Header.Get("Forwarded") == "" && r.Header.Get("X-Real-IP") == "" {
		return true
	}
	if !s.trusted(peer) || r.Header.Get("X-Forwarded-For") == "" {
		return false
	}
	client, err := netip.ParseAddr(s.clientIP(r))
	return err == nil && client.Unmap().IsLoopback()
}
