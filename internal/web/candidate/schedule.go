package candidate

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/centers"
	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/idempotency"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// Finding a seat: choose the exam and how to take it, find a test center
// or an online start, pick a date and a time, and hold the seat.

type scheduleExamPage struct {
	web.BasePage
	Exam   *portal.Exam
	Center bool // sold at test centers
	Online bool // sold online
	// Reschedule is the booking being moved, if any.
	Reschedule *portal.BookingDetail
}

// Keep carries the booking being moved on to the next page's link.
func (p *scheduleExamPage) Keep() string { return keepReschedule(p.Reschedule) }

// Current describes the booking being moved: when and where.
func (p *scheduleExamPage) Current() string { return currentAppointment(p.T, p.Reschedule) }

// CurrentCenterLink lists the other times at the booking's test center.
func (p *scheduleExamPage) CurrentCenterLink() string {
	return "/schedule/" + p.Exam.Code + "/centers/" + strconv.FormatInt(*p.Reschedule.CenterID, 10) + p.Keep()
}

// handleScheduleExam lets the candidate choose test center or online;
// with a booking being moved, also the other times at its center.
func (s *Pages) handleScheduleExam(w http.ResponseWriter, r *http.Request) error {
	e, moving, err := s.scheduleExam(r, r.URL.Query().Get("reschedule"))
	if err != nil {
		return err
	}
	p := &scheduleExamPage{Exam: e, Reschedule: moving}
	delivery := strings.Split(e.Delivery, ",")
	p.Center, p.Online = slices.Contains(delivery, portal.DeliveryTestCenter), slices.Contains(delivery, portal.DeliveryOnline)
	title := "schedule.title"
	if p.Reschedule != nil {
		title = "booking.reschedule"
	}
	s.FillBase(r, &p.BasePage, title)
	return s.Render(w, r, http.StatusOK, "schedule_exam", p)
}

// keepReschedule is the query that carries a booking being moved to the
// next page ("" when none).
func keepReschedule(b *portal.BookingDetail) string {
	if b == nil {
		return ""
	}
	return "?reschedule=" + url.QueryEscape(b.Reference)
}

// currentAppointment says when and where a booking being moved is now.
func currentAppointment(t *i18n.Localizer, b *portal.BookingDetail) string {
	return t.T("schedule.reschedule.current", map[string]any{"Date": t.DateTime(b.StartsAt, b.Location()), "Place": web.BookingPlace(t, b)})
}

type centerSearchPage struct {
	web.BasePage
	Exam        *portal.Exam
	Form        *web.Form
	Countries   []geo.Country
	Searched    bool
	Result      *centers.SearchResult
	Unit        string
	Suggestions []geo.Place
	Attribution string
	Reschedule  *portal.BookingDetail // the booking being moved, if any
}

// Keep carries the booking being moved on to the next page's link.
func (p *centerSearchPage) Keep() string { return keepReschedule(p.Reschedule) }

// Current describes the booking being moved: when and where.
func (p *centerSearchPage) Current() string { return currentAppointment(p.T, p.Reschedule) }

// IsCurrentCenter reports whether c is where the booking being moved is.
func (p *centerSearchPage) IsCurrentCenter(c *portal.TestCenter) bool {
	return p.Reschedule != nil && p.Reschedule.CenterID != nil && *p.Reschedule.CenterID == c.ID
}

// CountryField, RadiusField and UnitField are the search form's selects.
func (p *centerSearchPage) CountryField() web.Field { return countryField(p.T, p.Form, p.Countries) }
func (p *centerSearchPage) RadiusField() web.Field {
	fl := web.NewField(p.T, p.Form, "radius", "select", "schedule.search.radius")
	for _, n := range centers.Radii {
		v := strconv.Itoa(n)
		fl.Options = append(fl.Options, web.Option{Value: v, Label: v, Selected: v == p.Form.Value("radius")})
	}
	return fl
}
func (p *centerSearchPage) UnitField() web.Field {
	fl := web.NewField(p.T, p.Form, "unit", "select", "schedule.search.unit")
	for _, u := range []string{"mi", "km"} {
		fl.Options = append(fl.Options, web.Option{Value: u, Label: p.T.T("schedule.unit."+u, nil), Selected: u == p.Form.Value("unit")})
	}
	return fl
}

