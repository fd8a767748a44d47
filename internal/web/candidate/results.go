package candidate

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/web"
)

// A candidate's results: the exam history with each attempt's state, the
// score report of an official result, the certifications earned and what
// they give. The results service decides what each candidate sees.

// supportContact is where a candidate asks about an overdue result: the
// program's support address with the booking reference in the subject,
// else its support site, else the Help page's contact section.
type supportContact struct {
	email, site string
}

func (s *Pages) supportContact(r *http.Request) supportContact {
	set, err := s.ProgramSettings(r)
	if err != nil {
		s.Log.WarnContext(r.Context(), "program settings unavailable; support links lead to Help", "err", err)
		return supportContact{}
	}
	return supportContact{email: set.SupportEmail, site: set.SupportURL}
}

// href is the link for a question about the booking ref.
func (c supportContact) href(subject string) string {
	switch {
	case c.email != "":
		return "mailto:" + c.email + "?subject=" + url.PathEscape(subject)
	case c.site != "":
		return c.site
	}
	return "/help#support"
}

type historyPage struct {
	web.BasePage
	Zone *time.Location
	// Exams and Microcredentials are the history in two sections.
	Exams            []historyRow
	Microcredentials []historyRow
	// X is what the page says (prepare).
	X *historyText
}

// historyRow is an entry with where to ask about it when it is overdue.
type historyRow struct {
	results.HistoryEntry
	SupportHref string
	// V is the entry's view model (prepare).
	V *historyView
}

// historyText is what the Exam history says to everyone, in one language.
type historyText struct {
	Title, Lead, Exams, ExamsEmpty, Micro, MicroEmpty, Transcript, Empty, FindExam, TakenOn, Booking, Score, Overdue string
}

func newHistoryText(l *i18n.Localizer) *historyText {
	return &historyText{Title: l.T("history.title", nil), Lead: l.T("history.lead", nil), Exams: l.T("history.exams", nil),
		ExamsEmpty: l.T("history.exams_empty", nil), Micro: l.T("history.microcredentials", nil),
		MicroEmpty: l.T("history.microcredentials_empty", nil), Transcript: l.T("documents.download.transcript", nil),
		Empty: l.T("history.empty", nil), FindExam: l.T("dashboard.find_exam", nil), TakenOn: l.T("history.taken_on", nil),
		Booking: l.T("history.booking", nil), Score: l.T("history.score", nil), Overdue: l.T("history.overdue", nil)}
}

// historyView is what an entry of the history says, in the page's
// language.
type historyView struct {
	Passed                      bool // the state is passed
	State, TakenOn              string
	Score                       string // empty until official
	Explain, AskSupport, Report string
}

// Prepare builds the view model of each entry for the page's language.
func (p *historyPage) Prepare(s *web.Server) {
	l := p.T
	p.X = pageTexts.history.Get(l, newHistoryText)
	for _, rows := range [][]historyRow{p.Exams, p.Microcredentials} {
		for i := range rows {
			rows[i].V = p.view(s, &rows[i])
		}
	}
}

func (p *historyPage) view(s *web.Server, r *historyRow) *historyView {
	l, zone := p.T, p.Zone
	official := func(id string) string { return l.T(id, map[string]any{"Date": l.Date(r.OfficialOn, zone)}) }
	v := &historyView{Passed: r.State == "passed", State: s.Text(l, "history.state."+r.State), TakenOn: l.Date(r.TakenAt, zone)}
	final := r.State == "passed" || r.State == "failed"
	if final {
		v.Score = l.T("history.score_of", map[string]any{"Score": r.Score, "Passing": r.PassingScore})
	}
	switch r.State {
	case "awaiting":
		v.Explain = official("history.explain.awaiting")
	case "provisional":
		if r.Passed {
			v.Explain = official("history.explain.provisional_pass")
		} else {
			v.Explain = official("history.explain.provisional_fail")
		}
	case "under_review":
		v.Explain = s.Text(l, "history.explain.under_review")
	case "failed":
		if r.RetakeFrom != nil {
			v.Explain = l.T("history.explain.failed", map[string]any{"Date": l.DateTime(*r.RetakeFrom, zone)})
		} else {
			v.Explain = s.Text(l, "history.explain.failed_no_wait")
		}
	case "passed":
		v.Explain = s.Text(l, "history.explain.passed")
	}
	if r.SupportHref != "" {
		v.AskSupport = l.T("history.ask_support", map[string]any{"Reference": r.BookingRef})
	}
	if r.AttemptID != 0 && final {
		v.Report = l.T("history.score_report_link", map[string]any{"Code": r.ExamCode})
	}
	return v
}

// historySection is one section of the history as its template sees it.
type historySection struct {
	Page *historyPage
	Rows []historyRow
}

