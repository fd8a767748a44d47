package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
)

// loadDemoCredits gives the certified demo candidate continuing education:
// an approved activity, a partly approved one, a denied one and one
// waiting for review, decided by the demo CE reviewer, each with a PDF
// given through the upload pipeline.
func loadDemoCredits(ctx context.Context, sys *system, holder *portal.User, out io.Writer) error {
	rev, err := sys.store.FindUserByEmail(ctx, "ce-review@demo.certportal.localhost")
	if err != nil {
		return err
	}
	now := sys.clock.Now()
	reviewer := portal.Actor{UserID: rev.ID, Role: portal.RoleStaff, Permissions: portal.Grants([]portal.PermissionSet{portal.SetCEReviewer}),
		SecondFactor: true, PasswordAt: now, SecondFactorAt: now, RequestID: "demo"}
	candidate := portal.Actor{UserID: holder.ID, Role: portal.RoleCandidate, PasswordAt: now, RequestID: "demo"}
	day := func(daysAgo int) string { return now.AddDate(0, 0, -daysAgo).Format(time.DateOnly) }
	activities := []struct {
		form     credits.Submission
		decision *credits.Decision
	}{
		{credits.Submission{TypeCode: "official_online_course", Title: "Designing resilient architectures", Provider: "Official training",
			CompletedOn: day(60), Duration: "6h"}, &credits.Decision{Outcome: credits.OutcomeApprove}},
		{credits.Submission{TypeCode: "documentation_review", Title: "Well-architected whitepaper", CompletedOn: day(40), Duration: "95"},
			&credits.Decision{Outcome: credits.OutcomePartial, Credits: "1", ReasonText: "The notes cover one hour of reading."}},
		{credits.Submission{TypeCode: "community_event", Title: "Vendor sales breakfast", CompletedOn: day(30), Claimed: "4"},
			&credits.Decision{Outcome: credits.OutcomeDeny, ReasonCode: "not_eligible", ReasonText: "A sales event is not technical learning."}},
		{credits.Submission{TypeCode: "conference_talk", Title: "Talk: serverless at scale", CompletedOn: day(10), Claimed: "30",
			URL: "https://conference.example.org/talks/serverless"}, nil},
	}
	for _, a := range activities {
		up, err := sys.uploads.Accept(ctx, holder.ID, portal.UploadCEEvidence, "evidence.pdf", strings.NewReader(demoEvidence(a.form.Title)))
		if err != nil {
			return fmt.Errorf("demo evidence %q: %w", a.form.Title, err)
		}
		a.form.Evidence = []int64{up.ID}
		r, err := sys.credits.Submit(ctx, candidate, a.form)
		if err != nil {
			return fmt.Errorf("demo activity %q: %w", a.form.Title, err)
		}
		if a.decision != nil {
			if _, err := sys.credits.Decide(ctx, reviewer, r.Submission.ID, *a.decision); err != nil {
				return fmt.Errorf("demo decision %q: %w", a.form.Title, err)
			}
		}
	}
	fmt.Fprintf(out, "demo: %s has continuing education: approved, partly approved, denied and pending activities\n", holder.Email)
	return nil
}

// demoEvidence is a one-page PDF that names the activity, as a course's
// certificate of completion would.
func demoEvidence(title string) string {
	text := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace("Certificate of completion: " + title)
	content := "BT /F1 14 Tf 72 720 Td (" + text + ") Tj ET"
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.String()
}
