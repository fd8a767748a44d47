package web

import "strings"

// A notice is a confirmation that a redirect asks the next page to show
// (?notice=KEY, the Post/Redirect/Get flash). Redirects name one of the
// constants below through withNotice; the layout shows a key only when it
// is one of them, by its catalog message, so a crafted link cannot put
// text on a page. TestEveryNoticeRenders walks every constant of this type
// and fails when one has no message in some language.
type notice string

const (
	// Signing in and out, the account (auth.go, account.go, profile.go,
	// reset.go).
	noticeSignedOut        notice = "signed_out"
	noticeSetupComplete    notice = "setup_complete"
	noticeEmailVerified    notice = "email_verified"
	noticeVerificationSent notice = "verification_sent"
	noticeProfileSaved     notice = "profile_saved"
	noticeOthersSignedOut  notice = "others_signed_out"
	noticePasswordChanged  notice = "password_changed"
	noticePasswordReset    notice = "password_reset"
	noticeEmailChanged     notice = "email_changed"
	// Second factors (mfa.go).
	noticeTOTPEnabled         notice = "totp_enabled"
	noticeTOTPDisabled        notice = "totp_disabled"
	noticeSMSEnabled          notice = "sms_enabled"
	noticeSMSDisabled         notice = "sms_disabled"
	noticePhoneChanged        notice = "phone_changed"
	noticeSMSCodeSent         notice = "sms_code_sent"
	noticeConfirmCodeSent     notice = "confirm_code_sent"
	noticeBackupCodesReplaced notice = "backup_codes_replaced"
	noticeReauth              notice = "reauth"
	// The console: mail, accounts, centers, the exam catalog.
	noticeTestMailSent            notice = "test_mail_sent"
	noticeUserDisabled            notice = "user_disabled"
	noticeUserEnabled             notice = "user_enabled"
	noticeUserSignedOut           notice = "user_signed_out"
	noticeMFAReset                notice = "mfa_reset"
	noticeStaffInvited            notice = "staff_invited"
	noticeStaffPermissionsChanged notice = "staff_permissions_changed"
	noticeCenterSaved             notice = "center_saved"
	noticeExamSaved               notice = "exam_saved"
	noticeExamRetired             notice = "exam_retired"
	noticeExamActivated           notice = "exam_activated"
	// Scheduling (schedule.go, cart.go, bookings.go, console_schedule.go).
	noticeHeld             notice = "held"
	noticeHoldReleased     notice = "hold_released"
	noticeVoucherApplied   notice = "voucher_applied"
	noticePaymentCancelled notice = "payment_cancelled"
	noticeRescheduled      notice = "rescheduled"
	noticeCancelled        notice = "cancelled"
	noticeLaunched         notice = "launched"
	noticeCapacityChanged  notice = "capacity_changed"
	noticeSlotClosed       notice = "slot_closed"
	noticeNoShowRecorded   notice = "no_show_recorded"
	noticeCheckedIn        notice = "checked_in"
	noticeNoShowCorrected  notice = "no_show_corrected"
	noticeBookingCancelled notice = "booking_cancelled"
	noticeDayClosed        notice = "day_closed"
	noticeVoucherCreated   notice = "voucher_created"
	// Results and the certification catalogue (console_results.go,
	// console_certifications.go).
	noticeCertificationSaved notice = "certification_saved"
	noticeResultEntered      notice = "result_entered"
	noticeResultConfirmed    notice = "result_confirmed"
	noticeResultRejected     notice = "result_rejected"
	noticeResultHeld         notice = "result_held"
	noticeResultReleased     notice = "result_released"
	noticeResultCorrected    notice = "result_corrected"
	// The program calendar (console_calendar.go).
	noticeCalendarSaved    notice = "calendar_saved"
	noticeHolidayAdded     notice = "holiday_added"
	noticeHolidayRemoved   notice = "holiday_removed"
	noticeHolidaysImported notice = "holidays_imported"
	// Program settings (console_settings.go).
	noticeSettingsSaved notice = "settings_saved"
	noticeLogoSaved     notice = "logo_saved"
	noticeLogoRemoved   notice = "logo_removed"
	// noticeMovePaid is where Stripe Checkout sends a candidate back after
	// paying a reschedule fee; booking writes that URL.
	noticeMovePaid notice = "move_paid"
	// Credentials in the console (console_credentials.go).
	noticeCredentialRevoked    notice = "credential_revoked"
	noticeCredentialSuspended  notice = "credential_suspended"
	noticeCredentialReinstated notice = "credential_reinstated"
	// The holder's directory choice (credential_directory.go).
	noticeDirectoryJoined notice = "directory_joined"
	noticeDirectoryLeft   notice = "directory_left"
	// Continuing education (ce.go).
	noticeCESubmitted  notice = "ce_submitted"
	noticeCEDraftSaved notice = "ce_draft_saved"
	noticeCEWithdrawn  notice = "ce_withdrawn"
	noticeCEAnswered   notice = "ce_answered"
	noticeCEAppealed   notice = "ce_appealed"
)

