package pdf

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	reader "github.com/digitorus/pdf"

	"example.org/certportal/internal/typeset"
)

// structNode is a structure element as a reader sees it.
type structNode struct {
	role, lang, actual string
	mcids              []int64
	kids               []*structNode
}

// readStructure walks the structure tree of a PDF with an independent
// reader (github.com/digitorus/pdf): the elements under /Document.
func readStructure(t *testing.T, data []byte) []*structNode {
	t.Helper()
	r, err := reader.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	root := r.Trailer().Key("Root").Key("StructTreeRoot")
	if root.IsNull() {
		t.Fatal("no structure tree")
	}
	doc := root.Key("K")
	if doc.Key("S").Name() != "Document" {
		t.Fatalf("structure root's kid is %s, want Document", doc.Key("S").Name())
	}
	var walk func(v reader.Value) *structNode
	walk = func(v reader.Value) *structNode {
		n := &structNode{role: v.Key("S").Name(), lang: v.Key("Lang").Text(), actual: v.Key("ActualText").Text()}
		add := func(k reader.Value) {
			switch k.Kind() {
			case reader.Integer:
				n.mcids = append(n.mcids, k.Int64())
			case reader.Dict:
				if k.Key("Type").Name() == "StructElem" {
					n.kids = append(n.kids, walk(k))
				}
			}
		}
		k := v.Key("K")
		if k.Kind() == reader.Array {
			for i := range k.Len() {
				add(k.Index(i))
			}
		} else {
			add(k)
		}
		return n
	}
	return walk(doc).kids
}

// spans lists the Span elements under the structure elements of a tree,
// as "lang:text".
func spans(nodes []*structNode) []string {
	var out []string
	for _, n := range nodes {
		for _, k := range n.kids {
			if k.role == "Span" {
				out = append(out, k.lang+":"+k.actual)
			}
		}
	}
	return out
}

// TestRunsInAnotherScriptCarryTheirLanguage: in an English certificate, a
// name in another script is a Span with the language of its script in the
// structure tree, in logical order among the line's content; a Latin name
// is not.
func TestRunsInAnotherScriptCarryTheirLanguage(t *testing.T) {
	fonts := typeset.NewFonts()
	for _, tt := range []struct {
		name string
		span typeset.Span
		want []string
	}{
		{"Arabic", typeset.Span{Text: "محمد علي", Isolated: true}, []string{"ar:محمد علي"}},
		{"Hebrew", typeset.Span{Text: "עמית כהן", Isolated: true}, []string{"he:עמית כהן"}},
		{"Devanagari", typeset.Span{Text: "अनीता शर्मा", Isolated: true}, []string{"hi:अनीता शर्मा"}},
		{"Thai", typeset.Span{Text: "สมชาย ใจดี", Isolated: true}, []string{"th:สมชาย ใจดี"}},
		{"Khmer", typeset.Span{Text: "សុខ ដារ៉ា", Isolated: true}, []string{"km:សុខ ដារ៉ា"}},
		{"Greek", typeset.Span{Text: "Ελένη Παππά", Isolated: true}, []string{"el:Ελένη Παππά"}},
		{"Cyrillic", typeset.Span{Text: "Анна Иванова", Isolated: true}, []string{"ru:Анна Иванова"}},
		{"Japanese with kana", typeset.Span{Text: "山田 はなこ", Isolated: true}, []string{"ja:山田 はなこ"}},
		{"Han only", typeset.Span{Text: "王小明", Isolated: true}, []string{"zh:王小明"}},
		{"Korean", typeset.Span{Text: "김민준", Isolated: true}, []string{"ko:김민준"}},
		{"given language wins", typeset.Span{Text: "山田 太郎", Isolated: true, Lang: "ja"}, []string{"ja:山田 太郎"}},
		{"Latin", typeset.Span{Text: "Łucja Żółkiewska", Isolated: true}, nil},
		{"mixed", typeset.Span{Text: "Omar عمر", Isolated: true}, []string{"ar:عمر"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := certificate(fonts, A4, tt.span)
			if err != nil {
				t.Fatal(err)
			}
			data, err := d.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			tree := readStructure(t, data)
			if got := spans(tree); strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Spans with a language = %q, want %q", got, tt.want)
			}
			// The name's line is the third P-or-H1; its content is all
			// there, and a line without another script keeps one piece of
			// marked content with its text.
			var name *structNode
			n := 0
			for _, e := range tree {
				if e.role == "P" || e.role == "H1" {
					if n++; n == 3 {
						name = e
					}
				}
			}
			if name == nil {
				t.Fatal("no name line in the structure")
			}
			if name.lang != "" {
				t.Errorf("the name's line has /Lang %q, want the document's", name.lang)
			}
			if tt.want == nil {
				if len(name.kids) != 0 || len(name.mcids) != 1 || name.actual != tt.span.Text {
					t.Errorf("Latin name line: %d kids, MCIDs %v, ActualText %q", len(name.kids), name.mcids, name.actual)
				}
				return
			}
			if name.actual != "" {
				t.Errorf("the line has /ActualText %q, which hides its Span's language", name.actual)
			}
			var text strings.Builder
			for _, k := range name.kids {
				text.WriteString(k.actual)
				if len(k.mcids) == 0 {
					t.Errorf("Span %q has no marked content", k.actual)
				}
			}
			if tt.name != "mixed" && text.String() != tt.span.Text {
				t.Errorf("the line's Spans read %q, want %q", text.String(), tt.span.Text)
			}
		})
	}
}

// TestLanguageInASentence: a name inside a line of English text is a Span
// between the text before and after it, in logical order.
func TestLanguageInASentence(t *testing.T) {
	d := New(typeset.NewFonts(), Info{Title: "t", Lang: "en", Created: created, ID: "x"})
	p := d.AddPage(A4)
	if _, err := p.Text(50, 100, []typeset.Span{{Text: "Awarded to "}, {Text: "עמית כהן", Isolated: true}, {Text: " in 2026."}},
		TextStyle{Size: 12}); err != nil {
		t.Fatal(err)
	}
	data, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	tree := readStructure(t, data)
	if len(tree) != 1 {
		t.Fatalf("%d elements, want 1", len(tree))
	}
	line := tree[0]
	if len(line.kids) != 1 || line.kids[0].lang != "he" || line.kids[0].actual != "עמית כהן" {
		t.Fatalf("kids %+v, want one Hebrew Span", line.kids)
	}
	if len(line.mcids) != 2 {
		t.Fatalf("the line's own content is %v, want the text before and after the name", line.mcids)
	}
	// Kids in logical order: MCID before, Span, MCID after. The raw /K
	// array shows the order.
	if !regexp.MustCompile(`/S /P /P \d+ 0 R /Pg \d+ 0 R /K \[0 \d+ 0 R 2\]`).Match(data) {
		t.Error("the line's /K is not [before Span after]")
	}
	if txt := run(t, poppler(t, "pdftotext"), writeTemp(t, data), "-"); extracted(txt) != extracted("Awarded to עמית כהן in 2026.") {
		t.Errorf("pdftotext = %q", txt)
	}
}
