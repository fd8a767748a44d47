// Package api is certportal's JSON API, version 1, mounted under /api/v1/.
// Like the HTML interface it is thin: handlers decode a request, call a
// service with the acting user and encode the result; the rules live in
// the services. Every route is in the one table below, and a test fails
// when a route is missing from the OpenAPI document (openapi.json) or the
// document names a route that does not exist.
//
// Conventions: bodies are JSON in UTF-8. Times are RFC 3339 in UTC, with
// the same instant as a local RFC 3339 string and the IANA time zone it is
// shown in. Money is an integer amount in minor units with its ISO 4217
// currency. Every error is {"error": {code, message, message_id, fields}}
// (errors.go). Every POST needs an Idempotency-Key header and runs at most
// once per user and key (idempotency.go, SECURITY.md CONC-04). PUT and
// DELETE set a state rather than add to one, so repeating them is
// harmless and they take no key.
//
// Authentication is the portal's session cookie: the app mounts this
// handler beside the site, behind the site's middleware (web.Server.Wrap),
// which loads the session, and passes Deps.Actor to read it.
package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/centers"
	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/exams"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/idempotency"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/uploads"
)

// Prefix is where the API is mounted; route paths are relative to it, as
// are the OpenAPI document's paths (its server URL is Prefix).
const Prefix = "/api/v1"

// Deps are the services and infrastructure the handlers call.
type Deps struct {
	Log      *slog.Logger
	Clock    portal.Clock
	Catalog  *i18n.Catalog
	Accounts *accounts.Service
	Exams    *exams.Service
	Centers  *centers.Service
	Booking  *booking.Service
	// Idempotency replays the stored response of a repeated POST.
	Idempotency *idempotency.Service
	// Results is exam results and the certifications they earn.
	Results *results.Service
	// Credentials is the public verification of credentials.
	Credentials *credentials.Service
	// Credits is continuing education; Uploads the upload pipeline its
	// evidence files go through. Without them the CE operations are not
	// found.
	Credits *credits.Service
	Uploads *uploads.Service
	// ClientIP returns the address of a request's client, behind trusted
	// proxies, for per-address limits.
	ClientIP func(*http.Request) string
	// Actor returns the signed-in user of a request; false when there is
	// none (anonymous, half-way through MFA, or email not verified).
	Actor func(*http.Request) (portal.Actor, bool)
}

// route is one operation. Path is relative to Prefix and written the same
// way for http.ServeMux and OpenAPI: {name} is one path segment.
type route struct {
	Method string
	Path   string
	// Access is who may call the operation (access.go).
	Access access
	handle handlerFunc
}

// handlerFunc serves one operation. actor is the signed-in user for routes
// that need one and the zero actor otherwise. A returned error goes to the one
// mapper (errors.go).
type handlerFunc func(s *server, w http.ResponseWriter, r *http.Request, actor portal.Actor) error

// routes is every operation of the API.
var routes = []route{
	{"GET", "/openapi.json", anyone, (*server).handleOpenAPI},
	{"GET", "/exams", anyone, (*server).handleExamList},
	{"GET", "/credentials/{id}", anyone, (*server).handleCredentialGet},
	{"POST", "/credentials/verify", anyone, (*server).handleCredentialVerify},
	{"GET", "/centers", anyone, (*server).handleCenterSearch},
	{"GET", "/centers/{id}/slots", anyone, (*server).handleCenterSlots},
	{"GET", "/online/slots", anyone, (*server).handleOnlineSlots},
	{"GET", "/bookings", signedIn, (*server).handleBookingList},
	{"GET", "/bookings/{reference}", signedIn, (*server).handleBookingShow},
	{"GET", "/cart", signedIn, (*server).handleCartShow},
	{"POST", "/holds", signedIn, (*server).handleHoldCreate},
	{"POST", "/checkout", signedIn, (*server).handleCheckout},
	{"POST", "/bookings/{reference}/cancel", signedIn, (*server).handleBookingCancel},
	{"POST", "/bookings/{reference}/voucher", signedIn, (*server).handleVoucherApply},
	{"POST", "/bookings/{reference}/reschedule", signedIn, (*server).handleBookingReschedule},
	{"GET", "/me/attempts", signedIn, (*server).handleMyAttempts},
	{"GET", "/me/attempts/{id}", signedIn, (*server).handleMyAttempt},
	{"GET", "/me/certifications", signedIn, (*server).handleMyCertifications},
	{"PUT", "/me/certifications/{id}/directory", signedIn, (*server).handleDirectoryJoin},
	{"DELETE", "/me/certifications/{id}/directory", signedIn, (*server).handleDirectoryLeave},
	{"GET", "/me/certifications/{id}/certificate.pdf", signedIn, (*server).handleMyCertificatePDF},
	{"GET", "/me/attempts/{id}/score-report.pdf", signedIn, (*server).handleMyScoreReportPDF},
	{"GET", "/me/transcript.pdf", signedIn, (*server).handleMyTranscriptPDF},
	{"GET", "/me/ce-transcript.pdf", signedIn, (*server).handleMyCETranscriptPDF},
	{"GET", "/results/awaiting", staff(portal.PermResultsConfirm), (*server).handleResultsAwaiting},
	{"GET", "/staff/users", staff(portal.PermUsersRead), (*server).handleStaffUserList},
	{"GET", "/staff/users/{id}", staff(portal.PermUsersRead), (*server).handleStaffUserShow},
	{"POST", "/results/imports", staff(portal.PermResultsImport), (*server).handleResultsImportCreate},
	{"GET", "/results/imports/{id}", staff(portal.PermResultsImport), (*server).handleResultsImportShow},

	// Continuing education (ce.go, ce_review.go, uploads.go).
	{"GET", "/ce/activity-types", anyone, (*server).handleCEActivityTypes},
	{"GET", "/ce/progress", signedIn, (*server).handleCEProgress},
	{"GET", "/ce/submissions", signedIn, (*server).handleCESubmissionList},
	{"GET", "/ce/history.csv", signedIn, (*server).handleCEHistoryCSV},
	{"POST", "/ce/submissions", signedIn, (*server).handleCESubmissionCreate},
	{"POST", "/ce/drafts", signedIn, (*server).handleCEDraftCreate},
	{"GET", "/ce/submissions/{id}", signedIn, (*server).handleCESubmissionShow},
	{"PUT", "/ce/submissions/{id}", signedIn, (*server).handleCEDraftUpdate},
	{"POST", "/ce/submissions/{id}/submit", signedIn, (*server).handleCEDraftSubmit},
	{"POST", "/ce/submissions/{id}/withdraw", signedIn, (*server).handleCEWithdraw},
	{"POST", "/ce/submissions/{id}/respond", signedIn, (*server).handleCERespond},
	{"POST", "/ce/submissions/{id}/appeal", signedIn, (*server).handleCEAppeal},
	{"GET", "/ce/submissions/{id}/evidence/{upload}", signedIn, (*server).handleCEEvidence},
	{"POST", "/uploads", signedIn, (*server).handleUploadCreate},
	{"GET", "/uploads/{id}", signedIn, (*server).handleUploadShow},
	{"GET", "/ce/review/queue", staff(portal.PermCEReview), (*server).handleCEQueue},
	{"GET", "/ce/review/submissions/{id}", staff(portal.PermCEReview), (*server).handleCEReviewShow},
	{"POST", "/ce/review/submissions/{id}/claim", staff(portal.PermCEReview), (*server).handleCEClaim},
	{"POST", "/ce/review/submissions/{id}/decide", staff(portal.PermCEReview), (*server).handleCEDecide},
	{"GET", "/ce/review/submissions/{id}/evidence/{upload}", staff(portal.PermCEReview), (*server).handleCEReviewEvidence},
}

