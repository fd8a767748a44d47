package i18n

import (
	"encoding/json"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// localeFile is one message file as written: AREA.LANG.json.
type localeFile struct {
	name, area, lang string
	// msgs maps each ID to its plural forms; a plain string is the
	// "other" form alone.
	msgs map[string]map[string]string
}

var pluralForms = map[string]bool{"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true}

// readLocales parses every embedded message file.
func readLocales(t *testing.T) []localeFile {
	t.Helper()
	names, err := fs.Glob(localesFS, "locales/*.json")
	if err != nil {
		t.Fatal(err)
	}
	var out []localeFile
	for _, name := range names {
		parts := strings.Split(path.Base(name), ".")
		if len(parts) != 3 {
			t.Errorf("%s: want AREA.LANG.json", name)
			continue
		}
		buf, err := fs.ReadFile(localesFS, name)
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(buf, &raw); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f := localeFile{name: path.Base(name), area: parts[0], lang: parts[1], msgs: map[string]map[string]string{}}
		for id, v := range raw {
			var s string
			if json.Unmarshal(v, &s) == nil {
				f.msgs[id] = map[string]string{"other": s}
				continue
			}
			var forms map[string]string
			if err := json.Unmarshal(v, &forms); err != nil {
				t.Errorf("%s: %s is neither a string nor plural forms: %v", f.name, id, err)
				continue
			}
			for form := range forms {
				if !pluralForms[form] {
					t.Errorf("%s: %s has %q, which is not a plural form", f.name, id, form)
				}
			}
			if forms["other"] == "" {
				t.Errorf("%s: %s lacks its \"other\" form", f.name, id)
			}
			f.msgs[id] = forms
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		t.Fatal("no message files")
	}
	return out
}

var actionRE = regexp.MustCompile(`\{\{.*?\}\}`)
var fieldRE = regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_]*)`)

// actions lists the distinct template actions of a message's forms, with
// spaces normalised: {{.Count}}, {{if .Currency}}, {{end}}, …
func actions(forms map[string]string) []string {
	seen := map[string]bool{}
	for _, text := range forms {
		for _, a := range actionRE.FindAllString(text, -1) {
			a = strings.Join(strings.Fields(strings.Trim(a, "{}- ")), " ")
			seen[a] = true
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// sampleData gives every field the message's actions name a value, so the
// message renders as it would on a page.
func sampleData(forms map[string]string) map[string]any {
	data := map[string]any{}
	for _, a := range actions(forms) {
		for _, m := range fieldRE.FindAllStringSubmatch(a, -1) {
			data[m[1]] = "«" + m[1] + "»"
		}
	}
	if _, ok := data["Count"]; ok {
		data["Count"] = 2
	}
	return data
}