// Section pairs rows with the page for the "history-list" template.
func (p *historyPage) Section(rows []historyRow) historySection {
	return historySection{Page: p, Rows: rows}
}

// handleHistory is the candidate's exam history.
func (s *Pages) handleHistory(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Results.History(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	p := &historyPage{Zone: s.ProgramZone(r)}
	s.FillBase(r, &p.BasePage, "history.title")
	p.fill(list, s.supportContact(r))
	return s.Render(w, r, http.StatusOK, "history", p)
}

// fill sorts the entries into their sections, with support links.
func (p *historyPage) fill(list []results.HistoryEntry, c supportContact) {
	for _, e := range list {
		row := historyRow{HistoryEntry: e}
		if e.AskSupport {
			row.SupportHref = c.href(p.T.T("history.support_subject", map[string]any{"Reference": e.BookingRef}))
		}
		if e.Microcredential {
			p.Microcredentials = append(p.Microcredentials, row)
		} else {
			p.Exams = append(p.Exams, row)
		}
	}
}

type scoreReportPage struct {
	web.BasePage
	Report *results.ScoreReport
	Zone   *time.Location
}

// handleScoreReport is the printable report of an official result; a
// result not yet official, or another candidate's, is not found.
func (s *Pages) handleScoreReport(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return portal.ErrNotFound
	}
	rep, err := s.Results.ScoreReport(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	p := &scoreReportPage{Report: rep, Zone: rep.TimeZone}
	if p.Zone == nil {
		p.Zone = s.ProgramZone(r)
	}
	s.FillBase(r, &p.BasePage, "score_report.title")
	return s.Render(w, r, http.StatusOK, "score_report", p)
}

type certificationsPage struct {
	web.BasePage
	Certifications []results.CertificationView
	// Credentials are the holder's signed current credentials by earned
	// certification.
	Credentials map[int64]certCredential
	// Cycles are the cycles of the holder's renewed certifications.
	Cycles map[int64][]credentials.CertificateCycle
	// X and Rows are the page's view model (prepare).
	X    *certificationsText
	Rows []certificationRow
}

// certificationsText is what the Certifications page says to everyone, in
// one language.
type certificationsText struct {
	Title, Lead, Micro, Issued, ExpiredOn, Expires, EarnedBy, Documents, Preparing, Certificate, CertificatePDF,
	Badge, BadgePNG, BadgeSVG, Credential, JSONLD, JWT, Verify, LinkedIn, Listed, SeeDirectory, Leave, Unlisted, Join,
	ComingCertificate, ComingBadge, CredentialPending, ComingShare, SeeBenefits, Empty, SeeHistory, Renewed string
	// The history of a renewed certification's cycles.
	Cycles, CycleCol, PeriodCol, CredentialCol, StatusCol, DocumentsCol string
}

func newCertificationsText(l *i18n.Localizer) *certificationsText {
	t := func(id string) string { return l.T(id, nil) }
	return &certificationsText{Title: t("certifications.title"), Lead: t("certifications.lead"),
		Micro: t("certifications.microcredential"), Issued: t("certifications.issued"), ExpiredOn: t("certifications.expired_on"),
		Expires: t("certifications.expires"), EarnedBy: t("certifications.earned_by"), Documents: t("certifications.documents"),
		Renewed:   t("certifications.renewed_from"),
		Preparing: t("documents.preparing"), Certificate: t("certifications.certificate"),
		CertificatePDF: t("documents.download.certificate"), Badge: t("certifications.badge"), BadgePNG: t("certifications.badge.png"),
		BadgeSVG: t("certifications.badge.svg"), Credential: t("certifications.credential"),
		JSONLD: t("certifications.credential.jsonld"), JWT: t("certifications.credential.jwt"),
		Verify: t("certifications.credential.verify"), LinkedIn: t("certifications.share.linkedin"),
		Listed: t("certifications.directory.listed"), SeeDirectory: t("certifications.directory.see"),
		Leave: t("certifications.directory.leave"), Unlisted: t("certifications.directory.unlisted"),
		Join: t("certifications.directory.join"), ComingCertificate: t("certifications.coming.certificate"),
		ComingBadge: t("certifications.coming.badge"), CredentialPending: t("certifications.credential.pending"),
		ComingShare: t("certifications.coming.share"), SeeBenefits: t("certifications.see_benefits"),
		Empty: t("certifications.empty"), SeeHistory: t("certifications.see_history"),
		Cycles: t("certifications.cycles"), CycleCol: t("certifications.cycles.cycle"), PeriodCol: t("certifications.cycles.period"),
		CredentialCol: t("certifications.cycles.credential"), StatusCol: t("certifications.cycles.status"),
		DocumentsCol: t("certifications.cycles.documents")}
}

// certificationRow is one certification of the page, its texts in the
// page's language.
type certificationRow struct {
	ID                                  int64
	Status, StatusLabel, Name, Code     string
	Active, Expired, Micro              bool
	IssuedOn, ExpiresOn, Left, ExamCode string
	RenewedFrom                         string // the previous expiry, when renewed
	C                                   certCredential
	// Cycles is the history of a renewed certification, oldest first.
	Cycles []cycleRow
}

// cycleRow is one cycle of a renewed certification: its period, its
// credential and where to get its certificate and verify it.
type cycleRow struct {
	Cycle                  int
	Period, CredentialID   string
	Status, StatusLabel    string
	CertificatePDF, Verify string
}

// Prepare builds the view model of the certifications for the page's
// language.
func (p *certificationsPage) Prepare(s *web.Server) {
	l := p.T
	p.X = pageTexts.certifications.Get(l, newCertificationsText)
	p.Rows = make([]certificationRow, len(p.Certifications))
	for i, cv := range p.Certifications {
		row := certificationRow{ID: cv.ID, Status: cv.Status, StatusLabel: s.Text(l, "certifications.status."+cv.Status),
			Name: cv.Name, Code: cv.Code, Active: cv.Status == "active", Expired: cv.Status == "expired", Micro: cv.Microcredential,
			IssuedOn: s.Day(l, cv.IssuedOn), ExpiresOn: s.Day(l, cv.ExpiresOn), ExamCode: cv.ExamCode, C: p.Credentials[cv.ID]}
		if cv.RenewedFrom != "" {
			row.RenewedFrom = s.Day(l, cv.RenewedFrom)
		}
		for _, c := range p.Cycles[cv.ID] {
			row.Cycles = append(row.Cycles, cycleRow{Cycle: c.Cycle, CredentialID: c.CredentialID.String(), Status: c.Status,
				Period:         l.T("certifications.cycles.period_text", map[string]any{"From": s.Day(l, c.IssuedOn), "To": s.Day(l, c.ExpiresOn)}),
				StatusLabel:    s.Text(l, "certifications.cycles.status."+c.Status),
				CertificatePDF: cycleCertificatePath(cv.ID, c.Cycle), Verify: credentialPath(c.CredentialID)})
		}
		if cv.Status == "expiring" {
			if cv.MonthsLeft != 0 {
				row.Left = l.T("certifications.months_left", map[string]any{"Count": cv.MonthsLeft})
			} else {
				row.Left = s.Text(l, "certifications.under_a_month")
			}
		}
		p.Rows[i] = row
	}
}

// certCredential is what the Certifications page links of a credential.
type certCredential struct {
	// Page is the credential's public verification page.
	Page string
	// LinkedIn is the LinkedIn Add-to-Profile link of the certification.
	LinkedIn string
	// Listed reports whether the holder put the certification in the
	// public directory.
	Listed bool
	// Preparing is set while the certificate cannot be made (staff have
	// been told); the page says so instead of offering it.
	Preparing bool
}

// handleCertifications lists the certifications the candidate earned.
func (s *Pages) handleCertifications(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Results.Certifications(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	p := &certificationsPage{Certifications: list, Credentials: map[int64]certCredential{}}
	if s.Credentials != nil {
		held, err := s.Credentials.HolderCredentials(r.Context(), web.Actor(r))
		if err != nil {
			return err
		}
		listed, err := s.Credentials.HolderDirectory(r.Context(), web.Actor(r))
		if err != nil {
			return err
		}
		orgID, err := s.linkedInOrganizationID(r)
		if err != nil {
			return err
		}
		preparing, err := s.Credentials.PreparingCertificates(r.Context(), web.Actor(r))
		if err != nil {
			return err
		}
		if p.Cycles, err = s.Credentials.CertificateCycles(r.Context(), web.Actor(r)); err != nil {
			return err
		}
		for _, cv := range list {
			c := held[cv.ID]
			if c == nil || c.DocumentJSONLD == "" {
				continue
			}
			p.Credentials[cv.ID] = certCredential{Page: credentialPath(c.CredentialID), Listed: listed[cv.ID], Preparing: preparing[c.ID],
				LinkedIn: linkedInAddURL(cv.Name, orgID, s.Config().ProgramName, cv.IssuedOn, cv.ExpiresOn, s.Credentials.CredentialURL(c.CredentialID), c.CredentialID)}
		}
	}
	s.FillBase(r, &p.BasePage, "certifications.title")
	return s.Render(w, r, http.StatusOK, "certifications", p)
}

type benefitsPage struct {
	web.BasePage
	Benefits []results.Benefit
	Zone     *time.Location
}

// handleBenefits lists what each active certification gives.
func (s *Pages) handleBenefits(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Results.Benefits(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	p := &benefitsPage{Benefits: list, Zone: s.ProgramZone(r)}
	s.FillBase(r, &p.BasePage, "benefits.title")
	return s.Render(w, r, http.StatusOK, "benefits", p)
}
