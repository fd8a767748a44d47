package booking_test

import (
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/testutil"
)

// TestHoldWindowRefusalsAgreeWithTheirNumber: the refusals of a start too
// soon or too far read as a candidate sees them, in English and Spanish,
// with the noun agreeing with the configured number ("1 hour", "2 hours",
// "1 día", "2 días").
func TestHoldWindowRefusalsAgreeWithTheirNumber(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		start := fixtureNow.Add(3 * 24 * time.Hour)
		sl := f.onlineSlot(start)
		for _, tc := range []struct {
			name    string
			cfg     booking.Config
			now     time.Time
			message string
			en, es  string
		}{
			{"1 hour lead", booking.Config{MinLead: time.Hour, Horizon: fixtureHorizon}, start.Add(-30 * time.Minute), "schedule.hold.too_soon",
				"Exams can be booked from 1 hour before the start. Choose a later time.",
				"Los exámenes deben reservarse con al menos 1 hora de antelación. Elija una hora posterior."},
			{"2 hours lead", booking.Config{MinLead: 2 * time.Hour, Horizon: fixtureHorizon}, start.Add(-90 * time.Minute), "schedule.hold.too_soon",
				"Exams can be booked from 2 hours before the start. Choose a later time.",
				"Los exámenes deben reservarse con al menos 2 horas de antelación. Elija una hora posterior."},
			{"1 day horizon", booking.Config{Horizon: 24 * time.Hour}, fixtureNow, "schedule.hold.too_far",
				"Exams can be booked up to 1 day ahead. Choose an earlier date.",
				"Los exámenes se pueden reservar con un máximo de 1 día de antelación. Elija una fecha anterior."},
			{"2 days horizon", booking.Config{Horizon: 48 * time.Hour}, fixtureNow, "schedule.hold.too_far",
				"Exams can be booked up to 2 days ahead. Choose an earlier date.",
				"Los exámenes se pueden reservar con un máximo de 2 días de antelación. Elija una fecha anterior."},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.in(t)
				f.clock.Set(tc.now)
				svc := f.newService(tc.cfg)
				_, err := svc.Hold(f.ctx, f.newCandidate(), booking.HoldRequest{ExamID: f.saa.ID, SlotID: sl.ID})
				pe := wantRefused(t, err, tc.message)
				for lang, want := range map[string]string{"en": tc.en, "es": tc.es} {
					if got := cat.Localizer(lang).Message(pe.Message, pe.Data); got != want {
						t.Errorf("%s: %q, want %q", lang, got, want)
					}
				}
			})
		}
	})
}
