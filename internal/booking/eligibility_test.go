package booking_test

import (
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestRetakeWait pins the retake rule: after a failed attempt the exam can
// be booked only for starts from taken_at + RetakeWaitDays (14 for
// SAA-C03, 25 for the microcredential), and the refusal names that date.
// It applies at checkout as at hold.
func TestRetakeWait(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		for _, tc := range []struct {
			name   string
			exam   *portal.Exam
			failed time.Time
		}{
			{"exam 14 days", f.saa, fixtureNow.AddDate(0, 0, -7)},
			{"microcredential 25 days", f.micro, fixtureNow.AddDate(0, 0, -20)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.in(t)
				c := f.newCandidate()
				f.recordAttempt(c, tc.exam, tc.failed.Add(-48*time.Hour), false)
				f.recordAttempt(c, tc.exam, tc.failed, false) // the latest failure counts
				allowed := tc.failed.AddDate(0, 0, tc.exam.RetakeWaitDays)

				_, err := f.svc.Hold(f.ctx, c, booking.HoldRequest{ExamID: tc.exam.ID, SlotID: f.onlineSlot(allowed.Add(-30 * time.Minute)).ID})
				pe := wantRefused(t, err, "schedule.rule.retake_wait")
				if got := dataTime(t, pe, "Date"); !got.Equal(allowed) {
					t.Fatalf("Date = %s, want %s", got, allowed)
				}
				if pe.Data["Count"] != tc.exam.RetakeWaitDays {
					t.Errorf("Count = %v, want %d", pe.Data["Count"], tc.exam.RetakeWaitDays)
				}
				f.hold(c, tc.exam, f.onlineSlot(allowed)) // exactly the first allowed start
			})
		}

		t.Run("a pass imposes no wait", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			f.recordAttempt(c, f.saa, fixtureNow.AddDate(0, 0, -1), true)
			f.hold(c, f.saa, f.centerSlot("2026-12-03", "09:00"))
		})

		t.Run("checked again at checkout", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			b := f.hold(c, f.saa, f.centerSlot("2026-12-04", "09:00"))
			f.recordAttempt(c, f.saa, fixtureNow.AddDate(0, 0, -1), false)
			_, err := f.svc.Checkout(f.ctx, c, booking.CheckoutRequest{Provider: portal.ProviderTest, Card: "4242424242424242"})
			wantRefused(t, err, "schedule.rule.retake_wait")
			if got := f.booking(b.ID); got.State != portal.BookingHeld || got.PaymentID != nil {
				t.Fatalf("booking %s with payment %v after a refused checkout; want held, unpaid", got.State, got.PaymentID)
			}
		})
		f.checkInvariants()
	})
}

// TestOverlapAndOnlineGap pins the schedule rules between a candidate's
// own bookings: two exams may share a day if they do not overlap (touching
// is fine); online exams need OnlineGap (4 h) between the end of one and
// the start of the next, in either order.
func TestOverlapAndOnlineGap(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		second, err := f.centers.CreateCenter(f.ctx, f.admin, portal.TestCenter{
			Code: "NYC-02", Name: "Downtown Test Center", AddressLine1: "1 Liberty Plaza", City: "New York", Region: "US-NY",
			Country: "US", Latitude: 40.7094, Longitude: -74.0110, TimeZone: "America/New_York", Seats: 10,
			Hours: "mon-sun 08:00-21:00", Active: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.centers.GenerateSlots(f.ctx); err != nil {
			t.Fatal(err)
		}
		est := func(day, hh int) time.Time { return time.Date(2026, 12, day, hh, 0, 0, 0, newYork) }

		for _, tc := range []struct {
			name  string
			first func() *portal.Slot // SAA-C03, 120 minutes
			then  func() *portal.Slot // MCR-101, 60 minutes
			want  string
			date  time.Time // Data["Date"] of the refusal
		}{
			{"same center same day, apart", func() *portal.Slot { return f.centerSlot("2026-12-09", "09:00") },
				func() *portal.Slot { return f.centerSlot("2026-12-09", "13:00") }, "", time.Time{}},
			{"two centers at once", func() *portal.Slot { return f.centerSlot("2026-12-09", "09:00") },
				func() *portal.Slot { return f.centerSlotOf(second, "2026-12-09", "09:00") }, "schedule.rule.overlap", est(9, 9)},
			{"online during a center exam", func() *portal.Slot { return f.centerSlot("2026-12-09", "09:00") },
				func() *portal.Slot { return f.onlineSlot(est(9, 10)) }, "schedule.rule.overlap", est(9, 9)},
			{"online right at its end", func() *portal.Slot { return f.centerSlot("2026-12-09", "09:00") },
				func() *portal.Slot { return f.onlineSlot(est(9, 11)) }, "", time.Time{}},
			{"online after online, inside the gap", func() *portal.Slot { return f.onlineSlot(est(10, 9)) },
				func() *portal.Slot { return f.onlineSlot(est(10, 14).Add(30 * time.Minute)) }, "schedule.rule.online_gap", est(10, 15)},
			{"online after online, gap kept", func() *portal.Slot { return f.onlineSlot(est(10, 9)) },
				func() *portal.Slot { return f.onlineSlot(est(10, 15)) }, "", time.Time{}},
			{"online before online, inside the gap", func() *portal.Slot { return f.onlineSlot(est(10, 9)) },
				func() *portal.Slot { return f.onlineSlot(est(10, 4).Add(30 * time.Minute)) }, "schedule.rule.online_gap", est(10, 15)},
			{"online before online, gap kept", func() *portal.Slot { return f.onlineSlot(est(10, 9)) },
				func() *portal.Slot { return f.onlineSlot(est(10, 4)) }, "", time.Time{}},
			{"center then online needs no gap", func() *portal.Slot { return f.centerSlot("2026-12-11", "09:00") },
				func() *portal.Slot { return f.onlineSlot(est(11, 11)) }, "", time.Time{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.in(t)
				c := f.newCandidate()
				f.hold(c, f.saa, tc.first())
				sl := tc.then()
				_, err := f.svc.Hold(f.ctx, c, booking.HoldRequest{ExamID: f.micro.ID, SlotID: sl.ID})
				if tc.want == "" {
					if err != nil {
						t.Fatalf("err = %v, want a hold", err)
					}
					return
				}
				pe := wantRefused(t, err, tc.want)
				if got := dataTime(t, pe, "Date"); !got.Equal(tc.date) {
					t.Errorf("Date = %s, want %s", got, tc.date)
				}
				if pe.Data["Exam"] != "SAA-C03" {
					t.Errorf("Exam = %v, want SAA-C03", pe.Data["Exam"])
				}
				if got := f.slot(sl.ID).Taken; got != 0 {
					t.Errorf("refused hold took a seat: %d", got)
				}
			})
		}
		f.checkInvariants()
	})
}

