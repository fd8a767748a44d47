package booking_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/centers"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// The seat-hold benchmarks of docs/benchmarks.md ("Seat holds"), on every
// engine testutil.Engines names (PostgreSQL when
// CERTPORTAL_TEST_POSTGRES_URL is set):
//
//	go test ./internal/booking -run '^$' -bench 'Hold|Raw' -benchtime 2000x -count 3 -cpu 1,2,8
//
// BenchmarkHoldHotSlot is the whole Service.Hold on one slot from -cpu
// goroutines; BenchmarkRawConditionalUpdate is its floor on the same engine
// and store: a transaction holding nothing but the seat's conditional
// UPDATE. Each run starts on a fresh database whose slot has a seat for
// every operation, so every operation succeeds and all of them contend
// for the same row; the checks after the timer stop (taken = operations
// ≤ capacity, and for holds the invariant checker) fail the benchmark on
// any oversell or error. Timings are never asserted.

// benchNow is the frozen clock of the benchmarks: Tuesday 2026-12-01, 12:00
// UTC. Nothing they do depends on time passing.
var benchNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// holdBench is a booking service over a fresh store with one exam, one
// test center and one slot of it with capacity seats, plus candidates
// verified and named so that every rule lets them hold.
type holdBench struct {
	ctx        context.Context
	st         *store.Store
	svc        *booking.Service
	exam       *portal.Exam
	slot       *portal.Slot
	candidates []portal.Actor
}

func newHoldBench(b *testing.B, engine string, capacity, candidates int) *holdBench {
	b.Helper()
	ctx := context.Background()
	clock := testutil.NewClock(benchNow)
	h := &holdBench{ctx: ctx, st: testutil.MustOpenStore(b, engine, clock)}
	h.svc = booking.New(h.st, clock, slog.New(slog.DiscardHandler), &payments.Providers{Test: &payments.TestMode{}},
		booking.Config{Horizon: 14 * 24 * time.Hour})
	catalogue := centers.New(h.st, clock, slog.New(slog.DiscardHandler), centers.Config{Horizon: 14 * 24 * time.Hour})
	err := h.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		h.exam, err = tx.CreateExam(ctx, portal.Exam{
			Code: "SAA-C03", Name: "Solutions Architect Associate", Level: portal.LevelAssociate, Kind: portal.KindExam,
			DurationMinutes: 120, Languages: "en", Delivery: portal.DeliveryTestCenter, PriceMinor: 15000, Currency: "USD",
			PassingScore: 720, RetakeWaitDays: 14, MaxReschedules: 2, ValidityMonths: 36, Active: true,
		})
		return err
	})
	if err != nil {
		b.Fatalf("create exam: %v", err)
	}
	center, err := catalogue.CreateCenter(ctx, portal.SystemActor("bench"), portal.TestCenter{
		Code: "NYC-01", Name: "Midtown Test Center", AddressLine1: "350 5th Ave", City: "New York", Region: "US-NY",
		PostalCode: "10118", Country: "US", Latitude: 40.7484, Longitude: -73.9857, TimeZone: "America/New_York",
		Seats: 10, Hours: "mon-sun 08:00-21:00", Active: true,
	})
	if err != nil {
		b.Fatalf("create center: %v", err)
	}
	// The first session three days ahead: past the 24 h lead, inside the horizon.
	from := benchNow.Add(72 * time.Hour)
	slots, err := h.st.ListSlots(ctx, store.SlotFilter{CenterID: &center.ID, From: from, To: from.Add(24 * time.Hour)})
	if err != nil || len(slots) == 0 {
		b.Fatalf("no slot of the center on %s: %v", from.Format(time.DateOnly), err)
	}
	err = h.st.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetSlotCapacity(ctx, slots[0].ID, capacity); err != nil {
			return err
		}
		for i := range candidates {
			verified := tx.Now().Add(-time.Hour)
			u, err := tx.CreateUser(ctx, store.UserCreate{LoginID: fmt.Sprintf("CPB%07d", i), Email: fmt.Sprintf("bench%d@example.org", i),
				FirstName: "Casey", LastName: fmt.Sprintf("Candidate%d", i), Role: portal.RoleCandidate, Language: "en",
				EmailVerifiedAt: &verified, Country: "US"})
			if err != nil {
				return err
			}
			// Candidates at home, each from an address of its own
			// (10.0.0.0/8), so the per-address hold limit never applies.
			ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
			h.candidates = append(h.candidates, portal.Actor{UserID: u.ID, Role: portal.RoleCandidate, IP: ip, RequestID: "bench"})
		}
		return nil
	})
	if err != nil {
		b.Fatalf("prepare slot and %d candidates: %v", candidates, err)
	}
	if h.slot, err = h.st.GetSlot(ctx, slots[0].ID); err != nil {
		b.Fatal(err)
	}
	return h
}

