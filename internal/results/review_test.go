package results_test

import (
	"errors"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/testutil"
)

// TestHoldKeepsAResultUnderReview: a held result shows "under review",
// is not published at its instant and issues nothing; the candidate is
// told once however often it is held. Released after its instant, it is
// published at once; released before, at its instant.
func TestHoldKeepsAResultUnderReview(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		a := f.counted(f.candidate, f.saa, ny(2026, 11, 30, 10, 0), 800)
		_, err := f.svc.Hold(f.ctx, f.second, a.ID, "")
		if got := testutil.FieldErrors(t, err)[results.FieldReason]; got != "results.error.reason_required" {
			t.Fatalf("hold without reason: %q", got)
		}
		if _, err := f.svc.Hold(f.ctx, f.candidate, a.ID, "why"); !errors.Is(err, portal.ErrForbidden) {
			t.Fatalf("candidate holds: %v", err)
		}
		held, err := f.svc.Hold(f.ctx, f.second, a.ID, "Irregularity reported by the proctor")
		if err != nil || held.State != portal.AttemptHeld {
			t.Fatalf("hold = %+v, %v", held, err)
		}
		h, err := f.svc.History(f.ctx, f.candidate)
		if err != nil || len(h) != 1 || h[0].State != results.HistoryReview || h[0].Passed || h[0].Score != 0 {
			t.Fatalf("history = %+v, %v", h, err)
		}
		f.clock.Set(a.OfficialAt.Add(time.Hour))
		if err := f.svc.Publish(f.ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.attempt(a.ID); got.State != portal.AttemptHeld || len(f.certifications(f.candidate)) != 0 {
			t.Fatalf("a held result was published: %+v", got)
		}
		if f.mails("held", a.ID) != 1 || f.events(portal.EventResultHeld, portal.SubjectAttempt, a.ID) != 1 {
			t.Fatalf("held mail %d, event %d", f.mails("held", a.ID), f.events(portal.EventResultHeld, portal.SubjectAttempt, a.ID))
		}
		got, err := f.svc.Release(f.ctx, f.second, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != portal.AttemptOfficial || len(f.certifications(f.candidate)) != 1 || f.mails("official", a.ID) != 1 {
			t.Fatalf("released after the instant: %+v, %d certifications", got, len(f.certifications(f.candidate)))
		}
		_, err = f.svc.Release(f.ctx, f.second, a.ID)
		wantCode(t, err, portal.EConflict, "results.error.not_held")
		_, err = f.svc.Hold(f.ctx, f.second, a.ID, "too late")
		wantCode(t, err, portal.EConflict, "results.error.not_preliminary")

		t.Run("released before the instant", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			f.clock.Set(ny(2026, 12, 8, 12, 0))
			b := f.counted(c, f.micro, ny(2026, 12, 8, 9, 0), 750)
			for range 2 {
				if _, err := f.svc.Hold(f.ctx, f.second, b.ID, "check"); err != nil {
					t.Fatal(err)
				}
				got, err := f.svc.Release(f.ctx, f.officer, b.ID)
				if err != nil || got.State != portal.AttemptPreliminary {
					t.Fatalf("release = %+v, %v", got, err)
				}
			}
			if n := f.mails("held", b.ID); n != 1 {
				t.Fatalf("%d held mails for two holds, want 1", n)
			}
			if n := f.count(`SELECT COUNT(*) FROM due_work WHERE kind = ? AND key = ? AND state = 'pending'`,
				results.KindPublish, "attempt:"+itoa(b.ID)); n != 1 {
				t.Fatalf("pending publication = %d, want 1", n)
			}
			f.clock.Set(b.OfficialAt)
			if err := f.svc.Publish(f.ctx, b.ID); err != nil {
				t.Fatal(err)
			}
			if got := f.attempt(b.ID); got.State != portal.AttemptOfficial || len(f.certifications(c)) != 1 {
				t.Fatalf("after the instant: %+v", got)
			}
		})
	})
}

