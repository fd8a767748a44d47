package credits_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// seedReminderCertifications inserts n earned certifications of 20,000
// candidates whose last days are spread one a day over three years from a
// month ago (New York), with the reminders already due at now recorded,
// as a sweep that ran until now leaves them.
func (f *fixture) seedReminderCertifications(tb testing.TB, n int, now time.Time) {
	tb.Helper()
	users := f.db.Users(tb, testdbUser(), 20_000)
	today := now.In(newYork)
	attempts := make([]string, 0, 500)
	var args []any
	flush := func(q string) {
		if len(attempts) == 0 {
			return
		}
		f.db.Exec(tb, q+strings.Join(attempts, ", "), args...)
		attempts, args = attempts[:0], args[:0]
	}
	const attemptInsert = `INSERT INTO exam_attempts (user_id, exam_id, exam_code, certification_id, taken_at, score, passed,
		passing_score, retake_wait_days, domains, state, source, official_at, published_at, created_at, updated_at) VALUES `
	for i := range n {
		taken := today.AddDate(-3, 0, i%1095-30)
		attempts = append(attempts, "(?, ?, ?, ?, ?, 800, ?, 700, 14, '[]', 'official', 'console', ?, ?, ?, ?)")
		args = append(args, users[i%len(users)].UserID, f.exam.ID, f.exam.Code, f.cert.ID, taken.UTC(), true,
			taken.UTC(), taken.UTC(), taken.UTC(), taken.UTC())
		if len(attempts) == cap(attempts) {
			flush(attemptInsert)
		}
	}
	flush(attemptInsert)
	rows, err := f.st.DB().QueryContext(f.ctx, `SELECT id, user_id, taken_at FROM exam_attempts WHERE exam_code = 'SAA-C03' AND user_id <> `+
		fmt.Sprint(f.candidate.UserID)+` ORDER BY id`)
	if err != nil {
		tb.Fatal(err)
	}
	type attempt struct {
		id, user int64
		taken    time.Time
	}
	var list []attempt
	for rows.Next() {
		var a attempt
		if err := rows.Scan(&a.id, &a.user, &a.taken); err != nil {
			tb.Fatal(err)
		}
		list = append(list, a)
	}
	if err := rows.Close(); err != nil || len(list) != n {
		tb.Fatalf("%d attempts, %v", len(list), err)
	}
	const certInsert = `INSERT INTO user_certifications (user_id, certification_id, attempt_id, cycle, kind, validity_months,
		issued_on, expires_on, issued_at, expires_at, created_at, updated_at) VALUES `
	for _, a := range list {
		issued := a.taken.In(newYork).Format(time.DateOnly)
		expires, _ := portal.MonthsBeforeDay(issued, -36)
		end, _ := portal.StartOfDay(expires, newYork)
		attempts = append(attempts, "(?, ?, ?, 1, 'certification', 36, ?, ?, ?, ?, ?, ?)")
		args = append(args, a.user, f.cert.ID, a.id, issued, expires, a.taken, end.AddDate(0, 0, 1).UTC(), a.taken, a.taken)
		if len(attempts) == cap(attempts) {
			flush(certInsert)
		}
	}
	flush(certInsert)
	certs, err := f.st.ListReminderCandidates(f.ctx, now.Add(-31*24*time.Hour), now.AddDate(2, 0, 0), store.ReminderCursor{}, 2*n)
	if err != nil {
		tb.Fatal(err)
	}
	const reminderInsert = `INSERT INTO certification_reminders (user_certification_id, expires_on, months_before, cycle, sent_at) VALUES `
	for _, c := range certs {
		if m, ok := c.DueReminder(now, portal.DefaultReminderMonths, newYork); ok {
			attempts = append(attempts, "(?, ?, ?, 1, ?)")
			args = append(args, c.ID, c.ExpiresOn, m, now)
			if len(attempts) == cap(attempts) {
				flush(reminderInsert)
			}
		}
	}
	flush(reminderInsert)
	if f.db.Engine == "postgres" {
		f.db.Exec(tb, `ANALYZE user_certifications`)
		f.db.Exec(tb, `ANALYZE certification_reminders`)
	}
}

// BenchmarkReminderSweep: the hourly reminder sweep over 100,000 earned
// certifications whose expiries are spread over three years, the
// reminders due so far already sent. "idle" is a sweep that finds nothing
// new (most hours); "day" is the first sweep of a new day in the program's
// zone, which sends that day's reminders and expiry notices (about 460),
// reported per reminder.
func BenchmarkReminderSweep(b *testing.B) {
	for _, engine := range testutil.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			f := newFixture(b, engine)
			f.alone()
			now := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC) // noon in New York
			f.clock.Set(now)
			f.seedReminderCertifications(b, 100_000, now)
			b.Run("idle", func(b *testing.B) {
				for b.Loop() {
					if n, err := f.svc.SendReminders(f.ctx); err != nil || n != 0 {
						b.Fatalf("sent %d, %v", n, err)
					}
				}
			})
			b.Run("day", func(b *testing.B) {
				day := 0
				sent := 0
				for b.Loop() {
					day++
					f.clock.Set(now.AddDate(0, 0, day))
					n, err := f.svc.SendReminders(f.ctx)
					if err != nil || n == 0 {
						b.Fatalf("sent %d, %v", n, err)
					}
					sent += n
				}
				b.ReportMetric(float64(sent)/float64(b.N), "reminders/op")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(sent)/1e6, "ms/reminder")
			})
		})
	}
}
