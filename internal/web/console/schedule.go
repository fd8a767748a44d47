package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/centers"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// The console's scheduling pages: booking search, a center's roster for a
// day (capacity, closing, no-shows) and vouchers.

type consoleBookingsPage struct {
	web.BasePage
	Query    string
	Bookings []*portal.BookingDetail
}

// Place is where a booking is.
func (p *consoleBookingsPage) Place(b *portal.BookingDetail) string { return web.BookingPlace(p.T, b) }

func (s *Pages) handleConsoleBookings(w http.ResponseWriter, r *http.Request) error {
	p := &consoleBookingsPage{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	s.FillBase(r, &p.BasePage, "console.bookings.title")
	if p.Query != "" {
		var err error
		if p.Bookings, err = s.Booking.SearchBookings(r.Context(), web.Actor(r), p.Query); err != nil {
			return err
		}
	}
	return s.Render(w, r, http.StatusOK, "console_bookings", p)
}

type rosterPage struct {
	web.BasePage
	Centers []*portal.TestCenter
	Roster  *booking.Roster
	Date    string
	Form    *web.Form
}

// Loc is the roster's center time zone.
func (p *rosterPage) Loc() *time.Location { return p.Roster.Center.Location() }

func (s *Pages) handleConsoleRoster(w http.ResponseWriter, r *http.Request) error {
	return s.renderRoster(w, r, http.StatusOK, web.NewForm(), nil)
}

func (s *Pages) renderRoster(w http.ResponseWriter, r *http.Request, status int, f *web.Form, failure error) error {
	centers, err := s.Centers.Centers(r.Context(), centers.CenterFilter{})
	if err != nil {
		return err
	}
	p := &rosterPage{Centers: centers, Form: f}
	s.FillBase(r, &p.BasePage, "console.roster.title")
	q := r.URL.Query()
	id, _ := strconv.ParseInt(q.Get("center"), 10, 64)
	p.Date = q.Get("date")
	if id != 0 {
		if p.Date == "" {
			if c, err := s.Centers.Center(r.Context(), id); err == nil {
				p.Date = s.Clock.Now().In(c.Location()).Format(time.DateOnly)
			}
		}
		if p.Roster, err = s.Booking.Roster(r.Context(), web.Actor(r), id, p.Date); err != nil {
			if !s.ApplyError(&p.BasePage, f, err, "date") {
				return err
			}
			status = web.FormStatus(err)
		}
	}
	if failure != nil && !s.ApplyError(&p.BasePage, f, failure, "roster") {
		return failure
	}
	return s.Render(w, r, status, "console_roster", p)
}

// rosterBack returns to the roster the form came from.
func rosterBack(r *http.Request, n web.Notice) string {
	return web.WithNotice("/console/roster?center="+r.PostForm.Get("center")+"&date="+r.PostForm.Get("date"), n)
}

// handleConsoleSlotCapacity changes the capacity of a slot.
func (s *Pages) handleConsoleSlotCapacity(w http.ResponseWriter, r *http.Request) error {
	return s.consoleAction(w, r, func(id int64) (web.Notice, error) {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("capacity")))
		if err != nil {
			n = -1
		}
		return noticeCapacityChanged, s.Centers.SetCapacity(r.Context(), web.Actor(r), id, n)
	})
}

// handleConsoleSlotClose closes a slot.
func (s *Pages) handleConsoleSlotClose(w http.ResponseWriter, r *http.Request) error {
	return s.consoleAction(w, r, func(id int64) (web.Notice, error) {
		_, err := s.Booking.CloseSlot(r.Context(), web.Actor(r), id)
		return noticeSlotClosed, err
	})
}

// handleConsoleBookingNoShow records that the candidate of a booking did
// not come ("absent") or came too late to sit ("late").
func (s *Pages) handleConsoleBookingNoShow(kind string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.consoleAction(w, r, func(id int64) (web.Notice, error) {
			return noticeNoShowRecorded, s.Booking.MarkNoShow(r.Context(), web.Actor(r), id, kind)
		})
	}
}

// handleConsoleBookingCheckIn records that the candidate of a test-center
// booking came.
func (s *Pages) handleConsoleBookingCheckIn(w http.ResponseWriter, r *http.Request) error {
	return s.consoleAction(w, r, func(id int64) (web.Notice, error) {
		_, err := s.Booking.CheckInAtCenter(r.Context(), web.Actor(r), id)
		return noticeCheckedIn, err
	})
}

// handleConsoleBookingCorrectNoShow corrects a no-show: the candidate sat
// the exam after all.
func (s *Pages) handleConsoleBookingCorrectNoShow(w http.ResponseWriter, r *http.Request) error {
	return s.consoleAction(w, r, func(id int64) (web.Notice, error) {
		_, err := s.Booking.CorrectNoShow(r.Context(), web.Actor(r), id)
		return noticeNoShowCorrected, err
	})
}