// Distance formats a result's distance in the chosen unit.
func (p *centerSearchPage) Distance(c centers.CenterDistance) string {
	return p.T.T("schedule.distance."+p.Unit, map[string]any{"Value": strconv.FormatFloat(c.In(p.Unit), 'f', 1, 64)})
}

// SuggestionLabel names a suggested place for people: the city (or the
// postal code and the city it is near) and its region by name, never the
// region's code ("Madrid, Madrid", "Portland, Oregon", "98101 – Seattle,
// Washington").
func (p *centerSearchPage) SuggestionLabel(pl geo.Place) string {
	label := pl.Name
	if pl.Postal != "" && pl.Name != pl.Postal {
		label = pl.Postal + " – " + pl.Name
	}
	if name := geo.RegionName(pl.Country, pl.Region); name != "" {
		label += ", " + name
	}
	return label
}

// SuggestionLink searches again for a suggested place: its postal code,
// or its name with the region code that picks it among namesakes.
func (p *centerSearchPage) SuggestionLink(pl geo.Place) string {
	near := pl.Name
	switch {
	case pl.Postal != "":
		near = pl.Postal
	case pl.Region != "":
		near += ", " + pl.Region
	}
	q := url.Values{"country": {pl.Country}, "near": {near}, "radius": {p.Form.Value("radius")}, "unit": {p.Unit}}
	if p.Reschedule != nil {
		q.Set("reschedule", p.Reschedule.Reference)
	}
	return "/schedule/" + p.Exam.Code + "/centers?" + q.Encode()
}

// handleCenterSearch finds test centers near a city or postal code.
func (s *Pages) handleCenterSearch(w http.ResponseWriter, r *http.Request) error {
	e, moving, err := s.scheduleExam(r, r.URL.Query().Get("reschedule"))
	if err != nil {
		return err
	}
	u := web.RequestSession(r).User
	q := r.URL.Query()
	f := web.NewForm()
	for _, k := range []string{"country", "near", "radius", "unit"} {
		f.Values[k] = strings.TrimSpace(q.Get(k))
	}
	if f.Values["country"] == "" {
		f.Values["country"] = u.Country
	}
	if f.Values["radius"] == "" {
		f.Values["radius"] = "50"
	}
	if f.Values["unit"] == "" {
		f.Values["unit"] = u.DistanceUnit
	}
	if f.Values["unit"] != "km" {
		f.Values["unit"] = "mi"
	}
	p := &centerSearchPage{Exam: e, Reschedule: moving, Form: f, Unit: f.Values["unit"], Attribution: geo.PlacesNotice}
	s.FillBase(r, &p.BasePage, "schedule.search.title")
	p.Countries = geo.Countries(p.Lang)
	status := http.StatusOK
	if q.Has("near") {
		p.Searched = true
		radius, _ := strconv.Atoi(f.Value("radius"))
		p.Result, err = s.Centers.SearchCenters(r.Context(), centers.Search{Country: f.Value("country"), Near: f.Value("near"), Radius: radius, Unit: p.Unit})
		var nf *centers.PlaceNotFound
		if errors.As(err, &nf) {
			p.Suggestions = nf.Suggestions
		}
		if err != nil {
			if !s.ApplyError(&p.BasePage, f, err, "near") {
				return err
			}
			status = web.FormStatus(err)
		} else if u.DistanceUnit != p.Unit {
			if _, err := s.Accounts.UpdatePreferences(r.Context(), web.Actor(r), accountsPreferences("", p.Unit)); err != nil {
				s.Log.WarnContext(r.Context(), "save distance unit", "err", err)
			}
		}
	}
	return s.Render(w, r, status, "schedule_centers", p)
}

