package booking_test

import (
	"context"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestMicrocredentialRenewalRetakeOpensNineMonthsAfterPassing: a candidate
// holding the microcredential MCR-101 earns (passed 10 March 2026, valid to
// 10 March 2027) may book the exam again only from midnight in the
// program's zone on 10 December 2026, 9 months after passing: before, the
// hold is refused with that date ("You can book a renewal retake from Dec
// 10, 2026."); from then on it is accepted. Once the microcredential has
// expired only the usual wait after a failure applies; a certification
// that is not a microcredential never blocks.
func TestMicrocredentialRenewalRetakeOpensNineMonthsAfterPassing(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine) // 2026-12-01 07:00 in New York
		cfg := f.cfg
		cfg.TimeZone = func(context.Context) (*time.Location, error) { return newYork, nil }
		svc := f.newService(cfg)
		mcr := f.db.Certification(t, portal.Certification{Code: "MCR", Name: "Serverless", Kind: portal.CertKindMicrocredential,
			ValidityMonths: 12, EarnedBy: []string{f.micro.Code}})
		slot := f.onlineSlot(time.Date(2026, 12, 15, 15, 0, 0, 0, time.UTC))

		holder := f.newCandidate()
		f.db.Earned(t, holder, f.micro, mcr, time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC))
		opens := time.Date(2026, 12, 10, 0, 0, 0, 0, newYork)
		_, err := svc.Hold(f.ctx, holder, booking.HoldRequest{ExamID: f.micro.ID, SlotID: slot.ID})
		pe := wantRefused(t, err, booking.MsgRenewalRetake)
		if pe.Code != portal.EConflict || !dataTime(t, pe, "Date").Equal(opens) || pe.Data["TimeZone"] != "America/New_York" {
			t.Fatalf("refusal %+v", pe)
		}
		cat, err := i18n.New()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cat.Localizer("en").Message(pe.Message, pe.Data), "You can book a renewal retake from Dec 10, 2026."; got != want {
			t.Fatalf("message %q, want %q", got, want)
		}
		f.clock.Set(opens.Add(-time.Second))
		_, err = svc.Hold(f.ctx, holder, booking.HoldRequest{ExamID: f.micro.ID, SlotID: slot.ID})
		wantRefused(t, err, booking.MsgRenewalRetake)
		f.clock.Set(opens)
		if _, err := svc.Hold(f.ctx, holder, booking.HoldRequest{ExamID: f.micro.ID, SlotID: slot.ID}); err != nil {
			t.Fatalf("hold at 9 months: %v", err)
		}

		// Expired: no renewal rule; a failure's wait still applies.
		expired := f.newCandidate()
		f.db.Earned(t, expired, f.micro, mcr, time.Date(2025, 11, 1, 15, 0, 0, 0, time.UTC))
		failed := f.newCandidate()
		f.db.Earned(t, failed, f.micro, mcr, time.Date(2025, 11, 1, 15, 0, 0, 0, time.UTC))
		f.recordAttempt(failed, f.micro, opens.Add(-24*time.Hour), false)
		if _, err := svc.Hold(f.ctx, expired, booking.HoldRequest{ExamID: f.micro.ID, SlotID: slot.ID}); err != nil {
			t.Fatalf("hold after expiry: %v", err)
		}
		_, err = svc.Hold(f.ctx, failed, booking.HoldRequest{ExamID: f.micro.ID, SlotID: slot.ID})
		wantRefused(t, err, "schedule.rule.retake_wait")

		// A certification that is not a microcredential has no such rule.
		saa := f.db.Certification(t, portal.Certification{Code: "SAA", Name: "Solutions Architect", EarnedBy: []string{f.saa.Code}})
		certified := f.newCandidate()
		f.db.Earned(t, certified, f.saa, saa, time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC))
		f.clock.Set(fixtureNow)
		if _, err := svc.Hold(f.ctx, certified, booking.HoldRequest{ExamID: f.saa.ID, SlotID: slot.ID}); err != nil {
			t.Fatalf("hold of a certification's exam: %v", err)
		}
	})
}
