package results

import (
	"context"
	"errors"
	"strings"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// DomainBand is a domain's band as an officer or a file reports it.
type DomainBand struct {
	Name string
	Band string // portal.BandMeets or portal.BandNeedsImprovement
}

// Result is a result as an officer enters it or a file's row carries it,
// for a candidate already found. Item-level data has no place here.
type Result struct {
	UserID   int64
	ExamCode string
	// BookingRef names the booking the exam was taken in; empty for a
	// result of an exam delivered elsewhere.
	BookingRef string
	// TakenAt is the delivery instant; zero means the booking's start.
	TakenAt time.Time
	Score   int
	// Passed is the outcome the source claims, if it claims one: it must
	// agree with the passing score. The outcome is always computed here.
	Passed  *bool
	Domains []DomainBand
}

// Result fields, as forms and files name them.
const (
	FieldLogin   = "login_id"
	FieldEmail   = "email"
	FieldExam    = "exam_code"
	FieldBooking = "booking_reference"
	FieldTakenAt = "delivered_at"
	FieldScore   = "score"
	FieldPassed  = "passed"
	FieldDomains = "domains"
)

// recording says how a result enters: its source and, for imports, the
// import it came from. Console results wait for a second officer; imported
// ones count at once.
type recording struct {
	source   string
	importID *int64
}

// record checks a result against the catalogue, the booking and the
// candidate's history, and stores it with the snapshot of what is in force
// today: passing score, domains and weights, retake wait. The result counts
// at once when imported (and its publication is scheduled); entered in the
// console, it waits for confirmation. Problems are an invalid
// *portal.Error naming the fields.
func (s *Service) record(ctx context.Context, tx *store.Tx, actor portal.Actor, cal Calendar, in Result, how recording) (*portal.Attempt, error) {
	a, err := prepare(ctx, tx, actor, cal, in, how, nil)
	if err != nil {
		return nil, err
	}
	return s.write(ctx, tx, actor, cal, a, nil)
}

// write stores an attempt prepare made, in the transaction prepare ran
// in: the booking it names is delivered and, when it counts at once, what
// follows runs (counted). who is the candidate with the exam's name when
// the caller has read them already (an import), or nil.
func (s *Service) write(ctx context.Context, tx *store.Tx, actor portal.Actor, cal Calendar, a *portal.Attempt, who *candidate) (*portal.Attempt, error) {
	if a.BookingID != nil {
		// A result proves attendance: the booking is delivered.
		if _, err := tx.DeliverBooking(ctx, actor, *a.BookingID, portal.DeliveryResult); errors.Is(err, portal.ErrConflict) {
			return nil, refused(portal.EInvalid, "results.error.booking_not_taken", FieldBooking)
		} else if err != nil {
			return nil, err
		}
	}
	out, err := tx.InsertAttempt(ctx, *a)
	if errors.Is(err, portal.ErrConflict) {
		return nil, refused(portal.EConflict, "results.error.duplicate", FieldBooking)
	}
	if err != nil {
		return nil, err
	}
	if out.State == portal.AttemptPreliminary {
		if err := s.counted(ctx, tx, actor, cal.Location(), out, who); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// prepare is record without the writing: every check a result must pass,
// and the attempt it would become. An import's dry run calls it for each
// row. A candidate not yet known (UserID 0: a row parked for an email no
// account has) is checked for everything but their own history.
//
// cat, when not nil, remembers the exams and certifications it read for
// the next rows of the same transaction.
func prepare(ctx context.Context, tx *store.Tx, actor portal.Actor, cal Calendar, in Result, how recording, cat *catalogCache) (*portal.Attempt, error) {
	if in.UserID == actor.UserID {
		return nil, refused(portal.EForbidden, "results.error.own_account", FieldLogin)
	}
	e, err := cat.exam(ctx, tx, strings.ToUpper(strings.TrimSpace(in.ExamCode)))
	if errors.Is(err, portal.ErrNotFound) {
		return nil, refused(portal.EInvalid, "results.error.unknown_exam", FieldExam)
	}
	if err != nil {
		return nil, err
	}
	a := portal.Attempt{UserID: in.UserID, ExamID: e.ID, ExamCode: e.Code, TakenAt: in.TakenAt.UTC(), Score: in.Score,
		PassingScore: e.PassingScore, RetakeWaitDays: e.RetakeWaitDays, Source: how.source, ImportID: how.importID}
	if !actor.IsSystem() {
		a.EnteredBy = &actor.UserID
	}
	if ref := strings.TrimSpace(in.BookingRef); ref != "" {
		b, err := takenBooking(ctx, tx, in.UserID, e, ref)
		if err != nil {
			return nil, err
		}
		a.BookingID = &b.ID
		if a.TakenAt.IsZero() {
			a.TakenAt = b.StartsAt.UTC()
		}
	}
	if err := checkResult(&a, e, in, tx.Now()).Err(); err != nil {
		return nil, err
	}
	if a.CertificationID, err = cat.certification(ctx, tx, e.ID); err != nil {
		return nil, err
	}
	if !a.Passed {
		from := retakeFrom(a.TakenAt, a.RetakeWaitDays, cal.Location())
		a.RetakeFrom = &from
	}
	if a.OfficialAt, err = cal.AddBusinessDays(a.TakenAt, e.ResultsDelayDays); err != nil {
		return nil, err
	}
	if err := duplicateAttempt(ctx, tx, &a, cat); err != nil {
		return nil, err
	}
	a.State = portal.AttemptEntered
	if how.source == portal.SourceImport {
		a.State = portal.AttemptPreliminary
	}
	return &a, nil
}

// catalogCache remembers, for one transaction, the exams and the
// certifications they earn as prepare read them: the rows of a file name
// a few exams thousands of times. A nil cache reads every time.
type catalogCache struct {
	tx    *store.Tx
	exams map[string]*portal.Exam // by code; nil: no such exam
	certs map[int64]*int64        // by exam; nil: earns none
	// attempts are the stored attempts of the candidates whose key is
	// present, oldest first (readAttempts).
	attempts map[int64][]*portal.Attempt
}

// readAttempts reads in tx, at once, every attempt of the candidates, for
// the duplicate checks of their rows.
func (c *catalogCache) readAttempts(ctx context.Context, tx *store.Tx, userIDs []int64) error {
	list, err := tx.ListAttemptsByUsers(ctx, userIDs)
	if err != nil {
		return err
	}
	c.attempts = make(map[int64][]*portal.Attempt, len(userIDs))
	for _, id := range userIDs {
		c.attempts[id] = nil
	}
	for _, a := range list {
		c.attempts[a.UserID] = append(c.attempts[a.UserID], a)
	}
	return nil
}

// attemptByDelivery is tx.FindAttemptByDelivery, answered from the
// attempts read when it holds the candidate's: the oldest of theirs for
// the same booking, or for the same exam and delivery instant. (An attempt
// of a booking is its candidate's: prepare refuses another's booking.)
func (c *catalogCache) attemptByDelivery(ctx context.Context, tx *store.Tx, userID, examID int64, takenAt time.Time, bookingID *int64) (*portal.Attempt, error) {
	if c != nil && c.attempts != nil {
		if list, ok := c.attempts[userID]; ok {
			for _, a := range list {
				if (bookingID != nil && a.BookingID != nil && *a.BookingID == *bookingID) ||
					(a.ExamID == examID && a.TakenAt.Equal(takenAt)) {
					return a, nil
				}
			}
			return nil, portal.ErrNotFound
		}
	}
	return tx.FindAttemptByDelivery(ctx, userID, examID, takenAt, bookingID)
}

// forTx returns a cache for tx: c itself while it serves tx, else a new
// one (what an earlier transaction read may have changed since).
func (c *catalogCache) forTx(tx *store.Tx) *catalogCache {
	if c != nil && c.tx == tx {
		return c
	}
	return &catalogCache{tx: tx, exams: map[string]*portal.Exam{}, certs: map[int64]*int64{}}
}

// exam is tx.FindExamByCode, remembered.
func (c *catalogCache) exam(ctx context.Context, tx *store.Tx, code string) (*portal.Exam, error) {
	if c == nil {
		return tx.FindExamByCode(ctx, code)
	}
	if e, ok := c.exams[code]; ok {
		if e == nil {
			return nil, portal.ErrNotFound
		}
		return e, nil
	}
	e, err := tx.FindExamByCode(ctx, code)
	if errors.Is(err, portal.ErrNotFound) {
		c.exams[code] = nil
	} else if err == nil {
		c.exams[code] = e
	}
	return e, err
}

// certification is the id of the certification an exam earns, or nil.
func (c *catalogCache) certification(ctx context.Context, tx *store.Tx, examID int64) (*int64, error) {
	if c != nil {
		if id, ok := c.certs[examID]; ok {
			return id, nil
		}
	}
	var id *int64
	if cert, err := tx.FindCertificationByExam(ctx, examID); err == nil {
		id = &cert.ID
	} else if !errors.Is(err, portal.ErrNotFound) {
		return nil, err
	}
	if c != nil {
		c.certs[examID] = id
	}
	return id, nil
}

// checkResult validates what the source says against the exam: delivery
// not in the future, an integer score in range, a claimed outcome that
// agrees with the passing score, known domains each given once. It
// computes the outcome and the domain snapshot into a.
func checkResult(a *portal.Attempt, e *portal.Exam, in Result, now time.Time) *portal.Validation {
	v := &portal.Validation{}
	switch {
	case a.TakenAt.IsZero():
		v.Add(FieldTakenAt, "results.error.delivered_missing", nil)
	case a.TakenAt.After(now):
		v.Add(FieldTakenAt, "results.error.delivered_future", nil)
	}
	if in.Score < portal.MinScore || in.Score > portal.MaxScore {
		v.Add(FieldScore, "results.error.score_range", map[string]any{"Min": portal.MinScore, "Count": portal.MaxScore})
	}
	a.Passed = in.Score >= e.PassingScore
	if in.Passed != nil && *in.Passed != a.Passed && !v.Has(FieldScore) {
		v.Add(FieldPassed, "results.error.outcome_contradicts", map[string]any{"Score": in.Score, "Passing": e.PassingScore})
	}
	a.Domains = nil
	seen := map[string]bool{}
	for _, d := range in.Domains {
		name := strings.TrimSpace(d.Name)
		i := domainIndex(e.Domains, name)
		switch {
		case i < 0:
			v.Add(FieldDomains, "results.error.unknown_domain", map[string]any{"Domain": name})
		case seen[strings.ToLower(name)]:
			v.Add(FieldDomains, "results.error.duplicate_domain", map[string]any{"Domain": name})
		case d.Band != portal.BandMeets && d.Band != portal.BandNeedsImprovement:
			v.Add(FieldDomains, "results.error.unknown_band", map[string]any{"Domain": name})
		default:
			seen[strings.ToLower(name)] = true
			a.Domains = append(a.Domains, portal.DomainResult{Name: e.Domains[i].Name, WeightPercent: e.Domains[i].WeightPercent, Band: d.Band})
		}
	}
	return v
}

// domainIndex finds a domain of the exam by name, whatever its case.
func domainIndex(domains []portal.ExamDomain, name string) int {
	for i, d := range domains {
		if strings.EqualFold(d.Name, name) {
			return i
		}
	}
	return -1
}

// retakeFrom is the first instant a retake may start after a failure at
// takenAt: the same wall-clock time wait days later in the program's time
// zone, so a daylight-saving change in between moves it by an hour rather
// than shifting the day.
func retakeFrom(takenAt time.Time, waitDays int, loc *time.Location) time.Time {
	return takenAt.In(loc).AddDate(0, 0, waitDays).UTC()
}

// takenBooking finds the booking a result names and checks that it is the
// candidate's, for the exam, that its exam has started and that it was
// not cancelled or left unpaid. It changes nothing: record delivers it.
func takenBooking(ctx context.Context, tx *store.Tx, userID int64, e *portal.Exam, ref string) (*portal.BookingDetail, error) {
	list, err := tx.ListBookings(ctx, store.BookingFilter{Reference: strings.ToUpper(ref)})
	if err != nil {
		return nil, err
	}
	if len(list) != 1 {
		return nil, refused(portal.EInvalid, "results.error.unknown_booking", FieldBooking)
	}
	b := list[0]
	if b.UserID != userID || b.ExamID != e.ID {
		return nil, refused(portal.EInvalid, "results.error.booking_mismatch", FieldBooking)
	}
	if b.StartsAt.After(tx.Now()) {
		return nil, refused(portal.EInvalid, "results.error.delivered_future", FieldBooking)
	}
	switch b.State {
	case portal.BookingConfirmed, portal.BookingNoShow, portal.BookingDelivered:
	default:
		return nil, refused(portal.EInvalid, "results.error.booking_not_taken", FieldBooking)
	}
	return b, nil
}

// duplicateAttempt refuses a second result for the same booking, or for
// the same candidate, exam and delivery instant; one already official is
// named as such.
//
// When cat holds the candidate's attempts (read for a batch), they are
// searched in memory instead.
func duplicateAttempt(ctx context.Context, tx *store.Tx, a *portal.Attempt, cat *catalogCache) error {
	old, err := cat.attemptByDelivery(ctx, tx, a.UserID, a.ExamID, a.TakenAt, a.BookingID)
	switch {
	case errors.Is(err, portal.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	field := FieldTakenAt
	if a.BookingID != nil && old.BookingID != nil && *old.BookingID == *a.BookingID {
		field = FieldBooking
	}
	if old.Official() {
		return refused(portal.EConflict, "results.error.already_official", field)
	}
	return refused(portal.EConflict, "results.error.duplicate", field)
}

// counted runs what follows when a result starts to count: its publication
// is scheduled for its official instant, and the candidate is told.
//
// who, when not nil, is the candidate and the exam's name as the caller
// read them in this transaction, so the mail needs no second read.
func (s *Service) counted(ctx context.Context, tx *store.Tx, actor portal.Actor, loc *time.Location, a *portal.Attempt, who *candidate) error {
	if who != nil && who.later != nil {
		if err := who.later.Schedule(KindPublish, publicationKey(a.ID), a.OfficialAt, publishArgs{AttemptID: a.ID}); err != nil {
			return err
		}
	} else if err := schedulePublication(ctx, tx, a); err != nil {
		return err
	}
	if err := tx.AppendEvent(portal.EventResultRecorded, portal.SubjectAttempt, a.ID, "", actor.UserID,
		map[string]any{"exam": a.ExamCode, "source": a.Source}); err != nil {
		return err
	}
	if who != nil {
		d := &portal.AttemptDetail{Attempt: *a, ExamName: who.examName, UserEmail: who.user.Email, UserLoginID: who.user.LoginID,
			FirstName: who.user.FirstName, LastName: who.user.LastName}
		return s.queueResultMail(ctx, tx, loc, d, who.user.Language, mailPreliminary, who.later)
	}
	return s.mailResult(ctx, tx, loc, a, mailPreliminary)
}

// candidate is a result's candidate and its exam's name, read in the
// transaction that records it, and where that transaction gathers the
// publication and the mail to write them with others (nil: at once).
type candidate struct {
	user     *portal.User
	examName string
	later    *jobs.Deferred
}

// refused is a refusal with one field.
func refused(code, message, field string) error {
	return &portal.Error{Code: code, Message: message, Fields: []portal.FieldError{{Field: field, Message: message}}}
}
