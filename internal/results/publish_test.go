package results_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/testutil"
)

// TestPublicationAtTheOfficialInstant: nothing is published a second
// before the official instant; at it, the result becomes official and a
// pass issues the certification, dated by the delivery day in the
// program's zone, with its voucher; the events and mails follow once.
func TestPublicationAtTheOfficialInstant(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		// 21:30 in New York is already 1 December in UTC: the day of issue
		// is the program's, 30 November.
		a := f.counted(f.candidate, f.saa, ny(2026, 11, 30, 21, 30), 800)
		f.clock.Set(a.OfficialAt.Add(-time.Second))
		if err := f.svc.Publish(f.ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.attempt(a.ID); got.State != portal.AttemptPreliminary || got.PublishedAt != nil {
			t.Fatalf("published early: %+v", got)
		}
		f.clock.Set(a.OfficialAt)
		if err := f.svc.Publish(f.ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		got := f.attempt(a.ID)
		if got.State != portal.AttemptOfficial || got.PublishedAt == nil || !got.PublishedAt.Equal(a.OfficialAt) {
			t.Fatalf("after publication: %+v", got)
		}
		certs := f.certifications(f.candidate)
		if len(certs) != 1 {
			t.Fatalf("%d certifications", len(certs))
		}
		c := certs[0]
		if c.IssuedOn != "2026-11-30" || c.ExpiresOn != "2029-11-30" || !c.ExpiresAt.Equal(ny(2029, 12, 1, 0, 0)) ||
			c.CertificationID != f.cert.ID || c.AttemptID != a.ID || c.Cycle != 1 || c.ValidityMonths != 36 {
			t.Fatalf("certification = %+v", c.UserCertification)
		}
		v, err := f.st.FindVoucherByUserCertification(f.ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Percent != 50 || v.MaxUses != 1 || v.Uses != 0 || v.ExamCodes != "" || v.OwnerUserID == nil ||
			*v.OwnerUserID != f.candidate.UserID || !v.ExpiresAt.Equal(c.ExpiresAt) || v.DisabledAt != nil {
			t.Fatalf("voucher = %+v", v)
		}
		for name, n := range map[string]int{
			"published event": f.events(portal.EventResultPublished, portal.SubjectAttempt, a.ID),
			"issued event":    f.events(portal.EventCertificationIssued, portal.SubjectCertification, c.ID),
			"official mail":   f.mails("official", a.ID),
			"issued mail":     f.mails("issued", a.ID),
		} {
			if n != 1 {
				t.Errorf("%s: %d, want 1", name, n)
			}
		}
	})
}

// TestPublishExactlyOnce: many publications of the same attempt at the
// same time, as instances racing for the due work, make it official once:
// one certification, one voucher, one mail and one event of each.
func TestPublishExactlyOnce(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		a := f.counted(f.candidate, f.saa, ny(2026, 11, 30, 10, 0), 900)
		f.clock.Set(a.OfficialAt.Add(time.Hour))
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- f.svc.Publish(f.ctx, a.ID)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("publish: %v", err)
			}
		}
		for name, n := range map[string]int{
			"certifications": f.count(`SELECT COUNT(*) FROM user_certifications WHERE user_id = ?`, f.candidate.UserID),
			"vouchers":       f.count(`SELECT COUNT(*) FROM vouchers WHERE owner_user_id = ?`, f.candidate.UserID),
			"voucher links":  f.count(`SELECT COUNT(*) FROM certification_vouchers`),
			"official mails": f.count(`SELECT COUNT(*) FROM job_outbox WHERE kind = 'mail.send' AND args LIKE '%"Cause":"official"%'`),
			"issued mails":   f.count(`SELECT COUNT(*) FROM job_outbox WHERE kind = 'mail.send' AND args LIKE '%"Cause":"issued"%'`),
			"published":      f.events(portal.EventResultPublished, portal.SubjectAttempt, a.ID),
			"issued":         f.count(`SELECT COUNT(*) FROM events WHERE type = ?`, string(portal.EventCertificationIssued)),
		} {
			if n != 1 {
				t.Errorf("%s: %d, want 1", name, n)
			}
		}
	})
}

