// Package testdb builds the rows service tests start from (accounts,
// exams, certifications, bookings, results) directly in a fresh store on
// one engine, so that every package describes its world the same way and a
// change of schema is fixed in one place. It is imported by tests only.
//
// Builders write through the store, not through the services: a booking
// test that needs a passed exam should not depend on the results service's
// rules, and the other way round. Each package's own fixture embeds a DB and
// adds the service under test.
package testdb

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// DB is a fresh store on one engine with a fake clock. Copies share the
// store, the clock and the account sequence.
type DB struct {
	Engine string
	Store  *store.Store
	Clock  *testutil.Clock
	seq    *atomic.Int64
}

// Open opens a fresh store on engine whose fake clock starts at now.
func Open(tb testing.TB, engine string, now time.Time) DB {
	tb.Helper()
	clock := testutil.NewClock(now)
	return DB{Engine: engine, Store: testutil.MustOpenStore(tb, engine, clock), Clock: clock, seq: new(atomic.Int64)}
}

// User describes an account to create; zero fields get defaults.
type User struct {
	Role       portal.Role // candidate unless set
	Unverified bool        // email not verified
	FirstName  string      // "Casey"
	LastName   string      // "Person<n>"
	Email      string      // "user<n>@example.org"
	Language   string      // "en"
}

