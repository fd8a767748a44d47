package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Body limits. Forms are small; anything larger is refused with 413 before
// it is read.
const (
	formBodyLimit = 64 << 10
)

// Handler returns the whole HTML interface with its middleware. Every route
// is registered here, on one of three muxes by who may use it: public,
// signed-in users, and the console (staff and admins).
func (s *Server) Handler() http.Handler {
	public := http.NewServeMux()
	s.route(public, "GET /healthz", s.handleHealthz)
	s.route(public, "GET /readyz", s.handleReadyz)
	if s.cfg.MetricsOnMain && s.reg != nil {
		public.Handle("GET /metrics", s.pattern(s.loopbackOnly(promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))))
	}
	public.Handle("GET /static/", s.pattern(s.static))
	public.Handle("GET /favicon.ico", s.pattern(http.HandlerFunc(s.static.serveFavicon)))
	if s.api != nil {
		public.Handle(apiPrefix, s.pattern(s.api))
	}
	s.route(public, "GET /{$}", s.handleHome)
	s.route(public, "GET /help", s.handleHelp)
	s.route(public, "GET /logo.png", s.handleLogo)
	s.route(public, "GET /exams", s.handleExamList)
	s.route(public, "GET /signin", s.handleSignInForm)
	s.route(public, "POST /signin", s.handleSignIn)
	s.route(public, "GET /signin/mfa", s.requirePending(s.handleSignInMFAForm))
	s.route(public, "POST /signin/mfa", s.requirePending(s.handleSignInMFA))
	s.route(public, "POST /signin/mfa/sms", s.requirePending(s.handleSignInMFASMS))
	s.route(public, "GET /setup/{token}", s.handleSetupForm)
	s.route(public, "POST /setup/{token}", s.handleSetup)
	s.route(public, "POST /language", s.handleLanguage)
	s.route(public, "GET /register", s.handleRegisterForm)
	s.route(public, "GET /regions", s.handleRegions)
	s.route(public, "POST /register", s.handleRegister)
	s.route(public, "GET /register/done", s.handleRegisterDone)
	s.route(public, "GET /verify/{token}", s.handleVerifyForm)
	s.route(public, "POST /verify/{token}", s.handleVerify)
	s.route(public, "GET /password/forgot", s.handleForgotForm)
	s.route(public, "POST /password/forgot", s.handleForgot)
	s.route(public, "GET /password/reset/{token}", s.handleResetLink)
	s.route(public, "GET /password/reset", s.handleResetForm)
	s.route(public, "POST /password/reset", s.handleReset)
	s.route(public, "POST /password/reset/sms", s.handleResetSMS)
	s.route(public, "GET /email/confirm/{token}", s.handleEmailConfirmForm)
	s.route(public, "POST /email/confirm/{token}", s.handleEmailConfirm)
	public.Handle("POST /webhooks/stripe", s.pattern(s.limitBody(stripeWebhookLimit, s.handle(s.handleStripeWebhook))))

	// Signed-in users.
	private := s.group(public, s.requireUser)
	private.route("GET /dashboard", s.handleDashboard)
	private.route("POST /signout", s.handleSignOut)
	private.route("GET /verify-email", s.handleVerifyPending)
	private.route("POST /verify/resend", s.handleVerifyResend)
	private.route("GET /profile", s.handleProfile)
	private.route("POST /profile", s.handleProfileUpdate)
	private.route("GET /profile/security", s.handleSecurityOverview)
	private.route("POST /profile/security/signout-others", s.handleSignOutOthers)
	private.route("GET /profile/security/totp", s.handleTOTPForm)
	private.route("POST /profile/security/totp", s.handleTOTPBegin)
	private.route("POST /profile/security/totp/confirm", s.handleTOTPConfirm)
	private.route("GET /profile/security/totp/disable", s.handleTOTPDisableForm)
	private.route("POST /profile/security/totp/disable", s.handleTOTPDisable)
	private.route("GET /profile/security/sms", s.handleSMSForm)
	private.route("POST /profile/security/sms", s.handleSMSStart)
	private.route("GET /profile/security/sms/confirm", s.handleSMSConfirmForm)
	private.route("POST /profile/security/sms/confirm", s.handleSMSConfirm)
	private.route("GET /profile/security/sms/disable", s.handleSMSDisableForm)
	private.route("POST /profile/security/sms/disable", s.handleSMSDisable)
	private.route("POST /profile/security/backup-codes", s.handleBackupCodesRegenerate)
	private.route("POST /profile/security/code", s.handleMFASendCode)
	private.route("POST /profile/security/reauth", s.handleReauth)
	private.route("GET /profile/password", s.handlePasswordForm)
	private.route("POST /profile/password", s.handlePasswordChange)
	private.route("GET /profile/email", s.handleEmailForm)
	private.route("POST /profile/email", s.handleEmailChange)

	// Scheduling (schedule.go, cart.go, bookings.go).
	private.route("GET /schedule/{code}", s.handleScheduleExam)
	private.route("GET /schedule/{code}/centers", s.handleCenterSearch)
	private.route("GET /schedule/{code}/centers/{id}", s.handleCenterSlots)
	private.route("GET /schedule/{code}/online", s.handleOnlineSlots)
	private.route("POST /schedule/{code}/hold", s.handleHold)
	private.route("GET /cart", s.handleCart)
	private.route("POST /cart/{id}/voucher", s.handleCartVoucher)
	private.route("POST /cart/{id}/voucher/remove", s.handleCartVoucherRemove)
	private.route("POST /cart/{id}/release", s.handleCartRelease)
	private.route("POST /checkout", s.handleCheckout)
	private.route("GET /checkout/return", s.handleCheckoutReturn)
	private.route("GET /checkout/cancel", s.handleCheckoutCancel)
	private.route("GET /system-check", s.handleSystemCheck)
	private.route("GET /system-check/payload", s.handleSystemCheckPayload)
	private.route("GET /bookings", s.handleBookings)
	private.route("GET /bookings/{ref}", s.handleBooking)
	private.route("GET /bookings/{ref}/calendar.ics", s.handleBookingCalendar)
	private.route("GET /bookings/{ref}/reschedule", s.handleBookingRescheduleReview)
	private.route("POST /bookings/{ref}/reschedule", s.handleBookingReschedule)
	private.route("GET /bookings/{ref}/cancel", s.handleBookingCancelForm)
	private.route("POST /bookings/{ref}/cancel", s.handleBookingCancel)
	private.route("POST /bookings/{ref}/launch", s.handleBookingLaunch)

	// The console: staff and admins.
	console := s.group(public, s.requireStaff)
	console.route("GET /console", s.handleConsoleHome)
	console.route("GET /console/audit", s.handleConsoleAudit)
	console.route("GET /console/mail", s.handleConsoleMail)
	console.route("GET /console/mail/{id}", s.handleConsoleMailShow)
	console.route("GET /console/mail/{id}/html", s.handleConsoleMailHTML)
	console.route("GET /console/mail/{id}/attachments/{n}", s.handleConsoleMailAttachment)
	console.route("POST /console/mail/test", s.handleConsoleMailTest)
	console.route("GET /console/jobs", s.handleConsoleJobs)
	console.route("GET /console/users", s.handleConsoleUsers)
	console.route("GET /console/users/{id}", s.handleConsoleUser)
	console.route("POST /console/users/{id}/disable", s.handleConsoleUserDisable)
	console.route("POST /console/users/{id}/enable", s.handleConsoleUserEnable)
	console.route("POST /console/users/{id}/signout", s.handleConsoleUserSignOut)
	console.route("POST /console/users/{id}/mfa/reset", s.handleConsoleUserMFAReset)
	console.route("GET /console/centers", s.handleConsoleCenters)
	console.route("GET /console/centers/new", s.handleConsoleCenterNew)
	console.route("POST /console/centers", s.handleConsoleCenterCreate)
	console.route("GET /console/centers/import", s.handleConsoleCentersImportForm)
	console.routeLimit("POST /console/centers/import", importBodyLimit, s.handleConsoleCentersImport)
	console.route("GET /console/centers/import/example.csv", s.handleConsoleCentersExample)
	console.route("GET /console/centers/{id}", s.handleConsoleCenterEdit)
	console.route("POST /console/centers/{id}", s.handleConsoleCenterUpdate)

	// The program calendar (console_calendar.go).
	console.route("GET /console/calendar", s.handleConsoleCalendar)
	console.route("POST /console/calendar", s.handleConsoleCalendarSave)
	console.route("POST /console/calendar/holidays", s.handleConsoleHolidayAdd)
	console.route("POST /console/calendar/holidays/{date}/remove", s.handleConsoleHolidayRemove)
	console.routeLimit("POST /console/calendar/import", calendarImportLimit, s.handleConsoleHolidayImport)

	// Program settings (console_settings.go).
	console.route("GET /console/settings", s.handleConsoleSettings)
	console.route("POST /console/settings", s.handleConsoleSettingsSave)
	console.routeLimit("POST /console/settings/logo", logoUploadLimit, s.handleConsoleLogoUpload)
	console.route("POST /console/settings/logo/remove", s.handleConsoleLogoRemove)

	// The exam catalog (console_exams.go).
	console.route("GET /console/exams", s.handleConsoleExams)
	console.route("GET /console/exams/new", s.handleConsoleExamNew)
	console.route("POST /console/exams", s.handleConsoleExamCreate)
	console.route("GET /console/exams/{id}", s.handleConsoleExamEdit)
	console.route("POST /console/exams/{id}", s.handleConsoleExamUpdate)
	console.route("POST /console/exams/{id}/retire", s.handleConsoleExamRetire)
	console.route("POST /console/exams/{id}/activate", s.handleConsoleExamActivate)

	// Scheduling in the console (console_schedule.go).
	console.route("GET /console/bookings", s.handleConsoleBookings)
	console.route("POST /console/bookings/{id}/{action}", s.handleConsoleBookingAction)
	console.route("GET /console/roster", s.handleConsoleRoster)
	console.route("POST /console/slots/{id}/{action}", s.handleConsoleSlotAction)
	console.route("POST /console/centers/{id}/close-day", s.handleConsoleCloseDay)
	console.route("GET /console/vouchers", s.handleConsoleVouchers)
	console.route("POST /console/vouchers", s.handleConsoleVoucherCreate)

	public.Handle("/", s.pattern(s.handle(s.handleNotFound)))

	return s.observe(s.securityHeaders(s.crossOrigin(s.loadSession(public))))
}

// routeGroup is a mux of its own for one audience, reached only through a
// guard (requireUser, requireStaff): its routes are mounted on the public
// mux pattern by pattern, each behind the guard, so no route of the group
// is reachable without it.
type routeGroup struct {
	s      *Server
	own    *http.ServeMux
	public *http.ServeMux
	guard  func(http.Handler) http.Handler
}

func (s *Server) group(public *http.ServeMux, guard func(http.Handler) http.Handler) *routeGroup {
	return &routeGroup{s: s, own: http.NewServeMux(), public: public, guard: guard}
}

func (g *routeGroup) route(pattern string, h func(http.ResponseWriter, *http.Request) error) {
	g.s.route(g.own, pattern, h)
	g.public.Handle(pattern, g.guard(g.own))
}

// route registers an error-returning handler with the default body limit.
func (s *Server) route(mux *http.ServeMux, pattern string, h func(http.ResponseWriter, *http.Request) error) {
	mux.Handle(pattern, s.pattern(s.limitBody(formBodyLimit, s.handle(h))))
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
