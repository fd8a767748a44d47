package web

import "strings"

// A Notice is a confirmation that a redirect asks the next page to show
// (?notice=KEY, the Post/Redirect/Get flash). Redirects name a constant of
// this type through WithNotice; each section declares the notices it
// redirects with and lists them, with their catalog messages, in its
// Section.Notices. The layout shows a key only when it is listed, by its
// catalog message, so a crafted link cannot put text on a page.
// TestEveryNoticeRenders walks every constant of this type and fails when
// one has no message in some language.
type Notice string

const (
	// Signing in and out, the account (auth.go, account.go, profile.go,
	// reset.go).
	noticeSignedOut        Notice = "signed_out"
	noticeSetupComplete    Notice = "setup_complete"
	noticeEmailVerified    Notice = "email_verified"
	noticeVerificationSent Notice = "verification_sent"
	noticeProfileSaved     Notice = "profile_saved"
	noticeOthersSignedOut  Notice = "others_signed_out"
	noticePasswordChanged  Notice = "password_changed"
	noticePasswordReset    Notice = "password_reset"
	noticeEmailChanged     Notice = "email_changed"
	// Second factors (mfa.go).
	noticeTOTPEnabled         Notice = "totp_enabled"
	noticeTOTPDisabled        Notice = "totp_disabled"
	noticeSMSEnabled          Notice = "sms_enabled"
	noticeSMSDisabled         Notice = "sms_disabled"
	noticePhoneChanged        Notice = "phone_changed"
	noticeSMSCodeSent         Notice = "sms_code_sent"
	noticeConfirmCodeSent     Notice = "confirm_code_sent"
	noticeBackupCodesReplaced Notice = "backup_codes_replaced"
	noticeReauth              Notice = "reauth"
	// Scheduling (schedule.go, cart.go, bookings.go).
	noticeHeld             Notice = "held"
	noticeHoldReleased     Notice = "hold_released"
	noticeVoucherApplied   Notice = "voucher_applied"
	noticePaymentCancelled Notice = "payment_cancelled"
	noticeRescheduled      Notice = "rescheduled"
	noticeCancelled        Notice = "cancelled"
	noticeLaunched         Notice = "launched"
	// noticeMovePaid is where Stripe Checkout sends a candidate back after
	// paying a reschedule fee; booking writes that URL.
	noticeMovePaid Notice = "move_paid"
	// The holder's directory choice (credential_directory.go).
	noticeDirectoryJoined Notice = "directory_joined"
	noticeDirectoryLeft   Notice = "directory_left"
	// Continuing education (ce.go).
	noticeCESubmitted  Notice = "ce_submitted"
	noticeCEDraftSaved Notice = "ce_draft_saved"
	noticeCEWithdrawn  Notice = "ce_withdrawn"
	noticeCEAnswered   Notice = "ce_answered"
	noticeCEAppealed   Notice = "ce_appealed"
)

// kitNotices maps the notices of the pages still in the kit to their
// catalog messages.
var kitNotices = map[Notice]string{
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

// WithNotice adds a notice to a local path (which may have a query).
func WithNotice(path string, n Notice) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "notice=" + string(n)
}

// noticeMessage is the catalog message of the ?notice= key of a request,
// or "" when the key is not a notice.
func (s *Server) noticeMessage(key string) string {
	return s.notices[Notice(key)]
}
