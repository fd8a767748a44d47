package testutil

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// HTMLNode is an element of a parsed page, found by CSS selector, so that
// a test names the element that must hold a text instead of searching the
// whole page for it.
//
// Selectors are a subset of CSS: compound selectors of a tag, #id,
// .class and attribute tests ([attr], [attr=v], [attr^=v], [attr$=v],
// [attr*=v], values optionally quoted), joined by descendant (space) or
// child (>) combinators; a comma separates alternatives. Anything else
// (pseudo-classes, sibling combinators) panics rather than match nothing.
type HTMLNode struct {
	n *html.Node
}

// ParseHTML parses a page; a page that does not parse fails the test.
func ParseHTML(tb testing.TB, page string) *HTMLNode {
	tb.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		tb.Fatalf("parse HTML: %v", err)
	}
	return &HTMLNode{n: doc}
}

// Find returns the elements under the node matching sel, in document
// order.
func (h *HTMLNode) Find(sel string) []*HTMLNode {
	var alts [][]selStep
	for _, part := range strings.Split(sel, ",") {
		alts = append(alts, parseSelector(part))
	}
	var out []*HTMLNode
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				for _, steps := range alts {
					if matchSteps(c, steps, h.n) {
						out = append(out, &HTMLNode{n: c})
						break
					}
				}
			}
			walk(c)
		}
	}
	walk(h.n)
	return out
}

// First returns the first element matching sel, or nil.
func (h *HTMLNode) First(sel string) *HTMLNode {
	if list := h.Find(sel); len(list) > 0 {
		return list[0]
	}
	return nil
}

// Texts returns the text of every element matching sel.
func (h *HTMLNode) Texts(sel string) []string {
	var out []string
	for _, n := range h.Find(sel) {
		out = append(out, n.Text())
	}
	return out
}

// Text is the element's text content with runs of white space collapsed.
func (h *HTMLNode) Text() string {
	if h == nil {
		return ""
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(h.n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// Attr returns an attribute's value and whether it is present.
func (h *HTMLNode) Attr(name string) (string, bool) {
	if h == nil {
		return "", false
	}
	for _, a := range h.n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// Tag is the element's name.
func (h *HTMLNode) Tag() string { return h.n.Data }

type attrTest struct {
	name, op, value string
}

type selCompound struct {
	tag     string
	id      string
	classes []string
	attrs   []attrTest
}

type selStep struct {
	compound selCompound
	child    bool // joined to the previous step by ">"
}

func parseSelector(s string) []selStep {
	var steps []selStep
	child := false
	for _, tok := range tokenizeSelector(s) {
		if tok == ">" {
			child = true
			continue
		}
		steps = append(steps, selStep{compound: parseCompound(tok), child: child})
		child = false
	}
	return steps
}

// tokenizeSelector splits on white space and ">" outside brackets.
func tokenizeSelector(s string) []string {
	var out []string
	var cur strings.Builder
	depth := 0
	var quote rune
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case quote != 0:
			cur.WriteRune(r)
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
			cur.WriteRune(r)
		case r == '[':
			depth++
			cur.WriteRune(r)
		case r == ']':
			depth--
			cur.WriteRune(r)
		case depth == 0 && (r == ' ' || r == '\t' || r == '\n'):
			flush()
		case depth == 0 && r == '>':
			flush()
			out = append(out, ">")
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}

func parseCompound(s string) selCompound {
	var c selCompound
	i := 0
	readName := func() string {
		j := i
		for j < len(s) && s[j] != '.' && s[j] != '#' && s[j] != '[' {
			j++
		}
		name := s[i:j]
		i = j
		if strings.ContainsAny(name, ":+~()") {
			panic("testutil: unsupported selector syntax (pseudo-classes, sibling combinators) in " + s)
		}
		return name
	}
	c.tag = readName()
	if c.tag == "*" {
		c.tag = ""
	}
	for i < len(s) {
		switch s[i] {
		case '#':
			i++
			c.id = readName()
		case '.':
			i++
			c.classes = append(c.classes, readName())
		case '[':
			end := strings.IndexByte(s[i:], ']')
			body := s[i+1 : i+end]
			i += end + 1
			c.attrs = append(c.attrs, parseAttrTest(body))
		default:
			i++
		}
	}
	return c
}

func parseAttrTest(body string) attrTest {
	for _, op := range []string{"^=", "$=", "*=", "~=", "="} {
		if k := strings.Index(body, op); k >= 0 {
			v := strings.TrimSpace(body[k+len(op):])
			v = strings.Trim(v, `"'`)
			return attrTest{name: strings.TrimSpace(body[:k]), op: op, value: v}
		}
	}
	return attrTest{name: strings.TrimSpace(body)}
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func (c selCompound) match(n *html.Node) bool {
	if n.Type != html.ElementNode || (c.tag != "" && n.Data != c.tag) {
		return false
	}
	if c.id != "" {
		if v, _ := attr(n, "id"); v != c.id {
			return false
		}
	}
	if len(c.classes) > 0 {
		v, _ := attr(n, "class")
		have := strings.Fields(v)
		for _, want := range c.classes {
			found := false
			for _, h := range have {
				if h == want {
					found = true
				}
			}
			if !found {
				return false
			}
		}
	}
	for _, t := range c.attrs {
		v, ok := attr(n, t.name)
		if !ok {
			return false
		}
		switch t.op {
		case "=":
			ok = v == t.value
		case "^=":
			ok = strings.HasPrefix(v, t.value)
		case "$=":
			ok = strings.HasSuffix(v, t.value)
		case "*=":
			ok = strings.Contains(v, t.value)
		case "~=":
			ok = false
			for _, f := range strings.Fields(v) {
				ok = ok || f == t.value
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// matchSteps reports whether n matches the last step and its ancestors
// (below root) match the earlier ones.
func matchSteps(n *html.Node, steps []selStep, root *html.Node) bool {
	if len(steps) == 0 {
		return false
	}
	last := steps[len(steps)-1]
	if !last.compound.match(n) {
		return false
	}
	if len(steps) == 1 {
		return true
	}
	rest := steps[:len(steps)-1]
	for p := n.Parent; p != nil && p != root; p = p.Parent {
		if matchSteps(p, rest, root) {
			return true
		}
		if last.child {
			return false
		}
	}
	return false
}
