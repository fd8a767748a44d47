package credits_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// earnIn gives user the certification as results issue it after a pass at
// takenAt in the program's zone loc: issued on that day there, valid for
// the certification's months to the end of the same calendar day there
// (clamped to the month's last day).
func (f *fixture) earnIn(user portal.Actor, exam *portal.Exam, cert *portal.Certification, takenAt time.Time, loc *time.Location) *portal.UserCertification {
	f.t.Helper()
	a := f.db.Attempt(f.t, user, exam, cert, takenAt, true)
	issuedOn := takenAt.In(loc).Format(time.DateOnly)
	expiresOn, _ := portal.MonthsBeforeDay(issuedOn, -cert.ValidityMonths)
	end, _ := portal.StartOfDay(expiresOn, loc)
	var out *portal.UserCertification
	err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.InsertUserCertification(f.ctx, portal.UserCertification{UserID: user.UserID, CertificationID: cert.ID,
			AttemptID: a.ID, Cycle: 1, Kind: cert.Kind, ValidityMonths: cert.ValidityMonths, IssuedOn: issuedOn,
			ExpiresOn: expiresOn, IssuedAt: takenAt, ExpiresAt: end.AddDate(0, 0, 1)})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// alone withdraws the fixture candidate's certification, so that the
// sweeps of a test see only the certifications it makes.
func (f *fixture) alone() {
	f.t.Helper()
	f.db.Exec(f.t, `UPDATE user_certifications SET withdrawn_at = ? WHERE id = ?`, fixtureNow, f.earned.ID)
}

// reminderMail returns the queued mail of a reminder (template "reminder"
// or "expired"), or nil when none was queued.
func (f *fixture) reminderMail(template string, uc *portal.UserCertification, months int) *mail.Message {
	f.t.Helper()
	var raw string
	err := f.st.DB().QueryRowContext(f.ctx, testutil.Rebind(f.db.Engine,
		`SELECT args FROM job_outbox WHERE kind = 'mail.send' AND unique_key = ?`),
		fmt.Sprintf("mail.%s:%d:%s:%d", template, uc.ID, uc.ExpiresOn, months)).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		f.t.Fatal(err)
	}
	var m mail.Message
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		f.t.Fatal(err)
	}
	return &m
}

