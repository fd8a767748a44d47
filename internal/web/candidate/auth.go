package candidate

import (
	"net/http"
	"net/url"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

type signInPage struct {
	web.BasePage
	Form *web.Form
	Next string
}

func (s *Pages) handleSignInForm(w http.ResponseWriter, r *http.Request) error {
	p := &signInPage{Form: web.NewForm(), Next: web.LocalPath(r.URL.Query().Get("next"), "")}
	s.FillBase(r, &p.BasePage, "signin.title")
	return s.Render(w, r, http.StatusOK, "signin", p)
}

// handleSignIn checks the credentials; on success it sets a fresh session
// cookie (a new token on every sign-in) and redirects.
func (s *Pages) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	p := &signInPage{Form: web.NewForm(), Next: web.LocalPath(f.Get("next"), "")}
	p.Form.Values["email"] = f.Get("email")
	res, err := s.Accounts.SignIn(r.Context(), web.RequestMeta(r), accounts.SignInRequest{Email: f.Get("email"), Password: f.Get("password")})
	if err != nil {
		s.FillBase(r, &p.BasePage, "signin.title")
		if !s.ApplyError(&p.BasePage, p.Form, err, "email") {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "signin", p)
	}
	s.SetSessionCookie(w, res.Token)
	if res.MFARequired {
		http.Redirect(w, r, "/signin/mfa?next="+url.QueryEscape(p.Next), http.StatusSeeOther)
		return nil
	}
	target := "/dashboard"
	if res.User.Role.IsStaff() {
		target = "/console"
	}
	http.Redirect(w, r, web.LocalPath(p.Next, target), http.StatusSeeOther)
	return nil
}

func (s *Pages) handleSignOut(w http.ResponseWriter, r *http.Request) error {
	sess := web.RequestSession(r)
	if err := s.Accounts.SignOut(r.Context(), web.Actor(r), sess.ID); err != nil {
		return err
	}
	s.ClearSessionCookie(w)
	http.Redirect(w, r, web.WithNotice("/signin", noticeSignedOut), http.StatusSeeOther)
	return nil
}

type setupPage struct {
	web.BasePage
	Form    *web.Form
	Account *portal.User
	Token   string
}

// handleSetupForm shows the one-time admin setup form. The page carries the
// token in its URL, so the layout's referrer policy keeps it from leaking to
// other sites, and the page is never cached.
func (s *Pages) handleSetupForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	user, err := s.Accounts.SetupAccount(r.Context(), token)
	if err != nil {
		return err
	}
	p := &setupPage{Form: web.NewForm(), Account: user, Token: token}
	s.FillBase(r, &p.BasePage, "setup.title")
	w.Header().Set("Referrer-Policy", "no-referrer")
	return s.Render(w, r, http.StatusOK, "setup", p)
}

func (s *Pages) handleSetup(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	if err := web.ParseForm(r); err != nil {
		return err
	}
	_, err := s.Accounts.CompleteSetup(r.Context(), web.Actor(r), accounts.SetupRequest{
		Token: token, Password: r.PostForm.Get("password"), Confirm: r.PostForm.Get("confirm"),
	})
	if err != nil {
		if portal.ErrorCode(err) != portal.EInvalid {
			return err
		}
		user, uerr := s.Accounts.SetupAccount(r.Context(), token)
		if uerr != nil {
			return uerr
		}
		p := &setupPage{Form: web.NewForm(), Account: user, Token: token}
		s.FillBase(r, &p.BasePage, "setup.title")
		s.ApplyError(&p.BasePage, p.Form, err, "password")
		w.Header().Set("Referrer-Policy", "no-referrer")
		return s.Render(w, r, http.StatusUnprocessableEntity, "setup", p)
	}
	http.Redirect(w, r, web.WithNotice("/signin", noticeSetupComplete), http.StatusSeeOther)
	return nil
}
