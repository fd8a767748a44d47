package booking_test

import (
	"slices"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestMoveIntoOnlineNeedsTheAgreement pins that a move into online
// delivery asks for what checkout asks for an online seat: the system
// check and the agreement to the exam rules and the privacy policy. A
// move without them is refused (each missing part on its field) and
// changes nothing; a move with them records the versions agreed to and
// when, as checkout does. Moves that stay at a center, or stay online
// with the agreement on record, need nothing more.
func TestMoveIntoOnlineNeedsTheAgreement(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		cfg := f.cfg
		cfg.RulesVersion, cfg.PrivacyVersion = "2027-02", "2027-03"
		f.svc = f.newService(cfg)
		all := booking.OnlineAgreement{SystemChecked: true, AgreeRules: true, AgreePrivacy: true}
		online := f.onlineSlot(time.Date(2026, 12, 9, 15, 0, 0, 0, time.UTC))

		for _, tc := range []struct {
			name       string
			agreement  booking.OnlineAgreement
			wantFields []string // refused on these fields; none: moved
		}{
			{"nothing agreed", booking.OnlineAgreement{}, []string{"system_checked", "agree_rules", "agree_privacy"}},
			{"no system check", booking.OnlineAgreement{AgreeRules: true, AgreePrivacy: true}, []string{"system_checked"}},
			{"rules not agreed", booking.OnlineAgreement{SystemChecked: true, AgreePrivacy: true}, []string{"agree_rules"}},
			{"privacy not agreed", booking.OnlineAgreement{SystemChecked: true, AgreeRules: true}, []string{"agree_privacy"}},
			{"everything agreed", all, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.in(t)
				c := f.newCandidate()
				from := f.centerSlot("2026-12-08", "09:00")
				b := f.buy(c, f.saa, from)
				res, err := f.svc.Reschedule(f.ctx, c, b.ID, booking.RescheduleRequest{SlotID: online.ID, Agreement: tc.agreement})
				got := f.booking(b.ID)
				if tc.wantFields != nil {
					pe := wantRefused(t, err, "schedule.reschedule.online_requirements")
					if pe.Code != portal.EInvalid {
						t.Errorf("code = %s, want invalid", pe.Code)
					}
					var fields []string
					for _, fe := range pe.Fields {
						fields = append(fields, fe.Field)
					}
					if !slices.Equal(fields, tc.wantFields) {
						t.Errorf("fields = %v, want %v", fields, tc.wantFields)
					}
					if got.SlotID != from.ID || got.Reschedules != 0 || got.AgreedAt != nil || got.SystemCheckedAt != nil || got.RulesVersion != "" {
						t.Fatalf("refused move changed the booking: %+v", got.Booking)
					}
					if n := f.audits("scheduling.online_agreed", "booking:"+b.Reference); n != 0 {
						t.Fatalf("refused move audited an agreement")
					}
					return
				}
				if err != nil {
					t.Fatalf("move with the agreement: %v", err)
				}
				now := f.clock.Now()
				if got.SlotID != online.ID || res.Booking.SlotID != online.ID || got.Reschedules != 1 {
					t.Fatalf("booking not moved online: %+v", got.Booking)
				}
				if got.AgreedAt == nil || !got.AgreedAt.Equal(now) || got.SystemCheckedAt == nil || !got.SystemCheckedAt.Equal(now) ||
					got.RulesVersion != "2027-02" || got.PrivacyVersion != "2027-03" {
					t.Fatalf("recorded agreed %v, checked %v, rules %q, privacy %q; want %s, 2027-02, 2027-03",
						got.AgreedAt, got.SystemCheckedAt, got.RulesVersion, got.PrivacyVersion, now)
				}
				if n := f.audits("scheduling.online_agreed", "booking:"+b.Reference); n != 1 {
					t.Fatalf("%d agreement audits, want 1", n)
				}
			})
		}

		t.Run("moves that need no agreement", func(t *testing.T) {
			f := f.in(t)
			atCenter := f.buy(f.newCandidate(), f.saa, f.centerSlot("2026-12-08", "13:00"))
			if _, err := f.reschedule(actorOf(atCenter), atCenter.ID, f.centerSlot("2026-12-09", "13:00").ID); err != nil {
				t.Fatalf("center to center: %v", err)
			}
			onl := f.buy(f.newCandidate(), f.saa, f.onlineSlot(time.Date(2026, 12, 10, 15, 0, 0, 0, time.UTC)))
			if _, err := f.reschedule(actorOf(onl), onl.ID, f.onlineSlot(time.Date(2026, 12, 11, 15, 0, 0, 0, time.UTC)).ID); err != nil {
				t.Fatalf("online to online with the agreement on record: %v", err)
			}
		})

		t.Run("an online booking with no agreement on record", func(t *testing.T) {
			f := f.in(t)
			b := f.buy(f.newCandidate(), f.saa, f.onlineSlot(time.Date(2026, 12, 13, 15, 0, 0, 0, time.UTC)))
			f.exec(`UPDATE bookings SET agreed_at = NULL, system_checked_at = NULL, rules_version = '', privacy_version = '' WHERE id = %d`, b.ID)
			to := f.onlineSlot(time.Date(2026, 12, 14, 15, 0, 0, 0, time.UTC))
			_, err := f.reschedule(actorOf(b), b.ID, to.ID)
			wantRefused(t, err, "schedule.reschedule.online_requirements")
			if _, err := f.svc.Reschedule(f.ctx, actorOf(b), b.ID, booking.RescheduleRequest{SlotID: to.ID, Agreement: all}); err != nil {
				t.Fatalf("with the agreement: %v", err)
			}
			if got := f.booking(b.ID); got.AgreedAt == nil || got.RulesVersion != "2027-02" {
				t.Fatalf("agreement not recorded: %+v", got.Booking)
			}
		})

		t.Run("a paid move asks before charging", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			b := f.buy(c, f.feeExam(), f.centerSlot("2026-12-08", "09:00"))
			to := f.onlineSlot(time.Date(2026, 12, 12, 15, 0, 0, 0, time.UTC))
			req := booking.RescheduleRequest{SlotID: to.ID, Provider: portal.ProviderTest, Card: payments.TestCardSuccess}
			_, err := f.svc.Reschedule(f.ctx, c, b.ID, req)
			wantRefused(t, err, "schedule.reschedule.online_requirements")
			if n := f.count(`SELECT COUNT(*) FROM payments WHERE user_id = %d AND purpose = 'reschedule_fee'`, c.UserID); n != 0 {
				t.Fatalf("%d fee payments after the refusal, want 0", n)
			}
			req.Agreement = all
			res, err := f.svc.Reschedule(f.ctx, c, b.ID, req)
			if err != nil {
				t.Fatalf("paid move with the agreement: %v", err)
			}
			got := f.booking(b.ID)
			if got.SlotID != to.ID || res.Payment == nil || res.Payment.AmountMinor != 2500 || got.AgreedAt == nil || got.RulesVersion != "2027-02" {
				t.Fatalf("paid move: booking %+v, payment %+v", got.Booking, res.Payment)
			}
		})
		f.checkInvariants()
	})
}

