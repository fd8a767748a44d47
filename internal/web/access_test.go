package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/api"
	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/web"
	"example.org/certportal/internal/web/candidate"
	"example.org/certportal/internal/web/console"
	"example.org/certportal/internal/web/webtest"
)

// TestEveryRouteDeclaresItsAccess: every console route and every staff
// operation of the API names a real permission; patterns are unique.
func TestEveryRouteDeclaresItsAccess(t *testing.T) {
	s := webtest.NewServer(t, candidate.Section(), console.Section())
	seen := map[string]bool{}
	for _, rt := range s.Routes() {
		if seen[rt.Pattern] {
			t.Errorf("%s appears twice", rt.Pattern)
		}
		seen[rt.Pattern] = true
		if (rt.Handle == nil) == (rt.Raw == nil) {
			t.Errorf("%s: exactly one of handle and raw must be set", rt.Pattern)
		}
		_, path, _ := strings.Cut(rt.Pattern, " ")
		if strings.HasPrefix(path, "/console") && (!isStaff(rt.Access) || !validPermission(perm(rt.Access))) {
			t.Errorf("%s is a console route without a staff permission", rt.Pattern)
		}
		if isStaff(rt.Access) && !validPermission(perm(rt.Access)) {
			t.Errorf("%s: staff access needs a permission", rt.Pattern)
		}
	}
	for _, rt := range api.AccessTable() {
		if strings.HasPrefix(rt.Path, "/staff/") && !validPermission(rt.Permission) {
			t.Errorf("API %s %s is a staff operation without a permission", rt.Method, rt.Path)
		}
	}
}

// isStaff reports whether a route needs a staff permission.
func isStaff(a web.Access) bool { _, ok := a.Permission(); return ok }

// perm is the permission a staff route needs.
func perm(a web.Access) portal.Permission { p, _ := a.Permission(); return p }

func validPermission(p portal.Permission) bool {
	for _, q := range portal.AllPermissions() {
		if p == q {
			return true
		}
	}
	return false
}

// accessWorld is a server with real accounts and one signed-in session
// for each kind of visitor.
type accessWorld struct {
	s       *web.Server
	h       http.Handler
	cookies map[string]string // session cookie by who: candidate, each set, scheduler-no-factor
	ids     map[string]int64
}

const accessPassword = "Vq8#kLm2pXz!rT"

