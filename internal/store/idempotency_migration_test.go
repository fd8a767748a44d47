package store_test

import (
	"context"
	"strconv"
	"testing"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestIdempotencyScopeMigration: migration 0014 keeps the keys stored
// before it, each under its account's scope ("user:42"), so a repeat of a
// request made before the upgrade still gets its stored response; its
// Down gives them back to their accounts.
func TestIdempotencyScopeMigration(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		const before = 13
		s, p := migratedTo(t, engine, before)
		db := s.DB()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.ExecContext(ctx, testutil.Rebind(engine, q), args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		var id int64
		err := db.QueryRowContext(ctx, testutil.Rebind(engine, `INSERT INTO users (login_id, email, first_name, last_name, role, language, created_at, updated_at)
			VALUES ('CP00000042', 'ada@example.org', 'Ada', 'Lovelace', 'candidate', 'en', ?, ?) RETURNING id`), t0, t0).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO idempotency_keys (user_id, key, request_hash, status, response, created_at)
			VALUES (?, 'k1', 'h1', 201, '{"booking":"B1"}', ?)`, id, t0)
		want := "user:" + strconv.FormatInt(id, 10)

		if _, err := p.Up(ctx); err != nil {
			t.Fatal(err)
		}
		var scope string
		if err := db.QueryRowContext(ctx, `SELECT scope FROM idempotency_keys WHERE key = 'k1'`).Scan(&scope); err != nil {
			t.Fatal(err)
		}
		if scope != want {
			t.Fatalf("scope after the migration = %q, want %s", scope, want)
		}
		err = s.Transact(ctx, func(tx *store.Tx) error {
			prior, claimed, err := tx.ClaimIdempotencyKey(ctx, want, "k1", "h1", 0)
			if err != nil {
				return err
			}
			if claimed || prior.Status != 201 || prior.Response != `{"booking":"B1"}` {
				t.Errorf("claim of the old key = %+v, claimed %v; want the stored response", prior, claimed)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		if _, err := p.DownTo(ctx, before); err != nil {
			t.Fatal(err)
		}
		var userID int64
		if err := db.QueryRowContext(ctx, `SELECT user_id FROM idempotency_keys WHERE key = 'k1'`).Scan(&userID); err != nil {
			t.Fatal(err)
		}
		if userID != id {
			t.Fatalf("user_id after the Down = %d, want %d", userID, id)
		}
	})
}
