package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"example.org/certportal/internal/exams"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// The exam catalog in the console: the list for staff; creating, editing,
// retiring and reactivating exams for admins (the exams service decides).

type consoleExamsPage struct {
	web.BasePage
	Exams     []*portal.Exam
	CanManage bool
}

// handleConsoleExams lists every exam, active and retired.
func (s *Pages) handleConsoleExams(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Exams.ListAll(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	p := &consoleExamsPage{Exams: list, CanManage: s.Exams.MayManageExams(web.Actor(r)) == nil}
	s.FillBase(r, &p.BasePage, "console.exams.title")
	return s.Render(w, r, http.StatusOK, "console_exams", p)
}

type consoleExamPage struct {
	web.BasePage
	Form *web.Form
	Exam *portal.Exam // the saved exam; nil for a new one
}

// Action is where the form posts.
func (p *consoleExamPage) Action() string {
	if p.Exam == nil {
		return "/console/exams"
	}
	return "/console/exams/" + strconv.FormatInt(p.Exam.ID, 10)
}

// LevelField is the level select.
func (p *consoleExamPage) LevelField() web.Field {
	fl := web.NewField(p.T, p.Form, "level", "select", "console.exams.field.level", "placeholder=field.choose")
	for _, l := range []string{portal.LevelFoundational, portal.LevelAssociate, portal.LevelProfessional, portal.LevelSpecialty} {
		fl.Options = append(fl.Options, web.Option{Value: l, Label: p.T.T("exams.level."+l, nil), Selected: l == fl.Value})
	}
	return fl
}

// KindField is the kind select.
func (p *consoleExamPage) KindField() web.Field {
	fl := web.NewField(p.T, p.Form, "kind", "select", "console.exams.field.kind", "placeholder=field.choose")
	for _, k := range []string{portal.KindExam, portal.KindMicrocredential} {
		fl.Options = append(fl.Options, web.Option{Value: k, Label: p.T.T("exams.kind."+k, nil), Selected: k == fl.Value})
	}
	return fl
}

// textArea is what the page's "exam-textarea" template renders: a field
// and its height in lines.
type textArea struct {
	web.Field
	Rows int
}

// DescriptionField is the optional description.
func (p *consoleExamPage) DescriptionField() textArea {
	return textArea{web.NewField(p.T, p.Form, "description", "textarea", "console.exams.field.description",
		"hint=console.exams.field.description_hint", "max=2000", "optional"), 4}
}

// DomainsField is the domains list, one "Name | weight" a line.
func (p *consoleExamPage) DomainsField() textArea {
	return textArea{web.NewField(p.T, p.Form, "domains", "textarea", "console.exams.field.domains",
		"hint=console.exams.field.domains_hint"), 8}
}

// examFields are the form's inputs. Delivery is two checkboxes whose
// problems show on the group, "delivery".
var examFields = []string{"code", "name", "description", "level", "kind", "duration_minutes", "languages",
	"delivery_test_center", "delivery_online", "currency", "price", "reschedule_fee", "max_reschedules",
	"retake_wait_days", "passing_score", "validity_months", "results_delay_days", "domains", "active"}

func (s *Pages) newExamPage(r *http.Request, e *portal.Exam, f *web.Form) *consoleExamPage {
	p := &consoleExamPage{Form: f, Exam: e}
	title := "console.exams.new_title"
	if e != nil {
		title = "console.exams.edit_title"
	}
	s.FillBase(r, &p.BasePage, title)
	return p
}

// examForm fills a form from a saved exam.
func examForm(e *portal.Exam) *web.Form {
	f := web.NewForm()
	for k, v := range map[string]string{
		"code": e.Code, "name": e.Name, "description": e.Description, "level": e.Level, "kind": e.Kind,
		"duration_minutes": strconv.Itoa(e.DurationMinutes), "languages": strings.ReplaceAll(e.Languages, ",", ", "),
		"currency": e.Currency, "price": exams.FormatAmount(e.PriceMinor, e.Currency),
		"reschedule_fee":  exams.FormatAmount(e.RescheduleFeeMinor, e.Currency),
		"max_reschedules": strconv.Itoa(e.MaxReschedules), "retake_wait_days": strconv.Itoa(e.RetakeWaitDays),
		"passing_score": strconv.Itoa(e.PassingScore), "validity_months": strconv.Itoa(e.ValidityMonths),
		"results_delay_days": strconv.Itoa(e.ResultsDelayDays), "domains": domainsText(e.Domains),
	} {
		f.Values[k] = v
	}
	for _, d := range strings.Split(e.Delivery, ",") {
		f.Values["delivery_"+d] = "on"
	}
	if e.Active {
		f.Values["active"] = "on"
	}
	return f
}

// newExamForm is the form of a new exam, with the usual rules filled in.
func newExamForm() *web.Form {
	f := web.NewForm()
	for k, v := range map[string]string{
		"kind": portal.KindExam, "languages": "en", "delivery_test_center": "on", "delivery_online": "on",
		"currency": "USD", "reschedule_fee": "0.00", "max_reschedules": "2", "retake_wait_days": "14",
		"passing_score": "700", "validity_months": "36", "active": "on",
		"results_delay_days": strconv.Itoa(portal.DefaultResultsDelayDays),
	} {
		f.Values[k] = v
	}
	return f
}

// domainsText writes domains one per line as "Name | weight".
func domainsText(ds []portal.ExamDomain) string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.Name + " | " + strconv.Itoa(d.WeightPercent)
	}
	return strings.Join(lines, "\n")
}

