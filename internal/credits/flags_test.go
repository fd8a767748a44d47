package credits_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// flagged renews the candidate's SAA on 14 credits from three approvals
// (x 8, y 4, z 8: 20 consumed) and reverses the given ones, each
// flagging the renewal; it returns the submissions by title.
func (f *fixture) flagged(t *testing.T, reverse ...string) map[string]*portal.CESubmission {
	t.Helper()
	if err := f.svc.SetRequirement(f.ctx, f.admin, f.cert.ID, credits.Requirement{Alternatives: []credits.Alternative{
		{Conditions: []credits.Condition{{Kind: credits.CondCredits, Credits: 1400}}}}}); err != nil {
		t.Fatal(err)
	}
	subs := map[string]*portal.CESubmission{}
	for _, s := range []struct{ title, claimed string }{{"x", "8"}, {"y", "4"}, {"z", "8"}} {
		subs[s.title] = f.decide(f.reviewer, f.submit(f.candidate, f.workshop(f.candidate, s.title, s.claimed)).ID,
			credits.Decision{Outcome: credits.OutcomeApprove})
	}
	if ren, err := f.st.FindRenewalByCycle(f.ctx, f.earned.ID, 1); err != nil || ren.CreditsConsumed != 2000 {
		t.Fatalf("renewal = %+v, %v", ren, err)
	}
	for _, title := range reverse {
		if _, err := f.svc.Reverse(f.ctx, f.admin, subs[title].ID, "Reversed: "+title); err != nil {
			t.Fatal(err)
		}
	}
	return subs
}

// flagMail returns the queued mail of a flag's resolution, or nil.
func (f *fixture) flagMail(t *testing.T, id int64) *mail.Message {
	t.Helper()
	var raw string
	err := f.st.DB().QueryRowContext(f.ctx, testutil.Rebind(f.db.Engine,
		`SELECT args FROM job_outbox WHERE kind = 'mail.send' AND unique_key = ?`), credits.FlagMailKey(id)).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var m mail.Message
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// TestRenewalFlagsListAndStanding: a reversal of credits a renewal
// consumed lists an open flag with the renewal, the holder, the reversed
// submission, the credits it took back and what is now short.
func TestRenewalFlagsListAndStanding(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		subs := f.flagged(t, "x", "y")
		for _, a := range []portal.Actor{f.reviewer, f.candidate} {
			if _, err := f.svc.ListRenewalFlags(f.ctx, a, false); !errors.Is(err, portal.ErrForbidden) {
				t.Errorf("list as %v: %v, want forbidden", a.Role, err)
			}
			if _, err := f.svc.CountOpenRenewalFlags(f.ctx, a); !errors.Is(err, portal.ErrForbidden) {
				t.Errorf("count as %v: %v, want forbidden", a.Role, err)
			}
		}
		list, err := f.svc.ListRenewalFlags(f.ctx, f.admin, false)
		if err != nil || len(list) != 2 {
			t.Fatalf("flags = %d, %v; want 2", len(list), err)
		}
		// Oldest first: x's reversal (8 back), then y's (4 back). After
		// both, z's 8 of the 14 stand: 6 short, for either flag.
		for i, want := range []struct {
			sub  *portal.CESubmission
			back int
		}{{subs["x"], 800}, {subs["y"], 400}} {
			got := list[i]
			if got.SubmissionID != want.sub.ID || got.CreditsTakenBack != want.back || got.SubmissionTitle != want.sub.Title {
				t.Errorf("flag %d: submission %d %q back %d, want %d %q %d", i, got.SubmissionID, got.SubmissionTitle,
					got.CreditsTakenBack, want.sub.ID, want.sub.Title, want.back)
			}
			if got.Counted != 800 || got.Needed != 1400 || got.Short != 600 {
				t.Errorf("flag %d: counted %d needed %d short %d, want 800 1400 600", i, got.Counted, got.Needed, got.Short)
			}
			if got.UserID != f.candidate.UserID || got.CertificationCode != "SAA" || got.Cycle != 1 || got.Cause != portal.RenewalByCredits ||
				got.OldExpiresOn != "2028-06-01" || got.NewExpiresOn <= got.OldExpiresOn || !got.Open() || got.Reason != "Reversed: "+want.sub.Title {
				t.Errorf("flag %d = %+v", i, got.CERenewalFlagDetail)
			}
		}
		if n, err := f.svc.CountOpenRenewalFlags(f.ctx, f.admin); err != nil || n != 2 {
			t.Fatalf("open flags = %d, %v; want 2", n, err)
		}
		if resolved, err := f.svc.ListRenewalFlags(f.ctx, f.admin, true); err != nil || len(resolved) != 0 {
			t.Fatalf("resolved flags = %d, %v; want none", len(resolved), err)
		}
	})
}

