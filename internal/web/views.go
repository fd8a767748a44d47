package web

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
)

// The busiest pages hand their templates view models: plain structs whose
// strings are ready (translated, formatted), so that a template only reads
// fields. Translating a message runs the catalogue's own template, and a
// template's method calls go through reflection, which made them most of
// what a page cost. What is the same for everyone in a language (the
// layout's labels, a page's headings) is built once per language and kept;
// what depends on the request is built once per request, in Go.

// LangCache keeps one value per language, built on first use: a page's
// texts that are the same for everyone in a language. The message
// catalogue is part of the binary, so a value never goes stale. The zero
// LangCache is empty and ready.
type LangCache[T any] struct {
	m sync.Map // language → *T
}

// Get returns the value of l's language, built by build the first time.
func (c *LangCache[T]) Get(l *i18n.Localizer, build func(*i18n.Localizer) *T) *T {
	if v, ok := c.m.Load(l.Lang()); ok {
		return v.(*T)
	}
	v, _ := c.m.LoadOrStore(l.Lang(), build(l))
	return v.(*T)
}

// maxMemoTexts bounds textMemo: past it, texts are made again each time.
const maxMemoTexts = 50_000

// textMemo keeps texts that are a pure function of their key (a message
// without data in a language, an amount formatted in a language), so that
// pages make each once.
type textMemo struct {
	m sync.Map // key → string
	n atomic.Int64
}

func (m *textMemo) get(key string, build func() string) string {
	if v, ok := m.m.Load(key); ok {
		return v.(string)
	}
	v := build()
	if m.n.Load() < maxMemoTexts {
		if _, loaded := m.m.LoadOrStore(key, v); !loaded {
			m.n.Add(1)
		}
	}
	return v
}

// Memo returns the text of key, made by build the first time: for a text
// that is a pure function of its key (a message without data in a
// language, an amount formatted in a language).
func (s *Server) Memo(key string, build func() string) string { return s.texts.get(key, build) }

// Text is l.T(id, nil), made once per language.
func (s *Server) Text(l *i18n.Localizer, id string) string {
	return s.Memo(l.Lang()+"\x00"+id, func() string { return l.T(id, nil) })
}

// localizer is the catalogue's localizer of lang, made once per language
// (a localizer holds no state of its own request).
func (s *Server) localizer(lang string) *i18n.Localizer {
	if v, ok := s.localizers.Load(lang); ok {
		return v.(*i18n.Localizer)
	}
	v, _ := s.localizers.LoadOrStore(lang, s.Catalog.Localizer(lang))
	return v.(*i18n.Localizer)
}

// layoutText is what the layout says, in one language.
type layoutText struct {
	SkipToContent, Console, OpenConsole, SignOut, SignIn, MainNavigation, ErrorSummary, Language, LanguageApply string
}

func newLayoutText(l *i18n.Localizer) *layoutText {
	return &layoutText{
		SkipToContent: l.T("layout.skip_to_content", nil), Console: l.T("layout.console", nil),
		OpenConsole: l.T("layout.open_console", nil), SignOut: l.T("layout.sign_out", nil), SignIn: l.T("layout.sign_in", nil),
		MainNavigation: l.T("layout.main_navigation", nil), ErrorSummary: l.T("layout.error_summary", nil),
		Language: l.T("layout.language", nil), LanguageApply: l.T("layout.language_apply", nil),
	}
}

// Money is l.Money(minor, currency), made once per language and amount.
func (s *Server) Money(l *i18n.Localizer, minor int64, currency string) string {
	return s.Memo(l.Lang()+"\x00money\x00"+currency+"\x00"+strconv.FormatInt(minor, 10), func() string {
		return l.Money(minor, currency)
	})
}

// Preparer is a page that builds its view model just before it is
// rendered (Render calls Prepare once the layout's texts are set), from the
// fields its handler (or a test) set.
type Preparer interface{ Prepare(*Server) }

// Day is the template function day (a YYYY-MM-DD day in the language's
// date format, Day), made once per language and day.
func (s *Server) Day(l *i18n.Localizer, ymd string) string {
	return s.Memo(l.Lang()+"\x00day\x00"+ymd, func() string { return Day(l, ymd) })
}

// Day formats a calendar day written YYYY-MM-DD in the viewer's language;
// anything else is shown as it is.
func Day(l *i18n.Localizer, ymd string) string {
	t, err := time.Parse(time.DateOnly, ymd)
	if err != nil {
		return ymd
	}
	return l.Date(t, time.UTC)
}

// BookingPlace is a booking's place for pages: center and city, or
// "Online proctored".
func BookingPlace(t interface {
	T(string, map[string]any) string
}, b *portal.BookingDetail) string {
	if b.Online() {
		return t.T("schedule.online_proctored", nil)
	}
	return strings.Join([]string{b.CenterName, b.CenterAddress, b.CenterCity}, ", ")
}
