package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestAuditChangesRoundTrip: the changes of an audit event are stored and
// read back in order; an event without changes reads back with none; the
// values of a secret change are never stored, whatever the caller passed.
func TestAuditChangesRoundTrip(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		s := testutil.MustOpenStore(t, engine, testutil.NewClock(t0))
		actor := portal.Actor{UserID: 7, IP: "192.0.2.9", RequestID: "req-7"}
		changes := []portal.FieldChange{
			{Field: "price", Before: "15000", After: "17500"},
			{Field: "name", Before: "Año \"viejo\"", After: "<b>new</b>"},
			{Field: "password", Before: "old-hash", After: "new-hash", Secret: true},
		}
		err := s.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.Audit(ctx, actor, "test.changed", "thing:1", "", changes); err != nil {
				return err
			}
			return tx.Audit(ctx, actor, "test.plain", "thing:1", "just a detail", nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		events, total, err := s.ListAudit(ctx, portal.AuditFilter{Action: "test."})
		if err != nil || total != 2 || len(events) != 2 {
			t.Fatalf("list: %d of %d, %v", len(events), total, err)
		}
		plain, changed := events[0], events[1]
		want := []portal.FieldChange{changes[0], changes[1], {Field: "password", Secret: true}}
		if !reflect.DeepEqual(changed.Changes, want) {
			t.Fatalf("changes = %+v, want %+v", changed.Changes, want)
		}
		if changed.ActorID != 7 || changed.IP != "192.0.2.9" || changed.RequestID != "req-7" || changed.Subject != "thing:1" ||
			!changed.CreatedAt.Equal(t0) || changed.CreatedAt.Location() != time.UTC {
			t.Fatalf("event = %+v", changed)
		}
		if plain.Changes != nil || plain.Detail != "just a detail" {
			t.Fatalf("plain event = %+v", plain)
		}
		var raw string
		if err := s.DB().QueryRowContext(ctx, `SELECT changes FROM audit_log WHERE action = 'test.plain'`).Scan(&raw); err != nil || raw != "" {
			t.Fatalf("changes of a plain event = %q, %v", raw, err)
		}
		if err := s.DB().QueryRowContext(ctx, `SELECT changes FROM audit_log WHERE action = 'test.changed'`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(raw, "hash") {
			t.Fatalf("a secret value was stored: %s", raw)
		}
	})
}
