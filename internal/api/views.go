package api

import (
	"math"
	"strings"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/centers"
	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/portal"
)

// The JSON shapes of responses. Each has its schema in openapi.json under
// the name in its comment.

// money is an amount in minor units of an ISO 4217 currency (Money).
type money struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

// utc formats an instant as RFC 3339 in UTC.
func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// local formats an instant as RFC 3339 with the offset of loc.
func local(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.RFC3339) }

func utcPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := utc(*t)
	return &s
}

// splitList splits a comma-separated column into a list, never nil.
func splitList(s string) []string {
	out := []string{}
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// examView is an exam of the catalog (Exam).
type examView struct {
	Code            string       `json:"code"`
	Name            string       `json:"name"`
	Description     string       `json:"description"`
	Level           string       `json:"level"`
	Kind            string       `json:"kind"`
	DurationMinutes int          `json:"duration_minutes"`
	Languages       []string     `json:"languages"`
	Delivery        []string     `json:"delivery"`
	Price           money        `json:"price"`
	PassingScore    int          `json:"passing_score"`
	Domains         []domainView `json:"domains"`
	RetakeWaitDays  int          `json:"retake_wait_days"`
	MaxReschedules  int          `json:"max_reschedules"`
	RescheduleFee   money        `json:"reschedule_fee"`
	ValidityMonths  int          `json:"validity_months"`
}

type domainView struct {
	Name          string `json:"name"`
	WeightPercent int    `json:"weight_percent"`
}

func newExamView(e *portal.Exam) examView {
	v := examView{
		Code: e.Code, Name: e.Name, Description: e.Description, Level: e.Level, Kind: e.Kind,
		DurationMinutes: e.DurationMinutes, Languages: splitList(e.Languages), Delivery: splitList(e.Delivery),
		Price: money{e.PriceMinor, e.Currency}, PassingScore: e.PassingScore, Domains: []domainView{},
		RetakeWaitDays: e.RetakeWaitDays, MaxReschedules: e.MaxReschedules, RescheduleFee: money{e.RescheduleFeeMinor, e.Currency},
		ValidityMonths: e.ValidityMonths,
	}
	for _, d := range e.Domains {
		v.Domains = append(v.Domains, domainView{Name: d.Name, WeightPercent: d.WeightPercent})
	}
	return v
}

// placeView is a resolved place (Place).
type placeView struct {
	Name       string  `json:"name"`
	Region     string  `json:"region"`
	RegionName string  `json:"region_name,omitempty"`
	Country    string  `json:"country"`
	Lat        float64 `json:"lat"`
	Lon        float64 `json:"lon"`
	PostalCode string  `json:"postal_code,omitempty"`
}

func newPlaceView(p geo.Place) placeView {
	return placeView{Name: p.Name, Region: p.Region, RegionName: geo.RegionName(p.Country, p.Region), Country: p.Country,
		Lat: p.Lat, Lon: p.Lon, PostalCode: p.Postal}
}

// centerView is a test center (Center); Distance is set in search results.
type centerView struct {
	ID         int64     `json:"id"`
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	Address    string    `json:"address"`
	City       string    `json:"city"`
	Region     string    `json:"region"`
	PostalCode string    `json:"postal_code"`
	Country    string    `json:"country"`
	Lat        float64   `json:"lat"`
	Lon        float64   `json:"lon"`
	TimeZone   string    `json:"time_zone"`
	Distance   *distance `json:"distance,omitempty"`
}

type distance struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

func newCenterView(c *portal.TestCenter) centerView {
	addr := c.AddressLine1
	if c.AddressLine2 != "" {
		addr += ", " + c.AddressLine2
	}
	return centerView{ID: c.ID, Code: c.Code, Name: c.Name, Address: addr, City: c.City, Region: c.Region,
		PostalCode: c.PostalCode, Country: c.Country, Lat: c.Latitude, Lon: c.Longitude, TimeZone: c.TimeZone}
}

// searchView is the answer to a center search (CenterSearch).
type searchView struct {
	Place       placeView    `json:"place"`
	Radius      int          `json:"radius"`
	Unit        string       `json:"unit"`
	Centers     []centerView `json:"centers"`
	Attribution string       `json:"attribution"`
}

func newSearchView(res *centers.SearchResult, q centers.Search) searchView {
	v := searchView{Place: newPlaceView(res.Place), Radius: q.Radius, Unit: q.Unit, Centers: []centerView{}, Attribution: geo.PlacesNotice}
	for _, cd := range res.Centers {
		c := newCenterView(cd.Center)
		c.Distance = &distance{Value: math.Round(cd.In(q.Unit)*10) / 10, Unit: q.Unit}
		v.Centers = append(v.Centers, c)
	}
	return v
}

// dayView is one local date with its free slots (Day).
type dayView struct {
	Date  string     `json:"date"`
	Slots []slotView `json:"slots"`
}

// slotView is a bookable start (Slot).
type slotView struct {
	ID       int64  `json:"id"`
	StartsAt string `json:"starts_at"`
	Local    string `json:"local"`
	Session  string `json:"session"`
	Free     int    `json:"free"`
}

// newDayViews converts days, keeping those from from to to (YYYY-MM-DD,
// inclusive; empty means open).
func newDayViews(days []centers.Day, loc *time.Location, from, to string) []dayView {
	out := []dayView{}
	for _, d := range days {
		key := d.Key()
		if (from != "" && key < from) || (to != "" && key > to) {
			continue
		}
		dv := dayView{Date: key, Slots: []slotView{}}
		for _, sl := range d.Slots {
			dv.Slots = append(dv.Slots, slotView{ID: sl.ID, StartsAt: utc(sl.StartsAt), Local: local(sl.StartsAt, loc),
				Session: sl.Session, Free: sl.Free()})
		}
		out = append(out, dv)
	}
	return out
}

// centerSlotsView is a center's availability (CenterSlots).
type centerSlotsView struct {
	Center   centerView `json:"center"`
	TimeZone string     `json:"time_zone"`
	Days     []dayView  `json:"days"`
}

// onlineSlotsView is the online availability (OnlineSlots).
type onlineSlotsView struct {
	TimeZone string    `json:"time_zone"`
	Days     []dayView `json:"days"`
}

// bookingView is a booking of the signed-in candidate (Booking).
type bookingView struct {
	Reference      string         `json:"reference"`
	State          string         `json:"state"`
	Exam           bookingExam    `json:"exam"`
	Language       string         `json:"language"`
	Online         bool           `json:"online"`
	Session        string         `json:"session"`
	SlotID         int64          `json:"slot_id"`
	StartsAt       string         `json:"starts_at"`
	EndsAt         string         `json:"ends_at"`
	Local          string         `json:"local"`
	TimeZone       string         `json:"time_zone"`
	Center         *bookingCenter `json:"center"`
	Price          money          `json:"price"`
	Discount       money          `json:"discount"`
	Amount         money          `json:"amount"`
	HoldExpiresAt  *string        `json:"hold_expires_at"`
	ConfirmedAt    *string        `json:"confirmed_at"`
	CancelledAt    *string        `json:"cancelled_at"`
	Reschedules    int            `json:"reschedules"`
	MaxReschedules int            `json:"max_reschedules"`
	CreatedAt      string         `json:"created_at"`
	Refund         *refundView    `json:"refund,omitempty"`
	// Set on GET /bookings/{reference}: what cancelling or moving the
	// booking now would do.
	Cancel     *cancelView     `json:"cancel,omitempty"`
	Reschedule *rescheduleView `json:"reschedule,omitempty"`
}

type bookingExam struct {
	Code            string `json:"code"`
	Name            string `json:"name"`
	DurationMinutes int    `json:"duration_minutes"`
}

type bookingCenter struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Address string `json:"address"`
	City    string `json:"city"`
	Country string `json:"country"`
}