type slotsPage struct {
	web.BasePage
	Exam          *portal.Exam
	Center        *portal.TestCenter // nil for online
	Loc           *time.Location
	Days          []centers.Day
	Day           *centers.Day // the chosen date
	ExamLanguages []string     // the exam's languages, to choose from
	Language      string
	Zones         []web.Option // online: zones to show times in
	Zone          string
	// ZoneGuessed: the zone was not chosen but guessed from the profile's
	// country (or UTC); the page's script offers the browser's instead.
	ZoneGuessed bool
	Reschedule  *portal.BookingDetail
	Key         string // idempotency key of the hold form
	HoldMinutes int    // how long a held seat waits in the cart
	AllDates    bool   // show every date, not only the first few
}

// shortDates is how many dates the page lists before "show all".
const shortDates = 21

// ShownDays are the dates listed: the first few unless all were asked for
// (the chosen date is always among them).
func (p *slotsPage) ShownDays() []centers.Day {
	if p.AllDates || len(p.Days) <= shortDates {
		return p.Days
	}
	shown := p.Days[:shortDates]
	if p.Day != nil && p.Day.Date.After(shown[len(shown)-1].Date) {
		shown = append(shown[:len(shown):len(shown)], *p.Day)
	}
	return shown
}

// MoreDates links to the full list when it is cut.
func (p *slotsPage) MoreDates() string {
	if p.AllDates || len(p.Days) <= shortDates {
		return ""
	}
	q := p.keep()
	q.Set("all", "1")
	return p.Path + "?" + q.Encode() + "#dates-h"
}

// keep is the query that keeps the page's choices (zone, language, the
// booking being moved) across its links.
func (p *slotsPage) keep() url.Values {
	q := url.Values{}
	if p.Center == nil {
		q.Set("tz", p.Zone)
	}
	if p.Reschedule != nil {
		q.Set("reschedule", p.Reschedule.Reference)
	} else if p.ChooseLanguage() {
		q.Set("language", p.Language)
	}
	return q
}

// ChooseLanguage reports whether the candidate chooses the exam's
// language here: the exam is given in several, and no booking is being
// moved (a move keeps its language).
func (p *slotsPage) ChooseLanguage() bool { return len(p.ExamLanguages) > 1 && p.Reschedule == nil }

// LanguageOptions are the exam's languages, the chosen one selected.
func (p *slotsPage) LanguageOptions() []web.Option {
	out := make([]web.Option, 0, len(p.ExamLanguages))
	for _, l := range p.ExamLanguages {
		out = append(out, web.Option{Value: l, Label: i18n.DisplayName(l), Selected: l == p.Language})
	}
	return out
}

// DateLabel is a date with its weekday.
func (p *slotsPage) DateLabel(d centers.Day) string {
	return p.T.T("schedule.weekday."+strconv.Itoa(int(d.Date.Weekday())), nil) + " " + p.T.Date(d.Date, p.Loc)
}

// DateLink is the link that shows a date's times.
func (p *slotsPage) DateLink(d centers.Day) string {
	q := p.keep()
	q.Set("date", d.Key())
	return p.Path + "?" + q.Encode() + "#times-h"
}

// Action is where the time buttons go: the cart (a hold), or the review
// step of the booking being moved.
func (p *slotsPage) Action() string {
	if p.Reschedule != nil {
		return "/bookings/" + p.Reschedule.Reference + "/reschedule"
	}
	return "/schedule/" + p.Exam.Code + "/hold"
}

// IsCurrent reports whether sl is the appointment being moved: marked on
// the page, never offered.
func (p *slotsPage) IsCurrent(sl *portal.Slot) bool {
	return p.Reschedule != nil && p.Reschedule.SlotID == sl.ID
}

// Keep carries the booking being moved on to the next page's link.
func (p *slotsPage) Keep() string { return keepReschedule(p.Reschedule) }