// notices maps every notice to its catalog message.
var notices = map[notice]string{
	noticeCredentialRevoked:       "notice.credential_revoked",
	noticeCredentialSuspended:     "notice.credential_suspended",
	noticeCredentialReinstated:    "notice.credential_reinstated",
	noticeDirectoryJoined:         "notice.directory_joined",
	noticeDirectoryLeft:           "notice.directory_left",
	noticeCESubmitted:             "notice.ce_submitted",
	noticeCEDraftSaved:            "notice.ce_draft_saved",
	noticeCEWithdrawn:             "notice.ce_withdrawn",
	noticeCEAnswered:              "notice.ce_answered",
	noticeCEAppealed:              "notice.ce_appealed",
	noticeSignedOut:               "notice.signed_out",
	noticeCertificationSaved:      "notice.certification_saved",
	noticeResultEntered:           "notice.result_entered",
	noticeResultConfirmed:         "notice.result_confirmed",
	noticeResultRejected:          "notice.result_rejected",
	noticeResultHeld:              "notice.result_held",
	noticeResultReleased:          "notice.result_released",
	noticeResultCorrected:         "notice.result_corrected",
	noticeSetupComplete:           "notice.setup_complete",
	noticeEmailVerified:           "notice.email_verified",
	noticeVerificationSent:        "notice.verification_sent",
	noticeProfileSaved:            "notice.profile_saved",
	noticeOthersSignedOut:         "notice.others_signed_out",
	noticePasswordChanged:         "notice.password_changed",
	noticePasswordReset:           "notice.password_reset",
	noticeEmailChanged:            "notice.email_changed",
	noticeTOTPEnabled:             "notice.totp_enabled",
	noticeTOTPDisabled:            "notice.totp_disabled",
	noticeSMSEnabled:              "notice.sms_enabled",
	noticeSMSDisabled:             "notice.sms_disabled",
	noticePhoneChanged:            "notice.phone_changed",
	noticeSMSCodeSent:             "notice.sms_code_sent",
	noticeConfirmCodeSent:         "notice.confirm_code_sent",
	noticeBackupCodesReplaced:     "notice.backup_codes_replaced",
	noticeReauth:                  "notice.reauth",
	noticeTestMailSent:            "notice.test_mail_sent",
	noticeUserDisabled:            "notice.user_disabled",
	noticeUserEnabled:             "notice.user_enabled",
	noticeUserSignedOut:           "notice.user_signed_out",
	noticeMFAReset:                "notice.mfa_reset",
	noticeStaffInvited:            "notice.staff_invited",
	noticeStaffPermissionsChanged: "notice.staff_permissions_changed",
	noticeCenterSaved:             "notice.center_saved",
	noticeExamSaved:               "notice.exam_saved",
	noticeExamRetired:             "notice.exam_retired",
	noticeExamActivated:           "notice.exam_activated",
	noticeHeld:                    "notice.held",
	noticeHoldReleased:            "notice.hold_released",
	noticeVoucherApplied:          "notice.voucher_applied",
	noticePaymentCancelled:        "notice.payment_cancelled",
	noticeRescheduled:             "notice.rescheduled",
	noticeCancelled:               "notice.cancelled",
	noticeLaunched:                "notice.launched",
	noticeCapacityChanged:         "notice.capacity_changed",
	noticeSlotClosed:              "notice.slot_closed",
	noticeNoShowRecorded:          "notice.no_show_recorded",
	noticeCheckedIn:               "notice.checked_in",
	noticeNoShowCorrected:         "notice.no_show_corrected",
	noticeBookingCancelled:        "notice.booking_cancelled",
	noticeDayClosed:               "notice.day_closed",
	noticeVoucherCreated:          "notice.voucher_created",
	noticeCalendarSaved:           "notice.calendar_saved",
	noticeHolidayAdded:            "notice.holiday_added",
	noticeHolidayRemoved:          "notice.holiday_removed",
	noticeHolidaysImported:        "notice.holidays_imported",
	noticeSettingsSaved:           "notice.settings_saved",
	noticeLogoSaved:               "notice.logo_saved",
	noticeLogoRemoved:             "notice.logo_removed",
	noticeMovePaid:                "notice.move_paid",
}

// withNotice adds a notice to a local path (which may have a query).
func withNotice(path string, n notice) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "notice=" + string(n)
}

// noticeMessage is the catalog message of the ?notice= key of a request,
// or "" when the key is not a notice.
func noticeMessage(key string) string {
	return notices[notice(key)]
}