// render renders a queued mail as the mailer would, in lang.
func render(t *testing.T, m *mail.Message, lang string) *mail.Rendered {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	r, err := mail.NewRenderer(cat, "Certportal", "https://portal.example.org")
	if err != nil {
		t.Fatal(err)
	}
	mm := *m
	mm.Lang = lang
	out, err := r.Render(mm)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sweep runs the reminder sweep and fails unless it sent want.
func (f *fixture) sweep(svc *credits.Service, want int) {
	f.t.Helper()
	got, err := svc.SendReminders(f.ctx)
	if err != nil {
		f.t.Fatalf("SendReminders: %v", err)
	}
	if got != want {
		f.t.Fatalf("at %s the sweep sent %d, want %d", f.clock.Now(), got, want)
	}
}

func (f *fixture) reminderRows(uc *portal.UserCertification) []*store.CertificationReminder {
	f.t.Helper()
	rows, err := f.st.ListCertificationReminders(f.ctx, uc.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return rows
}

var newYork = mustZone("America/New_York")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// TestRemindersOncePerMonthsAndExpiry: a certification valid to the end of
// 10 November 2027 in New York is reminded from midnight there on the day
// 12, 6, 3 and 1 months before (10 May is in daylight time, so its
// midnight is 04:00 UTC, an hour before November's), each once however
// often the sweep runs, with its mail, event and audit entry; at the end of
// its last day it expires, once, with certification.expired.
func TestRemindersOncePerMonthsAndExpiry(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.alone()
		holder := f.db.Candidate(t)
		uc := f.earnIn(holder, f.exam, f.cert, time.Date(2024, 11, 10, 15, 0, 0, 0, time.UTC), newYork)
		if uc.ExpiresOn != "2027-11-10" || !uc.ExpiresAt.Equal(time.Date(2027, 11, 11, 5, 0, 0, 0, time.UTC)) {
			t.Fatalf("expires %s at %s", uc.ExpiresOn, uc.ExpiresAt)
		}
		steps := []struct {
			at     time.Time
			months int
		}{
			{time.Date(2026, 11, 10, 5, 0, 0, 0, time.UTC), 12},
			{time.Date(2027, 5, 10, 4, 0, 0, 0, time.UTC), 6},
			{time.Date(2027, 8, 10, 4, 0, 0, 0, time.UTC), 3},
			{time.Date(2027, 10, 10, 4, 0, 0, 0, time.UTC), 1},
		}
		for i, s := range steps {
			f.clock.Set(s.at.Add(-time.Second))
			f.sweep(f.svc, 0)
			f.clock.Set(s.at)
			f.sweep(f.svc, 1)
			f.sweep(f.svc, 0)
			f.clock.Set(s.at.Add(6 * time.Hour))
			f.sweep(f.svc, 0)
			rows := f.reminderRows(uc)
			if len(rows) != i+1 || rows[i].MonthsBefore != s.months || rows[i].ExpiresOn != "2027-11-10" || rows[i].Cycle != 1 {
				t.Fatalf("after the %d-month reminder: %+v", s.months, rows)
			}
			m := f.reminderMail("reminder", uc, s.months)
			if m == nil || m.To == "" || m.Data["Count"] != float64(s.months) {
				t.Fatalf("%d-month mail: %+v", s.months, m)
			}
		}
		if n := f.db.Events(t, portal.EventCertificationReminded, portal.SubjectCertification, uc.ID); n != 4 {
			t.Fatalf("%d reminded events, want 4", n)
		}
		if n := len(f.db.Audit(t, credits.AuditReminderSent, fmt.Sprintf("user_certification:%d", uc.ID))); n != 4 {
			t.Fatalf("%d reminder audit entries, want 4", n)
		}

		f.clock.Set(uc.ExpiresAt.Add(-time.Nanosecond))
		f.sweep(f.svc, 0)
		if got := uc.Status(f.clock.Now(), portal.DefaultExpiringMonths); got != portal.CertExpiring {
			t.Fatalf("status before the end of the last day: %s", got)
		}
		f.clock.Set(uc.ExpiresAt)
		if got := uc.Status(f.clock.Now(), portal.DefaultExpiringMonths); got != portal.CertExpired {
			t.Fatalf("status at the end of the last day: %s", got)
		}
		f.sweep(f.svc, 1)
		f.clock.Set(uc.ExpiresAt.Add(24 * time.Hour))
		f.sweep(f.svc, 0)
		if n := f.db.Events(t, portal.EventCertificationExpired, portal.SubjectCertification, uc.ID); n != 1 {
			t.Fatalf("%d expired events, want 1", n)
		}
		if n := len(f.db.Audit(t, credits.AuditCertificationExpired, fmt.Sprintf("user_certification:%d", uc.ID))); n != 1 {
			t.Fatalf("%d expiry audit entries, want 1", n)
		}
		m := f.reminderMail("expired", uc, 0)
		if m == nil {
			t.Fatal("no expiry mail")
		}
		out := render(t, m, "en")
		if !strings.Contains(out.Subject, "has expired") || !strings.Contains(out.Text, "Nov 10, 2027") {
			t.Fatalf("expiry mail:\n%s\n%s", out.Subject, out.Text)
		}
	})
}

// TestReminderOfALeapDayExpiry: a certification whose last day is 29
// February 2028 is reminded 12 months before on 28 February 2027 (there is
// no 29th), from midnight in New York, and a month before on 29 January.
func TestReminderOfALeapDayExpiry(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.alone()
		holder := f.db.Candidate(t)
		uc := f.earnIn(holder, f.exam, f.cert, time.Date(2025, 2, 28, 18, 0, 0, 0, time.UTC), newYork)
		f.db.Exec(t, `UPDATE user_certifications SET expires_on = ?, expires_at = ? WHERE id = ?`,
			"2028-02-29", time.Date(2028, 3, 1, 5, 0, 0, 0, time.UTC), uc.ID)
		uc.ExpiresOn = "2028-02-29"
		twelve := time.Date(2027, 2, 28, 5, 0, 0, 0, time.UTC) // midnight EST
		f.clock.Set(twelve.Add(-time.Second))
		f.sweep(f.svc, 0)
		f.clock.Set(twelve)
		f.sweep(f.svc, 1)
		if m := f.reminderMail("reminder", uc, 12); m == nil {
			t.Fatal("no 12-month reminder on 28 February")
		}
		one := time.Date(2028, 1, 29, 5, 0, 0, 0, time.UTC)
		f.clock.Set(one.Add(-time.Second))
		f.sweep(f.svc, 1) // the 3-month one, on 29 November
		f.clock.Set(one)
		f.sweep(f.svc, 1)
		rows := f.reminderRows(uc)
		if len(rows) != 3 || rows[1].MonthsBefore != 3 || rows[2].MonthsBefore != 1 {
			t.Fatalf("rows %+v", rows)
		}
	})
}

