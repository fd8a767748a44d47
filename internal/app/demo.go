package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"path/filepath"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/config"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
)

// demoSupportEmail is the support contact the demo shows on its Help page
// unless one is configured.
const demoSupportEmail = "support@demo.certportal.localhost"

// loadDemo fills an empty database with a demonstration catalog, a demo
// candidate and a demo admin, and prints their random passwords once. A
// database that already has accounts is left alone: there are never fixed
// or default credentials.
func loadDemo(ctx context.Context, sys *system, out io.Writer) error {
	n, err := sys.store.CountUsers(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintln(out, "demo: the database already has accounts; no demo data loaded and no passwords printed (they were shown at the first start).")
		fmt.Fprintln(out, "demo: "+freshDemoHint(sys.cfg))
		return nil
	}
	system := portal.SystemActor("demo")
	catalog := demoExams()
	for _, e := range catalog {
		if _, err := sys.exams.CreateExam(ctx, system, e); err != nil {
			return fmt.Errorf("exam %s: %w", e.Code, err)
		}
	}
	vouchers, err := loadDemoScheduling(ctx, sys)
	if err != nil {
		return err
	}
	type demoUser struct {
		label string
		req   accounts.UserCreate
	}
	users := []demoUser{
		{"candidate", accounts.UserCreate{Email: "candidate@demo.certportal.localhost", FirstName: "Dana", LastName: "Rivera", Role: portal.RoleCandidate, Verified: true}},
		{"certified", accounts.UserCreate{Email: "certified@demo.certportal.localhost", FirstName: "Noor", LastName: "Haddad", Role: portal.RoleCandidate, Verified: true}},
		// Certificates with a right-to-left and a CJK legal name; the
		// Japanese one is typed family name first, as the ID shows it.
		{"certified-arabic", accounts.UserCreate{Email: "certified-arabic@demo.certportal.localhost", FirstName: "ليلى", LastName: "الحسيني", Role: portal.RoleCandidate, Verified: true}},
		{"certified-japanese", accounts.UserCreate{Email: "certified-japanese@demo.certportal.localhost", FirstName: "山田", LastName: "花子", Role: portal.RoleCandidate, Verified: true}},
	}
	// One staff account per permission set, so that each console view can
	// be tried; the admin holds every permission.
	for _, st := range demoStaff() {
		users = append(users, demoUser{string(st.set), accounts.UserCreate{Email: st.email, FirstName: st.first, LastName: st.last,
			Role: portal.RoleStaff, Verified: true, Sets: []portal.PermissionSet{st.set}}})
	}
	fmt.Fprintln(out, "demo: loaded a demonstration catalog. Sign in with these accounts (the passwords are shown only now):")
	var certified *portal.User
	var named []*portal.User
	for _, u := range users {
		u.req.Password = randomPassword()
		created, err := sys.accounts.CreateUser(ctx, system, u.req)
		if err != nil {
			return fmt.Errorf("%s account: %w", u.label, err)
		}
		fmt.Fprintf(out, "  %-18s  email %s  password %s  (login ID %s)\n", u.label, created.Email, u.req.Password, created.LoginID)
		switch u.label {
		case "certified":
			certified = created
		case "certified-arabic", "certified-japanese":
			named = append(named, created)
		}
	}
	if err := loadDemoResults(ctx, sys, catalog, certified); err != nil {
		return err
	}
	if err := issueDemoCredentials(ctx, sys, certified, out); err != nil {
		return err
	}
	if err := loadDemoNamedHolders(ctx, sys, named, out); err != nil {
		return err
	}
	if err := loadDemoRevoked(ctx, sys, catalog, out); err != nil {
		return err
	}
	if err := loadDemoRenewed(ctx, sys, out); err != nil {
		return err
	}
	if err := loadDemoCredits(ctx, sys, certified, out); err != nil {
		return err
	}
	fmt.Fprintf(out, "demo: %s holds an active certification and one expiring within 6 months, failed an exam whose retake date is still ahead, passed a microcredential and has a provisional result\n",
		certified.Email)
	fmt.Fprintf(out, "demo: %d test centers with sessions for the next %d days; payments in test mode (card %s succeeds)\n",
		len(demoCenters()), int(sys.centers.Config().Horizon.Hours()/24), payments.TestCardSuccess)
	for _, v := range vouchers {
		fmt.Fprintf(out, "  voucher  %s\n", v)
	}
	fmt.Fprintln(out, "demo: each staff account sets up an authenticator app at its first visit of the console (staff need two-step verification).")
	return nil
}

