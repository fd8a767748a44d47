package candidate

import (
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/web/webtest"
)

var (
	taken    = time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)
	official = time.Date(2026, 11, 9, 5, 0, 0, 0, time.UTC)
	retake   = time.Date(2026, 11, 16, 14, 0, 0, 0, time.UTC)
)

func historyEntries() []results.HistoryEntry {
	return []results.HistoryEntry{
		{State: results.HistoryAwaiting, BookingRef: "BK-AWAIT", ExamCode: "SAA-C03", ExamName: "Solutions Architect", TakenAt: taken, OfficialOn: official, AskSupport: true},
		{State: results.HistoryProvisional, AttemptID: 2, BookingRef: "BK-PROV", ExamCode: "DVA-C02", ExamName: "Developer", TakenAt: taken, OfficialOn: official, Passed: true, Score: 812, PassingScore: 720},
		{State: results.HistoryReview, AttemptID: 3, BookingRef: "BK-REV", ExamCode: "SOA-C02", ExamName: "SysOps", TakenAt: taken, OfficialOn: official},
		{State: results.HistoryFailed, AttemptID: 4, BookingRef: "BK-FAIL", ExamCode: "SAP-C02", ExamName: "Professional", TakenAt: taken, OfficialOn: official, Score: 640, PassingScore: 750, RetakeFrom: &retake},
		{State: results.HistoryPassed, AttemptID: 5, BookingRef: "BK-PASS", ExamCode: "MC-K8S", ExamName: "Kubernetes basics", Microcredential: true, TakenAt: taken, OfficialOn: official, Passed: true, Score: 801, PassingScore: 700},
	}
}

// TestHistoryExplainsEachState: every state of the exam history says what
// it means (the usual date while awaiting, the official date of a
// provisional result without its score, the retake date after a failure),
// microcredentials have their own section, a score report is linked only
// once official, and an overdue result links the support contact with the
// booking reference.
func TestHistoryExplainsEachState(t *testing.T) {
	s := newTestServer(t)
	for _, lang := range s.Catalog.Languages() {
		l := s.Catalog.Localizer(lang)
		p := &historyPage{Zone: time.UTC}
		p.T = l
		p.fill(historyEntries(), supportContact{email: "help@example.org"})
		doc := webtest.RenderAs(t, s.Server, "/history", lang, "history", "history.title", p, webtest.MayNone)

		if got := doc.Count(".history-exams .history-entry"); got != 4 {
			t.Errorf("%s: %d exams, want 4", lang, got)
		}
		if got := doc.Texts(".history-micro .history-entry h3 code"); len(got) != 1 || got[0] != "MC-K8S" {
			t.Errorf("%s: microcredentials %v", lang, got)
		}
		officialDay := l.Date(official, time.UTC)
		for _, tc := range []struct{ sel, want string }{
			{".history-awaiting .history-explain", officialDay},
			{".history-provisional .history-explain", officialDay},
			{".history-failed .history-explain", l.DateTime(retake, time.UTC)},
		} {
			if got := doc.TextOf(tc.sel); !strings.Contains(got, tc.want) {
				t.Errorf("%s: %s = %q, want it to name %q", lang, tc.sel, got, tc.want)
			}
		}
		for _, state := range []string{"awaiting", "provisional", "under_review", "failed", "passed"} {
			if got := doc.TextOf(".history-" + state + " .history-explain"); got == "" || strings.Contains(got, "[") {
				t.Errorf("%s: %s explanation %q", lang, state, got)
			}
			if got := doc.TextOf(".history-" + state + " .status"); got == "" || strings.Contains(got, "[") {
				t.Errorf("%s: %s status %q", lang, state, got)
			}
		}
		if strings.Contains(doc.TextOf(".history-provisional"), "812") {
			t.Errorf("%s: a provisional result shows its score", lang)
		}
		if !strings.Contains(doc.TextOf(".history-failed"), "640") {
			t.Errorf("%s: an official fail hides its score", lang)
		}
		if got := doc.Values(".history-entry a[href^='/history/']", "href"); strings.Join(got, " ") != "/history/4 /history/5" {
			t.Errorf("%s: score report links %v, want only the official results", lang, got)
		}
		links := doc.Values("a.support-link", "href")
		if len(links) != 1 || !strings.HasPrefix(links[0], "mailto:help@example.org?subject=") || !strings.Contains(links[0], "BK-AWAIT") {
			t.Errorf("%s: support links %v, want one mail about BK-AWAIT", lang, links)
		}
	}
}

