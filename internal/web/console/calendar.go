package console

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// The program calendar in the console, for admins (the calendar service
// decides): time zone, business days, holidays and their ICS import.

// calendarImportLimit is the import upload's body limit: the largest file
// the service reads plus room for the multipart envelope.
const calendarImportLimit = calendar.MaxICSBytes + 64<<10

// weekOrder lists the weekdays as the page shows them, Monday first.
var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday,
	time.Saturday, time.Sunday}

type consoleCalendarPage struct {
	web.BasePage
	Settings     calendar.Settings
	Form         *web.Form // time zone and business days
	HolidayForm  *web.Form
	ImportForm   *web.Form
	HolidayDates []holidayRow
}

// holidayRow is one line of the holiday table.
type holidayRow struct {
	Date    string // YYYY-MM-DD, the form value
	Display string // localized
	Name    string
}

// TimeZoneField is the time zone select: the usual zones and the saved one.
func (p *consoleCalendarPage) TimeZoneField() web.Field {
	fl := web.NewField(p.T, p.Form, "time_zone", "select", "calendar.field.time_zone", "hint=calendar.field.time_zone_hint")
	zones := web.TimeZones()
	if !slices.Contains(zones, fl.Value) && fl.Value != "" {
		zones = append([]string{fl.Value}, zones...)
	}
	for _, z := range zones {
		fl.Options = append(fl.Options, web.Option{Value: z, Label: z, Selected: z == fl.Value})
	}
	return fl
}

// DayFields are the business-day checkboxes, Monday first.
func (p *consoleCalendarPage) DayFields() []web.Field {
	out := make([]web.Field, len(weekOrder))
	for i, d := range weekOrder {
		out[i] = web.Checkbox(p.T, p.Form, dayField(d), "calendar.weekday."+strconv.Itoa(int(d)))
	}
	return out
}

func dayField(d time.Weekday) string { return "day_" + strconv.Itoa(int(d)) }

func (s *Pages) newCalendarPage(r *http.Request, set calendar.Settings) *consoleCalendarPage {
	p := &consoleCalendarPage{Settings: set, Form: web.NewForm(), HolidayForm: web.NewForm(), ImportForm: web.NewForm()}
	s.FillBase(r, &p.BasePage, "calendar.title")
	p.Form.Values["time_zone"] = set.TimeZone
	for _, d := range set.BusinessDays {
		p.Form.Values[dayField(d)] = "on"
	}
	for _, h := range set.Holidays {
		day, _ := time.Parse(calendar.DateLayout, h.Date)
		p.HolidayDates = append(p.HolidayDates, holidayRow{Date: h.Date, Display: p.T.Date(day, time.UTC), Name: h.Name})
	}
	return p
}

// renderCalendar shows the page; with a failure, the form f (one of the
// page's three) shows its problems next to its fields.
func (s *Pages) renderCalendar(w http.ResponseWriter, r *http.Request, which string, f *web.Form, failure error) error {
	set, err := s.Calendar.Settings(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	p := s.newCalendarPage(r, set)
	if failure == nil {
		return s.Render(w, r, http.StatusOK, "console_calendar", p)
	}
	fallback := map[string]string{"settings": "time_zone", "holiday": "date", "import": "file"}[which]
	if !s.ApplyError(&p.BasePage, f, failure, fallback) {
		return failure
	}
	switch which {
	case "settings":
		p.Form = f
	case "holiday":
		p.HolidayForm = f
	case "import":
		p.ImportForm = f
	}
	return s.Render(w, r, web.FormStatus(failure), "console_calendar", p)
}

func (s *Pages) handleConsoleCalendar(w http.ResponseWriter, r *http.Request) error {
	return s.renderCalendar(w, r, "", nil, nil)
}

// handleConsoleCalendarSave saves the time zone and business days.
func (s *Pages) handleConsoleCalendarSave(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, "time_zone")
	var days []time.Weekday
	for _, d := range weekOrder {
		if r.PostForm.Get(dayField(d)) == "on" {
			f.Values[dayField(d)] = "on"
			days = append(days, d)
		}
	}
	if _, err := s.Calendar.Save(r.Context(), web.Actor(r), f.Value("time_zone"), days); err != nil {
		return s.renderCalendar(w, r, "settings", f, err)
	}
	http.Redirect(w, r, web.WithNotice("/console/calendar", noticeCalendarSaved), http.StatusSeeOther)
	return nil
}

// handleConsoleHolidayAdd adds or renames one holiday.
func (s *Pages) handleConsoleHolidayAdd(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, "date", "name")
	_, err := s.Calendar.AddHoliday(r.Context(), web.Actor(r), calendar.Holiday{Date: f.Value("date"), Name: f.Value("name")})
	if err != nil {
		return s.renderCalendar(w, r, "holiday", f, err)
	}
	http.Redirect(w, r, web.WithNotice("/console/calendar", noticeHolidayAdded), http.StatusSeeOther)
	return nil
}

// handleConsoleHolidayRemove removes the holiday of the date in the path.
func (s *Pages) handleConsoleHolidayRemove(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Calendar.RemoveHoliday(r.Context(), web.Actor(r), r.PathValue("date")); err != nil {
		return err
	}
	http.Redirect(w, r, web.WithNotice("/console/calendar", noticeHolidayRemoved), http.StatusSeeOther)
	return nil
}

// handleConsoleHolidayImport reads an uploaded ICS file (the route limits
// the body).
func (s *Pages) handleConsoleHolidayImport(w http.ResponseWriter, r *http.Request) error {
	if err := s.Calendar.MayManage(web.Actor(r)); err != nil {
		return err
	}
	f := web.NewForm()
	fileErr := func(msg string, data map[string]any) error {
		return s.renderCalendar(w, r, "import", f, fieldProblem("file", msg, data))
	}
	err := r.ParseMultipartForm(calendar.MaxICSBytes)
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return fileErr("calendar.import.too_large", map[string]any{"Count": calendar.MaxICSBytes >> 10})
	case err != nil:
		return web.ErrBadRequest
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	file, _, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		return fileErr("calendar.import.no_file", nil)
	}
	if err != nil {
		return web.ErrBadRequest
	}
	defer func() { _ = file.Close() }()
	if _, err := s.Calendar.ImportICS(r.Context(), web.Actor(r), file); err != nil {
		return s.renderCalendar(w, r, "import", f, err)
	}
	http.Redirect(w, r, web.WithNotice("/console/calendar", noticeHolidaysImported), http.StatusSeeOther)
	return nil
}

// fieldProblem is an invalid form with one problem on one field.
func fieldProblem(name, msg string, data map[string]any) error {
	return &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid",
		Fields: []portal.FieldError{{Field: name, Message: msg, Data: data}}}
}
