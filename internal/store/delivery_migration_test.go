package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestBookingDeliveryMigration: migration 0015 lets bookings be delivered
// (on SQLite by rebuilding the table, whose CHECK cannot be altered) and
// keeps everything that was there: every booking row with its id, the
// rows of the tables that reference bookings (refunds, moves, attempts),
// every index, the AUTOINCREMENT counter, and foreign keys enforced on the
// connection afterwards. A delivered booking needs its delivered_at. Its
// Down turns delivered bookings into no-shows, which hold no seat either.
func TestBookingDeliveryMigration(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		const before = 14
		s, p := migratedTo(t, engine, before)
		db := s.DB()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.ExecContext(ctx, testutil.Rebind(engine, q), args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		insert := func(q string, args ...any) int64 {
			t.Helper()
			var id int64
			if err := db.QueryRowContext(ctx, testutil.Rebind(engine, q+" RETURNING id"), args...).Scan(&id); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return id
		}
		user := insert(`INSERT INTO users (login_id, email, first_name, last_name, role, language, created_at, updated_at)
			VALUES ('CP00000042', 'ada@example.org', 'Ada', 'Lovelace', 'candidate', 'en', ?, ?)`, t0, t0)
		exam := insert(`INSERT INTO exams (code, name, level, kind, duration_minutes, languages, delivery, price_minor, currency,
			passing_score, retake_wait_days, max_reschedules, validity_months, created_at, updated_at)
			VALUES ('SAA-C03', 'Solutions Architect', 'associate', 'exam', 120, 'en', 'online', 15000, 'USD', 720, 14, 2, 36, ?, ?)`, t0, t0)
		slot := func(h int) int64 {
			return insert(`INSERT INTO slots (starts_at, session, capacity, taken, created_at) VALUES (?, 'online', 5, 0, ?)`,
				t0.Add(time.Duration(h)*time.Hour), t0)
		}
		s1, s2 := slot(24), slot(48)
		pay := insert(`INSERT INTO payments (reference, user_id, provider, purpose, state, amount_minor, currency, created_at, updated_at)
			VALUES ('P1', ?, 'test', 'booking', 'succeeded', 30000, 'USD', ?, ?)`, user, t0, t0)
		booking := func(ref, state string, slot int64) int64 {
			return insert(`INSERT INTO bookings (reference, user_id, exam_id, slot_id, state, language, price_minor, currency, policy,
				payment_id, charged_minor, hold_ip, no_show_kind, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, 'en', 15000, 'USD', '{}', ?, 15000, '192.0.2.1', '', ?, ?)`, ref, user, exam, slot, state, pay, t0, t0)
		}
		cancelled := booking("B-CANC", "cancelled", s1)
		confirmed := booking("B-CONF", "confirmed", s2)
		exec(`UPDATE slots SET taken = 1 WHERE id = ?`, s2)
		last := booking("B-LAST", "expired", s1)
		exec(`INSERT INTO refunds (booking_id, payment_id, amount_minor, currency, state, created_at, updated_at)
			VALUES (?, ?, 15000, 'USD', 'succeeded', ?, ?)`, cancelled, pay, t0, t0)
		exec(`INSERT INTO booking_moves (booking_id, from_slot_id, to_slot_id, state, free, fee_minor, currency, created_at, updated_at)
			VALUES (?, ?, ?, 'done', ?, 0, 'USD', ?, ?)`, confirmed, s1, s2, true, t0, t0)
		exec(`INSERT INTO exam_attempts (user_id, exam_id, booking_id, taken_at, created_at) VALUES (?, ?, ?, ?, ?)`,
			user, exam, confirmed, t0, t0)
		// The highest id is gone: the counter, not the rows, says where
		// ids go on.
		exec(`DELETE FROM bookings WHERE id = ?`, last)

		tables := map[string]string{
			"bookings":      `SELECT id, reference, user_id, exam_id, slot_id, state, payment_id, charged_minor, hold_ip, created_at FROM bookings ORDER BY id`,
			"refunds":       `SELECT id, booking_id, payment_id, amount_minor FROM refunds ORDER BY id`,
			"booking_moves": `SELECT id, booking_id, from_slot_id, to_slot_id, state FROM booking_moves ORDER BY id`,
			"exam_attempts": `SELECT id, user_id, exam_id, booking_id FROM exam_attempts ORDER BY id`,
		}
		dump := func() map[string]string {
			t.Helper()
			out := map[string]string{}
			for name, q := range tables {
				out[name] = rowsText(t, db, q)
			}
			return out
		}
		wantRows, wantIndexes := dump(), bookingIndexes(t, db, engine)

		if _, err := p.UpTo(ctx, before+1); err != nil {
			t.Fatal(err)
		}
		got := dump()
		for name := range tables {
			if got[name] != wantRows[name] {
				t.Errorf("%s after the migration:\n%s\nwant\n%s", name, got[name], wantRows[name])
			}
		}
		if got, want := bookingIndexes(t, db, engine), append(wantIndexes, "bookings_confirmed_slot"); !equalSets(got, want) {
			t.Errorf("indexes of bookings after the migration = %v, want %v", got, want)
		}
		if engine == store.SQLite {
			var fk int
			if err := s.WriteDB().QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
				t.Errorf("foreign_keys on the migrating connection = %d, %v; want 1", fk, err)
			}
		}
		// Foreign keys still point at bookings: a refund of a booking that
		// does not exist is refused.
		if _, err := db.ExecContext(ctx, testutil.Rebind(engine, `INSERT INTO refunds (booking_id, payment_id, amount_minor, currency, state, created_at, updated_at)
			VALUES (999999, ?, 1, 'USD', 'requested', ?, ?)`), pay, t0, t0); err == nil {
			t.Error("a refund of a missing booking was accepted after the migration")
		}
		if id := booking("B-NEXT", "cancelled", s1); id <= last {
			t.Errorf("a new booking got id %d, want above %d (the counter was lost)", id, last)
		}
		if _, err := db.ExecContext(ctx, testutil.Rebind(engine, `UPDATE bookings SET state = 'delivered' WHERE id = ?`), confirmed); err == nil {
			t.Error("a delivered booking without delivered_at was accepted")
		}
		exec(`UPDATE bookings SET state = 'delivered', delivered_at = ? WHERE id = ?`, t0.Add(49*time.Hour), confirmed)
		exec(`UPDATE slots SET taken = 0 WHERE id = ?`, s2)
		if _, err := db.ExecContext(ctx, testutil.Rebind(engine, `UPDATE bookings SET state = 'arrived' WHERE id = ?`), confirmed); err == nil {
			t.Error("an unknown state was accepted")
		}

		if _, err := p.DownTo(ctx, before); err != nil {
			t.Fatal(err)
		}
		var state string
		if err := db.QueryRowContext(ctx, testutil.Rebind(engine, `SELECT state FROM bookings WHERE id = ?`), confirmed).Scan(&state); err != nil || state != "no_show" {
			t.Errorf("a delivered booking after Down is %q, %v; want no_show", state, err)
		}
		if got := bookingIndexes(t, db, engine); !equalSets(got, wantIndexes) {
			t.Errorf("indexes of bookings after Down = %v, want %v", got, wantIndexes)
		}
		if got := rowsText(t, db, tables["refunds"]); got != wantRows["refunds"] {
			t.Errorf("refunds after Down:\n%s\nwant\n%s", got, wantRows["refunds"])
		}
	})
}

// rowsText renders the rows of a query, one line each.
func rowsText(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "%s=%v ", cols[i], v)
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// bookingIndexes names the indexes of the bookings table.
func bookingIndexes(t *testing.T, db *sql.DB, engine string) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bookings'`
	if engine == store.Postgres {
		q = `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'bookings'`
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 6 {
		t.Fatalf("bookings has only the indexes %v", out)
	}
	return out
}

func equalSets(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
