package web

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
)

// Page is implemented by every page type through its embedded BasePage.
type Page interface{ base() *BasePage }

// BasePage is what the layout needs. Every page type embeds it.
type BasePage struct {
	T         *i18n.Localizer
	Lang      string
	Title     string
	Program   string
	User      *portal.User
	Console   bool // render the staff and admin layout
	Nav       []NavItem
	Notice    string
	Errors    []SummaryItem
	RequestID string
	Path      string
	Languages []LanguageOption
	Now       time.Time
	// Allow decides May: FillBase sets it from the route table and the
	// request's actor.
	Allow func(pattern string) bool
	// Logo is the address of the program's logo, empty when it has none.
	Logo string
	// Refresh reloads the page after this many seconds (0: never), for a
	// page that follows work in progress without script.
	Refresh int
	// NoIndex asks search engines not to index the page.
	NoIndex bool
	// L is what the layout says in the page's language, and Staff whether
	// the viewer is staff; render sets both.
	L     *layoutText
	Staff bool
}

func (b *BasePage) base() *BasePage { return b }

// BaseOf returns the BasePage of p.
func BaseOf(p Page) *BasePage { return p.base() }

// May reports whether the viewer may use the route with this pattern of
// the route table, e.g. "POST /console/users/{id}/disable": navigation,
// links and buttons ask it, so each person sees only what they may do.
func (b *BasePage) May(pattern string) bool { return b.Allow != nil && b.Allow(pattern) }

// NavItem is one link of the main navigation.
type NavItem struct {
	Href    string
	Label   string
	Current bool
}

// SummaryItem is one line of the error summary at the top of a form.
type SummaryItem struct {
	Field   string
	Message string
	// Href and LinkText, when set, link the page that resolves the
	// problem (the cart, the bookings).
	Href, LinkText string
}

// LanguageOption is one entry of the language picker.
type LanguageOption struct {
	Code     string
	Name     string
	Selected bool
}

// Render renders page template name with p into a buffer first, so a
// template error becomes a clean error page instead of half a page, and
// sends it with status.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, status int, name string, p Page) error {
	if b := p.base(); b.T != nil {
		b.L = s.layoutText.Get(b.T, newLayoutText)
		b.Staff = b.User != nil && b.User.Role.IsStaff()
		if b.Nav == nil {
			b.Nav = s.nav(r, b)
		}
		if v, ok := p.(Preparer); ok {
			v.Prepare(s)
		}
	}
	return s.write(w, status, name, layoutTemplate, p)
}

// RenderPart renders the "content" of a page template alone, without the
// layout: a part of a page that script puts in place.
func (s *Server) RenderPart(w http.ResponseWriter, r *http.Request, name string, p Page) error {
	return s.write(w, http.StatusOK, name, contentTemplate, p)
}

// renderBuffers are the buffers pages are rendered into, reused from one
// page to the next: a page grows a new buffer from 64 bytes to its size
// otherwise. A buffer grown past maxRenderBuffer is left to the collector.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxRenderBuffer = 256 << 10

