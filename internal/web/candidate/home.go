// Package candidate is the site's pages for everyone but the console:
// home and help, the exam list, registration, signing in with a second
// factor, password reset, email change, the profile and its security
// (staff sign in and manage their own account and second factors through
// these pages too), scheduling, the cart and checkout, bookings and
// rescheduling, results and history, certifications and certificates,
// documents, the public credential pages and directory,
// continuing education, LinkedIn and regions. Handlers are methods of
// Pages, which holds the page kit (package web); their routes, templates
// and notices reach the kit as the package's Section.
package candidate

import (
	"net/http"
	"strconv"
	"time"

	"example.org/certportal/internal/badge"
	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/web"
)

// Pages holds the page kit; the candidate pages' handlers are its methods.
type Pages struct {
	*web.Server
	// badges are the PNG badges drawn so far, by template.
	badges *badge.Cache
}

// badgeCacheSize is how many PNG badges are kept drawn: one per
// certification and logo a program shows, with room to spare.
const badgeCacheSize = 64

func newPages(s *web.Server) *Pages { return &Pages{Server: s, badges: badge.NewCache(badgeCacheSize)} }

type homePage struct {
	web.BasePage
	// X is what the page says (prepare).
	X *homeText
}

// homeText is what the landing page says, in one language.
type homeText struct {
	Heading, Lead, CreateAccount, SignIn, Browse, Steps, Step1Title, Step1Text, Step2Title, Step2Text, Step3Title, Step3Text string
}

// Prepare sets the landing page's texts for the page's language.
func (p *homePage) Prepare(s *web.Server) {
	p.X = pageTexts.home.Get(p.T, func(l *i18n.Localizer) *homeText {
		return &homeText{Heading: l.T("home.heading", map[string]any{"Program": s.Config().ProgramName}), Lead: l.T("home.lead", nil),
			CreateAccount: l.T("home.create_account", nil), SignIn: l.T("layout.sign_in", nil), Browse: l.T("home.browse_exams", nil),
			Steps: l.T("home.steps_heading", nil), Step1Title: l.T("home.step1_title", nil), Step1Text: l.T("home.step1_text", nil),
			Step2Title: l.T("home.step2_title", nil), Step2Text: l.T("home.step2_text", nil),
			Step3Title: l.T("home.step3_title", nil), Step3Text: l.T("home.step3_text", nil)}
	})
}

