package i18n

import (
	"slices"
	"strings"
	"testing"
)

// TestEveryMessageIsTranslated: each area's English file is the reference.
// Every shipped language has a file for each area with exactly the
// English IDs, so no page mixes languages, and every translation uses
// the same placeholders and template actions as the English text.
func TestEveryMessageIsTranslated(t *testing.T) {
	files := readLocales(t)
	byArea := map[string]map[string]localeFile{} // area -> lang -> file
	langs := map[string]bool{}
	for _, f := range files {
		if byArea[f.area] == nil {
			byArea[f.area] = map[string]localeFile{}
		}
		byArea[f.area][f.lang] = f
		langs[f.lang] = true
	}
	if len(langs) < 2 {
		t.Fatalf("languages = %v, want English and at least one more", langs)
	}
	for area, perLang := range byArea {
		en, ok := perLang[Default]
		if !ok {
			t.Errorf("%s: no %s.%s.json, the reference", area, area, Default)
			continue
		}
		for lang := range langs {
			if lang == Default {
				continue
			}
			tr, ok := perLang[lang]
			if !ok {
				t.Errorf("%s.%s.json is missing (%d messages untranslated)", area, lang, len(en.msgs))
				continue
			}
			for id, enForms := range en.msgs {
				trForms, ok := tr.msgs[id]
				if !ok {
					t.Errorf("%s lacks %q (English: %q)", tr.name, id, enForms["other"])
					continue
				}
				if got, want := actions(trForms), actions(enForms); !slices.Equal(got, want) {
					t.Errorf("%s: %s uses %v, English uses %v", tr.name, id, got, want)
				}
			}
			for id := range tr.msgs {
				if _, ok := en.msgs[id]; !ok {
					t.Errorf("%s defines %q, which %s lacks", tr.name, id, en.name)
				}
			}
		}
	}
}

// TestEveryMessageRenders: every message of every language renders with
// values for its placeholders, in that language, without an error.
func TestEveryMessageRenders(t *testing.T) {
	c := mustCatalog(t)
	for _, f := range readLocales(t) {
		l := c.Localizer(f.lang)
		if l.Lang() != f.lang {
			t.Errorf("%s: language %q is not supported", f.name, f.lang)
			continue
		}
		for id, forms := range f.msgs {
			got, err := l.localize(id, sampleData(forms))
			if err != nil || got == "" || strings.Contains(got, "<no value>") {
				t.Errorf("%s: %s = %q, %v", f.name, id, got, err)
			}
		}
	}
}

// TestShippedLanguagesNeverFallBack: the catalog's own view agrees, so
// that no message of a shipped language is served from English.
func TestShippedLanguagesNeverFallBack(t *testing.T) {
	c := mustCatalog(t)
	en := c.MessageIDs(Default)
	for _, lang := range c.Languages()[1:] {
		if got := c.MessageIDs(lang); !slices.Equal(got, en) {
			t.Errorf("%s has %d messages, English %d", lang, len(got), len(en))
		}
	}
}
