package accounts

import (
	"context"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Limit is a fixed-window rate limit: at most Max events per Window for
// one key. Counters live in the database, so they hold across instances.
type Limit struct {
	Name   string
	Max    int
	Window time.Duration
}

// The limits. Per-IP limits stop one address from spraying many accounts;
// per-address limits stop mail floods to one inbox.
var (
	LimitSignInPerIP       = Limit{"signin-ip", 30, 10 * time.Minute}
	LimitRegisterPerIP     = Limit{"register-ip", 10, time.Hour}
	LimitResetPerIP        = Limit{"reset-ip", 20, time.Hour}
	LimitResetPerAddress   = Limit{"reset-address", 1, time.Minute}
	LimitVerifyPerAccount  = Limit{"verify-resend", 1, time.Minute}
	LimitVerifyPerDay      = Limit{"verify-resend-day", 10, 24 * time.Hour}
	LimitEmailChangePerDay = Limit{"email-change", 5, 24 * time.Hour}
)

// RateLimited is the error of a request over its limit. RetryAfter tells
// the client when to try again (the web layer sends it as Retry-After).
func rateLimited(retryAfter time.Duration) error {
	secs := int(retryAfter.Round(time.Second).Seconds())
	if secs < 1 {
		secs = 1
	}
	return &portal.Error{Code: portal.ERateLimited, Message: "error.rate_limited", Data: map[string]any{"RetryAfter": secs}}
}

// allow counts one event against l for key and returns a rate_limited
// error when the window is full. The event counts even when the caller's
// own work later fails.
func (s *Service) allow(ctx context.Context, l Limit, key string) error {
	var (
		n     int
		start time.Time
	)
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		n, start, err = tx.HitRateLimit(ctx, l.Name+":"+key, l.Window)
		return err
	})
	if err != nil {
		return err
	}
	if n > l.Max {
		return rateLimited(start.Add(l.Window).Sub(s.clock.Now()))
	}
	return nil
}

// PurgeRateLimits deletes finished windows; a periodic job calls it.
func (s *Service) PurgeRateLimits(ctx context.Context) error {
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		_, err := tx.DeleteRateLimitsBefore(ctx, tx.Now().Add(-48*time.Hour))
		return err
	})
}