// handleHome is the landing page; signed-in users go to their dashboard.
func (s *Pages) handleHome(w http.ResponseWriter, r *http.Request) error {
	p := &homePage{}
	s.FillBase(r, &p.BasePage, "home.title")
	if p.User != nil {
		target := "/dashboard"
		if p.User.Role.IsStaff() {
			target = "/console"
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil
	}
	return s.Render(w, r, http.StatusOK, "home", p)
}

type helpPage struct {
	web.BasePage
	SupportEmail string
	SupportURL   string
}

// handleHelp answers common questions and shows the program's support
// contact; the pages that send people to support link here.
func (s *Pages) handleHelp(w http.ResponseWriter, r *http.Request) error {
	set, err := s.ProgramSettings(r)
	if err != nil {
		return err
	}
	p := &helpPage{SupportEmail: set.SupportEmail, SupportURL: set.SupportURL}
	s.FillBase(r, &p.BasePage, "help.title")
	return s.Render(w, r, http.StatusOK, "help", p)
}

type dashboardPage struct {
	web.BasePage
	MFAPrompt bool // the account has no second factor yet
	Upcoming  []*portal.BookingDetail
	// Summary is the line about certifications held; nil when unknown.
	Summary *results.Summary
	// Reminders are the certifications whose expiry reminders have come
	// (the banner).
	Reminders []credits.Reminder
	// X and View are the page's view model (prepare).
	X    *dashboardText
	View *dashboardView
}

// dashboardText is what the dashboard says to everyone, in one language.
type dashboardText struct {
	MFATitle, MFAText, MFAAction, Upcoming, UpcomingEmpty, FindExam, Online, Certifications, SeeHistory,
	SeeCertifications, Identification, LoginID, LegalName, Email string
}

func newDashboardText(l *i18n.Localizer) *dashboardText {
	return &dashboardText{MFATitle: l.T("dashboard.mfa_title", nil), MFAText: l.T("dashboard.mfa_text", nil),
		MFAAction: l.T("dashboard.mfa_action", nil), Upcoming: l.T("dashboard.upcoming", nil),
		UpcomingEmpty: l.T("dashboard.upcoming_empty", nil), FindExam: l.T("dashboard.find_exam", nil),
		Online: l.T("schedule.online_proctored", nil), Certifications: l.T("dashboard.certifications", nil),
		SeeHistory: l.T("dashboard.see_history", nil), SeeCertifications: l.T("dashboard.see_certifications", nil),
		Identification: l.T("dashboard.identification", nil), LoginID: l.T("dashboard.login_id", nil),
		LegalName: l.T("dashboard.legal_name", nil), Email: l.T("dashboard.email", nil)}
}

// dashboardView is what the dashboard says to this candidate.
type dashboardView struct {
	Heading  string
	Upcoming []upcomingRow
	// CertSummary, Held and Provisional are the certification lines;
	// Held and Provisional are empty when there is nothing to count.
	CertSummary, Held, Provisional string
	// Reminders is the renewal banner, one row per certification.
	RemindersHeading string
	Reminders        []reminderRow
}

// reminderRow is one certification of the renewal banner, in the page's
// language: when it expires and what renewing it still needs.
type reminderRow struct {
	Expires, Needs, Pending, Action, ActionHref string
}

// upcomingRow is one upcoming booking on the dashboard.
type upcomingRow struct {
	Reference, ExamCode, When string
	Online                    bool
	CenterName, CenterCity    string
}

// Prepare builds the dashboard's view model for the page's language.
func (p *dashboardPage) Prepare(s *web.Server) {
	l := p.T
	p.X = pageTexts.dashboard.Get(l, newDashboardText)
	v := &dashboardView{}
	if p.User != nil {
		v.Heading = l.T("dashboard.heading", map[string]any{"Name": p.User.FirstName})
	}
	for _, b := range p.Upcoming {
		v.Upcoming = append(v.Upcoming, upcomingRow{Reference: b.Reference, ExamCode: b.ExamCode,
			When: l.DateTime(b.StartsAt, b.Location()), Online: b.Online(), CenterName: b.CenterName, CenterCity: b.CenterCity})
	}
	if sum := p.Summary; sum != nil {
		switch next := sum.Next; {
		case next == nil:
			v.CertSummary = s.Text(l, "dashboard.cert_none")
		case next.MonthsLeft == 0:
			v.CertSummary = l.T("dashboard.cert_expires_soon", map[string]any{"Name": next.Name})
		default:
			v.CertSummary = l.T("dashboard.cert_expires_in", map[string]any{"Name": next.Name, "Count": next.MonthsLeft})
		}
		if n := p.HeldCertifications(); n != 0 {
			v.Held = l.T("dashboard.cert_held", map[string]any{"Count": n})
		}
		if sum.Provisional != 0 {
			v.Provisional = l.T("dashboard.provisional", map[string]any{"Count": sum.Provisional})
		}
	}
	for _, r := range p.Reminders {
		v.RemindersHeading = l.T("reminders.banner.heading", nil)
		row := reminderRow{Expires: l.T("reminders.banner.expires", map[string]any{"Name": r.Name, "Date": dayText(l, r.ExpiresOn), "Count": r.DaysLeft}),
			Action: l.T("reminders.banner.action_ce", nil), ActionHref: "/ce"}
		switch {
		case r.Micro && r.RetakeOpen:
			row.Needs = l.T("reminders.banner.retake_now", nil)
			row.Action, row.ActionHref = l.T("reminders.banner.action_exams", nil), "/exams"
		case r.Micro:
			row.Needs = l.T("reminders.banner.retake_from", map[string]any{"Date": dayText(l, r.RetakeOn)})
			row.Action, row.ActionHref = "", ""
		case r.Met:
			row.Needs = l.T("reminders.banner.met", nil)
		default:
			row.Needs = l.T("reminders.banner.missing", map[string]any{"Missing": creditsIn(l, r.Missing), "Needed": creditsIn(l, r.Needed)})
			row.Pending = l.T("reminders.banner.pending", map[string]any{"Pending": creditsIn(l, r.Pending)})
		}
		v.Reminders = append(v.Reminders, row)
	}
	p.View = v
}

// dayText writes a calendar day (YYYY-MM-DD) in the page's language, as
// it is named, in no time zone.
func dayText(l *i18n.Localizer, day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return l.Date(d, time.UTC)
}

// HeldCertifications is how many certifications the candidate holds:
// active and expiring.
func (p *dashboardPage) HeldCertifications() int {
	if p.Summary == nil {
		return 0
	}
	return p.Summary.Active + p.Summary.Expiring
}

// handleDashboard is the candidate's home after sign-in. It encourages
// candidates without a second factor to set one up.
func (s *Pages) handleDashboard(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Accounts.MFAStatusOf(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	upcoming, err := s.Booking.Upcoming(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	p := &dashboardPage{MFAPrompt: !st.Enabled(), Upcoming: upcoming}
	if s.Results != nil {
		// The summary line is extra: without it the dashboard still
		// serves its bookings and prompts.
		if p.Summary, err = s.Results.Summary(r.Context(), web.Actor(r)); err != nil {
			s.Log.WarnContext(r.Context(), "certification summary unavailable", "err", err)
			p.Summary = nil
		}
	}
	if s.Credits != nil {
		// The renewal banner is extra too.
		if p.Reminders, err = s.Credits.Reminders(r.Context(), web.Actor(r)); err != nil {
			s.Log.WarnContext(r.Context(), "renewal reminders unavailable", "err", err)
			p.Reminders = nil
		}
	}
	s.FillBase(r, &p.BasePage, "dashboard.title")
	return s.Render(w, r, http.StatusOK, "dashboard", p)
}

type examListPage struct {
	web.BasePage
	Exams []*portal.Exam
	// X and Rows are the page's view model (prepare).
	X    *examListText
	Rows []examRow
}

// examListText is what the exam list says, in one language.
type examListText struct {
	Heading, Lead, Caption, Code, Name, Level, Duration, Price, Micro, Schedule, Empty string
}

func newExamListText(l *i18n.Localizer) *examListText {
	return &examListText{Heading: l.T("exams.title", nil), Lead: l.T("exams.lead", nil), Caption: l.T("exams.table_caption", nil),
		Code: l.T("exams.code", nil), Name: l.T("exams.name", nil), Level: l.T("exams.level", nil),
		Duration: l.T("exams.duration", nil), Price: l.T("exams.price", nil), Micro: l.T("exams.kind.microcredential", nil),
		Schedule: l.T("schedule.schedule_exam", nil), Empty: l.T("exams.empty", nil)}
}

// examRow is one exam of the list, its labels and figures in the page's
// language.
type examRow struct {
	Code, Name             string
	Micro                  bool
	Level, Duration, Price string
}

// Prepare builds the view model of the exams for the page's language.
func (p *examListPage) Prepare(s *web.Server) {
	l := p.T
	p.X = pageTexts.examList.Get(l, newExamListText)
	p.Rows = make([]examRow, len(p.Exams))
	for i, e := range p.Exams {
		p.Rows[i] = examRow{Code: e.Code, Name: e.Name, Micro: e.Kind == portal.KindMicrocredential,
			Level: s.Text(l, "exams.level."+e.Level),
			Duration: s.Memo(l.Lang()+"\x00minutes\x00"+strconv.Itoa(e.DurationMinutes), func() string {
				return l.T("exams.minutes", map[string]any{"Count": e.DurationMinutes})
			}),
			Price: s.Money(l, e.PriceMinor, e.Currency)}
	}
}

// handleExamList shows the active catalog to everyone.
func (s *Pages) handleExamList(w http.ResponseWriter, r *http.Request) error {
	exams, err := s.Exams.Catalog(r.Context())
	if err != nil {
		return err
	}
	p := &examListPage{Exams: exams}
	s.FillBase(r, &p.BasePage, "exams.title")
	return s.Render(w, r, http.StatusOK, "exam_list", p)
}
