package credits

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Reminders of expiry (docs/continuing-education.md, "Reminders and
// expiry"). A certification's holder is reminded at each of the program's
// reminder months before its last valid day (Options.ReminderMonths,
// default 12, 6, 3 and 1), from the start of that day in the program's
// time zone, and told once when it expired. Each is a row of
// certification_reminders keyed by the certification, its expiry day and
// the months, written in the transaction that queues the mail: it is sent
// once across restarts and instances, and a renewal, which moves the
// expiry day, starts the reminders of the new cycle afresh.

// MaxReminders is how many reminder months a program may set.
const MaxReminders = 6

// ExpiryNoticeWindow is how long after its expiry a certification's
// holder may still be told that it expired: a sweep that did not run for
// longer (or a first start over old data) tells nobody about old expiries.
const ExpiryNoticeWindow = 31 * 24 * time.Hour

// PathReminder is the page a reminder links to: the dashboard shows the
// banner, and the continuing-education page the detail.
const PathReminder = "/dashboard"

// reminderBatch is how many certifications a sweep reads at a time.
const reminderBatch = 500

// checkReminderMonths adds a problem to v unless the reminder months are
// distinct, each from 1 to 120, at most MaxReminders; it sorts them
// largest first. None is the default.
func checkReminderMonths(o *Options, v *portal.Validation) {
	if len(o.ReminderMonths) == 0 {
		return
	}
	ms := slices.Clone(o.ReminderMonths)
	slices.SortFunc(ms, func(a, b int) int { return b - a })
	for i, m := range ms {
		if m < 1 || m > 120 || (i > 0 && ms[i-1] == m) || len(ms) > MaxReminders {
			v.Add(FieldReminders, "reminders.error.months", map[string]any{"From": 1, "To": 120, "Count": MaxReminders})
			return
		}
	}
	o.ReminderMonths = ms
}

// ParseReminderMonths reads reminder months as a form writes them: whole
// numbers separated by commas or spaces ("12, 6, 3, 1"). Empty is none
// (the default). Anything else is an invalid error on FieldReminders.
func ParseReminderMonths(s string) ([]int, error) {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' }) {
		n, err := strconv.Atoi(f)
		if err != nil {
			var v portal.Validation
			v.Add(FieldReminders, "reminders.error.months", map[string]any{"From": 1, "To": 120, "Count": MaxReminders})
			return nil, v.Err()
		}
		out = append(out, n)
	}
	return out, nil
}

// Reminder is what the holder of a certification nearing its expiry is
// told: on the dashboard's banner and in the reminder mail.
type Reminder struct {
	UserCertificationID int64
	Code, Name          string
	ExpiresOn           string    // the last valid day
	ExpiresAt           time.Time // the end of that day in the program's time zone
	// MonthsBefore is the reminder that applies now (12, 6, 3, 1 by
	// default): the fewest months whose day has come.
	MonthsBefore int
	// DaysLeft counts days from today to the last valid day, in the
	// program's time zone.
	DaysLeft int
	// Micro is a microcredential, renewed by a retake from RetakeFrom
	// (no continuing education).
	Micro      bool
	RetakeFrom time.Time
	// RetakeOn is RetakeFrom's day in the program's time zone; RetakeOpen
	// whether it has come.
	RetakeOn   string
	RetakeOpen bool
	// Needed, Missing and Pending are the continuing-education credits
	// (hundredths) the requirement asks, still needed and waiting for a
	// decision; Met when it is met.
	Needed, Missing, Pending int
	Met                      bool
}

