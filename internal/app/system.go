package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/api"
	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/centers"
	"example.org/certportal/internal/certdoc"
	"example.org/certportal/internal/config"
	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/exams"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/idempotency"
	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/ops"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/program"
	"example.org/certportal/internal/renewal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/typeset"
	"example.org/certportal/internal/uploads"
	"example.org/certportal/internal/web"
	"example.org/certportal/internal/web/candidate"
	"example.org/certportal/internal/web/console"
)

// system is everything a running portal holds, built once from the
// configuration.
type system struct {
	cfg      *config.Config
	log      *slog.Logger
	clock    portal.Clock
	store    *store.Store
	catalog  *i18n.Catalog
	runner   *jobs.Runner
	mailer   *mail.Mailer
	accounts *accounts.Service
	exams    *exams.Service
	centers  *centers.Service
	booking  *booking.Service
	idem     *idempotency.Service
	ops      *ops.Service
	calendar *calendar.Service
	program  *program.Service
	results  *results.Service
	creds    *credentials.Service
	uploads  *uploads.Service
	credits  *credits.Service
	web      *web.Server
	// handler serves everything: the JSON API under api.Prefix and the
	// site, both behind the site's middleware.
	handler  http.Handler
	registry *prometheus.Registry
}

// openStore opens the configured database.
func openStore(ctx context.Context, cfg *config.Config, clock portal.Clock, log *slog.Logger, shared bool) (*store.Store, error) {
	o := store.Options{Clock: clock, Logger: log, AcceptNonDurable: cfg.AcceptNonDurable, Shared: shared}
	if cfg.Engine() == config.EnginePostgres {
		o.Engine, o.PostgresURL = store.Postgres, cfg.DatabaseURL
	} else {
		o.Engine, o.SQLitePath = store.SQLite, cfg.SQLitePath()
	}
	return store.Open(ctx, o)
}

// migrate applies the portal's migrations, then River's.
func migrate(ctx context.Context, st *store.Store) (int, error) {
	n, err := st.Migrate(ctx)
	if err != nil {
		return n, err
	}
	if err := jobs.Migrate(ctx, st); err != nil {
		return n, fmt.Errorf("job queue migrations: %w", err)
	}
	return n, nil
}

