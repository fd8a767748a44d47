package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

func appendEvents(t *testing.T, s *store.Store, evs ...portal.Event) {
	t.Helper()
	err := s.Transact(context.Background(), func(tx *store.Tx) error {
		for _, e := range evs {
			var actor int64
			if e.ActorID != nil {
				actor = *e.ActorID
			}
			if err := tx.AppendEvent(e.Type, e.SubjectKind, e.SubjectID, e.SubjectRef, actor, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func eventIDs(evs []*portal.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func TestEventsAppendAndReadAfterCursor(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		s := testutil.MustOpenStore(t, engine, testutil.NewClock(t0))
		actor := int64(7)
		appendEvents(t, s,
			portal.Event{Type: portal.EventBookingHeld, SubjectKind: portal.SubjectBooking, SubjectID: 1, SubjectRef: "B-1", ActorID: &actor},
			portal.Event{Type: portal.EventBookingPending, SubjectKind: portal.SubjectBooking, SubjectID: 1, SubjectRef: "B-1"})
		appendEvents(t, s, portal.Event{Type: portal.EventBookingHeld, SubjectKind: portal.SubjectBooking, SubjectID: 2, SubjectRef: "B-2"})
		err := s.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.AppendEvent(portal.EventBookingConfirmed, portal.SubjectBooking, 1, "B-1", 0, map[string]any{"payment_id": 3}); err != nil {
				return err
			}
			return errors.New("refused")
		})
		if err == nil {
			t.Fatal("transaction did not fail")
		}
		appendEvents(t, s, portal.Event{Type: portal.EventBookingConfirmed, SubjectKind: portal.SubjectBooking, SubjectID: 2, SubjectRef: "B-2"})

		all, err := s.ListEvents(ctx, portal.EventFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(all), 4; got != want {
			t.Fatalf("events = %d, want %d (the rolled-back one must not be written)", got, want)
		}
		for i, e := range all {
			if e.ID != int64(i+1) {
				t.Errorf("event %d id = %d, want %d", i, e.ID, i+1)
			}
			if !e.CreatedAt.Equal(t0) {
				t.Errorf("event %d at %v, want %v", i, e.CreatedAt, t0)
			}
		}
		if all[0].ActorID == nil || *all[0].ActorID != actor || all[1].ActorID != nil {
			t.Errorf("actors = %v, %v; want 7 and the system (nil)", all[0].ActorID, all[1].ActorID)
		}
		if all[0].Payload != "{}" || all[0].SubjectRef != "B-1" || all[0].Type != portal.EventBookingHeld {
			t.Errorf("first event = %+v", all[0])
		}

		tests := []struct {
			name string
			f    portal.EventFilter
			want []int64
		}{
			{"after cursor", portal.EventFilter{After: 2}, []int64{3, 4}},
			{"limit", portal.EventFilter{Limit: 2}, []int64{1, 2}},
			{"type", portal.EventFilter{Types: []portal.EventType{portal.EventBookingHeld}}, []int64{1, 3}},
			{"types after cursor", portal.EventFilter{After: 1, Types: []portal.EventType{portal.EventBookingHeld, portal.EventBookingConfirmed}}, []int64{3, 4}},
			{"subject", portal.EventFilter{SubjectKind: portal.SubjectBooking, SubjectID: 2}, []int64{3, 4}},
			{"past the end", portal.EventFilter{After: 4}, []int64{}},
		}
		for _, tt := range tests {
			got, err := s.ListEvents(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := eventIDs(got), tt.want; len(g) != len(w) || (len(g) > 0 && !equalIDs(g, w)) {
				t.Errorf("%s: ids = %v, want %v", tt.name, g, w)
			}
		}
	})
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEventsPurgeAtRetention(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		clock := testutil.NewClock(t0)
		s := testutil.MustOpenStore(t, engine, clock)
		const retention = 400 * 24 * time.Hour
		appendEvents(t, s, portal.Event{Type: portal.EventBookingHeld, SubjectKind: portal.SubjectBooking, SubjectID: 1})
		clock.Advance(time.Second)
		appendEvents(t, s, portal.Event{Type: portal.EventBookingHeld, SubjectKind: portal.SubjectBooking, SubjectID: 2})

		steps := []struct {
			advance time.Duration
			purged  int64
			left    []int64
		}{
			{retention - time.Second, 0, []int64{1, 2}}, // the first is exactly retention old: kept
			{time.Second, 1, []int64{2}},                // one second older: gone
			{0, 0, []int64{2}},                          // the second is exactly retention old
			{time.Second, 1, []int64{}},
		}
		for i, st := range steps {
			clock.Advance(st.advance)
			n, err := s.PurgeEvents(ctx, retention)
			if err != nil {
				t.Fatal(err)
			}
			left, err := s.ListEvents(ctx, portal.EventFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if n != st.purged || !equalIDs(eventIDs(left), st.left) {
				t.Errorf("step %d: purged %d, left %v; want %d, %v", i, n, eventIDs(left), st.purged, st.left)
			}
		}
		// Ids are never reused after a purge: cursors stay valid.
		appendEvents(t, s, portal.Event{Type: portal.EventBookingHeld, SubjectKind: portal.SubjectBooking, SubjectID: 3})
		left, err := s.ListEvents(ctx, portal.EventFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if got := eventIDs(left); !equalIDs(got, []int64{3}) {
			t.Errorf("after purge, new event ids = %v, want [3]", got)
		}
	})
}

// TestEventCursorNeverSkips runs writers that commit events concurrently
// while a reader follows the cursor: everything the table finally holds
// must have been read, in increasing id order. On PostgreSQL ids handed
// out before commit would let a smaller id commit after the reader moved
// past it.
func TestEventCursorNeverSkips(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		s := testutil.MustOpenStore(t, engine, testutil.NewClock(t0))
		const writers, perWriter = 3, 80
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perWriter {
					err := s.Transact(ctx, func(tx *store.Tx) error {
						// Several events in one transaction, some
						// transactions larger than others.
						for k := 0; k <= (w+i)%3; k++ {
							if err := tx.AppendEvent(portal.EventBookingHeld, portal.SubjectBooking, int64(w*1000+i), "", 0, map[string]any{"k": k}); err != nil {
								return err
							}
						}
						// More work after the events: the transaction
						// stays open a little longer.
						for k := range 3 {
							if err := tx.InsertAudit(ctx, portal.AuditEvent{Action: "test.work", Subject: fmt.Sprintf("w%d:%d:%d", w, i, k)}); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()

		var seen []int64
		var cursor int64
		read := func() {
			page, err := s.ListEvents(ctx, portal.EventFilter{After: cursor, Limit: 7})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page {
				seen = append(seen, e.ID)
				cursor = e.ID
			}
		}
	follow:
		for {
			select {
			case <-done:
				break follow
			default:
				read()
			}
		}
		for {
			before := len(seen)
			read()
			if len(seen) == before {
				break
			}
		}
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		all, err := s.ListEvents(ctx, portal.EventFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(seen); i++ {
			if seen[i] <= seen[i-1] {
				t.Fatalf("cursor read %d after %d", seen[i], seen[i-1])
			}
		}
		if got, want := len(seen), len(all); got != want {
			t.Fatalf("the cursor reader saw %d events, the table holds %d: it skipped some", got, want)
		}
	})
}
