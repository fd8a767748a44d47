package app

import (
	"context"
	"flag"
	"fmt"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/loadgen"
)

const generateSynopsis = "generate [--candidates N] [--seed S] [--password P] [flags]"

// runGenerate fills the configured database, which must hold no accounts,
// with a generated program of the given size, for load tests, benchmarks
// and query plans (internal/loadgen). Every generated account shares one
// password, hashed once.
func (m *Main) runGenerate(ctx context.Context, args []string) error {
	var (
		candidates int
		seed       uint64
		password   string
	)
	cfg, err := m.loadConfig("generate", generateSynopsis, args, func(fs *flag.FlagSet) {
		fs.IntVar(&candidates, "candidates", 1_000_000, "how many candidates to generate")
		fs.Uint64Var(&seed, "seed", 1, "seed of the generated data: the same seed gives the same rows")
		fs.StringVar(&password, "password", "", "password of every generated account (default: a random one, printed)")
	})
	if err != nil {
		return err
	}
	if candidates < 1 {
		fmt.Fprintln(m.Stderr, "generate: --candidates must be at least 1")
		return errUsage
	}
	log := newLogger(m.Stderr, cfg)
	key, err := loadSecretKey(cfg)
	if err != nil {
		return err
	}
	st, err := m.openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if password == "" {
		password = randomPassword()
	}
	hash, err := accounts.NewHasher(m.hashParams(), 1).Hash(ctx, password)
	if err != nil {
		return err
	}
	creds := credentials.New(st, m.Clock, log, credentials.Config{BaseURL: cfg.BaseURL, SecretKey: key, ProgramName: cfg.ProgramName})
	started := time.Now()
	last := started
	rep, err := loadgen.Generate(ctx, st, loadgen.Config{Candidates: candidates, Seed: seed, Now: m.Clock.Now(),
		PasswordHash: hash, LoginIDPrefix: cfg.LoginIDPrefix, Credentials: creds,
		Progress: func(done, total int) {
			if now := time.Now(); now.Sub(last) >= 10*time.Second || done == total {
				last = now
				fmt.Fprintf(m.Stdout, "%d of %d candidates written (%s)\n", done, total, now.Sub(started).Round(time.Second))
			}
		}})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Generated in %s on %s: %d candidates (%d with a second factor), %d staff, %d slots, %d bookings, %d payments, %d refunds, %d attempts, %d certifications, %d credentials (%d revoked), %d status-list entries, %d events, %d audit rows.\n",
		time.Since(started).Round(time.Second), st.Engine(), rep.Candidates, rep.WithMFA, rep.Staff, rep.Slots, rep.Bookings,
		rep.Payments, rep.Refunds, rep.Attempts, rep.Certifications, rep.Credentials, rep.Revoked, rep.StatusEntries,
		rep.Events, rep.Audit)
	fmt.Fprintf(m.Stdout, "Every account's password: %s\nA candidate: %s\nA credential: %s/credentials/%s\n",
		password, rep.Candidate, cfg.BaseURL, rep.Credential)
	for _, id := range rep.Templates {
		fmt.Fprintf(m.Stdout, "Signed for real (its downloads verify): %s/credentials/%s\n", cfg.BaseURL, id)
	}
	return nil
}
