package booking_test

import (
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestRescheduleDeadline pins BL-02: a booking may move until its start
// minus 24 h inclusive, computed from the slot's UTC instant; one second
// later it is refused. The seat moves atomically: old slot −1, new +1.
func TestRescheduleDeadline(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		from := f.centerSlot("2026-12-10", "09:00")
		to := f.centerSlot("2026-12-12", "13:00")
		onTime, late := f.newCandidate(), f.newCandidate()
		bOnTime := f.buy(onTime, f.saa, from)
		bLate := f.buy(late, f.saa, from)
		deadline := from.StartsAt.Add(-24 * time.Hour)
		if got := f.svc.RescheduleDeadline(bOnTime); !got.Equal(deadline) {
			t.Fatalf("deadline = %s, want %s", got, deadline)
		}

		f.clock.Set(deadline)
		if err := f.svc.CanReschedule(f.booking(bOnTime.ID)); err != nil {
			t.Fatalf("CanReschedule at the deadline: %v", err)
		}
		moved, err := f.reschedule(onTime, bOnTime.ID, to.ID)
		if err != nil {
			t.Fatalf("reschedule at the deadline: %v", err)
		}
		if moved.SlotID != to.ID || moved.Reschedules != 1 || moved.State != portal.BookingConfirmed || moved.PaymentID == nil || *moved.PaymentID != *bOnTime.PaymentID {
			t.Fatalf("moved = %+v", moved.Booking)
		}
		if f.slot(from.ID).Taken != 1 || f.slot(to.ID).Taken != 1 {
			t.Fatalf("taken: old %d new %d; want 1 and 1", f.slot(from.ID).Taken, f.slot(to.ID).Taken)
		}
		mails := f.mails(moved.Reference)
		if m := mails[len(mails)-1]; m.Data["Change"] != "rescheduled" {
			t.Fatalf("last mail = %v, want the reschedule notice", m.Data["Change"])
		}

		f.clock.Set(deadline.Add(time.Second))
		err = f.svc.CanReschedule(f.booking(bLate.ID))
		pe := wantRefused(t, err, "schedule.reschedule.too_late")
		if d := dataTime(t, pe, "Date"); !d.Equal(deadline) {
			t.Fatalf("Date = %s, want %s", d, deadline)
		}
		_, err = f.reschedule(late, bLate.ID, to.ID)
		wantRefused(t, err, "schedule.reschedule.too_late")
		if b := f.booking(bLate.ID); b.SlotID != from.ID || b.Reschedules != 0 {
			t.Fatalf("refused reschedule moved the booking: %+v", b.Booking)
		}
		if f.slot(from.ID).Taken != 1 || f.slot(to.ID).Taken != 1 {
			t.Fatal("refused reschedule changed the seats")
		}
		f.checkInvariants()
	})
}

// TestRescheduleAcrossDST repeats the 24-hour boundary for sessions right
// after New York's spring-forward (2027-03-14 02:00 EST → 03:00 EDT): the
// deadline is the slot's UTC instant minus 24 h (for the Sunday session,
// 08:00 local on Saturday, not 09:00), to the second.
func TestRescheduleAcrossDST(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, at(time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)))
		target := f.centerSlot("2027-03-19", "09:00")
		for _, tc := range []struct {
			date     string
			startUTC time.Time
			deadline time.Time
		}{
			// Sunday 09:00 EDT, the day of the change: 24 h earlier it is
			// still EST, so the deadline is Saturday 08:00 local.
			{"2027-03-14", time.Date(2027, 3, 14, 13, 0, 0, 0, time.UTC), time.Date(2027, 3, 13, 8, 0, 0, 0, newYork)},
			// Monday 09:00 EDT, the day after.
			{"2027-03-15", time.Date(2027, 3, 15, 13, 0, 0, 0, time.UTC), time.Date(2027, 3, 14, 9, 0, 0, 0, newYork)},
		} {
			t.Run(tc.date, func(t *testing.T) {
				f := f.in(t)
				f.clock.Set(time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC))
				sl := f.centerSlot(tc.date, "09:00")
				if !sl.StartsAt.Equal(tc.startUTC) {
					t.Fatalf("session starts %s, want %s", sl.StartsAt.UTC(), tc.startUTC)
				}
				a, b := f.newCandidate(), f.newCandidate()
				ba, bb := f.buy(a, f.saa, sl), f.buy(b, f.saa, sl)
				if got := f.svc.RescheduleDeadline(ba); !got.Equal(tc.deadline) {
					t.Fatalf("deadline = %s, want %s", got.In(newYork), tc.deadline)
				}
				f.clock.Set(tc.deadline)
				if _, err := f.reschedule(a, ba.ID, target.ID); err != nil {
					t.Fatalf("at the deadline: %v", err)
				}
				f.clock.Set(tc.deadline.Add(time.Second))
				_, err := f.reschedule(b, bb.ID, target.ID)
				wantRefused(t, err, "schedule.reschedule.too_late")
				f.checkInvariants()
			})
		}
	})
}

