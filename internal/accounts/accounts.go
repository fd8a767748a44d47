// Package accounts is the identity service: accounts and roles, the one-time
// admin setup link, sign-in and server-side sessions, and the audit log.
//
// Contract: every exported method takes the acting portal.Actor (or, for the
// anonymous flows — setup, sign-in — the request facts) and decides
// authorization itself. Errors are *portal.Error values with codes invalid,
// not_found, unauthorized, forbidden or conflict; anything else is internal.
package accounts

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Config holds the settings the service needs.
type Config struct {
	BaseURL         string
	ProgramName     string
	LoginIDPrefix   string
	SessionIdle     time.Duration
	SessionLifetime time.Duration
	Policy          PasswordPolicy
	// SecretKey (32 bytes) encrypts secrets at rest, such as TOTP seeds.
	SecretKey []byte
	// Languages are the supported language tags (the catalog's).
	Languages []string
	// Kick, when set, is called after a commit that queued mail, so it
	// leaves at once.
	Kick func()
}

// Service is the identity service.
type Service struct {
	st     *store.Store
	clock  portal.Clock
	log    *slog.Logger
	hasher *Hasher
	cfg    Config
}

// New returns the service.
func New(st *store.Store, clock portal.Clock, log *slog.Logger, hasher *Hasher, cfg Config) *Service {
	if cfg.Policy.MinLength == 0 {
		cfg.Policy = DefaultPolicy
	}
	if len(cfg.Languages) == 0 {
		cfg.Languages = []string{"en"}
	}
	return &Service{st: st, clock: clock, log: log, hasher: hasher, cfg: cfg}
}

// Token lifetimes.
const (
	AdminSetupTTL = 24 * time.Hour
)

// newLoginID returns the prefix followed by 8 random digits.
func (s *Service) newLoginID() string {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		panic("accounts: crypto/rand failed: " + err.Error())
	}
	return fmt.Sprintf("%s%08d", s.cfg.LoginIDPrefix, n.Int64())
}

// createUser inserts an account with a fresh login ID, retrying the rare
// collision of random IDs. A duplicate email is ErrConflict.
func (s *Service) createUser(ctx context.Context, tx *store.Tx, c store.UserCreate) (*portal.User, error) {
	for range 5 {
		c.LoginID = s.newLoginID()
		u, err := tx.CreateUser(ctx, c)
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, portal.ErrConflict) {
			return nil, err
		}
		if _, ferr := s.st.FindUserByEmail(ctx, c.Email); ferr == nil {
			return nil, err // the email is taken, not the login ID
		}
	}
	return nil, errors.New("accounts: could not allocate a unique login ID")
}

// audit writes one audit event in tx.
func audit(ctx context.Context, tx *store.Tx, actor portal.Actor, action, subject, detail string, changes ...portal.FieldChange) error {
	return tx.Audit(ctx, actor, action, subject, detail, changes)
}

func userSubject(id int64) string { return fmt.Sprintf("user:%d", id) }

func (s *Service) languageSupported(lang string) bool {
	for _, l := range s.cfg.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// checkPassword applies the policy and the offline blocklist, which holds
// under every policy.
func (s *Service) checkPassword(v *portal.Validation, field, password string, c PasswordContext) {
	s.cfg.Policy.Check(v, field, password, c)
	if !v.Has(field) && isCommonPassword(password) {
		v.Add(field, "password.common", nil)
	}
}

// kick asks the job runner to forward newly committed mail now rather than
// at its next sweep.
func (s *Service) kick() {
	if s.cfg.Kick != nil {
		s.cfg.Kick()
	}
}