// Current describes the booking being moved: when and where.
func (p *slotsPage) Current() string { return currentAppointment(p.T, p.Reschedule) }

// SessionName is the label of a slot's session.
func (p *slotsPage) SessionName(sl *portal.Slot) string {
	return p.T.T("schedule.session."+sl.Session, nil)
}

// ZoneLabel names the zone of the times shown.
func (p *slotsPage) ZoneLabel(t time.Time) string { return zoneLabel(p.T, t, p.Loc) }

// handleCenterSlots shows a center's available dates and the times of the
// chosen date, in the center's time zone.
func (s *Pages) handleCenterSlots(w http.ResponseWriter, r *http.Request) error {
	p, err := s.centerSlotsPage(r, r.URL.Query())
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "schedule_slots", p)
}

func (s *Pages) centerSlotsPage(r *http.Request, q url.Values) (*slotsPage, error) {
	e, moving, err := s.scheduleExam(r, q.Get("reschedule"))
	if err != nil {
		return nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, portal.ErrNotFound
	}
	c, days, err := s.Centers.CenterAvailability(r.Context(), id)
	if err != nil {
		return nil, err
	}
	p := &slotsPage{Exam: e, Reschedule: moving, Center: c, Loc: c.Location(), Days: days}
	return p, s.fillSlotsPage(r, p, q, "schedule.slots.title")
}

// handleOnlineSlots shows online start times in the candidate's zone.
func (s *Pages) handleOnlineSlots(w http.ResponseWriter, r *http.Request) error {
	p, err := s.onlineSlotsPage(r, r.URL.Query())
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "schedule_slots", p)
}

func (s *Pages) onlineSlotsPage(r *http.Request, q url.Values) (*slotsPage, error) {
	e, moving, err := s.scheduleExam(r, q.Get("reschedule"))
	if err != nil {
		return nil, err
	}
	u := web.RequestSession(r).User
	zone, guessed := onlineZone(q.Get("tz"), u)
	loc, err := time.LoadLocation(zone)
	if err != nil {
		zone, loc, guessed = "UTC", time.UTC, false
	}
	if q.Get("tz") == zone && zone != u.TimeZone {
		if _, err := s.Accounts.UpdatePreferences(r.Context(), web.Actor(r), accountsPreferences(zone, "")); err != nil {
			s.Log.WarnContext(r.Context(), "save time zone", "err", err)
		}
	}
	days, err := s.Centers.OnlineAvailability(r.Context(), loc)
	if err != nil {
		return nil, err
	}
	p := &slotsPage{Exam: e, Reschedule: moving, Loc: loc, Days: days, Zone: zone, Zones: zoneOptions(zone, s.Clock.Now()), ZoneGuessed: guessed}
	return p, s.fillSlotsPage(r, p, q, "schedule.online.title")
}

func (s *Pages) fillSlotsPage(r *http.Request, p *slotsPage, q url.Values, title string) error {
	s.FillBase(r, &p.BasePage, title)
	p.Path = r.URL.Path
	p.ExamLanguages = strings.Split(p.Exam.Languages, ",")
	p.Language = q.Get("language")
	if !slices.Contains(p.ExamLanguages, p.Language) {
		p.Language = p.ExamLanguages[0]
		if slices.Contains(p.ExamLanguages, p.Lang) {
			p.Language = p.Lang
		}
	}
	if p.Reschedule != nil {
		p.Language = p.Reschedule.Language
	}
	want := q.Get("date")
	for i := range p.Days {
		if p.Days[i].Key() == want {
			p.Day = &p.Days[i]
		}
	}
	p.Key = newIdempotencyKey()
	p.HoldMinutes = int(s.Booking.Config().HoldTTL / time.Minute)
	p.AllDates = q.Get("all") == "1"
	return nil
}