// TestRemindersInTheProgramsTimeZone: the same certification is reminded at
// midnight of the program's zone: in Auckland (UTC+12 in May) that is the
// previous day in UTC; a sweep an hour before sends nothing.
func TestRemindersInTheProgramsTimeZone(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.alone()
		auckland := mustZone("Pacific/Auckland")
		cal, err := calendar.New(calendar.Settings{TimeZone: "Pacific/Auckland",
			BusinessDays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}})
		if err != nil {
			t.Fatal(err)
		}
		svc := credits.New(f.st, f.clock, slog.New(slog.DiscardHandler), credits.Config{
			Calendar: func(context.Context) (credits.Calendar, error) { return cal, nil }, BaseURL: "https://portal.example.org"})
		holder := f.db.Candidate(t)
		uc := f.earnIn(holder, f.exam, f.cert, time.Date(2024, 11, 10, 1, 0, 0, 0, time.UTC), auckland)
		if uc.ExpiresOn != "2027-11-10" {
			t.Fatalf("expires %s", uc.ExpiresOn)
		}
		f.clock.Set(time.Date(2027, 5, 9, 10, 59, 59, 0, time.UTC))
		f.sweep(svc, 1) // the 12-month reminder, due since November
		f.clock.Set(time.Date(2027, 5, 9, 11, 59, 59, 0, time.UTC))
		f.sweep(svc, 0)
		f.clock.Set(time.Date(2027, 5, 9, 12, 0, 0, 0, time.UTC)) // 00:00 NZST on 10 May
		f.sweep(svc, 1)
		if rows := f.reminderRows(uc); len(rows) != 2 || rows[1].MonthsBefore != 6 {
			t.Fatalf("rows %+v", rows)
		}
	})
}

// TestReminderStatesCreditsStillNeededAndPending: the mail and the banner
// state the credits the certification still needs and those waiting for a
// decision; the banner shows from the first reminder's day, before the
// sweep ran, and not before.
func TestReminderStatesCreditsStillNeededAndPending(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine) // SAA from 2025-06-01 to 2028-06-01, today 2026-12-01
		approved := f.submit(f.candidate, f.workshop(f.candidate, "Workshop", "8"))
		f.decide(f.reviewer, approved.ID, credits.Decision{Outcome: credits.OutcomeApprove})
		f.submit(f.candidate, f.review95(f.candidate, "Docs"))

		list, err := f.svc.Reminders(f.ctx, f.candidate)
		if err != nil || len(list) != 0 {
			t.Fatalf("banner 18 months before expiry: %+v, %v", list, err)
		}
		f.clock.Set(time.Date(2027, 6, 1, 4, 0, 0, 0, time.UTC)) // 2028-06-01 less 12 months, midnight EDT
		list, err = f.svc.Reminders(f.ctx, f.candidate)
		if err != nil || len(list) != 1 {
			t.Fatalf("banner 12 months before expiry: %+v, %v", list, err)
		}
		r := list[0]
		if r.MonthsBefore != 12 || r.Needed != 10000 || r.Missing != 9200 || r.Pending != 150 || r.Met || r.Micro || r.Code != "SAA" {
			t.Fatalf("banner %+v", r)
		}
		// The candidate reads Spanish: the credits are written for them.
		f.db.Exec(t, `UPDATE users SET language = 'es' WHERE id = ?`, f.candidate.UserID)
		f.sweep(f.svc, 1)
		m := f.reminderMail("reminder", f.earned, 12)
		if m == nil || m.Lang != "es" || m.Data["Missing"] != "92" || m.Data["Needed"] != "100" || m.Data["Pending"] != "1,5" {
			t.Fatalf("mail %+v", m)
		}
		for lang, want := range map[string][]string{
			"en": {"expires in 12 months", "92 of the 100", "not counted yet:"},
			"es": {"vence dentro de 12 meses", "92 de los 100", "aún no contados: 1,5"},
		} {
			out := render(t, m, lang)
			for _, w := range want {
				if !strings.Contains(out.Subject+"\n"+out.Text+"\n"+out.HTML, w) {
					t.Errorf("%s mail lacks %q:\n%s\n%s", lang, w, out.Subject, out.Text)
				}
			}
		}
		rows := f.reminderRows(f.earned)
		if len(rows) != 1 || rows[0].Missing != 9200 || rows[0].Pending != 150 {
			t.Fatalf("rows %+v", rows)
		}
	})
}

