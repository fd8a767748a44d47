package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/portal"
)

// Body limits. Forms are small; anything larger is refused with 413 before
// it is read.
const (
	formBodyLimit = 64 << 10
)

// Handler returns the whole HTML interface with its middleware, built from
// the route table.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		h := rt.raw
		if h == nil {
			limit := rt.limit
			if limit == 0 {
				limit = formBodyLimit
			}
			h = s.limitBody(limit, s.handle(rt.handle))
		}
		mux.Handle(rt.pattern, s.pattern(s.guard(rt.access, h)))
	}
	return s.middleware(nil, mux)
}

// Wrap puts the site's middleware in front of another surface that the
// app serves beside the site (the JSON API): request IDs and logs, security
// headers, cross-origin protection and the session, with the middleware's
// own refusals answered by errs in that surface's format.
func (s *Server) Wrap(h http.Handler, errs ErrorWriter) http.Handler {
	return s.middleware(errs, s.pattern(h))
}

// middleware is the chain every request passes, outermost first.
func (s *Server) middleware(errs ErrorWriter, next http.Handler) http.Handler {
	inner := s.securityHeaders(s.crossOrigin(s.loadSession(next)))
	if errs != nil {
		inner = s.answerErrorsWith(errs, inner)
	}
	return s.observe(inner)
}

// answerErrorsWith makes errs the error mapper of the request.
func (s *Server) answerErrorsWith(errs ErrorWriter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info(r).errors = errs
		next.ServeHTTP(w, r)
	})
}

// webRoute is one route of the HTML interface: who may reach it, its
// pattern, and its handler: an error-returning handle with a body limit
// (0: formBodyLimit), or a raw handler served as it is.
type webRoute struct {
	access  access
	pattern string
	limit   int64
	handle  func(http.ResponseWriter, *http.Request) error
	raw     http.Handler
}

