package console

import "example.org/certportal/internal/web"

// The notices the console redirects with (web.Notice); notices lists them
// for the kit, each with its catalog message.
const (
	// Mail, accounts and staff (console.go, users.go, staff.go).
	noticeTestMailSent            web.Notice = "test_mail_sent"
	noticeUserDisabled            web.Notice = "user_disabled"
	noticeUserEnabled             web.Notice = "user_enabled"
	noticeUserSignedOut           web.Notice = "user_signed_out"
	noticeMFAReset                web.Notice = "mfa_reset"
	noticeStaffInvited            web.Notice = "staff_invited"
	noticeStaffPermissionsChanged web.Notice = "staff_permissions_changed"
	// Test centers and the exam catalog (centers.go, exams.go).
	noticeCenterSaved   web.Notice = "center_saved"
	noticeExamSaved     web.Notice = "exam_saved"
	noticeExamRetired   web.Notice = "exam_retired"
	noticeExamActivated web.Notice = "exam_activated"
	// Scheduling (schedule.go).
	noticeCapacityChanged  web.Notice = "capacity_changed"
	noticeSlotClosed       web.Notice = "slot_closed"
	noticeNoShowRecorded   web.Notice = "no_show_recorded"
	noticeCheckedIn        web.Notice = "checked_in"
	noticeNoShowCorrected  web.Notice = "no_show_corrected"
	noticeBookingCancelled web.Notice = "booking_cancelled"
	noticeDayClosed        web.Notice = "day_closed"
	noticeVoucherCreated   web.Notice = "voucher_created"
	// The certification catalogue and results (certifications.go,
	// results.go).
	noticeCertificationSaved web.Notice = "certification_saved"
	noticeResultEntered      web.Notice = "result_entered"
	noticeResultConfirmed    web.Notice = "result_confirmed"
	noticeResultRejected     web.Notice = "result_rejected"
	noticeResultHeld         web.Notice = "result_held"
	noticeResultReleased     web.Notice = "result_released"
	noticeResultCorrected    web.Notice = "result_corrected"
	// The program calendar (calendar.go).
	noticeCalendarSaved    web.Notice = "calendar_saved"
	noticeHolidayAdded     web.Notice = "holiday_added"
	noticeHolidayRemoved   web.Notice = "holiday_removed"
	noticeHolidaysImported web.Notice = "holidays_imported"
	// Program settings (settings.go).
	noticeSettingsSaved web.Notice = "settings_saved"
	noticeLogoSaved     web.Notice = "logo_saved"
	noticeLogoRemoved   web.Notice = "logo_removed"
	// Credentials (credentials.go).
	noticeCredentialRevoked    web.Notice = "credential_revoked"
	noticeCredentialSuspended  web.Notice = "credential_suspended"
	noticeCredentialReinstated web.Notice = "credential_reinstated"
)

// notices maps every notice of the console to its catalog message: the
// constants above and those declared beside their pages (ce.go,
// ce_catalogue.go, ce_flags.go).
var notices = map[web.Notice]string{
	noticeCredentialRevoked:       "notice.credential_revoked",
	noticeCredentialSuspended:     "notice.credential_suspended",
	noticeCredentialReinstated:    "notice.credential_reinstated",
	noticeCertificationSaved:      "notice.certification_saved",
	noticeResultEntered:           "notice.result_entered",
	noticeResultConfirmed:         "notice.result_confirmed",
	noticeResultRejected:          "notice.result_rejected",
	noticeResultHeld:              "notice.result_held",
	noticeResultReleased:          "notice.result_released",
	noticeResultCorrected:         "notice.result_corrected",
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
	noticeCEClaimed:               "notice.ce_claimed",
	noticeCEAssigned:              "notice.ce_assigned",
	noticeCEDecided:               "notice.ce_decided",
	noticeCEInfoRequested:         "notice.ce_info_requested",
	noticeCEReversed:              "notice.ce_reversed",
	noticeCETypeSaved:             "notice.ce_type_saved",
	noticeCETypeUnchanged:         "notice.ce_type_unchanged",
	noticeCERequirementSet:        "notice.ce_requirement_saved",
	noticeCEOptionsSaved:          "notice.ce_options_saved",
	noticeCEExampleApplied:        "notice.ce_example_applied",
	noticeCECatalogueImport:       "notice.ce_catalogue_imported",
	noticeCEFlagResolved:          "notice.ce_flag_resolved",
}
