package app_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
	"example.org/certportal/internal/uploads"
)

// TestConcurrentApprovalsOnThreeProcessesRenewOnce pins renewal's
// "exactly once" across instances: three certportal processes (the real
// binary, each with its own pool and job client) serve one PostgreSQL
// database. A candidate holds a certification earned a month ago and has
// 20 pending continuing-education submissions of 8 credits each (160
// together, against the default requirement of 100); three CE reviewers
// approve all 20 at once through the JSON API
// (POST /api/v1/ce/review/submissions/{id}/decide), each approval sent to
// the next process in turn. Every approval succeeds, and then, with the
// processes stopped:
//   - there is one renewal of the certification's first cycle, and the
//     certification is in its second;
//   - one certification.renewed event;
//   - one renewal mail reached the candidate through SMTP;
//   - one credential of the second cycle, the first cycle's superseded;
//   - store.CheckInvariants finds nothing.
//
// SQLite serves one process by design (CONC-03;
// TestSecondInstanceOnSameDataDirRefused): its side of the rule, 20
// approvals at once in one process, is internal/credits'
// TestConcurrentApprovalsRenewOnce. So this runs on PostgreSQL only.
func TestConcurrentApprovalsOnThreeProcessesRenewOnce(t *testing.T) {
	testutil.RequirePostgres(t, "several processes")
	if testing.Short() {
		t.Skip("builds the portal and starts three processes")
	}
	const approvals, instances = 20, 3
	bin := buildPortal(t)
	// The crash tests' world: a database the portal migrated, the
	// certification CRASH earned by the exam CRP-C01, and services in
	// this process over the same store to prepare the candidate.
	w := newCrashWorld(t, bin, store.Postgres)
	mail := testutil.NewSMTPServer(t)
	env := append(w.env, "CERTPORTAL_SMTP_URL="+mail.URL())

	candidate := w.candidate(t)
	holder, err := w.st.GetUser(w.ctx, candidate.actor.UserID)
	if err != nil {
		t.Fatal(err)
	}
	earnCertification(t, w, candidate)
	subs := pendingWorkshops(t, w, candidate, approvals)
	reviewers := make([]*crashCandidate, instances)
	for i := range reviewers {
		reviewers[i] = w.account(t, portal.RoleStaff, portal.SetCEReviewer)
	}

	procs := make([]*loadServer, instances)
	for i := range procs {
		procs[i] = startLoadServer(t, bin, t.TempDir(), env, "serve")
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 2 * time.Minute}
	ctx, cancel := context.WithTimeout(w.ctx, 3*time.Minute)
	defer cancel()
	answers := make([]holdResult, len(subs))
	release := make(chan struct{})
	var wg sync.WaitGroup
	for i, id := range subs {
		reviewer, base := reviewers[i%instances], procs[i%instances].url
		wg.Go(func() {
			<-release
			answers[i] = postJSON(ctx, client, fmt.Sprintf("%s/api/v1/ce/review/submissions/%d/decide", base, id),
				reviewer.token, fmt.Sprintf("approve-%d", id), []byte(`{"outcome":"approve"}`))
		})
	}
	time.Sleep(100 * time.Millisecond) // let the goroutines reach the release
	close(release)
	wg.Wait()
	for i, r := range answers {
		if r.err != nil || r.status != http.StatusOK {
			t.Errorf("approval of submission %d on process %d: %d %v %.300s", subs[i], i%instances, r.status, r.err, r.raw)
		}
	}
	if t.Failed() {
		for i, p := range procs {
			t.Logf("process %d:\n%s", i, p.stop(t))
		}
		t.FailNow()
	}

	// The renewal mail and the new cycle's credential come from the
	// processes' jobs and credentials reaction; once both are there the
	// processes stop, so that nothing can add a second one after the
	// counts.
	mail.WaitMail(t, holder.Email, "Your certification is renewed", 2*time.Minute)
	uc := candidateCertification(t, w, candidate)
	deadline := time.Now().Add(2 * time.Minute)
	for w.count(t, `SELECT COUNT(*) FROM credentials WHERE user_certification_id = ? AND cycle = 2`, uc.ID) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no credential of the renewed cycle within 2 minutes:\n%s", procs[0].stop(t))
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, p := range procs {
		p.stop(t)
	}

	if uc = candidateCertification(t, w, candidate); uc.Cycle != 2 {
		t.Errorf("the certification is in cycle %d, want 2", uc.Cycle)
	}
	for _, q := range []struct {
		what, query string
		want        int
	}{
		{"renewals", `SELECT COUNT(*) FROM renewals WHERE user_certification_id = ?`, 1},
		{"renewals of cycle 1", `SELECT COUNT(*) FROM renewals WHERE user_certification_id = ? AND cycle = 1`, 1},
		{"certification.renewed events", `SELECT COUNT(*) FROM events WHERE type = 'certification.renewed' AND subject_id = ?`, 1},
		{"credentials of cycle 2", `SELECT COUNT(*) FROM credentials WHERE user_certification_id = ? AND cycle = 2`, 1},
		{"current credentials of cycle 1", `SELECT COUNT(*) FROM credentials WHERE user_certification_id = ? AND cycle = 1 AND superseded_at IS NULL`, 0},
		{"approved submissions", `SELECT COUNT(*) FROM ce_submissions s JOIN users u ON u.id = s.user_id
			WHERE s.state = 'approved' AND u.id = (SELECT user_id FROM user_certifications WHERE id = ?)`, approvals},
	} {
		if got := w.count(t, q.query, uc.ID); got != q.want {
			t.Errorf("%d %s, want %d", got, q.what, q.want)
		}
	}
	renewalMails := 0
	for _, m := range mail.Messages() {
		if len(m.To) == 1 && m.To[0] == holder.Email && m.Subject == "Your certification is renewed – Crash Certified" {
			renewalMails++
		}
	}
	if renewalMails != 1 {
		t.Errorf("%d renewal mails reached the candidate, want 1", renewalMails)
	}
	w.checkInvariants(t, "after the approvals")
	checkProcessLogs(t, procs)
}