// handleHold holds the chosen seat and goes to the cart. A refusal (full,
// a booking rule) shows the same times again with the reason.
func (s *Pages) handleHold(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	e, err := s.Exams.ActiveExam(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	slotID, _ := strconv.ParseInt(r.PostForm.Get("slot"), 10, 64)
	req := booking.HoldRequest{ExamID: e.ID, SlotID: slotID, Language: r.PostForm.Get("language")}
	next, err := s.idempotentForm(r, req, func() (string, error) {
		_, err := s.Booking.Hold(r.Context(), web.Actor(r), req)
		return web.WithNotice("/cart", noticeHeld), err
	})
	if err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	var pe *portal.Error
	if !errors.As(err, &pe) || pe.Code == portal.EUnavailable || (pe.Message == "" && len(pe.Fields) == 0) {
		return err // no rule to name: the error page
	}
	// Show the times again with the reason.
	back := url.Values{"date": {r.PostForm.Get("date")}, "tz": {r.PostForm.Get("tz")}, "language": {req.Language}}
	var p *slotsPage
	if r.PostForm.Get("center") != "" {
		r.SetPathValue("id", r.PostForm.Get("center"))
		p, err = s.centerSlotsPage(r, back)
	} else {
		p, err = s.onlineSlotsPage(r, back)
	}
	if err != nil {
		return err
	}
	item := web.SummaryItem{Field: "times", Message: web.Localize(p.T, pe.Message, pe.Data)}
	if len(pe.Fields) > 0 && pe.Fields[0].Field == "language" && p.ChooseLanguage() {
		item.Field = "language"
	}
	if l, ok := refusalLinks[pe.Message]; ok {
		item.Href, item.LinkText = l.href, p.T.T(l.label, nil)
	}
	p.Errors = append(p.Errors, item)
	return s.Render(w, r, web.FormStatus(pe), "schedule_slots", p)
}

// refusalLinks point a hold's refusal to the page that resolves it: a
// seat of the exam already in the cart, being paid, or booked.
var refusalLinks = map[string]struct{ href, label string }{
	booking.MsgAlreadyInCart:     {"/cart", "schedule.rule.go_to_cart"},
	booking.MsgPaymentInProgress: {"/bookings", "schedule.rule.go_to_bookings"},
	booking.MsgAlreadyBooked:     {"/bookings", "schedule.rule.go_to_bookings"},
}

// idempotentForm runs a form's action once per idempotency key (a hidden
// field each form carries), so a double submit or a reload of the POST
// gets the first outcome: the next location, or the refusal (a
// *portal.Error, stored and returned again on a repeat).
func (s *Pages) idempotentForm(r *http.Request, request any, run func() (string, error)) (string, error) {
	key := r.PostForm.Get("idempotency_key")
	if key == "" {
		key = newIdempotencyKey() // an old form without one: no protection, but no failure either
	}
	out, _, err := s.Idempotency.Run(r.Context(), idempotency.ScopeOf(web.Actor(r)), key, request, func() (idempotency.Response, error) {
		next, err := run()
		var pe *portal.Error
		if errors.As(err, &pe) && pe.Code != portal.EUnavailable {
			b, merr := json.Marshal(pe)
			if merr != nil {
				return idempotency.Response{}, merr
			}
			return idempotency.Response{Status: http.StatusConflict, Body: string(b)}, nil
		}
		if err != nil {
			return idempotency.Response{}, err
		}
		return idempotency.Response{Status: http.StatusSeeOther, Body: next}, nil
	})
	if err != nil {
		return "", err
	}
	if out.Status == http.StatusSeeOther {
		return out.Body, nil
	}
	var pe portal.Error
	if err := json.Unmarshal([]byte(out.Body), &pe); err != nil {
		return "", err
	}
	return "", &pe
}

// newIdempotencyKey returns a fresh random key for a form.
func newIdempotencyKey() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("web: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}

func accountsPreferences(zone, unit string) accounts.Preferences {
	return accounts.Preferences{TimeZone: zone, DistanceUnit: unit}
}
