package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/store"
)

// demoCertifications maps the demo catalogue: one certification per exam,
// named like the exam without "Certified", renewed by the exams one level
// up.
func demoCertifications(list []portal.Exam) []portal.Certification {
	renewedBy := map[string][]string{
		"CLF": {"SAA-C03", "DVA-C02", "SOA-C02"},
		"SAA": {"SAP-C02"},
		"DVA": {"DOP-C02"},
		"SOA": {"DOP-C02"},
	}
	var out []portal.Certification
	for _, e := range list {
		code := strings.SplitN(strings.TrimPrefix(e.Code, "MC-"), "-", 2)[0]
		c := portal.Certification{Code: code, Name: strings.TrimPrefix(e.Name, "Certified "), Description: e.Description,
			Level: e.Level, Kind: portal.CertKindCertification, ValidityMonths: portal.DefaultValidityMonths, Active: true,
			EarnedBy: []string{e.Code}, RenewedBy: renewedBy[code],
			Benefits: "Invitation to the certified lounge at program events\nEarly access to new exam betas"}
		if e.Kind == portal.KindMicrocredential {
			c.Kind, c.ValidityMonths, c.Benefits = portal.CertKindMicrocredential, portal.DefaultMicrocredentialValidityMonths, ""
		}
		out = append(out, c)
	}
	return out
}

// demoResult is an exam a demo candidate sat, days before today.
type demoResult struct {
	exam    string
	daysAgo int
	score   int
}

// demoHistory is the demo certified candidate's history: an active
// certification, one expiring within six months, a failure whose retake
// wait has not ended, a passed microcredential and a result still
// provisional.
var demoHistory = []demoResult{
	{"SAA-C03", 300, 812},
	{"CLF-C02", 3*365 - 120, 765},
	{"DVA-C02", 5, 655},
	{"MC-SLS01", 90, 790},
	{"SOA-C02", 1, 748},
}

// loadDemoResults maps the catalogue to certifications and records the
// certified candidate's results, entered and confirmed by the system, and
// publishes those whose official day has passed.
func loadDemoResults(ctx context.Context, sys *system, exams []portal.Exam, candidate *portal.User) error {
	system := portal.SystemActor("demo")
	for _, c := range demoCertifications(exams) {
		if _, err := sys.results.CreateCertification(ctx, system, c); err != nil {
			return fmt.Errorf("certification %s: %w", c.Code, err)
		}
	}
	now := sys.clock.Now()
	for _, r := range demoHistory {
		e := findDemoExam(exams, r.exam)
		var domains []results.DomainBand
		for i, d := range e.Domains {
			band := portal.BandMeets
			if r.score < e.PassingScore && i%2 == 0 {
				band = portal.BandNeedsImprovement
			}
			domains = append(domains, results.DomainBand{Name: d.Name, Band: band})
		}
		entered, err := sys.results.Enter(ctx, system, results.Entry{Candidate: candidate.LoginID, ExamCode: e.Code,
			TakenAt: now.AddDate(0, 0, -r.daysAgo).Truncate(time.Hour), Score: r.score, Domains: domains})
		if err != nil {
			return fmt.Errorf("demo result %s: %w", e.Code, err)
		}
		if _, err := sys.results.Confirm(ctx, system, entered.ID); err != nil {
			return fmt.Errorf("demo result %s: %w", e.Code, err)
		}
		// Due results are published now rather than at the first sweep,
		// so the pages show them at once.
		if err := sys.results.Publish(ctx, entered.ID); err != nil {
			return fmt.Errorf("demo result %s: %w", e.Code, err)
		}
	}
	return nil
}

// issueDemoCredentials issues at once the credentials of the
// certifications the demo's publications issued, rather than at the
// credentials job's next run, and prints the verification URL of each.
func issueDemoCredentials(ctx context.Context, sys *system, holder *portal.User, out io.Writer) error {
	if _, err := sys.creds.React(ctx); err != nil {
		return fmt.Errorf("demo credentials: %w", err)
	}
	held, err := sys.store.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: holder.ID})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "demo: credentials of %s, verifiable by anyone at:\n", holder.Email)
	for _, uc := range held {
		list, err := sys.store.ListCredentialsByUserCertification(ctx, uc.ID)
		if err != nil {
			return err
		}
		for _, c := range list {
			fmt.Fprintf(out, "  %-6s %s\n", uc.Code, sys.creds.CredentialURL(c.CredentialID))
		}
	}
	return nil
}

