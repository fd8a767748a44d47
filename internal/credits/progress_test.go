package credits_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestProgressAndHistory: the dashboard shows approved credits apart from
// pending ones, what is still needed, the breakdown by type and the yearly
// guidance; the history names the reviewer's role, not the reviewer; the
// CSV export neutralises formulas.
func TestProgressAndHistory(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		req := credits.DefaultRequirement()
		req.YearlyTarget = 4000
		if err := f.svc.SetRequirement(f.ctx, f.admin, f.cert.ID, req); err != nil {
			t.Fatal(err)
		}
		a := f.submit(f.candidate, f.workshop(f.candidate, "=HYPERLINK(\"http://x\")", "8"))
		b := f.submit(f.candidate, f.review95(f.candidate, "Whitepaper"))
		c := f.submit(f.candidate, f.workshop(f.candidate, "Pending workshop", "5"))
		d := f.submit(f.candidate, f.workshop(f.candidate, "Denied workshop", "4"))
		f.decide(f.reviewer, a.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		f.decide(f.admin, b.ID, credits.Decision{Outcome: credits.OutcomePartial, Credits: "1", ReasonText: "Only one hour counted"})
		f.decide(f.reviewer, d.ID, credits.Decision{Outcome: credits.OutcomeDeny, ReasonCode: "not_eligible", ReasonText: "Sales event"})

		list, err := f.svc.Progress(f.ctx, f.candidate, "es")
		if err != nil || len(list) != 1 {
			t.Fatalf("progress = %+v, %v", list, err)
		}
		p := list[0]
		if p.Approved != 900 || p.Pending != c.Claimed || p.Needed != 10000 || p.Missing != 9100 || p.Percent != 9 || p.Met {
			t.Fatalf("progress = %+v", p)
		}
		if p.ExpiresOn != f.earned.ExpiresOn || p.DaysLeft != 548 {
			t.Fatalf("expiry %s, %d days left", p.ExpiresOn, p.DaysLeft)
		}
		if len(p.ByType) != 2 || p.ByType[0].Code != "official_workshop" || p.ByType[0].Credits != 800 ||
			p.ByType[0].Name != "Taller o evento oficial" || p.ByType[1].Credits != 100 {
			t.Fatalf("by type = %+v", p.ByType)
		}
		if len(p.Years) != 3 || p.Years[1].From != "2026-06-01" || p.Years[1].Credits != 900 || p.Years[1].Target != 4000 {
			t.Fatalf("years = %+v", p.Years)
		}

		h, err := f.svc.History(f.ctx, f.candidate, "en")
		if err != nil || len(h) != 4 {
			t.Fatalf("history = %+v, %v", h, err)
		}
		roles := map[int64]string{}
		for _, e := range h {
			roles[e.ID] = e.ReviewerRole
		}
		if roles[a.ID] != "reviewer" || roles[b.ID] != "admin" || roles[c.ID] != "" || roles[d.ID] != "reviewer" {
			t.Fatalf("roles = %v", roles)
		}
		var buf bytes.Buffer
		header := []string{"Number", "Title", "Type", "Completed", "Status", "Claimed", "Granted", "Reason", "By"}
		if err := f.svc.ExportHistory(f.ctx, f.candidate, "en", &buf, header, func(code string) string { return "L:" + code }); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(rows) != 5 {
			t.Fatalf("csv = %q, %v", buf.String(), err)
		}
		for _, r := range rows[1:] {
			if strings.HasPrefix(r[1], "=") {
				t.Fatalf("formula not neutralised: %q", r[1])
			}
			if strings.Contains(strings.Join(r, ","), "Person") {
				t.Fatalf("a reviewer's name in the export: %q", r)
			}
		}
		if got := rows[len(rows)-1]; got[4] != "L:state.approved" || got[6] != "8" || got[8] != "L:role.reviewer" {
			t.Fatalf("row = %q", got)
		}
		if _, err := f.svc.Progress(f.ctx, portal.Actor{}, "en"); err == nil {
			t.Fatal("a visitor read progress")
		}
	})
}

