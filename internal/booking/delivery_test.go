package booking_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// seatedFixture starts a fixture on engine with n paid SAA-C03 seats at the
// center's session of 4 December 2026, 09:00, where the delivery and staff
// tests begin: who[i] holds seats[i], who[0] is f.candidate and the others
// are new candidates.
func seatedFixture(t *testing.T, engine string, n int) (f *fixture, sl *portal.Slot, who []portal.Actor, seats []*portal.BookingDetail) {
	t.Helper()
	f = newFixture(t, engine)
	sl = f.centerSlot("2026-12-04", "09:00")
	who = append([]portal.Actor{f.candidate}, f.newUsers(portal.RoleCandidate, true, n-1)...)
	for _, c := range who {
		seats = append(seats, f.buy(c, f.saa, sl))
	}
	return f, sl, who, seats
}

// markAbsent moves the clock to the start of sl and marks each booking an
// absent no-show as staff.
func (f *fixture) markAbsent(sl *portal.Slot, bs ...*portal.BookingDetail) {
	f.t.Helper()
	f.clock.Set(sl.StartsAt)
	for _, b := range bs {
		if err := f.svc.MarkNoShow(f.ctx, f.staff, b.ID, "absent"); err != nil {
			f.t.Fatalf("mark booking %d a no-show: %v", b.ID, err)
		}
	}
}

// attemptFor records an exam attempt that names the booking, as a result
// arriving would.
func (f *fixture) attemptFor(b *portal.BookingDetail) {
	f.t.Helper()
	err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
		e, err := tx.GetExam(f.ctx, b.ExamID)
		if err != nil {
			return err
		}
		_, err = tx.InsertAttempt(f.ctx, portal.Attempt{UserID: b.UserID, ExamID: b.ExamID, ExamCode: e.Code, BookingID: &b.ID,
			TakenAt: b.StartsAt, Score: e.PassingScore, Passed: true, PassingScore: e.PassingScore, RetakeWaitDays: e.RetakeWaitDays,
			State: portal.AttemptPreliminary, Source: portal.SourceImport, OfficialAt: b.StartsAt})
		return err
	})
	if err != nil {
		f.t.Fatalf("record attempt of booking %d: %v", b.ID, err)
	}
}

// deliver runs store.Tx.DeliverBooking as the system, as another service
// would when a result arrives.
func (f *fixture) deliver(bookingID int64) (*portal.BookingDetail, error) {
	var out *portal.BookingDetail
	err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.DeliverBooking(f.ctx, portal.SystemActor(""), bookingID, portal.DeliveryResult)
		return err
	})
	return out, err
}

// events counts the events of a type about a booking (0: any booking).
func (f *fixture) events(typ portal.EventType, bookingID int64) int {
	f.t.Helper()
	q := `SELECT COUNT(*) FROM events WHERE type = '%s'`
	if bookingID != 0 {
		q += ` AND subject_id = %d`
		return f.count(q, typ, bookingID)
	}
	return f.count(q, typ)
}

