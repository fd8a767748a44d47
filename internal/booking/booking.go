// Package booking sells exam seats: a seat and what was paid for it. It
// owns holds, the cart with vouchers, checkout with a payment provider
// (test mode, Stripe and its webhook), confirmation, online check-in,
// reschedule with its fee, cancellation with refunds, no-shows, and the
// console's rosters, booking search and session closing. The catalogue it
// sells from (centers, slots) is the centers package's.
//
// Holds, the cart, checkout, moves and refunds change seats and money in
// the same transactions (a late payment takes a seat again or is refunded;
// a paid move takes the new seat in the transaction that records the
// payment; a cancellation frees the seat, returns the voucher and queues
// the refund together), which is why they are one package.
//
// Contract: every exported method takes the acting portal.Actor and decides
// authorization itself: a candidate acts on their own bookings
// (Actor.Owns; anyone else's is not found), staff through Actor.Authorize
// (PermRostersRead to read rosters and bookings, PermBookingsManage to act
// on them, PermSessionsManage to close sessions, PermVouchersManage for
// vouchers). Errors a user may see are *portal.Error values
// whose Message names the rule; anything else is internal. Every deadline
// is computed here from the slot's UTC instant and the injected clock;
// nothing a client sends about time is trusted.
//
// Events: every booking transition writes its booking.* event, and every
// settled payment its payment.* event, in the transaction that makes it.
//
// Seats: slots.taken counts held, pending and confirmed bookings and is
// changed only by store.TakeSeat and store.ReleaseSeat inside the
// transaction that changes the booking, so the two always agree
// (store.CheckInvariants verifies it).
package booking

import (
	"context"
	"crypto/rand"
	"log/slog"
	"strings"
	"time"

	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Config holds the program's booking rules. Zero fields take the
// defaults of DefaultConfig.
type Config struct {
	BaseURL     string
	ProgramName string
	// HoldTTL is how long a seat stays in the cart unpaid.
	HoldTTL time.Duration
	// PaymentWindow is how long a checkout with a provider that redirects
	// (Stripe) keeps the seats.
	PaymentWindow time.Duration
	// MinLead is how far ahead a start must be to be booked or moved to.
	MinLead time.Duration
	// Horizon is how far ahead slots are offered.
	Horizon time.Duration
	// RescheduleCutoff: reschedules end this long before the start.
	RescheduleCutoff time.Duration
	// OnlineGap is the least time between the end of one online exam and
	// the start of the next of the same candidate.
	OnlineGap time.Duration
	// MaxHolds is the most unpaid holds one account may have.
	MaxHolds int
	// MaxHoldsPerIP is the most unpaid holds made from one address, across
	// accounts (a school or office shares one address: keep it well above
	// MaxHolds).
	MaxHoldsPerIP int
	// Policy is the refund policy new purchases get.
	Policy Policy
	// RulesVersion and PrivacyVersion name the exam rules and privacy
	// policy candidates agree to for online exams.
	RulesVersion   string
	PrivacyVersion string
	// Kick, when set, is called after a commit that queued jobs.
	Kick func()
	// TimeZone returns the program's time zone, in which the renewal
	// retake of a microcredential opens (UTC when nil).
	TimeZone func(ctx context.Context) (*time.Location, error)
}

// DefaultConfig is the program's default rules.
var DefaultConfig = Config{
	HoldTTL:          15 * time.Minute,
	PaymentWindow:    30 * time.Minute,
	MinLead:          24 * time.Hour,
	Horizon:          90 * 24 * time.Hour,
	RescheduleCutoff: 24 * time.Hour,
	OnlineGap:        4 * time.Hour,
	MaxHolds:         5,
	MaxHoldsPerIP:    50,
	Policy:           DefaultPolicy,
	RulesVersion:     "2026-01",
	PrivacyVersion:   "2026-01",
}

// Service is the booking service.
type Service struct {
	st    *store.Store
	clock portal.Clock
	log   *slog.Logger
	cfg   Config
	pay   *payments.Providers
}

// New returns the service.
func New(st *store.Store, clock portal.Clock, log *slog.Logger, pay *payments.Providers, cfg Config) *Service {
	d := DefaultConfig
	set := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&cfg.HoldTTL, d.HoldTTL)
	set(&cfg.PaymentWindow, d.PaymentWindow)
	set(&cfg.MinLead, d.MinLead)
	set(&cfg.Horizon, d.Horizon)
	set(&cfg.RescheduleCutoff, d.RescheduleCutoff)
	set(&cfg.OnlineGap, d.OnlineGap)
	if cfg.MaxHolds <= 0 {
		cfg.MaxHolds = d.MaxHolds
	}
	if cfg.MaxHoldsPerIP <= 0 {
		cfg.MaxHoldsPerIP = d.MaxHoldsPerIP
	}
	if len(cfg.Policy.Tiers) == 0 {
		cfg.Policy = d.Policy
	}
	if cfg.RulesVersion == "" {
		cfg.RulesVersion = d.RulesVersion
	}
	if cfg.PrivacyVersion == "" {
		cfg.PrivacyVersion = d.PrivacyVersion
	}
	if cfg.Kick == nil {
		cfg.Kick = func() {}
	}
	if pay == nil {
		pay = &payments.Providers{}
	}
	return &Service{st: st, clock: clock, log: log, cfg: cfg, pay: pay}
}

// Config returns the rules in force.
func (s *Service) Config() Config { return s.cfg }

// Payments returns the configured payment providers.
func (s *Service) Payments() *payments.Providers { return s.pay }

// refused is a rule refusal a candidate sees, naming the rule.
func refused(code, message string, data map[string]any) error {
	return &portal.Error{Code: code, Message: message, Data: data}
}

// newReference returns a public reference: prefix and 8 characters from an
// alphabet without look-alikes (0/O, 1/I/L).
func newReference(prefix string) string {
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic("booking: crypto/rand failed: " + err.Error())
	}
	var sb strings.Builder
	sb.WriteString(prefix)
	for i, c := range b {
		if i == 4 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}

func audit(ctx context.Context, tx *store.Tx, actor portal.Actor, action, subject, detail string, changes ...portal.FieldChange) error {
	return tx.Audit(ctx, actor, action, subject, detail, changes)
}
