// Package i18n is certportal's translation catalog. Every user-facing string
// goes through it: pages, mail and error messages name a message ID and the
// catalog turns it into text in the user's language. English is the
// reference: every shipped language has each area's English IDs, with the
// same placeholders, and every plural form its rules need (Spanish: "one",
// "many" for millions, "other"); the package's tests enforce both. At run
// time a message a language lacks still falls back to English.
//
// Message files live in locales/ as AREA.LANG.json (web.en.json,
// mail.es.json, …) in go-i18n's JSON format; a message that takes a count
// is an object of plural forms. Plural forms are selected by the Count
// value alone, so a message that shows a number of things (minutes,
// seats, characters, a limit) takes that number as Count, never under
// another name; the package's tests enforce that too.
package i18n

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localesFS embed.FS

// Default is the language every message exists in.
const Default = "en"

// Catalog holds every message in every language. It is immutable after New
// and safe for concurrent use.
type Catalog struct {
	bundle    *goi18n.Bundle
	languages []string // supported base languages, Default first
	matcher   language.Matcher
	ids       map[string]map[string]bool // language -> message IDs
}

// New loads the embedded message files.
func New() (*Catalog, error) {
	return load(localesFS)
}

func load(fsys fs.FS) (*Catalog, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{bundle: b, ids: map[string]map[string]bool{}}
	files, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		buf, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		if id, ok := duplicateID(buf); ok {
			return nil, fmt.Errorf("i18n: %s: message %q defined twice", path.Base(f), id)
		}
		mf, err := b.ParseMessageFileBytes(buf, f)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f, err)
		}
		lang := baseOf(mf.Tag)
		if c.ids[lang] == nil {
			c.ids[lang] = map[string]bool{}
		}
		for _, m := range mf.Messages {
			if c.ids[lang][m.ID] {
				return nil, fmt.Errorf("i18n: %s: message %q defined twice for %s", path.Base(f), m.ID, lang)
			}
			c.ids[lang][m.ID] = true
		}
	}
	if len(c.ids[Default]) == 0 {
		return nil, fmt.Errorf("i18n: no %s messages", Default)
	}
	c.languages = []string{Default}
	var others []string
	for l := range c.ids {
		if l != Default {
			others = append(others, l)
		}
	}
	sort.Strings(others)
	c.languages = append(c.languages, others...)
	tags := make([]language.Tag, len(c.languages))
	for i, l := range c.languages {
		tags[i] = language.MustParse(l)
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

func baseOf(t language.Tag) string {
	b, _ := t.Base()
	return b.String()
}

// Languages lists the supported languages, Default first.
func (c *Catalog) Languages() []string { return c.languages }

// Supported reports whether lang is one of the catalog's languages.
func (c *Catalog) Supported(lang string) bool { return c.ids[lang] != nil }

// Match picks the language for a request: the user's preferred language when
// supported, else the best match for the Accept-Language header, else
// Default.
func (c *Catalog) Match(preferred, acceptLanguage string) string {
	if c.Supported(preferred) {
		return preferred
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return c.languages[idx]
}

// MessageIDs returns the IDs defined for lang, sorted.
func (c *Catalog) MessageIDs(lang string) []string {
	var out []string
	for id := range c.ids[lang] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Has reports whether the default language defines id.
func (c *Catalog) Has(id string) bool { return c.ids[Default][id] }

// Localizer translates into one language.
type Localizer struct {
	c        *Catalog
	lang     string
	l        *goi18n.Localizer
	fallback *goi18n.Localizer
}

// Localizer returns a translator for lang (Default when unsupported).
func (c *Catalog) Localizer(lang string) *Localizer {
	if !c.Supported(lang) {
		lang = Default
	}
	return &Localizer{c: c, lang: lang, l: goi18n.NewLocalizer(c.bundle, lang), fallback: goi18n.NewLocalizer(c.bundle, Default)}
}

// Lang is the localizer's language.
func (l *Localizer) Lang() string { return l.lang }

// T translates a message ID with its placeholders. A count in data["Count"]
// selects the plural form. A message the language lacks is shown in
// English, and a count whose plural form a message lacks gets the message's
// "other" form; tests keep both from happening for shipped languages. An
// unknown ID yields the ID itself in brackets, so a missing message is
// visible rather than blank; a test keeps every ID used by the templates
// defined.
func (l *Localizer) T(id string, data map[string]any) string {
	s, _ := l.localize(id, data)
	if s == "" {
		return "[" + id + "]"
	}
	return s
}

// localize renders id, from English when the language lacks it. Its error
// reports what T papers over: a plural form the count needs and the
// message lacks, or a count that is not a number (the text is then the
// "other" form), or a template that fails.
func (l *Localizer) localize(id string, data map[string]any) (string, error) {
	cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data}
	var countErr error
	if n, ok := data["Count"]; ok {
		cfg.PluralCount, countErr = pluralCount(n)
		if whole, ok := wholeNumber(cfg.PluralCount); ok {
			// The count is shown with the language's grouping:
			// "1,250 events", "1250 eventos", "1.000.000 de plazas".
			shown := make(map[string]any, len(data))
			for k, v := range data {
				shown[k] = v
			}
			shown["Count"] = l.Number(whole)
			cfg.TemplateData = shown
		}
	}
	loc := l.l
	if !l.c.ids[l.lang][id] {
		loc = l.fallback
	}
	s, err := loc.Localize(cfg)
	if countErr != nil {
		return s, fmt.Errorf("i18n: %s: %w", id, countErr)
	}
	return s, err
}

// wholeNumber is a count from pluralCount as an integer, if it is one.
func wholeNumber(count any) (int64, bool) {
	switch x := count.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// pluralCount turns a count into what go-i18n selects plural forms by: an
// integer, or a decimal string. Counts arrive as any integer type, or as a
// float64 after a JSON round trip.
func pluralCount(n any) (any, error) {
	switch x := n.(type) {
	case int, int8, int16, int32, int64, string:
		return x, nil
	case uint:
		return strconv.FormatUint(uint64(x), 10), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case json.Number:
		return x.String(), nil
	}
	return nil, fmt.Errorf("count %v (%T) is not a number", n, n)
}

// Tr is T with alternating key/value pairs, for templates:
// {{.T.Tr "greeting" "Name" .User.FirstName}}.
func (l *Localizer) Tr(id string, kv ...any) string {
	if len(kv) == 0 {
		return l.T(id, nil)
	}
	data := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		data[k] = kv[i+1]
	}
	return l.T(id, data)
}

// DisplayName is the name of a language in that language, for language
// pickers.
func DisplayName(lang string) string {
	switch strings.ToLower(lang) {
	case "en":
		return "English"
	case "es":
		return "Español"
	case "de":
		return "Deutsch"
	case "fr":
		return "Français"
	case "ja":
		return "日本語"
	}
	return lang
}

// duplicateID finds a message ID that a message file defines twice (a JSON
// decoder would silently keep the last); malformed files are left to the
// parser to report.
func duplicateID(buf []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(buf))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", false
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return "", false
		}
		id, _ := t.(string)
		if seen[id] {
			return id, true
		}
		seen[id] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return "", false
		}
	}
	return "", false
}
