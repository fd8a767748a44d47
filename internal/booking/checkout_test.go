package booking_test

import (
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestCheckoutPaid pins BL-01 on success: the bookings are confirmed in
// the transaction that records the payment, the legal name locks, and a
// confirmation mail with a valid .ics (RFC 5545: CRLF, folded at 75
// octets, UTC times) is queued in the same commit.
func TestCheckoutPaid(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.candidate
		sl := f.centerSlot("2026-12-05", "09:00") // 14:00 UTC
		b := f.hold(c, f.saa, sl)
		if u, _ := f.st.GetUser(f.ctx, c.UserID); u.LegalNameLockedAt != nil {
			t.Fatal("legal name locked by a mere hold")
		}
		res := f.paidCheckout(c)

		p := res.Payment
		if p.State != portal.PaymentSucceeded || p.Provider != portal.ProviderTest || p.AmountMinor != 15000 || p.Currency != "USD" ||
			!strings.HasPrefix(p.ProviderRef, "test_ch_") || p.SucceededAt == nil {
			t.Fatalf("payment = %+v", p)
		}
		if len(res.Bookings) != 1 || res.Bookings[0].ID != b.ID {
			t.Fatalf("result bookings = %+v", res.Bookings)
		}
		got := f.booking(b.ID)
		if got.State != portal.BookingConfirmed || got.ConfirmedAt == nil || got.HoldExpiresAt != nil || got.PaymentID == nil || *got.PaymentID != p.ID {
			t.Fatalf("booking = %+v; want confirmed by payment %d without a hold expiry", got.Booking, p.ID)
		}
		if got.RulesVersion != "" || got.AgreedAt != nil {
			t.Errorf("a test-center booking recorded online agreements: %q %v", got.RulesVersion, got.AgreedAt)
		}
		u, err := f.st.GetUser(f.ctx, c.UserID)
		if err != nil || u.LegalNameLockedAt == nil || !u.LegalNameLockedAt.Equal(fixtureNow) {
			t.Fatalf("legal_name_locked_at = %v, %v; want %s", u.LegalNameLockedAt, err, fixtureNow)
		}
		if n := f.audits("scheduling.confirmed", "booking:"+got.Reference); n != 1 {
			t.Errorf("%d confirmed audits, want 1", n)
		}

		mails := f.mails(got.Reference)
		if len(mails) != 1 {
			t.Fatalf("%d mails for the booking, want 1", len(mails))
		}
		m := mails[0]
		if m.To != got.UserEmail || m.Template != "booking" || m.Data["Change"] != "confirmed" || len(m.Attachments) != 1 {
			t.Fatalf("mail = %+v", m)
		}
		att := m.Attachments[0]
		if !strings.HasSuffix(att.Filename, ".ics") || !strings.HasPrefix(att.ContentType, "text/calendar") || !strings.Contains(att.ContentType, "method=PUBLISH") {
			t.Fatalf("attachment %q %q", att.Filename, att.ContentType)
		}
		checkICS(t, string(att.Content), map[string]string{
			"BEGIN":    "VCALENDAR",
			"METHOD":   "PUBLISH",
			"DTSTART":  "20261205T140000Z",
			"DTEND":    "20261205T160000Z",
			"DTSTAMP":  "20261201T120000Z",
			"UID":      strings.ToLower(got.Reference) + "@portal.example.org",
			"STATUS":   "CONFIRMED",
			"SEQUENCE": "0",
			"LOCATION": `Midtown Test Center\, 350 5th Ave\, New York`,
			"URL":      "https://portal.example.org/bookings/" + got.Reference,
		})
		f.checkInvariants()
	})
}

// checkICS checks the calendar's framing and that each property in want
// appears (unfolded) with that value.
func checkICS(t *testing.T, ics string, want map[string]string) {
	t.Helper()
	if !strings.HasPrefix(ics, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(ics, "END:VCALENDAR\r\n") {
		t.Fatalf("ics is not a CRLF-framed VCALENDAR:\n%q", ics)
	}
	if strings.Count(ics, "\n") != strings.Count(ics, "\r\n") || strings.Count(ics, "\r") != strings.Count(ics, "\r\n") {
		t.Fatalf("ics has a bare LF or CR:\n%q", ics)
	}
	folded := false
	for i, line := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets, more than 75: %q", i+1, len(line), line)
		}
		folded = folded || strings.HasPrefix(line, " ")
	}
	if !folded {
		t.Errorf("no folded line: the long DESCRIPTION should be folded")
	}
	props := map[string]string{}
	for _, line := range strings.Split(strings.ReplaceAll(ics, "\r\n ", ""), "\r\n") {
		if name, value, ok := strings.Cut(line, ":"); ok {
			if _, seen := props[name]; !seen {
				props[name] = value
			}
		}
	}
	for name, value := range want {
		if props[name] != value {
			t.Errorf("%s = %q, want %q", name, props[name], value)
		}
	}
}

