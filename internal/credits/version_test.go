package credits_test

import (
	"errors"
	"testing"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// TestSubmissionVersionKeepsTheRuleItWasMadeUnder: a reviewer reads the
// type version a submission was made under, even after the catalogue
// moved on; another candidate gets not found.
func TestSubmissionVersionKeepsTheRuleItWasMadeUnder(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		s := f.submit(f.candidate, f.workshop(f.candidate, "Versioned", "8"))
		cur, err := f.svc.ActivityType(f.ctx, "official_workshop")
		if err != nil {
			t.Fatal(err)
		}
		next := *cur
		next.MaxCredits = cur.MaxCredits + 100
		if _, err := f.svc.SaveActivityType(f.ctx, f.admin, next); err != nil {
			t.Fatal(err)
		}
		sub, typ, err := f.svc.SubmissionVersion(f.ctx, f.reviewer, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sub.ID != s.ID || typ.VersionID != s.VersionID || typ.MaxCredits != cur.MaxCredits {
			t.Errorf("version %d (max %d), want %d (max %d)", typ.VersionID, typ.MaxCredits, s.VersionID, cur.MaxCredits)
		}
		other := f.db.Candidate(t)
		if _, _, err := f.svc.SubmissionVersion(f.ctx, other, s.ID); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("another candidate: %v, want not found", err)
		}
	})
}
