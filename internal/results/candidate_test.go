package results_test

import (
	"errors"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/testutil"
)

// TestHistoryExplainsEachState: an exam taken without a result is
// awaited (with the usual day, and support after 10 business days); a
// provisional result shows its outcome but no score; an official one its
// score; a failure its retake date; microcredentials are marked. Only the
// candidate's own attempts show.
func TestHistoryExplainsEachState(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		// Taken Monday 16 November at 10:00 in New York, no result.
		f.clock.Set(ny(2026, 11, 16, 8, 0))
		f.confirmedBooking(f.candidate, f.saa04, ny(2026, 11, 16, 10, 0), "B7K2-9QXP")
		f.clock.Set(fixtureNow)
		f.published(f.candidate, f.saa, ny(2026, 11, 23, 10, 0), 650) // official 30 Nov
		p := f.counted(f.candidate, f.micro, ny(2026, 11, 30, 10, 0), 740)
		f.counted(f.newCandidate(), f.saa, ny(2026, 11, 30, 10, 0), 900) // someone else's

		h, err := f.svc.History(f.ctx, f.candidate)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 3 {
			t.Fatalf("history = %+v", h)
		}
		prov, failed, awaiting := h[0], h[1], h[2]
		if prov.State != results.HistoryProvisional || !prov.Passed || prov.Score != 0 || prov.AttemptID != p.ID ||
			!prov.Microcredential || !prov.OfficialOn.Equal(ny(2026, 12, 7, 0, 0)) {
			t.Errorf("provisional = %+v", prov)
		}
		if failed.State != results.HistoryFailed || failed.Score != 650 || failed.RetakeFrom == nil ||
			!failed.RetakeFrom.Equal(ny(2026, 12, 7, 10, 0)) || failed.Microcredential {
			t.Errorf("failed = %+v", failed)
		}
		// 16 November plus 5 business days is 23 November; 10 business
		// days, 30 November: support is offered from then.
		if awaiting.State != results.HistoryAwaiting || awaiting.BookingRef != "B7K2-9QXP" || !awaiting.OfficialOn.Equal(ny(2026, 11, 23, 0, 0)) ||
			!awaiting.AskSupport || awaiting.AttemptID != 0 {
			t.Errorf("awaiting = %+v", awaiting)
		}
		f.clock.Set(ny(2026, 11, 29, 23, 59))
		h, _ = f.svc.History(f.ctx, f.candidate)
		if last := h[len(h)-1]; last.State != results.HistoryAwaiting || last.AskSupport {
			t.Errorf("support offered before 10 business days: %+v", last)
		}
		if _, err := f.svc.History(f.ctx, portal.Actor{}); !errors.Is(err, portal.ErrUnauthorized) {
			t.Errorf("visitor: %v", err)
		}
	})
}