// write executes template def of page name into a buffer and sends it.
func (s *Server) write(w http.ResponseWriter, status int, name, def string, p Page) error {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxRenderBuffer {
			buf.Reset()
			renderBuffers.Put(buf)
		}
	}()
	if err := s.tmpl.execute(buf, name, def, p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// FillBase sets the layout's fields of b for this request: language,
// user, notice, what the viewer may open (Render then builds the
// navigation from it). titleID is a catalog message ID.
func (s *Server) FillBase(r *http.Request, b *BasePage, titleID string) {
	i := info(r)
	lang := i.Lang
	if lang == "" {
		lang = i18n.Default
	}
	b.T = s.localizer(lang)
	b.Lang = lang
	b.Title = s.Text(b.T, titleID)
	b.Program = s.cfg.ProgramName
	b.RequestID = i.ID
	b.Path = r.URL.Path
	b.Now = s.Clock.Now()
	if i.Session != nil && i.Session.Active() {
		b.User = i.Session.User
	}
	b.Console = strings.HasPrefix(r.URL.Path, "/console")
	b.Allow = func(pattern string) bool { return s.allows(r, pattern) }
	if set, err := s.ProgramSettings(r); err != nil {
		s.Log.WarnContext(r.Context(), "program settings unavailable; page shown without the logo", "err", err)
	} else if set.HasLogo() {
		b.Logo = LogoPath + "?v=" + set.Logo.ETag
	}
	for _, l := range s.Catalog.Languages() {
		b.Languages = append(b.Languages, LanguageOption{Code: l, Name: i18n.DisplayName(l), Selected: l == lang})
	}
	if id := s.noticeMessage(r.URL.Query().Get("notice")); id != "" {
		b.Notice = s.Text(b.T, id)
	}
}

// nav builds the navigation of the section the page is in: the links of
// the pages the viewer may open, in the section's order.
func (s *Server) nav(r *http.Request, b *BasePage) []NavItem {
	var items []NavItem
	for _, l := range s.navOf(b.Path) {
		if !b.May("GET " + l.Href) {
			continue
		}
		label := s.Text(b.T, l.Label)
		if l.Count != nil {
			switch n, err := l.Count(r); {
			case err != nil:
				s.Log.WarnContext(r.Context(), "navigation count unavailable; link shown without it", "link", l.Href, "err", err)
			case n > 0:
				label = b.T.T(l.CountLabel, map[string]any{"Count": n})
			}
		}
		items = append(items, NavItem{Href: l.Href, Label: label})
	}
	markCurrent(items, b.Path)
	return items
}

// navOf is the navigation of the section whose prefix is the longest
// that path starts with.
func (s *Server) navOf(path string) []NavLink {
	best := -1
	for i, n := range s.navs {
		if (n.prefix == "" || path == n.prefix || strings.HasPrefix(path, n.prefix+"/")) && (best < 0 || len(n.prefix) > len(s.navs[best].prefix)) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	return s.navs[best].links
}

// markCurrent marks the item whose path is the longest prefix of the page's
// path, so /console/audit marks "Audit log", not "Overview".
func markCurrent(items []NavItem, path string) {
	best := -1
	for i, it := range items {
		if (path == it.Href || strings.HasPrefix(path, it.Href+"/")) && (best < 0 || len(it.Href) > len(items[best].Href)) {
			best = i
		}
	}
	if best >= 0 {
		items[best].Current = true
	}
}

// Form carries a form's submitted values and per-field messages back to its
// template.
type Form struct {
	Values map[string]string
	Errors map[string]string
	order  []string
}

// NewForm returns an empty form.
func NewForm() *Form { return &Form{Values: map[string]string{}, Errors: map[string]string{}} }

// Value returns a submitted value.
func (f *Form) Value(name string) string { return f.Values[name] }

// Error returns the message for a field, or "".
func (f *Form) Error(name string) string { return f.Errors[name] }

// ErrorFields are the fields with a message, in the order they got it:
// the order of the page's error summary.
func (f *Form) ErrorFields() []string { return f.order }

// SetError records a translated message for a field (the first one wins).
func (f *Form) SetError(field, message string) {
	if _, ok := f.Errors[field]; ok {
		return
	}
	f.Errors[field] = message
	f.order = append(f.order, field)
}

// ApplyError moves the field errors of a validation error into the form and
// the page's error summary. It reports false when err is not a form error,
// which the caller then returns to the error mapper. A refusal with
// nothing to say next to a field (a bare sentinel such as
// portal.ErrNotFound: a referenced row that does not exist) is not a
// form error either; it gets the error page of its code.
func (s *Server) ApplyError(b *BasePage, f *Form, err error, fallbackField string) bool {
	var pe *portal.Error
	if !errors.As(err, &pe) || (pe.Code != portal.EInvalid && pe.Code != portal.EUnauthorized && pe.Code != portal.EConflict && pe.Code != portal.ENotFound) {
		return false
	}
	if pe.Message == "" && len(pe.Fields) == 0 {
		return false
	}
	if len(pe.Fields) == 0 {
		f.SetError(fallbackField, Localize(b.T, pe.Message, pe.Data))
	}
	for _, fe := range pe.Fields {
		f.SetError(fe.Field, Localize(b.T, fe.Message, fe.Data))
	}
	for _, field := range f.order {
		b.Errors = append(b.Errors, SummaryItem{Field: field, Message: f.Errors[field]})
	}
	return true
}

// FormStatus is the status of a form shown again with its refusal next
// to the fields: the refusal's own status (portal.HTTPStatus) when it
// judges what was sent (invalid, a wrong code, not found, a conflict), else
// 422: whatever else a form turns into a field to fill (a missing
// second-factor code) leaves it incomplete.
func FormStatus(err error) int {
	switch k := portal.KindOf(err); k.Code {
	case portal.EInvalid, portal.EUnauthorized, portal.ENotFound, portal.EConflict:
		return k.Status
	}
	return http.StatusUnprocessableEntity
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"static":   func(name string) string { return s.static.url(name) },
		"selected": selected,
		"field":    NewField,
		"checkbox": Checkbox,
		"langname": i18n.DisplayName,
		"day":      Day,
		"date": func(l *i18n.Localizer, t time.Time) string {
			return l.Date(t, time.UTC)
		},
		"datetime": func(l *i18n.Localizer, t time.Time) string {
			return l.DateTime(t, time.UTC)
		},
		"money": func(l *i18n.Localizer, minor int64, currency string) string {
			return l.Money(minor, currency)
		},
		// Times in a zone: the zone is a *time.Location.
		"datein":     func(l *i18n.Localizer, t time.Time, loc *time.Location) string { return l.Date(t, loc) },
		"timein":     func(l *i18n.Localizer, t time.Time, loc *time.Location) string { return l.Time(t, loc) },
		"datetimein": func(l *i18n.Localizer, t time.Time, loc *time.Location) string { return l.DateTime(t, loc) },
	}
}

// FormFrom copies the named fields of a parsed form, for re-rendering.
func FormFrom(r *http.Request, names ...string) *Form {
	f := NewForm()
	for _, n := range names {
		f.Values[n] = r.PostForm.Get(n)
	}
	return f
}