// TestAPassDuringTheCycleRenews: another version's pass while the
// certification stands renews it (no second certification or voucher):
// the new period starts at the old expiry and lasts one validity; after
// expiry, a pass issues the next cycle as a new certification.
func TestAPassDuringTheCycleRenews(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		first := f.published(f.candidate, f.saa, ny(2026, 11, 30, 10, 0), 800)
		f.clock.Set(ny(2026, 12, 7, 12, 0))
		b := f.published(f.candidate, f.saa04, ny(2026, 12, 7, 10, 0), 850)
		if b.State != portal.AttemptOfficial || !b.Passed {
			t.Fatalf("second pass = %+v", b)
		}
		certs := f.certifications(f.candidate)
		if len(certs) != 1 {
			t.Fatalf("%d certifications after a second pass, want 1", len(certs))
		}
		if c := certs[0]; c.AttemptID != first.ID || c.Cycle != 2 || c.IssuedOn != "2029-12-01" || c.ExpiresOn != "2032-11-30" ||
			!c.IssuedAt.Equal(ny(2029, 12, 1, 0, 0)) || !c.ExpiresAt.Equal(ny(2032, 12, 1, 0, 0)) {
			t.Fatalf("renewed certification = %+v", c)
		}
		ren, err := f.st.FindRenewalByCycle(f.ctx, certs[0].ID, 1)
		if err != nil || ren.Cause != portal.RenewalByExam || ren.AttemptID == nil || *ren.AttemptID != b.ID ||
			ren.OldExpiresOn != "2029-11-30" || ren.NewExpiresOn != "2032-11-30" {
			t.Fatalf("renewal = %+v, %v", ren, err)
		}
		if f.mails("issued", b.ID) != 0 || f.mails("official", b.ID) != 1 {
			t.Fatalf("mails of the second pass: issued %d, official %d", f.mails("issued", b.ID), f.mails("official", b.ID))
		}
		if n := f.count(`SELECT COUNT(*) FROM job_outbox WHERE kind = 'mail.send' AND unique_key = ?`,
			fmt.Sprintf("mail.renewal:%d:1", certs[0].ID)); n != 1 {
			t.Fatalf("%d renewal mails, want 1", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = 'certification.renewed' AND subject_id = ?`, certs[0].ID); n != 1 {
			t.Fatalf("%d certification.renewed events, want 1", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM certification_vouchers`); n != 1 {
			t.Fatalf("%d vouchers, want 1", n)
		}
		views, err := f.svc.Certifications(f.ctx, f.candidate)
		if err != nil || len(views) != 1 || views[0].RenewedFrom != "2029-11-30" || views[0].Status != portal.CertActive {
			t.Fatalf("the candidate's certifications = %+v, %v", views, err)
		}
		// Long after the renewed period, the certification has expired: a
		// pass earns it again, in the next cycle.
		f.clock.Set(ny(2033, 1, 10, 12, 0))
		c := f.published(f.candidate, f.saa04, ny(2033, 1, 10, 9, 0), 800)
		certs = f.certifications(f.candidate)
		if len(certs) != 2 || certs[0].AttemptID != c.ID || certs[0].Cycle != 3 {
			t.Fatalf("certifications = %+v", certs)
		}
		if n := f.count(`SELECT COUNT(*) FROM certification_vouchers`); n != 2 {
			t.Fatalf("%d vouchers, want 2", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM renewals`); n != 1 {
			t.Fatalf("%d renewals, want 1", n)
		}
		f.invariants(t)
	})
}

// TestAFailIssuesNothing: an official fail earns no certification and
// keeps the retake date.
func TestAFailIssuesNothing(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		a := f.published(f.candidate, f.saa, ny(2026, 11, 30, 10, 0), 650)
		if a.State != portal.AttemptOfficial || a.Passed || a.RetakeFrom == nil || !a.RetakeFrom.Equal(ny(2026, 12, 14, 10, 0)) {
			t.Fatalf("failed = %+v", a)
		}
		if n := len(f.certifications(f.candidate)); n != 0 {
			t.Fatalf("%d certifications after a fail", n)
		}
	})
}

// TestValidityDates: a certification is issued on the delivery day in the
// program's zone and expires after its months on the same calendar day, or
// the month's last day when there is none, at the end of that day there.
func TestValidityDates(t *testing.T) {
	for _, tc := range []struct {
		name          string
		taken         time.Time
		months        int
		issued, until string
		expiresAt     time.Time
	}{
		{"same day", ny(2026, 3, 15, 10, 0), 36, "2026-03-15", "2029-03-15", ny(2029, 3, 16, 0, 0)},
		{"29 February", ny(2028, 2, 29, 10, 0), 12, "2028-02-29", "2029-02-28", ny(2029, 3, 1, 0, 0)},
		{"29 February to a leap year", ny(2028, 2, 29, 10, 0), 48, "2028-02-29", "2032-02-29", ny(2032, 3, 1, 0, 0)},
		{"31st to a short month", ny(2026, 1, 31, 10, 0), 1, "2026-01-31", "2026-02-28", ny(2026, 3, 1, 0, 0)},
		{"late evening is the local day", time.Date(2026, 6, 1, 2, 30, 0, 0, time.UTC), 12, "2026-05-31", "2027-05-31", ny(2027, 6, 1, 0, 0)},
		{"ends across a DST change", ny(2026, 11, 6, 10, 0), 4, "2026-11-06", "2027-03-06", ny(2027, 3, 7, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			issued, until, at := results.Validity(tc.taken, tc.months, newYork)
			if issued != tc.issued || until != tc.until || !at.Equal(tc.expiresAt) {
				t.Fatalf("validity = %s, %s, %s; want %s, %s, %s", issued, until, at, tc.issued, tc.until, tc.expiresAt)
			}
		})
	}
}

// TestPublicationsFiredTogether: the due-work sweep hands publications
// over as an array; instances running the same array at the same time
// publish each due result once, leave a held result and one not yet due
// alone, and pass over an attempt that no longer exists.
func TestPublicationsFiredTogether(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		var due []*portal.Attempt
		for i := range 5 {
			c := f.candidate
			if i > 0 {
				c = f.newCandidate()
			}
			due = append(due, f.counted(c, f.saa, ny(2026, 11, 30, 10, i), 700+20*i))
		}
		held := f.counted(f.newCandidate(), f.saa, ny(2026, 11, 30, 11, 0), 800)
		if _, err := f.svc.Hold(f.ctx, f.officer, held.ID, "score under review"); err != nil {
			t.Fatal(err)
		}
		later := f.counted(f.newCandidate(), f.saa, ny(2026, 12, 1, 6, 0), 800)
		f.clock.Set(due[0].OfficialAt)
		if !later.OfficialAt.After(f.clock.Now()) {
			t.Fatalf("the later result is due at %s already", later.OfficialAt)
		}
		args := `[`
		for _, a := range append(due, held, later) {
			args += fmt.Sprintf(`{"attempt_id":%d},`, a.ID)
		}
		args += `{"attempt_id":99999999}]`

		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() { errs <- f.svc.HandlePublishJob(f.ctx, json.RawMessage(args)) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("publication job: %v", err)
			}
		}
		for _, a := range due {
			got := f.attempt(a.ID)
			if got.State != portal.AttemptOfficial {
				t.Errorf("attempt %d is %s, want official", a.ID, got.State)
			}
			if n := f.events(portal.EventResultPublished, portal.SubjectAttempt, a.ID); n != 1 {
				t.Errorf("attempt %d: %d published events, want 1", a.ID, n)
			}
			if n := f.mails("official", a.ID); n != 1 {
				t.Errorf("attempt %d: %d official mails, want 1", a.ID, n)
			}
		}
		// Four passes (720 and up) earn one certification each.
		if n := f.count(`SELECT COUNT(*) FROM events WHERE type = ?`, string(portal.EventCertificationIssued)); n != 4 {
			t.Errorf("%d certifications issued, want 4", n)
		}
		if got := f.attempt(held.ID); got.State != portal.AttemptHeld {
			t.Errorf("held result is %s", got.State)
		}
		if got := f.attempt(later.ID); got.State != portal.AttemptPreliminary {
			t.Errorf("result not yet due is %s", got.State)
		}
		if err := f.svc.HandlePublishJob(f.ctx, json.RawMessage(`[{"attempt_id":0}]`)); err == nil {
			t.Error("an array naming attempt 0 was accepted")
		}
	})
}
