package results

import (
	"context"
	"errors"
	"strings"
	"time"

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
	a, err := prepare(ctx, tx, actor, cal, in, how)
	if err != nil {
		return nil, err
	}
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
		if err := s.counted(ctx, tx, actor, cal.Location(), out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// prepare is record without the writing: every check a result must pass,
// and the attempt it would become. An import's dry run calls it for each
// row. A candidate not yet known (UserID 0: a row parked for an email no
// account has) is checked for everything but their own history.
func prepare(ctx context.Context, tx *store.Tx, actor portal.Actor, cal Calendar, in Result, how recording) (*portal.Attempt, error) {
	if in.UserID == actor.UserID {
		return nil, refused(portal.EForbidden, "results.error.own_account", FieldLogin)
	}
	e, err := tx.FindExamByCode(ctx, strings.ToUpper(strings.TrimSpace(in.ExamCode)))
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
	if c, err := tx.FindCertificationByExam(ctx, e.ID); err == nil {
		a.CertificationID = &c.ID
	} else if !errors.Is(err, portal.ErrNotFound) {
		return nil, err
	}
	if !a.Passed {
		from := retakeFrom(a.TakenAt, a.RetakeWaitDays, cal.Location())
		a.RetakeFrom = &from
	}
	if a.OfficialAt, err = cal.AddBusinessDays(a.TakenAt, e.ResultsDelayDays); err != nil {
		return nil, err
	}
	if err := duplicateAttempt(ctx, tx, &a); err != nil {
		return nil, err
	}
	a.State = portal.AttemptEntered
	if how.source == portal.SourceImport {
		a.State = portal.AttemptPreliminary
	}
	return &a, nil
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
func duplicateAttempt(ctx context.Context, tx *store.Tx, a *portal.Attempt) error {
	old, err := tx.FindAttemptByDelivery(ctx, a.UserID, a.ExamID, a.TakenAt, a.BookingID)
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
func (s *Service) counted(ctx context.Context, tx *store.Tx, actor portal.Actor, loc *time.Location, a *portal.Attempt) error {
	if err := schedulePublication(ctx, tx, a); err != nil {
		return err
	}
	if err := tx.AppendEvent(portal.EventResultRecorded, portal.SubjectAttempt, a.ID, "", actor.UserID,
		map[string]any{"exam": a.ExamCode, "source": a.Source}); err != nil {
		return err
	}
	return s.mailResult(ctx, tx, loc, a, mailPreliminary)
}

// refused is a refusal with one field.
func refused(code, message, field string) error {
	return &portal.Error{Code: code, Message: message, Fields: []portal.FieldError{{Field: field, Message: message}}}
}
