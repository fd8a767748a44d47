package candidate

import (
	"net/http"
	"strings"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/web"
)

// Registration, email verification and password recovery: the pages a
// visitor reaches before signing in.

type registerPage struct {
	web.BasePage
	Form      *web.Form
	Countries []geo.Country
	Region    regionChoice
}

func (s *Pages) newRegisterPage(r *http.Request, f *web.Form) *registerPage {
	p := &registerPage{Form: f}
	s.FillBase(r, &p.BasePage, "register.title")
	p.Countries = geo.Countries(p.Lang)
	p.Region = newRegionChoice(f.Value("country"))
	if f.Value("language") == "" {
		f.Values["language"] = p.Lang
	}
	return p
}

// CountryField, RegionField and LanguageField are the page's selects.
func (p *registerPage) CountryField() web.Field  { return countryField(p.T, p.Form, p.Countries) }
func (p *registerPage) RegionField() *web.Field  { return regionField(p.T, p.Form, p.Region) }
func (p *registerPage) LanguageField() web.Field { return languageField(p.T, p.Form, p.Languages) }

func (s *Pages) handleRegisterForm(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm()
	f.Values["country"] = strings.ToUpper(r.URL.Query().Get("country"))
	if f.Value("country") == "" {
		f.Values["country"] = browserCountry(r)
	}
	return s.Render(w, r, http.StatusOK, "register", s.newRegisterPage(r, f))
}

// handleRegister creates the account, or re-renders the form with what is
// wrong. An address that already has an account gets the same next page.
// The no-script "show the regions" button re-renders the form for the
// chosen country without checking anything; a region the page never showed
// is asked for, not reported as an error (regions.go).
func (s *Pages) handleRegister(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, "email", "first_name", "last_name", "country", "region", "language", "company")
	if r.PostForm.Get("update") == regionUpdate {
		return s.Render(w, r, http.StatusOK, "register", s.newRegisterPage(r, f))
	}
	unseen := regionUnseen(r)
	err := s.Accounts.Register(r.Context(), web.RequestMeta(r), accounts.RegisterRequest{
		Email: f.Value("email"), FirstName: f.Value("first_name"), LastName: f.Value("last_name"),
		Password: r.PostForm.Get("password"), Country: f.Value("country"), Region: f.Value("region"),
		Language: f.Value("language"), Company: f.Value("company"),
	})
	if err != nil {
		p := s.newRegisterPage(r, f)
		if unseen {
			p.Region.Prompt = true
			delete(f.Values, "region")
			if err = withoutRegionError(err); err == nil {
				return s.Render(w, r, http.StatusUnprocessableEntity, "register", p)
			}
		}
		if !s.ApplyError(&p.BasePage, f, err, "email") {
			return err
		}
		return s.Render(w, r, http.StatusUnprocessableEntity, "register", p)
	}
	http.Redirect(w, r, "/register/done", http.StatusSeeOther)
	return nil
}

type messagePage struct {
	web.BasePage
	Heading   string
	Lines     []string
	Link      string
	LinkLabel string
}

func (s *Pages) message(w http.ResponseWriter, r *http.Request, status int, title string, lines ...string) error {
	p := &messagePage{}
	s.FillBase(r, &p.BasePage, title)
	p.Heading = p.Title
	for _, l := range lines {
		p.Lines = append(p.Lines, p.T.T(l, nil))
	}
	return s.Render(w, r, status, "message", p)
}

func (s *Pages) handleRegisterDone(w http.ResponseWriter, r *http.Request) error {
	return s.message(w, r, http.StatusOK, "register.done_title", "register.done_text", "register.done_spam")
}

type verifyPage struct {
	web.BasePage
	Token string
	Email string
}

// handleVerifyForm shows a button that confirms the address. Opening the
// link changes nothing (mail scanners open links too); the button does.
func (s *Pages) handleVerifyForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	user, err := s.Accounts.CheckVerificationLink(r.Context(), token)
	if err != nil {
		return err
	}
	p := &verifyPage{Token: token, Email: user.Email}
	s.FillBase(r, &p.BasePage, "verify.title")
	w.Header().Set("Referrer-Policy", "no-referrer")
	return s.Render(w, r, http.StatusOK, "verify", p)
}

func (s *Pages) handleVerify(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Accounts.VerifyEmail(r.Context(), web.RequestMeta(r), r.PathValue("token")); err != nil {
		return err
	}
	target := web.WithNotice("/signin", noticeEmailVerified)
	if sess := web.RequestSession(r); sess != nil && sess.Active() {
		target = web.WithNotice("/dashboard", noticeEmailVerified)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

type verifyPendingPage struct {
	web.BasePage
}

// handleVerifyPending is the one page an unverified account reaches.
func (s *Pages) handleVerifyPending(w http.ResponseWriter, r *http.Request) error {
	if u := web.RequestSession(r).User; u.EmailVerifiedAt != nil {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		return nil
	}
	p := &verifyPendingPage{}
	s.FillBase(r, &p.BasePage, "verify.pending_title")
	p.User = web.RequestSession(r).User
	return s.Render(w, r, http.StatusOK, "verify_pending", p)
}

func (s *Pages) handleVerifyResend(w http.ResponseWriter, r *http.Request) error {
	if err := s.Accounts.ResendVerification(r.Context(), web.Actor(r)); err != nil {
		return err
	}
	http.Redirect(w, r, web.WithNotice("/verify-email", noticeVerificationSent), http.StatusSeeOther)
	return nil
}

type forgotPage struct {
	web.BasePage
	Form *web.Form
}

func (s *Pages) handleForgotForm(w http.ResponseWriter, r *http.Request) error {
	p := &forgotPage{Form: web.NewForm()}
	s.FillBase(r, &p.BasePage, "forgot.title")
	return s.Render(w, r, http.StatusOK, "forgot", p)
}

// handleForgot always answers "if an account exists, we sent a link".
func (s *Pages) handleForgot(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, "email")
	if err := s.Accounts.RequestPasswordReset(r.Context(), web.RequestMeta(r), f.Value("email")); err != nil {
		p := &forgotPage{Form: f}
		s.FillBase(r, &p.BasePage, "forgot.title")
		if !s.ApplyError(&p.BasePage, f, err, "email") {
			return err
		}
		return s.Render(w, r, http.StatusUnprocessableEntity, "forgot", p)
	}
	return s.message(w, r, http.StatusOK, "forgot.sent_title", "forgot.sent_text", "forgot.sent_spam")
}
