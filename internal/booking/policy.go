package booking

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Policy is a refund policy: how much of the price comes back when a
// candidate cancels, by how long before the start. It is stored with each
// booking at purchase (as JSON), so a later change of the program's policy
// never changes what an earlier buyer was promised.
type Policy struct {
	Version string `json:"version"`
	// Tiers, from the earliest cancellation: cancelling at least MinHours
	// before the start refunds Percent of what was paid. Closer to the
	// start than the last tier, candidates cannot cancel online and the
	// fee is forfeited.
	Tiers []Tier `json:"tiers"`
	// RescheduleFeeMinor is charged, in the booking's currency, for each
	// move the candidate asks for; zero is free. It is the exam's fee at
	// purchase (portal.Exam.RescheduleFeeMinor).
	RescheduleFeeMinor int64 `json:"reschedule_fee_minor,omitempty"`
}

// Tier is one step of a policy.
type Tier struct {
	MinHours int `json:"min_hours"`
	Percent  int `json:"percent"`
}

// DefaultPolicy: 48 hours or more before the start, full refund; 24 to 48
// hours, half; under 24 hours no online cancellation.
var DefaultPolicy = Policy{Version: "2026-01", Tiers: []Tier{{MinHours: 48, Percent: 100}, {MinHours: 24, Percent: 50}}}

// Validate checks the tiers are usable.
func (p Policy) Validate() error {
	if p.Version == "" || len(p.Tiers) == 0 {
		return fmt.Errorf("a refund policy needs a version and at least one tier")
	}
	if p.RescheduleFeeMinor < 0 {
		return fmt.Errorf("a reschedule fee cannot be negative")
	}
	for _, t := range p.Tiers {
		if t.MinHours < 0 || t.Percent < 0 || t.Percent > 100 {
			return fmt.Errorf("tier %+v: hours must be ≥ 0 and percent 0–100", t)
		}
	}
	return nil
}

// Encode is the JSON stored with a booking.
func (p Policy) Encode() string {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// DecodePolicy reads a booking's stored policy.
func DecodePolicy(s string) (Policy, error) {
	var p Policy
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return p, fmt.Errorf("booking: stored refund policy: %w", err)
	}
	return p, p.Validate()
}

// Refund returns the percent of the paid amount refunded when cancelling
// at now for a start at startsAt, and false when the start is too close
// to cancel online.
func (p Policy) Refund(startsAt, now time.Time) (percent int, ok bool) {
	tiers := append([]Tier(nil), p.Tiers...)
	sort.Slice(tiers, func(i, j int) bool { return tiers[i].MinHours > tiers[j].MinHours })
	left := startsAt.Sub(now)
	for _, t := range tiers {
		if left >= time.Duration(t.MinHours)*time.Hour {
			return t.Percent, true
		}
	}
	return 0, false
}

// CancelDeadline is the last instant a booking can be cancelled online.
func (p Policy) CancelDeadline(startsAt time.Time) time.Time {
	min := -1
	for _, t := range p.Tiers {
		if min < 0 || t.MinHours < min {
			min = t.MinHours
		}
	}
	return startsAt.Add(-time.Duration(min) * time.Hour)
}

// refundAmount is percent of paid in minor units, rounded down so the
// refund never exceeds the policy.
func refundAmount(paid int64, percent int) int64 {
	return paid * int64(percent) / 100
}