// parseDomains reads "Name | weight" lines, skipping blank ones. The
// weight follows the last bar and may end in %; a line without one, or
// with a weight that is not a whole number, gets weight 0, which the
// service refuses with the domain's number.
func parseDomains(text string) []portal.ExamDomain {
	var out []portal.ExamDomain
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, weight := line, ""
		if i := strings.LastIndex(line, "|"); i >= 0 {
			name, weight = line[:i], line[i+1:]
		}
		w, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(weight), "%")))
		if err != nil {
			w = 0
		}
		out = append(out, portal.ExamDomain{Name: strings.TrimSpace(name), WeightPercent: w})
	}
	return out
}

// formNumber reads a whole number; anything else is -1, which every rule
// of the service refuses with the field's message.
func formNumber(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return -1
	}
	return n
}

// formAmount reads a decimal amount in the currency's minor units; text
// that is not an amount is -1, which the service refuses.
func formAmount(s, currency string) int64 {
	n, ok := exams.ParseAmount(s, currency)
	if !ok {
		return -1
	}
	return n
}

// formExam reads an exam from a submitted form.
func formExam(f *web.Form) portal.Exam {
	var delivery []string
	for _, d := range []string{portal.DeliveryTestCenter, portal.DeliveryOnline} {
		if f.Value("delivery_"+d) == "on" {
			delivery = append(delivery, d)
		}
	}
	cur := strings.ToUpper(strings.TrimSpace(f.Value("currency")))
	return portal.Exam{
		Code: f.Value("code"), Name: f.Value("name"), Description: f.Value("description"),
		Level: f.Value("level"), Kind: f.Value("kind"), DurationMinutes: formNumber(f.Value("duration_minutes")),
		Languages: f.Value("languages"), Delivery: strings.Join(delivery, ","), Currency: cur,
		PriceMinor: formAmount(f.Value("price"), cur), RescheduleFeeMinor: formAmount(f.Value("reschedule_fee"), cur),
		MaxReschedules: formNumber(f.Value("max_reschedules")), RetakeWaitDays: formNumber(f.Value("retake_wait_days")),
		PassingScore: formNumber(f.Value("passing_score")), ValidityMonths: formNumber(f.Value("validity_months")),
		ResultsDelayDays: formNumber(f.Value("results_delay_days")),
		Domains:          parseDomains(f.Value("domains")), Active: f.Value("active") == "on",
	}
}

// applyExamError puts a refused exam's problems next to its fields. The
// domains list can have several problems at once; they are all shown.
func (s *Pages) applyExamError(p *consoleExamPage, err error, fallbackField string) bool {
	if !s.ApplyError(&p.BasePage, p.Form, err, fallbackField) {
		return false
	}
	var pe *portal.Error
	if !errors.As(err, &pe) {
		return true
	}
	var msgs []string
	for _, fe := range pe.Fields {
		if fe.Field == "domains" {
			msgs = append(msgs, web.Localize(p.T, fe.Message, fe.Data))
		}
	}
	if len(msgs) > 1 {
		joined := strings.Join(msgs, " ")
		p.Form.Errors["domains"] = joined
		for i := range p.Errors {
			if p.Errors[i].Field == "domains" {
				p.Errors[i].Message = joined
			}
		}
	}
	return true
}

func (s *Pages) handleConsoleExamNew(w http.ResponseWriter, r *http.Request) error {
	if err := s.Exams.MayManageExams(web.Actor(r)); err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "console_exam", s.newExamPage(r, nil, newExamForm()))
}

func (s *Pages) handleConsoleExamCreate(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, examFields...)
	if _, err := s.Exams.CreateExam(r.Context(), web.Actor(r), formExam(f)); err != nil {
		p := s.newExamPage(r, nil, f)
		if !s.applyExamError(p, err, "code") {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "console_exam", p)
	}
	http.Redirect(w, r, web.WithNotice("/console/exams", noticeExamSaved), http.StatusSeeOther)
	return nil
}

func (s *Pages) handleConsoleExamEdit(w http.ResponseWriter, r *http.Request) error {
	if err := s.Exams.MayManageExams(web.Actor(r)); err != nil {
		return err
	}
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	e, err := s.Exams.Exam(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "console_exam", s.newExamPage(r, e, examForm(e)))
}

func (s *Pages) handleConsoleExamUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, examFields...)
	if _, err := s.Exams.UpdateExam(r.Context(), web.Actor(r), id, formExam(f)); err != nil {
		cur, cerr := s.Exams.Exam(r.Context(), web.Actor(r), id)
		if cerr != nil {
			return err
		}
		p := s.newExamPage(r, cur, f)
		if !s.applyExamError(p, err, "name") {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "console_exam", p)
	}
	http.Redirect(w, r, web.WithNotice("/console/exams", noticeExamSaved), http.StatusSeeOther)
	return nil
}

// handleConsoleExamRetire takes an exam out of the public catalog.
func (s *Pages) handleConsoleExamRetire(w http.ResponseWriter, r *http.Request) error {
	return s.setExamActive(w, r, false, noticeExamRetired)
}

// handleConsoleExamActivate puts a retired exam back in the catalog.
func (s *Pages) handleConsoleExamActivate(w http.ResponseWriter, r *http.Request) error {
	return s.setExamActive(w, r, true, noticeExamActivated)
}

func (s *Pages) setExamActive(w http.ResponseWriter, r *http.Request, active bool, n web.Notice) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Exams.SetExamActive(r.Context(), web.Actor(r), id, active); err != nil {
		return err
	}
	http.Redirect(w, r, web.WithNotice("/console/exams", n), http.StatusSeeOther)
	return nil
}
