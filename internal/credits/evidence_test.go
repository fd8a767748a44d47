package credits_test

import (
	"log/slog"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/uploads"
)

// TestEvidenceIsKeptWhileASubmissionNamesIt: a file given as evidence is
// attached, so the upload sweep keeps it however old it is; a file taken
// off a draft or freed by a withdrawal is attached to nothing again and
// the sweep removes it once it is older than uploads.DefaultUnattachedFor.
func TestEvidenceIsKeptWhileASubmissionNamesIt(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		up, err := uploads.New(f.st, f.db.Blobs(t), nil, f.clock, slog.New(slog.DiscardHandler), uploads.Config{TempDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		alive := func(id int64) bool {
			return f.db.Count(t, `SELECT COUNT(*) FROM uploads WHERE id = ?`, id) == 1
		}
		sweep := func() {
			t.Helper()
			if _, err := up.SweepOrphans(f.ctx); err != nil {
				t.Fatal(err)
			}
		}

		form := f.review95(f.candidate, "Kept")
		first := form.Evidence[0]
		draft, err := f.svc.SaveDraft(f.ctx, f.candidate, form)
		if err != nil {
			t.Fatal(err)
		}
		second := f.upload(f.candidate, "second file")
		form.ID, form.Evidence = draft.ID, []int64{second}
		sent := f.submit(f.candidate, form)

		f.clock.Advance(uploads.DefaultUnattachedFor + time.Hour)
		sweep()
		if !alive(second) {
			t.Fatal("the sweep removed the evidence of a pending submission")
		}
		if alive(first) {
			t.Fatal("a file taken off the draft outlived the sweep")
		}

		if _, err := f.svc.Withdraw(f.ctx, f.candidate, sent.ID); err != nil {
			t.Fatal(err)
		}
		sweep()
		if alive(second) {
			t.Fatal("the file of a withdrawn submission outlived the sweep")
		}
	})
}