// TestResolveRenewalFlag: resolving needs the admins' permission, an
// outcome and a note; asking for credits needs some to be short; a
// resolution is a compare-and-set (a second one is "already resolved"),
// keeps the renewal, and is audited, written as an event and mailed in
// the holder's language.
func TestResolveRenewalFlag(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.flagged(t, "y", "x")
		list, err := f.svc.ListRenewalFlags(f.ctx, f.admin, false)
		if err != nil || len(list) != 2 {
			t.Fatalf("flags = %d, %v", len(list), err)
		}
		yFlag, xFlag := list[0], list[1]
		ok := credits.FlagResolution{Outcome: portal.FlagCreditsRequested, Note: "Asked for 6 credits"}
		for _, a := range []portal.Actor{f.reviewer, f.candidate} {
			if _, err := f.svc.ResolveRenewalFlag(f.ctx, a, xFlag.ID, ok); !errors.Is(err, portal.ErrForbidden) {
				t.Errorf("resolve as %v: %v, want forbidden", a.Role, err)
			}
		}
		_, err = f.svc.ResolveRenewalFlag(f.ctx, f.admin, xFlag.ID, credits.FlagResolution{Outcome: "undo", Note: "x"})
		wantField(t, err, credits.FieldOutcome, "credits.error.flag_outcome")
		_, err = f.svc.ResolveRenewalFlag(f.ctx, f.admin, xFlag.ID, credits.FlagResolution{Outcome: portal.FlagKept, Note: "  "})
		wantField(t, err, credits.FieldNote, "credits.error.flag_note")
		_, err = f.svc.ResolveRenewalFlag(f.ctx, f.admin, xFlag.ID, credits.FlagResolution{Outcome: portal.FlagKept,
			Note: strings.Repeat("n", credits.MaxReasonChars+1)})
		wantField(t, err, credits.FieldNote, "credits.error.flag_note")
		if n := f.db.Count(t, `SELECT COUNT(*) FROM ce_renewal_flags WHERE resolved_at IS NOT NULL`); n != 0 {
			t.Fatalf("a refused resolution resolved %d flags", n)
		}

		got, err := f.svc.ResolveRenewalFlag(f.ctx, f.admin, xFlag.ID, ok)
		if err != nil {
			t.Fatal(err)
		}
		if got.Open() || got.Resolution != portal.FlagCreditsRequested || got.CreditsShort != 600 || got.ResolutionNote != ok.Note ||
			got.ResolvedBy == nil || *got.ResolvedBy != f.admin.UserID {
			t.Fatalf("resolved = %+v", got.CERenewalFlag)
		}
		_, err = f.svc.ResolveRenewalFlag(f.ctx, f.admin, xFlag.ID, credits.FlagResolution{Outcome: portal.FlagKept, Note: "Again"})
		wantCode(t, err, portal.EConflict, "credits.error.flag_resolved")
		_, err = f.svc.ResolveRenewalFlag(f.ctx, f.admin, xFlag.ID+1000, ok)
		if !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("an unknown flag: %v", err)
		}

		// The renewal stands; the flag stays, resolved.
		if ren, err := f.st.FindRenewalByCycle(f.ctx, f.earned.ID, 1); err != nil || ren.ID != xFlag.RenewalID {
			t.Fatalf("the renewal is gone: %+v, %v", ren, err)
		}
		if n, err := f.svc.CountOpenRenewalFlags(f.ctx, f.admin); err != nil || n != 1 {
			t.Fatalf("open flags = %d, %v; want 1", n, err)
		}
		resolved, err := f.svc.ListRenewalFlags(f.ctx, f.admin, true)
		if err != nil || len(resolved) != 1 || resolved[0].ID != xFlag.ID || resolved[0].CreditsShort != 600 {
			t.Fatalf("resolved = %+v, %v", resolved, err)
		}
		audit := f.db.Audit(t, string(portal.EventRenewalFlagResolved), "ce_renewal_flag:"+itoa(xFlag.ID))
		if len(audit) != 1 || audit[0].ActorID != f.admin.UserID {
			t.Fatalf("audit = %+v", audit)
		}
		changes := map[string]portal.FieldChange{}
		for _, c := range audit[0].Changes {
			changes[c.Field] = c
		}
		if c := changes["resolution"]; c.Before != "" || c.After != portal.FlagCreditsRequested {
			t.Errorf("audited resolution %+v", c)
		}
		if c := changes["credits_short"]; c.Before != "0" || c.After != "600" {
			t.Errorf("audited credits_short %+v", c)
		}
		if n := f.db.Events(t, portal.EventRenewalFlagResolved, portal.SubjectCertification, f.earned.ID); n != 1 {
			t.Fatalf("%d renewal.flag_resolved events, want 1", n)
		}
		m := f.flagMail(t, xFlag.ID)
		if m == nil || m.Template != "renewal_flag" {
			t.Fatalf("mail = %+v", m)
		}
		for lang, want := range map[string][]string{
			"en": {"6 credits short", "at least 6 credits", "Solutions Architect – Associate", "“x”"},
			"es": {"le faltan 6 créditos", "al menos 6 créditos", "«x»"},
		} {
			r := render(t, m, lang)
			for _, w := range want {
				if !strings.Contains(r.Text, w) || !strings.Contains(r.HTML, w) {
					t.Errorf("%s mail lacks %q:\n%s", lang, w, r.Text)
				}
			}
		}

		// y's flag: still 6 short; keeping is always possible.
		if f.flagMail(t, yFlag.ID) != nil {
			t.Fatal("an open flag was mailed")
		}
		kept, err := f.svc.ResolveRenewalFlag(f.ctx, f.admin, yFlag.ID, credits.FlagResolution{Outcome: portal.FlagKept, Note: "Accepted by the board"})
		if err != nil || kept.Resolution != portal.FlagKept {
			t.Fatalf("keep = %+v, %v", kept, err)
		}
		if r := render(t, f.flagMail(t, yFlag.ID), "en"); !strings.Contains(r.Text, "Your renewal stands") {
			t.Errorf("kept mail:\n%s", r.Text)
		}
		f.invariants(t)
	})
}