// TestOverdueResultWithoutSupportAddress: without a support address the
// link goes to the support site, else to Help's contact section.
func TestOverdueResultWithoutSupportAddress(t *testing.T) {
	for _, tc := range []struct {
		c    supportContact
		want string
	}{
		{supportContact{site: "https://help.example.org/"}, "https://help.example.org/"},
		{supportContact{}, "/help#support"},
	} {
		if got := tc.c.href("Result of BK-1"); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.c, got, tc.want)
		}
	}
}

// TestScoreReportPage: the report shows name, exam, date, score, passing
// score, outcome, the domain table and the note on scaled scores, with
// no script; a fail names the first retake date, a pass does not.
func TestScoreReportPage(t *testing.T) {
	s := newTestServer(t)
	for _, lang := range s.Catalog.Languages() {
		for _, passed := range []bool{false, true} {
			rep := &results.ScoreReport{AttemptID: 4, FirstName: "Ana", LastName: "Ruiz", ExamCode: "SAP-C02", ExamName: "Professional",
				TakenAt: taken, Score: 640, PassingScore: 750, Passed: passed, TimeZone: time.UTC,
				Domains: []portal.DomainResult{{Name: "Design", WeightPercent: 60, Band: portal.BandMeets}, {Name: "Migrate", WeightPercent: 40, Band: portal.BandNeedsImprovement}}}
			if !passed {
				rep.RetakeFrom = &retake
			}
			p := &scoreReportPage{Report: rep, Zone: time.UTC}
			doc := webtest.RenderAs(t, s.Server, "/history/4", lang, "score_report", "score_report.title", p, webtest.MayNone)
			l := s.Catalog.Localizer(lang)
			for sel, want := range map[string]string{
				".report-name": "Ana Ruiz", ".report-exam": "Professional SAP-C02", ".report-date": l.Date(taken, time.UTC),
				".report-score": "640", ".report-passing": "750",
			} {
				if got := doc.TextOf(sel); got != want {
					t.Errorf("%s: %s = %q, want %q", lang, sel, got, want)
				}
			}
			wantOutcome := l.T("score_report.fail", nil)
			if passed {
				wantOutcome = l.T("score_report.pass", nil)
			}
			if got := doc.TextOf(".report-outcome"); got != wantOutcome {
				t.Errorf("%s: outcome %q, want %q", lang, got, wantOutcome)
			}
			if got := doc.Count(".report-domains tbody tr"); got != 2 {
				t.Errorf("%s: %d domain rows", lang, got)
			}
			if got := doc.TextOf(".report-domains tbody tr:nth-child(2)"); !strings.Contains(got, "Migrate") || !strings.Contains(got, l.T("score_report.band.needs_improvement", nil)) {
				t.Errorf("%s: second domain %q", lang, got)
			}
			if got := doc.TextOf(".report-note"); !strings.Contains(got, "1000") {
				t.Errorf("%s: note %q", lang, got)
			}
			retakeText := doc.TextOf(".report-retake")
			if passed != (retakeText == "") || (!passed && !strings.Contains(retakeText, l.DateTime(retake, time.UTC))) {
				t.Errorf("%s passed=%v: retake line %q", lang, passed, retakeText)
			}
			if n := doc.Count("script"); n != 0 {
				t.Errorf("%s: the report has %d scripts", lang, n)
			}
		}
	}
}