// TestScoreReportOnlyOnceOfficialAndOwn: before publication, and for
// anyone but the candidate, the report is not found; after, it has the
// score, the domains as weighted that day and, after a failure, the retake
// date.
func TestScoreReportOnlyOnceOfficialAndOwn(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		a, err := f.svc.Enter(f.ctx, f.officer, results.Entry{Candidate: f.loginID(f.candidate), ExamCode: "SAA-C03",
			TakenAt: ny(2026, 11, 30, 10, 0), Score: 690, Domains: []results.DomainBand{
				{Name: "Design", Band: portal.BandMeets}, {Name: "Security", Band: portal.BandNeedsImprovement}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Confirm(f.ctx, f.second, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ScoreReport(f.ctx, f.candidate, a.ID); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("report before publication: %v", err)
		}
		f.clock.Set(a.OfficialAt)
		if err := f.svc.Publish(f.ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		r, err := f.svc.ScoreReport(f.ctx, f.candidate, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Score != 690 || r.PassingScore != 720 || r.Passed || r.RetakeFrom == nil || len(r.Domains) != 2 ||
			r.Domains[1].Band != portal.BandNeedsImprovement || r.Domains[0].WeightPercent != 60 || r.TimeZone.String() != "America/New_York" {
			t.Fatalf("report = %+v", r)
		}
		for name, who := range map[string]portal.Actor{"another candidate": f.newCandidate(), "staff": f.admin} {
			if _, err := f.svc.ScoreReport(f.ctx, who, a.ID); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s: %v, want not found", name, err)
			}
		}
	})
}

// TestCertificationsStatusBenefitsAndSummary: status comes from the dates
// and the clock at read time: active, expiring in the last 6 months,
// expired after the end of the expiry day; benefits list the unused
// voucher and the program's lines while the certification stands.
func TestCertificationsStatusBenefitsAndSummary(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.published(f.candidate, f.saa, ny(2026, 11, 30, 10, 0), 800)       // expires 2029-11-30
		f.published(f.candidate, f.micro, ny(2026, 12, 7, 0, 0), 800)       // expires 2027-12-07
		f.counted(f.candidate, f.saa04, f.clock.Now().Add(-time.Hour), 500) // provisional

		list, err := f.svc.Certifications(f.ctx, f.candidate)
		if err != nil || len(list) != 2 {
			t.Fatalf("certifications = %+v, %v", list, err)
		}
		if list[0].Code != "SAA" || list[0].Status != portal.CertActive || list[0].MonthsLeft != 35 || list[1].Status != portal.CertActive || !list[1].Microcredential {
			t.Fatalf("certifications = %+v", list)
		}
		s, err := f.svc.Summary(f.ctx, f.candidate)
		if err != nil || s.Active != 2 || s.Expiring != 0 || s.Next == nil || s.Next.Code != "MCR" || s.Provisional != 1 {
			t.Fatalf("summary = %+v, %v", s, err)
		}
		b, err := f.svc.Benefits(f.ctx, f.candidate)
		if err != nil || len(b) != 2 {
			t.Fatalf("benefits = %+v, %v", b, err)
		}
		if b[0].CertificationCode != "SAA" || b[0].VoucherCode == "" || b[0].VoucherPercent != 50 ||
			len(b[0].Program) != 2 || b[0].Program[1] != "Discount on training" {
			t.Fatalf("benefits = %+v", b[0])
		}
		if got := b[0].VoucherUntil.In(newYork).Format("2006-01-02"); got != b[0].ExpiresOn {
			t.Errorf("voucher valid until %s, want the certification's last day %s", got, b[0].ExpiresOn)
		}

		// Four months before the microcredential's end it is expiring.
		f.clock.Set(ny(2027, 8, 7, 12, 0))
		list, _ = f.svc.Certifications(f.ctx, f.candidate)
		if list[1].Status != portal.CertExpiring || list[1].MonthsLeft != 4 {
			t.Fatalf("microcredential = %s, %d months", list[1].Status, list[1].MonthsLeft)
		}
		if s, _ := f.svc.Summary(f.ctx, f.candidate); s.Active != 1 || s.Expiring != 1 || s.Next.Code != "MCR" {
			t.Fatalf("summary = %+v", s)
		}
		// The last second of 7 December 2027 in New York it stands; then it
		// has expired, and gives nothing.
		f.clock.Set(ny(2027, 12, 8, 0, 0).Add(-time.Second))
		if list, _ = f.svc.Certifications(f.ctx, f.candidate); list[1].Status != portal.CertExpiring {
			t.Fatalf("last second: %s", list[1].Status)
		}
		f.clock.Set(ny(2027, 12, 8, 0, 0))
		if list, _ = f.svc.Certifications(f.ctx, f.candidate); list[1].Status != portal.CertExpired || list[1].MonthsLeft != 0 {
			t.Fatalf("after the end: %s", list[1].Status)
		}
		if b, _ = f.svc.Benefits(f.ctx, f.candidate); len(b) != 1 || b[0].CertificationCode != "SAA" {
			t.Fatalf("benefits after expiry = %+v", b)
		}
		if other, err := f.svc.Certifications(f.ctx, f.newCandidate()); err != nil || len(other) != 0 {
			t.Fatalf("another candidate sees %+v, %v", other, err)
		}
	})
}
