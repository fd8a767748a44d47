package booking

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Booking mail events.
const (
	mailConfirmed   = "confirmed"
	mailRescheduled = "rescheduled"
	mailCancelled   = "cancelled"
	mailSlotClosed  = "slot_closed"
	mailMoveFailed  = "move_failed" // a paid move could not be made: fee refunded
)

// mailBooking queues the booking mail for event in the transaction that
// made the change, with the calendar file for the appointment when it
// changed. extra adds template data (RefundMinor and Currency).
func (s *Service) mailBooking(ctx context.Context, tx *store.Tx, bookingID int64, event string, extra map[string]any) error {
	b, err := tx.LockBooking(ctx, bookingID)
	if err != nil {
		return err
	}
	loc := b.Location()
	data := map[string]any{
		"Name": b.UserFirstName, "Change": event, "Reference": b.Reference,
		"Exam": b.ExamCode + " " + b.ExamName, "StartsAt": b.StartsAt, "TimeZone": loc.String(),
		"Place": placeLine(b), "Online": yesNo(b.Online()), "Link": s.bookingURL(b),
		"Language": i18n.DisplayName(b.Language),
	}
	if event == mailConfirmed && b.AmountMinor() == 0 {
		data["Free"] = "yes" // vouchers covered the price: nothing was paid
	}
	if event == mailCancelled {
		q, err := s.refundOf(ctx, tx, b)
		if err != nil {
			return err
		}
		data["RefundMinor"], data["Currency"] = q, b.Currency
	}
	for k, v := range extra {
		data[k] = v
	}
	msg := mail.Message{To: b.UserEmail, ToName: b.UserFirstName + " " + b.UserLastName, Lang: b.UserLanguage,
		Template: "booking", Data: data}
	if event != mailSlotClosed && event != mailMoveFailed {
		msg.Attachments = []mail.Attachment{{Filename: "exam-" + strings.ToLower(b.Reference) + ".ics",
			ContentType: "text/calendar; charset=utf-8; method=" + map[bool]string{true: "CANCEL", false: "PUBLISH"}[event == mailCancelled],
			Content:     s.calendar(b, event == mailCancelled)}}
	}
	if err := jobs.Enqueue(ctx, tx, mail.KindSend, msg); err != nil {
		return fmt.Errorf("booking: queue %s mail: %w", event, err)
	}
	return nil
}

func (s *Service) refundOf(ctx context.Context, tx *store.Tx, b *portal.BookingDetail) (int64, error) {
	list, err := tx.ListRefundsByBooking(ctx, b.ID)
	if err != nil {
		return 0, err
	}
	for _, r := range list {
		if b.PaymentID != nil && r.PaymentID == *b.PaymentID {
			return r.AmountMinor, nil
		}
	}
	return 0, nil
}

// Calendar returns the .ics file of a booking for download.
func (s *Service) Calendar(b *portal.BookingDetail) []byte {
	return s.calendar(b, b.State == portal.BookingCancelled)
}

func (s *Service) calendar(b *portal.BookingDetail, cancelled bool) []byte {
	host := "certportal"
	if u, err := url.Parse(s.cfg.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	desc := fmt.Sprintf("%s %s\nBooking %s\n%s", b.ExamCode, b.ExamName, b.Reference, s.bookingURL(b))
	if b.Online() {
		desc += "\nOnline proctored: launch the exam from your booking page 30 minutes before the start."
	}
	return calendarEvent{
		UID: strings.ToLower(b.Reference) + "@" + host, Sequence: b.Reschedules + boolInt(b.FreeReschedule) + boolInt(cancelled),
		Start: b.StartsAt, End: b.EndsAt(), Summary: s.cfg.ProgramName + " exam: " + b.ExamCode,
		Location: placeLine(b), Description: desc, URL: s.bookingURL(b), Cancelled: cancelled,
		Stamp: s.clock.Now(), ProductName: s.cfg.ProgramName,
	}.ics()
}

func (s *Service) bookingURL(b *portal.BookingDetail) string {
	return strings.TrimRight(s.cfg.BaseURL, "/") + "/bookings/" + b.Reference
}

func placeLine(b *portal.BookingDetail) string {
	if b.Online() {
		return "Online proctored"
	}
	return strings.Join([]string{b.CenterName, b.CenterAddress, b.CenterCity}, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