// newSystem wires the services on an open, migrated store.
func newSystem(cfg *config.Config, st *store.Store, clock portal.Clock, log *slog.Logger, hash accounts.HashParams) (*system, error) {
	s := &system{cfg: cfg, log: log, clock: clock, store: st, registry: prometheus.NewRegistry()}
	var err error
	if s.catalog, err = i18n.New(); err != nil {
		return nil, err
	}

	var sender mail.Sender
	var sms mail.SMSProvider
	if cfg.DevMailbox() {
		if !cfg.Dev && !cfg.Demo {
			return nil, errors.New("config: --smtp-url ($CERTPORTAL_SMTP_URL): no SMTP server is configured; set one, or run with --dev or --demo to keep mail in the development mailbox")
		}
		dev := mail.NewDevMailbox(st)
		sender, sms = dev, dev
	} else {
		smtp, err := mail.NewSMTPSender(mail.Config{ProgramName: cfg.ProgramName, BaseURL: cfg.BaseURL, From: cfg.MailFrom, SMTPURL: cfg.SMTPURL})
		if err != nil {
			return nil, fmt.Errorf("config: --smtp-url ($CERTPORTAL_SMTP_URL): %w", err)
		}
		// Text messages need a real SMS provider; until one is
		// configured they are kept in the development mailbox.
		sender, sms = smtp, mail.NewDevMailbox(st)
	}
	if s.mailer, err = mail.New(mail.Config{ProgramName: cfg.ProgramName, BaseURL: cfg.BaseURL, From: cfg.MailFrom, SMTPURL: cfg.SMTPURL},
		s.catalog, sender, sms, log); err != nil {
		return nil, err
	}

	// Scheduled work (jobs.Schedule) is swept every DueInterval.
	if s.runner, err = jobs.New(st, jobs.Config{Logger: log, Clock: clock, DueInterval: 15 * time.Second}); err != nil {
		return nil, err
	}
	s.runner.Handle(mail.KindSend, permanentIfInvalid(s.mailer.HandleJob))
	s.runner.Handle(mail.KindSendSMS, permanentIfInvalid(s.mailer.HandleSMSJob))

	key, err := loadSecretKey(cfg)
	if err != nil {
		return nil, err
	}
	hasher := accounts.NewHasher(hash, 2)
	s.accounts = accounts.New(st, clock, log, hasher, accounts.Config{
		BaseURL: cfg.BaseURL, ProgramName: cfg.ProgramName, LoginIDPrefix: cfg.LoginIDPrefix,
		SessionIdle: cfg.SessionIdle, SessionLifetime: cfg.SessionLifetime, SecretKey: key,
		Languages: s.catalog.Languages(), Kick: s.runner.Notify,
	})
	s.exams = exams.New(st, clock, log)
	providers, err := paymentProviders(cfg)
	if err != nil {
		return nil, err
	}
	s.centers = centers.New(st, clock, log, centers.Config{Horizon: cfg.BookingHorizon, OnlineCapacity: cfg.OnlineCapacity})
	s.booking = booking.New(st, clock, log, providers, booking.Config{
		BaseURL: cfg.BaseURL, ProgramName: cfg.ProgramName, HoldTTL: cfg.HoldTTL, Horizon: cfg.BookingHorizon,
		OnlineGap: cfg.OnlineGap, MaxHoldsPerIP: cfg.MaxHoldsPerIP, Kick: s.runner.Notify,
		RulesVersion: cfg.ExamRulesVersion, PrivacyVersion: cfg.PrivacyVersion,
		// The calendar service is made below: read it when asked.
		TimeZone: func(ctx context.Context) (*time.Location, error) { return programZone(s.calendar)(ctx) },
	})
	s.runner.Handle(booking.KindRefund, s.booking.HandleRefundJob)
	s.runner.Periodic("slots.generate", 6*time.Hour, func(ctx context.Context) error {
		_, err := s.centers.GenerateSlots(ctx)
		return err
	})
	s.runner.Periodic("holds.expire", time.Minute, func(ctx context.Context) error {
		_, err := s.booking.ExpireHolds(ctx)
		return err
	})
	s.runner.Periodic("online.missed", 5*time.Minute, func(ctx context.Context) error {
		_, err := s.booking.MarkMissedOnline(ctx)
		return err
	})
	s.runner.Periodic("bookings.settle", 15*time.Minute, func(ctx context.Context) error {
		_, err := s.booking.SettleBookings(ctx)
		return err
	})
	s.idem = idempotency.New(st, log)
	s.runner.Periodic("idempotency.purge", time.Hour, s.idem.Purge)
	s.ops = ops.New(st, s.runner)
	s.calendar = calendar.NewService(st)
	// The support contact flags are the initial value until an admin
	// saves the program settings.
	s.program = program.New(st, clock, program.Defaults{SupportEmail: cfg.SupportEmail, SupportURL: cfg.SupportURL})
	s.results = results.New(st, clock, log, results.Config{Calendar: programCalendar(s.calendar), BaseURL: cfg.BaseURL, Kick: s.runner.Notify})
	s.creds = credentials.New(st, clock, log, credentials.Config{BaseURL: cfg.BaseURL, SecretKey: key,
		ProgramName: cfg.ProgramName, LogoURL: programLogoURL(s.program, cfg.BaseURL),
		PaperSize: programPaperSize(s.program), Languages: s.catalog.Languages(),
		Documents: certdoc.New(typeset.NewFonts(), s.catalog), Logo: programLogo(s.program), TimeZone: programZone(s.calendar),
		// The continuing-education transcript's record is the credits
		// service's (made below); credentials lays it out, signs and stores it.
		CETranscript: func(ctx context.Context, a portal.Actor, lang string) (certdoc.CETranscript, time.Time, error) {
			return s.credits.Transcript(ctx, a, lang)
		}})
	// Credentials react to the certifications a publication issued or
	// withdrew at once, and to every other change within a minute.
	s.runner.Handle(results.KindPublish, func(ctx context.Context, args json.RawMessage) error {
		if err := s.results.HandlePublishJob(ctx, args); err != nil {
			return err
		}
		if _, err := s.creds.React(ctx); err != nil {
			log.WarnContext(ctx, "credentials: reacting after a publication failed; the periodic run retries", "error", err)
		}
		return nil
	})
	// A renewal hands the new cycle's credential to the credentials
	// service through this job (keyed by certification and cycle); the
	// reaction's cursor issues it once however often the job runs.
	s.runner.Handle(renewal.KindIssue, func(ctx context.Context, _ json.RawMessage) error {
		_, err := s.creds.React(ctx)
		return err
	})
	s.runner.Periodic("credentials.react", time.Minute, func(ctx context.Context) error {
		_, err := s.creds.React(ctx)
		return err
	})
	// Operators read ahead of time that the document-signing certificate
	// expires (DocumentKeyExpiryWarning), and each day after it has.
	s.runner.Periodic("documents.key_expiry", 24*time.Hour, func(ctx context.Context) error {
		_, err := s.creds.CheckDocumentKey(ctx)
		return err
	})
	s.runner.Handle(results.KindImport, s.results.HandleImportJob)
	s.runner.Periodic("results.imports.resume", time.Minute, func(ctx context.Context) error {
		_, err := s.results.ResumeImports(ctx)
		return err
	})
	s.runner.Periodic("results.parked.attach", 5*time.Minute, func(ctx context.Context) error {
		_, err := s.results.AttachParked(ctx)
		return err
	})
	s.runner.Periodic("sessions.purge", time.Hour, func(ctx context.Context) error {
		_, err := s.accounts.PurgeSessions(ctx)
		return err
	})
	s.runner.Periodic("ratelimits.purge", time.Hour, s.accounts.PurgeRateLimits)
	s.runner.Periodic("events.purge", time.Hour, func(ctx context.Context) error {
		_, err := st.PurgeEvents(ctx, cfg.EventRetention)
		return err
	})
	s.runner.Periodic("smscodes.purge", time.Hour, func(ctx context.Context) error {
		_, err := s.accounts.PurgeSMSCodes(ctx)
		return err
	})

	if s.uploads, err = newUploads(cfg, st, clock, log, s.runner.Notify); err != nil {
		return nil, err
	}
	s.runner.Handle(uploads.KindScan, s.uploads.HandleScanJob)
	s.runner.Periodic("uploads.scan-sweep", 15*time.Minute, func(ctx context.Context) error {
		_, err := s.uploads.SweepScans(ctx)
		return err
	})
	s.runner.Periodic("uploads.orphans", time.Hour, func(ctx context.Context) error {
		_, err := s.uploads.SweepOrphans(ctx)
		return err
	})
	s.credits = credits.New(st, clock, log, credits.Config{Calendar: creditsCalendar(s.calendar), BaseURL: cfg.BaseURL, Uploads: s.uploads})
	s.runner.Handle(credits.KindInfoExpiry, s.credits.HandleInfoExpiryJob)
	// Reminders of expiry and expiry notices: each is recorded once per
	// certification, expiry day and months, so an hourly sweep on any
	// instance sends it once, in the first hour of its day.
	s.runner.Periodic("credits.reminders", time.Hour, func(ctx context.Context) error {
		_, err := s.credits.SendReminders(ctx)
		return err
	})

	s.registerMetrics()
	// The site is the page kit given its sections: the candidate pages and
	// the console. The JSON API runs beside it, behind the kit's
	// middleware, which loads the session that web.RequestActor reads.
	apiHandler := api.New(api.Deps{
		Log: log, Clock: clock, Catalog: s.catalog, Exams: s.exams, Accounts: s.accounts, Centers: s.centers, Booking: s.booking,
		Idempotency: s.idem, Results: s.results, Credentials: s.creds, Credits: s.credits, Uploads: s.uploads,
		Actor: web.RequestActor, ClientIP: web.RequestIP,
	})
	s.web, err = web.New(web.Config{
		BaseURL: cfg.BaseURL, ProgramName: cfg.ProgramName, Dev: cfg.Dev, DevMailbox: cfg.DevMailbox(),
		TrustedProxies: cfg.TrustedProxies, MetricsOnMain: cfg.MetricsAddr == "",
		ExamRulesURL: cfg.ExamRulesURL, PrivacyURL: cfg.PrivacyURL,
	}, web.Deps{
		Log: log, Clock: clock, Catalog: s.catalog, Accounts: s.accounts, Exams: s.exams, Ops: s.ops, Calendar: s.calendar,
		Centers: s.centers, Booking: s.booking, Idempotency: s.idem,
		Program: s.program, Results: s.results, Credentials: s.creds,
		Credits: s.credits, Uploads: s.uploads,
		Ready: s.ready, Registry: s.registry,
	}, candidate.Section(), console.Section())
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(api.Prefix+"/", s.web.Wrap(apiHandler, apiHandler))
	mux.Handle("/", s.web.Handler())
	s.handler = mux
	return s, nil
}

