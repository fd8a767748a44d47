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
// exam are settled no earlier than its start; results are official once
// and never early, an official pass issues its certification (or none
// while one stands) with one pass voucher of 50 %, one use, expiring
// with it and voided if the certification is withdrawn unused, and never
// takes more than half a booking's price. It is read-only and may run
// beside live traffic (on PostgreSQL it reads one snapshot).
// replacedSince holds for a withdrawn certification uc when another of the
// same certification was issued to its holder after the withdrawal and is
// not withdrawn: a correction that restores uc's pass then gives it back
// no more.
const replacedSince = `(uc.withdrawn_at IS NOT NULL AND EXISTS (SELECT 1 FROM user_certifications r
	WHERE r.user_id = uc.user_id AND r.certification_id = uc.certification_id AND r.id <> uc.id
	  AND r.withdrawn_at IS NULL AND r.created_at >= uc.withdrawn_at))`

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

		// Results. A result is official exactly when it was published, and
		// never before its official instant.
		{"result official without its publication, or published before its official instant", `SELECT 'attempt ' || a.id || ' is ' || a.state || CASE
			WHEN a.state = 'official' AND a.published_at IS NULL THEN ' without published_at'
			WHEN a.state <> 'official' AND a.published_at IS NOT NULL THEN ' with published_at'
			ELSE ' published before its official instant' END
			FROM exam_attempts a
			WHERE (a.state = 'official' AND a.published_at IS NULL) OR (a.state <> 'official' AND a.published_at IS NOT NULL)
			   OR a.published_at < a.official_at`},
		{"result.published event doubled or without an official result", `SELECT 'attempt ' || e.subject_id || ': ' || COUNT(*) || ' result.published events, ' ||
			COALESCE(a.state, 'no attempt')
			FROM events e LEFT JOIN exam_attempts a ON a.id = e.subject_id
			WHERE e.type = 'result.published' AND e.subject_kind = 'attempt'
			GROUP BY e.subject_id, a.state HAVING COUNT(*) > 1 OR a.state IS NULL OR a.state <> 'official'`},
		// An official pass of a certification exam earns the certification
		// (its own row), unless one of that certification stood for the
		// candidate when the pass was published; then it issues none. The
		// other certification's creation time is not compared: a
		// transaction's clock is read when it starts, and two passes
		// published at once take the candidate's lock in either order.
		{"official pass of a certification exam that issued none while none stood", `SELECT 'attempt ' || a.id || ' of user ' || a.user_id ||
			': an official pass of certification ' || a.certification_id || ' with no certification of its own and none standing before'
			FROM exam_attempts a
			WHERE a.state = 'official' AND a.passed = TRUE AND a.certification_id IS NOT NULL
			  AND NOT EXISTS (SELECT 1 FROM user_certifications uc WHERE uc.attempt_id = a.id AND uc.withdrawn_at IS NULL)
			  AND NOT EXISTS (SELECT 1 FROM user_certifications uc WHERE uc.attempt_id = a.id AND ` + replacedSince + `)
			  AND NOT EXISTS (SELECT 1 FROM user_certifications o
			    WHERE o.user_id = a.user_id AND o.certification_id = a.certification_id AND o.attempt_id <> a.id
			      AND o.expires_at > a.published_at
			      AND (o.withdrawn_at IS NULL OR o.withdrawn_at > a.published_at)
			      AND (o.revoked_at IS NULL OR o.revoked_at > a.published_at))`},
		{"certification issued while one of the same certification stood", `SELECT 'user ' || uc.user_id || ' certification ' || uc.certification_id ||
			': ' || uc.id || ' issued while ' || o.id || ' stood'
			FROM user_certifications uc JOIN user_certifications o
			  ON o.user_id = uc.user_id AND o.certification_id = uc.certification_id AND o.id <> uc.id
			WHERE uc.withdrawn_at IS NULL AND o.created_at <= uc.created_at AND o.expires_at > uc.created_at AND o.superseded_by IS NULL
			  AND (o.withdrawn_at IS NULL OR o.withdrawn_at > uc.created_at)
			  AND (o.revoked_at IS NULL OR o.revoked_at > uc.created_at)
			  AND (o.suspended_at IS NULL OR o.suspended_at > uc.created_at)`},
		{"certification not earned by an official pass of its holder", `SELECT 'certification ' || uc.id || ' of user ' || uc.user_id ||
			': attempt ' || a.id || ' of user ' || a.user_id || ' is ' || a.state || CASE WHEN a.passed = TRUE THEN ' passed' ELSE ' failed' END ||
			CASE WHEN uc.withdrawn_at IS NULL THEN '' ELSE ', the certification withdrawn' END
			FROM user_certifications uc JOIN exam_attempts a ON a.id = uc.attempt_id
			WHERE a.user_id <> uc.user_id OR a.certification_id IS NULL OR a.certification_id <> uc.certification_id
			   OR (uc.withdrawn_at IS NULL AND (a.state <> 'official' OR a.passed = FALSE))
			   OR (uc.withdrawn_at IS NOT NULL AND a.state = 'official' AND a.passed = TRUE AND NOT ` + replacedSince + `)`},
		{"certification without its pass voucher", `SELECT 'certification ' || uc.id || ' of user ' || uc.user_id || ' cycle ' || uc.cycle || ' has no voucher'
			FROM user_certifications uc LEFT JOIN certification_vouchers cv ON cv.user_certification_id = uc.id
			WHERE cv.voucher_id IS NULL`},
		// The pass voucher: 50 % off any exam, one use, its holder's,
		// until the certification expires; voided when a correction
		// withdraws the certification before it was used.
		{"pass voucher other than its certification gives", `SELECT 'voucher ' || v.id || ' of certification ' || uc.id || ': ' || CASE
			WHEN v.owner_user_id IS NULL OR v.owner_user_id <> uc.user_id THEN 'not owned by user ' || uc.user_id
			WHEN v.percent <> 50 THEN v.percent || ' percent'
			WHEN v.max_uses <> 1 THEN v.max_uses || ' uses'
			WHEN v.exam_codes <> '' THEN 'only for ' || v.exam_codes
			WHEN v.expires_at <> COALESCE(rn.old_expires_at, uc.expires_at) THEN 'expires other than its certification''s cycle'
			WHEN cv.cycle <> uc.cycle AND rn.id IS NULL THEN 'cycle ' || cv.cycle || ' of certification cycle ' || uc.cycle
			ELSE 'unused and enabled though its certification was withdrawn' END
			FROM certification_vouchers cv JOIN user_certifications uc ON uc.id = cv.user_certification_id JOIN vouchers v ON v.id = cv.voucher_id
			LEFT JOIN renewals rn ON rn.user_certification_id = uc.id AND rn.cycle = cv.cycle AND cv.cycle < uc.cycle
			WHERE v.owner_user_id IS NULL OR v.owner_user_id <> uc.user_id OR v.percent <> 50 OR v.max_uses <> 1 OR v.exam_codes <> ''
			   OR v.expires_at <> COALESCE(rn.old_expires_at, uc.expires_at) OR (cv.cycle <> uc.cycle AND rn.id IS NULL)
			   OR (uc.withdrawn_at IS NOT NULL AND v.uses = 0 AND v.disabled_at IS NULL)`},
		{"pass voucher took more than half a booking's price", `SELECT 'booking ' || b.id || ': pass voucher ' || b.voucher_id || ' took ' || b.discount_minor ||
			' off ' || b.price_minor
			FROM bookings b JOIN certification_vouchers cv ON cv.voucher_id = b.voucher_id
			WHERE b.discount_minor * 2 > b.price_minor`},
		// A parked row that attached names an attempt of its import, of
		// the exam the row gave.
		{"parked result attached to an attempt of another exam or import", `SELECT 'parked result ' || p.id || ' (import ' || p.import_id || ' row ' ||
			p.row_number || '): attempt ' || a.id || ' of ' || a.exam_code || ' from import ' || COALESCE(a.import_id, 0)
			FROM parked_results p JOIN exam_attempts a ON a.id = p.attempt_id
			WHERE a.import_id IS NULL OR a.import_id <> p.import_id OR a.exam_code <> UPPER(TRIM(` + s.jsonText("p.data", "cells", "exam_code") + `))`},
	}
	checks = append(checks, ceInvariants...)
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

