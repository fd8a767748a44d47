package booking_test

import (
	"fmt"
	"testing"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestHoldLanguage: the candidate chooses one of the exam's languages at
// the hold and the booking keeps it; a tag matches whatever its case; no
// choice takes the exam's first language (a single-language exam needs
// none, and an exam without English is not refused for lacking it); a
// language the exam does not list is refused next to the language field.
func TestHoldLanguage(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		noEnglish := f.createExam(portal.Exam{Code: "ES-DE1", Name: "Sin inglés", Level: portal.LevelAssociate, Kind: portal.KindExam,
			DurationMinutes: 60, Languages: "es,de", Delivery: portal.DeliveryTestCenter, PriceMinor: 1000, Currency: "USD",
			RetakeWaitDays: 14, MaxReschedules: 2, ValidityMonths: 12, Active: true})
		for i, tc := range []struct {
			name      string
			exam      *portal.Exam
			asked     string
			want      string // the booking's language; "" for a refusal
			wantField string
		}{
			{"chosen", f.saa, "es", "es", ""},
			{"any case", f.saa, "ES", "es", ""},
			{"none chosen", f.saa, "", "en", ""},
			{"single language", f.micro, "", "en", ""},
			{"no English", noEnglish, "", "es", ""},
			{"not offered", f.saa, "de", "", "language"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.in(t)
				c := f.newCandidate()
				sl := f.centerSlot(fmt.Sprintf("2026-12-%02d", 8+i), "09:00")
				b, err := f.svc.Hold(f.ctx, c, booking.HoldRequest{ExamID: tc.exam.ID, SlotID: sl.ID, Language: tc.asked})
				if tc.want == "" {
					wantField(t, err, tc.wantField, "schedule.rule.language_not_offered")
					if got := f.slot(sl.ID).Taken; got != 0 {
						t.Errorf("refused hold took a seat")
					}
					return
				}
				if err != nil {
					t.Fatalf("hold: %v", err)
				}
				if b.Language != tc.want {
					t.Errorf("hold language = %q, want %q", b.Language, tc.want)
				}
				f.paidCheckout(c)
				if got := f.booking(b.ID); got.Language != tc.want || got.State != portal.BookingConfirmed {
					t.Errorf("booking = %s in %q, want confirmed in %q", got.State, got.Language, tc.want)
				}
			})
		}
	})
}

// TestSecondHoldNamesWhereTheFirstIs: a second hold for an exam is
// refused with where the first one is: unpaid in the cart, being paid on
// the provider's page, or booked (to be rescheduled).
func TestSecondHoldNamesWhereTheFirstIs(t *testing.T) {
	mock := testutil.StripeMock(t)
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, withStripe(mock))
		c := f.newCandidate()
		again := func(date string) error {
			_, err := f.svc.Hold(f.ctx, c, holdReq(f.saa, f.centerSlot(date, "13:00")))
			return err
		}
		f.hold(c, f.saa, f.centerSlot("2026-12-08", "09:00"))
		wantRefused(t, again("2026-12-09"), booking.MsgAlreadyInCart)
		if _, err := f.svc.Checkout(f.ctx, c, booking.CheckoutRequest{Provider: portal.ProviderStripe}); err != nil {
			t.Fatalf("stripe checkout: %v", err)
		}
		wantRefused(t, again("2026-12-10"), booking.MsgPaymentInProgress)
		c2 := f.newCandidate()
		f.buy(c2, f.saa, f.centerSlot("2026-12-11", "09:00"))
		_, err := f.svc.Hold(f.ctx, c2, holdReq(f.saa, f.centerSlot("2026-12-12", "13:00")))
		wantRefused(t, err, booking.MsgAlreadyBooked)
	})
}