// loadDemoRevoked gives a second candidate, who has no demo sign-in, a
// certification whose credential a credential officer revoked as issued
// in error, and prints its verification URL marked revoked: its page
// shows what the public sees of a revoked credential.
func loadDemoRevoked(ctx context.Context, sys *system, exams []portal.Exam, out io.Writer) error {
	system := portal.SystemActor("demo")
	holder, err := sys.accounts.CreateUser(ctx, system, accounts.UserCreate{Email: "revoked@demo.certportal.localhost",
		FirstName: "Jordan", LastName: "Ellis", Role: portal.RoleCandidate, Verified: true, Password: randomPassword()})
	if err != nil {
		return fmt.Errorf("demo revoked credential: %w", err)
	}
	e := findDemoExam(exams, "SAA-C03")
	err = demoPass(ctx, sys, holder, e.Code, 200)
	if err == nil {
		_, err = sys.creds.React(ctx)
	}
	if err != nil {
		return fmt.Errorf("demo revoked credential: %w", err)
	}
	held, err := sys.store.ListCredentialsByUser(ctx, holder.ID)
	if err != nil {
		return err
	}
	if len(held) != 1 {
		return fmt.Errorf("demo revoked credential: %d credentials issued, want 1", len(held))
	}
	if err := sys.creds.Revoke(ctx, system, held[0].ID, portal.RevokeIssuedInError, ""); err != nil {
		return fmt.Errorf("demo revoked credential: %w", err)
	}
	fmt.Fprintf(out, "demo: a revoked credential (issued in error), of %s:\n  %-6s %s  (revoked)\n", holder.Email, certCode(e.Code), sys.creds.CredentialURL(held[0].CredentialID))
	return nil
}

// loadDemoRenewed gives a third candidate, who has no demo sign-in, a
// certification renewed by passing its exam again within the cycle, and
// prints the verification URLs of both cycles' credentials: the first
// superseded and pointing to the second.
func loadDemoRenewed(ctx context.Context, sys *system, out io.Writer) error {
	system := portal.SystemActor("demo")
	holder, err := sys.accounts.CreateUser(ctx, system, accounts.UserCreate{Email: "renewed@demo.certportal.localhost",
		FirstName: "Priya", LastName: "Raman", Role: portal.RoleCandidate, Verified: true, Password: randomPassword()})
	if err != nil {
		return fmt.Errorf("demo renewed certification: %w", err)
	}
	const exam = "SAA-C03"
	// The first cycle's credential is issued before the second pass, as
	// the periodic reaction would have done in the two years between.
	// Between the passes the holder's approved course counts toward the
	// first cycle, so the renewal by the second pass consumes its credits.
	var course int64
	for _, daysAgo := range []int{700, 20} {
		if err := demoPass(ctx, sys, holder, exam, daysAgo); err != nil {
			return fmt.Errorf("demo renewed certification: %w", err)
		}
		if _, err := sys.creds.React(ctx); err != nil {
			return fmt.Errorf("demo renewed certification: %w", err)
		}
		if course == 0 {
			if course, err = demoApprovedCourse(ctx, sys, holder); err != nil {
				return fmt.Errorf("demo renewed certification: %w", err)
			}
		}
	}
	if err := demoReverse(ctx, sys, course); err != nil {
		return fmt.Errorf("demo renewal flag: %w", err)
	}
	held, err := sys.store.ListCredentialsByUser(ctx, holder.ID)
	if err != nil {
		return err
	}
	if len(held) != 2 {
		return fmt.Errorf("demo renewed certification: %d credentials issued, want 2", len(held))
	}
	fmt.Fprintf(out, "demo: a certification renewed by passing its exam again, of %s:\n", holder.Email)
	for _, c := range held {
		state := "current"
		if c.SupersededAt != nil {
			state = "superseded"
		}
		fmt.Fprintf(out, "  %-6s %s  (cycle %d, %s)\n", certCode(exam), sys.creds.CredentialURL(c.CredentialID), c.Cycle, state)
	}
	fmt.Fprintf(out, "demo: the renewal of %s used the credits of a course the admin then reversed: a renewal flag waits at /console/ce/flags\n",
		holder.Email)
	return nil
}