// TestRemindersSkippedOnceRenewed: a renewal moves the expiry day (and
// the cycle); the reminders of the old day are no longer due, and the new
// cycle's are sent when their days come, keyed by the new day.
func TestRemindersSkippedOnceRenewed(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.clock.Set(time.Date(2027, 6, 1, 4, 0, 0, 0, time.UTC))
		f.sweep(f.svc, 1)
		// Renewed: three more years from the old expiry.
		f.db.Exec(t, `UPDATE user_certifications SET cycle = 2, expires_on = ?, expires_at = ? WHERE id = ?`,
			"2031-06-01", time.Date(2031, 6, 2, 4, 0, 0, 0, time.UTC), f.earned.ID)
		for _, at := range []time.Time{time.Date(2027, 12, 1, 5, 0, 0, 0, time.UTC), time.Date(2028, 5, 1, 4, 0, 0, 0, time.UTC),
			time.Date(2028, 6, 2, 4, 0, 0, 0, time.UTC)} {
			f.clock.Set(at)
			f.sweep(f.svc, 0)
			if list, err := f.svc.Reminders(f.ctx, f.candidate); err != nil || len(list) != 0 {
				t.Fatalf("banner at %s after renewal: %+v, %v", at, list, err)
			}
		}
		f.clock.Set(time.Date(2030, 6, 1, 4, 0, 0, 0, time.UTC))
		f.sweep(f.svc, 1)
		rows := f.reminderRows(f.earned)
		if len(rows) != 2 || rows[1].ExpiresOn != "2031-06-01" || rows[1].Cycle != 2 || rows[1].MonthsBefore != 12 {
			t.Fatalf("rows %+v", rows)
		}
	})
}

// TestConcurrentSweepsSendOnce: sweeps running at once (several instances)
// send each reminder once.
func TestConcurrentSweepsSendOnce(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.alone()
		var holders []*portal.UserCertification
		for range 5 {
			holders = append(holders, f.earnIn(f.db.Candidate(t), f.exam, f.cert, time.Date(2024, 11, 10, 15, 0, 0, 0, time.UTC), newYork))
		}
		f.clock.Set(time.Date(2026, 11, 10, 5, 0, 0, 0, time.UTC))
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := f.svc.SendReminders(f.ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		if total != len(holders) {
			t.Fatalf("sent %d, want %d", total, len(holders))
		}
		if n := f.db.Count(t, `SELECT COUNT(*) FROM certification_reminders`); n != len(holders) {
			t.Fatalf("%d rows", n)
		}
		if n := f.db.Count(t, `SELECT COUNT(*) FROM job_outbox WHERE unique_key LIKE 'mail.reminder:%'`); n != len(holders) {
			t.Fatalf("%d mails", n)
		}
	})
}

