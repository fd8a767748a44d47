package candidate

import "example.org/certportal/internal/web"

// The notices the candidate pages redirect with (web.Notice); notices
// lists them for the kit, each with its catalog message.
const (
	// Signing in and out, the account (auth.go, account.go, profile.go,
	// reset.go).
	noticeSignedOut        web.Notice = "signed_out"
	noticeSetupComplete    web.Notice = "setup_complete"
	noticeEmailVerified    web.Notice = "email_verified"
	noticeVerificationSent web.Notice = "verification_sent"
	noticeProfileSaved     web.Notice = "profile_saved"
	noticeOthersSignedOut  web.Notice = "others_signed_out"
	noticePasswordChanged  web.Notice = "password_changed"
	noticePasswordReset    web.Notice = "password_reset"
	noticeEmailChanged     web.Notice = "email_changed"
	// Second factors (mfa.go).
	noticeTOTPEnabled         web.Notice = "totp_enabled"
	noticeTOTPDisabled        web.Notice = "totp_disabled"
	noticeSMSEnabled          web.Notice = "sms_enabled"
	noticeSMSDisabled         web.Notice = "sms_disabled"
	noticePhoneChanged        web.Notice = "phone_changed"
	noticeSMSCodeSent         web.Notice = "sms_code_sent"
	noticeConfirmCodeSent     web.Notice = "confirm_code_sent"
	noticeBackupCodesReplaced web.Notice = "backup_codes_replaced"
	noticeReauth              web.Notice = "reauth"
	// Scheduling (schedule.go, cart.go, bookings.go).
	noticeHeld             web.Notice = "held"
	noticeHoldReleased     web.Notice = "hold_released"
	noticeVoucherApplied   web.Notice = "voucher_applied"
	noticePaymentCancelled web.Notice = "payment_cancelled"
	noticeRescheduled      web.Notice = "rescheduled"
	noticeCancelled        web.Notice = "cancelled"
	noticeLaunched         web.Notice = "launched"
	// noticeMovePaid is where Stripe Checkout sends a candidate back after
	// paying a reschedule fee; booking writes that URL.
	noticeMovePaid web.Notice = "move_paid"
	// The holder's directory choice (credential_directory.go).
	noticeDirectoryJoined web.Notice = "directory_joined"
	noticeDirectoryLeft   web.Notice = "directory_left"
	// Continuing education (ce.go).
	noticeCESubmitted  web.Notice = "ce_submitted"
	noticeCEDraftSaved web.Notice = "ce_draft_saved"
	noticeCEWithdrawn  web.Notice = "ce_withdrawn"
	noticeCEAnswered   web.Notice = "ce_answered"
	noticeCEAppealed   web.Notice = "ce_appealed"
)

// notices maps every notice of the candidate pages to its catalog message.
var notices = map[web.Notice]string{
	noticeDirectoryJoined:     "notice.directory_joined",
	noticeDirectoryLeft:       "notice.directory_left",
	noticeCESubmitted:         "notice.ce_submitted",
	noticeCEDraftSaved:        "notice.ce_draft_saved",
	noticeCEWithdrawn:         "notice.ce_withdrawn",
	noticeCEAnswered:          "notice.ce_answered",
	noticeCEAppealed:          "notice.ce_appealed",
	noticeSignedOut:           "notice.signed_out",
	noticeSetupComplete:       "notice.setup_complete",
	noticeEmailVerified:       "notice.email_verified",
	noticeVerificationSent:    "notice.verification_sent",
	noticeProfileSaved:        "notice.profile_saved",
	noticeOthersSignedOut:     "notice.others_signed_out",
	noticePasswordChanged:     "notice.password_changed",
	noticePasswordReset:       "notice.password_reset",
	noticeEmailChanged:        "notice.email_changed",
	noticeTOTPEnabled:         "notice.totp_enabled",
	noticeTOTPDisabled:        "notice.totp_disabled",
	noticeSMSEnabled:          "notice.sms_enabled",
	noticeSMSDisabled:         "notice.sms_disabled",
	noticePhoneChanged:        "notice.phone_changed",
	noticeSMSCodeSent:         "notice.sms_code_sent",
	noticeConfirmCodeSent:     "notice.confirm_code_sent",
	noticeBackupCodesReplaced: "notice.backup_codes_replaced",
	noticeReauth:              "notice.reauth",
	noticeHeld:                "notice.held",
	noticeHoldReleased:        "notice.hold_released",
	noticeVoucherApplied:      "notice.voucher_applied",
	noticePaymentCancelled:    "notice.payment_cancelled",
	noticeRescheduled:         "notice.rescheduled",
	noticeCancelled:           "notice.cancelled",
	noticeLaunched:            "notice.launched",
	noticeMovePaid:            "notice.move_paid",
}