// ready reports whether this instance can serve: database reachable and
// at the newest schema.
func (s *system) ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return err
	}
	return s.store.Migrated(ctx)
}

func (s *system) registerMetrics() {
	s.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(s.store.DB(), "certportal"),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "certportal_job_queue_depth",
			Help: "Background jobs waiting to run (outbox and queue).",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := s.runner.QueueDepth(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "certportal_due_work_overdue",
			Help: "Scheduled work more than a minute past its sweep and not fired; above zero, no instance is sweeping.",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := s.runner.OverdueWork(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		}),
	)
}

// permanentIfInvalid stops retrying a mail job whose arguments can never be
// sent; delivery failures stay retryable.
func permanentIfInvalid(h jobs.Handler) jobs.Handler {
	return func(ctx context.Context, args json.RawMessage) error {
		err := h(ctx, args)
		if errors.Is(err, mail.ErrInvalidJob) {
			return jobs.Permanent(err)
		}
		return err
	}
}

// programCalendar adapts the program calendar to what results need of it.
func programCalendar(c *calendar.Service) func(context.Context) (results.Calendar, error) {
	return func(ctx context.Context) (results.Calendar, error) {
		cal, err := c.Calendar(ctx)
		if err != nil {
			return nil, err
		}
		return cal, nil
	}
}