// checkSeats fails the benchmark unless the slot has exactly want seats
// taken, no more than its capacity, and (holds) as many live bookings.
func (h *holdBench) checkSeats(b *testing.B, want int, bookings bool) {
	b.Helper()
	sl, err := h.st.GetSlot(h.ctx, h.slot.ID)
	if err != nil {
		b.Fatal(err)
	}
	if sl.Taken != want || sl.Taken > sl.Capacity {
		b.Errorf("slot %d: taken %d, capacity %d; want taken %d ≤ capacity", sl.ID, sl.Taken, sl.Capacity, want)
	}
	if !bookings {
		return
	}
	var live int
	if err := h.st.DB().QueryRowContext(h.ctx, fmt.Sprintf(`SELECT COUNT(*) FROM bookings
		WHERE slot_id = %d AND state IN ('held', 'pending', 'confirmed')`, sl.ID)).Scan(&live); err != nil {
		b.Fatal(err)
	}
	if live != sl.Taken {
		b.Errorf("slot %d: taken %d but %d live bookings", sl.ID, sl.Taken, live)
	}
	problems, err := h.st.CheckInvariants(h.ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range problems {
		b.Errorf("invariant: %s", p)
	}
}

// benchEngines runs fn as a sub-benchmark per engine.
func benchEngines(b *testing.B, fn func(b *testing.B, engine string)) {
	for _, engine := range testutil.Engines(b) {
		b.Run(engine, func(b *testing.B) { fn(b, engine) })
	}
}

// BenchmarkHoldHotSlot: b.N distinct verified candidates each hold one
// seat of the same slot through Service.Hold, from GOMAXPROCS (-cpu)
// goroutines. The slot has b.N seats, so no hold is refused and each one
// waits for the seat row. Reports holds/s (all goroutines together).
func BenchmarkHoldHotSlot(b *testing.B) {
	benchEngines(b, func(b *testing.B, engine string) {
		h := newHoldBench(b, engine, max(b.N, 1), b.N)
		req := booking.HoldRequest{ExamID: h.exam.ID, SlotID: h.slot.ID, Language: "en"}
		var next, failed atomic.Int64
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				a := h.candidates[next.Add(1)-1]
				if _, err := h.svc.Hold(h.ctx, a, req); err != nil {
					if failed.Add(1) <= 5 {
						b.Errorf("hold by user %d: %v", a.UserID, err)
					}
				}
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "holds/s")
		if n := failed.Load(); n > 0 {
			b.Errorf("%d of %d holds failed", n, b.N)
		}
		h.checkSeats(b, b.N-int(failed.Load()), true)
	})
}

// BenchmarkRawConditionalUpdate is the floor of a hold on the same engine
// and store: b.N transactions (Store.Transact) holding only the seat's
// conditional UPDATE (Tx.TakeSeat, the statement Service.Hold runs:
// UPDATE slots SET taken = taken + 1 WHERE id = ? AND taken < capacity
// AND closed_at IS NULL AND starts_at >= ?) on one slot with b.N seats,
// from GOMAXPROCS goroutines. It books nothing, so only the seat count is
// checked afterwards. Reports tx/s.
func BenchmarkRawConditionalUpdate(b *testing.B) {
	benchEngines(b, func(b *testing.B, engine string) {
		h := newHoldBench(b, engine, max(b.N, 1), 0)
		id := h.slot.ID
		var failed atomic.Int64
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				err := h.st.Transact(h.ctx, func(tx *store.Tx) error { return tx.TakeSeat(h.ctx, id, tx.Now()) })
				if err != nil {
					if failed.Add(1) <= 5 {
						b.Errorf("take seat: %v", err)
					}
				}
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
		if n := failed.Load(); n > 0 {
			b.Errorf("%d of %d transactions failed", n, b.N)
		}
		h.checkSeats(b, b.N-int(failed.Load()), false)
	})
}
