package booking_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/centers"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/payments"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
)

// fixtureNow is the default start of the fake clock: Tuesday 2026-12-01,
// 07:00 in New York (EST, UTC-5).
var fixtureNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// fixtureHorizon keeps GenerateSlots small (an online start every 30
// minutes up to the horizon); the horizon rule itself is the same.
const fixtureHorizon = 21 * 24 * time.Hour

const (
	stripeTestKey    = "sk_test_scheduling"
	stripeTestSecret = "whsec_test_scheduling"
)

var newYork = mustLoadLocation("America/New_York")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// fixture is a booking service over a fresh store on one engine, with a
// fake clock, a candidate, a scheduler and an admin, two exams and a New
// York test center (created through the centers service) whose slots are
// generated.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	engine string
	st     *store.Store
	clock  *testutil.Clock
	pay    *payments.Providers
	svc    *booking.Service
	cfg    booking.Config
	// centers is the catalogue the bookings are made in.
	centers *centers.Service

	candidate, staff, admin portal.Actor
	saa, micro              *portal.Exam
	center                  *portal.TestCenter

	db     testdb.DB
	stripe *stripeRecorder // with withStripe
}

// in returns the fixture reporting to t, for use inside a subtest.
func (f *fixture) in(t *testing.T) *fixture {
	g := *f
	g.t = t
	return &g
}

type fixtureOptions struct {
	now    time.Time
	stripe string // stripe-mock's URL
}

type fixtureOption func(*fixtureOptions)

// at starts the fake clock at now instead of fixtureNow.
func at(now time.Time) fixtureOption { return func(o *fixtureOptions) { o.now = now } }

// withStripe configures the Stripe provider against stripe-mock (started
// once by the caller: it is stateless) behind a recording proxy of the
// fixture's own.
func withStripe(mockURL string) fixtureOption { return func(o *fixtureOptions) { o.stripe = mockURL } }

func newFixture(t *testing.T, engine string, opts ...fixtureOption) *fixture {
	t.Helper()
	o := fixtureOptions{now: fixtureNow}
	for _, opt := range opts {
		opt(&o)
	}
	db := testdb.Open(t, engine, o.now)
	f := &fixture{t: t, ctx: context.Background(), engine: engine, db: db, st: db.Store, clock: db.Clock}
	f.pay = &payments.Providers{Test: &payments.TestMode{}}
	if o.stripe != "" {
		f.stripe = newStripeRecorder(t, o.stripe)
		s, err := payments.NewStripe(payments.StripeConfig{SecretKey: stripeTestKey, WebhookSecret: stripeTestSecret, APIURL: f.stripe.url})
		if err != nil {
			t.Fatal(err)
		}
		f.pay.Stripe = s
	}
	f.cfg = booking.Config{BaseURL: "https://portal.example.org", ProgramName: "Example Cloud", Horizon: fixtureHorizon}
	f.svc = f.newService(f.cfg)
	f.centers = centers.New(f.st, f.clock, slog.New(slog.DiscardHandler), centers.Config{Horizon: fixtureHorizon})

	f.admin = f.newStaff(portal.SetAdmin)
	f.staff = f.newStaff(portal.SetScheduler)
	f.candidate = f.newCandidate()

	f.saa = f.createExam(portal.Exam{
		Code: "SAA-C03", Name: "Solutions Architect Associate", Level: portal.LevelAssociate, Kind: portal.KindExam,
		DurationMinutes: 120, Languages: "en,es", Delivery: portal.DeliveryTestCenter + "," + portal.DeliveryOnline,
		PriceMinor: 15000, Currency: "USD", PassingScore: 720, RetakeWaitDays: 14, MaxReschedules: 2, ValidityMonths: 36, Active: true,
	})
	f.micro = f.createExam(portal.Exam{
		Code: "MCR-101", Name: "Serverless Microcredential", Level: portal.LevelFoundational, Kind: portal.KindMicrocredential,
		DurationMinutes: 60, Languages: "en", Delivery: portal.DeliveryTestCenter + "," + portal.DeliveryOnline,
		PriceMinor: 5000, Currency: "USD", PassingScore: 700, RetakeWaitDays: 25, MaxReschedules: 2, ValidityMonths: 24, Active: true,
	})
	var err error
	f.center, err = f.centers.CreateCenter(f.ctx, f.admin, portal.TestCenter{
		Code: "NYC-01", Name: "Midtown Test Center", AddressLine1: "350 5th Ave", City: "New York", Region: "US-NY",
		PostalCode: "10118", Country: "US", Latitude: 40.7484, Longitude: -73.9857, TimeZone: "America/New_York",
		Seats: 10, Hours: "mon-sun 08:00-21:00", Active: true,
	})
	if err != nil {
		t.Fatalf("create center: %v", err)
	}
	if n, err := f.centers.GenerateSlots(f.ctx); err != nil || n == 0 {
		t.Fatalf("GenerateSlots = %d, %v", n, err)
	}
	return f
}