// TestCorrectionRerunsWhatFollows: admins only, with a reason; the audit
// keeps old and new values; pass to fail withdraws the certification,
// voids its unused voucher and sets the retake date; fail to pass issues
// them; the candidate is told each time.
func TestCorrectionRerunsWhatFollows(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		a := f.published(f.candidate, f.saa, ny(2026, 11, 30, 10, 0), 800)
		fix := results.Correction{Score: 700, Reason: "Scoring key error", Domains: []results.DomainBand{{Name: "design", Band: portal.BandNeedsImprovement}}}
		if _, err := f.svc.Correct(f.ctx, f.second, a.ID, fix); !errors.Is(err, portal.ErrForbidden) {
			t.Fatalf("officer corrects: %v", err)
		}
		_, err := f.svc.Correct(f.ctx, f.admin, a.ID, results.Correction{Score: 700})
		if got := testutil.FieldErrors(t, err)[results.FieldReason]; got != "results.error.reason_required" {
			t.Fatalf("no reason: %q", got)
		}
		_, err = f.svc.Correct(f.ctx, f.admin, a.ID, results.Correction{Score: 700, Reason: "x", Domains: []results.DomainBand{{Name: "Networking", Band: portal.BandMeets}}})
		if got := testutil.FieldErrors(t, err)[results.FieldDomains]; got != "results.error.unknown_domain" {
			t.Fatalf("unknown domain: %q", got)
		}
		uc := f.certifications(f.candidate)[0]
		got, err := f.svc.Correct(f.ctx, f.admin, a.ID, fix)
		if err != nil {
			t.Fatal(err)
		}
		if got.Passed || got.Score != 700 || got.RetakeFrom == nil || !got.RetakeFrom.Equal(ny(2026, 12, 14, 10, 0)) ||
			len(got.Domains) != 1 || got.Domains[0].Name != "Design" || got.Domains[0].WeightPercent != 60 {
			t.Fatalf("corrected = %+v", got)
		}
		certs := f.certifications(f.candidate)
		if len(certs) != 1 || certs[0].WithdrawnAt == nil {
			t.Fatalf("certification not withdrawn: %+v", certs)
		}
		if v, err := f.st.FindVoucherByUserCertification(f.ctx, uc.ID); err != nil || v.DisabledAt == nil {
			t.Fatalf("voucher not voided: %+v, %v", v, err)
		}
		if n := f.events(portal.EventCertificationWithdrawn, portal.SubjectCertification, uc.ID); n != 1 {
			t.Fatalf("withdrawn events = %d", n)
		}
		list := f.audit("results.corrected", a.ID)
		if len(list) != 1 || list[0].Detail != "Scoring key error" {
			t.Fatalf("audit = %+v", list)
		}
		if ch := change(t, list[0], "score"); ch.Before != "800" || ch.After != "700" {
			t.Fatalf("score change = %+v", ch)
		}
		if ch := change(t, list[0], "passed"); ch.Before != "true" || ch.After != "false" {
			t.Fatalf("passed change = %+v", ch)
		}
		if n := f.count(`SELECT COUNT(*) FROM job_outbox WHERE kind = 'mail.send' AND args LIKE '%"Cause":"corrected"%'`); n != 1 {
			t.Fatalf("corrected mails = %d", n)
		}
		if c, _ := f.svc.Certifications(f.ctx, f.candidate); len(c) != 0 {
			t.Fatalf("candidate still sees %+v", c)
		}

		// Back to a pass: the certification and its voucher return.
		if got, err = f.svc.Correct(f.ctx, f.admin, a.ID, results.Correction{Score: 760, Reason: "Second review"}); err != nil {
			t.Fatal(err)
		}
		if !got.Passed || got.RetakeFrom != nil {
			t.Fatalf("corrected to a pass = %+v", got)
		}
		if certs := f.certifications(f.candidate); len(certs) != 1 || certs[0].WithdrawnAt != nil {
			t.Fatalf("certification not given back: %+v", certs)
		}
		if v, err := f.st.FindVoucherByUserCertification(f.ctx, uc.ID); err != nil || v.DisabledAt != nil {
			t.Fatalf("voucher not given back: %+v, %v", v, err)
		}

		t.Run("fail to pass issues", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			b := f.published(c, f.micro, f.clock.Now().Add(-time.Hour), 600)
			if len(f.certifications(c)) != 0 {
				t.Fatal("a fail issued a certification")
			}
			if _, err := f.svc.Correct(f.ctx, f.admin, b.ID, results.Correction{Score: 710, Reason: "Rescored"}); err != nil {
				t.Fatal(err)
			}
			certs := f.certifications(c)
			if len(certs) != 1 || certs[0].ValidityMonths != 12 || f.mails("issued", b.ID) != 1 {
				t.Fatalf("certifications = %+v, issued mails %d", certs, f.mails("issued", b.ID))
			}
		})

		t.Run("a used voucher stays used", func(t *testing.T) {
			f := f.in(t)
			c := f.newCandidate()
			b := f.published(c, f.micro, f.clock.Now().Add(-time.Hour), 800)
			uc := f.certifications(c)[0]
			v, err := f.st.FindVoucherByUserCertification(f.ctx, uc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.st.DB().ExecContext(f.ctx, testutil.Rebind(f.engine, `UPDATE vouchers SET uses = 1 WHERE id = ?`), v.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Correct(f.ctx, f.admin, b.ID, results.Correction{Score: 600, Reason: "Rescored"}); err != nil {
				t.Fatal(err)
			}
			if v, err := f.st.FindVoucherByUserCertification(f.ctx, uc.ID); err != nil || v.DisabledAt != nil || v.Uses != 1 {
				t.Fatalf("used voucher = %+v, %v", v, err)
			}
		})

		t.Run("only official results", func(t *testing.T) {
			f := f.in(t)
			b := f.counted(f.newCandidate(), f.saa, f.clock.Now().Add(-time.Hour), 800)
			_, err := f.svc.Correct(f.ctx, f.admin, b.ID, results.Correction{Score: 600, Reason: "early"})
			wantCode(t, err, portal.EConflict, "results.error.not_official")
		})
	})
}