// handleConsoleBookingCancel cancels a booking for the candidate with a
// full refund.
func (s *Pages) handleConsoleBookingCancel(w http.ResponseWriter, r *http.Request) error {
	return s.consoleAction(w, r, func(id int64) (web.Notice, error) {
		_, err := s.Booking.Cancel(r.Context(), web.Actor(r), id, "staff: "+strings.TrimSpace(r.PostForm.Get("reason")))
		return noticeBookingCancelled, err
	})
}

// consoleAction runs an action on the {id} of the path, posted from the
// roster (the form names its center and date) or from the booking search,
// and returns there: with the refusal shown on the roster, or with the
// action's notice.
func (s *Pages) consoleAction(w http.ResponseWriter, r *http.Request, run func(id int64) (web.Notice, error)) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return portal.ErrNotFound
	}
	n, err := run(id)
	fromRoster := r.PostForm.Get("center") != ""
	switch {
	case err != nil && fromRoster && !errors.Is(err, portal.ErrNotFound):
		r.URL.RawQuery = "center=" + r.PostForm.Get("center") + "&date=" + r.PostForm.Get("date")
		return s.renderRoster(w, r, web.FormStatus(err), web.NewForm(), err)
	case err != nil:
		return err
	case fromRoster:
		http.Redirect(w, r, rosterBack(r, n), http.StatusSeeOther)
	default:
		http.Redirect(w, r, web.WithNotice("/console/bookings?q="+urlQuery(r.PostForm.Get("q")), n), http.StatusSeeOther)
	}
	return nil
}

// handleConsoleCloseDay closes a center on a date and tells its
// candidates.
func (s *Pages) handleConsoleCloseDay(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return portal.ErrNotFound
	}
	f := web.FormFrom(r, "close_date", "reason")
	if _, err := s.Booking.CloseCenterDay(r.Context(), web.Actor(r), id, f.Value("close_date"), f.Value("reason")); err != nil {
		r.URL.RawQuery = "center=" + r.PostForm.Get("center") + "&date=" + r.PostForm.Get("date")
		renameField(err, "date", "close_date")
		return s.renderRoster(w, r, web.FormStatus(err), f, err)
	}
	http.Redirect(w, r, web.WithNotice("/console/roster?center="+r.PathValue("id")+"&date="+f.Value("close_date"), noticeDayClosed), http.StatusSeeOther)
	return nil
}

type vouchersPage struct {
	web.BasePage
	Vouchers []*portal.Voucher
	Form     *web.Form
}

func (s *Pages) handleConsoleVouchers(w http.ResponseWriter, r *http.Request) error {
	return s.renderVouchers(w, r, web.NewForm(), nil)
}

// renderVouchers shows the vouchers and the form, with failure's field
// errors when a creation was refused.
func (s *Pages) renderVouchers(w http.ResponseWriter, r *http.Request, f *web.Form, failure error) error {
	list, err := s.Booking.Vouchers(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	p := &vouchersPage{Vouchers: list, Form: f}
	s.FillBase(r, &p.BasePage, "console.vouchers.title")
	if f.Value("max_uses") == "" {
		f.Values["max_uses"] = "1"
	}
	if failure == nil {
		return s.Render(w, r, http.StatusOK, "console_vouchers", p)
	}
	if !s.ApplyError(&p.BasePage, f, failure, "code") {
		return failure
	}
	return s.Render(w, r, web.FormStatus(failure), "console_vouchers", p)
}

// handleConsoleVoucherCreate issues a voucher (admins).
func (s *Pages) handleConsoleVoucherCreate(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, "code", "percent", "exam_codes", "max_uses", "expires_on", "note")
	percent, _ := strconv.Atoi(f.Value("percent"))
	uses, _ := strconv.Atoi(f.Value("max_uses"))
	var expires time.Time
	if day, err := time.Parse(time.DateOnly, f.Value("expires_on")); err == nil {
		expires = day.Add(24*time.Hour - time.Second) // valid through the whole day, UTC
	}
	_, err := s.Booking.CreateVoucher(r.Context(), web.Actor(r), booking.VoucherRequest{
		Code: f.Value("code"), Percent: percent, ExamCodes: strings.Split(f.Value("exam_codes"), ","), MaxUses: uses,
		ExpiresAt: expires, Note: f.Value("note"),
	})
	if err != nil {
		renameField(err, "expires_at", "expires_on")
		return s.renderVouchers(w, r, f, err)
	}
	http.Redirect(w, r, web.WithNotice("/console/vouchers", noticeVoucherCreated), http.StatusSeeOther)
	return nil
}

// renameField moves a service's field error to the form's field name.
func renameField(err error, from, to string) {
	var pe *portal.Error
	if errors.As(err, &pe) {
		for i := range pe.Fields {
			if pe.Fields[i].Field == from {
				pe.Fields[i].Field = to
			}
		}
	}
}
