// Package results is exam results and the certifications they earn: the
// certification catalogue, attempts and their results (entered in the
// console and confirmed by a second officer, or imported from a file),
// holds for review, publication on the program calendar, corrections, the
// certifications candidates hold and the voucher an official pass gives.
//
// Contract: every method takes the acting portal.Actor. Candidates read
// their own attempts and certifications (Actor.Owns); staff need
// portal.PermResultsEnter, PermResultsConfirm or PermResultsImport to
// record results, PermExamsManage to change the certification catalogue,
// and PermResultsCorrect (admins) to correct a published result. Anyone
// else gets portal.ErrForbidden. Invalid input is an invalid *portal.Error
// whose Fields name the form fields (or a file's columns). A result counts
// once confirmed or imported; it is published exactly once at its
// official instant, by due work on the store's clock.
package results

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Calendar is what results need of the program's calendar: its time zone
// and business-day arithmetic (calendar.Calendar).
type Calendar interface {
	Location() *time.Location
	AddBusinessDays(from time.Time, n int) (time.Time, error)
}

// Config configures the service.
type Config struct {
	// Calendar returns the program's calendar as saved now.
	Calendar func(ctx context.Context) (Calendar, error)
	// BaseURL is the site's public address, for links in mail.
	BaseURL string
	// ExpiringMonths is how long before expiry a certification shows as
	// expiring (default portal.DefaultExpiringMonths).
	ExpiringMonths int
	// Kick asks the job relay to forward the outbox now (jobs.Runner.Notify);
	// nil waits for its next round.
	Kick func()
}

// Service is the results service.
type Service struct {
	st    *store.Store
	clock portal.Clock
	log   *slog.Logger
	cfg   Config
}

// New returns the service.
func New(st *store.Store, clock portal.Clock, log *slog.Logger, cfg Config) *Service {
	if cfg.ExpiringMonths <= 0 {
		cfg.ExpiringMonths = portal.DefaultExpiringMonths
	}
	return &Service{st: st, clock: clock, log: log, cfg: cfg}
}

// calendar returns the program's calendar now.
func (s *Service) calendar(ctx context.Context) (Calendar, error) {
	return s.cfg.Calendar(ctx)
}

func isNotFound(err error) bool { return errors.Is(err, portal.ErrNotFound) }