// TestQueueOldestFirstByKeyset: the queue lists open submissions oldest
// first, a page at a time, filtered, and marks those past their target.
func TestQueueOldestFirstByKeyset(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		var ids []int64
		for i := range 7 {
			f.clock.Set(fixtureNow.Add(time.Duration(i) * time.Hour))
			form := f.workshop(f.candidate, "Queued "+string(rune('A'+i)), "6")
			if i%2 == 1 {
				form = f.review95(f.candidate, "Queued "+string(rune('A'+i)))
			}
			ids = append(ids, f.submit(f.candidate, form).ID)
		}
		if _, err := f.svc.Queue(f.ctx, f.candidate, credits.QueueFilter{}); err == nil {
			t.Fatal("a candidate read the queue")
		}
		var got []int64
		cursor := ""
		for pages := 0; ; pages++ {
			page, err := f.svc.Queue(f.ctx, f.reviewer, credits.QueueFilter{Limit: 3, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				got = append(got, it.ID)
			}
			if cursor = page.NextCursor; cursor == "" || pages > 5 {
				break
			}
		}
		if len(got) != 7 || got[0] != ids[0] || got[6] != ids[6] {
			t.Fatalf("pages = %v, want %v", got, ids)
		}
		page, err := f.svc.Queue(f.ctx, f.reviewer, credits.QueueFilter{TypeCode: "documentation_review"})
		if err != nil || len(page.Items) != 3 {
			t.Fatalf("by type = %+v, %v", page, err)
		}
		if _, err := f.svc.Claim(f.ctx, f.reviewer, ids[2], 0); err != nil {
			t.Fatal(err)
		}
		page, err = f.svc.Queue(f.ctx, f.reviewer, credits.QueueFilter{AssigneeID: f.reviewer.UserID})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != ids[2] {
			t.Fatalf("mine = %+v, %v", page, err)
		}
		page, err = f.svc.Queue(f.ctx, f.reviewer, credits.QueueFilter{Unassigned: true, CertificationID: f.cert.ID})
		if err != nil || len(page.Items) != 6 {
			t.Fatalf("unassigned = %d, %v", len(page.Items), err)
		}
		f.clock.Set(fixtureNow.AddDate(0, 0, 40))
		page, err = f.svc.Queue(f.ctx, f.reviewer, credits.QueueFilter{OlderThanDays: 30})
		if err != nil || len(page.Items) != 7 || !page.Items[0].PastTarget || page.Items[0].AgeDays != 40 {
			t.Fatalf("old = %+v, %v", page, err)
		}
		_, err = f.svc.Queue(f.ctx, f.reviewer, credits.QueueFilter{Cursor: "x"})
		wantCode(t, err, portal.EInvalid, "credits.error.cursor")
	})
}

// TestInvariantsCatchLedgerErrors: the checker reports credits above a
// decision, left after a denial, and consumption above what was credited.
func TestInvariantsCatchLedgerErrors(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		a := f.submit(f.candidate, f.workshop(f.candidate, "Checked", "8"))
		f.decide(f.reviewer, a.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		f.invariants(t)
		count := func() int {
			v, err := f.st.CheckInvariants(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, s := range v {
				if strings.HasPrefix(s, store.CEInvariantPrefix) {
					n++
				}
			}
			return n
		}
		f.db.Exec(t, `UPDATE ce_ledger SET credits = 900 WHERE submission_id = ?`, a.ID)
		if count() == 0 {
			t.Fatal("credits above the decision went unnoticed")
		}
		f.db.Exec(t, `UPDATE ce_ledger SET credits = 800 WHERE submission_id = ?`, a.ID)
		f.db.Exec(t, `UPDATE ce_submissions SET state = 'denied', granted = 0 WHERE id = ?`, a.ID)
		if count() == 0 {
			t.Fatal("credits of a denied submission went unnoticed")
		}
		f.db.Exec(t, `UPDATE ce_submissions SET state = 'approved', granted = 800 WHERE id = ?`, a.ID)
		if count() != 0 {
			t.Fatal("restored, still reported")
		}
		f.db.Exec(t, `INSERT INTO ce_ledger (user_id, user_certification_id, submission_id, type_id, kind, decision, credits, completed_on, consumes_id, renewal_id, created_at)
			SELECT user_id, user_certification_id, submission_id, type_id, 'consumption', decision, credits + 100, completed_on, id, 9, created_at FROM ce_ledger WHERE submission_id = ?`, a.ID)
		if count() == 0 {
			t.Fatal("consumption above the approved credits went unnoticed")
		}
	})
}

// TestQuoteShowsTheClaim: the form's preview computes the claim by the
// rule and refuses what Submit would.
func TestQuoteShowsTheClaim(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		if c, err := f.svc.Quote(f.ctx, "documentation_review", "1h 35m", ""); err != nil || c != 150 {
			t.Fatalf("quote = %d, %v", c, err)
		}
		if c, err := f.svc.Quote(f.ctx, "official_workshop", "", "6,5"); err != nil || c != 650 {
			t.Fatalf("quote = %d, %v", c, err)
		}
		_, err := f.svc.Quote(f.ctx, "official_workshop", "", "9")
		wantField(t, err, credits.FieldClaimed, "credits.error.claim_range")
		_, err = f.svc.Quote(f.ctx, "nope", "", "")
		wantField(t, err, credits.FieldType, "credits.error.unknown_type")
	})
}
