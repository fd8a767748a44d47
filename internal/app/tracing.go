package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"example.org/certportal/internal/otlp"
)

// startTracing exports traces over OTLP/HTTP (JSON) when
// OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is
// set; otherwise the global tracer stays the no-op one and tracing costs
// nothing. An export that fails is logged on log.
func startTracing(getenv func(string) string, log *slog.Logger) (func(), error) {
	if !otlp.Enabled(getenv) {
		return func() {}, nil
	}
	cfg, err := otlp.ConfigFromEnv(getenv)
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("tracing", "err", err) }))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(otlp.New(cfg)))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	return func() {
		// A collector that is down holds the stop up to this long.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tp.Shutdown(ctx)
	}, nil
}

// traced wraps the handler in a server span per request. With the no-op
// tracer provider the wrapper only propagates context.
func traced(h http.Handler) http.Handler {
	return otelhttp.NewHandler(h, "certportal", otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
		return r.Method + " " + r.URL.Path
	}))
}
