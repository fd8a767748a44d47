// Package centers is the test-center catalogue: the centers, their
// opening hours and closed days, the slots (sessions at a center, online
// starts) generated from them and their capacity, the search for centers
// near a place, and which days have a free seat. It sells nothing: holds,
// bookings and payments are the booking package's.
//
// Contract: reading the catalogue is open to anyone; every method that
// changes it takes the acting portal.Actor and decides authorization
// itself (Actor.Authorize: PermCentersManage for centers,
// PermSessionsManage for a slot's capacity). Errors a user may see are
// *portal.Error values whose Message names the rule; anything else is
// internal. It writes audit entries (scheduling.center_created,
// scheduling.center_updated, scheduling.capacity_changed) and no events.
package centers

import (
	"context"
	"log/slog"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Config holds the catalogue's rules. Zero fields take the defaults of
// DefaultConfig.
type Config struct {
	// MinLead is how far ahead a start must be to be offered.
	MinLead time.Duration
	// Horizon is how far ahead slots are generated and offered.
	Horizon time.Duration
	// OnlineCapacity is the number of proctors per 30-minute online start.
	OnlineCapacity int
}

// DefaultConfig is the program's default catalogue rules.
var DefaultConfig = Config{
	MinLead:        24 * time.Hour,
	Horizon:        90 * 24 * time.Hour,
	OnlineCapacity: 20,
}

// Service is the test-center catalogue.
type Service struct {
	st    *store.Store
	clock portal.Clock
	log   *slog.Logger
	cfg   Config
}

// New returns the service.
func New(st *store.Store, clock portal.Clock, log *slog.Logger, cfg Config) *Service {
	d := DefaultConfig
	if cfg.MinLead <= 0 {
		cfg.MinLead = d.MinLead
	}
	if cfg.Horizon <= 0 {
		cfg.Horizon = d.Horizon
	}
	if cfg.OnlineCapacity <= 0 {
		cfg.OnlineCapacity = d.OnlineCapacity
	}
	return &Service{st: st, clock: clock, log: log, cfg: cfg}
}

// Config returns the rules in force.
func (s *Service) Config() Config { return s.cfg }

func audit(ctx context.Context, tx *store.Tx, actor portal.Actor, action, subject, detail string, changes ...portal.FieldChange) error {
	return tx.Audit(ctx, actor, action, subject, detail, changes)
}