// TestCheckoutDeclined pins BL-01 and IN-07 on failure: a declined card
// is a field error, the payment is recorded failed, nothing is confirmed,
// and the holds go back to the cart with their expiry.
func TestCheckoutDeclined(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		c := f.candidate
		a := f.hold(c, f.saa, f.centerSlot("2026-12-05", "09:00"))
		b := f.hold(c, f.micro, f.centerSlot("2026-12-05", "13:00"))
		_, err := f.svc.Checkout(f.ctx, c, booking.CheckoutRequest{Provider: portal.ProviderTest, Card: payments.TestCardDeclined})
		wantRefused(t, err, "schedule.checkout.declined")
		wantField(t, err, "card", "schedule.checkout.declined")

		for _, id := range []int64{a.ID, b.ID} {
			got := f.booking(id)
			if got.State != portal.BookingHeld || got.ConfirmedAt != nil || got.HoldExpiresAt == nil || !got.HoldExpiresAt.Equal(fixtureNow.Add(15*time.Minute)) {
				t.Fatalf("booking %d = %s, hold until %v; want held until %s", id, got.State, got.HoldExpiresAt, fixtureNow.Add(15*time.Minute))
			}
			if got.PaymentID == nil {
				t.Fatalf("booking %d lost its failed payment", id)
			}
			if p := f.payment(*got.PaymentID); p.State != portal.PaymentFailed || p.Failure != "declined" {
				t.Fatalf("payment = %+v; want failed, declined", p)
			}
		}
		cart, err := f.svc.Cart(f.ctx, c)
		if err != nil || len(cart.Items) != 2 || cart.Total != 20000 {
			t.Fatalf("cart = %+v, %v; want both holds back for 20000", cart, err)
		}
		if n := f.count(`SELECT COUNT(*) FROM bookings WHERE state = 'confirmed'`); n != 0 {
			t.Fatalf("%d confirmed bookings after a decline", n)
		}
		if u, _ := f.st.GetUser(f.ctx, c.UserID); u.LegalNameLockedAt != nil {
			t.Fatal("legal name locked after a decline")
		}
		if n := len(f.outbox(mail.KindSend)); n != 0 {
			t.Fatalf("%d mails queued after a decline", n)
		}
		f.checkInvariants()

		// The next attempt pays for the same holds.
		res := f.paidCheckout(c)
		if len(res.Bookings) != 2 || res.Payment.AmountMinor != 20000 {
			t.Fatalf("retry = %+v", res)
		}
		f.checkInvariants()
	})
}

// TestCheckoutRefusals pins what a checkout needs: a non-empty cart of
// live holds, a configured provider, and for online exams the system
// check and both agreements, whose versions and time are then recorded.
func TestCheckoutRefusals(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)

		t.Run("empty cart", func(t *testing.T) {
			f := f.in(t)
			_, err := f.svc.Checkout(f.ctx, f.newCandidate(), booking.CheckoutRequest{Provider: portal.ProviderTest, Card: payments.TestCardSuccess})
			wantRefused(t, err, "schedule.checkout.empty")
		})

		t.Run("run-out hold", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			f.hold(c, f.saa, f.centerSlot("2026-12-06", "09:00"))
			f.clock.Advance(f.svc.Config().HoldTTL)
			_, err := f.svc.Checkout(f.ctx, c, booking.CheckoutRequest{Provider: portal.ProviderTest, Card: payments.TestCardSuccess})
			wantRefused(t, err, "schedule.checkout.empty")
		})

		t.Run("unknown provider", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			b := f.hold(c, f.saa, f.centerSlot("2026-12-06", "13:00"))
			_, err := f.svc.Checkout(f.ctx, c, booking.CheckoutRequest{Provider: portal.ProviderStripe}) // not configured here
			wantField(t, err, "provider", "schedule.checkout.provider_invalid")
			if got := f.booking(b.ID); got.State != portal.BookingHeld || got.PaymentID != nil {
				t.Fatalf("booking %s payment %v", got.State, got.PaymentID)
			}
		})

		t.Run("online without agreements", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			sl := f.onlineSlot(time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC))
			b := f.hold(c, f.saa, sl)
			_, err := f.svc.Checkout(f.ctx, c, booking.CheckoutRequest{Provider: portal.ProviderTest, Card: payments.TestCardSuccess, AgreeRules: true})
			wantField(t, err, "system_checked", "schedule.checkout.system_check_required")
			wantField(t, err, "agree_privacy", "schedule.checkout.privacy_required")
			if n := len(refusal(t, err).Fields); n != 2 {
				t.Fatalf("%d field errors, want 2", n)
			}
			if got := f.booking(b.ID); got.State != portal.BookingHeld || got.PaymentID != nil || got.AgreedAt != nil {
				t.Fatalf("refused checkout changed the booking: %+v", got.Booking)
			}
			if n := f.count(`SELECT COUNT(*) FROM payments WHERE user_id = %d`, c.UserID); n != 0 {
				t.Fatalf("%d payments after a refused checkout", n)
			}

			f.clock.Advance(time.Minute)
			now := f.clock.Now()
			f.paidCheckout(c)
			got := f.booking(b.ID)
			cfg := f.svc.Config()
			if got.State != portal.BookingConfirmed || got.RulesVersion != cfg.RulesVersion || got.PrivacyVersion != cfg.PrivacyVersion ||
				got.AgreedAt == nil || !got.AgreedAt.Equal(now) || got.SystemCheckedAt == nil || !got.SystemCheckedAt.Equal(now) {
				t.Fatalf("booking = %+v; want confirmed with versions %s/%s agreed at %s", got.Booking, cfg.RulesVersion, cfg.PrivacyVersion, now)
			}
		})

		t.Run("no confirmation without payment", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			b := f.hold(c, f.saa, f.centerSlot("2026-12-07", "09:00"))
			_, err := f.svc.Checkout(f.ctx, c, booking.CheckoutRequest{Provider: portal.ProviderTest, Card: "4111111111111111"})
			wantRefused(t, err, "schedule.checkout.declined")
			list, err := f.st.ListBookings(f.ctx, store.BookingFilter{UserID: c.UserID, States: []string{portal.BookingConfirmed}})
			if err != nil || len(list) != 0 {
				t.Fatalf("confirmed = %d, %v", len(list), err)
			}
			if got := f.booking(b.ID); got.State != portal.BookingHeld {
				t.Fatalf("booking %s, want held", got.State)
			}
		})
		f.checkInvariants()
	})
}