// TestRescheduleLimits pins BL-04 (at most MaxReschedules moves, 2 for
// SAA-C03) and that a move into a full slot is refused with nothing
// changed.
func TestRescheduleLimits(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.candidate
		s1, s2, s3 := f.centerSlot("2026-12-08", "09:00"), f.centerSlot("2026-12-09", "09:00"), f.centerSlot("2026-12-10", "09:00")
		b := f.buy(c, f.saa, s1)
		if _, err := f.reschedule(c, b.ID, s1.ID); err == nil {
			t.Fatal("reschedule into the same slot succeeded")
		} else {
			wantRefused(t, err, "schedule.reschedule.same_slot")
		}
		for i, to := range []*portal.Slot{s2, s3} {
			got, err := f.reschedule(c, b.ID, to.ID)
			if err != nil || got.Reschedules != i+1 {
				t.Fatalf("reschedule %d: %+v, %v", i+1, got, err)
			}
		}
		_, err := f.reschedule(c, b.ID, s1.ID)
		pe := wantRefused(t, err, "schedule.reschedule.limit")
		if pe.Data["Count"] != 2 {
			t.Errorf("Count = %v, want 2", pe.Data["Count"])
		}
		if f.slot(s1.ID).Taken != 0 || f.slot(s2.ID).Taken != 0 || f.slot(s3.ID).Taken != 1 {
			t.Fatalf("taken %d/%d/%d, want 0/0/1", f.slot(s1.ID).Taken, f.slot(s2.ID).Taken, f.slot(s3.ID).Taken)
		}

		t.Run("into a full slot", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			from, full := f.centerSlot("2026-12-11", "09:00"), f.centerSlot("2026-12-11", "13:00")
			b := f.buy(c, f.micro, from)
			f.setCapacity(full, 1)
			f.buy(f.newCandidate(), f.micro, full)
			_, err := f.reschedule(c, b.ID, full.ID)
			wantRefused(t, err, "schedule.hold.full")
			got := f.booking(b.ID)
			if got.SlotID != from.ID || got.Reschedules != 0 || got.State != portal.BookingConfirmed {
				t.Fatalf("refused reschedule changed the booking: %+v", got.Booking)
			}
			if f.slot(from.ID).Taken != 1 || f.slot(full.ID).Taken != 1 {
				t.Fatalf("taken: from %d full %d; want 1 and 1", f.slot(from.ID).Taken, f.slot(full.ID).Taken)
			}
		})

		t.Run("only confirmed bookings, only one's own", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			h := f.hold(c, f.saa, f.centerSlot("2026-12-12", "09:00"))
			_, err := f.reschedule(c, h.ID, s2.ID)
			wantRefused(t, err, "schedule.reschedule.not_confirmed")
			if _, err := f.reschedule(f.newCandidate(), b.ID, s2.ID); portal.ErrorCode(err) != portal.ENotFound {
				t.Fatalf("another's booking: err = %v, want not_found", err)
			}
		})
		f.checkInvariants()
	})
}

