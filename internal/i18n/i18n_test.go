package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func mustCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMatchPrefersUserThenAcceptLanguage(t *testing.T) {
	c := mustCatalog(t)
	for _, tc := range []struct{ preferred, accept, want string }{
		{"es", "en-US", "es"},
		{"", "es-MX,es;q=0.9,en;q=0.5", "es"},
		{"", "de-DE,fr;q=0.8", "en"},
		{"xx", "es", "es"},
		{"", "", "en"},
		{"", "!!garbage", "en"},
	} {
		if got := c.Match(tc.preferred, tc.accept); got != tc.want {
			t.Errorf("Match(%q, %q) = %q, want %q", tc.preferred, tc.accept, got, tc.want)
		}
	}
}

// loadTestCatalog builds a catalog from the given message files.
func loadTestCatalog(t *testing.T, files map[string]string) *Catalog {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	c, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMissingTranslationFallsBackToEnglish: a message a language lacks is
// shown in English at run time (the shipped languages lack none: see
// TestEveryMessageIsTranslated); an unknown ID shows in brackets.
func TestMissingTranslationFallsBackToEnglish(t *testing.T) {
	c := loadTestCatalog(t, map[string]string{
		"locales/a.en.json": `{"hello": "Hello, {{.Name}}", "bye": "Goodbye"}`,
		"locales/a.es.json": `{"hello": "Hola, {{.Name}}"}`,
	})
	es := c.Localizer("es")
	for _, tc := range []struct{ id, want string }{
		{"hello", "Hola, Ana"},
		{"bye", "Goodbye"},
		{"no.such.id", "[no.such.id]"},
	} {
		if got := es.T(tc.id, map[string]any{"Name": "Ana"}); got != tc.want {
			t.Errorf("es %s = %q, want %q", tc.id, got, tc.want)
		}
	}
	if got := mustCatalog(t).Localizer("es").T("error.not_found", nil); got != "No encontramos esa página." {
		t.Errorf("es error.not_found = %q", got)
	}
}

func TestEverySpanishMessageExistsInEnglish(t *testing.T) {
	c := mustCatalog(t)
	for _, lang := range c.Languages() {
		for _, id := range c.MessageIDs(lang) {
			if !c.Has(id) {
				t.Errorf("%s defines %q, which English lacks", lang, id)
			}
		}
	}
}

func TestFormatsFollowTheLanguage(t *testing.T) {
	c := mustCatalog(t)
	en, es := c.Localizer("en"), c.Localizer("es")
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)
	for _, tc := range []struct{ got, want string }{
		{en.Date(at, berlin), "Nov 23, 2026"},
		{es.Date(at, berlin), "23 nov 2026"},
		{en.Time(at, berlin), "9:30 AM"},
		{es.Time(at, berlin), "09:30"},
		{en.DateTime(at, berlin), "Nov 23, 2026, 9:30 AM CET"},
		{en.Money(15000, "USD"), "$150.00"},
		{es.Money(15000, "EUR"), "150,00\u00a0€"},
		{en.Money(123456789, "JPY"), "¥123,456,789"},
		{en.Number(1234567), "1,234,567"},
		{es.Number(1234567), "1.234.567"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if !strings.Contains(en.Money(1, "XYZ"), "XYZ") {
		t.Error("unknown currency code not shown")
	}
}

// TestMessageDefinedTwiceIsRefused: a message ID given twice, in one file
// or in two files of a language, stops the catalog from loading instead of
// one text silently winning.
func TestMessageDefinedTwiceIsRefused(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"one file": {
			"locales/a.en.json": `{"hello": "Hello", "bye": "Goodbye", "hello": "Hi"}`,
		},
		"two files": {
			"locales/a.en.json": `{"hello": "Hello"}`,
			"locales/b.en.json": `{"hello": "Hi"}`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for f, body := range files {
				fsys[f] = &fstest.MapFile{Data: []byte(body)}
			}
			if _, err := load(fsys); err == nil || !strings.Contains(err.Error(), `"hello" defined twice`) {
				t.Fatalf("load = %v, want the duplicate refused", err)
			}
		})
	}
}
