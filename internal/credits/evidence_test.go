package credits_test

import (
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
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
		alive := func(id int64) bool {
			return f.db.Count(t, `SELECT COUNT(*) FROM uploads WHERE id = ?`, id) == 1
		}
		sweep := func() {
			t.Helper()
			if _, err := f.up.SweepOrphans(f.ctx); err != nil {
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

// TestOpenEvidence: the candidate opens the files of their own submission;
// a CE reviewer opens them once submitted, and only when the scan state
// allows (never pending, unscanned only after the warning); nobody else
// opens them, and a file is opened only through the submission it proves.
func TestOpenEvidence(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		form := f.review95(f.candidate, "Evidence rules")
		clean := form.Evidence[0]
		pending := f.db.Upload(t, testdb.Upload{Owner: f.candidate, Content: []byte("pending file"), ScanStatus: portal.ScanPending}).ID
		unscanned := f.db.Upload(t, testdb.Upload{Owner: f.candidate, Content: []byte("unscanned file"), ScanStatus: portal.ScanUnscanned}).ID
		elsewhere := f.upload(f.candidate, "not evidence of this one")
		form.Evidence = []int64{clean, pending, unscanned}
		draft, err := f.svc.SaveDraft(f.ctx, f.candidate, form)
		if err != nil {
			t.Fatal(err)
		}
		open := func(a portal.Actor, upload int64, ack bool) error {
			t.Helper()
			u, r, err := f.svc.OpenEvidence(f.ctx, a, draft.ID, upload, ack)
			if err != nil {
				return err
			}
			defer r.Close()
			if u.ID != upload {
				t.Fatalf("opened upload %d, want %d", u.ID, upload)
			}
			return nil
		}
		for _, id := range form.Evidence {
			if err := open(f.candidate, id, false); err != nil {
				t.Fatalf("the owner opens upload %d: %v", id, err)
			}
		}
		wantCode(t, open(f.reviewer, clean, false), portal.ENotFound, "")
		form.ID = draft.ID
		f.submit(f.candidate, form)

		if err := open(f.reviewer, clean, false); err != nil {
			t.Fatalf("reviewer opens a clean file: %v", err)
		}
		wantCode(t, open(f.reviewer, pending, true), portal.EConflict, "upload.scan_pending")
		wantCode(t, open(f.reviewer, unscanned, false), portal.EConflict, "upload.unscanned_warning")
		if err := open(f.reviewer, unscanned, true); err != nil {
			t.Fatalf("reviewer opens an unscanned file after the warning: %v", err)
		}
		wantCode(t, open(f.db.Candidate(t), clean, false), portal.ENotFound, "")
		wantCode(t, open(f.candidate, elsewhere, false), portal.ENotFound, "")
	})
}
