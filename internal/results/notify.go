package results

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Result mail, one per cause.
const (
	mailPreliminary = "preliminary" // a result counts: provisional outcome, no score
	mailOfficial    = "official"    // published: the score report is ready
	mailIssued      = "issued"      // a certification was issued
	mailHeld        = "held"        // the result is under review
	mailCorrected   = "corrected"   // a published result changed
)

// Candidate pages the mail links to.
const (
	pathHistory        = "/history"
	pathCertifications = "/certifications"
)

// mailResult queues the result mail for cause in the transaction that
// caused it, with dates in the program's time zone loc (loaded before the
// transaction: a read through the pool inside it could wait for a
// connection the transactions hold). Each cause is sent once per attempt,
// except corrections, which are sent for each one.
func (s *Service) mailResult(ctx context.Context, tx *store.Tx, loc *time.Location, a *portal.Attempt, cause string) error {
	d, err := tx.LockAttempt(ctx, a.ID)
	if err != nil {
		return err
	}
	u, err := tx.GetUser(ctx, d.UserID)
	if err != nil {
		return err
	}
	return s.queueResultMail(ctx, tx, loc, d, u.Language, cause, nil)
}

// mailResults queues the result mails for causes, as mailResult does for
// one, reading the attempt (unless d is its detail, locked in tx already)
// and the candidate once for all of them.
func (s *Service) mailResults(ctx context.Context, tx *store.Tx, loc *time.Location, a *portal.Attempt, d *portal.AttemptDetail, causes ...string) error {
	if d == nil {
		var err error
		if d, err = tx.LockAttempt(ctx, a.ID); err != nil {
			return err
		}
	}
	u, err := tx.GetUser(ctx, d.UserID)
	if err != nil {
		return err
	}
	for _, cause := range causes {
		if err := s.queueResultMail(ctx, tx, loc, d, u.Language, cause, nil); err != nil {
			return err
		}
	}
	return nil
}

// queueResultMail queues the result mail for cause about d, in the
// candidate's language lang: in tx, or gathered in later when not nil.
func (s *Service) queueResultMail(ctx context.Context, tx *store.Tx, loc *time.Location, d *portal.AttemptDetail, lang, cause string, later *jobs.Deferred) error {
	base := strings.TrimRight(s.cfg.BaseURL, "/")
	data := map[string]any{
		"Name": d.FirstName, "Cause": cause, "Exam": d.ExamCode + " " + d.ExamName, "TakenAt": d.TakenAt,
		"OfficialAt": d.OfficialAt.In(loc).Format(time.DateOnly), "Passed": yesNo(d.Passed), "TimeZone": loc.String(),
		"Link": base + pathHistory,
	}
	switch cause {
	case mailOfficial, mailCorrected:
		data["Link"] = base + pathHistory + "/" + strconv.FormatInt(d.ID, 10)
		if !d.Passed && d.RetakeFrom != nil {
			data["RetakeFrom"] = *d.RetakeFrom
		}
	case mailIssued:
		uc, err := tx.FindUserCertificationByAttempt(ctx, d.ID)
		if err != nil {
			return err
		}
		data["Link"] = base + pathCertifications
		data["Certification"] = d.CertificationName
		data["ExpiresOn"] = uc.ExpiresOn
		if v, err := tx.FindVoucherByUserCertification(ctx, uc.ID); err == nil {
			if v.DisabledAt == nil && v.Uses < v.MaxUses {
				data["VoucherCode"], data["VoucherPercent"] = v.Code, v.Percent
			}
		} else if !errors.Is(err, portal.ErrNotFound) {
			return err
		}
	}
	msg := mail.Message{To: d.UserEmail, ToName: d.FirstName + " " + d.LastName, Lang: lang, Template: "results", Data: data}
	var opts []jobs.Option
	if cause != mailCorrected {
		opts = append(opts, jobs.UniqueKey(fmt.Sprintf("mail.results:%s:%d", cause, d.ID)))
	}
	if later != nil {
		if err := later.Enqueue(mail.KindSend, msg, opts...); err != nil {
			return fmt.Errorf("results: queue %s mail: %w", cause, err)
		}
		return nil
	}
	if err := jobs.Enqueue(ctx, tx, mail.KindSend, msg, opts...); err != nil {
		return fmt.Errorf("results: queue %s mail: %w", cause, err)
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