// TestRestoredPassWhileAnotherStandsIssuesNothing: a pass corrected to a
// fail loses its certification; a later pass earns a new one; correcting
// the first back to a pass then gives nothing back, since a pass while one
// stands issues none. The invariant checker agrees.
func TestRestoredPassWhileAnotherStandsIssuesNothing(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		first := f.published(f.candidate, f.saa, ny(2026, 11, 30, 10, 0), 800)
		if _, err := f.svc.Correct(f.ctx, f.admin, first.ID, results.Correction{Score: 700, Reason: "Scoring key error"}); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(ny(2026, 12, 22, 9, 0))
		f.published(f.candidate, f.saa, ny(2026, 12, 21, 10, 0), 790)
		if _, err := f.svc.Correct(f.ctx, f.admin, first.ID, results.Correction{Score: 760, Reason: "Second review"}); err != nil {
			t.Fatal(err)
		}
		standing := 0
		for _, c := range f.certifications(f.candidate) {
			if c.WithdrawnAt == nil {
				standing++
			}
		}
		if standing != 1 {
			t.Fatalf("%d certifications stand, want 1", standing)
		}
		if n := f.count(`SELECT COUNT(*) FROM vouchers WHERE owner_user_id = ? AND disabled_at IS NULL`, f.candidate.UserID); n != 1 {
			t.Fatalf("%d usable pass vouchers, want 1", n)
		}
		if problems, err := f.st.CheckInvariants(f.ctx); err != nil || len(problems) > 0 {
			t.Fatalf("invariants: %v %v", problems, err)
		}
	})
}