// CEInvariantPrefix starts the name of every continuing-education
// invariant, so that a report can be read for them alone.
const CEInvariantPrefix = "continuing education: "

// ceInvariants are the rules of the credit ledger: a live credit row (not
// reversed) belongs to the submission's decision in force, an approval,
// and together they hold no more than it granted; a submission grants no
// more than it claimed nor than its type allows; a consumption uses one
// credit row, of its own amount, and a consumed row a reversal took back
// has flagged its renewal.
var ceInvariants = []struct{ name, query string }{
	{CEInvariantPrefix + "ledger above its decision", `SELECT 'submission ' || s.id || ' (' || s.state || ') certification ' || l.user_certification_id ||
		': ledger ' || SUM(l.credits) || ', granted ' || s.granted
		FROM ce_ledger l JOIN ce_submissions s ON s.id = l.submission_id
		WHERE l.kind = 'credit' AND s.state IN ('approved', 'partial')
		  AND NOT EXISTS (SELECT 1 FROM ce_ledger r WHERE r.reverses_id = l.id)
		GROUP BY s.id, s.state, l.user_certification_id, s.granted HAVING SUM(l.credits) > s.granted`},
	{CEInvariantPrefix + "credits left from a decision no longer in force", `SELECT 'ledger ' || l.id || ': submission ' || s.id || ' is ' || s.state ||
		', decision ' || s.decisions || ', row of decision ' || l.decision
		FROM ce_ledger l JOIN ce_submissions s ON s.id = l.submission_id
		WHERE l.kind = 'credit' AND (s.state NOT IN ('approved', 'partial') OR l.decision <> s.decisions)
		  AND NOT EXISTS (SELECT 1 FROM ce_ledger r WHERE r.reverses_id = l.id)
		  AND NOT EXISTS (SELECT 1 FROM ce_ledger c JOIN ce_renewal_flags f ON f.renewal_id = c.renewal_id AND f.submission_id = s.id
			WHERE c.consumes_id = l.id)`},
	{CEInvariantPrefix + "ledger row of another candidate or type", `SELECT 'ledger ' || l.id || ': user ' || l.user_id || ' type ' || l.type_id ||
		', submission of user ' || s.user_id || ' type ' || s.type_id || ', certification of user ' || uc.user_id
		FROM ce_ledger l JOIN ce_submissions s ON s.id = l.submission_id JOIN user_certifications uc ON uc.id = l.user_certification_id
		WHERE l.user_id <> s.user_id OR l.type_id <> s.type_id OR uc.user_id <> l.user_id`},
	{CEInvariantPrefix + "credits above the rule or the claim", `SELECT 'submission ' || s.id || ': claimed ' || s.claimed || ', granted ' || s.granted ||
		', cap ' || v.cap_activity || ', range ' || v.min_credits || '..' || v.max_credits
		FROM ce_submissions s JOIN ce_activity_versions v ON v.id = s.version_id
		WHERE s.granted > s.claimed OR (v.cap_activity > 0 AND s.claimed > v.cap_activity)
		   OR (v.rule <> 'per_unit' AND s.state <> 'draft' AND (s.claimed > v.max_credits OR s.claimed < v.min_credits) AND NOT (v.cap_activity > 0 AND s.claimed = v.cap_activity))
		   OR (s.state NOT IN ('approved', 'partial') AND s.granted <> 0)`},
	{CEInvariantPrefix + "credits above the type's cap per cycle", `SELECT 'certification ' || l.user_certification_id || ' type ' || l.type_id ||
		': ' || SUM(l.credits) || ' above the cap ' || MAX(v.cap_cycle)
		FROM ce_ledger l JOIN ce_submissions s ON s.id = l.submission_id JOIN ce_activity_versions v ON v.id = s.version_id
		WHERE l.kind = 'credit' AND NOT EXISTS (SELECT 1 FROM ce_ledger r WHERE r.reverses_id = l.id)
		  AND NOT EXISTS (SELECT 1 FROM ce_ledger c WHERE c.consumes_id = l.id)
		GROUP BY l.user_certification_id, l.type_id
		HAVING MIN(v.cap_cycle) > 0 AND SUM(l.credits) > MAX(v.cap_cycle)`},
	{CEInvariantPrefix + "reversal or consumption other than the row it names", `SELECT 'ledger ' || l.id || ' (' || l.kind || ') of ' || l.credits ||
		' names row ' || o.id || ' (' || o.kind || ') of ' || o.credits
		FROM ce_ledger l JOIN ce_ledger o ON o.id = COALESCE(l.reverses_id, l.consumes_id)
		WHERE o.kind <> 'credit' OR l.credits <> o.credits OR l.user_certification_id <> o.user_certification_id`},
	{CEInvariantPrefix + "consumption above the approved credits", `SELECT 'certification ' || uc.id || ': consumed ' || COALESCE(SUM(CASE WHEN l.kind = 'consumption' THEN l.credits END), 0) ||
		', credited ' || COALESCE(SUM(CASE WHEN l.kind = 'credit' THEN l.credits END), 0)
		FROM user_certifications uc JOIN ce_ledger l ON l.user_certification_id = uc.id
		GROUP BY uc.id HAVING COALESCE(SUM(CASE WHEN l.kind = 'consumption' THEN l.credits END), 0) > COALESCE(SUM(CASE WHEN l.kind = 'credit' THEN l.credits END), 0)`},
	// Renewal: one per certification and cycle, of a cycle the
	// certification has left, extending it from the old expiry; its
	// consumption rows name it, belong to its certification and add up to
	// what it records.
	{CEInvariantPrefix + "more than one renewal of a cycle", `SELECT 'certification ' || user_certification_id || ' cycle ' || cycle || ': ' || COUNT(*) || ' renewals'
		FROM renewals GROUP BY user_certification_id, cycle HAVING COUNT(*) > 1`},
	{CEInvariantPrefix + "renewal out of its certification's cycles", `SELECT 'renewal ' || n.id || ' of certification ' || uc.id || ' cycle ' || n.cycle ||
		': certification in cycle ' || uc.cycle || CASE WHEN n.user_id <> uc.user_id THEN ', of another user' ELSE '' END
		FROM renewals n JOIN user_certifications uc ON uc.id = n.user_certification_id
		WHERE n.cycle >= uc.cycle OR n.user_id <> uc.user_id OR n.new_expires_at > uc.expires_at
		   OR n.new_issued_on <= n.old_expires_on`},
	{CEInvariantPrefix + "consumption of no renewal of its certification", `SELECT 'ledger ' || l.id || ': renewal ' || COALESCE(l.renewal_id, 0)
		FROM ce_ledger l LEFT JOIN renewals n ON n.id = l.renewal_id
		WHERE l.kind = 'consumption' AND (n.id IS NULL OR n.user_certification_id <> l.user_certification_id)`},
	{CEInvariantPrefix + "renewal consumed other than it records", `SELECT 'renewal ' || n.id || ': records ' || n.credits_consumed || ', ledger ' ||
		COALESCE((SELECT SUM(l.credits) FROM ce_ledger l WHERE l.kind = 'consumption' AND l.renewal_id = n.id), 0)
		FROM renewals n WHERE n.credits_consumed <> COALESCE((SELECT SUM(l.credits) FROM ce_ledger l WHERE l.kind = 'consumption' AND l.renewal_id = n.id), 0)`},
}

// jsonText is the SQL of the text at a path of keys in a JSON column.
func (s *Store) jsonText(column string, keys ...string) string {
	if s.engine == Postgres {
		out := "(" + column + ")::jsonb"
		for i, k := range keys {
			op := " -> "
			if i == len(keys)-1 {
				op = " ->> "
			}
			out += op + "'" + k + "'"
		}
		return out
	}
	path := "$"
	for _, k := range keys {
		path += "." + k
	}
	return "json_extract(" + column + ", '" + path + "')"
}