// TestMissedRemindersAreNotSentLate: a sweep that finds several reminders
// due sends only the latest (never four mails at once), and an expiry older
// than credits.ExpiryNoticeWindow is not told at all.
func TestMissedRemindersAreNotSentLate(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.alone()
		late := f.earnIn(f.db.Candidate(t), f.exam, f.cert, time.Date(2024, 11, 10, 15, 0, 0, 0, time.UTC), newYork)
		old := f.earnIn(f.db.Candidate(t), f.exam, f.cert, time.Date(2024, 6, 1, 15, 0, 0, 0, time.UTC), newYork)
		f.clock.Set(time.Date(2027, 10, 20, 12, 0, 0, 0, time.UTC)) // old expired on 2 June
		f.sweep(f.svc, 1)
		if rows := f.reminderRows(late); len(rows) != 1 || rows[0].MonthsBefore != 1 {
			t.Fatalf("rows %+v", rows)
		}
		if rows := f.reminderRows(old); len(rows) != 0 {
			t.Fatalf("an old expiry was told: %+v", rows)
		}
		f.clock.Set(time.Date(2027, 11, 11, 5, 0, 0, 0, time.UTC).Add(credits.ExpiryNoticeWindow - time.Second))
		f.sweep(f.svc, 1) // late's expiry, within the window
	})
}

// TestMicrocredentialReminders: a 12-month microcredential gets no reminder
// on the day it is issued; its reminders name the day its renewal retake
// opens instead of credits.
func TestMicrocredentialReminders(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.alone()
		exam := f.db.Exam(t, portal.Exam{Code: "AIF-M01", Name: "AI Fundamentals", Active: true, Kind: portal.KindMicrocredential})
		cert := f.db.Certification(t, portal.Certification{Code: "AIF", Name: "AI Fundamentals", Kind: portal.CertKindMicrocredential,
			ValidityMonths: 12, EarnedBy: []string{"AIF-M01"}})
		holder := f.db.Candidate(t)
		taken := time.Date(2026, 6, 12, 14, 0, 0, 0, time.UTC)
		uc := f.earnIn(holder, exam, cert, taken, newYork)
		f.clock.Set(taken.Add(time.Hour))
		f.sweep(f.svc, 0)
		f.clock.Set(time.Date(2026, 12, 12, 5, 0, 0, 0, time.UTC))
		f.sweep(f.svc, 1)
		m := f.reminderMail("reminder", uc, 6)
		if m == nil {
			t.Fatal("no 6-month reminder")
		}
		if _, ok := m.Data["Missing"]; ok {
			t.Fatalf("a microcredential's reminder speaks of credits: %+v", m.Data)
		}
		out := render(t, m, "en")
		if !strings.Contains(out.Text, "book the retake from Mar 12, 2027") {
			t.Fatalf("mail:\n%s", out.Text)
		}
		list, err := f.svc.Reminders(f.ctx, holder)
		if err != nil || len(list) != 1 || !list[0].Micro || !list[0].RetakeFrom.Equal(time.Date(2027, 3, 12, 0, 0, 0, 0, newYork)) {
			t.Fatalf("banner %+v, %v", list, err)
		}
	})
}

// TestReminderMonthsOption: the reminder months are a program option:
// distinct whole months from 1 to 120, at most six, kept largest first;
// the sweep follows them.
func TestReminderMonthsOption(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		o, err := f.svc.Options(f.ctx)
		if err != nil || fmt.Sprint(o.ReminderMonths) != "[12 6 3 1]" {
			t.Fatalf("default %v, %v", o.ReminderMonths, err)
		}
		for _, bad := range [][]int{{0}, {6, 6}, {121}, {1, 2, 3, 4, 5, 6, 7}, {-1}} {
			o.ReminderMonths = bad
			_, err := f.svc.SetOptions(f.ctx, f.admin, o)
			wantField(t, err, credits.FieldReminders, "reminders.error.months")
		}
		if _, err := credits.ParseReminderMonths("12, six"); err == nil {
			t.Fatal("a word was read as months")
		}
		ms, err := credits.ParseReminderMonths("2, 18")
		if err != nil {
			t.Fatal(err)
		}
		o.ReminderMonths = ms
		if _, err := f.svc.SetOptions(f.ctx, f.candidate, o); err == nil {
			t.Fatal("a candidate changed the options")
		}
		if _, err := f.svc.SetOptions(f.ctx, f.admin, o); err != nil {
			t.Fatal(err)
		}
		if o, _ = f.svc.Options(f.ctx); fmt.Sprint(o.ReminderMonths) != "[18 2]" {
			t.Fatalf("saved %v", o.ReminderMonths)
		}
		f.clock.Set(time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC)) // 2028-06-01 less 18 months
		f.sweep(f.svc, 1)
		f.clock.Set(time.Date(2027, 6, 1, 4, 0, 0, 0, time.UTC)) // 12 months: no longer a reminder
		f.sweep(f.svc, 0)
		f.clock.Set(time.Date(2028, 4, 1, 4, 0, 0, 0, time.UTC))
		f.sweep(f.svc, 1)
		if rows := f.reminderRows(f.earned); len(rows) != 2 || rows[0].MonthsBefore != 18 || rows[1].MonthsBefore != 2 {
			t.Fatalf("rows %+v", rows)
		}
	})
}