type demoStaffAccount struct {
	set         portal.PermissionSet
	email       string
	first, last string
}

// demoStaff is one staff account per permission set.
func demoStaff() []demoStaffAccount {
	return []demoStaffAccount{
		{portal.SetAdmin, "admin@demo.certportal.localhost", "Alex", "Morgan"},
		{portal.SetScheduler, "scheduler@demo.certportal.localhost", "Sam", "Okoro"},
		{portal.SetSupport, "support@demo.certportal.localhost", "Priya", "Nair"},
		{portal.SetResultsOfficer, "results@demo.certportal.localhost", "Jonas", "Berg"},
		{portal.SetCredentialOfficer, "credentials@demo.certportal.localhost", "Mei", "Tanaka"},
		{portal.SetCEReviewer, "ce-review@demo.certportal.localhost", "Lucía", "Fernández"},
	}
}

// freshDemoHint says how to start a fresh demonstration: another data
// directory on SQLite, another database on PostgreSQL.
func freshDemoHint(cfg *config.Config) string {
	if cfg.Engine() == config.EnginePostgres {
		return "to start a fresh demo with new passwords, point --database-url at an empty database."
	}
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		dir = cfg.DataDir
	}
	return fmt.Sprintf("to start a fresh demo with new passwords, stop the server and delete the data directory %s, or run with --data-dir set to another directory.", dir)
}

// randomPassword returns four groups of four characters drawn from
// crypto/rand, with at least one upper-case letter, one lower-case letter
// and one digit in every group (about 80 bits).
func randomPassword() string {
	const (
		upper = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lower = "abcdefghijkmnopqrstuvwxyz"
		digit = "23456789"
	)
	pick := func(set string) byte {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			panic("demo: crypto/rand failed: " + err.Error())
		}
		return set[n.Int64()]
	}
	var b []byte
	for g := range 4 {
		if g > 0 {
			b = append(b, '-')
		}
		group := []byte{pick(upper), pick(lower), pick(digit), pick(upper + lower + digit)}
		for i := len(group) - 1; i > 0; i-- {
			j, _ := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
			group[i], group[j.Int64()] = group[j.Int64()], group[i]
		}
		b = append(b, group...)
	}
	return string(b)
}

