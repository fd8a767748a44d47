package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/pdf"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/typeset"
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
		completed, err := time.Parse(time.DateOnly, a.form.CompletedOn)
		if err != nil {
			return err
		}
		file, err := demoEvidence(a.form.Title, completed)
		if err != nil {
			return err
		}
		up, err := sys.uploads.Accept(ctx, holder.ID, portal.UploadCEEvidence, "certificate-of-completion.pdf", bytes.NewReader(file))
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
// certificate of completion would, drawn by the portal's own writer.
func demoEvidence(title string, completed time.Time) ([]byte, error) {
	doc := pdf.New(typeset.NewFonts(), pdf.Info{Title: "Certificate of completion", Lang: "en", Created: completed})
	page := doc.AddPage(pdf.Letter)
	w, _ := page.Size()
	lines := []struct {
		text string
		size float64
	}{{"Certificate of completion", 24}, {title, 16}, {"Completed on " + completed.Format("January 2, 2006"), 12}}
	for i, l := range lines {
		if _, err := page.Text(w/2, 180+float64(i)*48, []typeset.Span{{Text: l.text}},
			pdf.TextStyle{Size: l.size, Align: pdf.Center, MaxWidth: w - 144}); err != nil {
			return nil, err
		}
	}
	return doc.Bytes()
}