// TestActivitiesAfterExpiryDoNotCount: once the certification has expired
// an activity completed after its last day is refused (no cycle holds it),
// and progress no longer lists the certification.
func TestActivitiesAfterExpiryDoNotCount(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		holder := f.db.Candidate(t)
		f.earnIn(holder, f.exam, f.cert, time.Date(2023, 11, 20, 15, 0, 0, 0, time.UTC), newYork) // last day 2026-11-20
		f.clock.Set(time.Date(2026, 11, 21, 5, 0, 0, 0, time.UTC))                                // 00:00 EST on the 21st
		s := f.review95(holder, "After expiry")
		s.CompletedOn = "2026-11-21"
		_, err := f.svc.Submit(f.ctx, holder, s)
		wantField(t, err, credits.FieldCompletedOn, "credits.error.outside_cycles")
		s = f.review95(holder, "On the last day")
		_, err = f.svc.Submit(f.ctx, holder, s) // completed 2026-11-20, but the certification is no longer in force
		wantField(t, err, credits.FieldCompletedOn, "credits.error.outside_cycles")
		p, err := f.svc.Progress(f.ctx, holder, "en")
		if err != nil || len(p) != 0 {
			t.Fatalf("progress after expiry: %+v, %v", p, err)
		}
		f.clock.Set(time.Date(2026, 11, 21, 4, 59, 59, 0, time.UTC)) // the last second of the last day
		if _, err := f.svc.Submit(f.ctx, holder, f.review95(holder, "In time")); err != nil {
			t.Fatalf("an activity of the last day before expiry: %v", err)
		}
	})
}

// TestRemindersOfAccountsAndCertificationsOutOfReach: a suspended
// certification is not reminded; a disabled account's reminder is recorded
// (with its event) but not mailed; the expiry notice of a certification
// earned again since it expired is recorded but not mailed.
func TestRemindersOfAccountsAndCertificationsOutOfReach(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.alone()
		taken := time.Date(2024, 11, 10, 15, 0, 0, 0, time.UTC)
		suspended := f.earnIn(f.db.Candidate(t), f.exam, f.cert, taken, newYork)
		f.db.Exec(t, `UPDATE user_certifications SET suspended_at = ? WHERE id = ?`, taken, suspended.ID)
		disabledUser := f.db.Candidate(t)
		disabled := f.earnIn(disabledUser, f.exam, f.cert, taken, newYork)
		f.db.Exec(t, `UPDATE users SET disabled_at = ? WHERE id = ?`, taken, disabledUser.UserID)
		again := f.db.Candidate(t)
		old := f.earnIn(again, f.exam, f.cert, time.Date(2023, 12, 1, 15, 0, 0, 0, time.UTC), newYork) // last day 2026-12-01
		f.earnIn(again, f.exam, f.cert, time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC), newYork)

		f.clock.Set(time.Date(2026, 12, 3, 5, 0, 0, 0, time.UTC))
		f.sweep(f.svc, 2) // disabled's 12-month reminder and old's expiry
		if rows := f.reminderRows(suspended); len(rows) != 0 {
			t.Fatalf("a suspended certification was reminded: %+v", rows)
		}
		if rows := f.reminderRows(disabled); len(rows) != 1 || f.reminderMail("reminder", disabled, 12) != nil {
			t.Fatalf("disabled account: rows %+v, mail %v", rows, f.reminderMail("reminder", disabled, 12))
		}
		if n := f.db.Events(t, portal.EventCertificationReminded, portal.SubjectCertification, disabled.ID); n != 1 {
			t.Fatalf("%d events for the disabled account's reminder", n)
		}
		if rows := f.reminderRows(old); len(rows) != 1 || rows[0].MonthsBefore != 0 || f.reminderMail("expired", old, 0) != nil {
			t.Fatalf("earned again: rows %+v", rows)
		}
		if n := f.db.Events(t, portal.EventCertificationExpired, portal.SubjectCertification, old.ID); n != 1 {
			t.Fatalf("%d expired events", n)
		}
	})
}

