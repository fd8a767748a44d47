package web

import (
	"net/http"
	"slices"
	"strconv"

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
// the assembled route table.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		h := rt.Raw
		if h == nil {
			limit := rt.Limit
			if limit == 0 {
				limit = formBodyLimit
			}
			h = s.limitBody(limit, s.handle(rt.Handle))
		}
		mux.Handle(rt.Pattern, s.pattern(s.guard(rt.Access, h)))
	}
	return s.middleware(nil, mux)
}

// Routes returns the assembled route table: the kit's routes and those of
// every section, each with the access it needs.
func (s *Server) Routes() []Route { return slices.Clone(s.routes) }

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

// Route is one route of the HTML interface, a row of the route table:
// who may reach it, its pattern, and its handler: Handle, which returns an
// error to the one error mapper, read under a body limit (Limit; 0 is the
// limit of a form), or Raw, a handler served as it is. Exactly one of
// Handle and Raw is set.
type Route struct {
	Access  Access
	Pattern string
	Limit   int64
	Handle  func(http.ResponseWriter, *http.Request) error
	Raw     http.Handler
}

// kitRoutes are the kit's own routes: health, static files, the logo, the
// language switch. Deny by default: a console route names the permission
// it needs, and the access tests walk the assembled table.
func (s *Server) kitRoutes() []Route {
	rs := []Route{
		{Access: Anyone, Pattern: "GET /healthz", Handle: s.handleHealthz},
		{Access: Anyone, Pattern: "GET /readyz", Handle: s.handleReadyz},
		{Access: Anyone, Pattern: "GET /static/", Raw: s.static},
		{Access: Anyone, Pattern: "GET /favicon.ico", Raw: http.HandlerFunc(s.static.serveFavicon)},
		{Access: Anyone, Pattern: "GET /{$}", Handle: s.handleHome},
		{Access: Anyone, Pattern: "GET /help", Handle: s.handleHelp},
		{Access: Anyone, Pattern: "GET /logo.png", Handle: s.handleLogo},
		{Access: Anyone, Pattern: "GET /.well-known/did.json", Handle: s.handleDIDDocument},
		{Access: Anyone, Pattern: "GET /credentials/status/{purpose}/{number}", Handle: s.handleStatusList},
		{Access: Anyone, Pattern: "GET /credentials/kit.json", Handle: s.handleCredentialKit},
		{Access: Anyone, Pattern: "GET /credentials", Handle: s.handleCredentialLookup},
		{Access: Anyone, Pattern: "GET /credentials/directory", Handle: s.handleCredentialDirectory},
		{Access: Anyone, Pattern: "GET /credentials/{id}", Handle: s.handleCredential},
		{Access: Anyone, Pattern: "GET /credentials/{id}/credential.json", Handle: s.handleCredentialDocument(credentials.FormJSONLD)},
		{Access: Anyone, Pattern: "GET /credentials/{id}/credential.jwt", Handle: s.handleCredentialDocument(credentials.FormJWT)},
		{Access: Anyone, Pattern: "GET /credentials/{id}/badge.png", Handle: s.handleCredentialBadge(badgePNG)},
		{Access: Anyone, Pattern: "GET /credentials/{id}/badge.svg", Handle: s.handleCredentialBadge(badgeSVG)},
		{Access: Anyone, Pattern: "GET /exams", Handle: s.handleExamList},
		{Access: Anyone, Pattern: "GET /signin", Handle: s.handleSignInForm},
		{Access: Anyone, Pattern: "POST /signin", Handle: s.handleSignIn},
		{Access: Anyone, Pattern: "GET /signin/mfa", Handle: s.requirePending(s.handleSignInMFAForm)},
		{Access: Anyone, Pattern: "POST /signin/mfa", Handle: s.requirePending(s.handleSignInMFA)},
		{Access: Anyone, Pattern: "POST /signin/mfa/sms", Handle: s.requirePending(s.handleSignInMFASMS)},
		{Access: Anyone, Pattern: "GET /setup/{token}", Handle: s.handleSetupForm},
		{Access: Anyone, Pattern: "POST /setup/{token}", Handle: s.handleSetup},
		{Access: Anyone, Pattern: "POST /language", Handle: s.handleLanguage},
		{Access: Anyone, Pattern: "GET /register", Handle: s.handleRegisterForm},
		{Access: Anyone, Pattern: "GET /regions", Handle: s.handleRegions},
		{Access: Anyone, Pattern: "POST /register", Handle: s.handleRegister},
		{Access: Anyone, Pattern: "GET /register/done", Handle: s.handleRegisterDone},
		{Access: Anyone, Pattern: "GET /verify/{token}", Handle: s.handleVerifyForm},
		{Access: Anyone, Pattern: "POST /verify/{token}", Handle: s.handleVerify},
		{Access: Anyone, Pattern: "GET /password/forgot", Handle: s.handleForgotForm},
		{Access: Anyone, Pattern: "POST /password/forgot", Handle: s.handleForgot},
		{Access: Anyone, Pattern: "GET /password/reset/{token}", Handle: s.handleResetLink},
		{Access: Anyone, Pattern: "GET /password/reset", Handle: s.handleResetForm},
		{Access: Anyone, Pattern: "POST /password/reset", Handle: s.handleReset},
		{Access: Anyone, Pattern: "POST /password/reset/sms", Handle: s.handleResetSMS},
		{Access: Anyone, Pattern: "GET /email/confirm/{token}", Handle: s.handleEmailConfirmForm},
		{Access: Anyone, Pattern: "POST /email/confirm/{token}", Handle: s.handleEmailConfirm},
		{Access: Anyone, Pattern: "POST /webhooks/stripe", Limit: stripeWebhookLimit, Handle: s.handleStripeWebhook},

		// Signed-in users: the account.
		{Access: SignedIn, Pattern: "GET /dashboard", Handle: s.handleDashboard},
		{Access: SignedIn, Pattern: "POST /signout", Handle: s.handleSignOut},
		{Access: SignedIn, Pattern: "GET /verify-email", Handle: s.handleVerifyPending},
		{Access: SignedIn, Pattern: "POST /verify/resend", Handle: s.handleVerifyResend},
		{Access: SignedIn, Pattern: "GET /profile", Handle: s.handleProfile},
		{Access: SignedIn, Pattern: "POST /profile", Handle: s.handleProfileUpdate},
		{Access: SignedIn, Pattern: "GET /profile/security", Handle: s.handleSecurityOverview},
		{Access: SignedIn, Pattern: "POST /profile/security/signout-others", Handle: s.handleSignOutOthers},
		{Access: SignedIn, Pattern: "GET /profile/security/totp", Handle: s.handleTOTPForm},
		{Access: SignedIn, Pattern: "POST /profile/security/totp", Handle: s.handleTOTPBegin},
		{Access: SignedIn, Pattern: "POST /profile/security/totp/confirm", Handle: s.handleTOTPConfirm},
		{Access: SignedIn, Pattern: "GET /profile/security/totp/disable", Handle: s.handleTOTPDisableForm},
		{Access: SignedIn, Pattern: "POST /profile/security/totp/disable", Handle: s.handleTOTPDisable},
		{Access: SignedIn, Pattern: "GET /profile/security/sms", Handle: s.handleSMSForm},
		{Access: SignedIn, Pattern: "POST /profile/security/sms", Handle: s.handleSMSStart},
		{Access: SignedIn, Pattern: "GET /profile/security/sms/confirm", Handle: s.handleSMSConfirmForm},
		{Access: SignedIn, Pattern: "POST /profile/security/sms/confirm", Handle: s.handleSMSConfirm},
		{Access: SignedIn, Pattern: "GET /profile/security/sms/disable", Handle: s.handleSMSDisableForm},
		{Access: SignedIn, Pattern: "POST /profile/security/sms/disable", Handle: s.handleSMSDisable},
		{Access: SignedIn, Pattern: "POST /profile/security/backup-codes", Handle: s.handleBackupCodesRegenerate},
		{Access: SignedIn, Pattern: "POST /profile/security/code", Handle: s.handleMFASendCode},
		{Access: SignedIn, Pattern: "POST /profile/security/reauth", Handle: s.handleReauth},
		{Access: SignedIn, Pattern: "GET /profile/password", Handle: s.handlePasswordForm},
		{Access: SignedIn, Pattern: "POST /profile/password", Handle: s.handlePasswordChange},
		{Access: SignedIn, Pattern: "GET /profile/email", Handle: s.handleEmailForm},
		{Access: SignedIn, Pattern: "POST /profile/email", Handle: s.handleEmailChange},

		// Signed-in users: scheduling (schedule.go, cart.go, bookings.go).
		{Access: SignedIn, Pattern: "GET /schedule/{code}", Handle: s.handleScheduleExam},
		{Access: SignedIn, Pattern: "GET /schedule/{code}/centers", Handle: s.handleCenterSearch},
		{Access: SignedIn, Pattern: "GET /schedule/{code}/centers/{id}", Handle: s.handleCenterSlots},
		{Access: SignedIn, Pattern: "GET /schedule/{code}/online", Handle: s.handleOnlineSlots},
		{Access: SignedIn, Pattern: "POST /schedule/{code}/hold", Handle: s.handleHold},
		{Access: SignedIn, Pattern: "GET /cart", Handle: s.handleCart},
		{Access: SignedIn, Pattern: "POST /cart/{id}/voucher", Handle: s.handleCartVoucher},
		{Access: SignedIn, Pattern: "POST /cart/{id}/voucher/remove", Handle: s.handleCartVoucherRemove},
		{Access: SignedIn, Pattern: "POST /cart/{id}/release", Handle: s.handleCartRelease},
		{Access: SignedIn, Pattern: "POST /checkout", Handle: s.handleCheckout},
		{Access: SignedIn, Pattern: "GET /checkout/return", Handle: s.handleCheckoutReturn},
		{Access: SignedIn, Pattern: "GET /checkout/cancel", Handle: s.handleCheckoutCancel},
		{Access: SignedIn, Pattern: "GET /system-check", Handle: s.handleSystemCheck},
		{Access: SignedIn, Pattern: "GET /system-check/payload", Handle: s.handleSystemCheckPayload},
		{Access: SignedIn, Pattern: "GET /bookings", Handle: s.handleBookings},
		{Access: SignedIn, Pattern: "GET /bookings/{ref}", Handle: s.handleBooking},
		{Access: SignedIn, Pattern: "GET /bookings/{ref}/calendar.ics", Handle: s.handleBookingCalendar},
		{Access: SignedIn, Pattern: "GET /bookings/{ref}/reschedule", Handle: s.handleBookingRescheduleReview},
		{Access: SignedIn, Pattern: "POST /bookings/{ref}/reschedule", Handle: s.handleBookingReschedule},
		{Access: SignedIn, Pattern: "GET /bookings/{ref}/cancel", Handle: s.handleBookingCancelForm},
		{Access: SignedIn, Pattern: "POST /bookings/{ref}/cancel", Handle: s.handleBookingCancel},
		{Access: SignedIn, Pattern: "POST /bookings/{ref}/launch", Handle: s.handleBookingLaunch},

		// Signed-in users: results and certifications (results.go).
		{Access: SignedIn, Pattern: "GET /history", Handle: s.handleHistory},
		{Access: SignedIn, Pattern: "GET /history/{id}", Handle: s.handleScoreReport},
		// The holder's signed PDF documents (documents.go).
		{Access: SignedIn, Pattern: "GET /history/transcript.pdf", Handle: s.handleTranscriptPDF},
		{Access: SignedIn, Pattern: "GET /history/{id}/score-report.pdf", Handle: s.handleScoreReportPDF},
		{Access: SignedIn, Pattern: "GET /certifications/{id}/certificate.pdf", Handle: s.handleCertificatePDF},
		{Access: SignedIn, Pattern: "GET /certifications/{id}/cycles/{cycle}/certificate.pdf", Handle: s.handleCycleCertificatePDF},
		{Access: SignedIn, Pattern: "GET /certifications", Handle: s.handleCertifications},
		{Access: SignedIn, Pattern: "GET /certifications/{id}/credential.json", Handle: s.handleHolderCredentialDocument(credentials.FormJSONLD)},
		{Access: SignedIn, Pattern: "GET /certifications/{id}/credential.jwt", Handle: s.handleHolderCredentialDocument(credentials.FormJWT)},
		{Access: SignedIn, Pattern: "GET /certifications/{id}/badge.png", Handle: s.handleHolderBadge(badgePNG)},
		{Access: SignedIn, Pattern: "GET /certifications/{id}/badge.svg", Handle: s.handleHolderBadge(badgeSVG)},
		// The holder's printable certificate (certificate.go).
		{Access: SignedIn, Pattern: "GET /certifications/{id}/certificate", Handle: s.handleCertificate},
		{Access: SignedIn, Pattern: "POST /certifications/{id}/certificate", Handle: s.handleCertificateChoose},
		{Access: SignedIn, Pattern: "POST /certifications/{id}/directory/join", Handle: s.handleDirectoryJoin},
		{Access: SignedIn, Pattern: "POST /certifications/{id}/directory/leave", Handle: s.handleDirectoryLeave},
		{Access: SignedIn, Pattern: "GET /benefits", Handle: s.handleBenefits},
		// Continuing education (ce.go).
		{Access: SignedIn, Pattern: "GET /ce", Handle: s.handleCE},
		{Access: SignedIn, Pattern: "GET /ce/history", Handle: s.handleCEHistory},
		{Access: SignedIn, Pattern: "GET /ce/history.csv", Handle: s.handleCEHistoryCSV},
		{Access: SignedIn, Pattern: "GET /ce/transcript.pdf", Handle: s.handleCETranscriptPDF},
		{Access: SignedIn, Pattern: "GET /ce/submit", Handle: s.handleCESubmitForm},
		{Access: SignedIn, Pattern: "POST /ce/submit", Limit: ceUploadLimit, Handle: s.handleCESubmit},
		{Access: SignedIn, Pattern: "GET /ce/submissions/{id}", Handle: s.handleCESubmission},
		{Access: SignedIn, Pattern: "GET /ce/submissions/{id}/evidence/{upload}", Handle: s.handleCEEvidence},
		{Access: SignedIn, Pattern: "POST /ce/submissions/{id}/withdraw", Handle: s.handleCEWithdraw},
		{Access: SignedIn, Pattern: "POST /ce/submissions/{id}/respond", Limit: ceUploadLimit, Handle: s.handleCERespond},
		{Access: SignedIn, Pattern: "POST /ce/submissions/{id}/appeal", Limit: ceUploadLimit, Handle: s.handleCEAppeal},
	}
	return rs
}

// lastRoutes are the routes that follow the sections': the page for every
// unmatched path, and the metrics when the main listener serves them.
func (s *Server) lastRoutes() []Route {
	rs := []Route{{Access: Anyone, Pattern: "/", Handle: s.handleNotFound}}
	if s.cfg.MetricsOnMain && s.Registry != nil {
		rs = append(rs, Route{Access: Anyone, Pattern: "GET /metrics", Raw: s.loopbackOnly(promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))})
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

// PathID reads the {id} wildcard of the request's path, a positive
// number; anything else is not found.
func PathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, portal.ErrNotFound
	}
	return id, nil
}
