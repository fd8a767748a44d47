package portal

import "time"

// TestCenter is a place where candidates sit exams. Hours is the weekly
// opening schedule in the center's local time, e.g. "mon-fri 08:00-21:00;
// sat 09:00-17:00".
type TestCenter struct {
	ID           int64
	Code         string  `audit:"code"`
	Name         string  `audit:"name"`
	AddressLine1 string  `audit:"address_line1"`
	AddressLine2 string  `audit:"address_line2"`
	City         string  `audit:"city"`
	Region       string  `audit:"region"`
	PostalCode   string  `audit:"postal_code"`
	Country      string  `audit:"country"`
	Latitude     float64 `audit:"latitude"`
	Longitude    float64 `audit:"longitude"`
	TimeZone     string  `audit:"time_zone"` // IANA, e.g. America/Los_Angeles
	Seats        int     `audit:"seats"`
	Hours        string  `audit:"hours"`
	Active       bool    `audit:"active"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Location returns the center's time zone; an unknown name (which
// validation prevents) falls back to UTC.
func (c *TestCenter) Location() *time.Location {
	if loc, err := time.LoadLocation(c.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// Sessions of a test-center day, and the session of online starts.
const (
	SessionMorning   = "morning"
	SessionAfternoon = "afternoon"
	SessionEvening   = "evening"
	SessionOnline    = "online"
)

// Slot is one bookable start: a session at a center, or an online start
// (CenterID nil). Taken counts live bookings and never exceeds Capacity.
type Slot struct {
	ID        int64
	CenterID  *int64
	StartsAt  time.Time
	Session   string
	Capacity  int
	Taken     int
	ClosedAt  *time.Time
	CreatedAt time.Time
}

// Free is the number of seats still for sale.
func (s *Slot) Free() int {
	if s.ClosedAt != nil || s.Taken >= s.Capacity {
		return 0
	}
	return s.Capacity - s.Taken
}

// Online reports whether the slot is an online proctored start.
func (s *Slot) Online() bool { return s.CenterID == nil }

// Booking states.
const (
	BookingHeld      = "held"      // seat taken for a short time, in the cart
	BookingPending   = "pending"   // checkout started with a payment provider
	BookingConfirmed = "confirmed" // paid
	BookingCancelled = "cancelled"
	BookingExpired   = "expired"   // the hold ran out before payment
	BookingNoShow    = "no_show"   // the slot passed without the candidate: the fee is forfeited
	BookingDelivered = "delivered" // the candidate sat the exam (a check-in or a result proves it)
)

// Why a booking was settled as delivered: the cause in its
// booking.delivered event and audit entry.
const (
	DeliveryCheckIn    = "check_in"   // the candidate checked in (online launch or at the center)
	DeliveryResult     = "result"     // an exam attempt names the booking
	DeliveryCorrection = "correction" // staff corrected a no-show
)

// LiveBookingStates are the states that hold a seat. A booking whose exam
// is over (delivered or no-show) holds none, so the candidate may book the
// exam again.
var LiveBookingStates = []string{BookingHeld, BookingPending, BookingConfirmed}

// Booking is one candidate's seat for one exam.
type Booking struct {
	ID                int64
	Reference         string // public confirmation number
	UserID            int64
	ExamID            int64
	SlotID            int64
	State             string
	Language          string
	HoldExpiresAt     *time.Time
	PriceMinor        int64
	DiscountMinor     int64
	Currency          string
	VoucherID         *int64
	VoucherReleasedAt *time.Time
	PaymentID         *int64
	Policy            string // the refund policy at purchase, JSON
	Reschedules       int
	FreeReschedule    bool
	RulesVersion      string
	PrivacyVersion    string
	AgreedAt          *time.Time
	SystemCheckedAt   *time.Time
	ConfirmedAt       *time.Time
	CancelledAt       *time.Time
	CancelledBy       *int64
	CancelReason      string
	NoShowAt          *time.Time
	NoShowKind        string
	CheckedInAt       *time.Time
	// DeliveredAt is when the booking was settled as delivered.
	DeliveredAt *time.Time
	HoldIP      string // the address the hold was made from
	// ChargedMinor is what checkout charged for the booking (its price
	// less its discount when checked out; 0 before). Refunds come from it.
	ChargedMinor int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AmountMinor is what the candidate pays for the booking.
func (b *Booking) AmountMinor() int64 { return b.PriceMinor - b.DiscountMinor }

// Live reports whether the booking holds a seat.
func (b *Booking) Live() bool {
	return b.State == BookingHeld || b.State == BookingPending || b.State == BookingConfirmed
}

// Voucher is a voucher or discount code. Percent 100 is a full-value
// voucher.
type Voucher struct {
	ID          int64
	Code        string
	Percent     int
	ExamCodes   string // comma-separated; empty means any exam
	MaxUses     int
	Uses        int
	ExpiresAt   time.Time
	OwnerUserID *int64
	Note        string
	DisabledAt  *time.Time
	CreatedBy   *int64
	CreatedAt   time.Time
}

// OwnedVoucher is a voucher issued to one candidate, with the earned
// certification whose pass issued it (empty for any other voucher).
type OwnedVoucher struct {
	Voucher
	CertificationCode string
	CertificationName string
	// CertificationExpiresOn is the certification's last day (YYYY-MM-DD,
	// program calendar): the pass voucher is valid through it.
	CertificationExpiresOn string
}

// Payment providers.
const (
	ProviderTest    = "test"
	ProviderStripe  = "stripe"
	ProviderVoucher = "voucher" // nothing to charge
)

// Payment states.
const (
	PaymentPending   = "pending"
	PaymentSucceeded = "succeeded"
	PaymentFailed    = "failed"
	PaymentCancelled = "cancelled"
)

// What a payment pays for.
const (
	PurposeBooking       = "booking"        // the seats of one checkout
	PurposeRescheduleFee = "reschedule_fee" // the fee of one move
)

// Payment is one checkout's charge for one or more bookings, or the fee of
// one move (Purpose).
type Payment struct {
	ID          int64
	Reference   string
	UserID      int64
	Provider    string
	Purpose     string
	State       string
	AmountMinor int64
	Currency    string
	ProviderRef string
	Failure     string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SucceededAt *time.Time
}

// Refund states.
const (
	RefundRequested = "requested"
	RefundSucceeded = "succeeded"
	RefundFailed    = "failed"
)

// Refund returns money for one cancelled booking, or the fee of a move
// that could not be made.
type Refund struct {
	ID          int64
	BookingID   int64
	PaymentID   int64
	AmountMinor int64
	Currency    string
	State       string
	ProviderRef string
	Failure     string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Move states.
const (
	MovePending = "pending" // waiting for its fee
	MoveDone    = "done"
	MoveFailed  = "failed" // declined, expired, or no longer possible: a paid fee is refunded
)

// Move is one reschedule of a booking from one slot to another. Free moves
// (caused by the center) do not count against the exam's limit; a move
// with a fee happens only in the transaction that records its payment.
type Move struct {
	ID         int64
	BookingID  int64
	FromSlotID int64
	ToSlotID   int64
	State      string
	Free       bool
	FeeMinor   int64
	Currency   string
	PaymentID  *int64
	Failure    string
	ActorID    *int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
	DoneAt     *time.Time
}

// MoveDetail is a move with the start times it moved between and the
// state of its fee's payment ("" for a free move).
type MoveDetail struct {
	Move
	FromStartsAt time.Time
	ToStartsAt   time.Time
	PaymentState string
}

// Refunded reports a move that failed after its fee was paid: the fee is
// refunded.
func (m *MoveDetail) Refunded() bool {
	return m.State == MoveFailed && m.PaymentState == PaymentSucceeded
}

// ExamAttempt is one sitting of an exam; Passed is nil until the result
// is in.
type ExamAttempt struct {
	ID        int64
	UserID    int64
	ExamID    int64
	BookingID *int64
	TakenAt   time.Time
	Passed    *bool
	Score     *int
	CreatedAt time.Time
}

// BookingDetail is a booking with what pages and mails show about it: the
// exam, the start and the place.
type BookingDetail struct {
	Booking
	ExamCode        string
	ExamName        string
	DurationMinutes int
	MaxReschedules  int
	StartsAt        time.Time
	Session         string
	CenterID        *int64
	CenterName      string
	CenterAddress   string
	CenterCity      string
	CenterCountry   string
	CenterTimeZone  string
	UserEmail       string
	UserFirstName   string
	UserLastName    string
	UserLoginID     string
	UserTimeZone    string
	UserLanguage    string
}

// Online reports whether the booking is for an online proctored start.
func (d *BookingDetail) Online() bool { return d.CenterID == nil }

// Location is the time zone the start is shown in: the center's, or for
// online starts the candidate's (UTC when unset).
func (d *BookingDetail) Location() *time.Location {
	name := d.CenterTimeZone
	if d.Online() {
		name = d.UserTimeZone
	}
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}

// EndsAt is when the exam ends.
func (d *BookingDetail) EndsAt() time.Time {
	return d.StartsAt.Add(time.Duration(d.DurationMinutes) * time.Minute)
}