// refundView is the refund of a cancelled booking (Refund).
type refundView struct {
	Amount money  `json:"amount"`
	State  string `json:"state"`
}

// cancelView says what cancelling now would do (CancelQuote).
type cancelView struct {
	Allowed  bool   `json:"allowed"`
	Deadline string `json:"deadline"`
	Percent  int    `json:"percent"`
	Refund   money  `json:"refund"`
}

// rescheduleView says whether the booking can be moved now, and what a
// move costs.
type rescheduleView struct {
	Allowed  bool   `json:"allowed"`
	Deadline string `json:"deadline"`
	Fee      money  `json:"fee"`
}

// moveStartedView is a move waiting for its fee, paid on the provider's
// page (RescheduleStarted).
type moveStartedView struct {
	State       string `json:"state"`
	Fee         money  `json:"fee"`
	Payment     string `json:"payment"`
	RedirectURL string `json:"redirect_url"`
}

func newBookingView(b *portal.BookingDetail, refund *portal.Refund) bookingView {
	loc := b.Location()
	v := bookingView{
		Reference: b.Reference, State: b.State,
		Exam:     bookingExam{Code: b.ExamCode, Name: b.ExamName, DurationMinutes: b.DurationMinutes},
		Language: b.Language, Online: b.Online(), Session: b.Session, SlotID: b.SlotID,
		StartsAt: utc(b.StartsAt), EndsAt: utc(b.EndsAt()), Local: local(b.StartsAt, loc), TimeZone: loc.String(),
		Price: money{b.PriceMinor, b.Currency}, Discount: money{b.DiscountMinor, b.Currency}, Amount: money{b.AmountMinor(), b.Currency},
		ConfirmedAt: utcPtr(b.ConfirmedAt), CancelledAt: utcPtr(b.CancelledAt),
		Reschedules: b.Reschedules, MaxReschedules: b.MaxReschedules, CreatedAt: utc(b.CreatedAt),
	}
	if b.State == portal.BookingHeld || b.State == portal.BookingPending {
		v.HoldExpiresAt = utcPtr(b.HoldExpiresAt)
	}
	if b.CenterID != nil {
		v.Center = &bookingCenter{ID: *b.CenterID, Name: b.CenterName, Address: b.CenterAddress, City: b.CenterCity, Country: b.CenterCountry}
	}
	if refund != nil {
		v.Refund = &refundView{Amount: money{refund.AmountMinor, refund.Currency}, State: refund.State}
	}
	return v
}

