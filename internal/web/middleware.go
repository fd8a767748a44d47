package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
)

// reqInfo is the per-request state the middleware shares. One pointer is
// put in the context by the outermost middleware; inner layers fill it in.
type reqInfo struct {
	ID      string
	IP      string
	Pattern string
	Status  int
	Session *accounts.Session
	Lang    string
	// errors answers the middleware's refusals for another surface in
	// its own format (the JSON API's envelope); nil for pages.
	errors ErrorWriter
}

type infoKey struct{}

// RequestSession is the request's session as the middleware loaded it:
// nil for a visitor, possibly waiting for a second factor (Active).
func RequestSession(r *http.Request) *accounts.Session { return info(r).Session }

// RequestLang is the language of the request's pages, as the middleware
// chose it; empty outside the middleware.
func RequestLang(r *http.Request) string { return info(r).Lang }

// WithLang returns r as the middleware would pass it on for a visitor
// who reads lang, for rendering a page outside the middleware: tests, a
// storybook of every template.
func WithLang(r *http.Request, lang string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), infoKey{}, &reqInfo{Lang: lang}))
}

func info(r *http.Request) *reqInfo {
	if i, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		return i
	}
	return &reqInfo{}
}

// Actor is the request's signed-in user as an actor (the zero actor when anonymous).
func Actor(r *http.Request) portal.Actor {
	i := info(r)
	if i.Session == nil {
		return portal.Actor{IP: i.IP, RequestID: i.ID}
	}
	return i.Session.Actor(i.IP, i.ID)
}

// RequestMeta is what the accounts service records of the request: the
// client address, the user agent and the request ID.
func RequestMeta(r *http.Request) accounts.RequestMeta {
	i := info(r)
	return accounts.RequestMeta{IP: i.IP, UserAgent: r.UserAgent(), RequestID: i.ID}
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// statusWriter records the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe is the outermost middleware: request ID, client IP, panic
// recovery, one access-log line and the request metrics.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		i := &reqInfo{ID: newRequestID(), IP: s.clientIP(r)}
		ctx := context.WithValue(portal.WithRequestID(r.Context(), i.ID), infoKey{}, i)
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		w.Header().Set("X-Request-ID", i.ID)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.serveError(sw, r, fmt.Errorf("panic: %v", p))
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			route := i.Pattern
			if route == "" {
				route = "unmatched"
			}
			elapsed := time.Since(start)
			if s.metrics != nil {
				s.metrics.observe(route, r.Method, status, elapsed)
			}
			if route == "GET /healthz" || route == "GET /metrics" {
				return // probes would drown the log
			}
			s.Log.InfoContext(ctx, "request", "method", r.Method, "route", route, "status", status,
				"duration_ms", float64(elapsed.Microseconds())/1000, "ip", i.IP)
		}()
		next.ServeHTTP(sw, r)
	})
}

// clientIP is the peer address, or the last address in X-Forwarded-For that
// is not a trusted proxy when the peer is one. A spoofed header from an
// untrusted peer is ignored.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		return host
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !s.trusted(a) {
			return a.String()
		}
	}
	return host
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// contentSecurityPolicy allows scripts, styles and images from the portal
// itself only: no inline script, no plugins, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries. Dynamic pages
// are never cached (they may hold personal data); static assets override
// Cache-Control themselves.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		h.Set("Cache-Control", "no-store")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests from other sites
// (Sec-Fetch-Site, then Origin against Host). GET, HEAD and OPTIONS never
// change state and pass.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	if err := cop.AddTrustedOrigin(s.cfg.BaseURL); err != nil {
		s.Log.Warn("base URL is not a valid trusted origin", "err", err)
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serveError(w, r, &portal.Error{Code: portal.EForbidden, Message: "error.cross_origin"})
	}))
	return cop.Handler(next)
}

// sessionCookieName has the __Host- prefix under TLS, which pins the cookie
// to this host and path and requires Secure; plain-HTTP development cannot
// use the prefix.
func (s *Server) sessionCookieName() string {
	if s.secure {
		return "__Host-certportal_session"
	}
	return "certportal_session"
}

// loadSession attaches the session named by the cookie, if it is live, and
// picks the page language.
func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := info(r)
		if c, err := r.Cookie(s.sessionCookieName()); err == nil && c.Value != "" {
			sess, err := s.Accounts.Session(r.Context(), c.Value)
			switch {
			case err == nil:
				i.Session = sess
			case portal.ErrorCode(err) == portal.EUnauthorized:
				s.ClearSessionCookie(w)
			default:
				s.serveError(w, r, err)
				return
			}
		}
		preferred := ""
		if i.Session != nil {
			preferred = i.Session.User.Language
		} else if c, err := r.Cookie("lang"); err == nil {
			preferred = c.Value
		}
		i.Lang = s.Catalog.Match(preferred, r.Header.Get("Accept-Language"))
		next.ServeHTTP(w, r)
	})
}

// SetSessionCookie starts the browser's session with token (after signing
// in).
func (s *Server) SetSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: s.sessionCookieName(), Value: token, Path: "/", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// ClearSessionCookie ends the browser's session cookie.
func (s *Server) ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: s.sessionCookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// requireUser lets only fully signed-in users through. Others are sent to
// sign in (GET) or refused (other methods).
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := info(r).Session
		if sess == nil || !sess.Active() {
			s.serveError(w, r, portal.ErrUnauthorized)
			return
		}
		if needsVerification(sess.User, r.URL.Path) {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/verify-email", http.StatusSeeOther)
				return
			}
			s.serveError(w, r, &portal.Error{Code: portal.EForbidden, Message: "verify.required"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// unverifiedAllowed are the paths an account with an unverified address may
// use.
var unverifiedAllowed = map[string]bool{"/verify-email": true, "/verify/resend": true, "/signout": true}

func needsVerification(u *portal.User, path string) bool {
	return u.EmailVerifiedAt == nil && !unverifiedAllowed[path] && !strings.HasPrefix(path, "/verify/")
}
