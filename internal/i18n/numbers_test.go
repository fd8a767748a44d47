package i18n

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// numberNameRE matches placeholder names that hold a number of things: a
// count, a limit (Max, MinLength, …), a number of units (Minutes, Days,
// Seats, …) or an amount left, taken or used.
var numberNameRE = regexp.MustCompile(`^(?:Count|N|Taken|Used|Left|Remaining|Got|Want|Capacity|(?:Max|Min|Num)(?:[A-Z]\w*)?|\w*(?:Minutes|Hours|Days|Weeks|Months|Years|Seats|Times|Rows|Attempts|Codes|Chars|Characters))$`)

// numbersNotCounted are messages whose number-named placeholder is not a
// number of things, with the reason.
var numbersNotCounted = map[string]string{
	"exams.invalid_price_range":    "Max is an amount of money, formatted with its currency",
	"exams.invalid_reschedule_fee": "Max is an amount of money, formatted with its currency",
	"centers.import.too_large":     "MaxMiB is followed by the unit symbol MiB, which has no plural",
	"results.import.too_large":     "MaxMiB is followed by the unit symbol MiB, which has no plural",
}

// numberNames lists the placeholders of a message that hold a number of
// things.
func numberNames(forms map[string]string) []string {
	seen := map[string]bool{}
	for _, a := range actions(forms) {
		for _, m := range fieldRE.FindAllStringSubmatch(a, -1) {
			if numberNameRE.MatchString(m[1]) {
				seen[m[1]] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// TestNumbersOfThingsArePluralCounts: a message that shows a number of
// things (minutes, hours, seats, characters, a limit, …) takes it as its
// Count and has plural forms, in every language, so that it never reads
// "1 minutes" or "1 horas". The catalog selects a plural form from Count
// alone: a number under another name is shown in the "other" form.
func TestNumbersOfThingsArePluralCounts(t *testing.T) {
	used := map[string]bool{}
	for _, f := range readLocales(t) {
		for id, forms := range f.msgs {
			names := numberNames(forms)
			if len(names) == 0 {
				continue
			}
			if _, ok := numbersNotCounted[id]; ok {
				used[id] = true
				continue
			}
			if forms["one"] == "" {
				t.Errorf("%s: %s shows %v and has no plural forms; give it \"one\" and \"other\" forms and the number as Count", f.name, id, names)
				continue
			}
			if !strings.Contains(strings.Join(actions(forms), " "), ".Count") {
				t.Errorf("%s: %s has plural forms but does not show {{.Count}} (it shows %v)", f.name, id, names)
			}
		}
	}
	for id := range numbersNotCounted {
		if !used[id] {
			t.Errorf("numbersNotCounted lists %s, which shows no number-named placeholder any more", id)
		}
	}
}

// Code that names a message and passes its values: a template action
// {{... Tr "id" args}}, or Go code naming the ID followed by a map literal
// or nil ("id", map[string]any{...} and Message: "id", Data: map[string]any{...}).
var (
	templateCallRE = regexp.MustCompile(`\bTr "([a-z0-9_.]+)"([^}]*)\}\}`)
	goCallRE       = regexp.MustCompile(`"([a-z0-9_]+\.[a-z0-9_.]+)",\s*(?:Data:\s*)?(?:map\[string\]any\{([^}]*)\}|(nil)\))`)
)

// TestPluralMessagesAreGivenACount: wherever a template or the Go code
// names a message with plural forms, it passes a Count, so that the form
// follows the number shown.
func TestPluralMessagesAreGivenACount(t *testing.T) {
	plural := map[string]bool{}
	for _, f := range readLocales(t) {
		if f.lang != Default {
			continue
		}
		for id, forms := range f.msgs {
			if forms["one"] != "" {
				plural[id] = true
			}
		}
	}
	checked := 0
	scanMessageUses(t, templateCallRE, goCallRE, func(p string, m []string) {
		if !plural[m[1]] {
			return
		}
		checked++
		if !strings.Contains(m[2], `"Count"`) {
			t.Errorf("%s: %s has plural forms but is given no Count: %s", p, m[1], strings.TrimSpace(m[0]))
		}
	})
	if checked < 20 {
		t.Fatalf("checked only %d uses of plural messages; are the patterns right?", checked)
	}
}
