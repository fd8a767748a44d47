package booking_test

import (
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// wantEvent is one expected event: its type, booking and actor (0: the
// system).
type wantEvent struct {
	typ     portal.EventType
	booking int64
	actor   int64
	payment bool // the subject is the booking's payment
}

// eventsSince returns the events written after cursor and the new cursor.
func (f *fixture) eventsSince(cursor int64) ([]*portal.Event, int64) {
	f.t.Helper()
	list, err := f.st.ListEvents(f.ctx, portal.EventFilter{After: cursor, Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	if len(list) > 0 {
		cursor = list[len(list)-1].ID
	}
	return list, cursor
}

// TestTransitionsWriteEvents walks a booking through every transition and
// checks each writes exactly its event, with the booking as subject and
// the acting user (or the system) as actor; refused transitions write
// none.
func TestTransitionsWriteEvents(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c, staff := f.candidate, f.staff
		s1, s2 := f.centerSlot("2026-12-08", "09:00"), f.centerSlot("2026-12-09", "09:00")
		s3 := f.centerSlot("2026-12-04", "09:00")
		var cursor int64
		_, cursor = f.eventsSince(0)
		var b, late, gone *portal.BookingDetail

		steps := []struct {
			name string
			do   func() error
			want func() []wantEvent
		}{
			{"hold", func() error { b = f.hold(c, f.saa, s1); return nil },
				func() []wantEvent { return []wantEvent{{portal.EventBookingHeld, b.ID, c.UserID, false}} }},
			{"hold refused: already in the cart", func() error {
				_, err := f.svc.Hold(f.ctx, c, holdReq(f.saa, s2))
				wantRefused(t, err, "schedule.rule.already_in_cart")
				return nil
			}, func() []wantEvent { return nil }},
			{"checkout", func() error { f.paidCheckout(c); return nil },
				func() []wantEvent {
					return []wantEvent{{portal.EventBookingPending, b.ID, c.UserID, false}, {portal.EventPaymentCaptured, b.ID, c.UserID, true},
						{portal.EventBookingConfirmed, b.ID, c.UserID, false}}
				}},
			{"move", func() error { _, err := f.reschedule(c, b.ID, s2.ID); return err },
				func() []wantEvent { return []wantEvent{{portal.EventBookingMoved, b.ID, c.UserID, false}} }},
			{"move refused: same slot", func() error {
				_, err := f.reschedule(c, b.ID, s2.ID)
				wantRefused(t, err, "schedule.reschedule.same_slot")
				return nil
			}, func() []wantEvent { return nil }},
			{"cancel with refund", func() error { _, err := f.svc.Cancel(f.ctx, c, b.ID, ""); return err },
				func() []wantEvent {
					return []wantEvent{{portal.EventBookingCancelled, b.ID, c.UserID, false}, {portal.EventRefundRecorded, b.ID, 0, false}}
				}},
			{"cancel refused: already cancelled", func() error {
				_, err := f.svc.Cancel(f.ctx, c, b.ID, "")
				wantRefused(t, err, "schedule.cancel.not_cancellable")
				return nil
			}, func() []wantEvent { return nil }},
			{"hold that runs out", func() error { gone = f.hold(c, f.micro, s1); return nil },
				func() []wantEvent { return []wantEvent{{portal.EventBookingHeld, gone.ID, c.UserID, false}} }},
			{"expiry", func() error {
				f.clock.Advance(f.svc.Config().HoldTTL)
				_, err := f.svc.ExpireHolds(f.ctx)
				return err
			}, func() []wantEvent { return []wantEvent{{portal.EventBookingExpired, gone.ID, 0, false}} }},
			{"release from the cart", func() error {
				gone = f.hold(c, f.micro, s1)
				return f.svc.Release(f.ctx, c, gone.ID)
			}, func() []wantEvent {
				return []wantEvent{{portal.EventBookingHeld, gone.ID, c.UserID, false}, {portal.EventBookingExpired, gone.ID, c.UserID, false}}
			}},
			{"declined card", func() error {
				gone = f.hold(c, f.micro, s1)
				_, err := f.svc.Checkout(f.ctx, c, booking.CheckoutRequest{Provider: portal.ProviderTest, Card: payments.TestCardDeclined})
				if err == nil {
					t.Fatal("checkout with a declined card succeeded")
				}
				return f.svc.Release(f.ctx, c, gone.ID)
			}, func() []wantEvent {
				return []wantEvent{{portal.EventBookingHeld, gone.ID, c.UserID, false}, {portal.EventBookingPending, gone.ID, c.UserID, false},
					{portal.EventPaymentFailed, gone.ID, c.UserID, true}, {portal.EventBookingExpired, gone.ID, c.UserID, false}}
			}},
			{"buy for the no-show", func() error { late = f.buy(c, f.saa, s3); return nil },
				func() []wantEvent {
					return []wantEvent{{portal.EventBookingHeld, late.ID, c.UserID, false}, {portal.EventBookingPending, late.ID, c.UserID, false},
						{portal.EventPaymentCaptured, late.ID, c.UserID, true}, {portal.EventBookingConfirmed, late.ID, c.UserID, false}}
				}},
			{"no-show refused before the start", func() error {
				wantRefused(t, f.svc.MarkNoShow(f.ctx, staff, late.ID, "absent"), "schedule.staff.not_started")
				return nil
			}, func() []wantEvent { return nil }},
			{"no-show", func() error {
				f.clock.Set(s3.StartsAt.Add(time.Minute))
				return f.svc.MarkNoShow(f.ctx, staff, late.ID, "absent")
			}, func() []wantEvent { return []wantEvent{{portal.EventBookingNoShow, late.ID, staff.UserID, false}} }},
			{"no-show refused twice", func() error {
				wantRefused(t, f.svc.MarkNoShow(f.ctx, staff, late.ID, "absent"), "schedule.staff.not_confirmed")
				return nil
			}, func() []wantEvent { return nil }},
		}
		for _, st := range steps {
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			var got []*portal.Event
			got, cursor = f.eventsSince(cursor)
			want := st.want()
			if len(got) != len(want) {
				var types []portal.EventType
				for _, e := range got {
					types = append(types, e.Type)
				}
				t.Fatalf("%s: events %v, want %d: %+v", st.name, types, len(want), want)
			}
			for i, w := range want {
				e := got[i]
				var actor int64
				if e.ActorID != nil {
					actor = *e.ActorID
				}
				kind, id, ref := portal.SubjectBooking, w.booking, f.booking(w.booking).Reference
				if w.payment {
					p := f.payment(*f.booking(w.booking).PaymentID)
					kind, id, ref = portal.SubjectPayment, p.ID, p.Reference
				}
				if e.Type != w.typ || e.SubjectKind != kind || e.SubjectID != id || actor != w.actor ||
					e.SubjectRef != ref || !e.CreatedAt.Equal(f.clock.Now()) {
					t.Errorf("%s: event %d = %+v (actor %d); want %s of %s %d by %d at %v", st.name, i, e, actor, w.typ, kind, id, w.actor, f.clock.Now())
				}
			}
		}
		f.checkInvariants()
	})
}

// TestVoucherUsesWriteEvents: taking a use of a voucher and giving it back
// each write an event whose subject is the voucher, without its code (a
// bearer secret), naming the booking; a release by the candidate and an
// expiry by the system both give the use back.
func TestVoucherUsesWriteEvents(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.candidate
		v := f.createVoucher(booking.VoucherRequest{Code: "HALF-OFF", Percent: 50, MaxUses: 2})
		b := f.hold(c, f.saa, f.centerSlot("2026-12-10", "09:00"))
		_, cursor := f.eventsSince(0)
		type seen struct {
			typ   portal.EventType
			actor int64
		}
		step := func(name string, do func() error, want ...seen) {
			t.Helper()
			if err := do(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var got []*portal.Event
			got, cursor = f.eventsSince(cursor)
			var vouchers []seen
			for _, e := range got {
				if e.SubjectKind != portal.SubjectVoucher {
					continue
				}
				var actor int64
				if e.ActorID != nil {
					actor = *e.ActorID
				}
				if e.SubjectID != v.ID || e.SubjectRef != "" || e.Payload != `{"booking":"`+b.Reference+`"}` {
					t.Errorf("%s: voucher event %+v", name, e)
				}
				vouchers = append(vouchers, seen{e.Type, actor})
			}
			if len(vouchers) != len(want) {
				t.Fatalf("%s: voucher events %v, want %v", name, vouchers, want)
			}
			for i := range want {
				if vouchers[i] != want[i] {
					t.Errorf("%s: voucher events %v, want %v", name, vouchers, want)
				}
			}
		}
		step("apply", func() error { return f.svc.ApplyVoucher(f.ctx, c, b.ID, "half-off") }, seen{portal.EventVoucherRedeemed, c.UserID})
		step("remove", func() error { return f.svc.RemoveVoucher(f.ctx, c, b.ID) }, seen{portal.EventVoucherReleased, c.UserID})
		step("apply again", func() error { return f.svc.ApplyVoucher(f.ctx, c, b.ID, "HALF-OFF") }, seen{portal.EventVoucherRedeemed, c.UserID})
		step("release the hold", func() error { return f.svc.Release(f.ctx, c, b.ID) }, seen{portal.EventVoucherReleased, 0})
		if got := f.voucher(v.ID).Uses; got != 0 {
			t.Fatalf("uses after the events: %d", got)
		}
		f.checkInvariants()
	})
}