// TestCertificationsPage: each certification shows its status and dates,
// months left while expiring (with the plural form), and the documents to
// come as text, never as links.
func TestCertificationsPage(t *testing.T) {
	s := newTestServer(t)
	cert := func(code, status string, months int) results.CertificationView {
		return results.CertificationView{Status: status, MonthsLeft: months, UserCertificationDetail: portal.UserCertificationDetail{
			Code: code, Name: "Cert " + code, ExamCode: code + "-C01",
			UserCertification: portal.UserCertification{IssuedOn: "2024-02-29", ExpiresOn: "2027-02-28"}}}
	}
	renewed := cert("FFF", portal.CertActive, 30)
	renewed.RenewedFrom = "2026-11-30"
	p := &certificationsPage{Certifications: []results.CertificationView{
		cert("AAA", portal.CertActive, 20), cert("BBB", portal.CertExpiring, 4), cert("CCC", portal.CertExpiring, 1),
		cert("DDD", portal.CertExpired, 0), cert("EEE", portal.CertRevoked, 0), renewed,
	}}
	doc := webtest.RenderAs(t, s.Server, "/certifications", "en", "certifications", "certifications.title", p, webtest.MayNone)
	for sel, want := range map[string]string{
		".cert-active .status": "Active", ".cert-expired .status": "Expired", ".cert-revoked .status": "Revoked",
		".cert-active .cert-issued": "Feb 29, 2024", ".cert-active .cert-expires": "Feb 28, 2027",
	} {
		if got := doc.TextOf(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if got := doc.Texts(".cert-expiring .cert-expires"); len(got) != 2 || !strings.HasSuffix(got[0], "4 months left") || !strings.HasSuffix(got[1], "1 month left") {
		t.Errorf("expiring = %v", got)
	}
	// A renewed certification says so, with the expiry it renewed from;
	// the others do not.
	if got := doc.Texts(".cert-renewed"); len(got) != 1 || got[0] != "Nov 30, 2026" {
		t.Errorf("renewed = %v, want the one renewed certification's previous expiry", got)
	}
	if got := doc.TextOf(".cert-list"); !strings.Contains(got, "Renewed (previous expiry)") {
		t.Errorf("page %q", got)
	}
	if n := doc.Count(".cert-coming li"); n != 4*6 {
		t.Errorf("%d placeholders, want 4 per certification", n)
	}
	if n := doc.Count(".cert-coming a"); n != 0 {
		t.Errorf("%d placeholder links, want none", n)
	}
	es := webtest.RenderAs(t, s.Server, "/certifications", "es", "certifications", "certifications.title", p, webtest.MayNone)
	if got := es.Texts(".cert-expiring .cert-expires"); len(got) != 2 || !strings.HasSuffix(got[0], "quedan 4 meses") || !strings.HasSuffix(got[1], "queda 1 mes") {
		t.Errorf("es expiring = %v", got)
	}
	if got := es.Texts(".cert-renewed"); len(got) != 1 || !strings.Contains(es.TextOf(".cert-list"), "Renovada (vencimiento anterior)") {
		t.Errorf("es renewed = %v", got)
	}
}

// TestBenefitsPage: a voucher shows its code, percent and last day (the
// certification's); the program's benefits follow.
func TestBenefitsPage(t *testing.T) {
	s := newTestServer(t)
	p := &benefitsPage{Zone: time.UTC, Benefits: []results.Benefit{
		{CertificationCode: "SAA", CertificationName: "Solutions Architect", ExpiresOn: "2029-11-02", VoucherCode: "PASS-7K2Q", VoucherPercent: 50,
			VoucherUntil: time.Date(2029, 11, 3, 4, 59, 0, 0, time.UTC), Program: []string{"Lounge access at events"}},
		{CertificationCode: "DVA", CertificationName: "Developer", ExpiresOn: "2029-01-01"},
	}}
	doc := webtest.RenderAs(t, s.Server, "/benefits", "en", "benefits", "benefits.title", p, webtest.MayNone)
	if got := doc.Texts(".benefit-voucher code"); len(got) != 1 || got[0] != "PASS-7K2Q" {
		t.Errorf("vouchers %v, want the one unused", got)
	}
	// The voucher expires with the certification, at the end of its last
	// day: the day shown is that day, not the next one.
	if got := doc.TextOf(".benefit-voucher"); !strings.Contains(got, "50%") || !strings.Contains(got, "Nov 2, 2029") || strings.Contains(got, "Nov 3") {
		t.Errorf("voucher line %q", got)
	}
	if got := doc.Texts(".benefit-program"); len(got) != 1 || got[0] != "Lounge access at events" {
		t.Errorf("program benefits %v", got)
	}
}

// TestDashboardSummary: the dashboard says when the first certification
// expires, in the plural form of the month count, and counts provisional
// results.
func TestDashboardSummary(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct {
		lang   string
		months int
		want   string
	}{
		{"en", 4, "SAA expires in 4 months."}, {"en", 1, "SAA expires in 1 month."}, {"en", 0, "SAA expires in less than a month."},
		{"es", 4, "SAA vence dentro de 4 meses."}, {"es", 1, "SAA vence dentro de 1 mes."},
	} {
		next := &results.CertificationView{MonthsLeft: tc.months, UserCertificationDetail: portal.UserCertificationDetail{Name: "SAA"}}
		p := &dashboardPage{Summary: &results.Summary{Active: 1, Expiring: 1, Next: next, Provisional: 2}}
		p.User = &portal.User{FirstName: "Ana"}
		doc := webtest.RenderAs(t, s.Server, "/dashboard", tc.lang, "dashboard", "dashboard.title", p, webtest.MayNone)
		if got := doc.TextOf(".cert-summary"); got != tc.want {
			t.Errorf("%s %d: %q, want %q", tc.lang, tc.months, got, tc.want)
		}
		if got := doc.TextOf(".provisional-summary"); !strings.Contains(got, "2") {
			t.Errorf("%s: provisional line %q", tc.lang, got)
		}
	}
}
