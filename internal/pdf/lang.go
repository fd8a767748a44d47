package pdf

import (
	"unicode"

	"golang.org/x/text/language"
)

// The scripts of the bundled fonts, by ISO 15924 code. A character of any
// other script cannot be drawn (typeset.UncoveredError), so needs no tag.
var scripts = []struct {
	code  string
	table *unicode.RangeTable
}{
	{"Latn", unicode.Latin}, {"Grek", unicode.Greek}, {"Cyrl", unicode.Cyrillic},
	{"Arab", unicode.Arabic}, {"Hebr", unicode.Hebrew}, {"Deva", unicode.Devanagari},
	{"Thai", unicode.Thai}, {"Khmr", unicode.Khmer},
	{"Hani", unicode.Han}, {"Hira", unicode.Hiragana}, {"Kana", unicode.Katakana}, {"Hang", unicode.Hangul},
}

// scriptOf is the ISO 15924 code of the first character of s in a
// script of the bundled fonts, "" when s has none (digits, punctuation,
// spaces). Han with kana anywhere in context is Japanese (Jpan), Han with
// Hangul Korean (Kore): a name's Han characters are read as the rest of
// the name is.
func scriptOf(s, context string) string {
	code := ""
	for _, r := range s {
		for _, sc := range scripts {
			if unicode.Is(sc.table, r) {
				code = sc.code
				break
			}
		}
		if code != "" {
			break
		}
	}
	switch code {
	case "Hani", "Hira", "Kana", "Hang":
		for _, r := range context {
			switch {
			case unicode.In(r, unicode.Hiragana, unicode.Katakana):
				return "Jpan"
			case unicode.Is(unicode.Hangul, r):
				return "Kore"
			}
		}
	}
	return code
}

// sameScript reports whether text in script code reads as part of a line
// in language lang: its script is the language's likely script, or one
// of those it is written with (Japanese: Han and kana; Korean: Hangul and
// Han; Chinese: Han).
func sameScript(code, lang string) bool {
	ls, _ := language.Make(lang).Script()
	switch ls.String() {
	case code:
		return true
	case "Jpan":
		return code == "Hani" || code == "Hira" || code == "Kana"
	case "Kore":
		return code == "Hang" || code == "Hani"
	case "Hans", "Hant":
		return code == "Hani"
	}
	return false
}

// tagLang is the language a run of text carries in the structure tree of
// a line in language lang. A run given its own language (typeset.Span.Lang)
// keeps it. Otherwise a run in a script unlike the line's takes the likely
// language of its script, as CLDR's likely subtags give it
// (golang.org/x/text/language, "und-Arab" → ar): Arabic ar, Hebrew he,
// Devanagari hi, Thai th, Khmer km, Greek el, Cyrillic ru, Han zh, Han
// with kana ja, Hangul ko, Latin en. Everything else (digits, punctuation,
// a Latin name in an English or Spanish line) is the line's.
func tagLang(runLang, text, context, lang string) string {
	if runLang != "" && runLang != lang {
		return runLang
	}
	code := scriptOf(text, context)
	if code == "" || sameScript(code, lang) {
		return lang
	}
	base, conf := language.Make("und-" + code).Base()
	if conf == language.No {
		return lang
	}
	return base.String()
}