// TestResolveRenewalFlagNothingShort: when the credits left still meet
// the requirement, asking the candidate for credits is refused next to
// the outcome, and keeping the renewal is what remains.
func TestResolveRenewalFlagNothingShort(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.flagged(t, "y") // 16 of 20 stand: 14 are met
		list, err := f.svc.ListRenewalFlags(f.ctx, f.admin, false)
		if err != nil || len(list) != 1 || list[0].Short != 0 || list[0].Counted != 1600 {
			t.Fatalf("flags = %+v, %v", list, err)
		}
		id := list[0].ID
		_, err = f.svc.ResolveRenewalFlag(f.ctx, f.admin, id, credits.FlagResolution{Outcome: portal.FlagCreditsRequested, Note: "More"})
		wantField(t, err, credits.FieldOutcome, "credits.error.flag_nothing_short")
		if f.flagMail(t, id) != nil {
			t.Fatal("a refused resolution was mailed")
		}
		got, err := f.svc.ResolveRenewalFlag(f.ctx, f.admin, id, credits.FlagResolution{Outcome: portal.FlagKept, Note: "Enough without it"})
		if err != nil || got.Resolution != portal.FlagKept || got.CreditsShort != 0 {
			t.Fatalf("keep = %+v, %v", got, err)
		}
	})
}

// TestConcurrentResolutionsResolveOnce: two administrators resolving one
// flag at once make one resolution, one event and one mail; the other
// gets "already resolved".
func TestConcurrentResolutionsResolveOnce(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.flagged(t, "x")
		list, err := f.svc.ListRenewalFlags(f.ctx, f.admin, false)
		if err != nil || len(list) != 1 {
			t.Fatalf("flags = %d, %v", len(list), err)
		}
		admin2 := f.db.Staff(t, portal.SetAdmin)
		errs := make(chan error, 2)
		for _, a := range []portal.Actor{f.admin, admin2} {
			go func() {
				_, err := f.svc.ResolveRenewalFlag(f.ctx, a, list[0].ID, credits.FlagResolution{Outcome: portal.FlagKept, Note: "Fine"})
				errs <- err
			}()
		}
		won, lost := 0, 0
		for range 2 {
			var pe *portal.Error
			switch err := <-errs; {
			case err == nil:
				won++
			case errors.As(err, &pe) && pe.Code == portal.EConflict && pe.Message == "credits.error.flag_resolved":
				lost++
			default:
				t.Errorf("resolve: %v", err)
			}
		}
		if won != 1 || lost != 1 {
			t.Fatalf("won %d, lost %d; want 1 and 1", won, lost)
		}
		if n := f.db.Events(t, portal.EventRenewalFlagResolved, portal.SubjectCertification, f.earned.ID); n != 1 {
			t.Fatalf("%d events, want 1", n)
		}
		if n := len(f.db.Audit(t, string(portal.EventRenewalFlagResolved), "")); n != 1 {
			t.Fatalf("%d audit entries, want 1", n)
		}
		// The write itself is the compare-and-set: a resolution that read
		// the flag open before the other committed changes nothing.
		err = f.st.Transact(f.ctx, func(tx *store.Tx) error {
			_, err := tx.ResolveCERenewalFlag(f.ctx, list[0].ID, store.CERenewalFlagResolution{Resolution: portal.FlagCreditsRequested,
				Note: "Late", ResolvedBy: admin2.UserID, CreditsShort: 100})
			return err
		})
		if !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("a second resolution in the store: %v", err)
		}
	})
}
