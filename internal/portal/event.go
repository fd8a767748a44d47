package portal

import "time"

// EventType names a business fact, as a dotted name: the subject's kind,
// then what happened to it.
type EventType string

// Event types written today. Later services add their own here
// (result.recorded, certification.issued, ...).
const (
	EventBookingHeld      EventType = "booking.held"      // a seat is held in the cart
	EventBookingPending   EventType = "booking.pending"   // checkout started with a payment provider
	EventBookingConfirmed EventType = "booking.confirmed" // paid (or free) and booked
	EventBookingMoved     EventType = "booking.moved"     // rescheduled to another slot
	EventBookingCancelled EventType = "booking.cancelled"
	EventBookingExpired   EventType = "booking.expired" // the hold ran out before payment
	EventBookingNoShow    EventType = "booking.no_show"
	EventBookingDelivered EventType = "booking.delivered"       // the candidate sat the exam: checked in or a result arrived
	EventRefundRecorded   EventType = "booking.refund_recorded" // a refund was recorded for a booking
	EventPaymentCaptured  EventType = "payment.captured"        // the provider took the money
	EventPaymentFailed    EventType = "payment.failed"          // declined, abandoned or refused by the provider
	EventPaymentCancelled EventType = "payment.cancelled"       // its seats were released before it was paid
	EventVoucherRedeemed  EventType = "voucher.redeemed"        // one use of a voucher taken by a booking
	EventVoucherReleased  EventType = "voucher.released"        // that use given back (removed, expired, cancelled)
)

// Subject kinds.
const (
	SubjectBooking = "booking"
	SubjectPayment = "payment"
	// SubjectVoucher events carry no reference: a voucher's code is a
	// bearer secret.
	SubjectVoucher = "voucher"
)

// Event is one business fact, written in the transaction of the change.
// IDs grow in commit order: a reader keeps the last ID it saw as its
// cursor. Payload is a small JSON object of ids and amounts, never a
// secret, card data or personal data.
type Event struct {
	ID          int64
	Type        EventType
	SubjectKind string
	SubjectID   int64
	SubjectRef  string // the subject's public reference, e.g. a booking reference
	ActorID     *int64 // nil for the system
	Payload     string // JSON object
	CreatedAt   time.Time
}

// EventFilter selects events after a cursor. Zero fields do not filter.
type EventFilter struct {
	After       int64 // cursor: only events with a larger ID
	Types       []EventType
	SubjectKind string
	SubjectID   int64
	Limit       int // default 100, at most 1000
}