// routes is every route of the HTML interface, each with the access it
// needs. Deny by default: a console route names the permission it needs,
// and the access tests walk this table.
func (s *Server) routes() []webRoute {
	rs := []webRoute{
		{anyone, "GET /healthz", 0, s.handleHealthz, nil},
		{anyone, "GET /readyz", 0, s.handleReadyz, nil},
		{anyone, "GET /static/", 0, nil, s.static},
		{anyone, "GET /favicon.ico", 0, nil, http.HandlerFunc(s.static.serveFavicon)},
		{anyone, "GET /{$}", 0, s.handleHome, nil},
		{anyone, "GET /help", 0, s.handleHelp, nil},
		{anyone, "GET /logo.png", 0, s.handleLogo, nil},
		{anyone, "GET /.well-known/did.json", 0, s.handleDIDDocument, nil},
		{anyone, "GET /credentials/status/{purpose}/{number}", 0, s.handleStatusList, nil},
		{anyone, "GET /credentials/kit.json", 0, s.handleCredentialKit, nil},
		{anyone, "GET /credentials", 0, s.handleCredentialLookup, nil},
		{anyone, "GET /credentials/directory", 0, s.handleCredentialDirectory, nil},
		{anyone, "GET /credentials/{id}", 0, s.handleCredential, nil},
		{anyone, "GET /credentials/{id}/credential.json", 0, s.handleCredentialDocument(credentials.FormJSONLD), nil},
		{anyone, "GET /credentials/{id}/credential.jwt", 0, s.handleCredentialDocument(credentials.FormJWT), nil},
		{anyone, "GET /credentials/{id}/badge.png", 0, s.handleCredentialBadge(badgePNG), nil},
		{anyone, "GET /credentials/{id}/badge.svg", 0, s.handleCredentialBadge(badgeSVG), nil},
		{anyone, "GET /exams", 0, s.handleExamList, nil},
		{anyone, "GET /signin", 0, s.handleSignInForm, nil},
		{anyone, "POST /signin", 0, s.handleSignIn, nil},
		{anyone, "GET /signin/mfa", 0, s.requirePending(s.handleSignInMFAForm), nil},
		{anyone, "POST /signin/mfa", 0, s.requirePending(s.handleSignInMFA), nil},
		{anyone, "POST /signin/mfa/sms", 0, s.requirePending(s.handleSignInMFASMS), nil},
		{anyone, "GET /setup/{token}", 0, s.handleSetupForm, nil},
		{anyone, "POST /setup/{token}", 0, s.handleSetup, nil},
		{anyone, "POST /language", 0, s.handleLanguage, nil},
		{anyone, "GET /register", 0, s.handleRegisterForm, nil},
		{anyone, "GET /regions", 0, s.handleRegions, nil},
		{anyone, "POST /register", 0, s.handleRegister, nil},
		{anyone, "GET /register/done", 0, s.handleRegisterDone, nil},
		{anyone, "GET /verify/{token}", 0, s.handleVerifyForm, nil},
		{anyone, "POST /verify/{token}", 0, s.handleVerify, nil},
		{anyone, "GET /password/forgot", 0, s.handleForgotForm, nil},
		{anyone, "POST /password/forgot", 0, s.handleForgot, nil},
		{anyone, "GET /password/reset/{token}", 0, s.handleResetLink, nil},
		{anyone, "GET /password/reset", 0, s.handleResetForm, nil},
		{anyone, "POST /password/reset", 0, s.handleReset, nil},
		{anyone, "POST /password/reset/sms", 0, s.handleResetSMS, nil},
		{anyone, "GET /email/confirm/{token}", 0, s.handleEmailConfirmForm, nil},
		{anyone, "POST /email/confirm/{token}", 0, s.handleEmailConfirm, nil},
		{anyone, "POST /webhooks/stripe", stripeWebhookLimit, s.handleStripeWebhook, nil},

		// Signed-in users: the account.
		{signedIn, "GET /dashboard", 0, s.handleDashboard, nil},
		{signedIn, "POST /signout", 0, s.handleSignOut, nil},
		{signedIn, "GET /verify-email", 0, s.handleVerifyPending, nil},
		{signedIn, "POST /verify/resend", 0, s.handleVerifyResend, nil},
		{signedIn, "GET /profile", 0, s.handleProfile, nil},
		{signedIn, "POST /profile", 0, s.handleProfileUpdate, nil},
		{signedIn, "GET /profile/security", 0, s.handleSecurityOverview, nil},
		{signedIn, "POST /profile/security/signout-others", 0, s.handleSignOutOthers, nil},
		{signedIn, "GET /profile/security/totp", 0, s.handleTOTPForm, nil},
		{signedIn, "POST /profile/security/totp", 0, s.handleTOTPBegin, nil},
		{signedIn, "POST /profile/security/totp/confirm", 0, s.handleTOTPConfirm, nil},
		{signedIn, "GET /profile/security/totp/disable", 0, s.handleTOTPDisableForm, nil},
		{signedIn, "POST /profile/security/totp/disable", 0, s.handleTOTPDisable, nil},
		{signedIn, "GET /profile/security/sms", 0, s.handleSMSForm, nil},
		{signedIn, "POST /profile/security/sms", 0, s.handleSMSStart, nil},
		{signedIn, "GET /profile/security/sms/confirm", 0, s.handleSMSConfirmForm, nil},
		{signedIn, "POST /profile/security/sms/confirm", 0, s.handleSMSConfirm, nil},
		{signedIn, "GET /profile/security/sms/disable", 0, s.handleSMSDisableForm, nil},
		{signedIn, "POST /profile/security/sms/disable", 0, s.handleSMSDisable, nil},
		{signedIn, "POST /profile/security/backup-codes", 0, s.handleBackupCodesRegenerate, nil},
		{signedIn, "POST /profile/security/code", 0, s.handleMFASendCode, nil},
		{signedIn, "POST /profile/security/reauth", 0, s.handleReauth, nil},
		{signedIn, "GET /profile/password", 0, s.handlePasswordForm, nil},
		{signedIn, "POST /profile/password", 0, s.handlePasswordChange, nil},
		{signedIn, "GET /profile/email", 0, s.handleEmailForm, nil},
		{signedIn, "POST /profile/email", 0, s.handleEmailChange, nil},

		// Signed-in users: scheduling (schedule.go, cart.go, bookings.go).
		{signedIn, "GET /schedule/{code}", 0, s.handleScheduleExam, nil},
		{signedIn, "GET /schedule/{code}/centers", 0, s.handleCenterSearch, nil},
		{signedIn, "GET /schedule/{code}/centers/{id}", 0, s.handleCenterSlots, nil},
		{signedIn, "GET /schedule/{code}/online", 0, s.handleOnlineSlots, nil},
		{signedIn, "POST /schedule/{code}/hold", 0, s.handleHold, nil},
		{signedIn, "GET /cart", 0, s.handleCart, nil},
		{signedIn, "POST /cart/{id}/voucher", 0, s.handleCartVoucher, nil},
		{signedIn, "POST /cart/{id}/voucher/remove", 0, s.handleCartVoucherRemove, nil},
		{signedIn, "POST /cart/{id}/release", 0, s.handleCartRelease, nil},
		{signedIn, "POST /checkout", 0, s.handleCheckout, nil},
		{signedIn, "GET /checkout/return", 0, s.handleCheckoutReturn, nil},
		{signedIn, "GET /checkout/cancel", 0, s.handleCheckoutCancel, nil},
		{signedIn, "GET /system-check", 0, s.handleSystemCheck, nil},
		{signedIn, "GET /system-check/payload", 0, s.handleSystemCheckPayload, nil},
		{signedIn, "GET /bookings", 0, s.handleBookings, nil},
		{signedIn, "GET /bookings/{ref}", 0, s.handleBooking, nil},
		{signedIn, "GET /bookings/{ref}/calendar.ics", 0, s.handleBookingCalendar, nil},
		{signedIn, "GET /bookings/{ref}/reschedule", 0, s.handleBookingRescheduleReview, nil},
		{signedIn, "POST /bookings/{ref}/reschedule", 0, s.handleBookingReschedule, nil},
		{signedIn, "GET /bookings/{ref}/cancel", 0, s.handleBookingCancelForm, nil},
		{signedIn, "POST /bookings/{ref}/cancel", 0, s.handleBookingCancel, nil},
		{signedIn, "POST /bookings/{ref}/launch", 0, s.handleBookingLaunch, nil},

		// Signed-in users: results and certifications (results.go).
		{signedIn, "GET /history", 0, s.handleHistory, nil},
		{signedIn, "GET /history/{id}", 0, s.handleScoreReport, nil},
		// The holder's signed PDF documents (documents.go).
		{signedIn, "GET /history/transcript.pdf", 0, s.handleTranscriptPDF, nil},
		{signedIn, "GET /history/{id}/score-report.pdf", 0, s.handleScoreReportPDF, nil},
		{signedIn, "GET /certifications/{id}/certificate.pdf", 0, s.handleCertificatePDF, nil},
		{signedIn, "GET /certifications/{id}/cycles/{cycle}/certificate.pdf", 0, s.handleCycleCertificatePDF, nil},
		{signedIn, "GET /certifications", 0, s.handleCertifications, nil},
		{signedIn, "GET /certifications/{id}/credential.json", 0, s.handleHolderCredentialDocument(credentials.FormJSONLD), nil},
		{signedIn, "GET /certifications/{id}/credential.jwt", 0, s.handleHolderCredentialDocument(credentials.FormJWT), nil},
		{signedIn, "GET /certifications/{id}/badge.png", 0, s.handleHolderBadge(badgePNG), nil},
		{signedIn, "GET /certifications/{id}/badge.svg", 0, s.handleHolderBadge(badgeSVG), nil},
		// The holder's printable certificate (certificate.go).
		{signedIn, "GET /certifications/{id}/certificate", 0, s.handleCertificate, nil},
		{signedIn, "POST /certifications/{id}/certificate", 0, s.handleCertificateChoose, nil},
		{signedIn, "POST /certifications/{id}/directory/join", 0, s.handleDirectoryJoin, nil},
		{signedIn, "POST /certifications/{id}/directory/leave", 0, s.handleDirectoryLeave, nil},
		{signedIn, "GET /benefits", 0, s.handleBenefits, nil},
		// Continuing education (ce.go).
		{signedIn, "GET /ce", 0, s.handleCE, nil},
		{signedIn, "GET /ce/history", 0, s.handleCEHistory, nil},
		{signedIn, "GET /ce/history.csv", 0, s.handleCEHistoryCSV, nil},
		{signedIn, "GET /ce/transcript.pdf", 0, s.handleCETranscriptPDF, nil},
		{signedIn, "GET /ce/submit", 0, s.handleCESubmitForm, nil},
		{signedIn, "POST /ce/submit", ceUploadLimit, s.handleCESubmit, nil},
		{signedIn, "GET /ce/submissions/{id}", 0, s.handleCESubmission, nil},
		{signedIn, "GET /ce/submissions/{id}/evidence/{upload}", 0, s.handleCEEvidence, nil},
		{signedIn, "POST /ce/submissions/{id}/withdraw", 0, s.handleCEWithdraw, nil},
		{signedIn, "POST /ce/submissions/{id}/respond", ceUploadLimit, s.handleCERespond, nil},
		{signedIn, "POST /ce/submissions/{id}/appeal", ceUploadLimit, s.handleCEAppeal, nil},

		// The console (console*.go): staff, each route behind its permission.
		{staff(portal.PermConsole), "GET /console", 0, s.handleConsoleHome, nil},
		{staff(portal.PermAuditRead), "GET /console/audit", 0, s.handleConsoleAudit, nil},
		{staff(portal.PermOpsRead), "GET /console/mail", 0, s.handleConsoleMail, nil},
		{staff(portal.PermOpsRead), "GET /console/mail/{id}", 0, s.handleConsoleMailShow, nil},
		{staff(portal.PermOpsRead), "GET /console/mail/{id}/html", 0, s.handleConsoleMailHTML, nil},
		{staff(portal.PermOpsRead), "GET /console/mail/{id}/attachments/{n}", 0, s.handleConsoleMailAttachment, nil},
		{staff(portal.PermOpsRead), "POST /console/mail/test", 0, s.handleConsoleMailTest, nil},
		{staff(portal.PermOpsRead), "GET /console/jobs", 0, s.handleConsoleJobs, nil},

		// Accounts and staff (console_users.go, console_staff.go).
		{staff(portal.PermUsersRead), "GET /console/users", 0, s.handleConsoleUsers, nil},
		{staff(portal.PermUsersRead), "GET /console/users/{id}", 0, s.handleConsoleUser, nil},
		{staff(portal.PermUsersManage), "POST /console/users/{id}/disable", 0, s.handleConsoleUserDisable, nil},
		{staff(portal.PermUsersManage), "POST /console/users/{id}/enable", 0, s.handleConsoleUserEnable, nil},
		{staff(portal.PermUsersManage), "POST /console/users/{id}/signout", 0, s.handleConsoleUserSignOut, nil},
		{staff(portal.PermUsersManage), "POST /console/users/{id}/mfa/reset", 0, s.handleConsoleUserMFAReset, nil},
		{staff(portal.PermStaffManage), "POST /console/users/{id}/permissions", 0, s.handleConsoleUserPermissions, nil},
		{staff(portal.PermStaffManage), "GET /console/staff", 0, s.handleConsoleStaff, nil},
		{staff(portal.PermStaffManage), "GET /console/staff/invite", 0, s.handleConsoleStaffInviteForm, nil},
		{staff(portal.PermStaffManage), "POST /console/staff/invite", 0, s.handleConsoleStaffInvite, nil},

		// Credentials (console_credentials.go).
		{staff(portal.PermCredentialsManage), "GET /console/credentials", 0, s.handleConsoleCredentials, nil},
		{staff(portal.PermCredentialsManage), "GET /console/credentials/{id}", 0, s.handleConsoleCredential, nil},
		{staff(portal.PermCredentialsManage), "POST /console/credentials/{id}/revoke", 0, s.handleConsoleCredentialRevoke, nil},
		{staff(portal.PermCredentialsManage), "POST /console/credentials/{id}/suspend", 0, s.handleConsoleCredentialSuspend, nil},
		{staff(portal.PermCredentialsManage), "POST /console/credentials/{id}/lift", 0, s.handleConsoleCredentialLift, nil},

		// Test centers (console_centers.go).
		{staff(portal.PermCentersManage), "GET /console/centers", 0, s.handleConsoleCenters, nil},
		{staff(portal.PermCentersManage), "GET /console/centers/new", 0, s.handleConsoleCenterNew, nil},
		{staff(portal.PermCentersManage), "POST /console/centers", 0, s.handleConsoleCenterCreate, nil},
		{staff(portal.PermCentersManage), "GET /console/centers/import", 0, s.handleConsoleCentersImportForm, nil},
		{staff(portal.PermCentersManage), "POST /console/centers/import", importBodyLimit, s.handleConsoleCentersImport, nil},
		{staff(portal.PermCentersManage), "GET /console/centers/import/example.csv", 0, s.handleConsoleCentersExample, nil},
		{staff(portal.PermCentersManage), "GET /console/centers/{id}", 0, s.handleConsoleCenterEdit, nil},
		// Results imports (console_results_import.go).
		{staff(portal.PermResultsImport), "GET /console/results/imports", 0, s.handleConsoleResultsImports, nil},
		{staff(portal.PermResultsImport), "POST /console/results/imports", resultsImportBodyLimit, s.handleConsoleResultsImportUpload, nil},
		{staff(portal.PermResultsImport), "GET /console/results/imports/{id}", 0, s.handleConsoleResultsImport, nil},
		{staff(portal.PermResultsImport), "POST /console/results/imports/{id}/apply", 0, s.handleConsoleResultsImportApply, nil},
		{staff(portal.PermResultsImport), "GET /console/results/imports/{id}/problems.csv", 0, s.handleConsoleResultsImportProblems, nil},
		{staff(portal.PermCentersManage), "POST /console/centers/{id}", 0, s.handleConsoleCenterUpdate, nil},

		// The program calendar (console_calendar.go).
		{staff(portal.PermSettingsManage), "GET /console/calendar", 0, s.handleConsoleCalendar, nil},
		{staff(portal.PermSettingsManage), "POST /console/calendar", 0, s.handleConsoleCalendarSave, nil},
		{staff(portal.PermSettingsManage), "POST /console/calendar/holidays", 0, s.handleConsoleHolidayAdd, nil},
		{staff(portal.PermSettingsManage), "POST /console/calendar/holidays/{date}/remove", 0, s.handleConsoleHolidayRemove, nil},
		{staff(portal.PermSettingsManage), "POST /console/calendar/import", calendarImportLimit, s.handleConsoleHolidayImport, nil},

		// Program settings (console_settings.go).
		{staff(portal.PermSettingsManage), "GET /console/settings", 0, s.handleConsoleSettings, nil},
		{staff(portal.PermSettingsManage), "POST /console/settings", 0, s.handleConsoleSettingsSave, nil},
		{staff(portal.PermSettingsManage), "POST /console/settings/logo", logoUploadLimit, s.handleConsoleLogoUpload, nil},
		{staff(portal.PermSettingsManage), "POST /console/settings/logo/remove", 0, s.handleConsoleLogoRemove, nil},

		// The exam catalog (console_exams.go).
		{staff(portal.PermExamsRead), "GET /console/exams", 0, s.handleConsoleExams, nil},
		{staff(portal.PermExamsManage), "GET /console/exams/new", 0, s.handleConsoleExamNew, nil},
		{staff(portal.PermExamsManage), "POST /console/exams", 0, s.handleConsoleExamCreate, nil},
		{staff(portal.PermExamsManage), "GET /console/exams/{id}", 0, s.handleConsoleExamEdit, nil},
		{staff(portal.PermExamsManage), "POST /console/exams/{id}", 0, s.handleConsoleExamUpdate, nil},
		{staff(portal.PermExamsManage), "POST /console/exams/{id}/retire", 0, s.handleConsoleExamRetire, nil},
		{staff(portal.PermExamsManage), "POST /console/exams/{id}/activate", 0, s.handleConsoleExamActivate, nil},

		// The certification catalogue (console_certifications.go).
		{staff(portal.PermExamsRead), "GET /console/certifications", 0, s.handleConsoleCertifications, nil},
		{staff(portal.PermExamsManage), "GET /console/certifications/new", 0, s.handleConsoleCertificationNew, nil},
		{staff(portal.PermExamsManage), "POST /console/certifications", 0, s.handleConsoleCertificationCreate, nil},
		{staff(portal.PermExamsRead), "GET /console/certifications/{id}", 0, s.handleConsoleCertification, nil},
		{staff(portal.PermExamsManage), "POST /console/certifications/{id}", 0, s.handleConsoleCertificationUpdate, nil},

		// Results (console_results.go).
		{staff(portal.PermResultsConfirm), "GET /console/results", 0, s.handleConsoleResults, nil},
		{staff(portal.PermResultsEnter), "GET /console/results/new", 0, s.handleConsoleResultNew, nil},
		{staff(portal.PermResultsEnter), "POST /console/results", 0, s.handleConsoleResultEnter, nil},
		{staff(portal.PermResultsEnter), "GET /console/results/{id}", 0, s.handleConsoleResult, nil},
		{staff(portal.PermResultsConfirm), "POST /console/results/{id}/confirm", 0, s.handleConsoleResultConfirm, nil},
		{staff(portal.PermResultsConfirm), "POST /console/results/{id}/reject", 0, s.handleConsoleResultReject, nil},
		{staff(portal.PermResultsConfirm), "POST /console/results/{id}/hold", 0, s.handleConsoleResultHold, nil},
		{staff(portal.PermResultsConfirm), "POST /console/results/{id}/release", 0, s.handleConsoleResultRelease, nil},
		{staff(portal.PermResultsCorrect), "POST /console/results/{id}/correct", 0, s.handleConsoleResultCorrect, nil},

		// Continuing-education review (console_ce.go).
		{staff(portal.PermCEReview), "GET /console/ce", 0, s.handleConsoleCE, nil},
		{staff(portal.PermCEReview), "GET /console/ce/submissions/{id}", 0, s.handleConsoleCESubmission, nil},
		{staff(portal.PermCEReview), "GET /console/ce/submissions/{id}/evidence/{upload}", 0, s.handleConsoleCEEvidence, nil},
		{staff(portal.PermCEReview), "POST /console/ce/submissions/{id}/claim", 0, s.handleConsoleCEClaim, nil},
		{staff(portal.PermCEReview), "POST /console/ce/submissions/{id}/assign", 0, s.handleConsoleCEAssign, nil},
		{staff(portal.PermCEReview), "POST /console/ce/submissions/{id}/decide", 0, s.handleConsoleCEDecide, nil},
		{staff(portal.PermSettingsManage), "POST /console/ce/submissions/{id}/reverse", 0, s.handleConsoleCEReverse, nil},
		// Renewals flagged by a reversal (console_ce_flags.go).
		{staff(portal.PermSettingsManage), "GET /console/ce/flags", 0, s.handleConsoleCEFlags, nil},
		{staff(portal.PermSettingsManage), "GET /console/ce/flags/{id}", 0, s.handleConsoleCEFlag, nil},
		{staff(portal.PermSettingsManage), "POST /console/ce/flags/{id}/resolve", 0, s.handleConsoleCEFlagResolve, nil},
		// The continuing-education catalogue, requirements and options
		// (console_ce_catalogue.go, console_ce_program.go, console_ce_import.go).
		{staff(portal.PermSettingsManage), "GET /console/ce/catalogue", 0, s.handleConsoleCECatalogue, nil},
		{staff(portal.PermSettingsManage), "GET /console/ce/catalogue/new", 0, s.handleConsoleCETypeNew, nil},
		{staff(portal.PermSettingsManage), "POST /console/ce/catalogue", 0, s.handleConsoleCETypeCreate, nil},
		{staff(portal.PermSettingsManage), "GET /console/ce/catalogue/types/{code}", 0, s.handleConsoleCEType, nil},
		{staff(portal.PermSettingsManage), "POST /console/ce/catalogue/types/{code}", 0, s.handleConsoleCETypeSave, nil},
		{staff(portal.PermSettingsManage), "GET /console/ce/catalogue/export.json", 0, s.handleConsoleCEExport, nil},
		{staff(portal.PermSettingsManage), "GET /console/ce/catalogue/import", 0, s.handleConsoleCEImportForm, nil},
		{staff(portal.PermSettingsManage), "POST /console/ce/catalogue/import", ceImportBodyLimit, s.handleConsoleCEImportPreview, nil},
		{staff(portal.PermSettingsManage), "POST /console/ce/catalogue/import/apply", ceImportBodyLimit, s.handleConsoleCEImportApply, nil},
		{staff(portal.PermSettingsManage), "GET /console/ce/catalogue/requirements", 0, s.handleConsoleCERequirements, nil},
		{staff(portal.PermSettingsManage), "GET /console/ce/catalogue/requirements/{id}", 0, s.handleConsoleCERequirement, nil},
		{staff(portal.PermSettingsManage), "POST /console/ce/catalogue/requirements/{id}", 0, s.handleConsoleCERequirementSave, nil},
		{staff(portal.PermSettingsManage), "GET /console/ce/catalogue/options", 0, s.handleConsoleCEOptions, nil},
		{staff(portal.PermSettingsManage), "POST /console/ce/catalogue/options", 0, s.handleConsoleCEOptionsSave, nil},
		{staff(portal.PermSettingsManage), "POST /console/ce/catalogue/options/example", 0, s.handleConsoleCEExampleApply, nil},

		// Scheduling in the console (console_schedule.go).
		{staff(portal.PermRostersRead), "GET /console/bookings", 0, s.handleConsoleBookings, nil},
		{staff(portal.PermBookingsManage), "POST /console/bookings/{id}/absent", 0, s.handleConsoleBookingNoShow("absent"), nil},
		{staff(portal.PermBookingsManage), "POST /console/bookings/{id}/late", 0, s.handleConsoleBookingNoShow("late"), nil},
		{staff(portal.PermBookingsManage), "POST /console/bookings/{id}/cancel", 0, s.handleConsoleBookingCancel, nil},
		{staff(portal.PermBookingsManage), "POST /console/bookings/{id}/check-in", 0, s.handleConsoleBookingCheckIn, nil},
		{staff(portal.PermBookingsManage), "POST /console/bookings/{id}/delivered", 0, s.handleConsoleBookingCorrectNoShow, nil},
		{staff(portal.PermRostersRead), "GET /console/roster", 0, s.handleConsoleRoster, nil},
		{staff(portal.PermSessionsManage), "POST /console/slots/{id}/capacity", 0, s.handleConsoleSlotCapacity, nil},
		{staff(portal.PermSessionsManage), "POST /console/slots/{id}/close", 0, s.handleConsoleSlotClose, nil},
		{staff(portal.PermSessionsManage), "POST /console/centers/{id}/close-day", 0, s.handleConsoleCloseDay, nil},
		{staff(portal.PermVouchersManage), "GET /console/vouchers", 0, s.handleConsoleVouchers, nil},
		{staff(portal.PermVouchersManage), "POST /console/vouchers", 0, s.handleConsoleVoucherCreate, nil},

		{anyone, "/", 0, s.handleNotFound, nil},
	}
	if s.cfg.MetricsOnMain && s.reg != nil {
		rs = append(rs, webRoute{anyone, "GET /metrics", 0, nil, s.loopbackOnly(promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))})
	}
	return rs
}

// pattern records the matched route for logs and metrics.
func (s *Server) pattern(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info(r).Pattern = r.Pattern
		next.ServeHTTP(w, r)
	})
}

func (s *Server) limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}

// handle adapts a handler that returns an error; the error goes to the one
// mapper, serveError.
func (s *Server) handle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.serveError(w, r, err)
		}
	})
}
