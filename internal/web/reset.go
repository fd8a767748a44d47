package web

import (
	"net/http"
	"time"

	"example.org/certportal/internal/accounts"
)

// resetCookie carries a password-reset token after its link was opened,
// so the token leaves the address bar (and any Referer) at once.
const resetCookie = "certportal_reset"

type resetPage struct {
	BasePage
	Form *Form
	Link *accounts.ResetLink
}

// MethodField is the second-factor choice for an account with MFA.
func (p *resetPage) MethodField() Field {
	fl := field(p.T, p.Form, "method", "select", "mfa.method")
	add := func(v, label string) {
		fl.Options = append(fl.Options, Option{Value: v, Label: p.T.T(label, nil), Selected: v == fl.Value})
	}
	// Text-message codes belong to a sign-in flow; a reset takes an
	// authenticator code or a backup code (made with the first factor).
	if p.Link.MFA.TOTP {
		add("totp", "mfa.method_totp")
	}
	add("backup", "mfa.method_backup")
	return fl
}

// handleResetLink moves the token from the URL into a short-lived cookie
// scoped to the reset page and redirects there.
func (s *Server) handleResetLink(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{
		Name: resetCookie, Value: r.PathValue("token"), Path: "/password/reset", MaxAge: int(accounts.PasswordResetTTL / time.Second),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode,
	})
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, "/password/reset", http.StatusSeeOther)
	return nil
}

func (s *Server) resetToken(r *http.Request) string {
	c, err := r.Cookie(resetCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *Server) handleResetForm(w http.ResponseWriter, r *http.Request) error {
	link, err := s.acc.CheckResetLink(r.Context(), s.resetToken(r))
	if err != nil {
		return err
	}
	p := &resetPage{Form: newForm(), Link: link}
	s.fillBase(r, &p.BasePage, "reset.title")
	return s.render(w, r, http.StatusOK, "reset", p)
}

func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	token := s.resetToken(r)
	f := formFrom(r, "method")
	err := s.acc.ResetPassword(r.Context(), meta(r), accounts.ResetRequest{
		Token: token, Password: r.PostForm.Get("password"), Confirm: r.PostForm.Get("confirm"),
		Method: f.Value("method"), Code: r.PostForm.Get("code"),
	})
	if err != nil {
		link, lerr := s.acc.CheckResetLink(r.Context(), token)
		if lerr != nil {
			return lerr
		}
		p := &resetPage{Form: f, Link: link}
		s.fillBase(r, &p.BasePage, "reset.title")
		if !s.applyError(&p.BasePage, f, err, "password") {
			return err
		}
		return s.render(w, r, formStatus(err), "reset", p)
	}
	http.SetCookie(w, &http.Cookie{Name: resetCookie, Path: "/password/reset", MaxAge: -1, HttpOnly: true, Secure: s.secure})
	http.Redirect(w, r, "/signin?notice=password_reset", http.StatusSeeOther)
	return nil
}
