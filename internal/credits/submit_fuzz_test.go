package credits_test

import (
	"errors"
	"testing"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// FuzzSubmissionForm: whatever the form holds, Submit refuses with an
// invalid or conflict error naming what to fix (never an internal one), or
// accepts a submission whose claim the rule allows.
func FuzzSubmissionForm(f *testing.F) {
	f.Add("documentation_review", "Whitepaper", "2026-11-20", "95", "", "https://example.org", "")
	f.Add("official_workshop", "Workshop", "2026-11-20", "", "6.5", "", "notes")
	f.Add("official_workshop", "", "2026-13-40", "1:99", "-1", "javascript:x", "")
	f.Add("teaching_course", "Course", "2026-02-30", "", "100", "http://", "=cmd")
	fx := newFixture(f, store.SQLite)
	f.Fuzz(func(t *testing.T, typ, title, day, duration, claimed, url, notes string) {
		fx.t = t
		form := credits.Submission{TypeCode: typ, Title: title, CompletedOn: day, Duration: duration, Claimed: claimed, URL: url,
			Notes: notes, Evidence: []int64{fx.upload(fx.candidate, title)}, ConfirmDuplicate: true}
		r, err := fx.svc.Submit(fx.ctx, fx.candidate, form)
		if err != nil {
			var pe *portal.Error
			if !errors.As(err, &pe) || (pe.Code != portal.EInvalid && pe.Code != portal.EConflict) {
				t.Fatalf("Submit(%+v) = %v", form, err)
			}
			if pe.Code == portal.EConflict {
				// The pending limit: make room.
				fx.db.Exec(t, `UPDATE ce_submissions SET state = 'withdrawn'`)
			}
			return
		}
		typeRow, err := fx.svc.ActivityType(fx.ctx, typ)
		if err != nil {
			t.Fatal(err)
		}
		rule := credits.RuleOf(typeRow)
		if c := r.Submission.Claimed; c <= 0 || (rule.Ceiling() >= 0 && c > rule.Ceiling()) {
			t.Fatalf("claimed %d under %+v", c, rule)
		}
	})
}
