// Package credits is continuing education: the activity catalogue and its
// versioned credit rules, the requirement of each certification, the
// candidates' submissions with their evidence, the review queue and its
// decisions, and the append-only credit ledger that progress is read from
// and that renewal consumes (docs/continuing-education.md).
//
// Contract: every method takes the acting portal.Actor. Candidates work on
// their own submissions (Actor.Owns; anyone else's is portal.ErrNotFound);
// CE reviewers need portal.PermCEReview and never decide their own
// submission; the catalogue, the requirements and the program options need
// portal.PermSettingsManage, and reversing a decision
// portal.PermSettingsManage too (admins). Invalid input is an invalid
// *portal.Error whose Fields name the form fields (or the JSON path of an
// import); a decision that lost a race is a conflict
// (credits.error.already_decided). Evidence is given as upload IDs and read
// from the uploads table.
package credits

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/renewal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/uploads"
)

// Calendar is what continuing education needs of the program's calendar:
// its time zone and business-day arithmetic (calendar.Calendar).
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
	// Uploads opens evidence files (OpenEvidence).
	Uploads *uploads.Service
}

// Service is the continuing-education service.
type Service struct {
	st    *store.Store
	clock portal.Clock
	log   *slog.Logger
	cfg   Config
}

// New returns the service.
func New(st *store.Store, clock portal.Clock, log *slog.Logger, cfg Config) *Service {
	return &Service{st: st, clock: clock, log: log, cfg: cfg}
}

func (s *Service) calendar(ctx context.Context) (Calendar, error) { return s.cfg.Calendar(ctx) }

// Count modes: whether an approved activity counts toward every eligible
// certification or toward the one the candidate chooses.
const (
	CountEvery  = "every"
	CountChoose = "choose"
)

// Options are the program's continuing-education settings.
type Options struct {
	CountMode string `json:"count_mode" audit:"count_mode"`
	// ReviewBusinessDays is the target of a decision, in business days of
	// the program calendar after submission (default 20).
	ReviewBusinessDays int `json:"review_business_days" audit:"review_business_days"`
	// InfoDays is how long a request for more information waits for a
	// reply before the submission closes as denied (default 30).
	InfoDays int `json:"info_days" audit:"info_days"`
	// MaxOpen is how many submissions a candidate may have waiting for a
	// decision (default 30).
	MaxOpen int `json:"max_open" audit:"max_open"`
	// AttestationText is what a candidate attests for a type that asks an
	// attestation (the form shows it); empty for the default wording.
	AttestationText string `json:"attestation_text,omitempty" audit:"attestation_text"`
	// ReminderMonths are the months before a certification's expiry at
	// which its holder is reminded, by mail and on the dashboard, largest
	// first (default 12, 6, 3, 1).
	ReminderMonths []int `json:"reminder_months,omitempty" audit:"reminder_months"`
	// CarryOverCredits is how many credits (hundredths) earned in the
	// last 6 months of a cycle may count toward the next cycle instead of
	// being consumed by its renewal; 0 (the default): none carry over.
	// The renewal package reads it from the same setting.
	CarryOverCredits int `json:"carry_over_credits,omitempty" audit:"carry_over_credits"`
}

// MaxCarryOver bounds Options.CarryOverCredits: 1,000 credits.
const MaxCarryOver = 1000 * Credit

// DefaultOptions are the options of a program that set none.
func DefaultOptions() Options {
	return Options{CountMode: CountEvery, ReviewBusinessDays: 20, InfoDays: 30, MaxOpen: 30,
		ReminderMonths: slices.Clone(portal.DefaultReminderMonths)}
}

const optionsKey = renewal.OptionsKey

func (o *Options) fill() {
	d := DefaultOptions()
	if o.CountMode == "" {
		o.CountMode = d.CountMode
	}
	if o.ReviewBusinessDays <= 0 {
		o.ReviewBusinessDays = d.ReviewBusinessDays
	}
	if o.InfoDays <= 0 {
		o.InfoDays = d.InfoDays
	}
	if o.MaxOpen <= 0 {
		o.MaxOpen = d.MaxOpen
	}
	if len(o.ReminderMonths) == 0 {
		o.ReminderMonths = d.ReminderMonths
	}
}

// Options returns the program's continuing-education options. Anyone may
// read them (the submission form shows the count mode).
func (s *Service) Options(ctx context.Context) (Options, error) {
	var o Options
	v, err := s.st.GetSetting(ctx, optionsKey)
	if err != nil && !errors.Is(err, portal.ErrNotFound) {
		return o, err
	}
	if err == nil {
		if err := json.Unmarshal([]byte(v), &o); err != nil {
			return o, err
		}
	}
	o.fill()
	return o, nil
}

// Option form fields.
const (
	FieldCountMode  = "count_mode"
	FieldReviewDays = "review_business_days"
	FieldInfoDays   = "info_days"
	FieldMaxOpen    = "max_open"
	FieldReminders  = "reminder_months"
	FieldCarryOver  = "carry_over_credits"
)

// SetOptions saves the options (portal.PermSettingsManage), audited with
// before and after.
func (s *Service) SetOptions(ctx context.Context, actor portal.Actor, o Options) (Options, error) {
	if err := actor.Authorize(portal.PermSettingsManage); err != nil {
		return o, err
	}
	if err := o.check(); err != nil {
		return o, err
	}
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		raw, err := tx.LockSetting(ctx, optionsKey, "{}")
		if err != nil {
			return err
		}
		var before Options
		if err := json.Unmarshal([]byte(raw), &before); err != nil {
			return err
		}
		before.fill()
		b, err := json.Marshal(o)
		if err != nil {
			return err
		}
		if err := tx.SetSetting(ctx, optionsKey, string(b)); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "ce.options_changed", "ce:options", "", portal.Diff(&before, &o))
	})
	return o, err
}

// Validate reports each option out of range on its field (the Field
// constants), as SetOptions does.
func (o Options) Validate() error { return o.check() }

// check validates the options and sorts the reminder months, largest
// first.
func (o *Options) check() error {
	var v portal.Validation
	if o.CountMode != CountEvery && o.CountMode != CountChoose {
		v.Add(FieldCountMode, "credits.error.count_mode", nil)
	}
	if o.ReviewBusinessDays < 1 || o.ReviewBusinessDays > 120 {
		v.Add(FieldReviewDays, "credits.error.between", map[string]any{"From": 1, "To": 120})
	}
	if o.InfoDays < 1 || o.InfoDays > 365 {
		v.Add(FieldInfoDays, "credits.error.between", map[string]any{"From": 1, "To": 365})
	}
	if o.MaxOpen < 1 || o.MaxOpen > 1000 {
		v.Add(FieldMaxOpen, "credits.error.between", map[string]any{"From": 1, "To": 1000})
	}
	checkReminderMonths(o, &v)
	if o.CarryOverCredits < 0 || o.CarryOverCredits > MaxCarryOver {
		v.Add(FieldCarryOver, "credits.error.carry_over", map[string]any{"To": FormatCredits(MaxCarryOver)})
	}
	return v.Err()
}

func isNotFound(err error) bool { return errors.Is(err, portal.ErrNotFound) }