// buildPortal builds cmd/certportal as shipped, without build tags.
func buildPortal(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "certportal")
	cmd := exec.Command("go", "build", "-o", bin, "example.org/certportal/cmd/certportal")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// earnCertification has c pass the certification's exam 30 days ago,
// published as the results service publishes it: the certification in its
// first cycle, with the pass voucher the invariants ask of it.
func earnCertification(t *testing.T, w *crashWorld, c *crashCandidate) {
	t.Helper()
	system := portal.SystemActor("renewal-test")
	a, err := w.results.Enter(w.ctx, system, results.Entry{Candidate: c.login, ExamCode: w.certExam.Code,
		TakenAt: time.Now().UTC().Truncate(time.Hour).AddDate(0, 0, -30), Score: 800})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.results.Confirm(w.ctx, system, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.results.Publish(w.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
}

// candidateCertification is c's one earned certification.
func candidateCertification(t *testing.T, w *crashWorld, c *crashCandidate) *portal.UserCertificationDetail {
	t.Helper()
	list, err := w.st.ListUserCertifications(w.ctx, store.UserCertificationFilter{UserID: c.actor.UserID})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("%d certifications of the candidate, want 1", len(list))
	}
	return list[0]
}

// pendingWorkshops has c submit n official workshops of 8 credits each,
// completed two days ago, each with a PDF of its own through the upload
// pipeline, and returns the submissions' IDs.
func pendingWorkshops(t *testing.T, w *crashWorld, c *crashCandidate, n int) []int64 {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	blobs, err := uploads.BlobsFor(w.st)
	if err != nil {
		t.Fatal(err)
	}
	up, err := uploads.New(w.st, blobs, nil, w.clock, log, uploads.Config{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cal := calendar.NewService(w.st)
	svc := credits.New(w.st, w.clock, log, credits.Config{Uploads: up, BaseURL: "http://127.0.0.1",
		Calendar: func(ctx context.Context) (credits.Calendar, error) { return cal.Calendar(ctx) }})
	completed := time.Now().UTC().AddDate(0, 0, -2).Format(time.DateOnly)
	ids := make([]int64, n)
	for i := range n {
		pdf := append(bytes.Clone(testdb.SamplePDF), fmt.Sprintf("%% workshop %d\n", i)...)
		u, err := up.Accept(w.ctx, c.actor.UserID, portal.UploadCEEvidence, fmt.Sprintf("workshop-%d.pdf", i), bytes.NewReader(pdf))
		if err != nil {
			t.Fatalf("upload %d: %v", i, err)
		}
		r, err := svc.Submit(w.ctx, c.actor, credits.Submission{TypeCode: "official_workshop", Title: fmt.Sprintf("Workshop %d", i),
			CompletedOn: completed, Claimed: "8", Evidence: []int64{u.ID}})
		if err != nil {
			t.Fatalf("submission %d: %v", i, err)
		}
		ids[i] = r.Submission.ID
	}
	return ids
}

// checkProcessLogs fails the test when a process logged a lock error (a
// deadlock or a lock timeout between the approvals), and shows its other
// error lines.
func checkProcessLogs(t *testing.T, procs []*loadServer) {
	t.Helper()
	for i, p := range procs {
		shown := 0
		for line := range strings.SplitSeq(p.stop(t), "\n") {
			switch {
			case lockError(line):
				t.Errorf("process %d logged a lock error: %.500s", i, line)
			case strings.Contains(line, `"level":"ERROR"`) && shown < 5:
				shown++
				t.Logf("process %d logged: %.500s", i, line)
			}
		}
	}
}
