package testutil

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// HTMLDoc is a parsed page that tests read by CSS selector instead of
// searching its text: a check names the element that must hold a value.
//
// Selectors: type (div), #id, .class, [attr], [attr=v], [attr^=v],
// [attr$=v], [attr*=v] (v quoted or not), :first-child, compounds of
// those (a.button),
// the descendant (space) and child (>) combinators, and groups (a, b).
type HTMLDoc struct {
	tb   testing.TB
	root *html.Node
}

// ParseHTML parses a page; an unparsable body fails the test.
func ParseHTML(tb testing.TB, body string) *HTMLDoc {
	tb.Helper()
	root, err := html.Parse(strings.NewReader(body))
	if err != nil {
		tb.Fatalf("parse HTML: %v", err)
	}
	return &HTMLDoc{tb: tb, root: root}
}

// All returns the elements that match sel, in document order.
func (d *HTMLDoc) All(sel string) []*html.Node {
	d.tb.Helper()
	groups := parseSelector(d.tb, sel)
	var out []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, g := range groups {
				if g.matches(n) {
					out = append(out, n)
					break
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(d.root)
	return out
}

// Has reports whether an element matches sel.
func (d *HTMLDoc) Has(sel string) bool {
	d.tb.Helper()
	return len(d.All(sel)) > 0
}

// Count is the number of elements that match sel.
func (d *HTMLDoc) Count(sel string) int {
	d.tb.Helper()
	return len(d.All(sel))
}

// Text is the text of the first element that matches sel, with runs of
// white space made one space and trimmed; "" when none matches.
func (d *HTMLDoc) Text(sel string) string {
	d.tb.Helper()
	all := d.All(sel)
	if len(all) == 0 {
		return ""
	}
	return NodeText(all[0])
}

// Texts is the text of every element that matches sel.
func (d *HTMLDoc) Texts(sel string) []string {
	d.tb.Helper()
	var out []string
	for _, n := range d.All(sel) {
		out = append(out, NodeText(n))
	}
	return out
}

// Attr is the attribute of the first element that matches sel; "" when
// none matches or it lacks the attribute.
func (d *HTMLDoc) Attr(sel, name string) string {
	d.tb.Helper()
	all := d.All(sel)
	if len(all) == 0 {
		return ""
	}
	v, _ := NodeAttr(all[0], name)
	return v
}

// NodeText is an element's text, white space collapsed.
func NodeText(n *html.Node) string {
	var sb strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
			sb.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(sb.String()), " ")
}

// NodeAttr is an element's attribute and whether it has it.
func NodeAttr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// compound is one simple-selector sequence (a.button[href]) and how it
// relates to the compound before it.
type compound struct {
	tag     string
	id      string
	classes []string
	attrs   []attrTest
	first   bool // :first-child
	child   bool // ">" before it: a child of the previous one, not any descendant
}

type attrTest struct{ name, op, val string }

// chain is one selector of a group: compounds left to right.
type chain []compound

func (c chain) matches(n *html.Node) bool { return c.matchAt(n, len(c)-1) }

func (c chain) matchAt(n *html.Node, i int) bool {
	if !c[i].matches(n) {
		return false
	}
	if i == 0 {
		return true
	}
	for p := n.Parent; p != nil && p.Type == html.ElementNode; p = p.Parent {
		if c.matchAt(p, i-1) {
			return true
		}
		if c[i].child {
			return false
		}
	}
	return false
}

func (s compound) matches(n *html.Node) bool {
	if s.tag != "" && s.tag != "*" && n.Data != s.tag {
		return false
	}
	if s.first {
		for p := n.PrevSibling; p != nil; p = p.PrevSibling {
			if p.Type == html.ElementNode {
				return false
			}
		}
	}
	if s.id != "" {
		if v, _ := NodeAttr(n, "id"); v != s.id {
			return false
		}
	}
	if len(s.classes) > 0 {
		v, _ := NodeAttr(n, "class")
		have := strings.Fields(v)
		for _, want := range s.classes {
			found := false
			for _, h := range have {
				found = found || h == want
			}
			if !found {
				return false
			}
		}
	}
	for _, a := range s.attrs {
		v, ok := NodeAttr(n, a.name)
		if !ok {
			return false
		}
		switch a.op {
		case "=":
			ok = v == a.val
		case "^=":
			ok = strings.HasPrefix(v, a.val)
		case "$=":
			ok = strings.HasSuffix(v, a.val)
		case "*=":
			ok = strings.Contains(v, a.val)
		}
		if !ok {
			return false
		}
	}
	return true
}

// parseSelector reads a selector group; a selector it cannot read fails
// the test, so a typo never passes as "no element".
func parseSelector(tb testing.TB, sel string) []chain {
	tb.Helper()
	var groups []chain
	for _, part := range splitOutside(sel, ',') {
		var c chain
		child := false
		for _, tok := range tokens(part) {
			if tok == ">" {
				child = true
				continue
			}
			s, ok := parseCompound(tok)
			if !ok {
				tb.Fatalf("selector %q: cannot read %q", sel, tok)
			}
			s.child = child && len(c) > 0
			child = false
			c = append(c, s)
		}
		if len(c) == 0 {
			tb.Fatalf("empty selector in %q", sel)
		}
		groups = append(groups, c)
	}
	return groups
}

// tokens splits a selector into compounds and ">" outside brackets.
func tokens(s string) []string {
	var out []string
	var cur strings.Builder
	depth, quote := 0, byte(0)
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '"' || ch == '\'':
			quote = ch
		case ch == '[':
			depth++
		case ch == ']':
			depth--
		case depth == 0 && (ch == ' ' || ch == '\t' || ch == '\n'):
			flush()
			continue
		case depth == 0 && ch == '>':
			flush()
			out = append(out, ">")
			continue
		}
		cur.WriteByte(ch)
	}
	flush()
	return out
}

func splitOutside(s string, sep byte) []string {
	var out []string
	depth, quote, start := 0, byte(0), 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '"' || ch == '\'':
			quote = ch
		case ch == '[':
			depth++
		case ch == ']':
			depth--
		case ch == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func parseCompound(s string) (compound, bool) {
	var c compound
	i := 0
	name := func() string {
		j := i
		for i < len(s) && (s[i] == '-' || s[i] == '_' || s[i] == '*' || s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
			i++
		}
		return s[j:i]
	}
	c.tag = strings.ToLower(name())
	for i < len(s) {
		switch s[i] {
		case '#':
			i++
			if c.id = name(); c.id == "" {
				return c, false
			}
		case '.':
			i++
			cl := name()
			if cl == "" {
				return c, false
			}
			c.classes = append(c.classes, cl)
		case ':':
			i++
			if name() != "first-child" {
				return c, false
			}
			c.first = true
		case '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return c, false
			}
			body := s[i+1 : i+end]
			i += end + 1
			t := attrTest{name: body}
			for _, op := range []string{"^=", "$=", "*=", "="} {
				if k, v, ok := strings.Cut(body, op); ok {
					t = attrTest{name: strings.TrimSpace(k), op: op, val: strings.Trim(strings.TrimSpace(v), `"'`)}
					break
				}
			}
			if t.name == "" {
				return c, false
			}
			c.attrs = append(c.attrs, t)
		default:
			return c, false
		}
	}
	return c, true
}
