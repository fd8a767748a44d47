package store

import (
	"context"
	"fmt"
	"time"
)

// HitRateLimit counts one event in the fixed window of length window that
// contains now, and returns the count so far (this event included) and the
// window's start. The counter is one row per bucket and window, shared by
// every instance; the upsert makes concurrent hits count exactly.
func (tx *Tx) HitRateLimit(ctx context.Context, bucket string, window time.Duration) (int, time.Time, error) {
	start := tx.now.Truncate(window)
	var n int
	err := tx.get(ctx, &n, `INSERT INTO rate_limits (bucket, window_start, count) VALUES (?, ?, 1)
		ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + 1
		RETURNING count`, bucket, start)
	if err != nil {
		return 0, start, fmt.Errorf("store: rate limit %s: %w", bucket, err)
	}
	return n, start, nil
}

// AddRateLimitHits adds n events to the window of a bucket that starts at
// start, and returns the window's count so far (these events included):
// HitRateLimit for a caller that counts in memory first and writes its
// count now and then, on the window it counted in.
func (tx *Tx) AddRateLimitHits(ctx context.Context, bucket string, start time.Time, n int) (int, error) {
	var total int
	err := tx.get(ctx, &total, `INSERT INTO rate_limits (bucket, window_start, count) VALUES (?, ?, ?)
		ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + excluded.count
		RETURNING count`, bucket, start.UTC(), n)
	if err != nil {
		return 0, fmt.Errorf("store: rate limit %s: %w", bucket, err)
	}
	return total, nil
}

// CountRateLimitHits returns the count of the window containing now, without
// counting.
func (tx *Tx) CountRateLimitHits(ctx context.Context, bucket string, window time.Duration) (int, error) {
	var n int
	err := tx.get(ctx, &n, `SELECT COALESCE(SUM(count), 0) FROM rate_limits WHERE bucket = ? AND window_start = ?`,
		bucket, tx.now.Truncate(window))
	return n, err
}

// DeleteRateLimitsBefore removes windows that started before cutoff.
func (tx *Tx) DeleteRateLimitsBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	r, err := tx.exec(ctx, `DELETE FROM rate_limits WHERE window_start < ?`, cutoff)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}
