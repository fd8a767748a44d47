package i18n

import (
	"strings"
	"testing"
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

func TestSpanishFallsBackToEnglishPerMessage(t *testing.T) {
	c := mustCatalog(t)
	es := c.Localizer("es")
	if got := es.T("error.not_found", nil); got != "No encontramos esa página." {
		t.Errorf("es error.not_found = %q", got)
	}
	if got := es.T("error.method", nil); got != c.Localizer("en").T("error.method", nil) {
		t.Errorf("es error.method = %q, want the English text", got)
	}
	if got := es.T("no.such.id", nil); got != "[no.such.id]" {
		t.Errorf("unknown id = %q", got)
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
