package store

import (
	"context"
	"database/sql"
	"fmt"
)

// CheckInvariants reads the whole scheduling state and returns every
// violation of the rules that must hold at any moment, whatever ran
// before: seats (taken counts the live bookings: held, pending,
// confirmed; delivered and no-show bookings hold none), money (for seats
// and for reschedule fees) and vouchers add up, and bookings after their
// exam are settled no earlier than its start. It is read-only and may run beside live traffic (on PostgreSQL
// it reads one snapshot).
func (s *Store) CheckInvariants(ctx context.Context) ([]string, error) {
	// One snapshot without the write lock: a deferred read transaction on
	// SQLite (a read-only BEGIN is not IMMEDIATE), a repeatable-read,
	// read-only one on PostgreSQL.
	opts := &sql.TxOptions{ReadOnly: true}
	if s.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.db.BeginTxx(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	checks := []struct {
		name, query string
	}{
		{"slot seats taken differ from its live bookings", `SELECT 'slot ' || s.id || ': taken ' || s.taken || ', live bookings ' || COUNT(b.id) || ', capacity ' || s.capacity
			FROM slots s LEFT JOIN bookings b ON b.slot_id = s.id AND b.state IN ('held', 'pending', 'confirmed')
			GROUP BY s.id, s.taken, s.capacity HAVING s.taken <> COUNT(b.id) OR s.taken > s.capacity`},
		{"checkout payment differs from its bookings' charges", `SELECT 'payment ' || p.id || ': amount ' || p.amount_minor || ', bookings charged ' || COALESCE(SUM(b.charged_minor), 0)
			FROM payments p LEFT JOIN bookings b ON b.payment_id = p.id
			WHERE p.state = 'succeeded' AND p.purpose = 'booking'
			GROUP BY p.id, p.amount_minor HAVING p.amount_minor <> COALESCE(SUM(b.charged_minor), 0)`},
		{"booking charged other than its price less its discount", `SELECT 'booking ' || b.id || ': charged ' || b.charged_minor || ', price ' || b.price_minor || ' less discount ' || b.discount_minor
			FROM bookings b JOIN payments p ON p.id = b.payment_id
			WHERE p.state = 'succeeded' AND b.charged_minor <> b.price_minor - b.discount_minor`},
		{"refunds of a payment exceed its amount", `SELECT 'payment ' || p.id || ': amount ' || p.amount_minor || ', refunds ' || SUM(r.amount_minor)
			FROM payments p JOIN refunds r ON r.payment_id = p.id AND r.state <> 'failed'
			GROUP BY p.id, p.amount_minor HAVING SUM(r.amount_minor) > p.amount_minor`},
		{"fee payment differs from its move", `SELECT 'payment ' || p.id || ': fee ' || p.amount_minor || ', move ' || COALESCE(m.id, 0) || ' fee ' || COALESCE(m.fee_minor, 0)
			FROM payments p LEFT JOIN booking_moves m ON m.payment_id = p.id
			WHERE p.purpose = 'reschedule_fee' AND p.state = 'succeeded' AND (m.id IS NULL OR m.fee_minor <> p.amount_minor)`},
		{"move done without its fee, or failed with its fee kept", `SELECT 'move ' || m.id || ' is ' || m.state || ', fee payment ' || COALESCE(p.state, 'none') || ', refunds ' || COUNT(r.id)
			FROM booking_moves m LEFT JOIN payments p ON p.id = m.payment_id LEFT JOIN refunds r ON r.payment_id = m.payment_id AND r.state <> 'failed'
			WHERE m.fee_minor > 0 GROUP BY m.id, m.state, p.state
			HAVING (m.state = 'done' AND (p.state IS NULL OR p.state <> 'succeeded' OR COUNT(r.id) > 0))
			    OR (m.state = 'failed' AND p.state = 'succeeded' AND COUNT(r.id) = 0)
			    OR (m.state = 'pending' AND COUNT(r.id) > 0)`},
		{"confirmed booking without a successful payment", `SELECT 'booking ' || b.id || ' is ' || b.state || ' without a successful payment'
			FROM bookings b LEFT JOIN payments p ON p.id = b.payment_id
			WHERE b.confirmed_at IS NOT NULL AND (p.id IS NULL OR p.state <> 'succeeded')`},
		{"refund larger than paid or on a live booking", `SELECT 'refund ' || r.id || ' of booking ' || b.id || ' (' || b.state || '): ' || r.amount_minor || ' of ' || b.charged_minor
			FROM refunds r JOIN bookings b ON b.id = r.booking_id JOIN payments p ON p.id = r.payment_id
			WHERE p.purpose = 'booking' AND (r.amount_minor > b.charged_minor OR b.state NOT IN ('cancelled', 'expired') OR r.payment_id <> b.payment_id)`},
		{"fee refund not the whole fee of a failed move", `SELECT 'refund ' || r.id || ' of fee payment ' || p.id || ': ' || r.amount_minor || ' of ' || p.amount_minor || ', move ' || COALESCE(m.state, 'none')
			FROM refunds r JOIN payments p ON p.id = r.payment_id LEFT JOIN booking_moves m ON m.payment_id = p.id
			WHERE p.purpose = 'reschedule_fee' AND (m.id IS NULL OR m.state <> 'failed' OR r.amount_minor <> p.amount_minor OR r.booking_id <> m.booking_id)`},
		{"money captured minus refunded differs from what bookings and moves keep", `SELECT 'captured ' || cap.total || ' - refunded ' || ref.total || ' <> kept ' || (kept.total + fees.total)
			FROM (SELECT COALESCE(SUM(amount_minor), 0) AS total FROM payments WHERE state = 'succeeded') cap,
			     (SELECT COALESCE(SUM(amount_minor), 0) AS total FROM refunds WHERE state <> 'failed') ref,
			     (SELECT COALESCE(SUM(b.charged_minor - COALESCE(r.amount_minor, 0)), 0) AS total
			        FROM bookings b JOIN payments p ON p.id = b.payment_id AND p.state = 'succeeded'
			        LEFT JOIN refunds r ON r.booking_id = b.id AND r.payment_id = b.payment_id AND r.state <> 'failed') kept,
			     (SELECT COALESCE(SUM(m.fee_minor), 0) AS total
			        FROM booking_moves m JOIN payments p ON p.id = m.payment_id AND p.state = 'succeeded'
			        WHERE m.state = 'done') fees
			WHERE cap.total - ref.total <> kept.total + fees.total`},
		{"voucher uses differ from its redemptions", `SELECT 'voucher ' || v.id || ': uses ' || v.uses || ', held by ' || COUNT(b.id) || ', max ' || v.max_uses
			FROM vouchers v LEFT JOIN bookings b ON b.voucher_id = v.id AND b.voucher_released_at IS NULL
			GROUP BY v.id, v.uses, v.max_uses HAVING v.uses <> COUNT(b.id) OR v.uses > v.max_uses`},
		// Events are purged after their retention and bookings confirmed
		// before events existed have none, so an event may be missing;
		// but none may be false or doubled.
		{"booking.confirmed event doubled or without a confirmed booking", `SELECT 'booking ' || e.subject_id || ': ' || COUNT(*) || ' booking.confirmed events, ' ||
			CASE WHEN b.confirmed_at IS NULL THEN 'never confirmed' ELSE 'confirmed' END
			FROM events e LEFT JOIN bookings b ON b.id = e.subject_id
			WHERE e.type = 'booking.confirmed' AND e.subject_kind = 'booking'
			GROUP BY e.subject_id, b.confirmed_at HAVING COUNT(*) > 1 OR b.confirmed_at IS NULL`},
		// A booking after its exam is settled at a time, never before its
		// slot started: a no-show has its no_show_at, a delivered one its
		// delivered_at (a delivered booking corrected from a no-show keeps
		// its no_show_at as history).
		{"settled booking without its time, or before its start", `SELECT 'booking ' || b.id || ' is ' || b.state || CASE
			WHEN b.state = 'delivered' AND b.delivered_at IS NULL THEN ' without delivered_at'
			WHEN b.state = 'no_show' AND b.no_show_at IS NULL THEN ' without no_show_at'
			ELSE ' before its slot started' END
			FROM bookings b JOIN slots s ON s.id = b.slot_id
			WHERE (b.state = 'delivered' AND (b.delivered_at IS NULL OR b.delivered_at < s.starts_at))
			   OR (b.state = 'no_show' AND (b.no_show_at IS NULL OR b.no_show_at < s.starts_at))`},
		{"booking.delivered event doubled or without a delivered booking", `SELECT 'booking ' || e.subject_id || ': ' || COUNT(*) || ' booking.delivered events, ' ||
			CASE WHEN b.delivered_at IS NULL THEN 'never delivered' ELSE 'delivered' END
			FROM events e LEFT JOIN bookings b ON b.id = e.subject_id
			WHERE e.type = 'booking.delivered' AND e.subject_kind = 'booking'
			GROUP BY e.subject_id, b.delivered_at HAVING COUNT(*) > 1 OR b.delivered_at IS NULL`},
		{"several live bookings for one exam", `SELECT 'user ' || user_id || ' exam ' || exam_id || ': ' || COUNT(*) || ' live bookings'
			FROM bookings WHERE state IN ('held', 'pending', 'confirmed') GROUP BY user_id, exam_id HAVING COUNT(*) > 1`},
	}
	var out []string
	for _, c := range checks {
		var rows []string
		if err := tx.SelectContext(ctx, &rows, c.query); err != nil {
			return nil, fmt.Errorf("store: invariant %q: %w", c.name, err)
		}
		for _, r := range rows {
			out = append(out, c.name+": "+r)
		}
	}
	return out, nil
}