// creditsCalendar adapts the program calendar to what continuing
// education needs of it.
func creditsCalendar(c *calendar.Service) func(context.Context) (credits.Calendar, error) {
	return func(ctx context.Context) (credits.Calendar, error) {
		cal, err := c.Calendar(ctx)
		if err != nil {
			return nil, err
		}
		return cal, nil
	}
}

// programLogoURL gives credentials the absolute URL of the program's
// logo, or "" when it has none.
func programLogoURL(p *program.Service, baseURL string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		set, err := p.Settings(ctx)
		if err != nil || set.Logo.ETag == "" {
			return "", err
		}
		return baseURL + "/logo.png?v=" + set.Logo.ETag, nil
	}
}

// programPaperSize gives credentials the program's default paper size of
// certificates.
func programPaperSize(p *program.Service) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		set, err := p.Settings(ctx)
		return string(set.PaperSize), err
	}
}

// paymentProviders builds the configured payment providers: the test mode
// in development and demo mode or when asked for, Stripe when its keys are
// set.
func paymentProviders(cfg *config.Config) (*payments.Providers, error) {
	p := &payments.Providers{}
	if cfg.TestPaymentsOn() {
		p.Test = &payments.TestMode{}
	}
	if cfg.StripeSecretKey != "" {
		st, err := payments.NewStripe(payments.StripeConfig{SecretKey: cfg.StripeSecretKey, WebhookSecret: cfg.StripeWebhookSecret, APIURL: cfg.StripeAPIURL})
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		p.Stripe = st
	}
	return p, nil
}

// programLogo gives credentials the program's logo (PNG) for documents;
// portal.ErrNotFound when it has none.
func programLogo(p *program.Service) func(context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		b, _, err := p.Logo(ctx)
		return b, err
	}
}

// programZone gives credentials the program's time zone.
func programZone(c *calendar.Service) func(context.Context) (*time.Location, error) {
	return func(ctx context.Context) (*time.Location, error) {
		cal, err := c.Calendar(ctx)
		if err != nil {
			return nil, err
		}
		return cal.Location(), nil
	}
}

// newUploads is the upload pipeline: blobs in DATA_DIR/uploads on SQLite
// and in the database on PostgreSQL; staging in DATA_DIR/tmp; clamd when
// --clamd-addr names one, else the EICAR-only scanner in development and
// demonstration mode, else no scanner (files marked unscanned).
func newUploads(cfg *config.Config, st *store.Store, clock portal.Clock, log *slog.Logger, notify func()) (*uploads.Service, error) {
	blobs, err := uploads.BlobsFor(st)
	if err != nil {
		return nil, err
	}
	var scanner uploads.Scanner
	switch {
	case cfg.ClamdAddr != "":
		scanner = &uploads.Clamd{Addr: cfg.ClamdAddr}
	case cfg.Dev || cfg.Demo:
		scanner = uploads.EICARScanner{}
	default:
		log.Warn("no malware scanner configured (--clamd-addr): uploads are stored unscanned and staff are warned before opening them")
	}
	return uploads.New(st, blobs, scanner, clock, log, uploads.Config{
		MaxBytes: int64(cfg.UploadMaxMB) << 20, RateLimit: cfg.UploadRateLimit,
		TempDir: filepath.Join(cfg.DataDir, "tmp"), Notify: notify,
	})
}