// newService builds another service over the same store, clock and
// providers (another instance, or the program after a rule change).
func (f *fixture) newService(cfg booking.Config) *booking.Service {
	return booking.New(f.st, f.clock, slog.New(slog.DiscardHandler), f.pay, cfg)
}

// newUser creates an account of role; verified sets its email verified.
func (f *fixture) newUser(role portal.Role, verified bool) portal.Actor {
	f.t.Helper()
	return f.newUsers(role, verified, 1)[0]
}

func (f *fixture) newCandidate() portal.Actor { return f.db.Candidate(f.t) }

// newStaff creates a staff account holding the permission sets, with a
// second factor.
func (f *fixture) newStaff(sets ...portal.PermissionSet) portal.Actor {
	return f.db.Staff(f.t, sets...)
}

// newUsers creates n accounts in one transaction.
func (f *fixture) newUsers(role portal.Role, verified bool, n int) []portal.Actor {
	f.t.Helper()
	return f.db.Users(f.t, testdb.User{Role: role, Unverified: !verified}, n)
}

// createExam inserts an exam; zero rules get workable defaults.
func (f *fixture) createExam(e portal.Exam) *portal.Exam {
	f.t.Helper()
	return f.db.Exam(f.t, e)
}

// recordAttempt adds an official attempt at exam taken at takenAt, with
// the exam's retake wait counted in whole days of UTC after a failure.
func (f *fixture) recordAttempt(user portal.Actor, exam *portal.Exam, takenAt time.Time, passed bool) {
	f.t.Helper()
	f.db.Attempt(f.t, user, exam, nil, takenAt, passed)
}

// centerSlot returns the slot of center c (the fixture's when nil) that
// starts at the local date and clock time ("2026-12-05", "09:00").
func (f *fixture) centerSlotOf(c *portal.TestCenter, date, clock string) *portal.Slot {
	f.t.Helper()
	start, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, c.Location())
	if err != nil {
		f.t.Fatal(err)
	}
	list, err := f.st.ListSlots(f.ctx, store.SlotFilter{CenterID: &c.ID, From: start, To: start.Add(time.Second)})
	if err != nil || len(list) != 1 {
		f.t.Fatalf("slot of %s at %s %s: %d slots, %v", c.Code, date, clock, len(list), err)
	}
	return list[0]
}

func (f *fixture) centerSlot(date, clock string) *portal.Slot {
	f.t.Helper()
	return f.centerSlotOf(f.center, date, clock)
}

// onlineSlot returns the online start at the instant.
func (f *fixture) onlineSlot(start time.Time) *portal.Slot {
	f.t.Helper()
	list, err := f.st.ListSlots(f.ctx, store.SlotFilter{Online: true, From: start, To: start.Add(time.Second)})
	if err != nil || len(list) != 1 {
		f.t.Fatalf("online slot at %s: %d slots, %v", start.UTC().Format(time.RFC3339), len(list), err)
	}
	return list[0]
}