// TestSettleBookings pins the sweep after the exam: a confirmed booking
// whose slot ended SettleGrace ago becomes delivered when it was checked
// in or an attempt names it, else a no-show (absent, fee kept); not a
// second earlier; a second sweep changes nothing; the seats are released
// and the candidates may book the exam again.
func TestSettleBookings(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f, sl, who, seats := seatedFixture(t, engine, 3)
		checkedIn, absent := who[0], who[2]
		bIn, bAttempt, bAbsent := seats[0], seats[1], seats[2]
		laterSlot := f.centerSlot("2026-12-04", "13:00")
		later := f.buy(f.newCandidate(), f.saa, laterSlot)

		f.clock.Set(sl.StartsAt.Add(-10 * time.Minute))
		if _, err := f.svc.CheckInAtCenter(f.ctx, f.staff, bIn.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(sl.StartsAt.Add(3 * time.Hour))
		f.attemptFor(bAttempt)
		// Still confirmed, so still live: no second booking yet.
		_, err := f.svc.Hold(f.ctx, checkedIn, holdReq(f.saa, f.centerSlot("2026-12-10", "09:00")))
		wantRefused(t, err, booking.MsgAlreadyBooked)

		due := bIn.EndsAt().Add(booking.SettleGrace)
		f.clock.Set(due.Add(-time.Second))
		if n, err := f.svc.SettleBookings(f.ctx); err != nil || n != 0 {
			t.Fatalf("sweep a second before the grace ends = %d, %v; want nothing settled", n, err)
		}
		for _, b := range []*portal.BookingDetail{bIn, bAttempt, bAbsent} {
			if got := f.booking(b.ID); got.State != portal.BookingConfirmed {
				t.Fatalf("booking %d is %s before the grace ended", b.ID, got.State)
			}
		}

		f.clock.Set(due)
		if n, err := f.svc.SettleBookings(f.ctx); err != nil || n != 3 {
			t.Fatalf("sweep = %d, %v; want 3 settled", n, err)
		}
		for _, tc := range []struct {
			name  string
			b     *portal.BookingDetail
			state string
			cause string
		}{
			{"checked in", bIn, portal.BookingDelivered, portal.DeliveryCheckIn},
			{"attempt", bAttempt, portal.BookingDelivered, portal.DeliveryResult},
			{"neither", bAbsent, portal.BookingNoShow, ""},
		} {
			got := f.booking(tc.b.ID)
			if got.State != tc.state {
				t.Errorf("%s: booking is %s, want %s", tc.name, got.State, tc.state)
			}
			if tc.state == portal.BookingDelivered {
				if got.DeliveredAt == nil || !got.DeliveredAt.Equal(due) {
					t.Errorf("%s: delivered_at = %v, want %v", tc.name, got.DeliveredAt, due)
				}
				if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'booking.delivered' AND subject_id = %d AND payload LIKE '%%"cause":"%s"%%'`,
					got.ID, tc.cause); n != 1 {
					t.Errorf("%s: %d booking.delivered events with cause %s, want 1", tc.name, n, tc.cause)
				}
				if n := f.audits("scheduling.delivered", "booking:"+got.Reference); n != 1 {
					t.Errorf("%s: %d audit entries, want 1", tc.name, n)
				}
			} else {
				if got.NoShowKind != "absent" || got.NoShowAt == nil || got.DeliveredAt != nil {
					t.Errorf("%s: booking = %+v, want an absent no-show", tc.name, got.Booking)
				}
				if f.events(portal.EventBookingNoShow, got.ID) != 1 || f.audits("scheduling.no_show", "booking:"+got.Reference) != 1 {
					t.Errorf("%s: want one booking.no_show event and one audit entry", tc.name)
				}
				if p := f.payment(*got.PaymentID); p.State != portal.PaymentSucceeded || f.refunds(absent, got.ID) != nil {
					t.Errorf("%s: payment %+v refunded; the fee is forfeited", tc.name, p)
				}
			}
		}
		if got := f.booking(later.ID); got.State != portal.BookingConfirmed {
			t.Errorf("booking of a slot that ended less than the grace ago is %s, want confirmed", got.State)
		}
		if taken := f.slot(sl.ID).Taken; taken != 0 {
			t.Errorf("taken = %d after the sweep, want 0", taken)
		}
		f.checkInvariants()

		events := f.count(`SELECT COUNT(*) FROM events`)
		if n, err := f.svc.SettleBookings(f.ctx); err != nil || n != 0 {
			t.Fatalf("second sweep = %d, %v; want nothing", n, err)
		}
		if got := f.count(`SELECT COUNT(*) FROM events`); got != events {
			t.Fatalf("the second sweep wrote %d events", got-events)
		}

		// Delivered and no-show bookings are not live: the same exam may
		// be booked again.
		for _, c := range []portal.Actor{checkedIn, absent} {
			if _, err := f.svc.Hold(f.ctx, c, holdReq(f.saa, f.centerSlot("2026-12-10", "09:00"))); err != nil {
				t.Errorf("booking the exam again after delivery or no-show: %v", err)
			}
		}
		f.checkInvariants()
	})
}

// TestSettleBookingsOnline: an online booking launched in time is
// delivered by the sweep; one never launched became a no-show at the end
// of its launch window and the sweep leaves it.
func TestSettleBookingsOnline(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sl := f.onlineSlot(time.Date(2026, 12, 5, 15, 0, 0, 0, time.UTC))
		launched := f.buy(f.candidate, f.saa, sl)
		missed := f.buy(f.newCandidate(), f.micro, sl)
		f.clock.Set(sl.StartsAt.Add(-time.Minute))
		if _, err := f.svc.CheckIn(f.ctx, f.candidate, launched.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(sl.StartsAt.Add(booking.LaunchCloses + time.Minute))
		if n, err := f.svc.MarkMissedOnline(f.ctx); err != nil || n != 1 {
			t.Fatalf("MarkMissedOnline = %d, %v", n, err)
		}
		f.clock.Set(launched.EndsAt().Add(booking.SettleGrace))
		if n, err := f.svc.SettleBookings(f.ctx); err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v; want 1", n, err)
		}
		if got := f.booking(launched.ID); got.State != portal.BookingDelivered {
			t.Errorf("launched booking is %s, want delivered", got.State)
		}
		if got := f.booking(missed.ID); got.State != portal.BookingNoShow || f.events(portal.EventBookingNoShow, missed.ID) != 1 {
			t.Errorf("missed booking is %s, want one no-show", got.State)
		}
		f.checkInvariants()
	})
}

// TestDeliverBooking pins the transition other services call when a
// result arrives: confirmed or no-show to delivered (the seat released
// only from confirmed), idempotent on delivered, refused (conflict) for
// held, pending, cancelled and expired bookings and before the start.
func TestDeliverBooking(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f, sl, _, seats := seatedFixture(t, engine, 3)
		confirmed, noShow, cancelled := seats[0], seats[1], seats[2]
		if _, err := f.svc.Cancel(f.ctx, f.staff, cancelled.ID, "staff"); err != nil {
			t.Fatal(err)
		}
		expired := f.hold(f.newCandidate(), f.saa, sl)
		f.clock.Advance(time.Hour)
		if _, err := f.svc.ExpireHolds(f.ctx); err != nil {
			t.Fatal(err)
		}
		held := f.hold(f.newCandidate(), f.saa, sl)
		pending := f.hold(f.newCandidate(), f.saa, sl)
		f.exec(`UPDATE bookings SET state = 'pending' WHERE id = %d`, pending.ID)

		if _, err := f.deliver(confirmed.ID); !errors.Is(err, portal.ErrConflict) {
			t.Fatalf("deliver before the start: err = %v, want conflict", err)
		}
		f.markAbsent(sl, noShow)
		for name, b := range map[string]*portal.BookingDetail{"held": held, "pending": pending, "cancelled": cancelled, "expired": expired} {
			if _, err := f.deliver(b.ID); !errors.Is(err, portal.ErrConflict) {
				t.Errorf("deliver a %s booking: err = %v, want conflict", name, err)
			}
			if got := f.booking(b.ID); got.DeliveredAt != nil {
				t.Errorf("%s booking changed: %+v", name, got.Booking)
			}
		}

		f.clock.Set(sl.StartsAt.Add(30 * time.Minute))
		taken := f.slot(sl.ID).Taken
		got, err := f.deliver(confirmed.ID)
		if err != nil || got.State != portal.BookingDelivered || got.DeliveredAt == nil || !got.DeliveredAt.Equal(f.clock.Now()) {
			t.Fatalf("deliver confirmed = %+v, %v", got, err)
		}
		if now := f.slot(sl.ID).Taken; now != taken-1 {
			t.Fatalf("taken = %d after delivering a confirmed booking, want %d", now, taken-1)
		}
		if _, err := f.deliver(noShow.ID); err != nil {
			t.Fatal(err)
		}
		if now := f.slot(sl.ID).Taken; now != taken-1 {
			t.Fatalf("taken = %d after delivering a no-show, want %d (its seat was released already)", now, taken-1)
		}
		if b := f.booking(noShow.ID); b.State != portal.BookingDelivered || b.NoShowAt == nil {
			t.Fatalf("no-show delivered = %+v; want delivered with its no-show kept as history", b.Booking)
		}
		f.clock.Advance(time.Minute)
		again, err := f.deliver(confirmed.ID)
		if err != nil || !again.DeliveredAt.Equal(*got.DeliveredAt) {
			t.Fatalf("deliver twice = %+v, %v; want unchanged", again, err)
		}
		if n := f.events(portal.EventBookingDelivered, confirmed.ID); n != 1 {
			t.Fatalf("%d booking.delivered events after delivering twice, want 1", n)
		}
		if now := f.slot(sl.ID).Taken; now != taken-1 {
			t.Fatalf("taken = %d after delivering twice", now)
		}
		f.checkInvariants()
	})
}

// TestCorrectNoShow pins the staff correction: a no-show becomes
// delivered until 14 days after the start (a second before: accepted; a
// second after: refused naming the date), audited with the state before
// and after; staff need PermBookingsManage.
func TestCorrectNoShow(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f, sl, _, seats := seatedFixture(t, engine, 3)
		inTime, tooLate, confirmed := seats[0], seats[1], seats[2]
		f.markAbsent(sl, inTime, tooLate)
		closes := sl.StartsAt.Add(booking.NoShowCorrectionWindow)

		f.clock.Set(closes.Add(-time.Second))
		support := f.newStaff(portal.SetSupport)
		if _, err := f.svc.CorrectNoShow(f.ctx, support, inTime.ID); !errors.Is(err, portal.ErrForbidden) {
			t.Fatalf("support correcting: err = %v, want forbidden", err)
		}
		_, err := f.svc.CorrectNoShow(f.ctx, f.staff, confirmed.ID)
		wantRefused(t, err, "schedule.staff.not_no_show")
		got, err := f.svc.CorrectNoShow(f.ctx, f.staff, inTime.ID)
		if err != nil || got.State != portal.BookingDelivered {
			t.Fatalf("correction 14 days less a second after the start = %+v, %v", got, err)
		}
		list, _, err := f.st.ListAudit(f.ctx, portal.AuditFilter{Action: "scheduling.delivered", Subject: "booking:" + inTime.Reference})
		if err != nil || len(list) != 1 {
			t.Fatalf("audit = %v, %v; want one entry", list, err)
		}
		a := list[0]
		if a.ActorID != f.staff.UserID || a.Detail != portal.DeliveryCorrection || len(a.Changes) == 0 ||
			a.Changes[0] != (portal.FieldChange{Field: "state", Before: portal.BookingNoShow, After: portal.BookingDelivered}) {
			t.Fatalf("audit = %+v (changes %+v); want the staff member's correction, state no_show → delivered", a, a.Changes)
		}
		if _, err := f.svc.CorrectNoShow(f.ctx, f.staff, inTime.ID); err != nil {
			t.Fatalf("correcting a delivered booking again: %v", err)
		}

		f.clock.Set(closes.Add(time.Second))
		_, err = f.svc.CorrectNoShow(f.ctx, f.staff, tooLate.ID)
		pe := wantRefused(t, err, "schedule.staff.correction_closed")
		if d := dataTime(t, pe, "Date"); !d.Equal(closes) {
			t.Fatalf("refusal names %v, want %v", d, closes)
		}
		if b := f.booking(tooLate.ID); b.State != portal.BookingNoShow {
			t.Fatalf("refused correction left the booking %s", b.State)
		}
		f.checkInvariants()
	})
}

// TestCenterCheckIn pins the console check-in: staff with
// PermBookingsManage check a test-center candidate in from 30 minutes
// before the start (a second earlier is refused naming the time) until
// the booking is settled; twice is once; online bookings check in by
// launching.
func TestCenterCheckIn(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f, sl, _, seats := seatedFixture(t, engine, 3)
		b, late, absent := seats[0], seats[1], seats[2]
		online := f.buy(f.newCandidate(), f.saa, f.onlineSlot(time.Date(2026, 12, 5, 15, 0, 0, 0, time.UTC)))
		opens := sl.StartsAt.Add(-booking.CenterCheckInOpens)

		f.clock.Set(opens.Add(-time.Second))
		_, err := f.svc.CheckInAtCenter(f.ctx, f.staff, b.ID)
		pe := wantRefused(t, err, "schedule.staff.checkin_too_early")
		if d := dataTime(t, pe, "Date"); !d.Equal(opens) {
			t.Fatalf("refusal names %v, want %v", d, opens)
		}
		if _, err := f.svc.CheckInAtCenter(f.ctx, f.newStaff(portal.SetSupport), b.ID); !errors.Is(err, portal.ErrForbidden) {
			t.Fatalf("support checking in: err = %v, want forbidden", err)
		}
		if _, err := f.svc.CheckInAtCenter(f.ctx, f.candidate, b.ID); !errors.Is(err, portal.ErrForbidden) && !errors.Is(err, portal.ErrUnauthorized) {
			t.Fatalf("the candidate checking in: err = %v, want refused", err)
		}

		f.clock.Set(opens)
		got, err := f.svc.CheckInAtCenter(f.ctx, f.staff, b.ID)
		if err != nil || got.CheckedInAt == nil || !got.CheckedInAt.Equal(opens) || got.State != portal.BookingConfirmed {
			t.Fatalf("check-in at the opening = %+v, %v", got, err)
		}
		f.clock.Advance(time.Minute)
		if again, err := f.svc.CheckInAtCenter(f.ctx, f.staff, b.ID); err != nil || !again.CheckedInAt.Equal(opens) {
			t.Fatalf("second check-in = %+v, %v; want the first kept", again, err)
		}
		if n := f.audits("scheduling.checked_in", "booking:"+b.Reference); n != 1 {
			t.Fatalf("%d check-in audit entries, want 1", n)
		}
		_, err = f.svc.CheckInAtCenter(f.ctx, f.staff, online.ID)
		wantRefused(t, err, "schedule.staff.checkin_online")

		// Long after the start, still before the sweep: allowed.
		f.clock.Set(late.EndsAt().Add(booking.SettleGrace + time.Hour))
		if _, err := f.svc.CheckInAtCenter(f.ctx, f.staff, late.ID); err != nil {
			t.Fatalf("check-in before the sweep settled the booking: %v", err)
		}
		if n, err := f.svc.SettleBookings(f.ctx); err != nil || n != 3 {
			t.Fatalf("sweep = %d, %v; want 3", n, err)
		}
		if s := f.booking(late.ID).State; s != portal.BookingDelivered {
			t.Fatalf("late check-in: booking %s, want delivered", s)
		}
		_, err = f.svc.CheckInAtCenter(f.ctx, f.staff, absent.ID)
		wantRefused(t, err, "schedule.staff.checkin_settled")
		if _, err := f.svc.CheckInAtCenter(f.ctx, f.staff, b.ID); err != nil {
			t.Fatalf("check-in of a delivered booking already checked in: %v", err)
		}
		f.checkInvariants()
	})
}

// TestSettledInvariants: the checker reports a delivered booking without
// its time or delivered before its start, and a booking.delivered event
// written twice.
func TestSettledInvariants(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f, sl, _, seats := seatedFixture(t, engine, 1)
		b := seats[0]
		f.clock.Set(sl.StartsAt.Add(time.Hour))
		if _, err := f.deliver(b.ID); err != nil {
			t.Fatal(err)
		}
		f.checkInvariants()
		before := sl.StartsAt.Add(-time.Hour)
		for _, tc := range []struct{ name, corrupt, undo, want string }{
			{"delivered before the start", `UPDATE bookings SET delivered_at = ? WHERE id = ?`, `UPDATE bookings SET delivered_at = ? WHERE id = ?`,
				"before its slot started"},
			{"no-show without its time", `UPDATE bookings SET state = 'no_show' WHERE id = ?`, `UPDATE bookings SET state = 'delivered' WHERE id = ?`,
				"is no_show without no_show_at"},
			{"delivered twice in the events", `INSERT INTO events (id, type, subject_kind, subject_id, subject_ref, payload, created_at)
				VALUES (1000000, 'booking.delivered', 'booking', ?, '', '{}', CURRENT_TIMESTAMP)`, `DELETE FROM events WHERE id = 1000000`,
				"2 booking.delivered events"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.in(t)
				run := func(q string, args ...any) {
					t.Helper()
					if _, err := f.st.DB().ExecContext(f.ctx, testutil.Rebind(engine, q), args...); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				cur := f.booking(b.ID)
				switch tc.name {
				case "delivered before the start":
					run(tc.corrupt, before.UTC(), b.ID)
				case "delivered twice in the events":
					run(tc.corrupt, b.ID)
				default:
					run(tc.corrupt, b.ID)
				}
				got, err := f.st.CheckInvariants(f.ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(strings.Join(got, "\n"), tc.want) {
					t.Errorf("violations = %q, want one containing %q", got, tc.want)
				}
				switch tc.name {
				case "delivered before the start":
					run(tc.undo, cur.DeliveredAt.UTC(), b.ID)
				case "delivered twice in the events":
					run(tc.undo)
				default:
					run(tc.undo, b.ID)
				}
				f.checkInvariants()
			})
		}
	})
}
