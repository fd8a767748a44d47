package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"example.org/certportal/internal/config"
)

// ServerTimeouts are the HTTP server's limits (gosec G112, SECURITY.md
// RL-02): a slow client cannot hold a connection open by trickling headers
// or bodies.
type ServerTimeouts struct {
	ReadHeader time.Duration // the request line and headers
	Read       time.Duration // the whole request, body included
	Write      time.Duration
	Idle       time.Duration // between requests on a kept-alive connection
}

// DefaultServerTimeouts are the limits the binary runs with.
var DefaultServerTimeouts = ServerTimeouts{
	ReadHeader: 5 * time.Second,
	Read:       30 * time.Second,
	Write:      60 * time.Second,
	Idle:       120 * time.Second,
}

const maxHeaderBytes = 64 << 10

func (m *Main) runServe(ctx context.Context, args []string) error {
	var demo *bool
	cfg, err := m.loadConfig("serve", "serve [flags]", args, func(fs *flag.FlagSet) {
		demo = fs.Bool("demo", false, "load demonstration data into an empty database and print demo credentials; mail stays in the development mailbox")
	})
	if err != nil {
		return err
	}
	cfg.Demo = *demo
	if cfg.Demo && cfg.SupportEmail == "" && cfg.SupportURL == "" {
		cfg.SupportEmail = demoSupportEmail
	}
	log := newLogger(m.Stderr, cfg)
	// Bad signing files stop the start before anything else happens.
	docSigner, docConfigured, err := operatorDocumentSigner(cfg, m.Clock.Now())
	if err != nil {
		return err
	}
	// So does a tracing configuration this binary cannot follow.
	shutdownTracing, err := startTracing(m.Getenv, log)
	if err != nil {
		return err
	}
	defer shutdownTracing()
	st, err := m.openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	// Listen before wiring, so that a default base URL on port 0 (tests)
	// names the real port in every link the services build.
	ln := m.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return fmt.Errorf("listen on %s ($CERTPORTAL_ADDR): %w", cfg.Addr, err)
		}
	}
	defer ln.Close()
	if cfg.BaseURL == "http://"+cfg.Addr {
		cfg.BaseURL = "http://" + ln.Addr().String()
	}
	sys, err := newSystem(cfg, st, m.Clock, log, m.hashParams())
	if err != nil {
		return err
	}
	// Stop is idempotent: this releases the job runner's connection on
	// every early return; the orderly shutdown below stops it first.
	defer func() { _ = sys.runner.Stop(context.Background()) }()
	if err := startDocumentKey(ctx, sys.creds, docSigner, docConfigured, log); err != nil {
		return err
	}
	// A new program starts with the default continuing-education
	// catalogue; one that has any activity type keeps its own.
	if err := sys.credits.InstallDefaultCatalogue(ctx); err != nil {
		return fmt.Errorf("continuing-education catalogue: %w", err)
	}
	if cfg.Demo && !m.DemoLoaded {
		if err := loadDemo(ctx, sys, m.Stdout); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if m.DemoOnly {
			return nil
		}
		// The demo's password hashes and documents took a few hundred
		// megabytes that the server will not need again: give them back
		// now rather than over the runtime's next minutes.
		debug.FreeOSMemory()
	}

	baseURL := cfg.BaseURL
	srv := newHTTPServer(traced(sys.handler), log, m.timeouts())

	var metricsSrv *http.Server
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s ($CERTPORTAL_METRICS_ADDR): %w", cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", promhttp.HandlerFor(sys.registry, promhttp.HandlerOpts{}))
		metricsSrv = newHTTPServer(mux, log, m.timeouts())
		go func() { _ = metricsSrv.Serve(mln) }()
	}

	if err := sys.runner.Start(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("start background jobs: %w", err)
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	mode := "certportal"
	switch {
	case cfg.Demo:
		mode = "certportal demo"
	case cfg.Dev:
		mode = "certportal development server"
	}
	fmt.Fprintf(m.Stdout, "%s listening on %s (version %s; database: %s)\n", mode, baseURL, Version, describeDB(cfg))
	if cfg.DevMailbox() {
		fmt.Fprintf(m.Stdout, "mail and SMS go to the development mailbox: sign in as an admin and open %s/console/mail\n", baseURL)
	} else {
		fmt.Fprintf(m.Stdout, "mail goes to the SMTP server %s\n", redactURL(cfg.SMTPURL))
	}
	log.Info("serving", "addr", ln.Addr().String(), "engine", st.Engine(), "dev", cfg.Dev, "demo", cfg.Demo)
	if m.OnServing != nil {
		m.OnServing("http://" + ln.Addr().String())
	}

	select {
	case err := <-serveErr:
		_ = sys.runner.Stop(context.Background())
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}

	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	if err := srv.Shutdown(sctx); err != nil {
		errs = append(errs, fmt.Errorf("http shutdown: %w", err))
	}
	if metricsSrv != nil {
		_ = metricsSrv.Shutdown(sctx)
	}
	if err := sys.runner.Stop(sctx); err != nil {
		errs = append(errs, fmt.Errorf("jobs shutdown: %w", err))
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, err)
	}
	log.Info("stopped")
	return errors.Join(errs...)
}

func newHTTPServer(h http.Handler, log *slog.Logger, t ServerTimeouts) *http.Server {
	return &http.Server{
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}

// timeouts are the server limits: Main.Timeouts when set, else the
// defaults.
func (m *Main) timeouts() ServerTimeouts {
	if m.Timeouts != nil {
		return *m.Timeouts
	}
	return DefaultServerTimeouts
}

func describeDB(cfg *config.Config) string {
	if cfg.Engine() == config.EnginePostgres {
		return "PostgreSQL " + redactURL(cfg.DatabaseURL)
	}
	return "SQLite " + cfg.SQLitePath()
}

// redactURL hides the password of a URL for display.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Redacted()
}