// slot re-reads a slot.
func (f *fixture) slot(id int64) *portal.Slot {
	f.t.Helper()
	sl, err := f.st.GetSlot(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return sl
}

// reschedule makes a free move (no payment details).
func (f *fixture) reschedule(actor portal.Actor, bookingID, slotID int64) (*portal.BookingDetail, error) {
	res, err := f.svc.Reschedule(f.ctx, actor, bookingID, booking.RescheduleRequest{SlotID: slotID})
	if err != nil {
		return nil, err
	}
	return res.Booking, nil
}

func (f *fixture) booking(id int64) *portal.BookingDetail {
	f.t.Helper()
	b, err := f.st.GetBooking(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

func (f *fixture) payment(id int64) *portal.Payment {
	f.t.Helper()
	p, err := f.st.GetPayment(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) hold(actor portal.Actor, exam *portal.Exam, sl *portal.Slot) *portal.BookingDetail {
	f.t.Helper()
	b, err := f.svc.Hold(f.ctx, actor, booking.HoldRequest{ExamID: exam.ID, SlotID: sl.ID})
	if err != nil {
		f.t.Fatalf("hold %s at slot %d: %v", exam.Code, sl.ID, err)
	}
	return b
}

// paidCheckout pays the actor's cart with the test card, agreeing to
// everything an online exam needs.
func (f *fixture) paidCheckout(actor portal.Actor) *booking.CheckoutResult {
	f.t.Helper()
	res, err := f.svc.Checkout(f.ctx, actor, booking.CheckoutRequest{Provider: portal.ProviderTest, Card: payments.TestCardSuccess,
		SystemChecked: true, AgreeRules: true, AgreePrivacy: true})
	if err != nil {
		f.t.Fatalf("checkout: %v", err)
	}
	return res
}

// buy holds and pays for one seat; the booking is confirmed.
func (f *fixture) buy(actor portal.Actor, exam *portal.Exam, sl *portal.Slot) *portal.BookingDetail {
	f.t.Helper()
	b := f.hold(actor, exam, sl)
	f.paidCheckout(actor)
	b = f.booking(b.ID)
	if b.State != portal.BookingConfirmed {
		f.t.Fatalf("bought booking is %s, want confirmed", b.State)
	}
	return b
}

func (f *fixture) createVoucher(r booking.VoucherRequest) *portal.Voucher {
	f.t.Helper()
	if r.MaxUses == 0 {
		r.MaxUses = 1
	}
	if r.ExpiresAt.IsZero() {
		r.ExpiresAt = f.clock.Now().Add(30 * 24 * time.Hour)
	}
	v, err := f.svc.CreateVoucher(f.ctx, f.admin, r)
	if err != nil {
		f.t.Fatalf("create voucher: %v", err)
	}
	return v
}

func (f *fixture) voucher(id int64) *portal.Voucher {
	f.t.Helper()
	v, err := f.st.GetVoucher(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

// setCapacity changes a slot's seats as staff.
func (f *fixture) setCapacity(sl *portal.Slot, capacity int) {
	f.t.Helper()
	if err := f.centers.SetCapacity(f.ctx, f.staff, sl.ID, capacity); err != nil {
		f.t.Fatalf("set capacity of slot %d to %d: %v", sl.ID, capacity, err)
	}
}

// checkInvariants fails the test on any violation store.CheckInvariants
// reports.
func (f *fixture) checkInvariants() {
	f.t.Helper()
	f.db.CheckInvariants(f.t)
}

// count runs a SELECT COUNT(*) with no parameters (ids are formatted in).
func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	return f.db.Count(f.t, fmt.Sprintf(query, args...))
}

// exec runs a statement with no parameters on the database directly.
func (f *fixture) exec(query string, args ...any) {
	f.t.Helper()
	f.db.Exec(f.t, fmt.Sprintf(query, args...))
}

// audits counts audit events of action about subject ("" any).
func (f *fixture) audits(action, subject string) int {
	f.t.Helper()
	_, n, err := f.st.ListAudit(f.ctx, portal.AuditFilter{Action: action, Subject: subject})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// outbox returns the queued jobs of kind.
func (f *fixture) outbox(kind string) []*store.OutboxJob {
	f.t.Helper()
	list, err := f.st.ListPendingOutbox(f.ctx, 10000)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []*store.OutboxJob
	for _, j := range list {
		if j.Kind == kind {
			out = append(out, j)
		}
	}
	return out
}

// mails returns the queued mails whose data names the booking reference.
func (f *fixture) mails(reference string) []mail.Message {
	f.t.Helper()
	var out []mail.Message
	for _, j := range f.outbox(mail.KindSend) {
		var m mail.Message
		if err := json.Unmarshal([]byte(j.Args), &m); err != nil {
			f.t.Fatalf("mail job %d: %v", j.ID, err)
		}
		if m.Data["Reference"] == reference {
			out = append(out, m)
		}
	}
	return out
}

// refunds returns the refunds of a booking.
func (f *fixture) refunds(user portal.Actor, bookingID int64) *portal.Refund {
	f.t.Helper()
	m, err := f.svc.Refunds(f.ctx, user)
	if err != nil {
		f.t.Fatal(err)
	}
	return m[bookingID]
}

// runRefundJobs runs every queued refund job n times.
func (f *fixture) runRefundJobs(n int) int {
	f.t.Helper()
	jobs := f.outbox(booking.KindRefund)
	for range n {
		for _, j := range jobs {
			if err := f.svc.HandleRefundJob(f.ctx, json.RawMessage(j.Args)); err != nil {
				f.t.Fatalf("refund job %s: %v", j.Args, err)
			}
		}
	}
	return len(jobs)
}

// refusal returns the *portal.Error of err, failing when there is none.
func refusal(t *testing.T, err error) *portal.Error {
	t.Helper()
	var pe *portal.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *portal.Error", err)
	}
	return pe
}

// wantRefused fails unless err is a *portal.Error with the message.
func wantRefused(t *testing.T, err error, message string) *portal.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %s", message)
	}
	pe := refusal(t, err)
	if pe.Message != message {
		t.Fatalf("err = %v, want %s", err, message)
	}
	return pe
}

// wantField fails unless err has a field error on field with message.
func wantField(t *testing.T, err error, field, message string) {
	t.Helper()
	pe := refusal(t, err)
	for _, fe := range pe.Fields {
		if fe.Field == field && fe.Message == message {
			return
		}
	}
	t.Fatalf("err = %v (fields %+v), want field %s: %s", err, pe.Fields, field, message)
}

// dataTime reads a time placeholder of a refusal.
func dataTime(t *testing.T, pe *portal.Error, key string) time.Time {
	t.Helper()
	v, ok := pe.Data[key].(time.Time)
	if !ok {
		t.Fatalf("Data[%q] = %#v, want a time.Time", key, pe.Data[key])
	}
	return v
}

// stripeRecorder is stripe-mock behind a proxy that counts requests. When
// intercept is set and returns a status, the proxy answers with it
// instead of stripe-mock.
type stripeRecorder struct {
	url       string
	mu        sync.Mutex
	reqs      []string // "METHOD /path"
	intercept func(methodPath string) (status int, body string)
}

func newStripeRecorder(t *testing.T, mockURL string) *stripeRecorder {
	t.Helper()
	mock, err := url.Parse(mockURL)
	if err != nil {
		t.Fatal(err)
	}
	rec := &stripeRecorder{}
	proxy := httputil.NewSingleHostReverseProxy(mock)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, r.Method+" "+r.URL.Path)
		intercept := rec.intercept
		rec.mu.Unlock()
		if intercept != nil {
			if status, body := intercept(r.Method + " " + r.URL.Path); status != 0 {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				_, _ = io.WriteString(w, body)
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rec.url = srv.URL
	return rec
}

func (r *stripeRecorder) setIntercept(fn func(methodPath string) (int, string)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.intercept = fn
}

func (r *stripeRecorder) calls(methodPath string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, q := range r.reqs {
		if q == methodPath {
			n++
		}
	}
	return n
}

func holdReq(e *portal.Exam, sl *portal.Slot) booking.HoldRequest {
	return booking.HoldRequest{ExamID: e.ID, SlotID: sl.ID}
}

// fieldErrors returns field -> message of an invalid *portal.Error.
func fieldErrors(t *testing.T, err error) map[string]string {
	t.Helper()
	return testutil.FieldErrors(t, err)
}
