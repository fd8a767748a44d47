// Package failpoint stops the process at named points of the business
// operations, for crash tests (SECURITY.md CRASH-01).
//
// Built with the failpoints tag, Inject(name) exits the process at once
// with status 137, as a kill -9 would leave it (no deferred calls, no
// rollback, no graceful shutdown), when the environment variable
// CERTPORTAL_FAILPOINT names that point. Every other build compiles Inject
// to nothing. The crash test (internal/app TestCrashAtEachFailpoint)
// builds the binary with the tag, arms each point in turn, drives the
// operation that reaches it, and checks that what the database holds
// afterwards satisfies store.CheckInvariants and can be recovered.
package failpoint

// EnvVar names the armed point.
const EnvVar = "CERTPORTAL_FAILPOINT"

// ExitCode is the status the process ends with at an armed point.
const ExitCode = 137

// The points. Each follows a statement that changes the database, or a
// call to a payment provider, inside or between the transactions of an
// operation.
const (
	HoldSeatTaken           = "hold.seat_taken"
	HoldBookingCreated      = "hold.booking_created"
	CheckoutPaymentCreated  = "checkout.payment_created"
	CheckoutBookingsPending = "checkout.bookings_pending"
	PaymentCharged          = "payment.charged" // the provider charged; nothing recorded yet
	ConfirmPaymentSucceeded = "confirm.payment_succeeded"
	ConfirmBookingConfirmed = "confirm.booking_confirmed"
	CancelBookingCancelled  = "cancel.booking_cancelled"
	CancelSeatReleased      = "cancel.seat_released"
	CancelRefundQueued      = "cancel.refund_queued"
	RefundProviderDone      = "refund.provider_done" // the provider refunded; nothing recorded yet
	MoveSeatTaken           = "move.seat_taken"
	MoveSeatReleased        = "move.seat_released"
	MoveFeeCreated          = "move.fee_created"
	ExpireSeatReleased      = "expire.seat_released"
	ImportRowsStaged        = "import.rows_staged"        // a batch of a results file staged, not committed
	ImportFirstRowApplied   = "import.first_row_applied"  // the apply transaction recorded a row
	ImportRowsApplied       = "import.rows_applied"       // every row recorded, the import not yet applied
	PublishAttemptOfficial  = "publish.attempt_official"  // a result made official, nothing issued yet
	PublishCertIssued       = "publish.cert_issued"       // its certification issued, no voucher yet
	PublishVoucherIssued    = "publish.voucher_issued"    // its voucher created, the transaction not committed
	RenewalRecorded         = "renewal.recorded"          // a renewal row written, nothing consumed or extended yet
	RenewalExtended         = "renewal.extended"          // credits consumed and the certification extended, not committed
	RenewalCredentialIssued = "renewal.credential_issued" // the new cycle's credential issued, the old one not yet superseded
)

// Points lists every point, in the order an operation reaches them.
var Points = []string{
	HoldSeatTaken, HoldBookingCreated, CheckoutPaymentCreated, CheckoutBookingsPending, PaymentCharged,
	ConfirmPaymentSucceeded, ConfirmBookingConfirmed, CancelBookingCancelled, CancelSeatReleased, CancelRefundQueued,
	RefundProviderDone, MoveSeatTaken, MoveSeatReleased, MoveFeeCreated, ExpireSeatReleased,
	ImportRowsStaged, ImportFirstRowApplied, ImportRowsApplied,
	PublishAttemptOfficial, PublishCertIssued, PublishVoucherIssued,
	RenewalRecorded, RenewalExtended, RenewalCredentialIssued,
}

// Points of the upload pipeline (internal/uploads), apart from Points
// because a process other than the portal reaches them too: the uploads
// package's own crash test (TestCrashMidUploadLeavesNoRowWithoutItsBlob)
// arms each in a subprocess, and the portal's crash test arms each while
// a candidate sends a file to the JSON API's upload route; both check the
// files against the rows before and after the orphan sweep.
const (
	UploadBlobStored   = "upload.blob_stored"   // the blob is durable in its place; the row not committed
	UploadRowCommitted = "upload.row_committed" // the row and its scan job committed
)

// UploadPoints lists the upload pipeline's points.
var UploadPoints = []string{UploadBlobStored, UploadRowCommitted}