// TestRenewalBetweenListingAndSendingSkipsTheReminder: a sweep that listed
// a certification as due, and then finds it renewed (its expiry day moved)
// once it holds the row, sends nothing: the reminder is worked out again
// from the locked row.
func TestRenewalBetweenListingAndSendingSkipsTheReminder(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		now := time.Date(2027, 6, 1, 4, 0, 0, 0, time.UTC) // the 12-month reminder of 2028-06-01
		f.clock.Set(now)
		list, err := f.st.ListReminderCandidates(f.ctx, now.Add(-credits.ExpiryNoticeWindow), now.AddDate(1, 0, 3), store.ReminderCursor{}, 10)
		if err != nil || len(list) != 1 || list[0].ID != f.earned.ID || list[0].SentMin != -1 {
			t.Fatalf("listing %+v, %v", list, err)
		}
		f.db.Exec(t, `UPDATE user_certifications SET cycle = 2, expires_on = ?, expires_at = ? WHERE id = ?`,
			"2031-06-01", time.Date(2031, 6, 2, 4, 0, 0, 0, time.UTC), f.earned.ID)
		sent, err := credits.RemindAll(f.svc, f.ctx, list, portal.DefaultReminderMonths, newYork)
		if err != nil || sent != 0 {
			t.Fatalf("sent %d, %v", sent, err)
		}
		if rows := f.reminderRows(f.earned); len(rows) != 0 {
			t.Fatalf("a renewed certification was reminded: %+v", rows)
		}
		// Not renewed, the same listing sends it, once.
		f.db.Exec(t, `UPDATE user_certifications SET cycle = 1, expires_on = ?, expires_at = ? WHERE id = ?`,
			"2028-06-01", time.Date(2028, 6, 2, 0, 0, 0, 0, time.UTC), f.earned.ID)
		for _, want := range []int{1, 0} {
			if sent, err := credits.RemindAll(f.svc, f.ctx, list, portal.DefaultReminderMonths, newYork); err != nil || sent != want {
				t.Fatalf("sent %d, want %d: %v", sent, want, err)
			}
		}
	})
}

// TestAReminderThatFailsHoldsBackNoOther: when one certification of a
// sweep's batch cannot be reminded, the others of its transaction are sent
// one by one and the failure is reported.
func TestAReminderThatFailsHoldsBackNoOther(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.alone()
		taken := time.Date(2024, 11, 10, 15, 0, 0, 0, time.UTC)
		a := f.earnIn(f.db.Candidate(t), f.exam, f.cert, taken, newYork)
		b := f.earnIn(f.db.Candidate(t), f.exam, f.cert, taken, newYork)
		now := time.Date(2026, 11, 10, 5, 0, 0, 0, time.UTC)
		f.clock.Set(now)
		list, err := f.st.ListReminderCandidates(f.ctx, now.Add(-credits.ExpiryNoticeWindow), now.AddDate(1, 0, 3), store.ReminderCursor{}, 10)
		if err != nil || len(list) != 2 {
			t.Fatalf("listing %d, %v", len(list), err)
		}
		gone := *list[0]
		gone.ID = b.ID + 1000 // no such certification
		batch := []*store.ReminderCandidate{list[0], &gone, list[1]}
		sent, err := credits.RemindAll(f.svc, f.ctx, batch, portal.DefaultReminderMonths, newYork)
		if err == nil || !errors.Is(err, portal.ErrNotFound) || sent != 2 {
			t.Fatalf("sent %d, %v", sent, err)
		}
		if len(f.reminderRows(a)) != 1 || len(f.reminderRows(b)) != 1 {
			t.Fatal("the failure held back the others")
		}
	})
}
