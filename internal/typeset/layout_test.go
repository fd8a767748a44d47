package typeset

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// visual returns the runs' texts in visual order.
func visual(l *Line) []string {
	var out []string
	for _, r := range l.Runs {
		out = append(out, r.Text)
	}
	return out
}

func TestLayoutOrder(t *testing.T) {
	fs := NewFonts()
	tests := []struct {
		name  string
		spans []Span
		st    Style
		want  []string // run texts, left to right
		rtl   []bool
	}{
		{
			name:  "an Arabic name keeps the sentence around it in order",
			spans: []Span{{Text: "Awarded to "}, {Text: "محمد علي", Isolated: true, Lang: "ar"}, {Text: " on 2026."}},
			want:  []string{"Awarded to ", "محمد علي", " on 2026."},
			rtl:   []bool{false, true, false},
		},
		{
			name:  "a right-to-left override in a name stops at the name",
			spans: []Span{{Text: "Hi "}, {Text: "Bob\u202Eevil", Isolated: true}, {Text: " done"}},
			want:  []string{"Hi ", "Bob", "evil", " done"},
			rtl:   []bool{false, false, true, false},
		},
		{
			name:  "a pop directional isolate in a name cannot close the isolate",
			spans: []Span{{Text: "A "}, {Text: "\u2069\u202Eabc", Isolated: true}, {Text: " z"}},
			want:  []string{"A ", "abc", " z"},
			rtl:   []bool{false, true, false},
		},
		{
			name:  "Latin inside a Hebrew name runs left to right in its place",
			spans: []Span{{Text: "דוד Levi כהן", Isolated: true}},
			want:  []string{"כהן", " ", "Levi", "דוד "},
			rtl:   []bool{true, true, false, true},
		},
		{
			name:  "a right-to-left line puts its first span on the right",
			spans: []Span{{Text: "شهادة "}, {Text: "Anna", Isolated: true}},
			st:    Style{Dir: RightToLeft},
			want:  []string{"Anna", "شهادة "},
			rtl:   []bool{false, true},
		},
		{
			name:  "numbers after Hebrew stay with it",
			spans: []Span{{Text: "abc דוד 12"}},
			want:  []string{"abc ", "12", "דוד "},
			rtl:   []bool{false, false, true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := fs.Layout(tt.spans, tt.st)
			if err != nil {
				t.Fatal(err)
			}
			got := visual(l)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("runs = %q, want %q", got, tt.want)
			}
			for i, r := range l.Runs {
				if r.RTL != tt.rtl[i] {
					t.Errorf("run %q RTL = %v, want %v", r.Text, r.RTL, tt.rtl[i])
				}
			}
		})
	}
}

func TestLayoutFontFallback(t *testing.T) {
	fs := NewFonts()
	tests := []struct {
		text string
		font string
	}{
		{"Łucja Żółkiewska", "NotoSans-Regular"},
		{"Gwenllïan ap Ŵyn", "NotoSans-Regular"},
		{"Αλέξανδρος", "NotoSans-Regular"},
		{"Анна Петрова", "NotoSans-Regular"},
		{"محمد", "NotoNaskhArabic-Regular"},
		{"דוד", "NotoSansHebrew-Regular"},
		{"अनिल", "NotoSansDevanagari-Regular"},
		{"สมชาย", "NotoSansThai-Regular"},
		{"សុខា", "NotoSansKhmer-Regular"},
		{"王秀英", "NotoSansCJK-Regular"},
		{"さくら", "NotoSansCJK-Regular"},
		{"김민준", "NotoSansCJK-Regular"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			l, err := fs.Layout([]Span{{Text: tt.text}}, Style{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range l.Runs {
				if r.Font.Name != tt.font {
					t.Errorf("run %q in %s, want %s", r.Text, r.Font.Name, tt.font)
				}
				for _, g := range r.Glyphs {
					if g.ID == 0 {
						t.Errorf("run %q has .notdef", r.Text)
					}
				}
			}
		})
	}
}

func TestLayoutBoldFallsBackToRegularScripts(t *testing.T) {
	l, err := NewFonts().Layout([]Span{{Text: "Anna דוד"}}, Style{Weight: Bold})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Runs[0].Font.Name; got != "NotoSans-Bold" {
		t.Errorf("Latin in bold uses %s", got)
	}
	if got := l.Runs[len(l.Runs)-1].Font.Name; got != "NotoSansHebrew-Regular" {
		t.Errorf("Hebrew in bold uses %s", got)
	}
}

func TestLayoutUncovered(t *testing.T) {
	fs := NewFonts()
	for _, r := range []rune{'\U0001F600', '\U00010000', '\uE000', '\u0F40'} {
		t.Run(string(r), func(t *testing.T) {
			_, err := fs.Layout([]Span{{Text: "Ann"}, {Text: "a " + string(r) + " b", Isolated: true}}, Style{})
			var unc *UncoveredError
			if !errors.As(err, &unc) {
				t.Fatalf("err = %v, want *UncoveredError", err)
			}
			if unc.Rune != r {
				t.Errorf("Rune = %U, want %U", unc.Rune, r)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%U", r)) {
				t.Errorf("message %q does not name the code point", err)
			}
		})
	}
}

func TestLayoutWidthScalesWithText(t *testing.T) {
	fs := NewFonts()
	short, err := fs.Layout([]Span{{Text: "Ann"}}, Style{})
	if err != nil {
		t.Fatal(err)
	}
	long, err := fs.Layout([]Span{{Text: "Annabelle Wolfeschlegelsteinhausen"}}, Style{})
	if err != nil {
		t.Fatal(err)
	}
	if !(short.Width > 1 && long.Width > 5*short.Width) {
		t.Errorf("widths %.2f and %.2f em", short.Width, long.Width)
	}
}

func FuzzLayout(f *testing.F) {
	for _, s := range []string{"Gwenllïan ap Ŵyn", "محمد علي", "Bob\u202Eevil", "\u2069\u2067x", "a\u0301\u200d", "田中", "क्\u200dष", "\x00\n\t", "12 דוד 3.4", "\U0001F600"} {
		f.Add(s, true)
	}
	fs := NewFonts()
	f.Fuzz(func(t *testing.T, s string, isolated bool) {
		l, err := fs.Layout([]Span{{Text: "x "}, {Text: s, Isolated: isolated}, {Text: " y"}}, Style{})
		if err != nil {
			var unc *UncoveredError
			if !errors.As(err, &unc) {
				t.Fatalf("error %v for %q", err, s)
			}
			return
		}
		n := 0
		for _, r := range l.Runs {
			for _, g := range r.Glyphs {
				if g.ID == 0 {
					t.Fatalf("%q: .notdef in run %q", s, r.Text)
				}
			}
			n += utf8.RuneCountInString(r.Text)
		}
		if n > utf8.RuneCountInString(s)+4 {
			t.Fatalf("%q: runs hold %d characters", s, n)
		}
	})
}
