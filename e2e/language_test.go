package e2e_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode"

	"example.org/certportal/internal/testutil"
)

// localesDir holds the catalog's message files, relative to this package.
const localesDir = "../internal/i18n/locales"

// englishMessage is one English message (one plural form) that a Spanish
// page must not show.
type englishMessage struct {
	id      string
	text    string
	pattern *regexp.Regexp // the whole message, placeholders as wildcards
	longest string         // its longest literal part, to find candidates fast
}

// englishCatalog finds English catalog messages in a page's text.
type englishCatalog struct {
	messages []englishMessage
	// fragments are literal parts of English messages (between
	// placeholders) of three words or more that no Spanish message
	// contains: such a part anywhere in a text is English.
	fragments map[string]string // fragment -> message ID
}

var (
	englishOnce sync.Once
	englishCat  *englishCatalog
	englishErr  error
)

// loadEnglishCatalog reads the English and Spanish message files once.
func loadEnglishCatalog(t *testing.T) *englishCatalog {
	t.Helper()
	englishOnce.Do(func() { englishCat, englishErr = newEnglishCatalog(localesDir) })
	if englishErr != nil {
		t.Fatalf("load the message catalog: %v", englishErr)
	}
	return englishCat
}

// placeholder matches a template action in a message: {{.Count}},
// {{if .X}}, {{end}}.
var placeholder = regexp.MustCompile(`\{\{.*?\}\}`)

// pluralForms are the CLDR plural categories a message can define.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// readMessages reads every AREA.lang.json file in dir into message ID ->
// its texts (one per plural form, or the one text).
func readMessages(dir, lang string) (map[string][]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*."+lang+".json"))
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, f := range files {
		buf, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(buf, &raw); err != nil {
			return nil, err
		}
		for id, v := range raw {
			var s string
			if json.Unmarshal(v, &s) == nil {
				out[id] = []string{s}
				continue
			}
			var forms map[string]string
			if err := json.Unmarshal(v, &forms); err != nil {
				return nil, err
			}
			for _, form := range pluralForms {
				if s, ok := forms[form]; ok {
					out[id] = append(out[id], s)
				}
			}
		}
	}
	return out, nil
}