func newAccessWorld(t *testing.T, engine string) *accessWorld {
	t.Helper()
	ctx := context.Background()
	clock := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	st := testutil.MustOpenStore(t, engine, clock)
	log := slog.New(slog.DiscardHandler)
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	acc := accounts.New(st, clock, log, accounts.NewHasher(accounts.HashParams{Time: 1, Memory: 1024, Threads: 1, KeyLen: 32}, 4), accounts.Config{
		BaseURL: "http://portal.test", ProgramName: "Acme", LoginIDPrefix: "CP", SessionIdle: time.Hour, SessionLifetime: 24 * time.Hour,
		SecretKey: bytes.Repeat([]byte{0x42}, 32), Languages: []string{"en", "es"},
	})
	cal := calendar.NewService(st)
	res := results.New(st, clock, log, results.Config{Calendar: func(ctx context.Context) (results.Calendar, error) {
		return cal.Calendar(ctx)
	}})
	s, err := web.New(web.Config{BaseURL: "http://portal.test", ProgramName: "Acme"}, web.Deps{
		Log: log, Clock: clock, Catalog: cat, Accounts: acc, Calendar: cal, Results: res,
	}, candidate.Section(), console.Section())
	if err != nil {
		t.Fatal(err)
	}
	apiH := api.New(api.Deps{Log: log, Clock: clock, Catalog: cat, Accounts: acc, Results: res, Actor: web.RequestActor})
	// Both surfaces, mounted as the app mounts them.
	mux := http.NewServeMux()
	mux.Handle(api.Prefix+"/", s.Wrap(apiH, apiH))
	mux.Handle("/", s.Handler())
	w := &accessWorld{s: s, h: mux, cookies: map[string]string{}, ids: map[string]int64{}}
	signIn := func(who string, role portal.Role, sets []portal.PermissionSet, factor bool) {
		u, err := acc.CreateUser(ctx, portal.SystemActor("test"), accounts.UserCreate{
			Email: who + "@example.org", FirstName: "Kim", LastName: "Lee", Role: role, Password: accessPassword, Verified: true, Sets: sets,
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := acc.SignIn(ctx, accounts.RequestMeta{IP: "192.0.2.9"}, accounts.SignInRequest{Email: u.Email, Password: accessPassword})
		if err != nil {
			t.Fatal(err)
		}
		if factor {
			sess, err := acc.Session(ctx, res.Token)
			if err != nil {
				t.Fatal(err)
			}
			e, err := acc.BeginTOTP(ctx, sess.Actor("192.0.2.9", "t"), sess.ID, accounts.Proof{})
			if err != nil {
				t.Fatal(err)
			}
			code, err := totp.GenerateCodeCustom(e.Secret, clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := acc.ConfirmTOTP(ctx, sess.Actor("192.0.2.9", "t"), sess.ID, code); err != nil {
				t.Fatal(err)
			}
		}
		w.cookies[who], w.ids[who] = res.Token, u.ID
	}
	signIn("candidate", portal.RoleCandidate, nil, true)
	for _, set := range portal.PermissionSets() {
		signIn(string(set), portal.RoleStaff, []portal.PermissionSet{set}, true)
	}
	signIn("nofactor", portal.RoleStaff, []portal.PermissionSet{portal.SetScheduler}, false)
	return w
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// request builds a request for a route pattern ("GET /a/{id}") as who
// ("" for a visitor), with every path parameter set to param.
func (w *accessWorld) request(pattern, who, param string) *http.Request {
	method, path, _ := strings.Cut(pattern, " ")
	path = strings.ReplaceAll(pathParam.ReplaceAllString(path, param), "{$}", "")
	r := httptest.NewRequest(method, path, strings.NewReader(""))
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if who != "" {
		r.AddCookie(&http.Cookie{Name: "certportal_session", Value: w.cookies[who]})
	}
	return r
}

func (w *accessWorld) serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// TestRouteAccessHoldsOnBothSurfaces walks both route tables: a visitor is
// sent to sign in, a candidate and staff without a route's permission are
// refused (403) before any handler runs, staff without a second factor
// are sent to enrol one, and staff holding the permission get through.
func TestRouteAccessHoldsOnBothSurfaces(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		w := newAccessWorld(t, engine)
		reached := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { rw.WriteHeader(http.StatusTeapot) })
		for _, rt := range w.s.Routes() {
			if rt.Access.Public() {
				continue
			}
			method, _, _ := strings.Cut(rt.Pattern, " ")
			visitor := w.serve(w.h, w.request(rt.Pattern, "", "1"))
			if method == http.MethodGet && (visitor.Code != http.StatusSeeOther || !strings.HasPrefix(visitor.Header().Get("Location"), "/signin?next=")) {
				t.Errorf("visitor %s: %d %s, want the sign-in page", rt.Pattern, visitor.Code, visitor.Header().Get("Location"))
			}
			if method != http.MethodGet && visitor.Code != http.StatusUnauthorized {
				t.Errorf("visitor %s: %d, want 401", rt.Pattern, visitor.Code)
			}
			if !isStaff(rt.Access) {
				continue
			}
			only := w.s.Guarded(rt.Access, reached)
			for who := range w.cookies {
				may := who != "candidate" && who != "nofactor" && portal.PermissionSet(who).Permissions().Has(perm(rt.Access))
				if !may {
					if rec := w.serve(w.h, w.request(rt.Pattern, who, "1")); rec.Code != http.StatusForbidden && !(who == "nofactor" && rec.Code == http.StatusSeeOther) {
						t.Errorf("%s %s: %d, want 403", who, rt.Pattern, rec.Code)
					}
					continue
				}
				r := w.request(rt.Pattern, who, "1")
				if rec := w.serve(only, r); rec.Code != http.StatusTeapot {
					t.Errorf("%s %s: %d, want through", who, rt.Pattern, rec.Code)
				}
			}
			if portal.SetScheduler.Permissions().Has(perm(rt.Access)) {
				rec := w.serve(w.h, w.request(rt.Pattern, "nofactor", "1"))
				if method == http.MethodGet && (rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != web.MFARequiredPath) {
					t.Errorf("staff without a second factor %s: %d %s, want the enrolment page", rt.Pattern, rec.Code, rec.Header().Get("Location"))
				}
				if method != http.MethodGet && rec.Code != http.StatusForbidden {
					t.Errorf("staff without a second factor %s: %d, want 403", rt.Pattern, rec.Code)
				}
			}
		}

		for _, rt := range api.AccessTable() {
			if !rt.SignedIn {
				continue
			}
			pattern := rt.Method + " " + api.Prefix + rt.Path
			if rec := w.serve(w.h, w.request(pattern, "", "1")); rec.Code != http.StatusUnauthorized {
				t.Errorf("visitor API %s: %d, want 401", pattern, rec.Code)
			}
			if rt.Permission == 0 {
				continue
			}
			param := strconv.FormatInt(w.ids["candidate"], 10)
			for who := range w.cookies {
				may := who != "candidate" && who != "nofactor" && portal.PermissionSet(who).Permissions().Has(rt.Permission)
				rec := w.serve(w.h, w.request(pattern, who, param))
				if !may && rec.Code != http.StatusForbidden {
					t.Errorf("%s API %s: %d, want 403", who, pattern, rec.Code)
				}
				// Through the guard: the operation answers (an empty
				// request may be refused by the operation itself).
				if may && (rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden || rec.Code >= 500) {
					t.Errorf("%s API %s: %d, want through\n%s", who, pattern, rec.Code, rec.Body)
				}
			}
		}
	})
}

// TestSchedulerCannotReachUserAdministration is the rule in the words an
// operator would use: on neither surface does the scheduler set open the
// account list, an account, or any change to one.
func TestSchedulerCannotReachUserAdministration(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		w := newAccessWorld(t, engine)
		id := strconv.FormatInt(w.ids["candidate"], 10)
		for _, pattern := range []string{
			"GET /console/users", "GET /console/users/" + id, "POST /console/users/" + id + "/disable",
			"POST /console/users/" + id + "/mfa/reset", "POST /console/users/" + id + "/permissions", "GET /console/staff",
			"GET /console/staff/invite", "POST /console/staff/invite",
			"GET " + api.Prefix + "/staff/users", "GET " + api.Prefix + "/staff/users/" + id,
		} {
			if rec := w.serve(w.h, w.request(pattern, string(portal.SetScheduler), "")); rec.Code != http.StatusForbidden {
				t.Errorf("scheduler %s: %d, want 403", pattern, rec.Code)
			}
			if rec := w.serve(w.h, w.request(pattern, string(portal.SetAdmin), "")); rec.Code == http.StatusForbidden || rec.Code == http.StatusUnauthorized {
				t.Errorf("admin %s: %d", pattern, rec.Code)
			}
		}
	})
}