// Reminders lists the candidate's certifications in force for which a
// reminder has come (the dashboard banner), soonest expiry first. It is
// computed from the dates and the clock, so it shows even before the
// sweep has mailed.
func (s *Service) Reminders(ctx context.Context, actor portal.Actor) ([]Reminder, error) {
	uid, err := subject(actor)
	if err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	opts, err := s.Options(ctx)
	if err != nil {
		return nil, err
	}
	certs, err := s.st.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: uid})
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var progress []Progress
	out := []Reminder{}
	for _, c := range certs {
		if !heldAt(&c.UserCertification, now) {
			continue
		}
		m, ok := c.DueReminder(now, opts.ReminderMonths, cal.Location())
		if !ok || m == 0 {
			continue
		}
		if progress == nil && c.Kind != portal.CertKindMicrocredential {
			if progress, err = s.progressOf(ctx, uid, "en"); err != nil {
				return nil, err
			}
		}
		out = append(out, reminderOf(c, m, now, cal.Location(), progress))
	}
	slices.SortStableFunc(out, func(a, b Reminder) int { return a.ExpiresAt.Compare(b.ExpiresAt) })
	return out, nil
}

// heldAt reports whether the certification, microcredentials included, is
// held and not withdrawn, revoked, suspended or superseded at now.
func heldAt(c *portal.UserCertification, now time.Time) bool {
	return c.WithdrawnAt == nil && c.RevokedAt == nil && c.SuspendedAt == nil && c.SupersededBy == nil && now.Before(c.ExpiresAt)
}

// reminderOf is the reminder months before c's expiry, with its credits
// from progress (the holder's, read at now).
func reminderOf(c *portal.UserCertificationDetail, months int, now time.Time, loc *time.Location, progress []Progress) Reminder {
	r := Reminder{UserCertificationID: c.ID, Code: c.Code, Name: c.Name, ExpiresOn: c.ExpiresOn, ExpiresAt: c.ExpiresAt,
		MonthsBefore: months, DaysLeft: daysBetween(now.In(loc).Format(time.DateOnly), c.ExpiresOn)}
	if from, ok := c.RenewalRetakeFrom(loc); ok {
		r.Micro, r.RetakeFrom, r.RetakeOn, r.RetakeOpen = true, from, from.In(loc).Format(time.DateOnly), !now.Before(from)
		return r
	}
	for _, p := range progress {
		if p.UserCertificationID == c.ID {
			r.Needed, r.Missing, r.Pending, r.Met = p.Needed, p.Missing, p.Pending, p.Met
		}
	}
	return r
}

// SendReminders is the periodic sweep: for every certification in force
// whose reminder has come and was not sent for its expiry day, and every
// certification that expired within ExpiryNoticeWindow without its notice,
// it records the reminder and queues its mail, event and audit entry, up
// to remindTogether certifications to a transaction. It returns how many
// it sent. A certification that fails holds back no other; the errors are
// joined.
func (s *Service) SendReminders(ctx context.Context) (int, error) {
	cal, err := s.calendar(ctx)
	if err != nil {
		return 0, err
	}
	opts, err := s.Options(ctx)
	if err != nil {
		return 0, err
	}
	loc := cal.Location()
	now := s.clock.Now()
	// A reminder is due from the start of a day months before the last
	// valid day; the expiry is the end of that day. Three days more than
	// the largest months cover any time zone and month length.
	to := now.AddDate(0, slices.Max(opts.ReminderMonths), 3)
	from := now.Add(-ExpiryNoticeWindow)
	sent := 0
	var errs []error
	var after store.ReminderCursor
	var due []*store.ReminderCandidate
	send := func() {
		n, err := s.remindAll(ctx, due, opts.ReminderMonths, loc)
		sent += n
		if err != nil {
			errs = append(errs, err)
		}
		due = due[:0]
	}
	for {
		list, err := s.st.ListReminderCandidates(ctx, from, to, after, reminderBatch)
		if err != nil {
			return sent, err
		}
		for _, c := range list {
			after = store.ReminderCursor{ExpiresAt: c.ExpiresAt, ID: c.ID}
			m, ok := c.DueReminder(now, opts.ReminderMonths, loc)
			if !ok || (c.SentMin >= 0 && c.SentMin <= m) {
				continue
			}
			if due = append(due, c); len(due) == remindTogether {
				send()
			}
		}
		if len(list) < reminderBatch {
			break
		}
	}
	send()
	return sent, errors.Join(errs...)
}