// newEnglishCatalog builds the messages that give English away: every
// English message whose Spanish translation differs or is missing (a
// missing one is shown in English), or is a copy of the English of three
// words or more; except those whose letters are too few to tell the
// languages apart ("OK", "{{.Value}} km") and the format settings
// (format.*), which are not text.
func newEnglishCatalog(dir string) (*englishCatalog, error) {
	en, err := readMessages(dir, "en")
	if err != nil {
		return nil, err
	}
	es, err := readMessages(dir, "es")
	if err != nil {
		return nil, err
	}
	var spanish []string
	for _, texts := range es {
		for _, s := range texts {
			spanish = append(spanish, normalizeText(placeholder.ReplaceAllString(s, " ")))
		}
	}
	inSpanish := func(fragment string) bool {
		for _, s := range spanish {
			if strings.Contains(s, fragment) {
				return true
			}
		}
		return false
	}
	ids := make([]string, 0, len(en))
	for id := range en {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	c := &englishCatalog{fragments: map[string]string{}}
	for _, id := range ids {
		if strings.HasPrefix(id, "format.") {
			continue
		}
		for _, text := range en[id] {
			literal := placeholder.ReplaceAllString(text, "")
			if letters(literal) < 3 {
				continue
			}
			if contains(es[id], text) && words(literal) < 3 {
				continue // the same in both languages: "Total", "{{.Value}} km"
			}
			parts := placeholder.Split(text, -1)
			var re strings.Builder
			re.WriteString("^")
			longest := ""
			holes := placeholder.FindAllString(text, -1)
			for i, p := range parts {
				if i > 0 {
					re.WriteString(wildcard(holes[i-1]))
				}
				p = normalizeText(p)
				re.WriteString(regexp.QuoteMeta(p))
				if len(p) > len(longest) {
					longest = p
				}
				if len(strings.Fields(p)) >= 3 && letters(p) >= 12 && !inSpanish(p) {
					c.fragments[p] = id
				}
			}
			re.WriteString("$")
			pattern, err := regexp.Compile(re.String())
			if err != nil {
				return nil, err
			}
			c.messages = append(c.messages, englishMessage{id: id, text: text, pattern: pattern, longest: longest})
		}
	}
	return c, nil
}

// numberHole matches a placeholder that holds a number.
var numberHole = regexp.MustCompile(`^\{\{\s*\.(Count|Total|Minutes|Percent|Used|Max|Left|Days|Hours|Attempts|Value)\s*\}\}$`)

// wildcard is the pattern of what a placeholder becomes on the page: a
// number for a count, anything for other values, and possibly nothing for
// template actions ({{if}}, {{end}}).
func wildcard(hole string) string {
	switch {
	case numberHole.MatchString(hole):
		return `[0-9][0-9.,\x{00a0} ]*`
	case strings.HasPrefix(hole, "{{."):
		return ".+?"
	}
	return ".*?"
}

// normalizeText collapses white space as the page's text is collapsed.
func normalizeText(s string) string { return strings.Join(strings.Fields(s), " ") }

// words counts the words of s that have a letter.
func words(s string) int {
	n := 0
	for _, w := range strings.Fields(s) {
		if letters(w) > 0 {
			n++
		}
	}
	return n
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// find returns "message ID: text" for each English message found in text.
func (c *englishCatalog) find(text string) []string {
	var found []string
	for _, m := range c.messages {
		if strings.Contains(text, m.longest) && m.pattern.MatchString(text) {
			found = append(found, m.id+": "+text)
		}
	}
	if len(found) > 0 {
		return found
	}
	for f, id := range c.fragments {
		if strings.Contains(text, f) {
			found = append(found, id+": "+text)
		}
	}
	sort.Strings(found)
	return found
}

// checkNoEnglish fails the test when the Spanish page shows English: the
// page is not marked lang="es", or a text in Spanish (not in an element
// marked as another language) is an English catalog message. Texts in
// allow (the candidate's own data, such as the name) are not checked.
func checkNoEnglish(t *testing.T, b *testutil.Browser, cat *englishCatalog, allow ...string) {
	t.Helper()
	pageLang, texts := b.PageTexts()
	if !strings.HasPrefix(pageLang, "es") {
		t.Errorf("%s: page language %q, want es", b.URL(), pageLang)
	}
	var found []string
	seen := map[string]bool{}
	for _, pt := range texts {
		if pt.Lang != "" && !strings.HasPrefix(pt.Lang, "es") {
			continue
		}
		if contains(allow, pt.Text) {
			continue
		}
		for _, f := range cat.find(pt.Text) {
			if !seen[f] {
				seen[f] = true
				found = append(found, f)
			}
		}
	}
	if len(found) > 0 {
		t.Errorf("%s: English on a Spanish page (message ID: text):\n  %s", b.URL(), strings.Join(found, "\n  "))
	}
}

// TestEnglishCatalogFindsEnglish pins the English detector: whole
// messages with their placeholders filled, long parts of messages inside
// other text, and nothing in Spanish text or data.
func TestEnglishCatalogFindsEnglish(t *testing.T) {
	cat := loadEnglishCatalog(t)
	en, err := readMessages(localesDir, "en")
	if err != nil {
		t.Fatal(err)
	}
	es, err := readMessages(localesDir, "es")
	if err != nil {
		t.Fatal(err)
	}
	fill := func(s string) string {
		return normalizeText(placeholder.ReplaceAllStringFunc(s, func(p string) string {
			if strings.HasPrefix(p, "{{.") {
				return "7"
			}
			return ""
		}))
	}
	tests := []struct {
		text string
		want bool
	}{
		{fill(en["cart.heading"][0]), true},
		{fill(en["signin_mfa.title"][0]), true},
		{"Note: " + fill(en["schedule.hold_hint"][0]), true},
		{fill(es["cart.heading"][0]), false},
		{fill(es["schedule.hold_hint"][0]), false},
		{"Certified Solutions Architect – Associate", false},
		{"Pioneer Square Testing Center", false},
		{"Total", false},
		{fill(en["cart.minutes_left"][0]), false},
		{"12.4 km", false},
		{"SAA-C03", false},
	}
	for _, tt := range tests {
		if got := len(cat.find(tt.text)) > 0; got != tt.want {
			t.Errorf("find(%q) = %v, want %v", tt.text, cat.find(tt.text), tt.want)
		}
	}
	// A count placeholder stands for a number, not for words:
	// "{{.Count}} exam" is not "Find an exam".
	for _, f := range cat.find("Find an exam") {
		if strings.HasPrefix(f, "console.exams.count:") {
			t.Errorf("find(%q) = %q", "Find an exam", f)
		}
	}
}

// TestEnglishCatalogCopiedAndMissing: a Spanish message copied from the
// English (three words or more) or missing gives English away; a short
// shared one ("Total") and a format setting do not.
func TestEnglishCatalogCopiedAndMissing(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("x.en.json", `{"cart.empty": "Your cart is empty.", "cart.total": "Total", "cart.missing": "Nothing to pay",
		"format.clock": "12", "exams.count": {"one": "{{.Count}} exam", "other": "{{.Count}} exams"}}`)
	write("x.es.json", `{"cart.empty": "Your cart is empty.", "cart.total": "Total",
		"format.clock": "24", "exams.count": {"one": "{{.Count}} examen", "other": "{{.Count}} exámenes"}}`)
	cat, err := newEnglishCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]bool{
		"Your cart is empty.": true,  // copied
		"Nothing to pay":      true,  // missing in Spanish
		"Total":               false, // the same word in both
		"12":                  false, // a format setting
		"3 exams":             true,
		"3 exámenes":          false,
		"Find an exam":        false, // a count is a number
	} {
		if got := len(cat.find(text)) > 0; got != want {
			t.Errorf("find(%q) = %q, want found %v", text, cat.find(text), want)
		}
	}
}