// TestOffers pins what an exam is sold for: delivery method, language,
// active; and who may book: a verified account with a legal name.
func TestOffers(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		centerOnly := f.createExam(portal.Exam{Code: "TC-ONLY", Name: "Center only", DurationMinutes: 60, Languages: "en",
			Delivery: portal.DeliveryTestCenter, PriceMinor: 1000, Currency: "USD", RetakeWaitDays: 14, MaxReschedules: 2, Active: true})
		onlineOnly := f.createExam(portal.Exam{Code: "OL-ONLY", Name: "Online only", DurationMinutes: 60, Languages: "en",
			Delivery: portal.DeliveryOnline, PriceMinor: 1000, Currency: "USD", RetakeWaitDays: 14, MaxReschedules: 2, Active: true})
		retired := f.createExam(portal.Exam{Code: "OLD-C01", Name: "Retired", DurationMinutes: 60, Languages: "en",
			Delivery: portal.DeliveryTestCenter, PriceMinor: 1000, Currency: "USD", RetakeWaitDays: 14, MaxReschedules: 2, Active: false})
		noName := f.newCandidate()
		f.exec(`UPDATE users SET first_name = '' WHERE id = %d`, noName.UserID)
		center := f.centerSlot("2026-12-08", "09:00")
		online := f.onlineSlot(time.Date(2026, 12, 8, 20, 0, 0, 0, time.UTC))
		for _, tc := range []struct {
			name  string
			actor portal.Actor
			req   booking.HoldRequest
			want  string
		}{
			{"center-only exam online", f.candidate, booking.HoldRequest{ExamID: centerOnly.ID, SlotID: online.ID}, "schedule.rule.delivery_not_offered"},
			{"online-only exam at a center", f.candidate, booking.HoldRequest{ExamID: onlineOnly.ID, SlotID: center.ID}, "schedule.rule.delivery_not_offered"},
			{"language not offered", f.candidate, booking.HoldRequest{ExamID: f.micro.ID, SlotID: center.ID, Language: "es"}, "schedule.rule.language_not_offered"},
			{"retired exam", f.candidate, booking.HoldRequest{ExamID: retired.ID, SlotID: center.ID}, "schedule.rule.exam_retired"},
			{"legal name missing", noName, booking.HoldRequest{ExamID: f.saa.ID, SlotID: center.ID}, "schedule.rule.legal_name_missing"},
			{"offered language", f.candidate, booking.HoldRequest{ExamID: f.saa.ID, SlotID: center.ID, Language: "es"}, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.in(t)
				b, err := f.svc.Hold(f.ctx, tc.actor, tc.req)
				if tc.want == "" {
					if err != nil || b.Language != tc.req.Language {
						t.Fatalf("hold = %+v, %v", b, err)
					}
					return
				}
				wantRefused(t, err, tc.want)
			})
		}
		if got := f.slot(center.ID).Taken + f.slot(online.ID).Taken; got != 1 {
			t.Fatalf("seats taken = %d, want only the allowed hold's", got)
		}
		f.checkInvariants()
	})
}
