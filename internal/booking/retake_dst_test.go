package booking_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/testutil"
)

// TestRetakeWaitAcrossDaylightSaving: a failure recorded through the
// results service the day before New York's clocks go back (Saturday 31
// October 2026, 09:00 EDT) may be retaken from 09:00 EST fourteen days
// later, which is 14 days and one hour after it. A start one second before
// the recorded date is refused with that date; a start at it is accepted;
// a start 14 × 24 hours after the failure, still before it, is refused.
func TestRetakeWaitAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, at(time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)))
		cal, err := calendar.New(calendar.Settings{TimeZone: "America/New_York",
			BusinessDays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}})
		if err != nil {
			t.Fatal(err)
		}
		res := results.New(f.st, f.clock, slog.New(slog.DiscardHandler), results.Config{
			Calendar: func(context.Context) (results.Calendar, error) { return cal, nil }})
		enterer, confirmer := f.newStaff(portal.SetResultsOfficer), f.newStaff(portal.SetResultsOfficer)
		fail := func(c portal.Actor, takenAt time.Time) *portal.Attempt {
			t.Helper()
			u, err := f.st.GetUser(f.ctx, c.UserID)
			if err != nil {
				t.Fatal(err)
			}
			a, err := res.Enter(f.ctx, enterer, results.Entry{Candidate: u.LoginID, ExamCode: f.saa.Code, TakenAt: takenAt, Score: 500})
			if err != nil {
				t.Fatalf("enter: %v", err)
			}
			if a, err = res.Confirm(f.ctx, confirmer, a.ID); err != nil {
				t.Fatalf("confirm: %v", err)
			}
			return a
		}
		taken := time.Date(2026, 10, 31, 9, 0, 0, 0, newYork)
		from := time.Date(2026, 11, 14, 9, 0, 0, 0, newYork)
		if got := from.Sub(taken); got != 14*24*time.Hour+time.Hour {
			t.Fatalf("the wait spans %s; the test needs the change of 1 November", got)
		}

		late := f.newCandidate()
		a := fail(late, taken.Add(time.Second))
		if !a.RetakeFrom.Equal(from.Add(time.Second)) {
			t.Fatalf("retake from %s, want %s", a.RetakeFrom, from.Add(time.Second))
		}
		_, err = f.svc.Hold(f.ctx, late, booking.HoldRequest{ExamID: f.saa.ID, SlotID: f.onlineSlot(from).ID})
		pe := wantRefused(t, err, "schedule.rule.retake_wait")
		if got := dataTime(t, pe, "Date"); !got.Equal(from.Add(time.Second)) {
			t.Fatalf("refusal names %s, want %s", got, from.Add(time.Second))
		}

		onTime := f.newCandidate()
		if a := fail(onTime, taken); !a.RetakeFrom.Equal(from) {
			t.Fatalf("retake from %s, want %s", a.RetakeFrom, from)
		}
		_, err = f.svc.Hold(f.ctx, onTime, booking.HoldRequest{ExamID: f.saa.ID, SlotID: f.onlineSlot(taken.Add(14*24*time.Hour + 30*time.Minute)).ID})
		wantRefused(t, err, "schedule.rule.retake_wait")
		f.hold(onTime, f.saa, f.onlineSlot(from))
		f.checkInvariants()
	})
}

// TestRetakeWaitAtCheckoutAndReschedule: the retake wait is checked again
// where a seat's start is decided. A hold made before a failure was
// recorded cannot be paid for inside the wait, and a confirmed booking
// cannot move into it; it may move to the wait's end.
func TestRetakeWaitAtCheckoutAndReschedule(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		now := f.clock.Now()
		failedAt := now.Add(-24 * time.Hour)
		from := failedAt.AddDate(0, 0, f.saa.RetakeWaitDays)

		held := f.newCandidate()
		f.hold(held, f.saa, f.onlineSlot(from.Add(-time.Hour)))
		f.recordAttempt(held, f.saa, failedAt, false)
		_, err := f.svc.Checkout(f.ctx, held, booking.CheckoutRequest{Provider: portal.ProviderTest, Card: payments.TestCardSuccess,
			SystemChecked: true, AgreeRules: true, AgreePrivacy: true})
		pe := wantRefused(t, err, "schedule.rule.retake_wait")
		if got := dataTime(t, pe, "Date"); !got.Equal(from) {
			t.Fatalf("checkout refusal names %s, want %s", got, from)
		}

		booked := f.newCandidate()
		b := f.buy(booked, f.saa, f.onlineSlot(from.Add(48*time.Hour)))
		f.recordAttempt(booked, f.saa, failedAt, false)
		_, err = f.reschedule(booked, b.ID, f.onlineSlot(from.Add(-30*time.Minute)).ID)
		wantRefused(t, err, "schedule.rule.retake_wait")
		if _, err := f.reschedule(booked, b.ID, f.onlineSlot(from).ID); err != nil {
			t.Fatalf("move to the end of the wait: %v", err)
		}
		f.checkInvariants()
	})
}