// Users creates n accounts like u in one transaction. Account i has login
// ID CP<i, 8 digits>, email user<i>@example.org unless u names one (then
// n must be 1), and its own address in
// TEST-NET-2, as candidates at home have.
func (d DB) Users(tb testing.TB, u User, n int) []portal.Actor {
	tb.Helper()
	if u.Role == "" {
		u.Role = portal.RoleCandidate
	}
	if u.FirstName == "" {
		u.FirstName = "Casey"
	}
	if u.Language == "" {
		u.Language = "en"
	}
	ctx := context.Background()
	var out []portal.Actor
	err := d.Store.Transact(ctx, func(tx *store.Tx) error {
		out = out[:0]
		for range n {
			i := d.seq.Add(1)
			last := u.LastName
			if last == "" {
				last = fmt.Sprintf("Person%d", i)
			}
			email := u.Email
			if email == "" {
				email = fmt.Sprintf("user%d@example.org", i)
			}
			uc := store.UserCreate{LoginID: fmt.Sprintf("CP%08d", i), Email: email,
				FirstName: u.FirstName, LastName: last, Role: u.Role, Language: u.Language, Country: "US"}
			if !u.Unverified {
				v := tx.Now().Add(-time.Hour)
				uc.EmailVerifiedAt = &v
			}
			row, err := tx.CreateUser(ctx, uc)
			if err != nil {
				return err
			}
			out = append(out, portal.Actor{UserID: row.ID, Role: u.Role, IP: fmt.Sprintf("198.51.100.%d", i%250+1), RequestID: "test"})
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("create users: %v", err)
	}
	return out
}

// Candidate creates a verified candidate.
func (d DB) Candidate(tb testing.TB) portal.Actor {
	tb.Helper()
	return d.Users(tb, User{}, 1)[0]
}

// Staff creates a staff account holding sets, with a second factor it
// proved, with its password, at the clock's current time: what a freshly
// signed-in staff session yields.
func (d DB) Staff(tb testing.TB, sets ...portal.PermissionSet) portal.Actor {
	tb.Helper()
	a := d.Users(tb, User{Role: portal.RoleStaff}, 1)[0]
	return testutil.StaffActor(a.UserID, d.Clock.Now(), sets...)
}

// LoginID returns the account's login ID.
func (d DB) LoginID(tb testing.TB, a portal.Actor) string {
	tb.Helper()
	return d.User(tb, a).LoginID
}

// User returns the account of a.
func (d DB) User(tb testing.TB, a portal.Actor) *portal.User {
	tb.Helper()
	u, err := d.Store.GetUser(context.Background(), a.UserID)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// Exam inserts an exam. Zero rules get workable defaults (associate exam,
// 120 minutes in English online, USD 150, passing score 700, 36 months);
// Active is taken as given.
func (d DB) Exam(tb testing.TB, e portal.Exam) *portal.Exam {
	tb.Helper()
	setDefault(&e.Level, portal.LevelAssociate)
	setDefault(&e.Kind, portal.KindExam)
	setDefault(&e.DurationMinutes, 120)
	setDefault(&e.Languages, "en")
	setDefault(&e.Delivery, portal.DeliveryOnline)
	setDefault(&e.Currency, "USD")
	setDefault(&e.PriceMinor, 15000)
	setDefault(&e.PassingScore, 700)
	setDefault(&e.ValidityMonths, 36)
	return transact(tb, d, "create exam "+e.Code, func(ctx context.Context, tx *store.Tx) (*portal.Exam, error) {
		return tx.CreateExam(ctx, e)
	})
}

// Certification inserts a certification earned by the exam codes in
// c.EarnedBy. Zero fields get defaults (an active associate certification
// valid 36 months).
func (d DB) Certification(tb testing.TB, c portal.Certification) *portal.Certification {
	tb.Helper()
	setDefault(&c.Level, portal.LevelAssociate)
	setDefault(&c.Kind, portal.CertKindCertification)
	setDefault(&c.ValidityMonths, 36)
	c.Active = true
	return transact(tb, d, "create certification "+c.Code, func(ctx context.Context, tx *store.Tx) (*portal.Certification, error) {
		return tx.CreateCertification(ctx, c)
	})
}

// Attempt inserts an official, published result of the exam taken at
// takenAt: passed at the passing score, or failed at the lowest score
// with the exam's retake wait counted in whole days after takenAt.
// cert, when not nil, is the certification the attempt counts for.
func (d DB) Attempt(tb testing.TB, user portal.Actor, exam *portal.Exam, cert *portal.Certification, takenAt time.Time, passed bool) *portal.Attempt {
	tb.Helper()
	a := portal.Attempt{UserID: user.UserID, ExamID: exam.ID, ExamCode: exam.Code, TakenAt: takenAt,
		Score: exam.PassingScore, Passed: passed, PassingScore: exam.PassingScore, RetakeWaitDays: exam.RetakeWaitDays,
		State: portal.AttemptOfficial, Source: portal.SourceConsole, OfficialAt: takenAt, PublishedAt: &takenAt}
	if cert != nil {
		a.CertificationID = &cert.ID
	}
	if !passed {
		a.Score = portal.MinScore
		from := takenAt.AddDate(0, 0, exam.RetakeWaitDays)
		a.RetakeFrom = &from
	}
	return transact(tb, d, "record attempt", func(ctx context.Context, tx *store.Tx) (*portal.Attempt, error) {
		return tx.InsertAttempt(ctx, a)
	})
}

// Earned gives user the certification, as results issue it after a pass
// of exam taken at takenAt and published now: the official attempt, the
// earned certification (cycle 1, valid from takenAt for the
// certification's validity) and the certification.issued event.
func (d DB) Earned(tb testing.TB, user portal.Actor, exam *portal.Exam, cert *portal.Certification, takenAt time.Time) *portal.UserCertification {
	tb.Helper()
	a := d.Attempt(tb, user, exam, cert, takenAt, true)
	expires := takenAt.AddDate(0, cert.ValidityMonths, 0)
	return transact(tb, d, "earn certification", func(ctx context.Context, tx *store.Tx) (*portal.UserCertification, error) {
		uc, err := tx.InsertUserCertification(ctx, portal.UserCertification{UserID: user.UserID, CertificationID: cert.ID,
			AttemptID: a.ID, Cycle: 1, Kind: cert.Kind, ValidityMonths: cert.ValidityMonths,
			IssuedOn: takenAt.Format(time.DateOnly), ExpiresOn: expires.Format(time.DateOnly),
			IssuedAt: takenAt, ExpiresAt: expires.AddDate(0, 0, 1)})
		if err != nil {
			return nil, err
		}
		err = tx.AppendEvent(portal.EventCertificationIssued, portal.SubjectCertification, uc.ID, cert.Code, 0,
			map[string]any{"certification": cert.Code, "user": user.UserID})
		return uc, err
	})
}

// ConfirmedBooking makes a paid booking of the online start, as checkout
// leaves it: its seat taken, the slot created when it is missing.
func (d DB) ConfirmedBooking(tb testing.TB, user portal.Actor, exam *portal.Exam, start time.Time, ref string) *portal.Booking {
	tb.Helper()
	transact(tb, d, "slot", func(ctx context.Context, tx *store.Tx) (bool, error) {
		return tx.EnsureSlot(ctx, nil, start, portal.SessionOnline, 10)
	})
	slots, err := d.Store.ListSlots(context.Background(), store.SlotFilter{Online: true, From: start, To: start.Add(time.Second)})
	if err != nil || len(slots) != 1 {
		tb.Fatalf("online slot at %s: %d, %v", start, len(slots), err)
	}
	return transact(tb, d, "booking "+ref, func(ctx context.Context, tx *store.Tx) (*portal.Booking, error) {
		now := tx.Now()
		if err := tx.TakeSeat(ctx, slots[0].ID, time.Time{}); err != nil {
			return nil, err
		}
		return tx.CreateBooking(ctx, portal.Booking{Reference: ref, UserID: user.UserID, ExamID: exam.ID, SlotID: slots[0].ID,
			State: portal.BookingConfirmed, Language: "en", PriceMinor: exam.PriceMinor, Currency: exam.Currency, Policy: "{}",
			AgreedAt: &now, SystemCheckedAt: &now})
	})
}

// DeliveredBooking makes a confirmed booking of the online start (as
// ConfirmedBooking) and settles it as delivered, as a check-in or a result
// does: the candidate sat the exam and the seat is released. start must
// be before the clock's now.
func (d DB) DeliveredBooking(tb testing.TB, user portal.Actor, exam *portal.Exam, start time.Time, ref string) *portal.BookingDetail {
	tb.Helper()
	b := d.ConfirmedBooking(tb, user, exam, start, ref)
	return transact(tb, d, "deliver "+ref, func(ctx context.Context, tx *store.Tx) (*portal.BookingDetail, error) {
		return tx.DeliverBooking(ctx, portal.Actor{}, b.ID, portal.DeliveryCheckIn)
	})
}

// Count runs a SELECT COUNT(*) whose ? placeholders take args.
func (d DB) Count(tb testing.TB, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := d.Store.DB().QueryRowContext(context.Background(), testutil.Rebind(d.Engine, query), args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// Exec runs a statement whose ? placeholders take args on the database
// directly, bypassing the store: for states no service path reaches.
func (d DB) Exec(tb testing.TB, query string, args ...any) {
	tb.Helper()
	if _, err := d.Store.DB().ExecContext(context.Background(), testutil.Rebind(d.Engine, query), args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}

// Audit returns the audit entries of action about subject ("" any), newest
// first.
func (d DB) Audit(tb testing.TB, action, subject string) []*portal.AuditEvent {
	tb.Helper()
	list, _, err := d.Store.ListAudit(context.Background(), portal.AuditFilter{Action: action, Subject: subject, Limit: 1000})
	if err != nil {
		tb.Fatal(err)
	}
	return list
}

// Events counts the events of type about the subject.
func (d DB) Events(tb testing.TB, typ portal.EventType, kind string, id int64) int {
	tb.Helper()
	list, err := d.Store.ListEvents(context.Background(), portal.EventFilter{Types: []portal.EventType{typ}, SubjectKind: kind, SubjectID: id, Limit: 1000})
	if err != nil {
		tb.Fatal(err)
	}
	return len(list)
}

// CheckInvariants fails the test on any violation the store's invariant
// checker reports.
func (d DB) CheckInvariants(tb testing.TB) {
	tb.Helper()
	v, err := d.Store.CheckInvariants(context.Background())
	if err != nil {
		tb.Fatalf("CheckInvariants: %v", err)
	}
	for _, s := range v {
		tb.Errorf("invariant violated: %s", s)
	}
	if len(v) > 0 {
		tb.FailNow()
	}
}

// transact runs fn in one transaction and fails the test with what on an
// error.
func transact[T any](tb testing.TB, d DB, what string, fn func(context.Context, *store.Tx) (T, error)) T {
	tb.Helper()
	ctx := context.Background()
	var out T
	err := d.Store.Transact(ctx, func(tx *store.Tx) error {
		var err error
		out, err = fn(ctx, tx)
		return err
	})
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
	return out
}

func setDefault[T comparable](field *T, value T) {
	var zero T
	if *field == zero {
		*field = value
	}
}

// PlantedFailure is the error message of a write that FailWrites makes
// fail.
const PlantedFailure = "planted failure"

// Write is one kind of statement ("INSERT", "UPDATE" or "DELETE") on a
// table; When, if set, narrows it to the rows it matches, a condition on
// NEW (OLD for a DELETE) as in a trigger's WHEN clause.
type Write struct{ Table, Op, When string }

// QueuedMail is the write that queues a mail: a job of kind mail.KindSend.
var QueuedMail = Write{Table: "job_outbox", Op: "INSERT", When: "NEW.kind = '" + mail.KindSend + "'"}

func (w Write) String() string {
	if w.When == "" {
		return w.Op + " on " + w.Table
	}
	return w.Op + " on " + w.Table + " when " + w.When
}

// FailWrites makes every write w fail with PlantedFailure, through a
// trigger, until the returned function or the end of the test removes it:
// for tests that an operation whose write fails leaves nothing of itself
// behind, whichever write it is.
func (d DB) FailWrites(tb testing.TB, w Write) (restore func()) {
	tb.Helper()
	name := "planted_" + w.Table + "_" + strings.ToLower(w.Op)
	if d.Engine == store.Postgres {
		when := ""
		if w.When != "" {
			when = "WHEN (" + w.When + ") "
		}
		d.Exec(tb, `CREATE OR REPLACE FUNCTION planted_failure() RETURNS trigger LANGUAGE plpgsql AS
			$$ BEGIN RAISE EXCEPTION '`+PlantedFailure+`'; END $$`)
		d.Exec(tb, `CREATE TRIGGER `+name+` BEFORE `+w.Op+` ON `+w.Table+` FOR EACH ROW `+when+`EXECUTE FUNCTION planted_failure()`)
	} else {
		when := ""
		if w.When != "" {
			when = "WHEN " + w.When + " "
		}
		d.Exec(tb, `CREATE TRIGGER `+name+` BEFORE `+w.Op+` ON `+w.Table+` `+when+`BEGIN SELECT RAISE(ABORT, '`+PlantedFailure+`'); END`)
	}
	drop := `DROP TRIGGER IF EXISTS ` + name
	if d.Engine == store.Postgres {
		drop += ` ON ` + w.Table
	}
	var once sync.Once
	restore = func() { once.Do(func() { d.Exec(tb, drop) }) }
	tb.Cleanup(restore)
	return restore
}

// AllOrNothing checks that an operation writes in one transaction: with
// each of writes failing in turn (FailWrites), act returns the planted
// failure and state, a description of everything the operation may
// change, stays as it was; with nothing failing, act succeeds and state
// changes.
func (d DB) AllOrNothing(t *testing.T, writes []Write, state func() string, act func() error) {
	t.Helper()
	before := state()
	for _, w := range writes {
		restore := d.FailWrites(t, w)
		err := act()
		restore()
		if err == nil || !strings.Contains(err.Error(), PlantedFailure) {
			t.Fatalf("with %s failing: err = %v, want the planted failure", w, err)
		}
		if after := state(); after != before {
			t.Fatalf("with %s failing, the database changed:\nbefore %s\nafter  %s", w, before, after)
		}
	}
	if err := act(); err != nil {
		t.Fatalf("without a failure: %v", err)
	}
	if state() == before {
		t.Fatal("the operation changed nothing")
	}
}

// RowCounts describes the row count of each table, as text.
func (d DB) RowCounts(tb testing.TB, tables ...string) string {
	tb.Helper()
	var b strings.Builder
	for _, table := range tables {
		fmt.Fprintf(&b, " %s=%d", table, d.Count(tb, "SELECT COUNT(*) FROM "+table))
	}
	return b.String()
}
