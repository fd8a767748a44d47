package testutil

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Viewport is a size a journey runs at.
type Viewport struct {
	Name          string // "desktop", "phone": used in subtest names
	Width, Height int    // CSS pixels
	Mobile        bool   // a phone: the page's meta viewport applies, with touch
}

// The two sizes every candidate journey runs at.
var (
	DesktopViewport = Viewport{Name: "desktop", Width: 1280, Height: 800}
	PhoneViewport   = Viewport{Name: "phone", Width: PhoneWidth, Height: PhoneHeight, Mobile: true}
)

// NewPageBrowser starts a browser for t (see NewBrowser) that asks for
// pages in the languages of accept (see SetLanguage), lays them out at v
// and checks every page it loads: no serious accessibility violation (as
// CheckAccessibility) and no bracketed message ID (CheckNoMessageIDs).
// These checks record a failure and let the journey go on, so that one
// run reports every page's problems. More checks can be added with OnPage.
func NewPageBrowser(t *testing.T, accept string, v Viewport) *Browser {
	t.Helper()
	b := NewBrowser(t)
	b.UseViewport(v)
	b.SetLanguage(accept)
	b.OnPage(func() {
		b.checkAccessibility(b.t.Errorf)
		b.CheckNoMessageIDs()
	})
	return b
}

// UseViewport lays pages out at v, now and after every navigation.
func (b *Browser) UseViewport(v Viewport) {
	b.t.Helper()
	if v.Mobile {
		b.do(fmt.Sprintf("emulate a %dx%d phone", v.Width, v.Height),
			chromedp.EmulateViewport(int64(v.Width), int64(v.Height),
				chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
		return
	}
	b.SetViewport(v.Width, v.Height)
}

// SetLanguage makes the browser prefer the languages in accept, tags in
// order of preference such as "es-ES,es" (Chromium adds the q-values): it
// is sent as Accept-Language with every request, scripts read it from
// navigator.languages, and the first language formats numbers and dates
// in scripts.
func (b *Browser) SetLanguage(accept string) {
	b.t.Helper()
	what := "set the browser language to " + accept
	first, _, _ := strings.Cut(accept, ",")
	ua := browserRun(b, b.Timeout, what, chromedp.Evaluate[string](`navigator.userAgent`))
	b.do(what, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
			UserAgent: ua, AcceptLanguage: accept,
		}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{
			Locale: strings.ReplaceAll(strings.TrimSpace(first), "-", "_"),
		})
		return err
	}))
}

// OnPage adds a check that runs after every page that Navigate and Submit
// load, in the order added; CheckPage runs them on demand, for a page that
// script changed in place. A check fails the test itself.
func (b *Browser) OnPage(check func()) {
	b.pageChecks = append(b.pageChecks, check)
}

// CheckPage runs the checks added with OnPage on the current page.
func (b *Browser) CheckPage() {
	b.t.Helper()
	if b.checking {
		return // a check that navigates does not check again
	}
	b.checking = true
	defer func() { b.checking = false }()
	for _, check := range b.pageChecks {
		check()
	}
}

// HasElementWithin reports whether the page has an element matching sel
// (shown or not: an option, a hidden input) now or within d, for content
// that script puts in place. It does not fail the test.
func (b *Browser) HasElementWithin(sel string, d time.Duration) bool {
	b.t.Helper()
	return b.try(d, chromedp.WaitReady(chromedp.CSS(sel))) == nil
}

// Value returns the current value of the form field sel.
func (b *Browser) Value(sel string) string {
	b.t.Helper()
	return browserRun(b, b.Timeout, fmt.Sprintf("read the value of %q", sel), chromedp.Evaluate[string](
		`(el => el ? String(el.value) : '')(document.querySelector(`+jsString(sel)+`))`))
}

// PageText is one piece of text a person can see or hear on the page.
type PageText struct {
	Text string // whitespace collapsed and trimmed
	Lang string // the language of the element it is in (its closest lang attribute)
}

// pageTextsJS collects the page's text: the title; for every rendered
// element outside script and style, each of its own text nodes and, when
// it has one, its whole text (so that a sentence split by inline
// elements is seen whole); the labels that assistive technology reads
// (aria-label, title, alt, placeholder, button values) and the options of
// rendered selects. Visually hidden text is included: screen readers read
// it.
const pageTextsJS = `(() => {
  const out = [];
  const norm = s => (s || '').replace(/\s+/g, ' ').trim();
  const langOf = el => { const l = el.closest('[lang]'); return l ? l.getAttribute('lang') : ''; };
  const add = (s, el) => { s = norm(s); if (s) out.push({text: s, lang: langOf(el)}); };
  add(document.title, document.documentElement);
  const shown = el => el.checkVisibility ? el.checkVisibility({visibilityProperty: true}) : el.getClientRects().length > 0;
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('script, style, noscript, template')) continue;
    if (el.tagName === 'OPTION' || el.tagName === 'OPTGROUP') continue;
    if (!shown(el)) continue;
    let own = false;
    for (const n of el.childNodes) {
      if (n.nodeType === Node.TEXT_NODE && norm(n.data)) { add(n.data, el); own = true; }
    }
    if (own && el.children.length > 0) add(el.textContent, el);
    for (const a of ['aria-label', 'title', 'alt', 'placeholder', 'aria-description']) {
      if (el.hasAttribute(a)) add(el.getAttribute(a), el);
    }
    if (el.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(el.type)) add(el.value, el);
    if (el.tagName === 'SELECT') for (const o of el.options) add(o.textContent, o);
  }
  return JSON.stringify({lang: document.documentElement.lang, texts: out});
})()`

// PageTexts returns the texts of the current page (see pageTextsJS) with
// the page's language (the lang attribute of html).
func (b *Browser) PageTexts() (pageLang string, texts []PageText) {
	b.t.Helper()
	var res struct {
		Lang  string `json:"lang"`
		Texts []struct {
			Text string `json:"text"`
			Lang string `json:"lang"`
		} `json:"texts"`
	}
	out := browserRun(b, b.Timeout, "read the page's text", chromedp.Evaluate[string](pageTextsJS))
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		b.t.Fatalf("browser: read the page's text: %v", err)
	}
	seen := map[PageText]bool{}
	for _, x := range res.Texts {
		pt := PageText{Text: x.Text, Lang: x.Lang}
		if !seen[pt] {
			seen[pt] = true
			texts = append(texts, pt)
		}
	}
	return res.Lang, texts
}

// messageIDPattern matches a message ID in brackets, which is what the
// catalog shows for a message it lacks: "[schedule.seats_left]".
var messageIDPattern = regexp.MustCompile(`\[[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\]`)

// CheckNoMessageIDs fails the test when the page shows a bracketed message
// ID anywhere a person can see or hear it.
func (b *Browser) CheckNoMessageIDs() {
	b.t.Helper()
	_, texts := b.PageTexts()
	if ids := messageIDsIn(texts); len(ids) > 0 {
		b.t.Errorf("browser: %s shows message IDs instead of messages: %s", b.currentURL(), strings.Join(ids, ", "))
	}
}

// messageIDsIn returns the bracketed message IDs in texts, each once.
func messageIDsIn(texts []PageText) []string {
	var ids []string
	seen := map[string]bool{}
	for _, pt := range texts {
		for _, id := range messageIDPattern.FindAllString(pt.Text, -1) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids
}