// TestQuoteMove pins the review step's quote: the refusal Reschedule
// would give, or the new time, its center, the fee and whether the move
// needs the online agreement; nothing moves.
func TestQuoteMove(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.newCandidate()
		from := f.centerSlot("2026-12-08", "09:00")
		b := f.buy(c, f.feeExam(), from)
		center := f.centerSlot("2026-12-09", "09:00")
		online := f.onlineSlot(time.Date(2026, 12, 9, 15, 0, 0, 0, time.UTC))
		for _, tc := range []struct {
			name      string
			slot      *portal.Slot
			refusal   string
			agreement bool
			center    bool
		}{
			{"the current time", from, "schedule.reschedule.same_slot", false, true},
			{"another center time", center, "", false, true},
			{"an online start", online, "", true, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				q, err := f.svc.QuoteMove(f.ctx, c, b.ID, tc.slot.ID)
				if tc.refusal != "" {
					wantRefused(t, err, tc.refusal)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if q.To.ID != tc.slot.ID || q.Fee != 2500 || q.Agreement != tc.agreement || (q.Center != nil) != tc.center {
					t.Fatalf("quote = to %d, fee %d, agreement %v, center %v", q.To.ID, q.Fee, q.Agreement, q.Center)
				}
			})
		}
		if _, err := f.svc.QuoteMove(f.ctx, f.newCandidate(), b.ID, center.ID); portal.ErrorCode(err) != portal.ENotFound {
			t.Fatalf("another's booking: err = %v, want not_found", err)
		}
		if got := f.booking(b.ID); got.SlotID != from.ID || got.Reschedules != 0 {
			t.Fatalf("a quote moved the booking: %+v", got.Booking)
		}
	})
}