// cartView is the unpaid holds (Cart).
type cartView struct {
	Items []bookingView `json:"items"`
	// Total is null when the cart is empty or its items differ in
	// currency (which checkout refuses).
	Total     *money  `json:"total"`
	ExpiresAt *string `json:"expires_at"`
	// Online: an item is an online exam, so checkout needs the system
	// check and the agreements.
	Online bool `json:"online"`
	// Vouchers are the candidate's own vouchers that can still be applied
	// to an item (listed while the cart has items).
	Vouchers []ownedVoucherView `json:"vouchers"`
}

// ownedVoucherView is a voucher issued to the candidate, such as the pass
// voucher of a certification.
type ownedVoucherView struct {
	Code          string                `json:"code"`
	Percent       int                   `json:"percent"`
	ExamCodes     []string              `json:"exam_codes"` // empty: any exam
	ExpiresAt     string                `json:"expires_at"`
	Certification *voucherCertification `json:"certification"`
}

type voucherCertification struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	ExpiresOn string `json:"expires_on"`
}

func newCartView(c *booking.Cart) cartView {
	v := cartView{Items: []bookingView{}, Online: c.Online, Vouchers: []ownedVoucherView{}}
	for _, o := range c.Vouchers {
		ov := ownedVoucherView{Code: o.Code, Percent: o.Percent, ExamCodes: []string{}, ExpiresAt: *utcPtr(&o.ExpiresAt)}
		if o.ExamCodes != "" {
			ov.ExamCodes = strings.Split(o.ExamCodes, ",")
		}
		if o.CertificationCode != "" {
			ov.Certification = &voucherCertification{Code: o.CertificationCode, Name: o.CertificationName, ExpiresOn: o.CertificationExpiresOn}
		}
		v.Vouchers = append(v.Vouchers, ov)
	}
	for _, b := range c.Items {
		v.Items = append(v.Items, newBookingView(b, nil))
	}
	if len(c.Items) > 0 && c.Currency != "" {
		v.Total = &money{c.Total, c.Currency}
	}
	if !c.ExpiresAt.IsZero() {
		v.ExpiresAt = utcPtr(&c.ExpiresAt)
	}
	return v
}

// checkoutView is a finished or started checkout (Checkout).
type checkoutView struct {
	Payment     paymentView   `json:"payment"`
	Bookings    []bookingView `json:"bookings"`
	RedirectURL string        `json:"redirect_url,omitempty"`
}

type paymentView struct {
	Reference string `json:"reference"`
	Provider  string `json:"provider"`
	State     string `json:"state"`
	Amount    money  `json:"amount"`
}

func newCheckoutView(res *booking.CheckoutResult) checkoutView {
	p := res.Payment
	v := checkoutView{
		Payment:  paymentView{Reference: p.Reference, Provider: p.Provider, State: p.State, Amount: money{p.AmountMinor, p.Currency}},
		Bookings: []bookingView{}, RedirectURL: res.RedirectURL,
	}
	for _, b := range res.Bookings {
		v.Bookings = append(v.Bookings, newBookingView(b, nil))
	}
	return v
}

// cancellationView is a cancelled booking and its refund (Cancellation).
type cancellationView struct {
	Booking bookingView `json:"booking"`
	Refund  refundView  `json:"refund"`
}