// demoExams is a realistic catalog: several exams per level and a
// microcredential; some with a reschedule fee.
func demoExams() []portal.Exam {
	exam := func(code, name, level string, minutes int, price int64, desc string, domains ...portal.ExamDomain) portal.Exam {
		return portal.Exam{
			Code: code, Name: name, Description: desc, Level: level, Kind: portal.KindExam, DurationMinutes: minutes,
			Languages: "en,es,de,ja", Delivery: portal.DeliveryTestCenter + "," + portal.DeliveryOnline,
			PriceMinor: price, Currency: "USD", PassingScore: 720, RetakeWaitDays: 14, MaxReschedules: 2, ValidityMonths: 36,
			ResultsDelayDays: portal.DefaultResultsDelayDays,
			Active:           true, Domains: domains,
		}
	}
	d := func(name string, w int) portal.ExamDomain { return portal.ExamDomain{Name: name, WeightPercent: w} }
	foundational := func(e portal.Exam) portal.Exam { e.PassingScore = 700; return e }
	exams := []portal.Exam{
		foundational(exam("CLF-C02", "Certified Cloud Practitioner", portal.LevelFoundational, 90, 10000,
			"Cloud concepts, security, technology and billing for any role.",
			d("Cloud Concepts", 24), d("Security and Compliance", 30), d("Cloud Technology and Services", 34), d("Billing, Pricing, and Support", 12))),
		foundational(exam("AIF-C01", "Certified AI Practitioner", portal.LevelFoundational, 90, 10000,
			"Fundamentals of artificial intelligence, machine learning and generative AI.",
			d("Fundamentals of AI and ML", 20), d("Fundamentals of Generative AI", 24), d("Applications of Foundation Models", 28), d("Guidelines for Responsible AI", 14), d("Security, Compliance, and Governance", 14))),
		exam("SAA-C03", "Certified Solutions Architect – Associate", portal.LevelAssociate, 130, 15000,
			"Design secure, resilient, high-performing and cost-optimised architectures.",
			d("Design Secure Architectures", 30), d("Design Resilient Architectures", 26), d("Design High-Performing Architectures", 24), d("Design Cost-Optimized Architectures", 20)),
		exam("DVA-C02", "Certified Developer – Associate", portal.LevelAssociate, 130, 15000,
			"Develop, deploy and debug cloud applications.",
			d("Development with Cloud Services", 32), d("Security", 26), d("Deployment", 24), d("Troubleshooting and Optimization", 18)),
		exam("SOA-C02", "Certified SysOps Administrator – Associate", portal.LevelAssociate, 180, 15000,
			"Deploy, manage and operate workloads.",
			d("Monitoring, Logging, and Remediation", 20), d("Reliability and Business Continuity", 16), d("Deployment, Provisioning, and Automation", 18), d("Security and Compliance", 16), d("Networking and Content Delivery", 18), d("Cost and Performance Optimization", 12)),
		exam("SAP-C02", "Certified Solutions Architect – Professional", portal.LevelProfessional, 180, 30000,
			"Design complex solutions for organisations.",
			d("Design Solutions for Organizational Complexity", 26), d("Design for New Solutions", 29), d("Continuous Improvement for Existing Solutions", 25), d("Accelerate Workload Migration and Modernization", 20)),
		exam("DOP-C02", "Certified DevOps Engineer – Professional", portal.LevelProfessional, 180, 30000,
			"Provision, operate and manage distributed systems.",
			d("SDLC Automation", 22), d("Configuration Management and IaC", 17), d("Resilient Cloud Solutions", 15), d("Monitoring and Logging", 15), d("Incident and Event Response", 14), d("Security and Compliance", 17)),
		exam("SCS-C02", "Certified Security – Specialty", portal.LevelSpecialty, 170, 30000,
			"Secure workloads and data.",
			d("Threat Detection and Incident Response", 14), d("Security Logging and Monitoring", 18), d("Infrastructure Security", 20), d("Identity and Access Management", 16), d("Data Protection", 18), d("Management and Security Governance", 14)),
		exam("ANS-C01", "Certified Advanced Networking – Specialty", portal.LevelSpecialty, 170, 30000,
			"Design and maintain network architectures.",
			d("Network Design", 30), d("Network Implementation", 26), d("Network Management and Operation", 20), d("Network Security, Compliance, and Governance", 24)),
	}
	// Professional and specialty exams charge USD 50.00 per move; the
	// others move for free.
	for i := range exams {
		if l := exams[i].Level; l == portal.LevelProfessional || l == portal.LevelSpecialty {
			exams[i].RescheduleFeeMinor = 5000
		}
	}
	mc := exam("MC-SLS01", "Serverless Applications Microcredential", portal.LevelAssociate, 120, 7500,
		"A hands-on lab: build and troubleshoot a serverless application.",
		d("Build", 50), d("Troubleshoot", 50))
	mc.Kind, mc.Delivery, mc.RetakeWaitDays, mc.ValidityMonths = portal.KindMicrocredential, portal.DeliveryOnline, 25, 12
	mc.MaxReschedules = 2
	return append(exams, mc)
}