// demoApprovedCourse submits an official course of holder's, completed 60
// days ago with its certificate, and has the demo CE reviewer approve it;
// it returns the submission.
func demoApprovedCourse(ctx context.Context, sys *system, holder *portal.User) (int64, error) {
	rev, err := sys.store.FindUserByEmail(ctx, "ce-review@demo.certportal.localhost")
	if err != nil {
		return 0, err
	}
	now := sys.clock.Now()
	reviewer := portal.Actor{UserID: rev.ID, Role: portal.RoleStaff, Permissions: portal.Grants([]portal.PermissionSet{portal.SetCEReviewer}),
		SecondFactor: true, PasswordAt: now, SecondFactorAt: now, RequestID: "demo"}
	candidate := portal.Actor{UserID: holder.ID, Role: portal.RoleCandidate, PasswordAt: now, RequestID: "demo"}
	completed := now.AddDate(0, 0, -60)
	form := credits.Submission{TypeCode: "official_online_course", Title: "Migrating workloads to containers", Provider: "Official training",
		CompletedOn: completed.Format(time.DateOnly), Duration: "4h"}
	file, err := demoEvidence(form.Title, completed)
	if err != nil {
		return 0, err
	}
	up, err := sys.uploads.Accept(ctx, holder.ID, portal.UploadCEEvidence, "certificate-of-completion.pdf", bytes.NewReader(file))
	if err != nil {
		return 0, err
	}
	form.Evidence = []int64{up.ID}
	r, err := sys.credits.Submit(ctx, candidate, form)
	if err != nil {
		return 0, err
	}
	if _, err := sys.credits.Decide(ctx, reviewer, r.Submission.ID, credits.Decision{Outcome: credits.OutcomeApprove}); err != nil {
		return 0, err
	}
	return r.Submission.ID, nil
}

// demoReverse has the demo admin reverse the decision on submission id.
func demoReverse(ctx context.Context, sys *system, id int64) error {
	adm, err := sys.store.FindUserByEmail(ctx, "admin@demo.certportal.localhost")
	if err != nil {
		return err
	}
	now := sys.clock.Now()
	admin := portal.Actor{UserID: adm.ID, Role: portal.RoleStaff, Permissions: portal.Grants([]portal.PermissionSet{portal.SetAdmin}),
		SecondFactor: true, PasswordAt: now, SecondFactorAt: now, RequestID: "demo"}
	_, err = sys.credits.Reverse(ctx, admin, id, "The provider withdrew the course's accreditation.")
	return err
}

// demoPass records a pass of an exam taken daysAgo by holder, entered
// and confirmed by the system and published at once.
func demoPass(ctx context.Context, sys *system, holder *portal.User, examCode string, daysAgo int) error {
	system := portal.SystemActor("demo")
	entered, err := sys.results.Enter(ctx, system, results.Entry{Candidate: holder.LoginID, ExamCode: examCode,
		TakenAt: sys.clock.Now().AddDate(0, 0, -daysAgo).Truncate(time.Hour), Score: 790})
	if err == nil {
		_, err = sys.results.Confirm(ctx, system, entered.ID)
	}
	if err == nil {
		err = sys.results.Publish(ctx, entered.ID)
	}
	return err
}

// loadDemoNamedHolders gives each holder a certification of exam examCode
// and prints the verification URL of its credential: the demo's
// certificates then show a right-to-left and a CJK legal name.
func loadDemoNamedHolders(ctx context.Context, sys *system, holders []*portal.User, out io.Writer) error {
	for _, h := range holders {
		if err := demoPass(ctx, sys, h, "SAA-C03", 30); err != nil {
			return fmt.Errorf("demo certified %s: %w", h.Email, err)
		}
		if err := issueDemoCredentials(ctx, sys, h, out); err != nil {
			return err
		}
	}
	return nil
}

// certCode is the code of the certification an exam earns in the demo.
func certCode(examCode string) string {
	return strings.SplitN(strings.TrimPrefix(examCode, "MC-"), "-", 2)[0]
}

func findDemoExam(list []portal.Exam, code string) portal.Exam {
	for _, e := range list {
		if e.Code == code {
			return e
		}
	}
	panic("demo exam " + code + " missing")
}