// remindTogether is how many reminders one transaction sends: a day's
// reminders fall due at the same midnight, and one commit per reminder
// would spend most of the sweep waiting for the disk.
const remindTogether = 50

// remindAll sends the reminders due of the certifications in list in one
// transaction, locking them in id order (so sweeps on two instances never
// deadlock). When that transaction fails, each is sent in a transaction
// of its own, so one that cannot be sent holds back no other. It returns
// how many it sent.
func (s *Service) remindAll(ctx context.Context, list []*store.ReminderCandidate, months []int, loc *time.Location) (int, error) {
	if len(list) == 0 {
		return 0, nil
	}
	// What the mail says of the credits is read first, outside the
	// transaction: it is information, not a decision.
	progress := map[int64][]Progress{}
	for _, c := range list {
		if _, ok := progress[c.UserID]; ok || c.Kind == portal.CertKindMicrocredential {
			continue
		}
		p, err := s.progressOf(ctx, c.UserID, "en")
		if err != nil {
			return 0, err
		}
		progress[c.UserID] = p
	}
	ids := make([]*store.ReminderCandidate, len(list))
	copy(ids, list)
	slices.SortFunc(ids, func(a, b *store.ReminderCandidate) int { return cmpInt64(a.ID, b.ID) })
	sent := 0
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		sent = 0
		for _, c := range ids {
			done, err := s.remind(ctx, tx, c.ID, progress[c.UserID], months, loc)
			if err != nil {
				return err
			}
			if done {
				sent++
			}
		}
		return nil
	})
	if err == nil || len(ids) == 1 {
		return sent, err
	}
	sent = 0
	var errs []error
	for _, c := range ids {
		var done bool
		err := s.st.Transact(ctx, func(tx *store.Tx) error {
			var err error
			done, err = s.remind(ctx, tx, c.ID, progress[c.UserID], months, loc)
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("credits: reminder of certification %d: %w", c.ID, err))
			continue
		}
		if done {
			sent++
		}
	}
	return sent, errors.Join(errs...)
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Reminder mail templates.
const (
	mailReminder = "reminder"
	mailExpired  = "expired"
)

// Audit actions of reminders.
const (
	AuditReminderSent         = "certification.reminder_sent"
	AuditCertificationExpired = "certification.expired"
)

// remind sends, in tx, the reminder of certification id due now, if it is
// still due once the certification is locked (a renewal may have moved its
// expiry meanwhile) and was not sent yet; progress is its holder's. It
// reports whether it sent one.
func (s *Service) remind(ctx context.Context, tx *store.Tx, id int64, progress []Progress, months []int, loc *time.Location) (bool, error) {
	uc, err := tx.LockUserCertificationDetail(ctx, id)
	if err != nil {
		return false, err
	}
	now := tx.Now()
	if uc.WithdrawnAt != nil || uc.RevokedAt != nil || uc.SuspendedAt != nil || uc.SupersededBy != nil ||
		!now.Before(uc.ExpiresAt.Add(ExpiryNoticeWindow)) {
		return false, nil
	}
	due, ok := uc.DueReminder(now, months, loc)
	if !ok {
		return false, nil
	}
	r := reminderOf(uc, due, now, loc, progress)
	if due == 0 {
		r.Missing, r.Pending = 0, 0
	}
	inserted, err := tx.InsertCertificationReminder(ctx, store.CertificationReminder{UserCertificationID: uc.ID,
		ExpiresOn: uc.ExpiresOn, MonthsBefore: due, Cycle: uc.Cycle, Missing: r.Missing, Pending: r.Pending})
	if err != nil || !inserted {
		return false, err
	}
	return true, s.recordReminder(ctx, tx, uc, r, loc)
}

// ReminderRecord is how a sent reminder (or expiry notice) is recorded:
// its event with payload, and its audit entry.
type ReminderRecord struct {
	Event   portal.EventType
	Payload map[string]any
	Action  string // the audit entry's
	Subject string
	Detail  string
}