type server struct {
	log     *slog.Logger
	clock   portal.Clock
	catalog *i18n.Catalog
	acc     *accounts.Service
	exams   *exams.Service
	centers *centers.Service
	booking *booking.Service
	idem    *idempotency.Service
	results *results.Service
	creds   *credentials.Service
	credits *credits.Service
	uploads *uploads.Service
	actor   func(*http.Request) (portal.Actor, bool)
	// clientIP is the client's address for per-address limits.
	clientIP func(*http.Request) string
	mux      *http.ServeMux
}

// Handler is the API: it serves requests under Prefix and answers errors
// in its JSON envelope, which the middleware in front of it uses for its
// own refusals (web.Server.Wrap).
type Handler interface {
	http.Handler
	WriteError(w http.ResponseWriter, r *http.Request, err error)
}

// New returns the API handler. It serves paths under Prefix+"/" and
// expects to run behind the web middleware (session, request ID, security
// headers, cross-origin protection).
func New(d Deps) Handler {
	s := &server{log: d.Log, clock: d.Clock, catalog: d.Catalog, acc: d.Accounts, exams: d.Exams, centers: d.Centers, booking: d.Booking,
		idem: d.Idempotency, results: d.Results, creds: d.Credentials, credits: d.Credits, uploads: d.Uploads, actor: d.Actor, clientIP: d.ClientIP,
		mux: http.NewServeMux()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.actor == nil {
		s.actor = func(*http.Request) (portal.Actor, bool) { return portal.Actor{}, false }
	}
	for _, rt := range routes {
		s.mux.Handle(rt.Method+" "+Prefix+rt.Path, s.adapt(rt))
	}
	s.mux.HandleFunc(Prefix+"/", s.handleUnmatched)
	return s
}

// ServeHTTP gives the request an ID when the middleware did not, turns a
// panic into a JSON 500 and dispatches.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if portal.RequestID(r.Context()) == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		r = r.WithContext(portal.WithRequestID(r.Context(), hex.EncodeToString(b)))
	}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.fail(w, r, errPanic{p})
		}
	}()
	s.mux.ServeHTTP(w, r)
}

// adapt wraps a route: its access check, then the handler, with its
// error sent to the mapper.
func (s *server) adapt(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.admit(rt.Access, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := rt.handle(s, w, r, a); err != nil {
			s.fail(w, r, err)
		}
	})
}

// handleUnmatched answers paths under the prefix that no route matches: 405
// with Allow when the path exists for other methods, else 404.
func (s *server) handleUnmatched(w http.ResponseWriter, r *http.Request) {
	rel := strings.TrimPrefix(r.URL.Path, Prefix)
	var allow []string
	for _, rt := range routes {
		if matchPath(rt.Path, rel) {
			allow = append(allow, rt.Method)
			if rt.Method == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	if len(allow) == 0 {
		s.fail(w, r, errRouteUnknown)
		return
	}
	sort.Strings(allow)
	w.Header().Set("Allow", strings.Join(allow, ", "))
	s.fail(w, r, errMethodNotAllowed)
}

// matchPath reports whether path matches pattern, where a {name} segment
// matches any one non-empty segment.
func matchPath(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if strings.HasPrefix(ps[i], "{") && strings.HasSuffix(ps[i], "}") {
			if xs[i] == "" {
				return false
			}
			continue
		}
		if ps[i] != xs[i] {
			return false
		}
	}
	return true
}
