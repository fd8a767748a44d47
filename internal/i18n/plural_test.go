package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Counts that reach every plural form English and Spanish use: 1 is
// "one", a million is Spanish "many" ("1000000 de plazas"), the rest
// "other".
var sampleCounts = []int{0, 1, 2, 5, 21, 100, 1000000}

// Pages and code that pass a count to a message: a template action
// {{... Tr "id" ... "Count" ...}}, or a Go call naming the ID and then a
// map with "Count".
var (
	templateCountRE = regexp.MustCompile(`\{\{[^}]*\bTr "([a-z0-9_.]+)"[^}]*"Count"[^}]*\}\}`)
	goCountRE       = regexp.MustCompile(`"([a-z0-9_]+\.[a-z0-9_.]+)",\s*map\[string\]any\{[^}]*"Count"`)
)

// countMessages lists the IDs that take a count: those with plural forms
// or a {{.Count}} in any language, and those a template or the Go code
// passes a Count to.
func countMessages(t *testing.T, files []localeFile) []string {
	t.Helper()
	ids := map[string]bool{}
	for _, f := range files {
		for id, forms := range f.msgs {
			if len(forms) > 1 || forms["one"] != "" {
				ids[id] = true
			}
			for _, text := range forms {
				if strings.Contains(text, ".Count") || strings.Contains(text, ".PluralCount") {
					ids[id] = true
				}
			}
		}
	}
	scanned := scanMessageUses(t, templateCountRE, goCountRE, func(_ string, m []string) {
		ids[m[1]] = true
	})
	if scanned < 5 {
		t.Fatalf("found only %d count uses in templates and code; are the patterns right?", scanned)
	}
	out := make([]string, 0, len(ids))
	for id := range ids {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// TestCountMessagesHaveEveryPluralForm: every message that takes a count
// renders in every shipped language for counts that reach each plural
// form the language uses, from that language's own forms: no missing
// form, no English fallback, no bracketed ID, no error.
func TestCountMessagesHaveEveryPluralForm(t *testing.T) {
	c := mustCatalog(t)
	files := readLocales(t)
	ids := countMessages(t, files)
	if len(ids) < 10 {
		t.Fatalf("found only %d messages that take a count: %v", len(ids), ids)
	}
	forms := map[string]map[string]map[string]string{} // lang -> id -> forms
	for _, f := range files {
		if forms[f.lang] == nil {
			forms[f.lang] = map[string]map[string]string{}
		}
		for id, fm := range f.msgs {
			forms[f.lang][id] = fm
		}
	}
	for _, lang := range c.Languages() {
		l := c.Localizer(lang)
		for _, id := range ids {
			own, ok := forms[lang][id]
			if !ok {
				t.Errorf("%s: %s takes a count and is not translated", lang, id)
				continue
			}
			for _, n := range sampleCounts {
				data := sampleData(own)
				data["Count"] = n
				got, err := l.localize(id, data)
				if err != nil || got == "" || strings.Contains(got, "["+id+"]") {
					t.Errorf("%s: %s with Count %d = %q, %v", lang, id, n, got, err)
				}
			}
		}
	}
}

// TestMissingPluralFormFallsBackToOther: at run time a form the count
// needs and the message lacks is the "other" form, never the ID; a count
// that went through JSON (a float64) selects the same form as an int.
func TestMissingPluralFormFallsBackToOther(t *testing.T) {
	c := loadTestCatalog(t, map[string]string{
		"locales/a.en.json": `{"seats": {"one": "{{.Count}} seat", "other": "{{.Count}} seats"}, "plain": "{{.Count}} left"}`,
		"locales/a.es.json": `{"seats": {"one": "{{.Count}} plaza", "other": "{{.Count}} plazas"}, "plain": "Libres: {{.Count}}"}`,
	})
	en, es := c.Localizer("en"), c.Localizer("es")
	for _, tc := range []struct {
		l       *Localizer
		id      string
		count   any
		want    string
		wantErr bool
	}{
		{en, "seats", 1, "1 seat", false},
		{en, "seats", float64(1), "1 seat", false},
		{en, "seats", int64(5), "5 seats", false},
		{en, "seats", uint(1), "1 seat", false},
		{en, "plain", 1, "1 left", true},
		{es, "seats", 1000000, "1.000.000 plazas", true}, // Spanish "many" is missing
		{es, "seats", float64(2), "2 plazas", false},
		{es, "plain", 1, "Libres: 1", true},
		{en, "seats", struct{}{}, "{} seats", true},
	} {
		data := map[string]any{"Count": tc.count}
		if _, err := tc.l.localize(tc.id, data); (err != nil) != tc.wantErr {
			t.Errorf("%s %s Count %v: error %v, want error %v", tc.l.Lang(), tc.id, tc.count, err, tc.wantErr)
		}
		if got := tc.l.T(tc.id, data); got != tc.want {
			t.Errorf("%s %s Count %v = %q, want %q", tc.l.Lang(), tc.id, tc.count, got, tc.want)
		}
	}
}

// TestCountIsShownWithTheLanguagesGrouping: the count a message shows is
// grouped as numbers are in the language, and still selects the form.
func TestCountIsShownWithTheLanguagesGrouping(t *testing.T) {
	c := loadTestCatalog(t, map[string]string{
		"locales/a.en.json": `{"events": {"one": "{{.Count}} event", "other": "{{.Count}} events"}}`,
		"locales/a.es.json": `{"events": {"one": "{{.Count}} evento", "many": "{{.Count}} de eventos", "other": "{{.Count}} eventos"}}`,
	})
	en, es := c.Localizer("en"), c.Localizer("es")
	for _, tc := range []struct {
		l     *Localizer
		count any
		want  string
	}{
		{en, 1, "1 event"},
		{en, 1250, "1,250 events"},
		{en, float64(1250), "1,250 events"},
		{en, "1250", "1,250 events"},
		{es, 1, "1 evento"},
		{es, 25000, "25.000 eventos"},
		{es, 1000000, "1.000.000 de eventos"},
		{es, "1.5", "1.5 eventos"},
	} {
		if got := tc.l.T("events", map[string]any{"Count": tc.count}); got != tc.want {
			t.Errorf("%s Count %v = %q, want %q", tc.l.Lang(), tc.count, got, tc.want)
		}
	}
}

// scanMessageUses calls fn for every match of templateRE in the templates
// and of goRE in the non-test Go files of the module's internal tree, and
// returns how many it found.
func scanMessageUses(t *testing.T, templateRE, goRE *regexp.Regexp, fn func(path string, m []string)) int {
	t.Helper()
	found := 0
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		var re *regexp.Regexp
		switch {
		case strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".tmpl") || strings.HasSuffix(p, ".txt"):
			re = templateRE
		case strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go"):
			re = goRE
		default:
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			found++
			fn(p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}