// RecordOf returns the record of reminder r of uc, whose certification
// has the given code. Of r it reads MonthsBefore, Micro, and the credits
// (Missing, Pending) or the retake instant (RetakeFrom).
func RecordOf(uc *portal.UserCertification, code string, r Reminder) ReminderRecord {
	rec := ReminderRecord{Event: portal.EventCertificationReminded, Action: AuditReminderSent,
		Subject: "user_certification:" + strconv.FormatInt(uc.ID, 10),
		Detail:  fmt.Sprintf("%d months before %s", r.MonthsBefore, uc.ExpiresOn),
		Payload: map[string]any{"certification": code, "user": uc.UserID, "cycle": uc.Cycle, "expires_on": uc.ExpiresOn}}
	switch {
	case r.MonthsBefore == 0:
		rec.Event, rec.Action, rec.Detail = portal.EventCertificationExpired, AuditCertificationExpired, "expired "+uc.ExpiresOn
	case r.Micro:
		rec.Payload["months_before"] = r.MonthsBefore
		rec.Payload["retake_from"] = r.RetakeFrom.UTC().Format(time.RFC3339)
	default:
		rec.Payload["months_before"], rec.Payload["missing"], rec.Payload["pending"] = r.MonthsBefore, r.Missing, r.Pending
	}
	return rec
}

// recordReminder queues the mail of reminder r (or the expiry notice) and
// writes its event and audit entry.
func (s *Service) recordReminder(ctx context.Context, tx *store.Tx, uc *portal.UserCertificationDetail, r Reminder, loc *time.Location) error {
	rec := RecordOf(&uc.UserCertification, uc.Code, r)
	if err := tx.AppendEvent(rec.Event, portal.SubjectCertification, uc.ID, uc.Code, 0, rec.Payload); err != nil {
		return err
	}
	if err := tx.Audit(ctx, portal.SystemActor("reminders"), rec.Action, rec.Subject, rec.Detail, nil); err != nil {
		return err
	}
	u, err := tx.GetUser(ctx, uc.UserID)
	if err != nil {
		return err
	}
	if u.DisabledAt != nil {
		return nil // recorded, but a disabled account is not written to
	}
	template := mailReminder
	if r.MonthsBefore == 0 {
		template = mailExpired
		// A certification earned again after this one expired stands
		// in its place: its holder needs no notice.
		held, err := tx.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: uc.UserID, CertificationID: uc.CertificationID})
		if err != nil {
			return err
		}
		for _, h := range held {
			if h.ID != uc.ID && h.Standing(tx.Now()) {
				return nil
			}
		}
	}
	data := map[string]any{"Name": u.FirstName, "Certification": uc.Name, "Code": uc.Code, "ExpiresOn": uc.ExpiresOn,
		"Count": r.MonthsBefore, "TimeZone": loc.String(), "Link": strings.TrimRight(s.cfg.BaseURL, "/") + PathReminder}
	switch {
	case r.MonthsBefore == 0:
	case r.Micro:
		data["RetakeFrom"] = r.RetakeFrom.UTC().Format(time.RFC3339)
	case r.Met:
		data["Met"] = true
	default:
		data["Missing"] = FormatCreditsIn(r.Missing, u.Language)
		data["Needed"] = FormatCreditsIn(r.Needed, u.Language)
		data["Pending"] = FormatCreditsIn(r.Pending, u.Language)
	}
	msg := mail.Message{To: u.Email, ToName: u.FullName(), Lang: u.Language, Template: template, Data: data}
	key := fmt.Sprintf("mail.%s:%d:%s:%d", template, uc.ID, uc.ExpiresOn, r.MonthsBefore)
	if err := jobs.Enqueue(ctx, tx, mail.KindSend, msg, jobs.UniqueKey(key)); err != nil {
		return fmt.Errorf("credits: queue %s mail: %w", template, err)
	}
	return nil
}
