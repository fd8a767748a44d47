package console

import (
	"errors"
	"net/http"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// Renewal flags in the console: renewals whose credits a reversal took
// back, listed for the administrators who reverse decisions, each with a
// page that shows what the renewal stands on now and the form that
// resolves it. The credits service decides; the route table hides the
// pages from everyone else.

// Notices of the renewal flags (console_ce_flags.go).
const noticeCEFlagResolved web.Notice = "ce_flag_resolved"

const ceFlagsPath = "/console/ce/flags"

type consoleCEFlagsPage struct {
	web.BasePage
	Flags []*credits.RenewalFlag
	// Resolved shows the resolved flags instead of the open ones.
	Resolved bool
}

// Credits writes hundredths of a credit in the page's language.
func (p *consoleCEFlagsPage) Credits(c int) string { return credits.FormatCreditsIn(c, p.Lang) }

// On writes the day of an instant, "" for none.
func (p *consoleCEFlagsPage) On(t *time.Time) string { return onDay(p.T, t) }

// On writes the day of an instant, "" for none.
func (p *consoleCEFlagPage) On(t *time.Time) string { return onDay(p.T, t) }

func onDay(l *i18n.Localizer, t *time.Time) string {
	if t == nil {
		return ""
	}
	return l.Date(*t, time.UTC)
}

// handleConsoleCEFlags lists the open renewal flags, oldest first, or the
// resolved ones (?state=resolved), latest first.
func (s *Pages) handleConsoleCEFlags(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	p := &consoleCEFlagsPage{Resolved: r.URL.Query().Get("state") == "resolved"}
	var err error
	if p.Flags, err = s.Credits.ListRenewalFlags(r.Context(), web.Actor(r), p.Resolved); err != nil {
		return err
	}
	s.FillBase(r, &p.BasePage, "console.ce_flags.title")
	return s.Render(w, r, http.StatusOK, "console_ce_flags", p)
}

type consoleCEFlagPage struct {
	web.BasePage
	Flag *credits.RenewalFlag
	Form *web.Form
}

// Credits writes hundredths of a credit in the page's language.
func (p *consoleCEFlagPage) Credits(c int) string { return credits.FormatCreditsIn(c, p.Lang) }

// OutcomeOptions are the resolution's outcomes as radio buttons. Asking
// for credits is not offered when none are short (the service refuses
// it).
func (p *consoleCEFlagPage) OutcomeOptions() []web.Option {
	var out []web.Option
	for _, o := range credits.FlagOutcomes() {
		if o == portal.FlagCreditsRequested && p.Flag.Short == 0 {
			continue
		}
		out = append(out, web.Option{Value: o, Label: p.T.T("console.ce_flags.outcome."+o, nil), Selected: p.Form.Value(credits.FieldOutcome) == o})
	}
	return out
}

// NoteField is the resolution's note.
func (p *consoleCEFlagPage) NoteField() textArea {
	return textArea{web.NewField(p.T, p.Form, credits.FieldNote, "textarea", "console.ce_flags.field.note",
		"hint=console.ce_flags.field.note_hint", "max=2000"), 4}
}

// handleConsoleCEFlag shows one flag and, while it is open, the form
// that resolves it.
func (s *Pages) handleConsoleCEFlag(w http.ResponseWriter, r *http.Request) error {
	return s.renderConsoleCEFlag(w, r, http.StatusOK, nil, "")
}

func (s *Pages) renderConsoleCEFlag(w http.ResponseWriter, r *http.Request, status int, form *web.Form, notice string) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	f, err := s.Credits.GetRenewalFlag(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	p := &consoleCEFlagPage{Flag: f, Form: form}
	if p.Form == nil {
		p.Form = web.NewForm()
	}
	s.FillBase(r, &p.BasePage, "console.ce_flags.flag_title")
	for _, field := range p.Form.ErrorFields() {
		p.Errors = append(p.Errors, web.SummaryItem{Field: field, Message: p.Form.Errors[field]})
	}
	if notice != "" {
		p.Notice = notice
	}
	return s.Render(w, r, status, "console_ce_flag", p)
}

// handleConsoleCEFlagResolve resolves the flag of the path and goes back
// to the list. A form's problems are shown next to its fields; a flag
// resolved meanwhile shows its page again with the service's "already
// resolved" as the notice.
func (s *Pages) handleConsoleCEFlagResolve(w http.ResponseWriter, r *http.Request) error {
	if s.Credits == nil {
		return portal.ErrNotFound
	}
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.NewForm()
	for _, k := range []string{credits.FieldOutcome, credits.FieldNote} {
		f.Values[k] = r.PostForm.Get(k)
	}
	_, err = s.Credits.ResolveRenewalFlag(r.Context(), web.Actor(r), id,
		credits.FlagResolution{Outcome: f.Value(credits.FieldOutcome), Note: f.Value(credits.FieldNote)})
	if err == nil {
		http.Redirect(w, r, web.WithNotice(ceFlagsPath, noticeCEFlagResolved), http.StatusSeeOther)
		return nil
	}
	var pe *portal.Error
	if !errors.As(err, &pe) || pe.Code != portal.EInvalid && pe.Code != portal.EConflict || pe.Message == "" && len(pe.Fields) == 0 {
		return err
	}
	loc := s.Catalog.Localizer(web.RequestLang(r))
	if len(pe.Fields) == 0 {
		return s.renderConsoleCEFlag(w, r, web.FormStatus(err), nil, web.Localize(loc, pe.Message, pe.Data))
	}
	for _, fe := range pe.Fields {
		f.SetError(fe.Field, web.Localize(loc, fe.Message, fe.Data))
	}
	return s.renderConsoleCEFlag(w, r, web.FormStatus(err), f, "")
}
