package candidate

import (
	"embed"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Section is the candidate pages' part of the site for the kit: their
// routes, page templates and notices.
func Section() web.Section {
	return web.Section{
		Routes:    func(s *web.Server) []web.Route { return newPages(s).routes() },
		Templates: templatesFS,
		Source:    web.SourceDir(),
		Notices:   notices,
		Nav:       func(*web.Server) []web.NavLink { return nav },
	}
}

// nav is the candidate pages' navigation in order; each visitor sees the
// links their session opens (signed out: the exams and help).
var nav = []web.NavLink{
	{Href: "/dashboard", Label: "nav.dashboard"},
	{Href: "/exams", Label: "nav.exams"},
	{Href: "/bookings", Label: "nav.bookings"},
	{Href: "/history", Label: "nav.history"},
	{Href: "/certifications", Label: "nav.certifications"},
	{Href: "/ce", Label: "nav.ce"},
	{Href: "/benefits", Label: "nav.benefits"},
	{Href: "/cart", Label: "nav.cart"},
	{Href: "/profile", Label: "nav.profile"},
	{Href: "/help", Label: "nav.help"},
}

// routes is every route of the candidate pages, each with the access it
// needs: public pages, signing in and the account, scheduling, results,
// certifications and credentials, continuing education.
func (s *Pages) routes() []web.Route {
	return []web.Route{
		{Access: web.Anyone, Pattern: "GET /{$}", Handle: s.handleHome},
		{Access: web.Anyone, Pattern: "GET /help", Handle: s.handleHelp},
		{Access: web.Anyone, Pattern: "GET /.well-known/did.json", Handle: s.handleDIDDocument},
		{Access: web.Anyone, Pattern: "GET /credentials/status/{purpose}/{number}", Handle: s.handleStatusList},
		{Access: web.Anyone, Pattern: "GET /credentials/kit.json", Handle: s.handleCredentialKit},
		{Access: web.Anyone, Pattern: "GET /credentials", Handle: s.handleCredentialLookup},
		{Access: web.Anyone, Pattern: "GET /credentials/directory", Handle: s.handleCredentialDirectory},
		{Access: web.Anyone, Pattern: "GET /credentials/{id}", Handle: s.handleCredential},
		{Access: web.Anyone, Pattern: "GET /credentials/{id}/credential.json", Handle: s.handleCredentialDocument(credentials.FormJSONLD)},
		{Access: web.Anyone, Pattern: "GET /credentials/{id}/credential.jwt", Handle: s.handleCredentialDocument(credentials.FormJWT)},
		{Access: web.Anyone, Pattern: "GET /credentials/{id}/badge.png", Handle: s.handleCredentialBadge(badgePNG)},
		{Access: web.Anyone, Pattern: "GET /credentials/{id}/badge.svg", Handle: s.handleCredentialBadge(badgeSVG)},
		{Access: web.Anyone, Pattern: "GET /exams", Handle: s.handleExamList},
		{Access: web.Anyone, Pattern: "GET /signin", Handle: s.handleSignInForm},
		{Access: web.Anyone, Pattern: "POST /signin", Handle: s.handleSignIn},
		{Access: web.Anyone, Pattern: "GET /signin/mfa", Handle: s.requirePending(s.handleSignInMFAForm)},
		{Access: web.Anyone, Pattern: "POST /signin/mfa", Handle: s.requirePending(s.handleSignInMFA)},
		{Access: web.Anyone, Pattern: "POST /signin/mfa/sms", Handle: s.requirePending(s.handleSignInMFASMS)},
		{Access: web.Anyone, Pattern: "GET /setup/{token}", Handle: s.handleSetupForm},
		{Access: web.Anyone, Pattern: "POST /setup/{token}", Handle: s.handleSetup},
		{Access: web.Anyone, Pattern: "GET /register", Handle: s.handleRegisterForm},
		{Access: web.Anyone, Pattern: "GET /regions", Handle: s.handleRegions},
		{Access: web.Anyone, Pattern: "POST /register", Handle: s.handleRegister},
		{Access: web.Anyone, Pattern: "GET /register/done", Handle: s.handleRegisterDone},
		{Access: web.Anyone, Pattern: "GET /verify/{token}", Handle: s.handleVerifyForm},
		{Access: web.Anyone, Pattern: "POST /verify/{token}", Handle: s.handleVerify},
		{Access: web.Anyone, Pattern: "GET /password/forgot", Handle: s.handleForgotForm},
		{Access: web.Anyone, Pattern: "POST /password/forgot", Handle: s.handleForgot},
		{Access: web.Anyone, Pattern: "GET /password/reset/{token}", Handle: s.handleResetLink},
		{Access: web.Anyone, Pattern: "GET /password/reset", Handle: s.handleResetForm},
		{Access: web.Anyone, Pattern: "POST /password/reset", Handle: s.handleReset},
		{Access: web.Anyone, Pattern: "POST /password/reset/sms", Handle: s.handleResetSMS},
		{Access: web.Anyone, Pattern: "GET /email/confirm/{token}", Handle: s.handleEmailConfirmForm},
		{Access: web.Anyone, Pattern: "POST /email/confirm/{token}", Handle: s.handleEmailConfirm},
		{Access: web.Anyone, Pattern: "POST /webhooks/stripe", Limit: stripeWebhookLimit, Handle: s.handleStripeWebhook},

		// Signed-in users: the account.
		{Access: web.SignedIn, Pattern: "GET /dashboard", Handle: s.handleDashboard},
		{Access: web.SignedIn, Pattern: "POST /signout", Handle: s.handleSignOut},
		{Access: web.SignedIn, Pattern: "GET /verify-email", Handle: s.handleVerifyPending},
		{Access: web.SignedIn, Pattern: "POST /verify/resend", Handle: s.handleVerifyResend},
		{Access: web.SignedIn, Pattern: "GET /profile", Handle: s.handleProfile},
		{Access: web.SignedIn, Pattern: "POST /profile", Handle: s.handleProfileUpdate},
		{Access: web.SignedIn, Pattern: "GET /profile/security", Handle: s.handleSecurityOverview},
		{Access: web.SignedIn, Pattern: "POST /profile/security/signout-others", Handle: s.handleSignOutOthers},
		{Access: web.SignedIn, Pattern: "GET /profile/security/totp", Handle: s.handleTOTPForm},
		{Access: web.SignedIn, Pattern: "POST /profile/security/totp", Handle: s.handleTOTPBegin},
		{Access: web.SignedIn, Pattern: "POST /profile/security/totp/confirm", Handle: s.handleTOTPConfirm},
		{Access: web.SignedIn, Pattern: "GET /profile/security/totp/disable", Handle: s.handleTOTPDisableForm},
		{Access: web.SignedIn, Pattern: "POST /profile/security/totp/disable", Handle: s.handleTOTPDisable},
		{Access: web.SignedIn, Pattern: "GET /profile/security/sms", Handle: s.handleSMSForm},
		{Access: web.SignedIn, Pattern: "POST /profile/security/sms", Handle: s.handleSMSStart},
		{Access: web.SignedIn, Pattern: "GET /profile/security/sms/confirm", Handle: s.handleSMSConfirmForm},
		{Access: web.SignedIn, Pattern: "POST /profile/security/sms/confirm", Handle: s.handleSMSConfirm},
		{Access: web.SignedIn, Pattern: "GET /profile/security/sms/disable", Handle: s.handleSMSDisableForm},
		{Access: web.SignedIn, Pattern: "POST /profile/security/sms/disable", Handle: s.handleSMSDisable},
		{Access: web.SignedIn, Pattern: "POST /profile/security/backup-codes", Handle: s.handleBackupCodesRegenerate},
		{Access: web.SignedIn, Pattern: "POST /profile/security/code", Handle: s.handleMFASendCode},
		{Access: web.SignedIn, Pattern: "POST /profile/security/reauth", Handle: s.handleReauth},
		{Access: web.SignedIn, Pattern: "GET /profile/password", Handle: s.handlePasswordForm},
		{Access: web.SignedIn, Pattern: "POST /profile/password", Handle: s.handlePasswordChange},
		{Access: web.SignedIn, Pattern: "GET /profile/email", Handle: s.handleEmailForm},
		{Access: web.SignedIn, Pattern: "POST /profile/email", Handle: s.handleEmailChange},

		// Signed-in users: scheduling (schedule.go, cart.go, bookings.go).
		{Access: web.SignedIn, Pattern: "GET /schedule/{code}", Handle: s.handleScheduleExam},
		{Access: web.SignedIn, Pattern: "GET /schedule/{code}/centers", Handle: s.handleCenterSearch},
		{Access: web.SignedIn, Pattern: "GET /schedule/{code}/centers/{id}", Handle: s.handleCenterSlots},
		{Access: web.SignedIn, Pattern: "GET /schedule/{code}/online", Handle: s.handleOnlineSlots},
		{Access: web.SignedIn, Pattern: "POST /schedule/{code}/hold", Handle: s.handleHold},
		{Access: web.SignedIn, Pattern: "GET /cart", Handle: s.handleCart},
		{Access: web.SignedIn, Pattern: "POST /cart/{id}/voucher", Handle: s.handleCartVoucher},
		{Access: web.SignedIn, Pattern: "POST /cart/{id}/voucher/remove", Handle: s.handleCartVoucherRemove},
		{Access: web.SignedIn, Pattern: "POST /cart/{id}/release", Handle: s.handleCartRelease},
		{Access: web.SignedIn, Pattern: "POST /checkout", Handle: s.handleCheckout},
		{Access: web.SignedIn, Pattern: "GET /checkout/return", Handle: s.handleCheckoutReturn},
		{Access: web.SignedIn, Pattern: "GET /checkout/cancel", Handle: s.handleCheckoutCancel},
		{Access: web.SignedIn, Pattern: "GET /system-check", Handle: s.handleSystemCheck},
		{Access: web.SignedIn, Pattern: "GET /system-check/payload", Handle: s.handleSystemCheckPayload},
		{Access: web.SignedIn, Pattern: "GET /bookings", Handle: s.handleBookings},
		{Access: web.SignedIn, Pattern: "GET /bookings/{ref}", Handle: s.handleBooking},
		{Access: web.SignedIn, Pattern: "GET /bookings/{ref}/calendar.ics", Handle: s.handleBookingCalendar},
		{Access: web.SignedIn, Pattern: "GET /bookings/{ref}/reschedule", Handle: s.handleBookingRescheduleReview},
		{Access: web.SignedIn, Pattern: "POST /bookings/{ref}/reschedule", Handle: s.handleBookingReschedule},
		{Access: web.SignedIn, Pattern: "GET /bookings/{ref}/cancel", Handle: s.handleBookingCancelForm},
		{Access: web.SignedIn, Pattern: "POST /bookings/{ref}/cancel", Handle: s.handleBookingCancel},
		{Access: web.SignedIn, Pattern: "POST /bookings/{ref}/launch", Handle: s.handleBookingLaunch},

		// Signed-in users: results and certifications (results.go).
		{Access: web.SignedIn, Pattern: "GET /history", Handle: s.handleHistory},
		{Access: web.SignedIn, Pattern: "GET /history/{id}", Handle: s.handleScoreReport},
		// The holder's signed PDF documents (documents.go).
		{Access: web.SignedIn, Pattern: "GET /history/transcript.pdf", Handle: s.handleTranscriptPDF},
		{Access: web.SignedIn, Pattern: "GET /history/{id}/score-report.pdf", Handle: s.handleScoreReportPDF},
		{Access: web.SignedIn, Pattern: "GET /certifications/{id}/certificate.pdf", Handle: s.handleCertificatePDF},
		{Access: web.SignedIn, Pattern: "GET /certifications/{id}/cycles/{cycle}/certificate.pdf", Handle: s.handleCycleCertificatePDF},
		{Access: web.SignedIn, Pattern: "GET /certifications", Handle: s.handleCertifications},
		{Access: web.SignedIn, Pattern: "GET /certifications/{id}/credential.json", Handle: s.handleHolderCredentialDocument(credentials.FormJSONLD)},
		{Access: web.SignedIn, Pattern: "GET /certifications/{id}/credential.jwt", Handle: s.handleHolderCredentialDocument(credentials.FormJWT)},
		{Access: web.SignedIn, Pattern: "GET /certifications/{id}/badge.png", Handle: s.handleHolderBadge(badgePNG)},
		{Access: web.SignedIn, Pattern: "GET /certifications/{id}/badge.svg", Handle: s.handleHolderBadge(badgeSVG)},
		// The holder's printable certificate (certificate.go).
		{Access: web.SignedIn, Pattern: "GET /certifications/{id}/certificate", Handle: s.handleCertificate},
		{Access: web.SignedIn, Pattern: "POST /certifications/{id}/certificate", Handle: s.handleCertificateChoose},
		{Access: web.SignedIn, Pattern: "POST /certifications/{id}/directory/join", Handle: s.handleDirectoryJoin},
		{Access: web.SignedIn, Pattern: "POST /certifications/{id}/directory/leave", Handle: s.handleDirectoryLeave},
		{Access: web.SignedIn, Pattern: "GET /benefits", Handle: s.handleBenefits},
		// Continuing education (ce.go).
		{Access: web.SignedIn, Pattern: "GET /ce", Handle: s.handleCE},
		{Access: web.SignedIn, Pattern: "GET /ce/history", Handle: s.handleCEHistory},
		{Access: web.SignedIn, Pattern: "GET /ce/history.csv", Handle: s.handleCEHistoryCSV},
		{Access: web.SignedIn, Pattern: "GET /ce/transcript.pdf", Handle: s.handleCETranscriptPDF},
		{Access: web.SignedIn, Pattern: "GET /ce/submit", Handle: s.handleCESubmitForm},
		{Access: web.SignedIn, Pattern: "POST /ce/submit", Limit: ceUploadLimit, Handle: s.handleCESubmit},
		{Access: web.SignedIn, Pattern: "GET /ce/submissions/{id}", Handle: s.handleCESubmission},
		{Access: web.SignedIn, Pattern: "GET /ce/submissions/{id}/evidence/{upload}", Handle: s.handleCEEvidence},
		{Access: web.SignedIn, Pattern: "POST /ce/submissions/{id}/withdraw", Handle: s.handleCEWithdraw},
		{Access: web.SignedIn, Pattern: "POST /ce/submissions/{id}/respond", Limit: ceUploadLimit, Handle: s.handleCERespond},
		{Access: web.SignedIn, Pattern: "POST /ce/submissions/{id}/appeal", Limit: ceUploadLimit, Handle: s.handleCEAppeal},
	}
}
