package web

import (
	"net/http"
	"strconv"

	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
)

type homePage struct {
	BasePage
}

// handleHome is the landing page; signed-in users go to their dashboard.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	p := &homePage{}
	s.fillBase(r, &p.BasePage, "home.title")
	if p.User != nil {
		target := "/dashboard"
		if p.User.Role.IsStaff() {
			target = "/console"
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "home", p)
}

type helpPage struct {
	BasePage
	SupportEmail string
	SupportURL   string
}

// handleHelp answers common questions and shows the program's support
// contact; the pages that send people to support link here.
func (s *Server) handleHelp(w http.ResponseWriter, r *http.Request) error {
	set, err := s.programSettings(r)
	if err != nil {
		return err
	}
	p := &helpPage{SupportEmail: set.SupportEmail, SupportURL: set.SupportURL}
	s.fillBase(r, &p.BasePage, "help.title")
	return s.render(w, r, http.StatusOK, "help", p)
}

type dashboardPage struct {
	BasePage
	MFAPrompt bool // the account has no second factor yet
	Upcoming  []*portal.BookingDetail
	// Summary is the line about certifications held; nil when unknown.
	Summary *results.Summary
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
func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) error {
	st, err := s.acc.MFAStatusOf(r.Context(), actor(r))
	if err != nil {
		return err
	}
	upcoming, err := s.booking.Upcoming(r.Context(), actor(r))
	if err != nil {
		return err
	}
	p := &dashboardPage{MFAPrompt: !st.Enabled(), Upcoming: upcoming}
	if s.results != nil {
		// The summary line is extra: without it the dashboard still
		// serves its bookings and prompts.
		if p.Summary, err = s.results.Summary(r.Context(), actor(r)); err != nil {
			s.log.WarnContext(r.Context(), "certification summary unavailable", "err", err)
			p.Summary = nil
		}
	}
	s.fillBase(r, &p.BasePage, "dashboard.title")
	return s.render(w, r, http.StatusOK, "dashboard", p)
}

type examListPage struct {
	BasePage
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

// prepare builds the view model of the exams for the page's language.
func (p *examListPage) prepare(s *Server) {
	l := p.T
	p.X = s.pageTexts.examList.get(l, newExamListText)
	p.Rows = make([]examRow, len(p.Exams))
	for i, e := range p.Exams {
		p.Rows[i] = examRow{Code: e.Code, Name: e.Name, Micro: e.Kind == portal.KindMicrocredential,
			Level: s.text(l, "exams.level."+e.Level),
			Duration: s.texts.get(l.Lang()+"\x00minutes\x00"+strconv.Itoa(e.DurationMinutes), func() string {
				return l.T("exams.minutes", map[string]any{"Count": e.DurationMinutes})
			}),
			Price: s.money(l, e.PriceMinor, e.Currency)}
	}
}

// handleExamList shows the active catalog to everyone.
func (s *Server) handleExamList(w http.ResponseWriter, r *http.Request) error {
	exams, err := s.exams.Catalog(r.Context())
	if err != nil {
		return err
	}
	p := &examListPage{Exams: exams}
	s.fillBase(r, &p.BasePage, "exams.title")
	return s.render(w, r, http.StatusOK, "exam_list", p)
}

// handleLanguage remembers a visitor's language choice in a cookie. (A
// signed-in user's preference is part of the profile.)
func (s *Server) handleLanguage(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	lang := r.PostForm.Get("lang")
	if !s.catalog.Supported(lang) {
		return portal.ErrInvalid
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.PostForm.Get("next"), "/"), http.StatusSeeOther)
	return nil
}