// TestCloseSlotFreeReschedule pins that when staff close a slot its
// candidates are told and may move once for free: after the normal
// deadline and beyond the limit, without it counting; until they move,
// cancelling refunds 100 %.
func TestCloseSlotFreeReschedule(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.candidate
		s1, s2, s3 := f.centerSlot("2026-12-08", "09:00"), f.centerSlot("2026-12-09", "09:00"), f.centerSlot("2026-12-10", "09:00")
		b := f.buy(c, f.saa, s1)
		for _, to := range []*portal.Slot{s2, s3} { // use up both reschedules
			if _, err := f.reschedule(c, b.ID, to.ID); err != nil {
				t.Fatal(err)
			}
		}
		holder := f.newCandidate()
		h := f.hold(holder, f.micro, s3)

		n, err := f.svc.CloseSlot(f.ctx, f.staff, s3.ID)
		if err != nil || n != 1 {
			t.Fatalf("CloseSlot = %d, %v; want 1 candidate told", n, err)
		}
		if _, err := f.svc.CloseSlot(f.ctx, f.staff, s3.ID); err == nil {
			t.Fatal("closing a closed slot succeeded")
		}
		if got := f.booking(h.ID); got.State != portal.BookingExpired {
			t.Fatalf("hold in the closed slot is %s, want expired", got.State)
		}
		got := f.booking(b.ID)
		if !got.FreeReschedule || got.State != portal.BookingConfirmed {
			t.Fatalf("booking = %+v; want confirmed with a free reschedule", got.Booking)
		}
		if mails := f.mails(got.Reference); mails[len(mails)-1].Data["Change"] != "slot_closed" {
			t.Fatal("no slot-closed mail")
		}
		if _, err := f.svc.Hold(f.ctx, f.newCandidate(), holdReq(f.micro, s3)); err == nil {
			t.Fatal("hold in a closed slot succeeded")
		}

		// Two hours before the closed session: past the normal deadline.
		f.clock.Set(s3.StartsAt.Add(-2 * time.Hour))
		q, err := f.svc.QuoteCancel(got)
		if err != nil || !q.Allowed || q.Percent != 100 || q.Refund != 15000 {
			t.Fatalf("quote = %+v, %v; want 100%% of 15000", q, err)
		}
		if err := f.svc.CanReschedule(got); err != nil {
			t.Fatalf("CanReschedule: %v", err)
		}
		to := f.centerSlot("2026-12-13", "09:00")
		moved, err := f.reschedule(c, b.ID, to.ID)
		if err != nil {
			t.Fatal(err)
		}
		if moved.Reschedules != 2 || moved.FreeReschedule || moved.SlotID != to.ID {
			t.Fatalf("moved = %+v; want 2 reschedules (free move not counted), no free move left", moved.Booking)
		}
		if f.slot(s3.ID).Taken != 0 || f.slot(to.ID).Taken != 1 {
			t.Fatal("seats did not move")
		}
		// The free move is spent: the limit applies again.
		_, err = f.reschedule(c, b.ID, f.centerSlot("2026-12-14", "09:00").ID)
		wantRefused(t, err, "schedule.reschedule.limit")
		f.checkInvariants()
	})
}

// TestRescheduleRetiredExam: retiring an exam stops new sales, but a
// booking bought before may still move (and new holds stay refused).
func TestRescheduleRetiredExam(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.buy(f.candidate, f.saa, f.centerSlot("2026-12-10", "09:00"))
		f.exec(`UPDATE exams SET active = %s WHERE id = %d`, map[bool]string{true: "FALSE", false: "0"}[engine == "postgres"], f.saa.ID)
		to := f.centerSlot("2026-12-12", "13:00")
		moved, err := f.reschedule(f.candidate, b.ID, to.ID)
		if err != nil || moved.SlotID != to.ID {
			t.Fatalf("moving a booking of a retired exam: %v", err)
		}
		_, err = f.svc.Hold(f.ctx, f.newCandidate(), holdReq(f.saa, to))
		wantRefused(t, err, "schedule.rule.exam_retired")
		f.checkInvariants()
	})
}
